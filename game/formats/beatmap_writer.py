"""Write a :class:`Chart` as ``.beatmap`` text (version 1) that reads back equal.

Notes go into drum-tab grids of up to four bars (blocks never straddle bars
1-4, 5-8, ... so a local edit keeps the rest of the file unchanged). Each bar
gets the coarsest grid that holds its notes; a note no grid holds, or whose
velocity is not the default for its mark, is written as an ``at`` line.
"""

from __future__ import annotations

import math
import os
import re
from collections import defaultdict
from fractions import Fraction

from game.engine.chart import DIFFICULTIES, PARTS, Chart, Note
from game.engine.fileio import write_text_atomic
from game.engine.tempo import TempoMap
from game.formats.beatmap_syntax import (
    HEADER_LINE,
    MAX_BAR,
    MAX_NUMBER,
    ROW_ORDER,
    bar_length,
    bar_start,
    default_velocity,
    exact_decimal,
    fmt_number,
    format_beat_in_bar,
    format_position,
    position_beat,
    split_beat,
    writable_text,
)

__all__ = ["save_beatmap", "write_beatmap"]

#: Grid resolutions tried per bar, in cells per quarter note.
CELLS_PER_BEAT = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)
#: Bars per grid block; blocks start at bars 1, 5, 9, ...
BLOCK_BARS = 4
#: How far (in beats and in seconds) a grid cell may be from a note it holds.
TOLERANCE = 1e-9

