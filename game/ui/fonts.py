"""Text in every script: a per-character font fallback chain.

pygame's bundled bold sans (the game's look) covers Latin, Greek and Cyrillic
but not Hangul, kana or kanji: on its own a Korean name is a row of empty
boxes. A :class:`FontChain` holds fonts in order of preference and draws each
character with the first font that has it:

1. pygame's bundled bold sans (``freesansbold.ttf``);
2. ``game/fonts/NotoSans-Bold.subset.ttf``: every accented Latin letter,
   Vietnamese, IPA, Greek and Cyrillic extensions, symbols;
3. ``game/fonts/NotoSansCJK-Bold.subset.otf``: every Hangul syllable and jamo,
   kana, and the common ideographs of Japanese, Chinese and Korean;
4. the fonts installed on the system, looked at only for a character none of
   the bundled fonts has (bounded: see :data:`SYSTEM_SCAN_BUDGET_S`);
5. a visible replacement, U+FFFD, for a character no font has. The text
   itself is never changed: only its drawing.

Stages of :meth:`FontChain.render`: split the string into runs by font (a
combining mark stays with its base character), render each run with its font
at the same em size, and place the runs side by side on one baseline. Which
font covers a character is read from the fonts' character maps and remembered:
for the bundled fonts and pygame's, from the coverage files written beside
them by ``tools/build_fonts.py`` (``<font>.cmap.json``, a few ms to read);
for any other font, or a pygame font of another size than recorded, with
fontTools (imported only then).
Rendered runs are cached by :class:`game.ui.text.TextCache`, not here.
"""

from __future__ import annotations

import bisect
import json
import os
import threading
import time
import unicodedata
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pygame

from game.ui.probe import note_text
from game.ui.system_fonts import preference, system_font_files

#: pygame scales the size of its bundled font by this (``Font(None, size)``);
#: the fallback fonts are opened at the same em size so that scripts match.
DEFAULT_FONT_SCALE = 0.6875
#: Drawn for a character that no font has.
REPLACEMENT = "\ufffd"
#: Total time spent reading system fonts' character maps, per process.
SYSTEM_SCAN_BUDGET_S = 0.5
_BUNDLED = ("NotoSans-Bold.subset.ttf", "NotoSansCJK-Bold.subset.otf")


@dataclass(frozen=True, slots=True)
class FontFile:
    """One font of the chain.

    Attributes
    ----------
    path : str or None
        The font file; None is pygame's bundled default font.
    label : str
        Short name for logs and tests.
    """

    path: str | None
    label: str


def bundled_font_dir() -> Path:
    """The folder of the fonts shipped with the game (``game/fonts``)."""
    return Path(str(resources.files("game.fonts")))


def default_chain_files() -> list[FontFile]:
    """pygame's bold sans, then the bundled Noto subsets (the chain before system fonts)."""
    folder = bundled_font_dir()
    files = [FontFile(None, "pygame-default")]
    files += [FontFile(str(folder / name), name) for name in _BUNDLED if (folder / name).is_file()]
    return files


def _default_font_path() -> str:
    return str(Path(pygame.__file__).parent / pygame.font.get_default_font())


class CodepointRanges:
    """A set of code points stored as sorted [first, last] ranges (``in`` by bisection)."""

    __slots__ = ("_firsts", "_lasts")

    def __init__(self, ranges: Iterable[Sequence[int]]) -> None:
        pairs = sorted((int(r[0]), int(r[1])) for r in ranges)
        self._firsts = [a for a, _ in pairs]
        self._lasts = [b for _, b in pairs]

    def __contains__(self, cp: object) -> bool:
        if not isinstance(cp, int):
            return False
        i = bisect.bisect_right(self._firsts, cp) - 1
        return i >= 0 and cp <= self._lasts[i]


def coverage_file(path: str) -> Path:
    """Where the coverage of the font at ``path`` is recorded (``game/fonts``)."""
    return bundled_font_dir() / (Path(path).name + ".cmap.json")


