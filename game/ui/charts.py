"""Small plotting helpers: panels, axes, scatter, histograms, bands and bars drawn into a Rect.

Every helper draws into a ``pygame.Rect`` of a surface and scales its lines,
dots and labels with ``scale`` (1.0 at 720 pixels of window height), so the
same code draws a results screen at 1280x720 and 3840x2160. Colours come from
:mod:`game.ui.theme`; nothing is cached, so call them only when redrawing.
Words are translated where drawn and shrink to fit their room (``max_w``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pygame

from game.ui import theme
from game.ui.i18n import N_, caps, tr
from game.ui.menu import font

RGB = tuple[int, int, int]

GRID = (255, 255, 255, 26)
ZERO_LINE = (255, 255, 255, 70)


def px(n: float, scale: float) -> int:
    """``n`` pixels at 720p, scaled (at least 1)."""
    return max(1, round(n * scale))


def fit_px(s: str, size_px: int, max_w: float, *, min_px: int = 8) -> int:
    """The largest pixel size <= ``size_px`` at which ``s`` is at most ``max_w`` pixels wide."""
    w = font(size_px).size(s)[0]
    if w <= max_w:
        return size_px
    n = max(min_px, min(size_px - 1, int(size_px * max_w / max(1, w))))  # width ~ size
    while n > min_px and font(n).size(s)[0] > max_w:
        n -= 1
    return n


def text(surface: pygame.Surface, s: str, size: float, colour: Sequence[int], *,
         scale: float, max_w: float | None = None,
         **anchor: tuple[int, int] | int) -> pygame.Rect:
    """Render ``s`` at ``size`` (720p pixels) and blit it anchored like ``get_rect(**anchor)``;
    smaller if it would be wider than ``max_w`` pixels."""
    n = px(size, scale)
    if max_w is not None:
        n = fit_px(s, n, max_w)
    img = font(n).render(s, True, colour)
    r = img.get_rect(**anchor)
    surface.blit(img, r)
    return r


def panel(surface: pygame.Surface, rect: pygame.Rect, *, scale: float,
          title: str | None = None, accent: Sequence[int] | None = None,
          reserve: int = 0) -> pygame.Rect:
    """A translucent rounded panel, an optional title and accent stripe; returns the inside.

    ``title`` (translate it first) shrinks to fit, ``reserve`` pixels kept free at its right.
    """
    radius = px(10, scale)
    surface.blit(theme.rounded_panel(rect.size, radius, theme.PANEL, theme.PANEL_EDGE), rect)
    if accent is not None:
        stripe = pygame.Rect(rect.x + radius, rect.y, rect.w - 2 * radius, px(3, scale))
        pygame.draw.rect(surface, accent, stripe, border_radius=px(2, scale))
    pad = px(12, scale)
    inner = rect.inflate(-2 * pad, -2 * pad)
    if title:
        r = text(surface, caps(title), 15, theme.TEXT_DIM, scale=scale,
                 max_w=inner.w - reserve, topleft=(inner.x, inner.y))
        r.h = max(r.h, font(px(15, scale)).get_height())  # the plot starts where it always did
        inner.h -= r.h + px(6, scale)
        inner.y = r.bottom + px(6, scale)
    return inner


def clock(t: float) -> str:
    """Seconds as ``m:ss``."""
    return f"{int(t // 60)}:{int(t % 60):02d}"


def signed(v: float) -> str:
    """A tick label with its sign (``+50``, ``0``, ``-50``)."""
    return f"{v:+g}" if v else "0"


@dataclass(frozen=True, slots=True)
class Axes:
    """Maps data coordinates into a plot rectangle (y grows upwards)."""

    rect: pygame.Rect
    x0: float
    x1: float
    y0: float
    y1: float

    def x(self, v: float) -> float:
        """Pixel x of data ``v`` (clamped to the plot)."""
        t = (v - self.x0) / (self.x1 - self.x0) if self.x1 != self.x0 else 0.5
        return self.rect.x + min(max(t, 0.0), 1.0) * self.rect.w

    def y(self, v: float) -> float:
        """Pixel y of data ``v`` (clamped to the plot)."""
        t = (v - self.y0) / (self.y1 - self.y0) if self.y1 != self.y0 else 0.5
        return self.rect.bottom - min(max(t, 0.0), 1.0) * self.rect.h


def axes(surface: pygame.Surface, area: pygame.Rect, *, x_range: tuple[float, float],
         y_range: tuple[float, float], y_ticks: Sequence[float], scale: float,
         y_fmt: Callable[[float], str] = signed,
         x_ticks: Sequence[float] = (), x_fmt: Callable[[float], str] = lambda v: f"{v:g}",
         ) -> Axes:
    """Grid lines and tick labels in ``area``; returns the :class:`Axes` of the plot inside."""
    label_w = font(px(12, scale)).size(max((y_fmt(v) for v in y_ticks), key=len, default="0"))[0]
    label_h = font(px(12, scale)).get_height() if x_ticks else 0
    plot = pygame.Rect(area.x + label_w + px(6, scale), area.y + px(4, scale),
                       area.w - label_w - px(6, scale), area.h - label_h - px(8, scale))
    ax = Axes(plot, x_range[0], x_range[1], y_range[0], y_range[1])
    layer, at = _overlay(plot, 1)
    for v in y_ticks:
        y = round(ax.y(v))
        pygame.draw.line(layer, ZERO_LINE if v == 0 else GRID, (1, y - at.y),
                         (plot.w + 1, y - at.y), px(1, scale))
        text(surface, y_fmt(v), 12, theme.TEXT_FAINT, scale=scale,
             midright=(plot.x - px(5, scale), y))
    for v in x_ticks:
        x = round(ax.x(v))
        pygame.draw.line(layer, GRID, (x - at.x, 1), (x - at.x, plot.h + 1), px(1, scale))
        text(surface, x_fmt(v), 12, theme.TEXT_FAINT, scale=scale,
             midtop=(x, plot.bottom + px(3, scale)))
    surface.blit(layer, at)
    return ax


def _overlay(rect: pygame.Rect, pad: int) -> tuple[pygame.Surface, pygame.Rect]:
    """A clear layer covering ``rect`` grown by ``pad``, and where it goes."""
    where = rect.inflate(2 * pad, 2 * pad)
    return pygame.Surface(where.size, pygame.SRCALPHA), where


def nice_step(span: float, target: int = 5) -> float:
    """A 1-2-5 step that cuts ``span`` into about ``target`` pieces."""
    if span <= 0:
        return 1.0
    raw = span / max(1, target)
    mag = 10 ** int(f"{raw:e}".split("e")[1])
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)


def ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round tick values from ``lo`` to ``hi`` inclusive."""
    step = nice_step(hi - lo, target)
    first = -(-lo // step) * step
    out, v = [], first
    while v <= hi + 1e-9:
        out.append(round(v, 9) + 0.0)
        v += step
    return out


def band(surface: pygame.Surface, ax: Axes, lo: float, hi: float,
         colour: tuple[int, int, int, int]) -> None:
    """Shade the horizontal band ``lo <= y <= hi``."""
    top, bottom = round(ax.y(hi)), round(ax.y(lo))
    layer = pygame.Surface((ax.rect.w, max(1, bottom - top)), pygame.SRCALPHA)
    layer.fill(colour)
    surface.blit(layer, (ax.rect.x, top))


def scatter(surface: pygame.Surface, ax: Axes, points: Sequence[tuple[float, float]],
            colour: Sequence[int], *, scale: float, radius: float = 2.2,
            alpha: int = 190) -> None:
    """Dots at ``(x, y)`` data points, translucent so dense stretches read as darker."""
    r = max(1.0, radius * scale)
    layer, at = _overlay(ax.rect, round(r) + 1)
    c = theme.rgba(colour, alpha)
    for x, y in points:
        pygame.draw.circle(layer, c, (ax.x(x) - at.x, ax.y(y) - at.y), r)
    surface.blit(layer, at)


def polyline(surface: pygame.Surface, ax: Axes, points: Sequence[tuple[float, float]],
             colour: Sequence[int], *, scale: float, width: float = 1.5,
             alpha: int = 140) -> None:
    """A line through the data points, in order."""
    if len(points) < 2:
        return
    w = px(width, scale)
    layer, at = _overlay(ax.rect, w + 1)
    pts = [(ax.x(x) - at.x, ax.y(y) - at.y) for x, y in points]
    pygame.draw.lines(layer, theme.rgba(colour, alpha), False, pts, w)
    surface.blit(layer, at)


def bin_counts(values: Sequence[float], *, bin_w: float, lo: float, hi: float) -> list[int]:
    """Counts of ``values`` in bins of ``bin_w`` from ``lo`` to ``hi``; outside ones clamp in."""
    n = max(1, round((hi - lo) / bin_w))
    counts = [0] * n
    for v in values:
        counts[min(max(int((v - lo) // bin_w), 0), n - 1)] += 1
    return counts


def histogram(surface: pygame.Surface, ax: Axes, values: Sequence[float], colour: Sequence[int],
              *, bin_w: float, scale: float, alpha: int = 120) -> None:
    """Translucent bars of ``values`` binned along x (y axis: counts), with a bright outline."""
    counts = bin_counts(values, bin_w=bin_w, lo=ax.x0, hi=ax.x1)
    lw = px(1.5, scale)
    layer, at = _overlay(ax.rect, lw + 1)
    ox, oy = at.x, at.y
    outline: list[tuple[float, float]] = [(ax.x(ax.x0) - ox, ax.y(0) - oy)]
    for k, c in enumerate(counts):
        left, right = ax.x(ax.x0 + k * bin_w) - ox, ax.x(ax.x0 + (k + 1) * bin_w) - ox
        top = ax.y(c) - oy
        if c:
            pygame.draw.rect(layer, theme.rgba(colour, alpha),
                             pygame.Rect(round(left), round(top), max(1, round(right - left)),
                                         max(1, round(ax.y(0) - oy - top))))
        outline += [(left, top), (right, top)]
    outline.append((ax.x(ax.x1) - ox, ax.y(0) - oy))
    pygame.draw.lines(layer, theme.rgba(colour, 235), False, outline, lw)
    surface.blit(layer, at)


def stacked_bar(surface: pygame.Surface, rect: pygame.Rect,
                parts: Sequence[tuple[float, Sequence[int]]], *, scale: float) -> None:
    """One horizontal bar split in proportion to ``(value, colour)`` parts (empty: a track)."""
    radius = rect.h // 2
    pygame.draw.rect(surface, (40, 44, 64), rect, border_radius=radius)
    total = sum(max(0.0, v) for v, _ in parts)
    if total <= 0:
        return
    clip = pygame.Surface(rect.size, pygame.SRCALPHA)
    x = 0.0
    for v, colour in parts:
        w = rect.w * max(0.0, v) / total
        if w > 0:
            pygame.draw.rect(clip, colour, pygame.Rect(round(x), 0, round(x + w) - round(x),
                                                       rect.h))
        x += w
    mask = pygame.Surface(rect.size, pygame.SRCALPHA)
    pygame.draw.rect(mask, (255, 255, 255, 255), mask.get_rect(), border_radius=radius)
    clip.blit(mask, (0, 0), special_flags=pygame.BLEND_RGBA_MIN)
    surface.blit(clip, rect)


def tick_bar(surface: pygame.Surface, rect: pygame.Rect, offsets_ms: Sequence[float], *,
             limit_ms: float, colour: Sequence[int], scale: float,
             marker_ms: float | None = None, fresh: int = 1) -> None:
    """An early/late bar: a tick per offset (ms), centre = on time, ``marker_ms`` a triangle.

    The last ``fresh`` ticks are drawn taller and brighter.
    """
    pygame.draw.rect(surface, (30, 34, 52), rect, border_radius=px(6, scale))
    cx = rect.centerx
    for frac, alpha in ((0.25, 40), (0.5, 55), (1.0, 0)):
        if alpha:
            for sign in (-1, 1):
                x = cx + sign * frac * rect.w / 2
                pygame.draw.line(surface, theme.mix((30, 34, 52), theme.WHITE, alpha / 255),
                                 (x, rect.y + px(4, scale)), (x, rect.bottom - px(4, scale)),
                                 px(1, scale))
    pygame.draw.line(surface, theme.TEXT, (cx, rect.y - px(4, scale)),
                     (cx, rect.bottom + px(4, scale)), px(2, scale))
    half = rect.w / 2

    def xpos(ms: float) -> float:
        return cx + min(max(ms / limit_ms, -1.0), 1.0) * (half - px(3, scale))

    n = len(offsets_ms)
    for i, ms in enumerate(offsets_ms):
        new = i >= n - fresh
        inset = px(3, scale) if new else px(10, scale)
        c = colour if new else theme.mix(colour, (30, 34, 52), 0.45)
        x = xpos(ms)
        pygame.draw.line(surface, c, (x, rect.y + inset), (x, rect.bottom - inset),
                         px(3 if new else 2, scale))
    if marker_ms is not None:
        x = xpos(marker_ms)
        s = px(9, scale)
        y = rect.bottom + px(3, scale)
        pygame.draw.polygon(surface, theme.YELLOW, [(x, y), (x - s, y + s * 1.4),
                                                     (x + s, y + s * 1.4)])


# the results screen's pictures ------------------------------------------------------
OffsetSeries = Sequence[tuple[Sequence[tuple[float, float]], Sequence[int]]]


def _legend_width(n: int, scale: float) -> int:
    """How wide :func:`_legend` of ``n`` players is, with a gap before it."""
    f = font(px(13, scale))
    return sum(f.size(theme.player_tag(i))[0] + px(10, scale) for i in range(n)) + px(6, scale)


def _legend(surface: pygame.Surface, inner: pygame.Rect, colours: Sequence[Sequence[int]],
            scale: float) -> None:
    x = inner.right
    for i in range(len(colours) - 1, -1, -1):
        r = text(surface, theme.player_tag(i), 13, colours[i], scale=scale,
                 topright=(x, inner.y - px(22, scale)))
        x = r.x - px(10, scale)


def _corner(surface: pygame.Surface, ax: Axes, s: str, colour: Sequence[int], scale: float,
            *, top: bool, right: bool = True) -> None:
    x = ax.rect.right - px(4, scale) if right else ax.rect.x + px(4, scale)
    y = ax.rect.y + px(2, scale) if top else ax.rect.bottom - px(2, scale)
    key = ("top" if top else "bottom") + ("right" if right else "left")
    text(surface, s, 11, colour, scale=scale, max_w=ax.rect.w / 2 - px(8, scale),
         **{key: (x, y)})


# TRANSLATORS: corner label of a timing chart: hits after the note's time are this side
LATE = N_("late")
# TRANSLATORS: corner label of a timing chart: hits before the note's time are this side
EARLY = N_("early")


def _time_axes(surface: pygame.Surface, inner: pygame.Rect, length_s: float, lim: float,
               scale: float) -> Axes:
    return axes(surface, inner, x_range=(0.0, length_s), y_range=(-lim, lim),
                y_ticks=ticks(-lim, lim, 4), scale=scale, x_fmt=clock,
                x_ticks=ticks(0, length_s, 4)[:-1] or [0.0])


def offset_scatter(surface: pygame.Surface, rect: pygame.Rect, series: OffsetSeries, *,
                   length_s: float, window_ms: float, perfect_ms: float, scale: float) -> None:
    """Each player's hit offsets over the song: x note time (s), y offset (ms, late up).

    ``series`` holds ``(offsets, colour)`` per player, offsets as ``(note_time_s, offset_s)``.
    """
    # TRANSLATORS: results, title of a chart: each hit's timing (early/late) over the song
    inner = panel(surface, rect, scale=scale, title=tr("Hit timing over the song"),
                  reserve=_legend_width(len(series), scale))
    _legend(surface, inner, [c for _, c in series], scale)
    ax = _time_axes(surface, inner, length_s, window_ms, scale)
    band(surface, ax, -perfect_ms, perfect_ms, (255, 255, 255, 14))
    for offsets, colour in series:
        scatter(surface, ax, [(t, o * 1e3) for t, o in offsets], colour, scale=scale)
    _corner(surface, ax, tr(LATE), theme.TEXT_FAINT, scale, top=True)
    _corner(surface, ax, tr(EARLY), theme.TEXT_FAINT, scale, top=False)


def offset_histogram(surface: pygame.Surface, rect: pygame.Rect, series: OffsetSeries, *,
                     limit_ms: float, scale: float, bin_ms: float = 5.0) -> None:
    """Each player's offsets binned by ``bin_ms`` over ``±limit_ms``, overlaid."""
    # TRANSLATORS: results, title of a histogram of hit timings; {ms} is the width of one bar
    title = tr("Timing spread ({ms} ms bins)").format(ms=f"{bin_ms:g}")
    inner = panel(surface, rect, scale=scale, title=title,
                  reserve=_legend_width(len(series), scale))
    _legend(surface, inner, [c for _, c in series], scale)
    lim = bin_ms * -(-limit_ms // bin_ms)
    values = [[o * 1e3 for _, o in offsets] for offsets, _ in series]
    peak = max((max(bin_counts(v, bin_w=bin_ms, lo=-lim, hi=lim)) for v in values if v),
               default=1)
    ax = axes(surface, inner, x_range=(-lim, lim), y_range=(0, peak * 1.1),
              y_ticks=ticks(0, peak, 3), y_fmt=lambda v: f"{v:g}", scale=scale,
              x_ticks=ticks(-lim, lim, 4), x_fmt=signed)
    zero = round(ax.x(0))
    pygame.draw.line(surface, (120, 126, 150), (zero, ax.rect.y), (zero, ax.rect.bottom),
                     px(1, scale))
    for v, (_, colour) in zip(values, series, strict=True):
        histogram(surface, ax, v, colour, bin_w=bin_ms, scale=scale, alpha=90)
    _corner(surface, ax, tr(EARLY), theme.TEXT_FAINT, scale, top=True, right=False)
    _corner(surface, ax, tr(LATE), theme.TEXT_FAINT, scale, top=True)


def asynchrony_chart(surface: pygame.Surface, rect: pygame.Rect,
                     points: Sequence[tuple[float, float]], *, length_s: float,
                     band_ms: float, scale: float) -> None:
    """The pair's gap ``d = t_P1 - t_P2`` (ms) at each shared note time (s), in-sync band shaded.

    Dots inside ``±band_ms`` are green, outside purple; positive ``d``: P2 was ahead.
    """
    # TRANSLATORS: results, chart title: how far apart the players' hits were ({p1} minus {p2})
    inner = panel(surface, rect, scale=scale, title=tr("Together: {p1} - {p2} gap (ms)").format(
        p1=theme.player_tag(0), p2=theme.player_tag(1)))
    lim = max(50.0, min(120.0, max((abs(d) for _, d in points), default=0.0)))
    ax = _time_axes(surface, inner, length_s, 10.0 * -(-lim // 10.0), scale)
    band(surface, ax, -band_ms, band_ms, theme.rgba(theme.BLUISH_GREEN, 46))
    polyline(surface, ax, points, theme.TEXT_DIM, scale=scale, width=1, alpha=60)
    scatter(surface, ax, [p for p in points if abs(p[1]) <= band_ms], theme.SYNC_COLOURS["tight"],
            scale=scale, radius=2.0)
    scatter(surface, ax, [p for p in points if abs(p[1]) > band_ms], theme.REDDISH_PURPLE,
            scale=scale, radius=2.0)
    _corner(surface, ax, ahead_of(1), theme.PALETTES[1].light, scale, top=True)
    _corner(surface, ax, ahead_of(0), theme.PALETTES[0].light, scale, top=False)


def ahead_of(player: int) -> str:
    """``"P1 ahead"``: this side of a chart is where ``player`` played first."""
    # TRANSLATORS: corner of the results' sync chart: notes {player} (P1 or P2) played first
    return tr("{player} ahead").format(player=theme.player_tag(player))
