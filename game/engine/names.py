"""Player names as people type them: NFC, counted in grapheme clusters, never cut inside one.

A name is stored exactly as typed except for two things every store agrees on:
it is normalised to NFC (a Hangul syllable typed as jamo and one typed whole
compare equal; ``"e" + U+0301`` becomes ``"é"``) and control characters are
dropped (a tab or line break pasted in becomes a space). Length is counted in
*grapheme clusters* (what a reader sees as one character: ``"각"``, ``"é"``,
``"👍🏽"``, a flag), at most :data:`NAME_MAX_CLUSTERS`.

:func:`graphemes` follows the extended grapheme cluster rules of Unicode
UAX #29 for what names contain: combining marks, spacing marks, joiners and
variation selectors, Hangul jamo sequences (L V T), regional-indicator pairs
and emoji ZWJ sequences. It is pure (standard library only).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

#: Longest name, in grapheme clusters.
NAME_MAX_CLUSTERS = 16

_ZWJ = "\u200d"


def _is_extend(ch: str) -> bool:
    """Characters that never start a cluster (GB9, GB9a: Extend, ZWJ, SpacingMark)."""
    cp = ord(ch)
    if ch == _ZWJ or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        return True
    if 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F:  # skin tones, tag characters
        return True
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


def _hangul_kind(ch: str) -> str:
    """Hangul syllable type: L, V, T, LV, LVT or '' (UAX #29 GB6-GB8)."""
    cp = ord(ch)
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    return ""


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _joins(prev: str, ch: str, regional_run: int) -> bool:
    """True when ``ch`` continues the cluster that ``prev`` ends."""
    if _is_extend(ch):
        return True
    if prev == _ZWJ:  # GB11: emoji ZWJ sequences (any pictograph after a joiner)
        return ord(ch) >= 0x2000 and unicodedata.category(ch) == "So"
    a, b = _hangul_kind(prev), _hangul_kind(ch)
    if a == "L" and b in ("L", "V", "LV", "LVT"):
        return True
    if a in ("LV", "V") and b in ("V", "T"):
        return True
    if a in ("LVT", "T") and b == "T":
        return True
    return _is_regional(prev) and _is_regional(ch) and regional_run % 2 == 1


def graphemes(text: str) -> Iterator[str]:
    """The grapheme clusters of ``text``, in order (they join back to ``text``)."""
    start = 0
    regional_run = 0
    for i, ch in enumerate(text):
        if i and not _joins(text[i - 1], ch, regional_run):
            yield text[start:i]
            start = i
        regional_run = regional_run + 1 if _is_regional(ch) else 0
    if text:
        yield text[start:]


def cluster_count(text: str) -> int:
    """How many grapheme clusters ``text`` has."""
    return sum(1 for _ in graphemes(text))


def clip_clusters(text: str, limit: int) -> str:
    """``text`` cut after ``limit`` grapheme clusters (never inside one)."""
    out = []
    for k, cluster in enumerate(graphemes(text)):
        if k >= limit:
            break
        out.append(cluster)
    return "".join(out)


def drop_last_cluster(text: str) -> str:
    """``text`` without its last grapheme cluster (what Backspace removes)."""
    clusters = list(graphemes(text))
    return "".join(clusters[:-1])


def _clean(text: str) -> str:
    """NFC, control characters dropped, every kind of white space a plain space."""
    nfc = unicodedata.normalize("NFC", text)
    return "".join(" " if ch.isspace() else ch for ch in nfc
                   if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cs", "Co"))


def clean_typed(text: str, limit: int = NAME_MAX_CLUSTERS) -> str:
    """Text being typed into a name: as :func:`normalize_name`, but a space at the end
    is kept (the next word follows it)."""
    return clip_clusters(_clean(text).lstrip(), limit)


def normalize_name(text: str, limit: int = NAME_MAX_CLUSTERS) -> str:
    """A name as every store keeps it: NFC, no control characters, trimmed, ``limit`` clusters.

    Returns ``""`` for a name with nothing visible; callers choose the fallback.
    """
    return clip_clusters(_clean(text).strip(), limit).rstrip()
