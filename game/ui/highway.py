"""One player's note highway: notes scroll down to a hit line on the song clock.

Where it sits on screen is :mod:`game.ui.highway_geometry` (pure). Drawing does not
blit every note every frame: the notes (with the highway body and beat lines)
are painted once into opaque strips of song time, "chunks", and a frame blits
the one or two chunk slices that show. A judged note is painted out of its
chunk once, when the view first sees it judged. So the cost of a frame does
not grow with note density, only with how many notes get judged.

Kick notes are bars across the highway (Rock Band style); every other lane
family has its own gem shape, so colour is never the only cue: hi-hat an
ellipse, snare a rounded block, tom a hexagon, cymbal a diamond.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import pairwise

import pygame

from game.engine.chart import Note
from game.engine.tempo import TempoMap
from game.engine.voices import LaneLayout
from game.ui import theme
from game.ui.highway_geometry import HighwayGeometry
from game.ui.text import TextCache, blit_text
from game.ui.theme import ACCENT, GHOST, NORMAL, WHITE, PlayerPalette, lane_family, mix, rgba
from game.ui.words import lane_word

FLASH_LEVELS = 8
#: height of one painted strip of song time at the 720-pixel design height (px): small, so
#: painting one is a short job; at most one is painted ahead per frame
CHUNK_DESIGN_PX = 128
CHUNK_MIN_PX = 64
_Blit = tuple[pygame.Surface, tuple[int, int]]


class Highway:
    """Draws one player's highway.

    Parameters
    ----------
    notes : tuple of Note
        The player's notes, sorted by time (``session.notes[p]``).
    layout : LaneLayout
    tempo : TempoMap
        For the beat lines.
    palette : PlayerPalette
    labels : tuple of str
        Key names per lane, shown on the hit line.
    text : TextCache
    judge_reach_s : float
        How far from the song clock notes get judged (widest window, input latency).
    """

    def __init__(self, notes: tuple[Note, ...], layout: LaneLayout, tempo: TempoMap,
                 palette: PlayerPalette, labels: Sequence[str],
                 text: TextCache, judge_reach_s: float = 0.5) -> None:
        self.layout = layout
        self.judge_reach_s = judge_reach_s
        self.tempo = tempo
        #: Per note, 1 once judged: the latest frame's copy (judged notes are not drawn).
        self.judged: bytes = bytes(len(notes))
        self.palette = palette
        self.families = tuple(lane_family(lane.name) for lane in layout.lanes)
        self.labels = tuple(labels) + tuple(
            lane.name[:1].upper() for lane in layout.lanes[len(labels):])
        self.text = text
        self._n = len(notes)
        self._lane = [n.lane(layout) for n in notes]
        self._kind = [ACCENT if n.accent else GHOST if n.ghost else NORMAL for n in notes]
        # Two groups, kick bars (painted first) and gems, each sorted by time.
        self._groups: list[tuple[list[float], list[int]]] = []
        #: per note: its group and its place in the group
        self._where: list[tuple[int, int]] = [(0, 0)] * len(notes)
        for g, want_kick in enumerate((True, False)):
            idx = [i for i in range(len(notes))
                   if (self.families[self._lane[i]] == "kick") == want_kick]
            self._groups.append(([notes[i].time_s for i in idx], idx))
            for k, i in enumerate(idx):
                self._where[i] = (g, k)
        self._times = [n.time_s for n in notes]  #: every note's time, increasing
        self.geom: HighwayGeometry | None = None

    # building (once per resize) ------------------------------------------------------
    def build(self, geom: HighwayGeometry) -> None:
        """Make the sprites for ``geom`` and forget the painted chunks."""
        self.geom = geom
        s = geom.scale
        pal = self.palette
        v = geom.view
        self.view = v
        self.gem_w = min(int(geom.lane_w * 0.80), round(66 * s))
        self.gem_h = max(6, round(22 * s))
        self.bar_w = geom.rect.width - round(22 * s)
        self.bar_h = max(4, round(13 * s))
        sprites: dict[tuple[int, int], tuple[pygame.Surface, int, int, int]] = {}
        for lane, fam in enumerate(self.families):
            size = (self.bar_w, self.bar_h) if fam == "kick" else (self.gem_w, self.gem_h)
            for kind in (NORMAL, ACCENT, GHOST):
                spr = theme.note_sprite(fam, kind, size, pal, s)
                sw, sh = spr.get_size()
                x = geom.lane_x[lane] - v.x - sw // 2
                sprites[(lane, kind)] = (spr, x, -(sh // 2), x + sw)
        self._reach = max(spr.get_height() for spr, _, _, _ in sprites.values())
        # per group, per note: (sprite, x in the chunk, dy, right edge): painting only computes y
        self._paint = [([sprites[(self._lane[i], self._kind[i])] for i in idx])
                       for _, idx in self._groups]
        self._chunk_h = max(CHUNK_MIN_PX, round(CHUNK_DESIGN_PX * s))
        #: painted chunks: the strip, and the beat lines on it (to paint a note out)
        self._chunks: dict[int, tuple[pygame.Surface, list[_Blit]]] = {}
        self._erased = bytearray(self._n)
        self._last_now: float | None = None
        self._accounted = 0
        gems = sorted(x for x, k in zip(geom.lane_x, geom.kick, strict=True) if not k)
        self._row = theme.body_row(v.width, pal, [(a + b) // 2 - v.x for a, b in pairwise(gems)])
        blank = pygame.transform.scale(self._row, (v.width, self._chunk_h))
        self._blank = blank.convert() if pygame.display.get_surface() else blank
        self._beat_line, self._bar_line = (theme.ready(theme.vertical_gradient(
            (v.width, max(th, round(th * s))), rgba(pal.light, a), rgba(pal.light, a)))
            for th, a in ((1, 40), (2, 100)))
        self._build_flashes(geom)
        self._build_overlay(geom)

    def _build_flashes(self, geom: HighwayGeometry) -> None:
        """Per lane, fading levels of a beam and a lit target (kick: a lit bar)."""
        s = geom.scale
        pal = self.palette
        beam_h = round(geom.pixels_per_second * 0.14)
        self._flash: dict[int, list[list[_Blit]]] = {}
        for lane, fam in enumerate(self.families):
            if fam == "kick":
                beam, lit = theme.flash_sprites(fam, (self.bar_w, round(22 * s)),
                                                (self.bar_w, self.bar_h), pal, s, glow_r=6)
            else:
                beam, lit = theme.flash_sprites(fam, (round(geom.lane_w * 0.5), beam_h),
                                                (self.gem_w, self.gem_h), pal, s)
            x = geom.lane_x[lane]
            beam_at = (x - beam.get_width() // 2, geom.hit_y - beam.get_height())
            lit_at = (x - lit.get_width() // 2, geom.hit_y - lit.get_height() // 2)
            self._flash[lane] = [[(b, beam_at), (g, lit_at)] for b, g in zip(
                theme.alpha_levels(beam, FLASH_LEVELS), theme.alpha_levels(lit, FLASH_LEVELS),
                strict=True)]

    def _build_overlay(self, geom: HighwayGeometry) -> None:
        """The strike zone drawn over the notes: glow band, kick line, lane targets, keys."""
        s = geom.scale
        pal = self.palette
        r = geom.rect
        top = geom.hit_y - round(60 * s)
        ov = pygame.Surface((r.width, self.view.bottom - top), pygame.SRCALPHA)
        band = theme.vertical_gradient((r.width - round(6 * s), round(26 * s)),
                                       rgba(pal.light, 0), rgba(pal.light, 40))
        hy = geom.hit_y - top
        kick_ring = theme.make_gem("kick", (self.bar_w, self.bar_h), pal.deep,
                                   rgba(pal.light, 210), hollow=True, inner_alpha=0)
        blit_text(ov, kick_ring, r.width // 2, hy)
        label_size = round(20 * s)
        for lane, fam in enumerate(self.families):
            if fam == "kick":
                continue
            rw, rh = round(self.gem_w * 1.08), round(self.gem_h * 1.45)
            ring = theme.make_gem(fam, (rw, rh), pal.deep, mix(pal.light, WHITE, 0.35),
                                  hollow=True, inner_alpha=0)
            x = geom.lane_x[lane] - r.x
            blit_text(ov, ring, x, hy)
            key = self.labels[lane]
            size = self.text.fit(key, label_size, rw - round(8 * s))
            blit_text(ov, self.text.render(key, size, WHITE), x, hy + round(1 * s))
        # two sprites: the translucent band blends, the mostly clear targets run-length encode
        self._overlay = [(theme.ready(band, rle=False), (r.x + round(3 * s), top + round(34 * s))),
                         (theme.ready(ov, rle=True), (r.x, top))]

    @property
    def strip_area(self) -> pygame.Rect:
        """What :meth:`draw` covers whole with opaque note strips every frame (screen px).

        Whatever is under it beforehand never shows, so it need not be drawn.
        """
        return self.view.copy()

    def draw_static(self, bg: pygame.Surface) -> None:
        """Draw the highway body, edges and captions (below the hit line) onto ``bg``."""
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
        row = pygame.Surface((r.width, 1))
        row.fill(self._row.get_at((0, 0)))
        row.blit(self._row, (self.view.x - r.x, 0))
        body = pygame.Surface(r.size, pygame.SRCALPHA)
        body.blit(pygame.transform.scale(row, r.size), (0, 0))
        body.blit(theme.rounded_panel(r.size, rad, (255, 255, 255, 255)), (0, 0),
                  special_flags=pygame.BLEND_RGBA_MULT)
        bg.blit(body, r)
        edge = theme.rounded_panel(r.size, rad, (0, 0, 0, 0), rgba(pal.primary, 220),
                                   edge_w=max(1, round(2 * s)))
        bg.blit(edge, r)
        tag_y = geom.hit_y + round(44 * s)
        cap_size = round(14 * s)
        for lane, fam in enumerate(self.families):
            name = lane_word(self.layout.lanes[lane].name).upper()
            if fam == "kick":
                key = self.labels[lane]  # a key's printed name: never translated
                kick = lane_word("kick").upper()
                label = kick if key.upper() in ("KICK", kick) else f"{key}  ·  {kick}"
                size = self.text.fit(label, round(16 * s), r.width - round(40 * s))
                img = self.text.render(label, size, theme.TEXT)
                tag = theme.rounded_panel((img.get_width() + round(18 * s),
                                           img.get_height() + round(4 * s)), round(8 * s),
                                          rgba(pal.primary, 230), rgba(pal.light, 255))
                blit_text(bg, tag, r.centerx, tag_y)
                blit_text(bg, img, r.centerx, tag_y)
                continue
            size = self.text.fit(name, cap_size, geom.lane_w - round(4 * s), min_size=6)
            blit_text(bg, self.text.render(name, size, theme.TEXT_DIM, shadow=False),
                      geom.lane_x[lane], geom.hit_y + round(60 * s))

    def capture_fade(self, bg: pygame.Surface) -> None:
        """Copy the finished background under the highway's top edge as a fade-in veil."""
        geom = self.geom
        assert geom is not None
        r = pygame.Rect(geom.rect.x, geom.rect.y, geom.rect.width, round(46 * geom.scale))
        self._veil = (theme.fade_veil(bg, r, solid_rows=round(14 * geom.scale)), r.topleft)

    # chunks ----------------------------------------------------------------------------
    def _paint_chunk(self, k: int) -> None:
        """Paint chunk ``k`` (song pixels ``[k * H, (k + 1) * H)``, top row = latest).

        Every row of the highway's body is the same, so a chunk keeps only its beat
        lines besides the painted strip: painting a note out restores the body
        from the one blank chunk.
        """
        geom = self.geom
        assert geom is not None
        h, pps = self._chunk_h, geom.pixels_per_second
        full = self._blank.copy()
        top = (k + 1) * h
        tempo = self.tempo
        lines: list[_Blit] = []
        for b in range(max(0, math.ceil(tempo.beat_at((k * h - 2) / pps))),
                       math.floor(tempo.beat_at((top + 2) / pps)) + 1):
            line = self._bar_line if tempo.bar_at_beat(b)[1] < 1e-6 else self._beat_line
            lines.append((line, (0, round(top - tempo.seconds_at(b) * pps)
                                 - line.get_height() // 2)))
        full.fblits(lines)
        reach = self._reach / pps
        full.fblits(self._note_blits(k * h / pps - reach, top / pps + reach, top))
        self._chunks[k] = (full, lines)

    def _note_blits(self, t0: float, t1: float, top: float,
                    span: tuple[int, int] | None = None) -> list[_Blit]:
        """Unjudged notes with times in ``[t0, t1]`` placed in a chunk whose top is ``top``
        (with ``span``: only those reaching into that x range)."""
        pps = self.geom.pixels_per_second  # type: ignore[union-attr]
        judged = self.judged
        x0, x1 = span if span is not None else (-(1 << 30), 1 << 30)
        out: list[_Blit] = []
        for (times, idx), paint in zip(self._groups, self._paint, strict=True):
            for i in range(bisect_left(times, t0), bisect_right(times, t1)):
                spr, x, dy, right = paint[i]
                if x < x1 and right > x0 and not judged[idx[i]]:
                    out.append((spr, (x, round(top - times[i] * pps) + dy)))
        return out

    def _erase(self, notes: Sequence[int]) -> None:
        """Paint ``notes`` (indices) out of the chunks they show in.

        Per chunk, the area they covered is repainted from the blank body, its beat
        lines and the unjudged notes reaching into it: what a fresh paint gives.
        """
        pps = self.geom.pixels_per_second  # type: ignore[union-attr]
        h = self._chunk_h
        chunks = self._chunks
        # per chunk, the areas to repaint (overlapping ones, as a chord with its kick bar, as one)
        areas: dict[int, list[pygame.Rect]] = {}
        for n in notes:
            g, i = self._where[n]
            spr, x, dy, _ = self._paint[g][i]
            y = self._times[n] * pps
            sh = spr.get_height()
            for k in range(math.floor((y - dy - sh) / h), math.floor((y - dy) / h) + 1):
                if k not in chunks:
                    continue
                r = pygame.Rect(x, round((k + 1) * h - y) + dy, spr.get_width(), sh)
                rects = areas.setdefault(k, [])
                for m, area in enumerate(rects):
                    if area.colliderect(r):
                        rects[m] = area.union(r)
                        break
                else:
                    rects.append(r)
        reach = self._reach / pps
        for k, rects in areas.items():
            full, lines = chunks[k]
            top = (k + 1) * h
            for r in rects:
                full.blit(self._blank, r.topleft, r)
                full.set_clip(r)
                full.fblits(lines)
                full.fblits(self._note_blits((top - r.bottom) / pps - reach,
                                             (top - r.top) / pps + reach, top,
                                             (r.left, r.right)))
                full.set_clip(None)

    def _paint_out(self, t0: float, t1: float) -> int:
        """Paint out every newly judged note with a time in ``[t0, t1]``; how many."""
        times = self._times
        i0, i1 = bisect_left(times, t0), bisect_right(times, t1)
        judged, erased = self.judged[i0:i1], self._erased[i0:i1]
        if judged == erased:
            return 0
        # judged and not yet painted out, as bits (one byte per note): no loop over the notes
        new = int.from_bytes(judged, "little") & ~int.from_bytes(erased, "little")
        found: list[int] = []
        while new:
            low = new & -new
            new ^= low
            n = i0 + ((low.bit_length() - 1) >> 3)
            self._erased[n] = 1
            found.append(n)
        self._erase(found)
        return len(found)

    # drawing (every frame) -------------------------------------------------------------
    def draw(self, surface: pygame.Surface, now_s: float, judged: bytes | None = None,
             flashes: Sequence[tuple[int, float]] = (), judged_total: int | None = None, *,
             paint_ahead: bool = True) -> int:
        """Notes (painted chunks), the strike zone, lane flashes (``(lane, age_s)``).

        ``judged`` is the frame's copy of which notes are judged (one byte per
        note, :class:`~game.engine.frame.PlayerFrame`); None keeps the last one.
        ``judged_total`` is how many of the player's notes are judged so far (the
        score processor's count); with it only notes near the clock are checked
        for judging, and only when the count moved. ``paint_ahead`` lets this
        frame paint the chunk about to scroll in (two highways take turns, so one
        frame never paints two). Returns how many notes (judged or not) have
        times in view.
        """
        geom = self.geom
        assert geom is not None
        if judged is not None:
            self.judged = judged
        v = self.view
        pps, h = geom.pixels_per_second, self._chunk_h
        y_now = now_s * pps
        y_hi = y_now + (geom.hit_y - v.top)
        y_lo = y_now - (v.bottom - geom.hit_y)
        k_lo, k_hi = math.floor(y_lo / h), math.floor(y_hi / h)
        chunks = self._chunks
        for k in [k for k in chunks if k < k_lo]:
            del chunks[k]
        # Notes are judged near the clock: scan only judging reach around it (since the
        # last frame), unless more notes were judged than that scan finds (a hit fed
        # ahead of the drawn time, the end of the song). A jump back repaints everything.
        last = self._last_now
        if last is not None and now_s < last - 1e-9:
            chunks.clear()
            self._erased = bytearray(self._n)
            last = None
        self._last_now = now_s
        for k in range(k_lo, k_hi + 1):
            if k not in chunks:
                self._paint_chunk(k)
        reach = self.judge_reach_s + self._reach / pps
        found = 0
        new = None if judged_total is None else judged_total - self._accounted
        if last is not None and new != 0:
            found = self._paint_out(min(last, now_s) - reach, now_s + reach)
        if last is None or new is None or new > found:
            self._paint_out(y_lo / pps - self._reach / pps, y_hi / pps + self._reach / pps)
        if judged_total is not None:
            self._accounted = judged_total
        base = geom.hit_y + y_now
        blits = [(chunks[k][0], (v.x, round(base - (k + 1) * h))) for k in range(k_lo, k_hi + 1)]
        clip = surface.get_clip()
        surface.set_clip(v)
        surface.fblits(blits)
        surface.set_clip(clip)
        top = list(self._overlay)
        for lane, age in flashes:
            levels = self._flash.get(lane)
            if levels is not None and 0 <= age < theme.FLASH_S:
                top += levels[min(FLASH_LEVELS - 1, int(age / theme.FLASH_S * FLASH_LEVELS))]
        top.append(self._veil)
        surface.fblits(top)
        if paint_ahead and k_hi + 1 not in chunks:  # paint the next chunk before it is needed
            self._paint_chunk(k_hi + 1)
        times = self._times
        return bisect_right(times, y_hi / pps) - bisect_left(times, y_lo / pps)
