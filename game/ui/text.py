"""Cached text rendering: a number is rendered again only when it changes.

Rendering a string with a TrueType font costs tens of microseconds; a frame
shows a few dozen strings, most of them the same as last frame. The cache keys
rendered surfaces by ``(text, size, colour, shadow)`` and drops the least
recently used ones beyond a bound, so counters that climb through thousands of
values do not grow it without limit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import pygame

from game.ui.theme import SHADOW, ready

#: Default bound on cached surfaces.
MAX_ENTRIES = 768
#: Bound on laid-out glyph runs (cheap: lists of references to cached glyphs).
MAX_RUNS = 4096


def _ensure_font() -> None:
    if not pygame.font.get_init():
        pygame.font.init()


class TextCache:
    """Renders and caches text surfaces.

    Parameters
    ----------
    max_entries : int
        How many rendered surfaces to keep (least recently used dropped first).
    font_path : str or None
        A TrueType file; None is pygame's bundled bold sans (same on every machine).
    """

    def __init__(self, max_entries: int = MAX_ENTRIES, font_path: str | None = None) -> None:
        self.max_entries = max_entries
        self.font_path = font_path
        self._fonts: dict[int, pygame.font.Font] = {}
        self._cache: OrderedDict[tuple[str, int, tuple[int, ...], bool], pygame.Surface] = (
            OrderedDict())
        self._glyphs: dict[tuple[str, int, tuple[int, ...], bool],
                           tuple[pygame.Surface, int]] = {}
        self._runs: dict[tuple[str, int, Sequence[int], bool],
                         tuple[list[tuple[pygame.Surface, int]], int, int]] = {}
        self.renders = 0  #: how many times text was actually rendered (for tests/bench)

    def font(self, size: int) -> pygame.font.Font:
        """The font at ``size`` (pygame's size units), cached."""
        size = max(6, int(size))
        f = self._fonts.get(size)
        if f is None:
            _ensure_font()
            f = pygame.font.Font(self.font_path, size)
            self._fonts[size] = f
        return f

    def render(self, text: str, size: int, colour: Sequence[int], *,
               shadow: bool = True) -> pygame.Surface:
        """``text`` at ``size`` in ``colour``, with a soft drop shadow unless told not to."""
        key = (text, int(size), tuple(colour), shadow)
        cache = self._cache
        surf = cache.get(key)
        if surf is not None:
            cache.move_to_end(key)
            return surf
        surf = self._render(text, int(size), tuple(colour), shadow)
        cache[key] = surf
        if len(cache) > self.max_entries:
            cache.popitem(last=False)
        return surf

    def _render(self, text: str, size: int, colour: tuple[int, ...],
                shadow: bool) -> pygame.Surface:
        self.renders += 1
        f = self.font(size)
        fg = f.render(text, True, colour[:3])
        if len(colour) > 3:
            fg.set_alpha(colour[3])
        if not shadow:
            return ready(fg)
        off = max(1, size // 18)
        sh = f.render(text, True, SHADOW)
        sh.set_alpha(170)
        w, h = fg.get_size()
        out = pygame.Surface((w + off, h + off), pygame.SRCALPHA)
        out.blit(sh, (off, off))
        out.blit(fg, (0, 0))
        return ready(out)

    def glyph(self, ch: str, size: int, colour: tuple[int, ...],
              shadow: bool = True) -> tuple[pygame.Surface, int]:
        """One character's surface and advance width (cached for good)."""
        key = (ch, size, colour, shadow)
        g = self._glyphs.get(key)
        if g is None:
            g = (self._render(ch, size, colour, shadow), self.font(size).size(ch)[0])
            self._glyphs[key] = g
        return g

    def _run(self, text: str, size: int, col: tuple[int, ...],
             shadow: bool) -> tuple[list[tuple[pygame.Surface, int]], int, int]:
        """Glyphs of ``text`` with their x offsets, and the run's width and height."""
        run = []
        width = 0
        glyphs = self._glyphs
        for ch in text:
            g = glyphs.get((ch, size, col, shadow))
            if g is None:
                g = self.glyph(ch, size, col, shadow)
            run.append((g[0], width))
            width += g[1]
        return run, width, self.font(size).get_height()

    def draw_run(self, surface: pygame.Surface | None, text: str, size: int,
                 colour: Sequence[int], x: float, y: float, anchor: str = "center", *,
                 shadow: bool = True,
                 out: list[tuple[pygame.Surface, tuple[int, int]]] | None = None) -> pygame.Rect:
        """Draw ``text`` glyph by glyph from cached characters, anchored at (x, y).

        For strings that change every frame (scores, counters, clocks): no font
        rendering after the first time each character is seen, only blits. With
        ``out`` the blits are appended there (for one ``fblits`` of many runs)
        instead of drawn. Returns the rectangle covered.
        """
        key = (text, size, colour, shadow)
        laid = self._runs.get(key)
        if laid is None:
            if len(self._runs) > MAX_RUNS:
                self._runs.clear()
            laid = self._run(text, int(size), tuple(colour), shadow)
            self._runs[key] = laid
        run, width, height = laid
        rect = pygame.Rect(0, 0, width, height)
        setattr(rect, anchor, (round(x), round(y)))
        left, top = rect.topleft
        if out is not None:
            out += [(surf, (left + dx, top)) for surf, dx in run]
        elif surface is not None:
            surface.fblits([(surf, (left + dx, top)) for surf, dx in run])
        return rect

    def size_of(self, text: str, size: int) -> tuple[int, int]:
        """Width and height ``text`` takes at ``size``, without rendering it."""
        return self.font(size).size(text)

    def fit(self, text: str, size: int, max_width: int, *, min_size: int = 8) -> int:
        """The largest size <= ``size`` at which ``text`` is at most ``max_width`` wide."""
        s = int(size)
        while s > min_size and self.size_of(text, s)[0] > max_width:
            s -= 1
        return s

    def clear(self) -> None:
        """Forget every rendered surface (fonts are kept)."""
        self._cache.clear()
        self._glyphs.clear()
        self._runs.clear()

    def __len__(self) -> int:
        return len(self._cache)


def blit_text(surface: pygame.Surface, img: pygame.Surface, x: float, y: float,
              anchor: str = "center") -> pygame.Rect:
    """Blit ``img`` with its ``anchor`` point (a pygame.Rect attribute name) at (x, y)."""
    rect = img.get_rect(**{anchor: (round(x), round(y))})
    surface.blit(img, rect)
    return rect
