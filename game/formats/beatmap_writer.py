"""Write a :class:`Chart` as ``.beatmap`` text (version 1) that reads back equal.

Notes go into drum-tab grids of up to four bars (blocks never straddle bars
1-4, 5-8, ... so a local edit keeps the rest of the file unchanged). Each bar
gets the coarsest grid that holds its notes; a note no grid holds, or whose
velocity is not the default for its mark, is written as an ``at`` line (see
:mod:`game.formats.beatmap_grid`). Positions are worked out on exact integer
ratios, never :class:`~fractions.Fraction`.
"""

from __future__ import annotations

import math
import os
import re

from game.engine.chart import DIFFICULTIES, PARTS, Chart
from game.formats.beatmap_bars import BarTable, format_position
from game.formats.beatmap_grid import check_beat, part_lines
from game.formats.beatmap_syntax import (
    HEADER_LINE,
    MAX_BAR,
    MAX_NUMBER,
    decimal_ratio,
    exact_decimal,
    fmt_number,
    writable_text,
)
from game.util.fileio import write_text_atomic
from game.util.gc_pause import gc_paused

__all__ = ["save_beatmap", "write_beatmap"]

_ID = re.compile(r"^[a-z0-9-]+$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_SONG_KEYS = ("id", "title", "artist", "charter", "audio", "offset_ms", "preview_s")


def write_beatmap(chart: Chart) -> str:
    """The beatmap text of ``chart``.

    Raises
    ------
    ValueError
        If the chart holds something the format cannot say: an id that is not
        ``[a-z0-9-]+``, text with line breaks or a comment-starting ``#``, a part
        or difficulty the game does not know, a note before bar 1 or a velocity
        outside 1-127.
    """
    with gc_paused():
        return _write(chart)


def _write(chart: Chart) -> str:
    bars = BarTable(chart.tempo)
    out = [HEADER_LINE, "", "[song]", *_song_lines(chart), "", "[tempo]",
           *_tempo_lines(bars)]
    if chart.sections:
        out += ["", "[sections]"]
        for s in chart.sections:
            check_beat(bars, s.beat, f"section {s.name!r}")
            name = writable_text("section name", s.name)
            if not name:
                raise ValueError("cannot write a section without a name")
            out.append(f"{format_position(bars, s.beat):<7} {name}")
    known = [(p, d) for p in PARTS for d in DIFFICULTIES]
    unknown = [key for key in chart.parts if key not in known]
    if unknown:
        raise ValueError(f"cannot write parts {unknown}: expected (part, difficulty) with part "
                         f"in {PARTS} and difficulty in {DIFFICULTIES}")
    for key in known:
        if key in chart.parts:
            out += ["", f"[{key[0]} {key[1]}]", *part_lines(bars, chart.parts[key])]
    return "\n".join(out) + "\n"


def save_beatmap(chart: Chart, path: str | os.PathLike[str]) -> None:
    """Write ``chart`` to ``path`` atomically (temporary file in the same folder, then rename).

    Missing parent folders are created.

    Raises
    ------
    ValueError
        As :func:`write_beatmap`; nothing is written then.
    OSError
        If the folder cannot be written.
    """
    write_text_atomic(path, write_beatmap(chart))


# [song] and [tempo] ----------------------------------------------------------
def _song_lines(chart: Chart) -> list[str]:
    meta = chart.meta
    if not _ID.match(meta.id):
        raise ValueError(f"cannot write song id {meta.id!r}: expected [a-z0-9-]+")
    if not meta.title:
        raise ValueError("cannot write a song without a title")
    pairs = [("id", meta.id), ("title", meta.title), ("artist", meta.artist),
             ("charter", meta.charter)]
    if meta.audio is not None:
        pairs.append(("audio", meta.audio))
    _number("offset_ms", chart.tempo.offset_s * 1000)
    pairs += [("offset_ms", _offset_ms(chart.tempo.offset_s)),
              ("preview_s", _number("preview_s", meta.preview_s))]
    if meta.preview_s < 0:
        raise ValueError(f"cannot write preview_s {meta.preview_s}: expected 0 or more")
    seen = set(_SONG_KEYS)
    for key, value in meta.extra:
        if not _KEY.match(key) or key.lower() in seen:
            raise ValueError(f"cannot write extra [song] key {key!r}: expected a new name "
                             "of letters, digits, '_', '.' or '-'")
        seen.add(key.lower())
        pairs.append((key, value))
    return [f"{key} = {writable_text(key, value)}".rstrip() for key, value in pairs]


def _offset_ms(offset_s: float) -> str:
    """offset_ms text that the parser turns back into exactly ``offset_s``."""
    short = fmt_number(offset_s * 1000)
    value = decimal_ratio(short)
    if value is not None and value[0] / (value[1] * 1000) == offset_s:
        return short
    num, den = offset_s.as_integer_ratio()
    exact = exact_decimal(num * 1000, den)
    assert exact is not None  # a float times 1000 has a finite decimal expansion
    return exact


def _number(what: str, x: float) -> str:
    if not (math.isfinite(x) and abs(x) <= MAX_NUMBER):
        raise ValueError(f"cannot write {what} {x}: expected a finite number")
    return fmt_number(x)


def _tempo_lines(bars: BarTable) -> list[str]:
    # keyed by (bar, beat): within a bar the beat orders like the exact offset
    events: dict[tuple[int, float], list[str]] = {}
    for t in bars.tempo.tempos:
        _number("BPM", t.bpm)
        check_beat(bars, t.beat, "a tempo change")
        bar, _, _ = bars.split(t.beat)
        events[(bar, t.beat)] = [format_position(bars, t.beat), fmt_number(t.bpm), ""]
    for m in bars.tempo.meters:
        if m.bar > MAX_BAR:
            raise ValueError(f"cannot write the meter change at bar {m.bar}: past bar {MAX_BAR}")
        row = events.setdefault((m.bar, bars.start(m.bar)), [str(m.bar), "-", ""])
        row[2] = f"{m.numerator}/{m.denominator}"
    return [f"{pos:<7} {bpm:<7} {meter}".rstrip()
            for _, (pos, bpm, meter) in sorted(events.items())]
