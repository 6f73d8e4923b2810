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
from game.ui.i18n import ntr, ptr, tr
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
    # TRANSLATORS: caption: how the kit's stroke velocities are scaled
    scene.text(surface, tr("VELOCITY CURVE"), 17, TEXT_FAINT, x + 22, y + 24, "midleft",
               max_w=w - 44, shadow=False)
    if cal.active:
        _draw_strokes(scene, surface, cal, x, y, w, player)
        return
    gx, gy, gs = x + 22, y + 48, 196.0
    _draw_graph(scene, surface, cal, curve, gx, gy, gs, player)
    cx = gx + gs + 30
    # TRANSLATORS: column header: the velocity a pad sends (-> the one the game uses)
    scene.text(surface, ptr("velocity curve", "HIT"), 16, TEXT_FAINT, cx + 44, gy + 10,
               "midright", max_w=70, shadow=False)
    # TRANSLATORS: column header: the velocity the game uses for a stroke
    scene.text(surface, tr("IN GAME"), 16, TEXT_FAINT, cx + 76, gy + 10, "midleft",
               max_w=x + w - 16 - (cx + 76), shadow=False)
    for k, v in enumerate(PREVIEW):
        ry = gy + 50 + k * 44
        scene.text(surface, str(v), 28, TEXT_DIM, cx + 44, ry, "midright", shadow=False)
        scene.arrow(surface, cx + 60, ry, 11, TEXT_FAINT, 1)
        scene.text(surface, str(curve.apply(v)), 28, TEXT, cx + 76, ry, "midleft",
                   shadow=False)
    gains = tr("gain {gain}  ·  gamma {gamma}").format(gain=f"{curve.gain:.2f}",
                                                       gamma=f"{curve.gamma:.2f}")
    scene.text(surface, gains, 18, TEXT_FAINT, cx + 60, gy + 50 + 3 * 44,
               max_w=x + w - 16 - cx, shadow=False)
    if cal.phase == "done":
        # TRANSLATORS: "Save" is the button of the MIDI learn screen
        note, colour = (tr("Saved: your kit plays with this curve") if saved else
                        tr("Fitted to your strokes: Save to keep it")), BLUISH_GREEN
    elif cal.phase == "error":
        # TRANSLATORS: V is the keycap of the V key
        note, colour = tr("Press V to try again"), YELLOW
    else:
        # TRANSLATORS: V is the keycap of the V key
        note, colour = ntr("Press V: {n} soft then {n} hard stroke set it",
                           "Press V: {n} soft then {n} hard strokes set it",
                           STROKES).format(n=STROKES), TEXT_DIM
    lines = scene.wrap(note, 20, w - 44)
    if len(lines) == 1:
        scene.text(surface, note, 20, colour, x + 22, y + h - 30, "midleft", max_w=w - 44,
                   shadow=False)
        return
    size = next((z for z in (18, 16, 14) if len(scene.wrap(note, z, w - 44)) <= 2), 12)
    for k, line in enumerate(scene.wrap(note, size, w - 44)[:2]):  # a longer language
        scene.text(surface, line, size, colour, x + 22, y + h - 44 + k * 22, "midleft",
                   max_w=w - 44, shadow=False)


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
    scene.text(surface, tr("Hit any pad softly") if soft else tr("Now hit it hard"), 34, TEXT,
               x + 22, y + 72, "midleft", max_w=w - 44)
    how = (ntr("{n} time, like a ghost note", "{n} times, like a ghost note", STROKES) if soft
           else ntr("{n} time, like an accent", "{n} times, like an accent", STROKES))
    scene.text(surface, how.format(n=STROKES), 22, TEXT_DIM, x + 22, y + 108, "midleft",
               max_w=w - 44, shadow=False)
    # TRANSLATORS: row label: the soft calibration strokes
    soft_label = tr("SOFT")
    # TRANSLATORS: row label: the hard calibration strokes
    hard_label = tr("HARD")
    for row, (label, strokes) in enumerate(((soft_label, cal.soft), (hard_label, cal.hard))):
        ry = y + 164 + row * 64
        scene.text(surface, label, 17, TEXT_FAINT, x + 22, ry, "midleft", max_w=52,
                   shadow=False)
        for k in range(STROKES):
            cx = x + 100 + k * 54
            r = scene.rect(cx - 22, ry - 20, 44, 40)
            if k < len(strokes):
                scene.panel(surface, r, fill=rgba(pal.light, 200), edge=None, radius=10)
                scene.text(surface, str(strokes[k]), 20, (10, 12, 20), cx, ry, shadow=False)
            else:
                scene.panel(surface, r, fill=(255, 255, 255, 12), edge=rgba(pal.light, 80),
                            radius=10, edge_w=1)
