"""The live sync meter between the highways: are the two players together?

Fed by the engine's rolling duet stats (:meth:`Session.live_duet`). At a glance:

* a gauge whose needle shows the mean asynchrony on a ±60 ms scale, leaning
  towards the player who is ahead (P1 left, P2 right), over zones coloured by
  sync grade; the zone of the current grade lights up and its name (LOCKED,
  TIGHT, LOOSE, FLAM) is written under the needle;
* "P1 ahead 12 ms" / "TOGETHER";
* the team score (big) and the in-sync rate;
* a short history: each shared note of the last beats as a dot at its
  asynchrony, newest at the top.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import pygame

from game.engine.session import LIVE_WINDOW_BEATS
from game.engine.sync_figures import DuetStats, sync_grade
from game.ui import theme
from game.ui.i18n import ntr, tr
from game.ui.text import TextCache, blit_text
from game.ui.theme import WHITE, PlayerPalette, mix, player_tag, rgba
from game.ui.words import sync_word

SCALE_MS = 60.0  #: the gauge's full deflection
SWEEP_DEG = 75.0  #: needle angle at full deflection
ZONES: tuple[tuple[str, float, float], ...] = (("locked", 0.0, 10.0), ("tight", 10.0, 25.0),
                                               ("loose", 25.0, 50.0), ("flam", 50.0, SCALE_MS))
DOT_LEVELS = 8
NEEDLE_TAU_S = 0.07  #: needle smoothing time constant
ARC_DOTS = 10  #: the latest shared notes shown as dots inside the gauge
HISTORY_DOTS = 24  #: ... and in the history strip
#: the needle is drawn at angles rounded to this (degrees: half a pixel at its tip at 720p)
#: and each drawing kept as a sprite, so a frame blits one instead of drawing polygons
NEEDLE_STEP_DEG = 0.25
NEEDLE_SPRITES = 256  #: needle sprites kept (least recently used dropped)
NEEDLE_BASE = 5.0  #: needle half-width at the hub, design px
NEEDLE_TAIL = 14.0  #: how far the needle reaches behind the hub, design px
NEEDLE_TIP_GAP = 6  #: the tip stops this far inside the gauge's outer edge, design px
NEEDLE_AA_PAD = 2  #: sprite margin around the outline for its anti-aliased edge, px


def needle_angle(mean_asynchrony_ms: float | None, *, scale_ms: float = SCALE_MS,
                 sweep_deg: float = SWEEP_DEG) -> float:
    """Needle angle in degrees clockwise from straight up; 0 when unknown.

    ``mean_asynchrony_ms`` is ``t_P1 - t_P2``: positive means P2 played first,
    so the needle leans right, towards P2's highway.
    """
    if mean_asynchrony_ms is None or not math.isfinite(mean_asynchrony_ms):
        return 0.0
    t = max(-1.0, min(1.0, mean_asynchrony_ms / scale_ms))
    return t * sweep_deg


def ahead_phrase(player: int, ms: int | str) -> str:
    """``"P1 ahead 12 ms"``: ``player`` (0 or 1) plays ``ms`` before the other."""
    # TRANSLATORS: sync meter during play: {player} (P1 or P2) plays {ms} milliseconds
    # before the other player
    return tr("{player} ahead {ms} ms").format(player=player_tag(player), ms=ms)


def ahead_text(live: DuetStats) -> str:
    """``"P1 ahead 12 ms"``, ``"TOGETHER"`` or ``"WAITING"`` (no shared hits yet)."""
    if live.ahead is None or live.mean_asynchrony_ms is None:
        # TRANSLATORS: sync meter during play: no note played by both players yet
        return tr("WAITING")
    if live.ahead == "even":
        # TRANSLATORS: sync meter during play: neither player is ahead of the other
        return tr("TOGETHER")
    return ahead_phrase(0 if live.ahead == "p1" else 1, round(abs(live.mean_asynchrony_ms)))


def spread_text(ms: int | str) -> str:
    """``"spread ±12 ms"``: how much the pair's gap varies."""
    # TRANSLATORS: sync meter during play: how much the gap between the players varies
    return tr("spread ±{ms} ms").format(ms=ms)


def _disc(surf: pygame.Surface, ss: int) -> None:
    pygame.draw.ellipse(surf, WHITE, surf.get_rect())


