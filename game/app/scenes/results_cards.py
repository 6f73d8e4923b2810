"""The results screen's cards: one per player, and the duet's in the middle.

Drawn once into the results picture (see :class:`~game.app.scenes.results.ResultsScene`);
every word translated when drawn, names and numbers as they are, each text
shrunk to its box.
"""

from __future__ import annotations

from typing import Any

import pygame

from game.engine.events import Grade
from game.engine.sync_figures import IN_SYNC_S
from game.ui import charts, theme
from game.ui.charts import px, text
from game.ui.fonts import default_chain
from game.ui.i18n import tr
from game.ui.menu import font
from game.ui.theme import player_tag
from game.ui.words import difficulty_word, grade_word, sync_word

JUDGEMENTS = ("perfect", "great", "good", "miss")
JUDGE_GRADES: dict[str, Grade] = {"perfect": Grade.PERFECT, "great": Grade.GREAT,
                                  "good": Grade.GOOD, "miss": Grade.MISS}
JUDGE_COLOURS: dict[str, theme.RGB] = {
    "perfect": theme.PERFECT_COLOUR, "great": (32, 196, 146), "good": theme.YELLOW,
    "miss": theme.VERMILLION}
SYNC_ORDER = ("locked", "tight", "loose", "flam")
BAND_MS = IN_SYNC_S * 1e3


def fmt_ms(v: float | None, nd: int = 1) -> str:
    """``"12.3 ms"`` (absolute value), or ``"-"``."""
    return "-" if v is None else tr("{ms} ms").format(ms=f"{abs(v):.{nd}f}")


def early_late(ms: float | None) -> str:
    """A mean offset in words: ``"13 ms late"``, ``"on time"``..."""
    if ms is None:
        return "-"
    if abs(ms) < 0.5:
        # TRANSLATORS: results, a player's mean timing: neither early nor late
        return tr("on time")
    if ms > 0:
        # TRANSLATORS: results, a player's mean timing: hits came {ms} milliseconds late
        return tr("{ms} ms late").format(ms=f"{abs(ms):.0f}")
    # TRANSLATORS: results, a player's mean timing: hits came {ms} milliseconds early
    return tr("{ms} ms early").format(ms=f"{abs(ms):.0f}")


