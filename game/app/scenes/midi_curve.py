"""Velocity calibration for the MIDI-learn screen: five soft strokes, five hard, a curve.

:class:`Calibration` keeps the strokes and fits the kit's
:class:`~game.input.kit.VelocityCurve` (:meth:`VelocityCurve.fit`);
:func:`draw_curve_panel` draws the panel: the curve, what 20/60/100 become,
or the strokes asked for while calibrating.
"""

from __future__ import annotations

from typing import Any

import pygame

from game.input.kit import VelocityCurve
from game.ui.theme import BLUISH_GREEN, PALETTES, TEXT, TEXT_DIM, TEXT_FAINT, YELLOW, rgba

#: Strokes asked for at each loudness.
STROKES = 5
#: A stroke closer than this to the previous one is a double trigger, not a stroke.
STROKE_GAP_S = 0.04
#: Raw velocities whose mapped value is shown.
PREVIEW = (20, 60, 100)


class Calibration:
    """The strokes of one calibration, and its outcome.

    Attributes
    ----------
    phase : str
        ``""`` (not started), ``"soft"``, ``"hard"``, ``"done"`` or ``"error"``.
    soft, hard : list of int
        Raw velocities of the strokes so far.
    curve : VelocityCurve or None
        The fitted curve once ``phase == "done"``.
    error : str
        Why the fit failed (``phase == "error"``).
    """

    def __init__(self) -> None:
        self._reset("")

    def _reset(self, phase: str) -> None:
        self.phase = phase
        self.soft: list[int] = []
        self.hard: list[int] = []
        self.curve: VelocityCurve | None = None
        self.error = ""
        self._last_t = -1e9

    @property
    def active(self) -> bool:
        """True while strokes are asked for."""
        return self.phase in ("soft", "hard")

    def start(self) -> None:
        """Forget the strokes and ask for soft ones."""
        self._reset("soft")

    def cancel(self) -> None:
        """Stop asking for strokes (the kit's curve stays as it was)."""
        self._reset("")

    def stroke(self, velocity: int, t: float) -> bool:
        """One stroke at raw ``velocity`` received at ``t``; True when the curve is fitted."""
        if not self.active or t - self._last_t < STROKE_GAP_S:
            return False
        self._last_t = t
        strokes = self.soft if self.phase == "soft" else self.hard
        strokes.append(velocity)
        if len(strokes) < STROKES:
            return False
        if self.phase == "soft":
            self.phase = "hard"
            return False
        try:
            self.curve = VelocityCurve.fit(self.soft, self.hard)
        except ValueError as exc:
            self.phase, self.error = "error", str(exc)
            return False
        self.phase = "done"
        return True


def draw_curve_panel(scene: Any, surface: pygame.Surface, cal: Calibration,
                     curve: VelocityCurve, x: float, y: float, w: float, h: float, *,
                     player: int, focused: bool, saved: bool) -> None:
    """The VELOCITY CURVE panel of ``scene`` (a MenuScene) at (x, y, w, h) in 720p units."""
    pal = PALETTES[player]
    scene.panel(surface, scene.rect(x, y, w, h),
                fill=rgba(pal.deep, 90) if focused or cal.active else (255, 255, 255, 14))
    scene.text(surface, "VELOCITY CURVE", 17, TEXT_FAINT, x + 22, y + 24, "midleft",
               shadow=False)
    if cal.active:
        _draw_strokes(scene, surface, cal, x, y, w, player)
        return
    gx, gy, gs = x + 22, y + 48, 196.0
    _draw_graph(scene, surface, cal, curve, gx, gy, gs, player)
    cx = gx + gs + 30
    scene.text(surface, "HIT", 16, TEXT_FAINT, cx + 44, gy + 10, "midright", shadow=False)
    scene.text(surface, "IN GAME", 16, TEXT_FAINT, cx + 76, gy + 10, "midleft", shadow=False)
    for k, v in enumerate(PREVIEW):
        ry = gy + 50 + k * 44
        scene.text(surface, str(v), 28, TEXT_DIM, cx + 44, ry, "midright", shadow=False)
        scene.arrow(surface, cx + 60, ry, 11, TEXT_FAINT, 1)
        scene.text(surface, str(curve.apply(v)), 28, TEXT, cx + 76, ry, "midleft",
                   shadow=False)
    scene.text(surface, f"gain {curve.gain:.2f}  ·  gamma {curve.gamma:.2f}", 18, TEXT_FAINT,
               cx + 60, gy + 50 + 3 * 44, max_w=x + w - 16 - cx, shadow=False)
    if cal.phase == "done":
        note, colour = ("Saved: your kit plays with this curve" if saved else
                        "Fitted to your strokes: Save to keep it"), BLUISH_GREEN
    elif cal.phase == "error":
        note, colour = "Press V to try again", YELLOW
    else:
        note, colour = f"Press V: {STROKES} soft then {STROKES} hard strokes set it", TEXT_DIM
    scene.text(surface, note, 20, colour, x + 22, y + h - 30, "midleft", max_w=w - 44,
               shadow=False)


def _draw_graph(scene: Any, surface: pygame.Surface, cal: Calibration, curve: VelocityCurve,
                gx: float, gy: float, gs: float, player: int) -> None:
    """Raw velocity (across) to the game's velocity (up), the strokes as dots below."""
    px = scene.px
    box = scene.rect(gx, gy, gs, gs)
    pygame.draw.rect(surface, (30, 34, 52), box, border_radius=px(6))
    pygame.draw.line(surface, (60, 66, 92), box.bottomleft, box.topright, max(1, px(1)))
    pts = [(px(gx + gs * v / 127), px(gy + gs - gs * curve.apply(v) / 127))
           for v in range(1, 128, 3)]
    pygame.draw.lines(surface, PALETTES[player].light, False, pts, max(2, px(3)))
    for v in (*cal.soft, *cal.hard):
        pygame.draw.circle(surface, YELLOW, (px(gx + gs * v / 127), box.bottom), max(2, px(3)))


def _draw_strokes(scene: Any, surface: pygame.Surface, cal: Calibration, x: float, y: float,
                  w: float, player: int) -> None:
    """What to do now, and a box per stroke (filled with its velocity once played)."""
    pal = PALETTES[player]
    soft = cal.phase == "soft"
    scene.text(surface, "Hit any pad softly" if soft else "Now hit it hard", 34, TEXT,
               x + 22, y + 72, "midleft", max_w=w - 44)
    scene.text(surface, f"{STROKES} times, like a ghost note" if soft
               else f"{STROKES} times, like an accent", 22, TEXT_DIM, x + 22, y + 108,
               "midleft", shadow=False)
    for row, (label, strokes) in enumerate((("SOFT", cal.soft), ("HARD", cal.hard))):
        ry = y + 164 + row * 64
        scene.text(surface, label, 17, TEXT_FAINT, x + 22, ry, "midleft", shadow=False)
        for k in range(STROKES):
            cx = x + 100 + k * 54
            r = scene.rect(cx - 22, ry - 20, 44, 40)
            if k < len(strokes):
                scene.panel(surface, r, fill=rgba(pal.light, 200), edge=None, radius=10)
                scene.text(surface, str(strokes[k]), 20, (10, 12, 20), cx, ry, shadow=False)
            else:
                scene.panel(surface, r, fill=(255, 255, 255, 12), edge=rgba(pal.light, 80),
                            radius=10, edge_w=1)
