"""The players' names for ``play`` and ``practice``: given, else the saved ones."""

from __future__ import annotations

from game.engine.names import normalize_name
from game.store.settings import load_settings


def player_names(p1: str | None, p2: str | None) -> tuple[str, str]:
    """Each player's name: the one given (already checked by the command line), else the
    name saved in player setup (``settings.toml``), else "P1"/"P2".

    A damaged settings file is not reported here (the window reports it when it
    opens); its names fall back to the defaults.
    """
    given = (p1, p2)
    if all(given):
        return normalize_name(p1 or ""), normalize_name(p2 or "")
    saved, _warnings = load_settings()
    return tuple(  # type: ignore[return-value]
        normalize_name(given[i] or saved.players[i].name) or f"P{i + 1}" for i in (0, 1))