def player_card(scene: Any, surface: pygame.Surface, rect: pygame.Rect, i: int,
                s: float) -> None:
    """One player's card: name, difficulty, score, accuracy, judgements, combo, timing."""
    p, pal = scene.report["players"][i], theme.PALETTES[i]
    inner = charts.panel(surface, rect, scale=s, accent=pal.primary)
    gap = px(8, s)
    difficulty = difficulty_word(str(p.get("difficulty") or "")).upper()
    diff_px = charts.fit_px(difficulty, px(14, s), inner.w * 0.35)
    diff_w = font(diff_px).size(difficulty)[0] if difficulty else 0
    # the name as typed (any script), in the room the difficulty leaves
    name = scene.player_name(i)
    name_px = charts.fit_px(name, px(30, s), inner.w - diff_w - 2 * gap)
    img = font(name_px).render(name, True, pal.light)
    # on the line an unaccented name stands on: accents reach up, the rows below stay put
    above = default_chain().ascent(name, name_px) - font(name_px).get_ascent()
    surface.blit(img, (inner.x, inner.y - above))
    r = pygame.Rect(inner.x, inner.y, img.get_width(), font(px(30, s)).get_height())
    if difficulty:
        text(surface, difficulty, 14, theme.TEXT_DIM, scale=s, max_w=inner.w * 0.35,
             bottomright=(inner.right, r.bottom - px(3, s)))
    y = r.bottom + px(10, s)
    half = inner.w / 2 - gap
    # TRANSLATORS: results, caption over a player's score (capitals in English)
    text(surface, tr("SCORE"), 13, theme.TEXT_DIM, scale=s, max_w=half, topleft=(inner.x, y))
    # TRANSLATORS: results, caption over a player's accuracy in % (capitals in English)
    text(surface, tr("ACCURACY"), 13, theme.TEXT_DIM, scale=s, max_w=half,
         topright=(inner.right, y))
    y += px(16, s)
    acc = float(p.get("accuracy", 0.0)) * 100
    r = text(surface, f"{acc:.1f}%", 40, pal.light, scale=s, topright=(inner.right, y))
    text(surface, f"{int(p.get('score', 0)):,}", 40, theme.TEXT, scale=s,
         max_w=inner.w - r.w - gap, topleft=(inner.x, y))
    y = r.bottom + px(12, s)
    counts = p.get("judgements", {})
    total = max(1, sum(int(counts.get(k, 0)) for k in JUDGEMENTS))
    stats_y = inner.bottom - px(40, s)
    row = min(px(34, s), (stats_y - px(14, s) - y) // 4)
    bar_x, bar_w = inner.x + px(84, s), inner.w - px(84 + 52, s)
    words = {k: grade_word(JUDGE_GRADES[k]) for k in JUDGEMENTS}
    word_px = min(charts.fit_px(word, px(15, s), bar_x - inner.x - px(6, s))
                  for word in words.values())
    for k in JUDGEMENTS:
        n = int(counts.get(k, 0))
        colour = JUDGE_COLOURS[k]
        img = font(word_px).render(words[k], True, colour)
        surface.blit(img, img.get_rect(midleft=(inner.x, y + row // 2)))
        track = pygame.Rect(bar_x, y + row // 2 - px(4, s), bar_w, px(8, s))
        pygame.draw.rect(surface, (36, 40, 60), track, border_radius=px(4, s))
        if n:
            fill = track.copy()
            fill.w = max(px(4, s), round(bar_w * n / total))
            pygame.draw.rect(surface, colour, fill, border_radius=px(4, s))
        text(surface, str(n), 20, theme.TEXT, scale=s, max_w=px(48, s),
             midright=(inner.right, y + row // 2))
        y += row
    y = stats_y
    pygame.draw.line(surface, (50, 55, 78), (inner.x, y - px(8, s)),
                     (inner.right, y - px(8, s)), px(1, s))
    ur = p.get("unstable_rate")
    # TRANSLATORS: results, caption: the longest run of notes hit in a row
    stats = ((tr("MAX COMBO"), str(p.get("max_combo", 0))),
             # TRANSLATORS: results, caption over a player's mean timing ("13 ms late")
             (tr("TIMING"), early_late(p.get("mean_offset_ms"))),
             # TRANSLATORS: results, caption: osu!'s "unstable rate", the spread of a
             # player's hit timings (10 x standard deviation in ms); lower is steadier
             (tr("UNSTABLE RATE"), "-" if ur is None else f"{ur:.0f}"))
    col = inner.w / 3
    for column, (label, value) in enumerate(stats):
        x = round(inner.x + column * col)
        room = col - px(6, s)
        text(surface, label, 12, theme.TEXT_DIM, scale=s, max_w=room, topleft=(x, y))
        text(surface, value, 20, theme.TEXT, scale=s, max_w=room, topleft=(x, y + px(15, s)))

def duet_card(scene: Any, surface: pygame.Surface, rect: pygame.Rect, s: float) -> None:
    """The pair's card: team score, sync figures, who led, phase lock, sync grades."""
    duet = scene.report["duet"]
    inner = charts.panel(surface, rect, scale=s, accent=theme.BLUISH_GREEN)
    cx = inner.centerx
    # TRANSLATORS: results, caption over the two players' combined score
    text(surface, tr("TEAM SCORE"), 15, theme.TEXT_DIM, scale=s, max_w=inner.w,
         midtop=(cx, inner.y))
    r = text(surface, f"{int(duet.get('team_score', 0)):,}", 72, theme.TEXT, scale=s,
             max_w=inner.w, midtop=(cx, inner.y + px(18, s)))
    y = inner.y + px(18, s) + max(r.h, font(px(72, s)).get_height()) + px(12, s)
    rate, spread = duet.get("in_sync_rate"), duet.get("sync_spread_ms")
    figs = (("-" if rate is None else f"{rate * 100:.0f}%",
             # TRANSLATORS: results, caption: share of shared notes the players hit
             # within ±{ms} milliseconds of each other
             tr("IN SYNC (±{ms} ms)").format(ms=f"{BAND_MS:g}")),
            # TRANSLATORS: results, caption: how much the gap between the players varied
            (fmt_ms(spread), tr("SYNC SPREAD")),
            # TRANSLATORS: results, caption: the mean gap between the two players' hits
            (fmt_ms(duet.get("mean_asynchrony_ms")), tr("MEAN GAP")))
    col = inner.w / 3
    room = col - px(6, s)
    for k, (value, label) in enumerate(figs):
        x = round(inner.x + col * (k + 0.5))
        r = text(surface, value, 32, theme.TEXT, scale=s, max_w=room, midtop=(x, y))
        r.h = max(r.h, font(px(32, s)).get_height())
        text(surface, label, 12, theme.TEXT_DIM, scale=s, max_w=room,
             midtop=(x, r.bottom + px(3, s)))
    y = r.bottom + px(16, s)
    pygame.draw.line(surface, (50, 55, 78), (inner.x, y), (inner.right, y), px(1, s))
    lock = duet.get("phase_lock") or [None, None]
    steady = "  ·  ".join(f"{player_tag(i)} {'-' if v is None else f'{v:.2f}'}"
                          for i, v in enumerate(lock))
    # TRANSLATORS: results, caption: which player was ahead on average
    rows = ((tr("AHEAD"), scene.ahead_text()),
            # TRANSLATORS: results, caption: which player led the other (who followed)
            (tr("LEADING"), scene.lead_text()),
            # TRANSLATORS: results, caption: how steadily each player's hits kept to the
            # beat, 0 to 1 (a physics term: "phase locking")
            (tr("PHASE LOCK"), steady))
    label_room = inner.w * 0.3
    label_px = min(charts.fit_px(label, px(13, s), label_room) for label, _ in rows)
    for label, value in rows:
        y += px(10, s)
        img = font(label_px).render(label, True, theme.TEXT_DIM)
        surface.blit(img, (inner.x, y + px(4, s)))
        r = text(surface, value, 22, theme.TEXT, scale=s,
                 max_w=inner.w - img.get_width() - px(12, s), topright=(inner.right, y))
        y = y + max(r.h, font(px(22, s)).get_height())
    grades = duet.get("sync_grades", {})
    total = sum(int(grades.get(g, 0)) for g in SYNC_ORDER)
    bar = pygame.Rect(inner.x, inner.bottom - px(44, s), inner.w, px(14, s))
    # TRANSLATORS: results, caption over the bar of sync grades (LOCKED, TIGHT...)
    text(surface, tr("SYNC GRADES"), 12, theme.TEXT_DIM, scale=s, max_w=inner.w,
         bottomleft=(inner.x, bar.y - px(5, s)))
    charts.stacked_bar(surface, bar, [(float(grades.get(g, 0)), theme.SYNC_COLOURS[g])
                                      for g in SYNC_ORDER], scale=s)
    col = inner.w / 4
    legend = [f"{sync_word(g)} "
              + (f"{100 * int(grades.get(g, 0)) / total:.0f}%" if total else "-")
              for g in SYNC_ORDER]
    legend_px = min(charts.fit_px(item, px(14, s), col - px(17, s)) for item in legend)
    for k, (g, item) in enumerate(zip(SYNC_ORDER, legend, strict=True)):
        x = round(inner.x + k * col)
        ly = bar.bottom + px(14, s)
        pygame.draw.circle(surface, theme.SYNC_COLOURS[g], (x + px(5, s), ly), px(4, s))
        img = font(legend_px).render(item, True, theme.TEXT)
        surface.blit(img, img.get_rect(midleft=(x + px(13, s), ly)))
