"""The calibration screen's tapping test: the page drawn while a test runs.

What to tap (Space, or each player's snare key), a circle flashing on every
click, the early/late bar of the taps with their running median, the taps
counted, and what Enter would store. Drawn by
:class:`~game.app.scenes.calibration.CalibrationScene` with its text helpers.
"""

from __future__ import annotations

import math
from typing import Any

import pygame

from game.app.scenes.calibration_clicks import BEAT_S, CLICKS, TARGET_TAPS
from game.engine.calibration import MIN_TAPS
from game.ui import charts, theme
from game.ui.charts import px
from game.ui.i18n import ntr, tr

#: The early/late bar spans this many ms either way.
BAR_LIMIT_MS = 120.0
TAP_COLOUR = theme.YELLOW


def draw_test_page(scene: Any, surface: pygame.Surface, s: float,
                   keycaps: dict[str, str]) -> None:
    """The tapping test: what to tap, the flashing beat, the early/late bar of the taps,
    their median and what Enter would store (``keycaps``: the keycap labels, untranslated)."""
    w, h = surface.get_size()
    m = px(24, s)
    p = scene.player if scene.mode == "input" else 0
    colour = TAP_COLOUR if scene.mode == "audio" else theme.PALETTES[p].light
    if scene.mode == "audio":
        title = tr("Audio offset")
        # TRANSLATORS: SPACE is the keycap label of the space bar
        ask = tr("Tap SPACE on every click") if not scene.done else tr("Done - Enter saves")
    else:
        key = scene.key_names[p].upper()
        title = tr("Input offsets")
        ask = (tr("P{player}: tap your snare key ({key}) along to the click").format(
            player=p + 1, key=key) if not scene.done
            else tr("Both players done - Enter saves"))
    scene.text(surface, title, 34, theme.TEXT, scale=s, max_w=w - 2 * m,
               topleft=(m, px(34, s)))
    scene.paragraph(surface, ask, 26, colour, scale=s, max_w=int(w * 0.9), centre_x=w // 2,
                    top=int(h * 0.15), max_lines=2)
    draw_beat(scene, surface, s, colour)
    bar = pygame.Rect(0, 0, int(w * 0.6), px(40, s))
    bar.center = (w // 2, int(h * 0.62))
    box = pygame.Rect(0, 0, bar.w + px(200, s), px(210, s))
    box.midtop = (w // 2, bar.y - px(44, s))
    charts.panel(surface, box, scale=s)
    side = bar.x - box.x - px(24, s)  # room beside the bar for EARLY / LATE
    # TRANSLATORS: label left of the timing bar: taps before the click
    scene.text(surface, tr("EARLY"), 14, theme.TEXT_DIM, scale=s, max_w=side,
               midright=(bar.x - px(12, s), bar.centery))
    # TRANSLATORS: label right of the timing bar: taps after the click
    scene.text(surface, tr("LATE"), 14, theme.TEXT_DIM, scale=s, max_w=side,
               midleft=(bar.right + px(12, s), bar.centery))
    offs = [o * 1e3 for o in scene.offsets_s[p]]
    med = scene.measured_ms(p)
    charts.tick_bar(surface, bar, offs, limit_ms=BAR_LIMIT_MS, colour=colour, scale=s,
                    marker_ms=med)
    for v in (-BAR_LIMIT_MS, 0.0, BAR_LIMIT_MS):
        x = bar.centerx + v / BAR_LIMIT_MS * bar.w / 2
        # TRANSLATORS: a time in milliseconds (a tick label of the timing bar)
        scene.text(surface, tr("{ms} ms").format(ms=charts.signed(v)), 12, theme.TEXT_FAINT,
                   scale=s, max_w=bar.w // 3, midtop=(x, bar.y - px(22, s)))
    y = bar.bottom + px(34, s)
    taps = ntr("{n}/{total} tap", "{n}/{total} taps", TARGET_TAPS).format(
        n=min(len(offs), TARGET_TAPS), total=TARGET_TAPS)
    if med is None:
        got = ntr("median after {n} tap", "median after {n} taps", MIN_TAPS).format(
            n=MIN_TAPS)
    elif med > 0:
        got = tr("median {ms} ms (late)").format(ms=f"{med:+.0f}")
    else:
        got = tr("median {ms} ms (early)").format(ms=f"{med:+.0f}")
    scene.text(surface, f"{taps}   ·   {got}", 28, theme.TEXT, scale=s, max_w=box.w - 2 * m,
               midtop=(w // 2, y))
    if scene.mode == "input":
        line = "    ".join(
            tr("P{player} {offset}").format(
                player=i + 1, offset="-" if (r := scene.result_ms(i)) is None
                else tr("{ms} ms").format(ms=f"{r:+.0f}"))
            for i in (0, 1))
        scene.text(surface, line, 18, theme.TEXT_DIM, scale=s, max_w=box.w - 2 * m,
                   midtop=(w // 2, y + px(36, s)))
    res = scene.result_ms(p)
    if res is not None and scene.mode == "audio":
        scene.text(surface, tr("new audio offset: {ms} ms").format(ms=f"{res:+.0f}"), 18,
                   theme.TEXT_DIM, scale=s, max_w=box.w - 2 * m,
                   midtop=(w // 2, y + px(36, s)))
    # TRANSLATORS: key hint: Enter saves the measured offset
    save = tr("save")
    # TRANSLATORS: key hint: Esc drops the taps and goes back to the menu
    cancel = tr("cancel")
    hints = f"{tr(keycaps['Enter'])}: {save}    {tr(keycaps['Esc'])}: {cancel}"
    scene.text(surface, hints, 18, theme.TEXT, scale=s, max_w=w - 2 * m,
               bottomright=(w - m, h - px(12, s)))


def draw_beat(scene: Any, surface: pygame.Surface, s: float,
              colour: tuple[int, int, int]) -> None:
    """The beat: a circle that flashes on each click, four dots counting the bar."""
    w, h = surface.get_size()
    now = scene.now_s
    k = math.floor(now / BEAT_S + 1e-9) if now >= 0 else -1
    since = now - k * BEAT_S if k >= 0 else math.inf
    flash = max(0.0, 1.0 - since / 0.18) if k < CLICKS else 0.0
    centre = (w // 2, int(h * 0.36))
    r = px(54, s) + round(px(10, s) * flash)
    pygame.draw.circle(surface, theme.mix((34, 38, 58), colour, 0.25 + 0.75 * flash),
                       centre, r)
    pygame.draw.circle(surface, theme.mix((60, 66, 92), theme.WHITE, flash), centre, r,
                       px(3, s))
    for b in range(4):
        on = k >= 0 and k % 4 == b
        x = centre[0] + (b - 1.5) * px(26, s)
        pygame.draw.circle(surface, colour if on else (56, 62, 88),
                           (x, centre[1] + px(84, s)), px(6 if on else 5, s))
