"""Per-player heads-up display and the top bar.

* :class:`PlayerPanel`: score, accuracy, combo (with multiplier), judgement counts.
* :class:`HitErrorBar`: osu!-style bar under a highway: Perfect / Great / Good
  window bands, a tick per recent hit at its offset (early left, late right)
  fading with age, and a marker for their mean.
* :class:`Popups`: PERFECT / GREAT / GOOD / MISS over the hit line, fading out.
* :class:`TopBar`: song title, current section, song progress and time.
"""

from __future__ import annotations

from collections.abc import Sequence

import pygame

from game.engine.chart import Chart
from game.engine.events import Grade, Judgement
from game.engine.scoring import PlayerStats, multiplier_for
from game.engine.windows import HitWindows
from game.ui import theme
from game.ui.i18n import N_, tr
from game.ui.text import TextCache, blit_text
from game.ui.theme import WHITE, PlayerPalette, mix, rgba
from game.ui.words import grade_word

TICK_LEVELS = 8
#: Pop-up judgements, in order.
POPUP_GRADES = (Grade.PERFECT, Grade.GREAT, Grade.GOOD, Grade.MISS)
#: The "early" / "late" captions of the error bar and the pop-ups (translated when drawn).
# TRANSLATORS: a hit came before the note's time (short caption, capitals in English)
EARLY = N_("EARLY")
# TRANSLATORS: a hit came after the note's time (short caption, capitals in English)
LATE = N_("LATE")


def avg_label(ms: int) -> str:
    """The error bar's mean offset, ``"avg +12 ms"`` (``"avg ±0 ms"`` when on time)."""
    # TRANSLATORS: under the hit-error bar: the mean timing of the latest hits,
    # {ms} is signed (+12, -3, ±0); keep it short
    return tr("avg {ms} ms").format(ms=f"{ms:+d}" if ms else "±0")


def error_x(offset_s: float, centre_x: float, half_width: float, range_s: float) -> float:
    """x of a hit offset on the error bar: early (negative) left, late right, clamped."""
    t = max(-1.0, min(1.0, offset_s / range_s)) if range_s > 0 else 0.0
    return centre_x + t * half_width


def tick_level(rank_from_newest: int, age_s: float, *, levels: int = TICK_LEVELS,
               keep: int = theme.ERROR_TICKS, life_s: float = theme.ERROR_TICK_S) -> int:
    """Fade level of a tick (0 = opaque, ``levels`` or more = gone) by rank and age."""
    by_rank = rank_from_newest * levels // max(1, keep)
    by_age = int(max(0.0, age_s) / life_s * levels)
    return max(by_rank, by_age)


