"""The players' team shirts, drawn (player setup shows each player's name on one)."""

from __future__ import annotations

from collections.abc import Callable

import pygame

from game.ui.text import wrap_text
from game.ui.theme import PALETTES, rgba, stripes, supersampled

__all__ = ["jersey", "name_lines"]

_JERSEY = [(0.35, 0.0), (0.5, 0.11), (0.65, 0.0), (0.88, 0.06), (1.0, 0.34), (0.84, 0.42),
           (0.84, 1.0), (0.16, 1.0), (0.16, 0.42), (0.0, 0.34), (0.12, 0.06)]


def jersey(size: tuple[int, int], player: int) -> pygame.Surface:
    """A striped team shirt in the player's colours (name and number are drawn on top)."""
    pal = PALETTES[player]
    w, h = size

    def draw(s: pygame.Surface, ss: int) -> None:
        pts = [(x * (w * ss - 1), y * (h * ss - 1)) for x, y in _JERSEY]
        unit = w * ss / 196  # the design is 196 px wide at 720p
        pygame.draw.polygon(s, (*pal.primary, 255), pts)
        stripes(s, rgba(pal.light, 34), spacing=round(14 * unit), width=round(5 * unit))
        pygame.draw.polygon(s, (*pal.light, 255), pts, max(1, round(2 * unit)))
        trim = max(1, round(3 * unit))
        for a, b in ((1, 2), (0, 1), (4, 5), (9, 8)):
            pygame.draw.line(s, (*pal.light, 255), pts[a], pts[b], trim)

    return supersampled(size, draw, base=pal.primary, ss=3)


def name_lines(name: str, width: Callable[[str], float], max_w: float, *,
               shrink: float = 0.7) -> list[str]:
    """A name as printed on a jersey: one line, or two when one line would shrink a lot.

    ``width`` measures text at the one-line size; a name wider than ``max_w /
    shrink`` is broken (between words, or between CJK characters) into two
    lines, the second holding the rest (the caller shrinks each to ``max_w``).
    A name that cannot be broken stays one line.
    """
    if width(name) <= max_w / shrink:
        return [name]
    lines = wrap_text(name, max_w, width)
    if len(lines) < 2:
        return [name]
    return [lines[0], name[len(lines[0]):].strip()]
