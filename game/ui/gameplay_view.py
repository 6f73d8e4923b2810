"""The gameplay screen: two highways side by side with the live sync meter between them.

The view reads the session's fixed parts (its chart, notes, lanes, windows) when
built and keeps no reference to it; each frame it draws what a
:class:`~game.engine.frame.LiveFrame` copied out of it (which notes are judged,
scores, the latest offsets, the live duet figures). It never judges and never
reads the session's changing state. Everything static is drawn once per resize
into one background surface. A frame copies that background around the
highways' note areas, the highways copy their pre-painted opaque note strips
into those (see :mod:`game.ui.highway`), and the rest is a few dozen sprite and
cached-glyph blits (see ``bench/frame_time.py``).

Usage::

    view = GameplayView(session, players=(PlayerLook("Ann", 0, ("D", "F", "S", "E", "V")),
                                          PlayerLook("Bo", 1, ("J", "K", "L", "I", "N"))))
    view.resize(screen.get_size())          # and on every window resize
    frame = take_frame(session, recent_offsets=theme.ERROR_TICKS)  # live: LivePlay.frame()
    view.draw(screen, now_s, frame=frame, recent=recent_judgements,
              countdown=-now_s if now_s < 0 else None)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import pygame

from game.engine.events import GOOD, STRAY, Judgement
from game.engine.frame import LiveFrame
from game.engine.session import LIVE_WINDOW_BEATS, Session
from game.ui import theme
from game.ui.highway import Highway
from game.ui.highway_geometry import HighwayGeometry
from game.ui.hud import HitErrorBar, PlayerPanel, Popups, TopBar, get_ready
from game.ui.i18n import current_language
from game.ui.sync_meter import SyncMeter
from game.ui.text import TextCache, blit_text
from game.ui.theme import PALETTES, WHITE, PlayerPalette, mix, player_tag, rgba

#: pixels per second of song time = this x window height x scroll speed
SCROLL_PER_HEIGHT = 0.9
#: beyond the miss window and late margin, how far from the clock a highway checks for
#: newly judged notes, s
JUDGE_REACH_PAD_S = 0.1


@dataclass(frozen=True, slots=True)
class PlayerLook:
    """How one player appears.

    Attributes
    ----------
    name : str
        Shown on the player's badge (as typed: never translated); empty: "P1" / "P2".
    colour : int
        0 = P1's palette (blue), 1 = P2's (orange / vermillion).
    lane_labels : tuple of str
        Key names shown on the lanes at the hit line, one per lane.
    """

    name: str
    colour: int = 0
    lane_labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScreenLayout:
    """Where everything goes at one window size (all from :func:`compute_layout`)."""

    size: tuple[int, int]
    scale: float
    pixels_per_second: float
    highways: tuple[pygame.Rect, pygame.Rect]
    hit_y: int
    badges: tuple[pygame.Rect, pygame.Rect]
    panels: tuple[pygame.Rect, pygame.Rect]
    error_bars: tuple[pygame.Rect, pygame.Rect]
    centre: pygame.Rect


def compute_layout(size: tuple[int, int], scroll_speed: float = 1.0) -> ScreenLayout:
    """Lay the screen out; sizes scale with the height (a 1280x720 design)."""
    w, h = size
    s = min(h / 720, w / 1280)
    y0 = round((h - 720 * s) / 2)

    def px(v: float) -> int:
        return round(v * s)

    cw, hw, gap, margin = px(290), px(320), px(12), px(8)
    side = min((w - cw - 2 * hw - 4 * gap - 2 * margin) // 2, px(260))
    total = 2 * side + 2 * hw + cw + 4 * gap
    x = (w - total) // 2
    xs = [x, x + side + gap, x + side + gap + hw + gap]
    x_p2 = xs[2] + cw + gap
    xs += [x_p2, x_p2 + hw + gap]
    top, hit_y = y0 + px(104), y0 + px(580)
    bottom = hit_y + px(70)
    highways = (pygame.Rect(xs[1], top, hw, bottom - top), pygame.Rect(xs[3], top, hw,
                                                                        bottom - top))
    badges = tuple(pygame.Rect(r.x, y0 + px(52), r.width, px(44)) for r in highways)
    panels = (pygame.Rect(xs[0], top, side, px(330)), pygame.Rect(xs[4], top, side, px(330)))
    bars = tuple(pygame.Rect(r.x + px(10), bottom + px(10), r.width - px(20), px(44))
                 for r in highways)
    centre = pygame.Rect(xs[2], y0 + px(52), cw, bars[0].bottom - y0 - px(52))
    return ScreenLayout((w, h), s, SCROLL_PER_HEIGHT * h * scroll_speed, highways, hit_y,
                        (badges[0], badges[1]), panels, (bars[0], bars[1]), centre)


def rect_complement(outer: pygame.Rect, holes: Sequence[pygame.Rect]) -> list[pygame.Rect]:
    """Rectangles covering ``outer`` except ``holes`` (each row band split around them)."""
    holes = [h.clip(outer) for h in holes]
    holes = [h for h in holes if h.width and h.height]
    edges = sorted({outer.top, outer.bottom, *(h.top for h in holes),
                    *(h.bottom for h in holes)})
    out: list[pygame.Rect] = []
    for y0, y1 in pairwise(edges):
        x = outer.left
        for h in sorted((h for h in holes if h.top <= y0 and h.bottom >= y1),
                        key=lambda h: h.left):
            if h.left > x:
                out.append(pygame.Rect(x, y0, h.left - x, y1 - y0))
            x = max(x, h.right)
        if x < outer.right:
            out.append(pygame.Rect(x, y0, outer.right - x, y1 - y0))
    return out


def judgement_time(j: Judgement, miss_after_s: float) -> float:
    """When a judgement was made: the hit's time, or a passed note's time + its window."""
    if j.hit_time_s is not None:
        return j.hit_time_s
    return (j.note_time_s or 0.0) + miss_after_s


class GameplayView:
    """Renders the gameplay screen of a two-player session.

    Parameters
    ----------
    session : Session
        Read only.
    players : pair of PlayerLook
        P1's and P2's names, palettes and key labels.
    scroll_speed : float
        Multiplies the note speed (``0.9 x height`` pixels per second at 1.0).
    """

    def __init__(self, session: Session, *, players: tuple[PlayerLook, PlayerLook],
                 scroll_speed: float = 1.0) -> None:
        # only the session's fixed parts are kept: each frame's figures come in a LiveFrame
        self.chart = session.chart
        self.windows = session.settings.windows
        self.players = players
        self.scroll_speed = scroll_speed
        self.text = TextCache()
        self.palettes: tuple[PlayerPalette, PlayerPalette] = (
            PALETTES[players[0].colour % 2], PALETTES[players[1].colour % 2])
        late = session.settings.late_input_s
        #: per player: how long after a note's time it is missed (window + late margin), s
        self._miss_after_s = (self.windows.miss_s + late[0], self.windows.miss_s + late[1])
        self.highways = tuple(
            Highway(session.notes[p], session.players[p].layout, session.chart.tempo,
                    self.palettes[p], players[p].lane_labels,
                    self.text, self._miss_after_s[p] + JUDGE_REACH_PAD_S)
            for p in (0, 1))
        self.layout: ScreenLayout | None = None
        self.language = current_language()  #: the language the static parts were drawn in
        self.notes_in_view = 0  #: notes with times on screen in the last frame (bench)
        self._fits: dict[tuple[str, int, int], int] = {}
        self._frames = 0  #: frames drawn (the highways take turns painting ahead)

    # layout --------------------------------------------------------------------------
    def resize(self, size: tuple[int, int]) -> None:
        """Lay out for a window of ``size`` and pre-render everything static.

        Also what :meth:`draw` does after the language changed: every caption and
        word drawn in advance is drawn again in the new language.
        """
        size = (int(size[0]), int(size[1]))
        lay = compute_layout(size, self.scroll_speed)
        self.layout = lay
        self.language = current_language()
        s = lay.scale
        self.text.clear()
        self._fits.clear()
        for p, hwy in enumerate(self.highways):
            families = hwy.families
            hwy.build(HighwayGeometry.build(lay.highways[p], lay.hit_y, families, s,
                                            lay.pixels_per_second))
        self.error_bars = tuple(HitErrorBar(lay.error_bars[p], s, self.windows,
                                            self.palettes[p], self.text) for p in (0, 1))
        self.panels = (PlayerPanel(lay.panels[0], s, self.palettes[0], self.text, "right"),
                       PlayerPanel(lay.panels[1], s, self.palettes[1], self.text, "left"))
        self.popups = Popups(s, self.text, lay.highways[0].width - round(12 * s))
        self.top = TopBar(size[0], s, self.chart, self.text)
        self.meter = SyncMeter(lay.centre, s, self.text, self.palettes)
        self.background = self._build_background(size)
        for hwy in self.highways:
            hwy.capture_fade(self.background)
        # a frame copies the background except where the highways' opaque note strips go
        self._background_pieces = [
            (self.background, r.topleft, r)
            for r in rect_complement(pygame.Rect((0, 0), size),
                                     [hwy.strip_area for hwy in self.highways])]
        self._countdown_disc = theme.ready(theme.glow(theme.supersampled(
            (round(150 * s), round(150 * s)), lambda surf, ss: pygame.draw.ellipse(
                surf, (12, 14, 26, 248), surf.get_rect())), theme.SKY_BLUE, round(14 * s),
            strength=0.5))

    def _build_background(self, size: tuple[int, int]) -> pygame.Surface:
        lay = self.layout
        assert lay is not None
        target = pygame.display.get_surface()
        bg = pygame.Surface(size, 0, target) if target is not None else pygame.Surface(size)
        small = pygame.Surface((32, 18))
        for y in range(18):
            for x in range(32):
                c = mix(theme.BG_TOP, theme.BG_BOTTOM, y / 17)
                for cx, cy, col in ((0.2, 0.55, theme.BLUE), (0.8, 0.55, theme.VERMILLION)):
                    d = math.hypot((x / 31 - cx) * 1.6, y / 17 - cy)
                    c = mix(c, col, 0.16 * max(0.0, 1 - d / 0.55) ** 2)
                small.set_at((x, y), c)
        bg.blit(pygame.transform.smoothscale(small, size), (0, 0))
        self.top.draw_static(bg)
        for p in (0, 1):
            self._draw_badge(bg, lay.badges[p], self.players[p].name, self.palettes[p], p)
            self.highways[p].draw_static(bg)
            self.panels[p].draw_static(bg)
            self.error_bars[p].draw_static(bg)
        self.meter.draw_static(bg)
        return bg

    def _draw_badge(self, bg: pygame.Surface, r: pygame.Rect, name: str, pal: PlayerPalette,
                    p: int) -> None:
        """The player's "jersey": striped plate in their colour, number disc and name."""
        s = r.height / 44
        plate = theme.vertical_gradient(r.size, mix(pal.primary, WHITE, 0.12),
                                        mix(pal.primary, (0, 0, 0), 0.35))
        plate.blit(theme.rounded_panel(r.size, round(10 * s), (255, 255, 255, 255)), (0, 0),
                   special_flags=pygame.BLEND_RGBA_MULT)
        theme.stripes(plate, (255, 255, 255, 20), round(16 * s), round(6 * s))
        plate.blit(theme.rounded_panel(r.size, round(10 * s), (0, 0, 0, 0),
                                       rgba(mix(pal.light, WHITE, 0.4), 230), edge_w=2), (0, 0))
        bg.blit(theme.glow(plate, pal.primary, round(10 * s), strength=0.6),
                (r.x - round(10 * s), r.y - round(10 * s)))
        d = r.height - round(10 * s)
        disc = theme.supersampled((d, d), lambda surf, ss: pygame.draw.ellipse(
            surf, WHITE, surf.get_rect()))
        bg.blit(disc, (r.x + round(6 * s), r.y + round(5 * s)))
        blit_text(bg, self.text.render(str(p + 1), round(30 * s), pal.primary, shadow=False),
                  r.x + round(6 * s) + d / 2, r.centery + round(1 * s))
        label = name or player_tag(p)  # a name is user text: as typed, never translated
        room = r.width - d - round(30 * s)
        size = self.text.fit(label, round(30 * s), room)
        blit_text(bg, self.text.render(label, size, WHITE), r.x + d + round(18 * s),
                  r.centery + round(1 * s), "midleft")

    # frame ---------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface, now_s: float, *, frame: LiveFrame,
             recent: Sequence[Judgement], countdown: float | None = None,
             banners: Sequence[tuple[int, str, bool]] = ()) -> None:
        """Draw one frame at song time ``now_s``.

        Parameters
        ----------
        surface : pygame.Surface
            Re-lays out first if its size differs from the last :meth:`resize`.
        frame : LiveFrame
            What changed in the session, copied at one moment (judged notes, scores,
            the latest offsets, the rolling duet figures).
        recent : sequence of Judgement
            The latest judgements (time order), for pop-ups and lane flashes.
        countdown : float or None
            Seconds to bar 1 during the lead-in: shows 3, 2, 1 in the centre.
        banners : sequence of (player, text, warn)
            Notices over a player's highway (``warn`` draws it in the alarm colour).
        """
        lay = self.layout
        if lay is None or surface.get_size() != lay.size or current_language() != self.language:
            self.resize(surface.get_size())
            lay = self.layout
            assert lay is not None
        # the background, but not under the highways' note areas: their opaque strips cover
        # those whole (copying there too cost a quarter of the frame in memory traffic)
        surface.blits(self._background_pieces, doreturn=False)
        self.top.draw(surface, now_s)
        popup, flashes = self._scan_recent(recent, now_s)
        s = lay.scale
        drawn = 0
        self._frames += 1
        for p in (0, 1):
            figures = frame.players[p]
            drawn += self.highways[p].draw(surface, now_s, figures.judged, flashes[p],
                                           figures.judged_notes,
                                           paint_ahead=self._frames % 2 == p)
            j = popup[p]
            if j is not None:
                r = lay.highways[p]
                self.popups.draw(surface, r.centerx, lay.hit_y - round(170 * s), j[0], j[1])
            self.panels[p].draw(surface, figures.stats)
            self.error_bars[p].draw(surface, now_s, figures.recent_offsets)
        self.notes_in_view = drawn
        window_s = LIVE_WINDOW_BEATS * self.chart.tempo.beat_length_at_s(now_s)
        counting = countdown is not None and countdown > 0
        self.meter.draw(surface, now_s, frame.duet, window_s, ahead=not counting)
        if countdown is not None and counting:
            self._draw_countdown(surface, countdown)
        for player, text, warn in banners:
            self._draw_banner(surface, player, text, warn)

    def _draw_banner(self, surface: pygame.Surface, player: int, text: str, warn: bool) -> None:
        """A notice across one player's highway (a kit unplugged, or back)."""
        lay = self.layout
        assert lay is not None
        s = lay.scale
        r = lay.highways[player]
        lines = text.split("\n")
        h = round((22 + 30 * len(lines)) * s)
        box = pygame.Rect(r.x + round(6 * s), r.y + round(40 * s), r.width - round(12 * s), h)
        colour = theme.VERMILLION if warn else self.palettes[player].primary
        surface.fill(mix((14, 16, 26), colour, 0.25), box)
        pygame.draw.rect(surface, colour, box, width=max(2, round(3 * s)),
                         border_radius=round(6 * s))
        for i, line in enumerate(lines):
            size = self._fit(line, round((22 if i == 0 else 17) * s), box.width - round(16 * s))
            img = self.text.render(line, size, WHITE if i == 0 else theme.TEXT)
            blit_text(surface, img, box.centerx, box.y + round((26 + 30 * i) * s))

    def _fit(self, text: str, size: int, max_width: int) -> int:
        """:meth:`TextCache.fit`, remembered (for text drawn every frame)."""
        key = (text, size, max_width)
        fitted = self._fits.get(key)
        if fitted is None:
            if len(self._fits) > 256:
                self._fits.clear()
            fitted = self._fits[key] = self.text.fit(text, size, max_width)
        return fitted

    def _scan_recent(self, recent: Sequence[Judgement], now_s: float) -> tuple[
            list[tuple[Judgement, float] | None], list[list[tuple[int, float]]]]:
        """Newest pop-up per player and newest hit per (player, lane) still flashing."""
        popup: list[tuple[Judgement, float] | None] = [None, None]
        flashes: list[list[tuple[int, float]]] = [[], []]
        seen: list[set[int]] = [set(), set()]
        horizon = max(theme.POPUP_S, theme.FLASH_S) + 0.3  # judging order is nearly time order
        miss_after = self._miss_after_s
        for j in reversed(recent):
            grade = j.grade
            if grade is STRAY:
                continue
            p = j.player
            age = now_s - judgement_time(j, miss_after[p])
            if age > horizon:
                break
            if age < -0.02:
                continue
            if age < 0:
                age = 0.0
            if popup[p] is None and age < theme.POPUP_S:
                popup[p] = (j, age)
            if grade >= GOOD and age < theme.FLASH_S and j.lane not in seen[p]:
                seen[p].add(j.lane)
                flashes[p].append((j.lane, age))
        return popup, flashes

    def _draw_countdown(self, surface: pygame.Surface, countdown: float) -> None:
        lay = self.layout
        assert lay is not None
        s = lay.scale
        n = math.ceil(countdown)
        phase = n - countdown  # 0 just as the number appears, -> 1
        cx, cy = lay.size[0] // 2, lay.size[1] // 2
        blit_text(surface, self._countdown_disc, cx, cy)
        size = round((120 if phase < 0.12 else 104) * s)
        img = self.text.render(str(n), size, WHITE)
        img.set_alpha(round(255 * (1 - 0.6 * phase)))
        blit_text(surface, img, cx, cy + round(4 * s))
        words = get_ready()
        size = self._fit(words, round(16 * s), lay.centre.width - round(24 * s))
        blit_text(surface, self.text.render(words, size, theme.TEXT_DIM), cx, cy + round(58 * s))