_ID = re.compile(r"^[a-z0-9-]+$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_SONG_KEYS = ("id", "title", "artist", "charter", "audio", "offset_ms", "preview_s")
_ROW_RANK = {v: i for i, v in enumerate(ROW_ORDER)}


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
    out = [HEADER_LINE, "", "[song]", *_song_lines(chart), "", "[tempo]",
           *_tempo_lines(chart.tempo)]
    if chart.sections:
        out += ["", "[sections]"]
        for s in chart.sections:
            _check_beat(chart.tempo, s.beat, f"section {s.name!r}")
            name = writable_text("section name", s.name)
            if not name:
                raise ValueError("cannot write a section without a name")
            out.append(f"{format_position(chart.tempo, s.beat):<7} {name}")
    known = [(p, d) for p in PARTS for d in DIFFICULTIES]
    unknown = [key for key in chart.parts if key not in known]
    if unknown:
        raise ValueError(f"cannot write parts {unknown}: expected (part, difficulty) with part "
                         f"in {PARTS} and difficulty in {DIFFICULTIES}")
    for key in known:
        if key in chart.parts:
            out += ["", f"[{key[0]} {key[1]}]", *_part_lines(chart.tempo, chart.parts[key])]
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
    if float(Fraction(short) / 1000) == offset_s:
        return short
    exact = exact_decimal(Fraction(offset_s) * 1000)
    assert exact is not None  # a float times 1000 has a finite decimal expansion
    return exact


def _number(what: str, x: float) -> str:
    if not (math.isfinite(x) and abs(x) <= MAX_NUMBER):
        raise ValueError(f"cannot write {what} {x}: expected a finite number")
    return fmt_number(x)


def _tempo_lines(tempo: TempoMap) -> list[str]:
    events: dict[tuple[int, Fraction], list[str]] = {}
    for t in tempo.tempos:
        _number("BPM", t.bpm)
        _check_beat(tempo, t.beat, "a tempo change")
        bar, offset = split_beat(tempo, Fraction(t.beat))
        events[(bar, offset)] = [format_position(tempo, t.beat), fmt_number(t.bpm), ""]
    for m in tempo.meters:
        if m.bar > MAX_BAR:
            raise ValueError(f"cannot write the meter change at bar {m.bar}: past bar {MAX_BAR}")
        row = events.setdefault((m.bar, Fraction(0)), [str(m.bar), "-", ""])
        row[2] = f"{m.numerator}/{m.denominator}"
    return [f"{pos:<7} {bpm:<7} {meter}".rstrip()
            for _, (pos, bpm, meter) in sorted(events.items())]


# parts -----------------------------------------------------------------------
def _check_beat(tempo: TempoMap, beat: float, what: str) -> None:
    if not beat >= -TOLERANCE:
        raise ValueError(f"cannot write {what} at beat {beat}: it is before bar 1")
    if not beat < tempo.bar_start_beat(MAX_BAR + 1) - 2 * TOLERANCE:
        raise ValueError(f"cannot write {what} at beat {beat}: it is past bar {MAX_BAR}")


def _part_lines(tempo: TempoMap, notes: tuple[Note, ...]) -> list[str]:
    by_bar: dict[int, list[tuple[Note, Fraction]]] = defaultdict(list)
    loose: list[Note] = []
    for n in notes:
        _check_beat(tempo, n.beat, f"the {n.voice.code} note")
        if not 1 <= n.velocity <= 127:
            raise ValueError(f"cannot write the {n.voice.code} note at beat {n.beat}: "
                             f"velocity {n.velocity} is outside 1-127")
        if (n.accent and n.ghost) or n.velocity != default_velocity(n.accent, n.ghost):
            loose.append(n)
            continue
        bar, offset = split_beat(tempo, max(Fraction(n.beat), Fraction(0)))
        if bar_length(tempo, bar) - offset <= TOLERANCE:  # a hair before the next downbeat
            bar, offset = bar + 1, offset - bar_length(tempo, bar)
        by_bar[bar].append((n, offset))
    grids: dict[int, tuple[int, dict[int, list[tuple[int, Note]]]]] = {}
    for bar in sorted(by_bar):
        cells, placed, rest = _fit_bar(tempo, bar, by_bar[bar])
        loose.extend(rest)
        if placed:
            grids[bar] = (cells, placed)
    items: list[tuple[tuple[int, int, float, int], list[str]]] = []
    for block in _blocks(sorted(grids)):
        items.append(((block[0], 0, 0.0, 0), _grid_lines(block, grids)))
    for n in loose:
        bar, line = _at_line(tempo, n)
        items.append(((bar, 1, n.beat, _ROW_RANK[n.voice]), [line]))
    items.sort(key=lambda item: item[0])
    return [line for _, lines in items for line in lines]


def _fit_bar(
    tempo: TempoMap, bar: int, notes: list[tuple[Note, Fraction]]
) -> tuple[int, dict[int, list[tuple[int, Note]]], list[Note]]:
    """Pick the bar's grid: the candidate holding the most notes, the coarsest on ties.

    Returns cells per bar, ``voice rank -> [(cell, note)]`` and the notes left over.
    """
    start, length = bar_start(tempo, bar), bar_length(tempo, bar)
    best: tuple[int, int, dict[int, list[tuple[int, Note]]], list[Note]] | None = None
    for per_beat in CELLS_PER_BEAT:
        cells_f = length * per_beat
        if cells_f.denominator != 1:
            continue
        cells = cells_f.numerator
        placed: dict[int, list[tuple[int, Note]]] = defaultdict(list)
        taken: set[tuple[int, int]] = set()
        rest: list[Note] = []
        for n, offset in notes:
            k = round(offset * cells / length)
            rank = _ROW_RANK[n.voice]
            if 0 <= k < cells and (rank, k) not in taken and _holds(tempo, start, length, k,
                                                                     cells, n):
                placed[rank].append((k, n))
                taken.add((rank, k))
            else:
                rest.append(n)
        fitted = len(notes) - len(rest)
        if best is None or fitted > best[0]:
            best = (fitted, cells, placed, rest)
        if not rest:
            break
    assert best is not None  # per_beat 32 always gives whole cells for a valid meter
    return best[1], best[2], best[3]


def _holds(tempo: TempoMap, start: Fraction, length: Fraction, k: int, cells: int,
           n: Note) -> bool:
    beat = position_beat(start, length * k / cells)
    return (abs(beat - n.beat) <= TOLERANCE
            and abs(tempo.seconds_at(beat) - n.time_s) <= TOLERANCE)


def _blocks(bars: list[int]) -> list[list[int]]:
    blocks: list[list[int]] = []
    for bar in bars:
        if (blocks and bar == blocks[-1][-1] + 1 and (bar - 1) % BLOCK_BARS
                and len(blocks[-1]) < BLOCK_BARS):
            blocks[-1].append(bar)
        else:
            blocks.append([bar])
    return blocks


def _grid_lines(
    block: list[int], grids: dict[int, tuple[int, dict[int, list[tuple[int, Note]]]]]
) -> list[str]:
    first, last = block[0], block[-1]
    lines = [f"bar {first}" if first == last else f"bars {first}-{last}"]
    ranks = sorted({rank for bar in block for rank in grids[bar][1]})
    for rank in ranks:
        segments = []
        for bar in block:
            cells, placed = grids[bar]
            row = ["-"] * cells
            for k, n in placed.get(rank, []):
                row[k] = "X" if n.accent else "g" if n.ghost else "x"
            segments.append("".join(row))
        lines.append(f"{ROW_ORDER[rank].code} |{'|'.join(segments)}|")
    return lines


def _at_line(tempo: TempoMap, n: Note) -> tuple[int, str]:
    """The bar of ``n`` and its ``at`` line."""
    beat = max(n.beat, 0.0)
    bar, offset = split_beat(tempo, Fraction(beat))
    pos = f"{bar}:{format_beat_in_bar(bar_start(tempo, bar), offset, beat)}"
    words = ["at", pos, n.voice.code]
    if n.accent:
        words.append("accent")
    if n.ghost:
        words.append("ghost")
    if n.velocity != default_velocity(n.accent, n.ghost):
        words.append(f"v={n.velocity}")
    return bar, " ".join(words)
