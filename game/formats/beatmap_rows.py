"""Grid rows of a ``.beatmap`` part block: ``CODE |cells|cells|`` under ``bars N-M``.

A row is read once: its voice, its bar segments and the cells that hold hits.
Grooves repeat, so a row (or a bar segment) seen before in the file is taken
from what was read the first time (:class:`~game.formats.beatmap_parts.PartContext`
keeps it); only its place (the grid it is under) is checked again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from game.engine.note_columns import VOICE_BY_RANK, VOICE_RANK
from game.formats.beatmap_notes import ACCENT, GHOST
from game.formats.beatmap_syntax import CELL_CHARS, CELLS, VALID_CELLS, LineError, parse_voice

_ROW_CODE = re.compile(r"[^\s|]+")
#: Cell character -> mark bits, for hits only.
_HIT_MARKS = {ch: (ACCENT if m[0] else 0) | (GHOST if m[1] else 0)
              for ch, m in CELLS.items() if m is not None}
#: Voice code or name as written -> voice rank, for every spelling seen (bounded).
_RANKS: dict[str, int] = {}

#: The hits of one bar segment of a row: cells in the segment, hit cell
#: indexes, their marks (None for a segment of rests only).
Segment = tuple[int, tuple[int, ...], tuple[int, ...]] | None
#: A grid row read once: voice code, voice rank, number of bar segments, and
#: per segment with hits: (segment index, cells, hit cell indexes, marks).
Row = tuple[str, int, int, tuple[tuple[int, int, tuple[int, ...], tuple[int, ...]], ...]]


class Line(Protocol):
    """A content line of the file: number, text without comment, indent of the raw line."""

    number: int
    text: str

    @property
    def indent(self) -> int: ...


@dataclass(slots=True)
class Grid:
    """The grid block being read: ``bars first-last`` from its header line."""

    first: int
    last: int
    header: str
    line: int
    rows: dict[int, int] = field(default_factory=dict)  # voice rank -> line number


def new_row(line: Line, grid: Grid, known: dict[str, Segment]) -> Row:
    """Read a grid row not seen before: voice code and rank, bar segments, hits.

    ``known`` holds the bar segments read so far (and gets this row's).
    """
    m = _ROW_CODE.match(line.text)
    if m is None:
        raise LineError(f"row '{line.text}' has no voice code (expected e.g. 'SD |o---|')")
    code = m.group(0)
    rank = voice_rank(code)
    if rank in grid.rows:  # the same message the parse loop gives for a known row
        raise LineError(f"row '{code}' repeats the {VOICE_BY_RANK[rank].code} row of line "
                        f"{grid.rows[rank]} in '{grid.header}' (expected one row per voice)")
    segments = _segments(line, m.end(), grid, code, known)
    hits = tuple((i, *seg) for i, seg in enumerate(segments) if seg is not None)
    return code, rank, len(segments), hits


def voice_rank(code: str) -> int:
    """:data:`VOICE_RANK` of the voice ``code`` names (codes a file uses are remembered)."""
    rank = _RANKS.get(code)
    if rank is None:
        rank = VOICE_RANK[parse_voice(code)]
        if len(_RANKS) < 1000:
            _RANKS[code] = rank
    return rank


def _segments(line: Line, code_end: int, grid: Grid, code: str,
              known: dict[str, Segment]) -> list[Segment]:
    """Read and check the cells of a row (the text after its voice code).

    ``known`` holds the segments read so far (grooves repeat bar after bar).
    """
    body = line.text[code_end:].lstrip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    words = body.split()
    if len(words) == 1 and words[0] == body:
        texts = body.split("|")
    else:  # blanks inside: they only group cells
        texts = ["".join(seg.split()) for seg in body.split("|")]
    want = grid.last - grid.first + 1
    if len(texts) != want:
        raise LineError(f"row '{code}' has {len(texts)} bar segment(s), expected {want} "
                        f"for '{grid.header}'")
    out: list[Segment] = []
    marks = _HIT_MARKS
    for i, seg in enumerate(texts):
        if seg in known:
            out.append(known[seg])
            continue
        if not seg:
            raise LineError(f"row '{code}': bar {grid.first + i} has no cells (expected cells "
                            f"like 'x-x-', one of {VALID_CELLS})")
        bad = seg.strip(CELL_CHARS)
        if bad:
            raise LineError(f"bad cell '{bad[0]}' in row '{code}' at column "
                            f"{_column(line, code_end, i)} (expected one of {VALID_CELLS})")
        hits = [(k, marks[ch]) for k, ch in enumerate(seg) if ch != "-" and ch != "."]
        known[seg] = ((len(seg), tuple(k for k, _ in hits), tuple(m for _, m in hits))
                      if hits else None)
        out.append(known[seg])
    return out


def _column(line: Line, code_end: int, segment: int) -> int:
    """Column (1-based, in the raw line) of the first bad cell of a row's ``segment``."""
    cells = [(ch, line.indent + i + 1) for i, ch in enumerate(line.text) if i >= code_end]
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
    return next(col for ch, col in segments[segment] if ch not in CELLS)
