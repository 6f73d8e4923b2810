"""Every screen in English, Korean and Japanese at two window sizes: is the layout sound?

Each screen of ``tests/screens.py`` is drawn under the layout probe and checked:

1. **window**: every drawn string's ink lies inside the window;
2. **panel**: a string on a panel stays inside it. The panel a string belongs
   to is the smallest one containing its centre; it must hold the whole ink.
   A string whose centre is on no panel, or on another one, must not reach
   into a panel either (it runs across that panel's edge). Two panels may not
   overlap unless one holds the other, nor leave the window. Panels and
   strings under a pause veil are only compared with each other;
3. **overlap**: no two different strings of a layer cover more than
   :data:`OVERLAP_SHARE` of the smaller one's ink (the same string drawn twice
   a few pixels apart, a shadow, does not count);
4. **english** (Korean and Japanese only): no run of three or more Latin
   letters is left, apart from :data:`ALLOWED_LATIN`, the fixtures' data (see
   ``screens.fixture_latin``), paths and file names, what a file reader says
   is wrong after a file's name (its errors stay English), and Latin words the
   translators themselves wrote in the language's ``.po`` (a keycap kept in
   a translation: "Enter 키를 누르세요"). Strings the game pre-renders into
   a layer of its own (the gameplay screen's labels) are not placed on the
   screen; they are checked for English too.

Tolerance: :data:`TOL` pixels. ``python tools/screens.py`` runs the same checks
and saves a PNG of every screen.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import combinations

import pygame
import pytest
from screens import SCREENS, ScreenSurface, draw_screen, fixture_latin, rendered_strings

from game.ui.i18n import DOMAIN, locale_dir
from game.ui.probe import LayoutProbe, Placed

LANGUAGES = ("en", "ko", "ja")
SIZES = ((1280, 720), (1024, 768))
#: Pixels a string may stray (anti-aliasing, rounding).
TOL = 2
#: Two strings overlap when they share more than this fraction of the smaller one's ink.
OVERLAP_SHARE = 0.15
#: Latin text that belongs on a Korean or Japanese screen: the game's name, units,
#: keycaps, other games' names (case-insensitive, whole words).
ALLOWED_LATIN = ("Drum Diplomacy", "DRUM", "DIPLOMACY", "BPM", "ms", "dB", "MIDI", "P1", "P2",
                 "Esc", "Enter", "Tab", "Space", "Backspace", "Shift", "osu!", "Clone Hero",
                 "OK", "pip install")
LATIN_RUN = re.compile(r"[A-Za-z]{3,}")
#: A path (from the root, home or a drive, or with two separators) or a song or data file.
PATH_OR_FILE = re.compile(
    r"(?<!\S)(?:[A-Za-z]:)?[\\/~]\S*|(?<!\S)\S+[\\/]\S+[\\/]\S*|[\w.-]+\.(?:beatmap|chart|"
    r"mid|ini|osu|osz|ogg|wav|mp3|flac|toml|json|png|sqlite3|ddreplay)\b", re.IGNORECASE)
#: What a file's reader says is wrong with it, after the file's name ("song.chart, line 3:
#: expected ..."): the reader's own words, which stay English like the command line's errors.
FILE_ERROR = re.compile(r"(?:[\\/]\S+|\.\w+)(?:, line \d+)?: .*$")
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)\w|%\w")
Layered = list[tuple[int, Placed]]


def _fmt(r: pygame.Rect) -> str:
    return f"({r.x},{r.y} {r.w}x{r.h})"


def _inside(r: pygame.Rect, box: pygame.Rect, tol: int = TOL) -> bool:
    return (r.left >= box.left - tol and r.top >= box.top - tol
            and r.right <= box.right + tol and r.bottom <= box.bottom + tol)


def outside_window(placed: Layered, size: tuple[int, int]) -> list[str]:
    """Strings (and panels) not wholly inside the window."""
    window = pygame.Rect((0, 0), size)
    return [f"window: {_what(t)} at {_fmt(t.rect)} leaves the {size[0]}x{size[1]} window"
            for _, t in placed if not _inside(t.rect, window)]


def _what(p: Placed) -> str:
    return "a panel" if p.text is None else repr(p.text)


def panel_overflows(texts: Layered, frames: Layered) -> list[str]:
    """Strings running out of their panel, or across another panel's edge."""
    out = []
    for layer, t in texts:
        panels = [f.rect for k, f in frames if k == layer]
        homes = [p for p in panels if p.collidepoint(t.rect.center)]
        home = min(homes, key=lambda p: p.w * p.h) if homes else None
        if home is not None and not _inside(t.rect, home):
            out.append(f"panel: {t.text!r} at {_fmt(t.rect)} runs out of its panel "
                       f"{_fmt(home)}")
            continue
        core = t.rect.inflate(-2 * TOL, -2 * TOL)
        for p in panels:
            if (p != home and not p.collidepoint(t.rect.center) and core.colliderect(p)
                    and not _inside(t.rect, p)):
                out.append(f"panel: {t.text!r} at {_fmt(t.rect)} runs across the edge of "
                           f"panel {_fmt(p)}")
                break
    return out


