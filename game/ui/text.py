"""Cached text rendering: a number is rendered again only when it changes.

Every string is drawn through the font fallback chain of :mod:`game.ui.fonts`,
so a name in Hangul, kana or Cyrillic shows real glyphs.

Rendering a string with a TrueType font costs tens of microseconds; a frame
shows a few dozen strings, most of them the same as last frame. The cache keys
rendered surfaces by ``(text, size, colour, shadow)`` and drops the least
recently used ones beyond a bound, so counters that climb through thousands of
values do not grow it without limit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence

import pygame

from game.ui.fonts import ChainFont, FontChain, default_chain
from game.ui.probe import note_text
from game.ui.theme import SHADOW, ready

#: Default bound on cached surfaces.
MAX_ENTRIES = 768
#: Bound on laid-out glyph runs (cheap: lists of references to cached glyphs).
MAX_RUNS = 4096


class TextCache:
    """Renders and caches text surfaces.

    Parameters
    ----------
    max_entries : int
        How many rendered surfaces to keep (least recently used dropped first).
    chain : FontChain or None
        The fonts to draw with; None is the game's chain (pygame's bundled bold
        sans first, the same on every machine, then the bundled Noto fonts).
    """

    def __init__(self, max_entries: int = MAX_ENTRIES, chain: FontChain | None = None) -> None:
        self.max_entries = max_entries
        self._chain = chain
        self._cache: OrderedDict[tuple[str, int, tuple[int, ...], bool], pygame.Surface] = (
            OrderedDict())
        self._glyphs: dict[tuple[str, int, tuple[int, ...], bool],
                           tuple[pygame.Surface, int]] = {}
        self._runs: dict[tuple[str, int, Sequence[int], bool],
                         tuple[list[tuple[pygame.Surface, int]], int, int]] = {}
        self._fits: dict[tuple[str, int, int, int], int] = {}
        self.renders = 0  #: how many times text was actually rendered (for tests/bench)

    @property
    def chain(self) -> FontChain:
        """The font chain drawing this cache's text."""
        if self._chain is None:
            self._chain = default_chain()
        return self._chain

    def font(self, size: int) -> ChainFont:
        """The chain at ``size`` (pygame's size units)."""
        return ChainFont(self.chain, size)

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
            return note_text(ready(fg), text)
        off = max(1, size // 18)
        sh = f.render(text, True, SHADOW)
        sh.set_alpha(170)
        w, h = fg.get_size()
        out = pygame.Surface((w + off, h + off), pygame.SRCALPHA)
        out.blit(sh, (off, off))
        out.blit(fg, (0, 0))
        return note_text(ready(out), text)

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
        """Glyphs of ``text`` with their x offsets, and the run's width and height.

        Text beyond ASCII (a name, a title) is laid out whole, not per character,
        so its fonts share one baseline and its clusters stay together.
        """
        if not text.isascii():
            img = self.render(text, size, col, shadow=shadow)
            return [(img, 0)], img.get_width(), img.get_height()
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
        return self.chain.size(text, max(6, int(size)))

    def fit(self, text: str, size: int, max_width: int, *, min_size: int = 8) -> int:
        """The largest size <= ``size`` at which ``text`` is at most ``max_width`` wide.

        Remembered: menus fit their labels on every frame, and measuring a string
        beyond ASCII goes through the font chain once per size tried.
        """
        key = (text, int(size), int(max_width), int(min_size))
        found = self._fits.get(key)
        if found is None:
            found = int(size)
            while found > min_size and self.size_of(text, found)[0] > max_width:
                found -= 1
            if len(self._fits) > MAX_RUNS:
                self._fits.clear()
            self._fits[key] = found
        return found

    def clear(self) -> None:
        """Forget every rendered surface (fonts are kept)."""
        self._cache.clear()
        self._glyphs.clear()
        self._runs.clear()
        self._fits.clear()

    def __len__(self) -> int:
        return len(self._cache)


def blit_text(surface: pygame.Surface, img: pygame.Surface, x: float, y: float,
              anchor: str = "center") -> pygame.Rect:
    """Blit ``img`` with its ``anchor`` point (a pygame.Rect attribute name) at (x, y)."""
    rect = img.get_rect(**{anchor: (round(x), round(y))})
    surface.blit(img, rect)
    return rect


#: Characters a line may not start with (Japanese kinsoku: closing marks, small kana).
NO_LINE_START = frozenset("、。，．・：；？！ー）」』】〕〉》”’"
                          "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ,.!?:;)]}%")


def _is_cjk(ch: str) -> bool:
    """Scripts written without spaces between words: kana, ideographs, CJK punctuation."""
    cp = ord(ch)
    return (0x3000 <= cp <= 0x30FF or 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF
            or 0xFF00 <= cp <= 0xFFEF)


def _break_units(s: str) -> list[str]:
    """``s`` as units a line may break after: words with their space, single CJK characters."""
    units: list[str] = []
    for k, word in enumerate(s.split(" ")):
        sep = " " if k else ""
        if not any(_is_cjk(c) for c in word):
            units.append(sep + word)
            continue
        piece = sep
        for ch in word:
            if piece.strip() and ch not in NO_LINE_START and (_is_cjk(ch) or _is_cjk(piece[-1])):
                units.append(piece)
                piece = ""
            piece += ch
        units.append(piece)
    return [u for u in units if u]


def wrap_text(s: str, max_w: float, width: Callable[[str], float]) -> list[str]:
    """``s`` broken into lines no wider than ``max_w`` as measured by ``width``.

    Breaks at spaces, and between the characters of Japanese or Chinese text
    (except before closing punctuation). A single unit wider than ``max_w``
    gets a line of its own.
    """
    lines: list[str] = []
    for unit in _break_units(s):
        if lines and width(lines[-1] + unit) <= max_w:
            lines[-1] += unit
        else:
            lines.append(unit.lstrip(" "))
    return [line.rstrip(" ") for line in lines if line.strip()]