class SyncMeter:
    """Draws the sync meter inside ``rect`` (the column between the highways)."""

    def __init__(self, rect: pygame.Rect, scale: float, text: TextCache,
                 palettes: tuple[PlayerPalette, PlayerPalette]) -> None:
        self.rect = rect
        self.scale = scale
        self.text = text
        self.palettes = palettes
        s = scale
        self.cx = rect.centerx
        self.radius = min(round(112 * s), rect.width // 2 - round(26 * s))
        self.cy = rect.y + round(222 * s)
        self.ring_w = round(20 * s)
        self._room = rect.width - round(24 * s)  #: widest a line across the column may be
        self._team_size = text.fit("1,000,000", round(50 * s), self._room)
        self._angle = 0.0
        self._last_now: float | None = None
        #: the needle's sprite by (angle step, grade), the least recently used dropped
        self._needle = functools.lru_cache(maxsize=NEEDLE_SPRITES)(self._needle_at_step)
        self._build()
        # the live lines: one size for every value they can take (widest sample)
        ahead = [tr("WAITING"), tr("TOGETHER")] + [ahead_phrase(p, 888) for p in (0, 1)]
        rate_size = round(28 * s)
        self._rate_w = text.size_of("100%", rate_size)[0]
        self._pos = {"team_y": rect.y + round(60 * s), "label_y": self.cy + round(44 * s),
                     "ahead_y": self.cy + round(86 * s),
                     "ahead_size": min(text.fit(a, round(22 * s), self._room) for a in ahead),
                     "spread_y": self.cy + round(110 * s),
                     "spread_size": text.fit(spread_text(88), round(14 * s), self._room),
                     "rate_y": self.rate_bar.y - round(22 * s), "rate_size": rate_size,
                     "dots_y0": self.history.y + round(6 * s) - self._dot_half,
                     "dots_span": self.history.height - round(12 * s)}
        hub = self._hub
        self._hub_blit = (hub, (self.cx - hub.get_width() // 2, self.cy - hub.get_height() // 2))
        self._no_grade = text.render("—", round(40 * s), theme.TEXT_DIM)

    # building --------------------------------------------------------------------------
    def _sector(self, a0: float, a1: float, colour: Sequence[int], r_in: float,
                r_out: float, glow_r: int = 0) -> tuple[pygame.Surface, tuple[int, int]]:
        pad = round(4 * self.scale)
        size = 2 * (self.radius + pad)
        c = size / 2

        def draw(surf: pygame.Surface, ss: int) -> None:
            pts = theme.ring_points(c * ss, c * ss, r_in * ss, r_out * ss, a0, a1)
            pygame.draw.polygon(surf, colour, pts)
        spr = theme.supersampled((size, size), draw, base=colour[:3], ss=2)
        pos = (self.cx - size // 2, self.cy - size // 2)
        if glow_r:
            spr = theme.glow(spr, colour[:3], glow_r, strength=1.0)
            pos = (pos[0] - glow_r, pos[1] - glow_r)
        box = spr.get_bounding_rect()  # keep only the pixels that show
        return theme.ready(spr.subsurface(box).copy()), (pos[0] + box.x, pos[1] + box.y)

    def _build(self) -> None:
        s = self.scale
        r_out, r_in = self.radius, self.radius - self.ring_w
        self._lit: dict[str, list[tuple[pygame.Surface, tuple[int, int]]]] = {}
        for name, lo, hi in ZONES:
            a, b = needle_angle(lo), needle_angle(hi)
            colour = mix(theme.SYNC_COLOURS[name], WHITE, 0.25)
            spans = ((-b, -a), (a, b)) if lo else ((-b, b),)
            self._lit[name] = [self._sector(a0, a1, colour, r_in - 3 * s, r_out + 3 * s,
                                            round(8 * s)) for a0, a1 in spans]
        self._dot_cache: dict[tuple[float, float], tuple[list[pygame.Surface], int, int,
                                                          int]] = {}
        # the grade's word under the needle, keyed by the word: a language change makes new ones
        self._labels: dict[tuple[str, str], pygame.Surface] = {}
        for name, _, _ in ZONES:
            self._label(name)
        d = max(4, round(9 * s))
        self._dots: dict[str, list[pygame.Surface]] = {}
        for name, _, _ in ZONES:
            dot = theme.supersampled((d, d), _disc, base=theme.SYNC_COLOURS[name])
            dot.fill((*theme.SYNC_COLOURS[name], 255), special_flags=pygame.BLEND_RGBA_MULT)
            self._dots[name] = theme.alpha_levels(dot, DOT_LEVELS)
        self._dot_half = d // 2
        hub_d = round(22 * s)
        hub = theme.supersampled((hub_d, hub_d), lambda surf, ss: (
            pygame.draw.ellipse(surf, (40, 44, 60), surf.get_rect()),
            pygame.draw.ellipse(surf, WHITE, surf.get_rect(), 2 * ss)))
        self._hub = theme.ready(hub)
        # in-sync rate bar and the history strip
        self.rate_bar = pygame.Rect(self.rect.x + round(28 * s), self.cy + round(178 * s),
                                    self.rect.width - round(56 * s), max(3, round(8 * s)))
        fill = theme.rounded_panel(self.rate_bar.size, self.rate_bar.height // 2,
                                   rgba(theme.SYNC_COLOURS["tight"], 255))
        self._rate_fill = theme.ready(fill)
        top = self.rate_bar.bottom + round(34 * s)
        self.history = pygame.Rect(self.rect.x + round(20 * s), top, self.rect.width
                                   - round(40 * s), self.rect.bottom - top - round(14 * s))

    def _label(self, grade: str) -> pygame.Surface:
        """The glowing word of sync grade ``grade`` (in the current language)."""
        word = sync_word(grade)
        img = self._labels.get((grade, word))
        if img is None:
            s = self.scale
            glow_r = round(7 * s)
            size = self.text.fit(word, round(40 * s), self._room - 2 * glow_r)
            img = theme.ready(theme.glow(
                self.text.render(word, size, theme.SYNC_COLOURS[grade]),
                theme.SYNC_GLOWS[grade], glow_r, strength=0.7))
            self._labels[(grade, word)] = img
        return img

    def draw_static(self, bg: pygame.Surface) -> None:
        """Panel, zone ring, scale marks, captions and the history frame."""
        s = self.scale
        r = self.rect
        bg.blit(theme.rounded_panel(r.size, round(16 * s), (255, 255, 255, 10),
                                    theme.PANEL_EDGE), r)
        t = self.text
        cap = round(14 * s)
        # TRANSLATORS: caption over the two players' combined score (capitals in English)
        team = tr("TEAM SCORE")
        blit_text(bg, t.render(team, t.fit(team, cap, self._room), theme.TEXT_DIM,
                               shadow=False), self.cx, r.y + round(22 * s))
        r_out, r_in = self.radius, self.radius - self.ring_w
        for name, lo, hi in ZONES:
            a, b = needle_angle(lo), needle_angle(hi)
            colour = rgba(mix(theme.SYNC_COLOURS[name], theme.BG_TOP, 0.45), 255)
            for a0, a1 in ((-b, -a), (a, b)) if lo else ((-b, b),):
                spr, pos = self._sector(a0, a1, colour, r_in, r_out)
                bg.blit(spr, pos)
        for ms in (-50, -25, -10, 0, 10, 25, 50):
            ang = math.radians(needle_angle(ms))
            sx, sy = math.sin(ang), -math.cos(ang)
            p0 = (self.cx + (r_in - 4 * s) * sx, self.cy + (r_in - 4 * s) * sy)
            p1 = (self.cx + (r_in - 11 * s) * sx, self.cy + (r_in - 11 * s) * sy)
            pygame.draw.line(bg, theme.TEXT_DIM, p0, p1, max(1, round(2 * s)))
            if ms in (-50, -25, 25, 50):
                lx, ly = self.cx + (r_in - 22 * s) * sx, self.cy + (r_in - 22 * s) * sy
                blit_text(bg, t.render(str(abs(ms)), round(12 * s), theme.TEXT_FAINT,
                                       shadow=False), lx, ly)
        end = math.radians(SWEEP_DEG)
        pad = round(6 * s)
        for i, sign in ((0, -1), (1, 1)):
            pal = self.palettes[i]
            x = self.cx + sign * r_out * math.sin(end)
            y = self.cy - r_out * math.cos(end) + round(26 * s)
            # TRANSLATORS: sync meter, under each end of the gauge: the needle leans this way
            # when {player} (P1 or P2) plays first; keep it short
            word = tr("{player}  AHEAD").format(player=player_tag(i))
            img = t.render(word, t.fit(word, round(14 * s), r.width // 2 - 2 * pad), pal.light)
            half = img.get_width() / 2  # centred under the gauge's end, kept inside the column
            blit_text(bg, img, min(max(x, r.x + pad + half), r.right - pad - half), y)
        # TRANSLATORS: caption of the share of shared notes the two players hit together
        in_sync = tr("IN SYNC")
        blit_text(bg, t.render(in_sync, t.fit(in_sync, cap, self.rate_bar.width - self._rate_w
                                              - round(12 * s)), theme.TEXT_DIM, shadow=False),
                  self.rate_bar.x, self.rate_bar.y - round(22 * s), "midleft")
        bg.blit(theme.rounded_panel(self.rate_bar.size, self.rate_bar.height // 2,
                                    (255, 255, 255, 26)), self.rate_bar)
        h = self.history
        beats = round(LIVE_WINDOW_BEATS)
        # TRANSLATORS: caption over the sync meter's history strip (capitals in English)
        last = ntr("LAST  {n}  BEAT", "LAST  {n}  BEATS", beats).format(n=beats)
        blit_text(bg, t.render(last, t.fit(last, round(13 * s), h.width), theme.TEXT_DIM,
                               shadow=False), self.cx, h.y - round(10 * s))
        bg.blit(theme.rounded_panel(h.size, round(8 * s), (0, 0, 0, 80), theme.PANEL_EDGE), h)
        for name, _, hi in ZONES[:2]:
            half = round(h.width / 2 * hi / SCALE_MS)
            band = pygame.Surface((2 * half, h.height - round(8 * s)), pygame.SRCALPHA)
            band.fill(rgba(theme.SYNC_COLOURS[name], 22))
            bg.blit(band, (self.cx - half, h.y + round(4 * s)))
        pygame.draw.line(bg, (120, 128, 150), (self.cx, h.y + round(4 * s)),
                         (self.cx, h.bottom - round(5 * s)), 1)

    # drawing ---------------------------------------------------------------------------
    def _smoothed(self, target: float, now_s: float) -> float:
        last = self._last_now
        self._last_now = now_s
        dt = now_s - last if last is not None else 0.0
        if last is None or dt <= 0 or dt > 0.25:
            self._angle = target  # first frame, a redraw, or a jump: show the exact value
        else:
            self._angle += (target - self._angle) * (1 - math.exp(-dt / NEEDLE_TAU_S))
        return self._angle

    def draw(self, surface: pygame.Surface, now_s: float, live: DuetStats,
             window_s: float, *, ahead: bool = True) -> None:
        """Draw the live figures; ``window_s`` is how long the stats' window is (8 beats).

        ``ahead=False`` leaves out who is ahead (under the count-in's disc, mid-screen).
        """
        t = self.text
        pos = self._pos
        mean = live.mean_asynchrony_ms
        grade = sync_grade(mean / 1e3) if mean is not None else None
        blits = list(self._lit[grade]) if grade is not None else []
        y0, span = pos["dots_y0"], pos["dots_span"]
        per_s = DOT_LEVELS / max(window_s, 1e-3)
        shown = live.asynchronies[-HISTORY_DOTS:]
        arc_from = len(shown) - ARC_DOTS
        for k, (ts, d) in enumerate(shown):
            age = now_s - ts
            if age < 0:
                age = 0.0
            level = int(age * per_s)
            if level >= DOT_LEVELS:
                continue
            dots, ax, ay, hx = self._dot_place(ts, d)
            if k >= arc_from:
                blits.append((dots[level], (ax, ay)))
            blits.append((dots[level >> 1], (hx, round(y0 + span * age / window_s))))
        surface.fblits(blits)
        self._draw_needle(surface, self._smoothed(needle_angle(mean), now_s), grade)
        # everything above the needle, in one batch
        out = [self._hub_blit]
        label = self._label(grade) if grade is not None else self._no_grade
        out.append((label, (self.cx - label.get_width() // 2,
                            pos["label_y"] - label.get_height() // 2)))
        cx = self.cx
        t.draw_run(None, f"{live.team_score:,}", self._team_size, WHITE, cx, pos["team_y"],
                   out=out)
        colour = (self.palettes[0].light if live.ahead == "p1" else
                  self.palettes[1].light if live.ahead == "p2" else
                  WHITE if live.ahead == "even" else theme.TEXT_DIM)
        if ahead:
            t.draw_run(None, ahead_text(live), pos["ahead_size"], colour, cx, pos["ahead_y"],
                       out=out)
        if live.sync_spread_ms is not None:
            t.draw_run(None, spread_text(round(live.sync_spread_ms)), pos["spread_size"],
                       theme.TEXT_DIM, cx, pos["spread_y"], shadow=False, out=out)
        rate = live.in_sync_rate
        t.draw_run(None, "—" if rate is None else f"{round(rate * 100)}%", pos["rate_size"],
                   WHITE, self.rate_bar.right, pos["rate_y"], "midright", out=out)
        surface.fblits(out)
        if rate:
            w = max(self.rate_bar.height, round(self.rate_bar.width * rate))
            surface.blit(self._rate_fill, self.rate_bar.topleft, (0, 0, w,
                                                                  self.rate_bar.height))

    def _dot_place(self, ts: float, d: float) -> tuple[list[pygame.Surface], int, int, int]:
        """Sprites and fixed positions of one asynchrony's dots (cached per shared note)."""
        key = (ts, d)
        hit = self._dot_cache.get(key)
        if hit is None:
            if len(self._dot_cache) > 4096:
                self._dot_cache.clear()
            s = self.scale
            half = self._dot_half
            r_dot = self.radius - self.ring_w - round(30 * s)
            ang = math.radians(needle_angle(d))
            hw = self.history.width / 2 - 6 * s
            hit = (self._dots[sync_grade(d / 1e3)],
                   round(self.cx + r_dot * math.sin(ang)) - half,
                   round(self.cy - r_dot * math.cos(ang)) - half,
                   round(self.cx + max(-1.0, min(1.0, d / SCALE_MS)) * hw) - half)
            self._dot_cache[key] = hit
        return hit

    def _draw_needle(self, surface: pygame.Surface, angle_deg: float,
                     grade: str | None) -> None:
        surface.blit(*self._needle(round(angle_deg / NEEDLE_STEP_DEG), grade))

    def _needle_at_step(self, step: int, grade: str | None,
                        ) -> tuple[pygame.Surface, tuple[int, int]]:
        return self._needle_sprite(step * NEEDLE_STEP_DEG, grade)

    def _needle_points(self, angle_deg: float) -> list[tuple[float, float]]:
        """The needle's outline (screen px) at ``angle_deg``: hub side, tip, hub side, tail."""
        s = self.scale
        a = math.radians(angle_deg)
        sx, sy = math.sin(a), -math.cos(a)
        px, py = -sy, sx  # perpendicular
        length = self.radius - round(NEEDLE_TIP_GAP * s)
        base = NEEDLE_BASE * s
        cx, cy = self.cx, self.cy
        tip = (cx + sx * length, cy + sy * length)
        return [(cx + px * base, cy + py * base), tip, (cx - px * base, cy - py * base),
                (cx - sx * NEEDLE_TAIL * s, cy - sy * NEEDLE_TAIL * s)]

    def _needle_sprite(self, angle_deg: float,
                       grade: str | None) -> tuple[pygame.Surface, tuple[int, int]]:
        """The needle drawn on a clear sprite of its colour, and where it goes.

        Filled, then outlined anti-aliased, as it would be drawn on the screen: the
        outline's coverage lands in the sprite's alpha, so blitting the sprite
        blends the edge with the screen as drawing it there would.
        """
        colour = theme.SYNC_COLOURS[grade] if grade is not None else theme.TEXT_DIM
        pts = self._needle_points(angle_deg)
        pad = NEEDLE_AA_PAD
        x0 = math.floor(min(x for x, _ in pts)) - pad
        y0 = math.floor(min(y for _, y in pts)) - pad
        w = math.ceil(max(x for x, _ in pts)) + pad - x0
        h = math.ceil(max(y for _, y in pts)) + pad - y0
        spr = pygame.Surface((w, h), pygame.SRCALPHA)
        spr.fill((*colour, 0))
        local = [(x - x0, y - y0) for x, y in pts]
        pygame.draw.polygon(spr, colour, local)
        pygame.draw.aalines(spr, colour, True, local)
        return theme.ready(spr, rle=True), (x0, y0)
