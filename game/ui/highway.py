"""One player's note highway: notes scroll down to a hit line on the song clock.

Geometry is pure (:func:`note_y`, :class:`HighwayGeometry`); the drawing keeps to
blits of sprites made once per resize. Kick notes are bars across the highway
(Rock Band style); every other lane family has its own gem shape, so colour is
never the only cue: hi-hat an ellipse, snare a rounded block, tom a hexagon,
cymbal a diamond.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import pygame

from game.engine.chart import Note
from game.engine.tempo import TempoMap
from game.engine.voices import LaneLayout
from game.ui import theme
from game.ui.text import TextCache, blit_text
from game.ui.theme import WHITE, PlayerPalette, mix, rgba

NORMAL, ACCENT, GHOST = 0, 1, 2
FLASH_LEVELS = 8


def note_y(note_time_s: float, now_s: float, hit_line_y: float,
           pixels_per_second: float) -> float:
    """Screen y of a note's centre: on the hit line at its time, above it before."""
    return hit_line_y - (note_time_s - now_s) * pixels_per_second


def visible_range(times: Sequence[float], now_s: float, ahead_s: float,
                  behind_s: float) -> tuple[int, int]:
    """Index range ``[lo, hi)`` of sorted ``times`` within ``[now - behind, now + ahead]``."""
    return bisect_left(times, now_s - behind_s), bisect_right(times, now_s + ahead_s)


def lane_family(name: str) -> str:
    """The gem family of a lane by its name: hihat, snare, tom, cymbal, kick or other."""
    n = name.lower()
    if "kick" in n or "bass" in n:
        return "kick"
    if "hat" in n or "pedal" in n:
        return "hihat"
    if "snare" in n:
        return "snare"
    if "tom" in n:
        return "tom"
    if any(k in n for k in ("cymbal", "crash", "ride", "splash", "china")):
        return "cymbal"
    return "other"


@dataclass(frozen=True, slots=True)
class HighwayGeometry:
    """Where one highway sits on screen.

    Attributes
    ----------
    rect : pygame.Rect
        The highway body.
    hit_y : int
        The hit line.
    lane_x : tuple of int
        Centre x of each lane's notes (kick lanes: the highway's centre).
    lane_w : int
        Width of one gem column.
    kick : tuple of bool
        Per lane: drawn as a bar across the highway.
    scale : float
        Window height / 720.
    pixels_per_second : float
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


def _shape(surf: pygame.Surface, family: str, r: pygame.Rect, colour: Sequence[int],
           width: int = 0) -> None:
    """Draw one gem family's outline shape filling ``r``."""
    x, y, w, h = r
    if family == "hihat" or family == "other":
        pygame.draw.ellipse(surf, colour, r, width)
    elif family == "snare" or family == "kick":
        pygame.draw.rect(surf, colour, r, width, border_radius=max(1, int(h * 0.32)))
    elif family == "tom":
        c = h * 0.5
        pygame.draw.polygon(surf, colour, [(x, y + c), (x + c, y), (x + w - c, y),
                                           (x + w, y + c), (x + w - c, y + h), (x + c, y + h)],
                            width)
    else:  # cymbal: a diamond
        pygame.draw.polygon(surf, colour, [(x, y + h / 2), (x + w / 2, y), (x + w, y + h / 2),
                                           (x + w / 2, y + h)], width)


