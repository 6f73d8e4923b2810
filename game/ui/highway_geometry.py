"""Where a note highway sits on screen, and where a note is on it (pure geometry)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pygame


def note_y(note_time_s: float, now_s: float, hit_line_y: float,
           pixels_per_second: float) -> float:
    """Screen y of a note's centre: on the hit line at its time, above it before."""
    return hit_line_y - (note_time_s - now_s) * pixels_per_second


@dataclass(frozen=True, slots=True)
class HighwayGeometry:
    """Where one highway sits on screen: the body ``rect``, the hit line ``hit_y``, the
    centre x of each lane's notes (kick lanes: the highway's centre), the width of one
    gem column, which lanes are kick bars, the scale (height / 720) and the scroll speed.
    """

    rect: pygame.Rect
    hit_y: int
    lane_x: tuple[int, ...]
    lane_w: int
    kick: tuple[bool, ...]
    scale: float
    pixels_per_second: float

    @classmethod
    def build(cls, rect: pygame.Rect, hit_y: int, families: Sequence[str], scale: float,
              pixels_per_second: float) -> HighwayGeometry:
        """Spread the non-kick lanes evenly across ``rect`` (minus a small margin)."""
        kick = tuple(f == "kick" for f in families)
        n_gems = max(1, sum(1 for k in kick if not k))
        pad = round(8 * scale)
        lane_w = (rect.width - 2 * pad) // n_gems
        xs: list[int] = []
        col = 0
        for k in kick:
            if k:
                xs.append(rect.centerx)
            else:
                xs.append(rect.x + pad + lane_w * col + lane_w // 2)
                col += 1
        return cls(rect, hit_y, tuple(xs), lane_w, kick, scale, pixels_per_second)

    @property
    def view(self) -> pygame.Rect:
        """Where notes show: inside the edges, from the top to a little past the hit line."""
        inset = max(2, round(3 * self.scale))
        return pygame.Rect(self.rect.x + inset, self.rect.y + inset,
                           self.rect.width - 2 * inset,
                           self.hit_y + round(30 * self.scale) - self.rect.y - inset)
