"""What song select lists: the songs matching a search, in the order chosen, and jumps.

Pure functions over song list entries (as :func:`game.formats.library.song_entry`
makes them); no pygame. Searching and jumping compare *folded* text
(:func:`fold`): the same letters typed in another case or width, or in the
other kana, still match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

#: The orders song select offers, in the order Left/Right steps through them.
SORTS = ("title", "artist", "bpm", "length", "recent")

_KATAKANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}  # ァ..ヶ -> ぁ..ゖ
_LEADING = re.compile(r"^[\W_]+")


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """``text`` for comparing: NFKC (full-width Latin and half-width kana become plain),
    case-folded, katakana as hiragana.

    >>> fold("ＮＥＯＮ ｶﾞｰﾙ") == fold("neon ガール") == "neon がーる"
    True
    """
    return unicodedata.normalize("NFKC", text).casefold().translate(_KATAKANA)


def _title(entry: Mapping[str, Any]) -> str:
    return fold(str(entry.get("title") or ""))


def _artist(entry: Mapping[str, Any]) -> str:
    return fold(str(entry.get("artist") or ""))


def matches(entry: Mapping[str, Any], words: Sequence[str]) -> bool:
    """Whether every one of ``words`` (folded) is in the song's title or artist."""
    title, artist = _title(entry), _artist(entry)
    return all(w in title or w in artist for w in words)


def search_words(query: str) -> list[str]:
    """The folded words of a search (Korean and Japanese typed without spaces: one word)."""
    return fold(query).split()


def bpm_range(entry: Mapping[str, Any]) -> tuple[float, float]:
    """The song's lowest and highest tempo (BPM)."""
    bpm = entry.get("bpm")
    values = [float(b) for b in bpm] if isinstance(bpm, list | tuple) else (
        [float(bpm)] if isinstance(bpm, int | float) else [])
    return (min(values), max(values)) if values else (0.0, 0.0)


def sort_songs(entries: Sequence[dict[str, Any]], order: str,
               last_played: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """``entries`` in ``order`` (one of :data:`SORTS`); ties by title, then artist.

    Titles and artists compare folded, leading punctuation aside (as :func:`jump`
    finds them: "(Don't Fear) The Reaper" is among the D's).

    ``"recent"``: the latest played first (``last_played``: song id -> ISO time
    of its latest play), songs never played after them by title. A song with no
    artist sorts after the others by artist.
    """
    out = sorted(entries, key=lambda e: (jump_key(e, "title"), _title(e), _artist(e),
                                         str(e.get("beatmap"))))
    if order == "artist":
        out.sort(key=lambda e: (not _artist(e), jump_key(e, "artist"), _artist(e)))
    elif order == "bpm":
        out.sort(key=bpm_range)
    elif order == "length":
        out.sort(key=lambda e: float(e.get("length_s") or 0.0))
    elif order == "recent":
        played = last_played or {}
        out.sort(key=lambda e: played.get(str(e.get("id")), ""), reverse=True)
    return out


def select_songs(entries: Sequence[dict[str, Any]], query: str, order: str,
                 last_played: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The songs matching ``query`` (all of them for a blank one), in ``order``."""
    words = search_words(query)
    found = [e for e in entries if matches(e, words)] if words else list(entries)
    return sort_songs(found, order, last_played)


def jump_key(entry: Mapping[str, Any], order: str) -> str:
    """What a letter key jumps by: the artist in artist order, else the title (folded,
    leading punctuation dropped: "(Don't Fear) The Reaper" is under D)."""
    return _LEADING.sub("", _artist(entry) if order == "artist" else _title(entry))


def jump(entries: Sequence[Mapping[str, Any]], start: int, char: str, order: str
         ) -> int | None:
    """The index of the next song after ``start`` whose :func:`jump_key` starts with
    ``char``, going round the end of the list; None if there is none."""
    want = fold(char)
    n = len(entries)
    for step in range(1, n + 1):
        k = (start + step) % n
        if jump_key(entries[k], order).startswith(want):
            return k
    return None