class HitErrorBar:
    """The hit-error bar of one player, inside ``rect``."""

    def __init__(self, rect: pygame.Rect, scale: float, windows: HitWindows,
                 palette: PlayerPalette, text: TextCache) -> None:
        self.rect = rect
        self.scale = scale
        self.windows = windows
        self.text = text
        self.range_s = windows.good_s
        self.half_w = rect.width / 2 - round(6 * scale)
        self.cx = rect.centerx
        self.bar_y = rect.y + round(12 * scale)
        s = scale
        tick_w, tick_h = max(2, round(3 * s)), round(20 * s)
        self._ticks: dict[Grade, list[pygame.Surface]] = {}
        for g in (Grade.PERFECT, Grade.GREAT, Grade.GOOD):
            t = pygame.Surface((tick_w, tick_h), pygame.SRCALPHA)
            pygame.draw.rect(t, theme.GRADE_COLOURS[g], t.get_rect(),
                             border_radius=tick_w // 2)
            self._ticks[g] = theme.alpha_levels(t, TICK_LEVELS)
        self._tick_dy = -tick_h // 2
        self._place: dict[tuple[float, float], tuple[list[pygame.Surface] | None,
                                                     tuple[int, int], float]] = {}
        m = round(7 * s)
        tri = theme.supersampled((m * 2, m + 2), lambda surf, ss: pygame.draw.polygon(
            surf, WHITE, [(0, 0), (2 * m * ss, 0), (m * ss, (m + 2) * ss)]))
        self._marker = theme.glow(tri, palette.light, round(4 * s), strength=0.9)
        self._marker_off = (-self._marker.get_width() // 2,
                            -self._marker.get_height() + round(4 * s))
        self._marker_y = self.bar_y - round(10 * s) + self._marker_off[1]
        self._label_y = rect.bottom - round(9 * s)
        # the mean in the middle, EARLY and LATE in the corners: each in its own third
        label_room = round(rect.width * 0.36)
        self._label_size = text.fit(avg_label(-888), round(13 * s), label_room)
        self._cap_room = (rect.width - label_room) // 2 - round(14 * s)

    def draw_static(self, bg: pygame.Surface) -> None:
        """Bands, centre line and EARLY / LATE captions."""
        s = self.scale
        h = max(4, round(8 * s))
        y = self.bar_y - h // 2
        panel = theme.rounded_panel((self.rect.width, self.rect.height), round(8 * s),
                                    (0, 0, 0, 90), theme.PANEL_EDGE)
        bg.blit(panel, self.rect)
        w = self.windows
        for width_s, g, a in ((w.good_s, Grade.GOOD, 120), (w.great_s, Grade.GREAT, 170),
                              (w.perfect_s, Grade.PERFECT, 210)):
            half = round(self.half_w * width_s / self.range_s)
            band = theme.rounded_panel((2 * half, h), h // 2, rgba(theme.GRADE_COLOURS[g], a))
            bg.blit(band, (self.cx - half, y))
        pygame.draw.rect(bg, WHITE, (self.cx - max(1, round(s)), self.bar_y - round(11 * s),
                                     max(2, round(2 * s)), round(22 * s)))
        low = self.rect.bottom - round(9 * s)
        early, late = tr(EARLY), tr(LATE)
        cap = min(self.text.fit(w, round(13 * s), self._cap_room, min_size=6)
                  for w in (early, late))
        blit_text(bg, self.text.render(early, cap, theme.TEXT_DIM, shadow=False),
                  self.rect.x + round(8 * s), low, "midleft")
        blit_text(bg, self.text.render(late, cap, theme.TEXT_DIM, shadow=False),
                  self.rect.right - round(8 * s), low, "midright")

    def _placed(self, entry: tuple[float, float]) -> tuple[list[pygame.Surface] | None,
                                                           tuple[int, int], float]:
        """A hit's tick sprites, position and hit time (cached per hit)."""
        if len(self._place) > 4096:
            self._place.clear()
        t, off = entry
        x = round(error_x(off, self.cx, self.half_w, self.range_s))
        p = (self._ticks.get(self.windows.grade_for(off)), (x, self.bar_y + self._tick_dy),
             t + off)
        self._place[entry] = p
        return p

    def draw(self, surface: pygame.Surface, now_s: float,
             offsets: Sequence[tuple[float, float]]) -> None:
        """Ticks for the latest hits (``(note time s, offset s)``) and their mean."""
        recent = offsets[-theme.ERROR_TICKS:]
        n = len(recent)
        if not n:
            return
        place = self._place
        blits = []
        total = 0.0
        by_rank = TICK_LEVELS / theme.ERROR_TICKS
        by_age = TICK_LEVELS / theme.ERROR_TICK_S
        for k, entry in enumerate(recent):
            p = place.get(entry)
            if p is None:
                p = self._placed(entry)
            total += entry[1]
            age = now_s - p[2]
            level = max(int((n - 1 - k) * by_rank), int(age * by_age) if age > 0 else 0)
            if level < TICK_LEVELS and p[0] is not None:
                blits.append((p[0][level], p[1]))
        mean = total / n
        mx = round(error_x(mean, self.cx, self.half_w, self.range_s))
        blits.append((self._marker, (mx + self._marker_off[0], self._marker_y)))
        self.text.draw_run(None, avg_label(round(mean * 1e3)), self._label_size, theme.TEXT,
                           self.cx, self._label_y, shadow=False, out=blits)
        surface.fblits(blits)


class PlayerPanel:
    """Score, accuracy, combo and judgement counts beside one highway.

    ``align`` is ``"right"`` (text hugs the right edge: P1, left of its highway)
    or ``"left"`` (P2).
    """

    def __init__(self, rect: pygame.Rect, scale: float, palette: PlayerPalette,
                 text: TextCache, align: str) -> None:
        self.rect = rect
        self.scale = scale
        self.palette = palette
        self.text = text
        self.align = align
        pad = round(12 * scale)
        self.x = rect.right - pad if align == "right" else rect.x + pad
        self.anchor = "midright" if align == "right" else "midleft"
        inner = rect.width - 2 * pad
        self.score_size = text.fit("8,888,888", round(36 * scale), inner)
        self.combo_size = text.fit("8888", round(56 * scale), inner)
        s = scale
        self.rows = {"score": rect.y + round(44 * s), "acc": rect.y + round(108 * s),
                     "combo": rect.y + round(176 * s), "counts": rect.y + round(232 * s)}
        # every size and offset the frame needs, worked out once
        self._acc_size, self._tag_size, self._count_size = (round(28 * s), round(20 * s),
                                                            round(15 * s))
        self._gap, self._step = round(8 * s), round(20 * s)
        self._count_x = self.x if align == "right" else self.x + round(100 * s)
        self._count_anchor = "midright" if align == "right" else "midleft"
        self._name_x = self.x - round(44 * s) if align == "right" else self.x
        # judgement names: left of the counts (P1) or up to where the counts start (P2)
        self._name_room, self._inner = min(inner - round(48 * s), round(92 * s)), inner
        self._tag_colour = mix(palette.light, WHITE, 0.3)

    def draw_static(self, bg: pygame.Surface) -> None:
        """Panel and captions."""
        s = self.scale
        r = self.rect
        bg.blit(theme.rounded_panel(r.size, round(12 * s), theme.PANEL, theme.PANEL_EDGE), r)
        stripe = theme.rounded_panel((r.width - round(24 * s), max(2, round(3 * s))),
                                     round(2 * s), rgba(self.palette.primary, 255))
        bg.blit(stripe, (r.x + round(12 * s), r.y + round(6 * s)))
        cap = round(14 * s)
        # TRANSLATORS: caption over a player's score during play (capitals in English)
        captions = (("score", tr("SCORE")),
                    # TRANSLATORS: caption over a player's accuracy (%) during play
                    ("acc", tr("ACCURACY")),
                    # TRANSLATORS: caption over a player's current combo (notes in a row)
                    ("combo", tr("COMBO")))
        for key, label in captions:
            size = self.text.fit(label, cap, self._inner, min_size=6)
            blit_text(bg, self.text.render(label, size, theme.TEXT_DIM, shadow=False), self.x,
                      self.rows[key] - round(24 * s), self.anchor)
        y = self.rows["counts"]
        words = [(g, grade_word(g)) for g in POPUP_GRADES]
        size = min(self.text.fit(w, self._count_size, self._name_room, min_size=6)
                   for _, w in words)
        for g, word in words:
            name = self.text.render(word, size, theme.GRADE_COLOURS[g], shadow=False)
            blit_text(bg, name, self._name_x, y, self.anchor)
            y += self._step

    def draw(self, surface: pygame.Surface, stats: PlayerStats) -> None:
        """The figures, from cached glyphs, in one batch of blits."""
        run = self.text.draw_run
        x, anchor = self.x, self.anchor
        out: list[tuple[pygame.Surface, tuple[int, int]]] = []
        run(None, f"{stats.score:,}", self.score_size, WHITE, x, self.rows["score"], anchor,
            out=out)
        run(None, f"{stats.accuracy * 100:.2f}%", self._acc_size, self.palette.light, x,
            self.rows["acc"], anchor, out=out)
        rect = run(None, str(stats.combo), self.combo_size, WHITE, x, self.rows["combo"], anchor,
                   out=out)
        tag = f"×{multiplier_for(stats.combo)}"
        if self.align == "right":
            run(None, tag, self._tag_size, self._tag_colour, rect.left - self._gap,
                rect.bottom - self._gap, "bottomright", out=out)
        else:
            run(None, tag, self._tag_size, self._tag_colour, rect.right + self._gap,
                rect.bottom - self._gap, "bottomleft", out=out)
        y = self.rows["counts"]
        for n in (stats.perfect, stats.great, stats.good, stats.miss):
            run(None, str(n), self._count_size, theme.TEXT, self._count_x, y,
                self._count_anchor, shadow=False, out=out)
            y += self._step
        surface.fblits(out)


class Popups:
    """Judgement pop-ups (text and colour differ per grade; Miss also has an X), at most
    ``max_width`` wide; keyed by the translated word, so a new language makes new ones."""

    LEVELS = 10

    def __init__(self, scale: float, text: TextCache, max_width: int | None = None) -> None:
        self.scale = scale
        self.text = text
        self.max_width = round(300 * scale) if max_width is None else max_width
        self._sprites: dict[tuple[Grade, str],
                            tuple[list[pygame.Surface], list[pygame.Surface]]] = {}
        self._subs: dict[str, list[pygame.Surface]] = {}
        for g in POPUP_GRADES:  # made now, not at the first hit of the song
            self._pair(g, grade_word(g))
        for word in (EARLY, LATE):
            self._sub(tr(word))

    def _pair(self, g: Grade, word: str) -> tuple[list[pygame.Surface], list[pygame.Surface]]:
        """The fading sprites of ``g``'s pop-up, normal and big, showing ``word``."""
        pair = self._sprites.get((g, word))
        if pair is None:
            s = self.scale
            normal, big = (self._make(g, word, round(38 * s * k)) for k in (1.0, 1.22))
            pair = (theme.alpha_levels(normal, self.LEVELS), theme.alpha_levels(big, self.LEVELS))
            self._sprites[(g, word)] = pair
        return pair

    def _sub(self, word: str) -> list[pygame.Surface]:
        """The fading sprites of an "early" / "late" line under a pop-up."""
        sub = self._subs.get(word)
        if sub is None:
            size = self.text.fit(word, round(17 * self.scale), self.max_width)
            sub = theme.alpha_levels(self.text.render(word, size, theme.TEXT), self.LEVELS)
            self._subs[word] = sub
        return sub

    def _make(self, g: Grade, text: str, size: int) -> pygame.Surface:
        colour = theme.GRADE_COLOURS[g]
        glow_r = max(2, size // 5)
        room = self.max_width - 2 * glow_r
        if g is Grade.MISS:  # the X takes about 0.9 of the word's height
            room -= round(self.text.size_of(text, size)[1] * 0.9)
        word = self.text.render(text, self.text.fit(text, size, room), colour)
        if g is Grade.MISS:
            h = word.get_height()
            x_w = round(h * 0.62)
            out = pygame.Surface((word.get_width() + x_w + h // 4, h), pygame.SRCALPHA)
            m = max(2, h // 6)
            lw = max(2, h // 7)
            pygame.draw.line(out, colour, (m, m + h // 10), (x_w - m, h - m), lw)
            pygame.draw.line(out, colour, (x_w - m, m + h // 10), (m, h - m), lw)
            out.blit(word, (x_w + h // 4, 0))
            word = out
        return theme.glow(word, theme.GRADE_GLOWS[g], glow_r, strength=0.8)

    def draw(self, surface: pygame.Surface, x: int, y: int, j: Judgement, age: float) -> None:
        """Draw ``j``'s pop-up ``age`` seconds after it was judged, centred at (x, y)."""
        if not 0 <= age < theme.POPUP_S or j.grade not in POPUP_GRADES:
            return
        pair = self._pair(j.grade, grade_word(j.grade))
        fade = 0.0 if age < 0.15 else (age - 0.15) / (theme.POPUP_S - 0.15)
        level = min(self.LEVELS - 1, int(fade * self.LEVELS))
        spr = (pair[1] if age < 0.05 else pair[0])[level]
        yy = y - round(10 * self.scale * age / theme.POPUP_S)
        blit_text(surface, spr, x, yy)
        off = j.offset_s
        if off is not None and j.grade in (Grade.GREAT, Grade.GOOD):
            sub = self._sub(tr(EARLY if off < 0 else LATE))[level]
            blit_text(surface, sub, x, yy + spr.get_height() // 2)


def get_ready() -> str:
    """The words shown before the song starts."""
    # TRANSLATORS: shown during the count-in before the song starts (capitals in English)
    return tr("GET READY")


class TopBar:
    """Song title, section name, progress bar and clock across the top."""

    def __init__(self, width: int, scale: float, chart: Chart, text: TextCache) -> None:
        self.scale = scale
        self.chart = chart
        self.text = text
        s = scale
        m = round(20 * s)
        self.bar = pygame.Rect(m, round(8 * s), width - 2 * m, max(3, round(6 * s)))
        self.row_y = round(30 * s)
        self.width = width
        self.length_s = max(chart.length_s, 1e-6)
        total = int(chart.length_s + 0.5)
        self._total = f" / {total // 60}:{total % 60:02d}"
        fill = pygame.Surface((self.bar.width, 1), pygame.SRCALPHA)
        for x in range(self.bar.width):
            fill.set_at((x, 0), (*mix(theme.SKY_BLUE, theme.ORANGE, x / max(1, self.bar.width)),
                                 255))
        fill = pygame.transform.scale(fill, self.bar.size)
        fill.blit(theme.rounded_panel(self.bar.size, self.bar.height // 2, (255, 255, 255, 255)),
                  (0, 0), special_flags=pygame.BLEND_RGBA_MULT)
        self._fill = theme.ready(fill)
        d = self.bar.height * 2
        dot = theme.supersampled((d, d), lambda surf, ss: pygame.draw.ellipse(
            surf, WHITE, surf.get_rect()))
        self._head = theme.ready(theme.glow(dot, WHITE, round(6 * s), strength=0.9))
        # the title (left) and the clock (right) leave the middle to the section name
        clock_w = text.size_of("88:88 / 88:88", round(17 * s))[0]
        self._title_room = max(round(80 * s), width // 2 - m - round(140 * s))
        self._name_room = width - 2 * (m + clock_w + round(24 * s))
        self._name_sizes: dict[str, int] = {}

    def draw_static(self, bg: pygame.Surface) -> None:
        """Trough, section ticks and the title."""
        s = self.scale
        b = self.bar
        bg.blit(theme.rounded_panel(b.size, b.height // 2, (255, 255, 255, 28)), b)
        for sec in self.chart.sections:
            x = b.x + round(b.width * min(1.0, sec.time_s / self.length_s))
            pygame.draw.rect(bg, (200, 205, 225), (x, b.y - round(2 * s), max(1, round(s)),
                                                   b.height + round(4 * s)))
        meta = self.chart.meta  # the song's own words: never translated
        title = meta.title.upper() + (f"  ·  {meta.artist}" if meta.artist else "")
        size = self.text.fit(title, round(17 * s), self._title_room)
        img = self.text.render(title, size, theme.TEXT_DIM)
        blit_text(bg, img, b.x, self.row_y, "midleft")
        self._name_room = min(self._name_room, self.width - 2 * (b.x + img.get_width()
                                                                 + round(24 * s)))

    def draw(self, surface: pygame.Surface, now_s: float) -> None:
        """Progress fill and head, section name, clock."""
        s = self.scale
        b = self.bar
        frac = max(0.0, min(1.0, now_s / self.length_s))
        w = round(b.width * frac)
        if w > 0:
            surface.blit(self._fill, b.topleft, (0, 0, w, b.height))
            head = self._head
            surface.blit(head, (b.x + w - head.get_width() // 2,
                                b.centery - head.get_height() // 2))
        sec = self.chart.section_at(now_s)
        # section names come from the chart (data): shown as they are
        name = sec.name.upper() if sec is not None else (get_ready() if now_s < 0 else "")
        if name:
            size = self._name_sizes.get(name)
            if size is None:
                size = self.text.fit(name, round(24 * s), max(round(60 * s), self._name_room))
                self._name_sizes[name] = size
            blit_text(surface, self.text.render(name, size, WHITE), self.width // 2,
                      self.row_y + round(2 * s))
        t = max(0, int(now_s))
        self.text.draw_run(surface, f"{t // 60}:{t % 60:02d}{self._total}", round(17 * s),
                           theme.TEXT_DIM, b.right, self.row_y, "midright")
