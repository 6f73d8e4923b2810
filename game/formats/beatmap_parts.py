"""Part blocks of the ``.beatmap`` format: drum-tab grids, copy lines and ``at`` lines.

A part block (``[p1 expert]``) holds, in any order:

* grid blocks: ``bar N`` / ``bars N-M`` followed by rows ``CODE |cells|cells|``;
* copy lines: ``bars A-B = C-D``, ``bar A = C`` or ``bars A-B = p2 C-D``;
* single notes: ``at POSITION VOICE [accent] [ghost] [v=VELOCITY]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol

from game.engine.chart import Note, make_note, sort_notes
from game.engine.errors import BeatmapError
from game.engine.tempo import TempoMap
from game.engine.voices import Voice
from game.formats.beatmap_syntax import (
    CELLS,
    MAX_BAR,
    VALID_CELLS,
    LineError,
    bar_length,
    bar_start,
    check_bar,
    check_beat_in_bar,
    fmt_fraction,
    parse_position,
    parse_voice,
    split_beat,
)

PartKey = tuple[str, str]

_RANGE = re.compile(r"^bars?\s+(\d+)(?:\s*-\s*(\d+))?$", re.IGNORECASE | re.ASCII)
_SOURCE = re.compile(r"^(?:(p[12])\s+)?(\d+)(?:\s*-\s*(\d+))?$", re.IGNORECASE | re.ASCII)
_ROW_CODE = re.compile(r"[^\s|]+")
_AT_FORM = "'at POSITION VOICE [accent] [ghost] [v=VELOCITY]'"
_AT_HELP = f"expected {_AT_FORM}, e.g. 'at 5:4.5 CR accent'"
_VELOCITY = re.compile(r"^v=([0-9]{1,3})$", re.IGNORECASE)


class _Line(Protocol):
    number: int
    text: str
    indent: int


@dataclass(frozen=True, slots=True)
class Hit:
    """A note before it is timed: bar, exact offset into the bar, voice and marks."""

    bar: int
    offset: Fraction
    voice: Voice
    accent: bool = False
    ghost: bool = False
    velocity: int | None = None


@dataclass(slots=True)
class _Grid:
    first: int
    last: int
    header: str
    line: int
    rows: dict[Voice, int] = field(default_factory=dict)  # voice -> line number


def parse_part(
    key: PartKey,
    header_line: int,
    body: list[_Line],
    tempo: TempoMap,
    done: dict[PartKey, tuple[Note, ...]],
    part_lines: dict[PartKey, int],
    path: str,
) -> tuple[Note, ...]:
    """Parse the lines of one part block into sorted notes.

    Parameters
    ----------
    key : (part, difficulty)
    header_line : int
        Line of the ``[p1 expert]`` header.
    body : list
        The block's content lines (number, comment-free text, indent).
    tempo : TempoMap
    done : dict
        Part blocks parsed so far (copy sources from other parts).
    part_lines : dict
        Header line of every part block in the file, for messages.
    path : str
        For messages.
    """
    hits: list[Hit] = []
    grid: _Grid | None = None

    def close(grid: _Grid | None) -> None:
        if grid is not None and not grid.rows:
            raise BeatmapError(
                f"'{grid.header}' has no voice rows under it (expected rows like "
                f"'SD |o-o-|', or a copy like '{grid.header} = 1')", path=path, line=grid.line)

    for line in body:
        try:
            first = line.text.split(None, 1)[0].lower()
            if first in ("bar", "bars"):
                close(grid)
                grid = _bar_line(line.text, line.number, key, hits, tempo, done, part_lines)
            elif first == "at":
                close(grid)
                grid = None
                hits.append(_at_line(line.text, tempo))
            elif grid is None:
                raise LineError(
                    f"found '{line.text}' outside a grid (expected 'bar N' or 'bars N-M' "
                    "before voice rows, a copy line like 'bars 5-8 = 1-4', or "
                    f"{_AT_FORM})")
            else:
                hits.extend(_row(line, grid, tempo))
        except LineError as exc:
            raise BeatmapError(str(exc), path=path, line=line.number) from None
    close(grid)
    notes = [
        make_note(tempo, float(bar_start(tempo, h.bar) + h.offset), h.voice,
                  velocity=h.velocity, accent=h.accent, ghost=h.ghost)
        for h in hits
    ]
    return sort_notes(notes)


# bar lines: grid headers and copies ------------------------------------------
def _parse_range(first: str, last: str | None, what: str) -> tuple[int, int]:
    a = int(first)
    b = a if last is None else int(last)
    check_bar(a, what)
    check_bar(b, what)
    if b < a:
        raise LineError(f"bad {what}: bars {a}-{b} run backwards (expected N-M with N <= M)")
    return a, b


def _bar_line(
    text: str,
    number: int,
    key: PartKey,
    hits: list[Hit],
    tempo: TempoMap,
    done: dict[PartKey, tuple[Note, ...]],
    part_lines: dict[PartKey, int],
) -> _Grid | None:
    target, sep, source = text.partition("=")
    target = target.strip()
    m = _RANGE.match(target)
    if m is None:
        raise LineError(f"bad bar line '{text}' (expected 'bar N' or 'bars N-M', e.g. "
                        "'bars 1-4', optionally followed by '= C-D' to copy bars)")
    a, b = _parse_range(m.group(1), m.group(2), f"bar range '{target}'")
    if not sep:
        return _Grid(a, b, target, number)
    source = source.strip()
    s = _SOURCE.match(source)
    if s is None:
        raise LineError(f"bad copy source '{source}' (expected 'C-D', 'C' or 'p2 C-D', "
                        "e.g. 'bars 5-8 = 1-4')")
    c, d = _parse_range(s.group(2), s.group(3), f"copy source '{source}'")
    if d - c != b - a:
        raise LineError(f"'{text}' copies {d - c + 1} bar(s) into {b - a + 1} (expected "
                        "ranges of the same length)")
    from_part = (s.group(1) or key[0]).lower()
    src_key = (from_part, key[1])
    if src_key == key:
        pool = [h for h in hits if c <= h.bar <= d]
    else:
        pool = _hits_of(_other_part(src_key, number, done, part_lines), tempo, c, d)
    if not pool:
        raise LineError(f"nothing to copy: bars {c}-{d} of [{src_key[0]} {src_key[1]}] have "
                        "no notes above this line (expected a copy of bars already written)")
    for h in pool:
        bar = a + (h.bar - c)
        length = bar_length(tempo, bar)
        if h.offset >= length:
            raise LineError(
                f"cannot copy the {h.voice.code} at beat {fmt_fraction(h.offset + 1)} of bar "
                f"{h.bar} into bar {bar}, which is only {fmt_fraction(length)} beats long "
                "(expected bars with room for every copied note)")
        hits.append(Hit(bar, h.offset, h.voice, h.accent, h.ghost, h.velocity))
    return None


def _other_part(
    src: PartKey, number: int, done: dict[PartKey, tuple[Note, ...]],
    part_lines: dict[PartKey, int],
) -> tuple[Note, ...]:
    name = f"[{src[0]} {src[1]}]"
    if src in done:
        return done[src]
    if src in part_lines:
        raise LineError(f"cannot copy from {name}: it starts at line {part_lines[src]}, after "
                        f"this line (expected the source block earlier in the file)")
    raise LineError(f"cannot copy from {name}: there is no such block (expected {name} "
                    "earlier in the file)")


def _hits_of(notes: tuple[Note, ...], tempo: TempoMap, first: int, last: int) -> list[Hit]:
    out = []
    for n in notes:
        bar, offset = split_beat(tempo, Fraction(n.beat))
        if first <= bar <= last:
            out.append(Hit(bar, offset, n.voice, n.accent, n.ghost, n.velocity))
    return out


# grid rows -------------------------------------------------------------------
def _row(line: _Line, grid: _Grid, tempo: TempoMap) -> list[Hit]:
    text = line.text
    m = _ROW_CODE.match(text)
    if m is None:
        raise LineError(f"row '{text}' has no voice code (expected e.g. 'SD |o---|')")
    code = m.group(0)
    voice = parse_voice(code)
    if voice in grid.rows:
        raise LineError(f"row '{code}' repeats the {voice.code} row of line "
                        f"{grid.rows[voice]} in '{grid.header}' (expected one row per voice)")
    grid.rows[voice] = line.number
    cells = [(ch, line.indent + i + 1) for i, ch in enumerate(text) if i >= m.end()]
    while cells and cells[0][0].isspace():
        cells.pop(0)
    if cells and cells[0][0] == "|":
        cells.pop(0)
    if cells and cells[-1][0] == "|":
        cells.pop()
    segments: list[list[tuple[str, int]]] = [[]]
    for ch, col in cells:
        if ch == "|":
            segments.append([])
        elif not ch.isspace():
            segments[-1].append((ch, col))
    want = grid.last - grid.first + 1
    if len(segments) != want:
        raise LineError(f"row '{code}' has {len(segments)} bar segment(s), expected {want} "
                        f"for '{grid.header}'")
    hits = []
    for i, segment in enumerate(segments):
        bar = grid.first + i
        if not segment:
            raise LineError(f"row '{code}': bar {bar} has no cells (expected cells like "
                            f"'x-x-', one of {VALID_CELLS})")
        length = bar_length(tempo, bar)
        for k, (ch, col) in enumerate(segment):
            if ch not in CELLS:
                raise LineError(f"bad cell '{ch}' in row '{code}' at column {col} (expected "
                                f"one of {VALID_CELLS})")
            marks = CELLS[ch]
            if marks is not None:
                offset = length * k / len(segment)
                hits.append(Hit(bar, offset, voice, accent=marks[0], ghost=marks[1]))
    return hits


# single notes ----------------------------------------------------------------
def _at_line(text: str, tempo: TempoMap) -> Hit:
    words = text.split()
    if len(words) < 3:
        raise LineError(f"found '{text}' ({_AT_HELP})")
    pos = parse_position(words[1], allow_seconds=True)
    if isinstance(pos, tuple):
        bar, beat = pos
        offset = check_beat_in_bar(tempo, bar, beat, words[1])
    else:
        beat_f = tempo.beat_at(float(pos))
        if beat_f < 0:
            raise LineError(f"position '{words[1]}' is before bar 1, which starts at "
                            f"{tempo.offset_s!r}s (expected a time from there on)")
        if beat_f >= tempo.bar_start_beat(MAX_BAR + 1):
            raise LineError(f"position '{words[1]}' is past bar {MAX_BAR}, the last this "
                            "game reads")
        bar, offset = split_beat(tempo, Fraction(beat_f))
    voice = parse_voice(words[2])
    accent = ghost = False
    velocity = None
    for flag in words[3:]:
        low = flag.lower()
        if low == "accent":
            accent = True
        elif low == "ghost":
            ghost = True
        elif low.startswith("v="):
            v = _VELOCITY.match(flag)
            if v is None or not 1 <= int(v.group(1)) <= 127:
                raise LineError(f"bad velocity '{flag}' (expected v=1 to v=127)")
            velocity = int(v.group(1))
        else:
            raise LineError(f"unknown flag '{flag}' (expected accent, ghost or v=1..127)")
    return Hit(bar, offset, voice, accent, ghost, velocity)
