"""Two players on one keyboard: key names to (player, lane).

The bindings themselves are settings (``game.store.settings.KeyBindings``,
with the defaults and their validation); this module only turns them into the
lookup table the gameplay uses.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KeyMap:
    """Key names (pygame's ``key.name`` spelling) per player, one per lane."""

    p1: tuple[str, ...]
    p2: tuple[str, ...]

    def lookup(self) -> dict[str, tuple[int, int]]:
        """Key name -> (player, lane). A key bound twice keeps its first lane."""
        table: dict[str, tuple[int, int]] = {}
        for player, keys in enumerate((self.p1, self.p2)):
            for lane, key in enumerate(keys):
                table.setdefault(key, (player, lane))
        return table

    def labels(self, player: int) -> tuple[str, ...]:
        """What to print on a player's lanes (``"D"``, ``"SPACE"``)."""
        return tuple(k.upper() for k in (self.p1, self.p2)[player])