def read_coverage(path: str) -> CodepointRanges | None:
    """The recorded coverage of the font at ``path``; None when there is none, or the
    font file is not the one it was recorded for (its size differs)."""
    record = coverage_file(path)
    try:
        doc = json.loads(record.read_text(encoding="utf-8"))
        if int(doc["font_bytes"]) != os.path.getsize(path):
            return None
        return CodepointRanges(doc["ranges"])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def read_cmap(path: str) -> frozenset[int]:
    """The code points a font file maps to glyphs (the first face of a collection)."""
    from fontTools.ttLib import TTCollection, TTFont  # lazy: only for text beyond ASCII

    if path.lower().endswith(".ttc"):
        font = TTCollection(path, lazy=True).fonts[0]
    else:
        font = TTFont(path, lazy=True, fontNumber=0)
    try:
        cmap = font.getBestCmap() or {}
    finally:
        font.close()
    return frozenset(cmap)


def is_mark(ch: str) -> bool:
    """True for a character that belongs to the one before it (combining mark, joiner,
    variation selector): it is drawn with its base character's font."""
    if ch in "\u200d\u200c" or "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef":
        return True
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


class FontChain:
    """Fonts in order of preference; each character drawn with the first that has it.

    Parameters
    ----------
    files : sequence of FontFile, optional
        The chain before system fonts; default :func:`default_chain_files`.
    system_fonts : bool
        Also look in the system's fonts for characters none of ``files`` has.

    Notes
    -----
    Called from the main thread only (pygame fonts are not thread-safe).
    """

    def __init__(self, files: Sequence[FontFile] | None = None, *,
                 system_fonts: bool = True) -> None:
        self.files: list[FontFile] = list(files if files is not None else default_chain_files())
        self._cmaps: list[Container[int] | None] = [None] * len(self.files)
        self._fonts: dict[tuple[int, int], pygame.font.Font] = {}
        self._which: dict[str, int] = {}
        self._system_left: list[str] | None = None if system_fonts else []
        self._system_spent_s = 0.0
        self._lock = threading.Lock()

    # coverage -----------------------------------------------------------------------
    def _cmap(self, index: int) -> Container[int]:
        cmap = self._cmaps[index]
        if cmap is None:
            path = self.files[index].path or _default_font_path()
            cmap = read_coverage(path)
            if cmap is None:
                try:
                    cmap = read_cmap(path)
                except Exception:  # an unreadable system font covers nothing
                    cmap = frozenset()
            self._cmaps[index] = cmap
        return cmap

    def font_index(self, ch: str) -> int:
        """Index in :attr:`files` of the font drawing ``ch``; -1 when no font has it."""
        found = self._which.get(ch)
        if found is not None:
            return found
        cp = ord(ch)
        if 0x20 <= cp < 0x7F:
            found = 0  # printable ASCII: every chain starts with a font that has it
        else:
            found = next((i for i in range(len(self.files)) if cp in self._cmap(i)), -1)
            if found < 0 and not is_mark(ch) and unicodedata.category(ch)[0] != "C":
                found = self._from_system(cp)
        self._which[ch] = found
        return found

    def covers(self, ch: str) -> bool:
        """True when some font of the chain has a glyph for ``ch``."""
        return self.font_index(ch) >= 0

    def _from_system(self, cp: int) -> int:
        """Add the first system font that has ``cp`` to the chain (bounded in time)."""
        with self._lock:
            if self._system_left is None:
                known = {f.path for f in self.files}
                self._system_left = sorted(
                    (p for p in system_font_files() if p not in known), key=preference)
            while self._system_left and self._system_spent_s < SYSTEM_SCAN_BUDGET_S:
                path = self._system_left.pop(0)
                t0 = time.perf_counter()
                try:
                    cmap = read_cmap(path)
                except Exception:
                    cmap = frozenset()
                self._system_spent_s += time.perf_counter() - t0
                if cmap:
                    self.files.append(FontFile(path, Path(path).name))
                    self._cmaps.append(cmap)
                    self._which.clear()  # characters missed before may be here
                    if cp in cmap:
                        return len(self.files) - 1
        return -1

    # runs ---------------------------------------------------------------------------
    def runs(self, text: str) -> Iterator[tuple[int, str]]:
        """``text`` split into (font index, run) pairs; -1 runs are drawn as U+FFFD.

        A combining mark, joiner or variation selector stays in its base
        character's run whatever font has it, so a cluster is never split.
        """
        if text.isascii():
            yield 0, text
            return
        current, start = None, 0
        for i, ch in enumerate(text):
            idx = current if (current is not None and i and is_mark(ch)) else self.font_index(ch)
            if idx != current:
                if current is not None:
                    yield current, text[start:i]
                current, start = idx, i
        if current is not None:
            yield current, text[start:]

    def font(self, index: int, size: int) -> pygame.font.Font:
        """Font ``index`` of the chain at ``size`` (pygame's size units of the bundled font)."""
        size = max(6, int(size))
        key = (index, size)
        f = self._fonts.get(key)
        if f is None:
            if not pygame.font.get_init():
                pygame.font.init()
            path = self.files[index].path
            if path is None:
                f = pygame.font.Font(None, size)
            else:
                f = pygame.font.Font(path, max(1, round(size * DEFAULT_FONT_SCALE)))
            self._fonts[key] = f
        return f

    def _pieces(self, text: str, size: int) -> list[tuple[pygame.font.Font, str]]:
        pieces = []
        for idx, run in self.runs(text):
            if idx < 0:
                rep = self.font_index(REPLACEMENT)
                idx, run = (rep, REPLACEMENT * len(run)) if rep >= 0 else (0, "?" * len(run))
            pieces.append((self.font(idx, size), run))
        return pieces

    @staticmethod
    def _extent(pieces: Sequence[tuple[pygame.font.Font, str]],
                base: pygame.font.Font) -> tuple[int, int]:
        """Ascent and descent of the line: the first font's, grown to fit every glyph's ink."""
        ascent, descent = base.get_ascent(), -base.get_descent()
        for f, run in pieces:
            for m in f.metrics(run):
                if m is not None:
                    ascent = max(ascent, m[3] + 1)
                    descent = max(descent, -m[2] + 1)
        return ascent, descent

    def size(self, text: str, size: int) -> tuple[int, int]:
        """Width and height ``text`` takes at ``size``, without rendering it."""
        base = self.font(0, size)
        if text.isascii():
            return base.size(text)
        pieces = self._pieces(text, size)
        ascent, descent = self._extent(pieces, base)
        return sum(f.size(run)[0] for f, run in pieces), ascent + descent

    def ascent(self, text: str, size: int) -> int:
        """Pixels from the top of ``text``'s surface to its baseline."""
        base = self.font(0, size)
        if text.isascii():
            return base.get_ascent()
        return self._extent(self._pieces(text, size), base)[0]

    def render(self, text: str, size: int, colour: Sequence[int]) -> pygame.Surface:
        """``text`` anti-aliased in ``colour`` (RGB) on a transparent surface."""
        base = self.font(0, size)
        rgb = tuple(colour[:3])
        if text.isascii():
            return note_text(base.render(text, True, rgb), text)
        pieces = self._pieces(text, size)
        ascent, descent = self._extent(pieces, base)
        width = sum(f.size(run)[0] for f, run in pieces)
        out = pygame.Surface((max(1, width), ascent + descent), pygame.SRCALPHA)
        x = 0
        for f, run in pieces:
            img = f.render(run, True, rgb)
            # SDL_ttf puts the baseline at the font's ascent, lower when a glyph
            # (an accented capital) reaches above it.
            tops = [m[3] for m in f.metrics(run) if m is not None]
            baseline = max([f.get_ascent(), *tops])
            out.blit(img, (x, ascent - baseline))
            x += f.size(run)[0]
        return note_text(out, text)