def make_gem(family: str, size: tuple[int, int], fill: Sequence[int], rim: Sequence[int], *,
             glow_colour: Sequence[int] | None = None, glow_r: int = 0, alpha: int = 255,
             hollow: bool = False) -> pygame.Surface:
    """A gem sprite: rim, body, a top highlight and a family mark, anti-aliased.

    With ``glow_r`` the sprite is ``2 * glow_r`` larger each way (centred the same).
    """
    h = size[1]

    def draw(s: pygame.Surface, ss: int) -> None:
        full = s.get_rect()
        rim_w = max(ss, round(h * ss * 0.11))
        _shape(s, family, full, rim)
        inner = full.inflate(-2 * rim_w, -2 * rim_w)
        if hollow:
            _shape(s, family, inner, rgba(fill, 70))
            return
        _shape(s, family, inner, fill)
        hl = pygame.Surface(full.size, pygame.SRCALPHA)
        _shape(hl, family, inner.inflate(-rim_w, -rim_w), (255, 255, 255, 80))
        hl.fill((0, 0, 0, 0), pygame.Rect(0, full.height * 0.46, full.width, full.height))
        s.blit(hl, (0, 0))
        dark = mix(fill, (0, 0, 0), 0.45)
        if family == "hihat":
            _shape(s, "hihat", full.inflate(-full.width * 0.55, -full.height * 0.5), dark,
                   max(1, rim_w // 2))
        elif family == "cymbal":
            dot = full.inflate(-full.width * 0.8, -full.height * 0.6)
            pygame.draw.ellipse(s, dark, dot)
        elif family == "kick":
            notch = full.inflate(-full.width * 0.86, -full.height * 0.45)
            pygame.draw.rect(s, rgba(WHITE, 200), notch, border_radius=notch.height // 2)

    sprite = theme.supersampled(size, draw, base=fill)
    if glow_colour is not None and glow_r > 0:
        sprite = theme.glow(sprite, glow_colour, glow_r, strength=0.85)
    if alpha < 255:
        sprite.fill((255, 255, 255, alpha), special_flags=pygame.BLEND_RGBA_MULT)
    return theme.ready(sprite)


class Highway:
    """Draws one player's highway.

    Parameters
    ----------
    notes : tuple of Note
        The player's notes, sorted by time (``session.notes[p]``).
    layout : LaneLayout
    tempo : TempoMap
        For the beat lines.
    judged : bytearray
        ``session.judges[p].judged``: read each frame, judged notes are not drawn.
    palette : PlayerPalette
    labels : tuple of str
        Key names per lane, shown on the hit line.
    text : TextCache
    """

    def __init__(self, notes: tuple[Note, ...], layout: LaneLayout, tempo: TempoMap,
                 judged: bytearray, palette: PlayerPalette, labels: Sequence[str],
                 text: TextCache) -> None:
        self.layout = layout
        self.tempo = tempo
        self.judged = judged
        self.palette = palette
        self.families = tuple(lane_family(lane.name) for lane in layout.lanes)
        self.labels = tuple(labels) + tuple(
            lane.name[:1].upper() for lane in layout.lanes[len(labels):])
        self.text = text
        lane_of = [n.lane(layout) for n in notes]
        kind = [ACCENT if n.accent else GHOST if n.ghost else NORMAL for n in notes]
        # Two groups (kick bars underneath, gems on top), each sorted by time.
        self._groups: list[tuple[list[float], list[int], list[int], list[int]]] = []
        for want_kick in (True, False):
            idx = [i for i in range(len(notes))
                   if (self.families[lane_of[i]] == "kick") == want_kick]
            self._groups.append(([notes[i].time_s for i in idx], idx,
                                 [lane_of[i] for i in idx], [kind[i] for i in idx]))
        self.geom: HighwayGeometry | None = None

    # building (once per resize) ------------------------------------------------------
    def build(self, geom: HighwayGeometry) -> None:
        """Make every sprite for ``geom``."""
        self.geom = geom
        s = geom.scale
        pal = self.palette
        self._sprites: dict[tuple[int, int], tuple[pygame.Surface, int, int]] = {}
        gem_w = min(int(geom.lane_w * 0.80), round(66 * s))
        gem_h = max(6, round(22 * s))
        bar_w = geom.rect.width - round(22 * s)
        bar_h = max(4, round(13 * s))
        tall = 0
        for lane, fam in enumerate(self.families):
            fill = {"hihat": pal.light, "snare": mix(pal.light, WHITE, 0.18),
                    "tom": mix(pal.primary, pal.light, 0.55), "cymbal": mix(pal.light, WHITE, 0.4),
                    "kick": mix(pal.primary, pal.light, 0.25)}.get(fam, pal.light)
            rim = mix(fill, WHITE, 0.55)
            for kind in (NORMAL, ACCENT, GHOST):
                k = {NORMAL: 1.0, ACCENT: 1.2, GHOST: 0.7}[kind]
                w, h = (bar_w, round(bar_h * k)) if fam == "kick" else (round(gem_w * k),
                                                                        round(gem_h * k))
                if kind == ACCENT:
                    spr = make_gem(fam, (w, h), mix(fill, WHITE, 0.3), WHITE,
                                   glow_colour=mix(pal.light, WHITE, 0.3), glow_r=round(9 * s))
                elif kind == GHOST:
                    spr = make_gem(fam, (w, h), mix(fill, (20, 20, 30), 0.35), rim, alpha=150,
                                   hollow=True)
                else:  # no glow: a crisp, mostly opaque sprite blits fastest (RLE)
                    spr = make_gem(fam, (w, h), fill, rim)
                sw, sh = spr.get_size()
                tall = max(tall, sh)
                self._sprites[(lane, kind)] = (spr, geom.lane_x[lane] - sw // 2, -(sh // 2))
        self._ahead_s = (geom.hit_y - geom.rect.top + tall) / geom.pixels_per_second
        self._behind_s = (geom.rect.bottom - geom.hit_y + tall) / geom.pixels_per_second
        # per group, per note: (sprite, x, dy), so the frame loop only computes y
        self._draw_lists = []
        for times, idx, lanes, kinds in self._groups:
            spr = [self._sprites[(ln, kd)] for ln, kd in zip(lanes, kinds, strict=True)]
            self._draw_lists.append((times, idx, [t[0] for t in spr], [t[1] for t in spr],
                                     [t[2] for t in spr]))
        inner_w = geom.rect.width - round(8 * s)
        self._beat_line = theme.ready(theme.vertical_gradient(
            (inner_w, max(1, round(1 * s))), rgba(pal.light, 40), rgba(pal.light, 40)))
        self._bar_line = theme.ready(theme.vertical_gradient(
            (inner_w, max(2, round(2 * s))), rgba(pal.light, 95), rgba(pal.light, 95)))
        self._build_flashes(geom, gem_w, gem_h, bar_w, bar_h)

    def _build_flashes(self, geom: HighwayGeometry, gem_w: int, gem_h: int, bar_w: int,
                       bar_h: int) -> None:
        s = geom.scale
        pal = self.palette
        beam_h = round(geom.pixels_per_second * 0.18)
        self._flash: dict[int, list[tuple[pygame.Surface, int, int]]] = {}
        for lane, fam in enumerate(self.families):
            if fam == "kick":
                w, h = bar_w + round(20 * s), round(46 * s)
                beam = theme.vertical_gradient((w, h), rgba(pal.light, 0), rgba(pal.light, 120))
                lit = make_gem("kick", (bar_w, bar_h), mix(pal.light, WHITE, 0.5), WHITE,
                               glow_colour=pal.light, glow_r=round(12 * s))
            else:
                w = round(geom.lane_w * 0.72)
                beam = theme.vertical_gradient((w, beam_h), rgba(pal.light, 0),
                                               rgba(pal.light, 110))
                lit = make_gem(fam, (gem_w, gem_h), mix(pal.light, WHITE, 0.6), WHITE,
                               glow_colour=pal.light, glow_r=round(12 * s))
            combo = pygame.Surface((max(w, lit.get_width()), beam.get_height()
                                    + lit.get_height() // 2), pygame.SRCALPHA)
            cw = combo.get_width()
            combo.blit(beam, ((cw - beam.get_width()) // 2, 0))
            combo.blit(lit, ((cw - lit.get_width()) // 2,
                             beam.get_height() - lit.get_height() // 2))
            x = geom.lane_x[lane] - cw // 2
            y = geom.hit_y - beam.get_height()
            self._flash[lane] = [(spr, x, y) for spr in theme.alpha_levels(combo, FLASH_LEVELS)]

    def draw_static(self, bg: pygame.Surface) -> None:
        """Draw the highway body, lane lines, hit line and key labels onto ``bg``."""
        geom = self.geom
        assert geom is not None
        s = geom.scale
        pal = self.palette
        r = geom.rect
        rad = round(14 * s)
        halo = theme.rounded_panel(r.size, rad, rgba(pal.primary, 255))
        halo = theme.glow(halo, pal.primary, round(16 * s), strength=0.45)
        halo.fill((255, 255, 255, 0), halo.get_rect().inflate(-round(34 * s), -round(34 * s)))
        bg.blit(halo, (r.x - round(16 * s), r.y - round(16 * s)))
        body = theme.vertical_gradient(r.size, rgba(pal.deep, 70), rgba(pal.deep, 235))
        body.blit(theme.rounded_panel(r.size, rad, (255, 255, 255, 255)), (0, 0),
                  special_flags=pygame.BLEND_RGBA_MULT)
        bg.blit(body, r)
        for x in self._separators():
            line = theme.vertical_gradient((max(1, round(s)), r.height - rad),
                                           rgba(pal.light, 0), rgba(pal.light, 45))
            bg.blit(line, (x, r.y + rad // 2))
        edge = theme.rounded_panel(r.size, rad, (0, 0, 0, 0), rgba(pal.primary, 210),
                                   edge_w=max(1, round(2 * s)))
        bg.blit(edge, r)
        # strike zone: a glowing band with the kick bar's outline on the hit line
        band = theme.vertical_gradient((r.width - round(6 * s), round(60 * s)),
                                       rgba(pal.light, 0), rgba(pal.light, 38))
        bg.blit(band, (r.x + round(3 * s), geom.hit_y - round(60 * s)))
        bar_w, bar_h = r.width - round(22 * s), max(4, round(13 * s))
        kick_ring = make_gem("kick", (bar_w, bar_h), rgba(pal.deep, 0), rgba(pal.light, 200),
                             hollow=True)
        bg.blit(kick_ring, kick_ring.get_rect(center=(r.centerx, geom.hit_y)))
        gem_w = min(int(geom.lane_w * 0.80), round(66 * s))
        gem_h = max(6, round(22 * s))
        label_size = round(22 * s)
        cap_size = round(15 * s)
        for lane, fam in enumerate(self.families):
            key = self.labels[lane]
            if fam == "kick":
                tag_y = geom.hit_y + round(27 * s)
                img = self.text.render(f"{key}  ·  KICK", round(17 * s), theme.TEXT)
                tag = theme.rounded_panel((img.get_width() + round(18 * s),
                                           img.get_height() + round(4 * s)), round(8 * s),
                                          rgba(pal.primary, 230), rgba(pal.light, 255))
                blit_text(bg, tag, r.centerx, tag_y)
                blit_text(bg, img, r.centerx, tag_y)
                continue
            rw, rh = round(gem_w * 1.08), round(gem_h * 1.45)
            ring = make_gem(fam, (rw, rh), mix(pal.deep, (0, 0, 0), 0.3),
                            mix(pal.light, WHITE, 0.3), glow_colour=pal.primary,
                            glow_r=round(4 * s))
            x = geom.lane_x[lane]
            blit_text(bg, ring, x, geom.hit_y)
            size = self.text.fit(key, label_size, rw - round(6 * s))
            blit_text(bg, self.text.render(key, size, WHITE), x, geom.hit_y + round(1 * s))
            name = self.layout.lanes[lane].name.upper()
            csize = self.text.fit(name, cap_size, geom.lane_w - round(4 * s), min_size=6)
            blit_text(bg, self.text.render(name, csize, theme.TEXT_DIM, shadow=False), x,
                      geom.hit_y + round(48 * s))

    def _separators(self) -> list[int]:
        geom = self.geom
        assert geom is not None
        xs = sorted(x for x, k in zip(geom.lane_x, geom.kick, strict=True) if not k)
        return [(a + b) // 2 for a, b in pairwise(xs)]

    def capture_fade(self, bg: pygame.Surface) -> None:
        """Copy the finished background under the highway's top edge as a fade-in veil."""
        geom = self.geom
        assert geom is not None
        h = round(52 * geom.scale)
        r = pygame.Rect(geom.rect.x, geom.rect.y, geom.rect.width, h).clip(bg.get_rect())
        veil = pygame.Surface(r.size, pygame.SRCALPHA)
        veil.blit(bg, (0, 0), r)
        ramp = theme.vertical_gradient(r.size, (255, 255, 255, 255), (255, 255, 255, 0))
        veil.blit(ramp, (0, 0), special_flags=pygame.BLEND_RGBA_MULT)
        self._veil = (theme.ready(veil), r.topleft)

    # drawing (every frame) -------------------------------------------------------------
    def draw(self, surface: pygame.Surface, now_s: float,
             flashes: Sequence[tuple[int, float]] = ()) -> int:
        """Beat lines, lane flashes (``(lane, age_s)`` of recent hits) and unjudged notes.

        Returns the number of notes drawn.
        """
        geom = self.geom
        assert geom is not None
        pps = geom.pixels_per_second
        base = geom.hit_y + now_s * pps  # y = base - time * pps
        blits: list[tuple[pygame.Surface, tuple[int, int]]] = []
        tempo = self.tempo
        b0 = math.ceil(tempo.beat_at(now_s - self._behind_s))
        b1 = math.floor(tempo.beat_at(now_s + self._ahead_s))
        x_line = geom.rect.x + round(4 * geom.scale)
        for b in range(max(b0, 0), b1 + 1):
            y = round(base - tempo.seconds_at(b) * pps)
            downbeat = tempo.bar_at_beat(b)[1] < 1e-6
            blits.append((self._bar_line if downbeat else self._beat_line, (x_line, y)))
        for lane, age in flashes:
            levels = self._flash.get(lane)
            if levels is not None and 0 <= age < theme.FLASH_S:
                spr, x, y = levels[min(FLASH_LEVELS - 1, int(age / theme.FLASH_S * FLASH_LEVELS))]
                blits.append((spr, (x, y)))
        judged = self.judged
        drawn = 0
        for times, idx, sprs, xs, dys in self._draw_lists:
            lo = bisect_left(times, now_s - self._behind_s)
            hi = bisect_right(times, now_s + self._ahead_s)
            for i in range(lo, hi):
                if not judged[idx[i]]:
                    blits.append((sprs[i], (xs[i], int(base - times[i] * pps) + dys[i])))
                    drawn += 1
        clip = surface.get_clip()
        surface.set_clip(geom.rect)
        surface.fblits(blits)
        surface.set_clip(clip)
        veil, pos = self._veil
        surface.blit(veil, pos)
        return drawn