def panels_crossing(frames: Layered) -> list[str]:
    """Panels of one layer overlapping without one holding the other (a row of keycaps
    running out of its card into the next one)."""
    out = []
    for (la, a), (lb, b) in combinations(frames, 2):
        if (la == lb and a.rect.inflate(-2 * TOL, -2 * TOL).colliderect(b.rect)
                and not _inside(a.rect, b.rect) and not _inside(b.rect, a.rect)):
            out.append(f"panel: a panel at {_fmt(a.rect)} runs across the edge of the panel "
                       f"at {_fmt(b.rect)}")
    return out


def overlaps(texts: Layered) -> list[str]:
    """Pairs of different strings of one layer drawn over each other."""
    out = []
    for (la, a), (lb, b) in combinations(texts, 2):
        if la != lb or not a.rect.colliderect(b.rect):
            continue
        if a.text == b.text and abs(a.rect.x - b.rect.x) <= 3 and abs(a.rect.y - b.rect.y) <= 3:
            continue  # the same string twice: a shadow, or drawn again
        shared = a.rect.clip(b.rect)
        smaller = min(a.rect.w * a.rect.h, b.rect.w * b.rect.h)
        if shared.w * shared.h > OVERLAP_SHARE * max(1, smaller):
            out.append(f"overlap: {a.text!r} at {_fmt(a.rect)} and {b.text!r} at "
                       f"{_fmt(b.rect)} share {shared.w}x{shared.h} px")
    return out


def translations(language: str) -> list[str]:
    """What the translators wrote in ``language``'s ``.po`` (not fuzzy, not empty)."""
    from babel.messages.pofile import read_po

    path = locale_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return []
    with path.open("rb") as f:
        po = read_po(f)
    out: list[str] = []
    for message in po:
        if message.id and not message.fuzzy:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            out += [str(s) for s in strings if s]
    return out


@cache
def allowed_latin(language: str) -> re.Pattern[str]:
    """Whole-word Latin that may stay: the allowlist, fixture data, the translations' own."""
    words = set(ALLOWED_LATIN) | set(fixture_latin())
    for translation in translations(language):
        words |= set(LATIN_RUN.findall(PLACEHOLDER.sub(" ", translation)))
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z])(?:{alternatives})(?![A-Za-z])", re.IGNORECASE)


def latin_left(text: str, language: str) -> list[str]:
    """The runs of 3+ Latin letters of ``text`` that are not allowed in ``language``."""
    rest = allowed_latin(language).sub(" ", PATH_OR_FILE.sub(" ", FILE_ERROR.sub(" ", text)))
    return LATIN_RUN.findall(rest)