_DEFAULT: FontChain | None = None


def default_chain() -> FontChain:
    """The game's chain (pygame's bold sans, the bundled Noto fonts, system fonts)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = FontChain()
    return _DEFAULT


class ChainFont:
    """A :class:`FontChain` at one size, with the parts of ``pygame.font.Font`` the game uses.

    Parameters
    ----------
    chain : FontChain
    size : int
        pygame's size units of the bundled font.
    """

    __slots__ = ("chain", "size_units")

    def __init__(self, chain: FontChain, size: int) -> None:
        self.chain = chain
        self.size_units = max(6, int(size))

    def render(self, text: str, antialias: bool, colour: Sequence[int]) -> pygame.Surface:
        """``text`` in ``colour`` (always anti-aliased)."""
        return self.chain.render(text, self.size_units, colour)

    def size(self, text: str) -> tuple[int, int]:
        """Width and height of ``text``."""
        return self.chain.size(text, self.size_units)

    def get_height(self) -> int:
        """Line height of the first font."""
        return self.chain.font(0, self.size_units).get_height()

    def get_ascent(self) -> int:
        """Ascent of the first font."""
        return self.chain.font(0, self.size_units).get_ascent()


def chain_font(size: int) -> ChainFont:
    """The game's chain at ``size`` (a drop-in for ``pygame.font.Font(None, size)``)."""
    return ChainFont(default_chain(), size)
