"""Part blocks of the ``.beatmap`` format: drum-tab grids, copy lines and ``at`` lines.

A part block (``[p1 expert]``) holds, in any order:

* grid blocks: ``bar N`` / ``bars N-M`` followed by rows ``CODE |cells|cells|``;
* copy lines: ``bars A-B = C-D``, ``bar A = C`` or ``bars A-B = p2 C-D``;
* single notes: ``at POSITION VOICE [accent] [ghost] [v=VELOCITY]``.

Lines are read into runs of hits (:mod:`game.formats.beatmap_notes`), each hit
at an exact offset into its bar; copy lines shift them by whole bars exactly.
A grid row seen before (grooves repeat) is not scanned again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from game.engine.note_columns import VOICE_BY_RANK, NoteColumns
from game.formats.beatmap_bars import BarTable, check_beat_in_bar
from game.formats.beatmap_notes import (
    ACCENT,
    GHOST,
    ExactHit,
    Run,
    exact_run,
    notes_from_runs,
    run_hits,
)
from game.formats.beatmap_rows import Grid, Line, Row, Segment, new_row, voice_rank
from game.formats.beatmap_syntax import (
    MAX_BAR,
    LineError,
    fmt_ratio,
    parse_bar,
    parse_position,
)
from game.util.errors import BeatmapError

PartKey = tuple[str, str]

_RANGE = re.compile(r"^bars?\s+(\d+)(?:\s*-\s*(\d+))?$", re.IGNORECASE | re.ASCII)
_SOURCE = re.compile(r"^(?:(p[12])\s+)?(\d+)(?:\s*-\s*(\d+))?$", re.IGNORECASE | re.ASCII)
_AT_FORM = "'at POSITION VOICE [accent] [ghost] [v=VELOCITY]'"
_AT_HELP = f"expected {_AT_FORM}, e.g. 'at 5:4.5 CR accent'"
_VELOCITY = re.compile(r"^v=([0-9]{1,3})$", re.IGNORECASE)


@dataclass(slots=True)
class PartContext:
    """What every part block of one file shares.

    Attributes
    ----------
    bars : BarTable
        The chart's bars.
    path : str
        For messages.
    part_lines : dict
        Header line of every part block in the file, for messages.
    done : dict
        Notes of the part blocks parsed so far (copy sources from other parts).
    split_notes : dict
        Per source part, its notes as (index, exact hit) by bar (built on the
        first copy from it).
    rows : dict
        Row line -> what it holds, for rows already read.
    segments : dict
        Bar segment text -> its hits, for segments already read.
    """

    bars: BarTable
    path: str
    part_lines: dict[PartKey, int]
    done: dict[PartKey, NoteColumns] = field(default_factory=dict)
    split_notes: dict[PartKey, dict[int, list[tuple[int, ExactHit]]]] = field(
        default_factory=dict)
    rows: dict[str, Row] = field(default_factory=dict)
    segments: dict[str, Segment] = field(default_factory=dict)


@dataclass(slots=True)
class _Part:
    """The runs of the block being read; ``by_bar[bar]`` indexes the runs in a bar
    (brought up to date when a copy line needs it)."""

    key: PartKey
    runs: list[Run] = field(default_factory=list)
    by_bar: dict[int, list[int]] = field(default_factory=dict)
    indexed: int = 0

    def in_bars(self, first: int, last: int) -> list[Run]:
        """Runs in bars ``first..last``, in the order they were written."""
        for i in range(self.indexed, len(self.runs)):
            self.by_bar.setdefault(self.runs[i][0], []).append(i)
        self.indexed = len(self.runs)
        if last - first < len(self.by_bar):
            bars = [b for b in range(first, last + 1) if b in self.by_bar]
        else:
            bars = [b for b in self.by_bar if first <= b <= last]
        return [self.runs[i] for i in sorted(i for b in bars for i in self.by_bar[b])]


def parse_part(key: PartKey, body: Sequence[Line], ctx: PartContext,
               ) -> NoteColumns:
    """Parse the lines of one part block into sorted notes.

    Parameters
    ----------
    key : (part, difficulty)
    body : sequence of Line
        The block's content lines (number, comment-free text, indent).
    ctx : PartContext
        The chart's bars and the blocks read so far.
    """
    part = _Part(key)
    grid: Grid | None = None
    path = ctx.path

    def close(grid: Grid | None) -> None:
        if grid is not None and not grid.rows:
            raise BeatmapError(
                f"'{grid.header}' has no voice rows under it (expected rows like "
                f"'SD |o-o-|', or a copy like '{grid.header} = 1')", path=path, line=grid.line)

    runs = part.runs
    known_rows = ctx.rows
    for line in body:
        text = line.text
        try:
            # most lines are grid rows; only "ba..." and "at..." can be anything else
            first = (text.split(None, 1)[0].lower()
                     if text[0] in "abAB" and text[1:2] in ("a", "A", "t", "T") else "")
            if first in ("bar", "bars"):
                close(grid)
                grid = _bar_line(text, line.number, part, ctx)
            elif first == "at":
                close(grid)
                grid = None
                runs.append(_at_line(text, ctx.bars))
            elif grid is None:
                raise LineError(
                    f"found '{text}' outside a grid (expected 'bar N' or 'bars N-M' "
                    "before voice rows, a copy line like 'bars 5-8 = 1-4', or "
                    f"{_AT_FORM})")
            else:  # a grid row
                row = known_rows.get(text)
                if row is None:
                    row = known_rows[text] = new_row(line, grid, ctx.segments)
                code, rank, width, hits = row
                if rank in grid.rows:
                    raise LineError(f"row '{code}' repeats the {VOICE_BY_RANK[rank].code} row "
                                    f"of line {grid.rows[rank]} in '{grid.header}' (expected "
                                    "one row per voice)")
                grid.rows[rank] = line.number
                if width != grid.last - grid.first + 1:
                    raise LineError(f"row '{code}' has {width} bar segment(s), expected "
                                    f"{grid.last - grid.first + 1} for '{grid.header}'")
                first_bar = grid.first
                for i, cells, cell_indexes, marks in hits:
                    runs.append((first_bar + i, cells, rank, cell_indexes, marks, ()))
        except LineError as exc:
            raise BeatmapError(str(exc), path=path, line=line.number) from None
    close(grid)
    return notes_from_runs(part.runs, ctx.bars)


# bar lines: grid headers and copies ------------------------------------------
def _parse_range(first: str, last: str | None, what: str) -> tuple[int, int]:
    a = parse_bar(first, what)
    b = a if last is None else parse_bar(last, what)
    if b < a:
        raise LineError(f"bad {what}: bars {a}-{b} run backwards (expected N-M with N <= M)")
    return a, b


def _bar_line(text: str, number: int, part: _Part, ctx: PartContext) -> Grid | None:
    target, sep, source = text.partition("=")
    target = target.strip()
    m = _RANGE.match(target)
    if m is None:
        raise LineError(f"bad bar line '{text}' (expected 'bar N' or 'bars N-M', e.g. "
                        "'bars 1-4', optionally followed by '= C-D' to copy bars)")
    a, b = _parse_range(m.group(1), m.group(2), f"bar range '{target}'")
    if not sep:
        return Grid(a, b, target, number)
    source = source.strip()
    s = _SOURCE.match(source)
    if s is None:
        raise LineError(f"bad copy source '{source}' (expected 'C-D', 'C' or 'p2 C-D', "
                        "e.g. 'bars 5-8 = 1-4')")
    c, d = _parse_range(s.group(2), s.group(3), f"copy source '{source}'")
    if d - c != b - a:
        raise LineError(f"'{text}' copies {d - c + 1} bar(s) into {b - a + 1} (expected "
                        "ranges of the same length)")
    src_key = ((s.group(1) or part.key[0]).lower(), part.key[1])
    if src_key == part.key:
        pool = [(run[0], hit) for run in part.in_bars(c, d) for hit in run_hits(run, ctx.bars)]
    else:
        pool = _other_part(src_key, c, d, ctx)
    if not pool:
        raise LineError(f"nothing to copy: bars {c}-{d} of [{src_key[0]} {src_key[1]}] have "
                        "no notes above this line (expected a copy of bars already written)")
    run: list[ExactHit] = []  # copies into one bar, in the order of the pool
    run_bar = 0
    for src_bar, hit in pool:
        bar = a + (src_bar - c)
        ln, ld = ctx.bars.length(bar)
        on, od = hit[0], hit[1]
        if on * ld >= ln * od:
            raise LineError(
                f"cannot copy the {VOICE_BY_RANK[hit[2]].code} at beat "
                f"{fmt_ratio(on + od, od)} of bar {src_bar} into bar {bar}, which is only "
                f"{fmt_ratio(ln, ld)} beats long (expected bars with room for every copied "
                "note)")
        if run and bar != run_bar:
            part.runs.append(exact_run(run_bar, tuple(run)))
            run = []
        run_bar = bar
        run.append(hit)
    part.runs.append(exact_run(run_bar, tuple(run)))
    return None


def _other_part(src: PartKey, first: int, last: int,
                ctx: PartContext) -> list[tuple[int, ExactHit]]:
    name = f"[{src[0]} {src[1]}]"
    if src not in ctx.done:
        if src in ctx.part_lines:
            raise LineError(f"cannot copy from {name}: it starts at line "
                            f"{ctx.part_lines[src]}, after this line (expected the source "
                            "block earlier in the file)")
        raise LineError(f"cannot copy from {name}: there is no such block (expected {name} "
                        "earlier in the file)")
    by_bar = ctx.split_notes.get(src)
    if by_bar is None:
        by_bar = {}
        done = ctx.done[src]  # read from its columns: the source part makes no Note
        for i, (beat, rank, accent, ghost, velocity) in enumerate(zip(
                done.beat.tolist(), done.rank.tolist(), done.accent.tolist(),
                done.ghost.tolist(), done.velocity.tolist(), strict=True)):
            bar, on, od = ctx.bars.split(beat)
            marks = (ACCENT if accent else 0) | (GHOST if ghost else 0)
            by_bar.setdefault(bar, []).append((i, (on, od, rank, marks, velocity)))
        ctx.split_notes[src] = by_bar
    if last - first < len(by_bar):
        bars = [b for b in range(first, last + 1) if b in by_bar]
    else:
        bars = [b for b in by_bar if first <= b <= last]
    # in the order of the source notes, as written there
    items = sorted((i, b, hit) for b in bars for i, hit in by_bar[b])
    return [(b, hit) for _, b, hit in items]


# single notes ----------------------------------------------------------------
def _at_line(text: str, bars: BarTable) -> Run:
    words = text.split()
    if len(words) < 3:
        raise LineError(f"found '{text}' ({_AT_HELP})")
    pos = parse_position(words[1], allow_seconds=True)
    if isinstance(pos, tuple):
        bar, beat = pos
        on, od = check_beat_in_bar(bars, bar, beat, words[1])
    else:
        tempo = bars.tempo
        beat_f = tempo.beat_at(pos)
        if beat_f < 0:
            raise LineError(f"position '{words[1]}' is before bar 1, which starts at "
                            f"{tempo.offset_s!r}s (expected a time from there on)")
        if beat_f >= bars.end:
            raise LineError(f"position '{words[1]}' is past bar {MAX_BAR}, the last this "
                            "game reads")
        bar, on, od = bars.split(beat_f)
    rank = voice_rank(words[2])
    marks = velocity = 0
    for flag in words[3:]:
        low = flag.lower()
        if low == "accent":
            marks |= ACCENT
        elif low == "ghost":
            marks |= GHOST
        elif low.startswith("v="):
            v = _VELOCITY.match(flag)
            if v is None or not 1 <= int(v.group(1)) <= 127:
                raise LineError(f"bad velocity '{flag}' (expected v=1 to v=127)")
            velocity = int(v.group(1))
        else:
            raise LineError(f"unknown flag '{flag}' (expected accent, ghost or v=1..127)")
    return exact_run(bar, ((on, od, rank, marks, velocity),))