def english_left(texts: Layered, baked: set[str], language: str) -> list[str]:
    """Strings with English left in them, placed ones with their rectangle."""
    out, seen = [], set()
    for _, t in texts:
        words = latin_left(t.text or "", language)
        if words and t.text not in seen:
            seen.add(t.text)
            out.append(f"english: {t.text!r} at {_fmt(t.rect)} ({', '.join(words)})")
    for s in sorted(baked - seen):
        words = latin_left(s, language)
        if words:
            out.append(f"english: {s!r} pre-rendered, not placed directly ({', '.join(words)})")
    return out


def _unique(placed: Layered) -> Layered:
    """``placed`` without repeats (a thing drawn twice in one place) and empty rectangles."""
    seen = {(k, p.text, tuple(p.rect)): (k, p) for k, p in placed if p.rect.w and p.rect.h}
    return list(seen.values())


def find_problems(language: str, size: tuple[int, int], surface: ScreenSurface,
                  probe: LayoutProbe) -> list[str]:
    """Every layout problem of a drawn screen (see the module notes), one line each."""
    texts_h = _unique(surface.layer_texts())
    frames = _unique(surface.layer_frames())
    found = (outside_window(texts_h + frames, size) + panel_overflows(texts_h, frames)
             + panels_crossing(frames) + overlaps(texts_h))
    if language != "en":
        placed = {t.text for _, t in texts_h if t.text}
        baked = {s for s in rendered_strings(probe) - placed if len(s) > 1}
        found += english_left(texts_h, baked, language)
    return found


# the checks themselves ---------------------------------------------------------------------
def _p(text: str | None, x: int, y: int, w: int, h: int) -> tuple[int, Placed]:
    return 0, Placed(text, pygame.Rect(x, y, w, h))


def test_checks_on_made_up_layouts() -> None:
    card, inner = _p(None, 0, 0, 200, 100), _p(None, 10, 10, 60, 30)
    assert not panel_overflows([_p("ok", 20, 15, 40, 20)], [card, inner])
    assert panel_overflows([_p("long", 20, 15, 70, 20)], [card, inner])  # out of the inner one
    assert panel_overflows([_p("edge", 150, 90, 80, 20)], [card])  # across the card's edge
    assert panel_overflows([_p("into", 75, 40, 40, 10)], [card, inner]) == []  # beside it
    assert panel_overflows([_p("poke", 60, 30, 30, 10)], [card, inner])  # into the inner one
    assert not overlaps([_p("A", 0, 0, 50, 20), _p("A", 2, 2, 50, 20)])  # a shadow
    assert overlaps([_p("A", 0, 0, 50, 20), _p("B", 10, 5, 50, 20)])
    assert not overlaps([_p("A", 0, 0, 50, 20), (1, Placed("B", pygame.Rect(10, 5, 50, 20)))])
    assert outside_window([_p("x", 1270, 0, 20, 10)], (1280, 720))
    assert panels_crossing([card, inner, _p(None, 190, 50, 40, 20)])  # across the card's edge
    assert not panels_crossing([card, inner, _p(None, 80, 10, 40, 20)])
    assert latin_left("Esc 뒤로  ·  /tmp/x/song.beatmap  ·  122 BPM", "ko") == []
    assert latin_left("Choose a song", "ko") == ["Choose", "song"]
    assert latin_left("Up/Down", "ja") == ["Down"]


# every screen ---------------------------------------------------------------------------------
CASES = [(lang, size, name) for lang in LANGUAGES for size in SIZES for name in SCREENS]


@pytest.mark.parametrize(("language", "size", "name"), CASES,
                         ids=[f"{lang}-{s[0]}x{s[1]}-{n}" for lang, s, n in CASES])
def test_screen_layout(language: str, size: tuple[int, int], name: str) -> None:
    surface, probe = draw_screen(name, language, size)
    assert probe.texts, f"{name}: the probe saw no text at all"
    problems = find_problems(language, size, surface, probe)
    assert not problems, (f"{name} [{language} {size[0]}x{size[1]}]: {len(problems)} "
                          "layout problem(s)\n  " + "\n  ".join(problems))
