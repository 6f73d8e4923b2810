"""Choose each bar's grid for the writer, in time linear in the number of notes.

A bar gets the grid, among :data:`CELLS_PER_BEAT` cells per quarter note, that
holds the most of its notes (the coarsest on ties). A grid of ``q`` cells per
beat holds a note when its nearest cell is within :data:`TOLERANCE` of the note
in beats and in seconds, as the parser will read the cell back, and no earlier
note of the same voice took that cell.

:func:`fit_part` does not try every grid on every note. It measures each note
once, on the finest grid of all (96 cells per beat; every candidate divides
96): if its nearest 96th ``j`` holds it, the note sits on the exact position
``j/96``, and the grids that hold it are exactly those whose ``q`` is a multiple
of the reduced denominator of ``j/96`` (any other grid's cells are at least
1/96 beat from that position). Counting notes per denominator gives every
grid's score at once; numpy does it for all the notes of a part together.

That needs float offsets precise to far better than 1/96 beat, and bar starts
that are exact floats: true below 2**40 beats. A chart whose bars reach beyond
that (absurd meters) is fitted by :func:`fit_part_by_trial`, the definition
itself on exact integer ratios.
"""

from __future__ import annotations

from collections import defaultdict
from operator import attrgetter

import numpy as np

from game.engine.chart import ACCENT_VELOCITY, DEFAULT_VELOCITY, GHOST_VELOCITY, Note
from game.formats.beatmap_bars import BarTable, position_beat
from game.formats.beatmap_syntax import MAX_BAR, ROW_ORDER, default_velocity, round_ratio

#: Grid resolutions tried per bar, in cells per quarter note.
CELLS_PER_BEAT = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)
#: The finest grid of all: every resolution above divides it.
FINEST = 96
#: How far (in beats and in seconds) a grid cell may be from a note it holds.
TOLERANCE = 1e-9
#: Below this many beats, bar starts (multiples of 1/8) and offsets into bars
#: are exact floats, and integers of the cell arithmetic stay below 2**53.
FLOAT_SAFE_BEATS = 2.0**40

#: Voice -> row rank (top to bottom); keyed by ``id`` (enum hashing is slow).
ROW_RANK_BY_ID = {id(v): i for i, v in enumerate(ROW_ORDER)}
ROW_RANK = {v: i for i, v in enumerate(ROW_ORDER)}

#: Bar -> (cells, voice rank -> [(cell, mark character)]).
Grids = dict[int, tuple[int, dict[int, list[tuple[int, str]]]]]

_TOLERANCE_RATIO = TOLERANCE.as_integer_ratio()
_FIELDS = attrgetter("beat", "time_s", "velocity", "accent", "ghost", "voice")
#: Reduced denominator -> its index in CELLS_PER_BEAT (-1: no candidate).
_CANDIDATE_INDEX = np.full(FINEST + 1, -1, dtype=np.int64)
_CANDIDATE_INDEX[list(CELLS_PER_BEAT)] = np.arange(len(CELLS_PER_BEAT))
#: _DIVIDES[a, b]: candidate a divides candidate b (a grid of b holds a's notes).
_DIVIDES = np.array([[b % a == 0 for b in CELLS_PER_BEAT] for a in CELLS_PER_BEAT],
                    dtype=np.int64)


def check_beat(bars: BarTable, beat: float, what: str) -> None:
    """Raise ValueError unless ``beat`` can be written (bar 1 to bar :data:`MAX_BAR`)."""
    if not beat >= -TOLERANCE:
        raise ValueError(f"cannot write {what} at beat {beat}: it is before bar 1")
    if not beat < bars.end - 2 * TOLERANCE:
        raise ValueError(f"cannot write {what} at beat {beat}: it is past bar {MAX_BAR}")


def check_note(bars: BarTable, n: Note) -> None:
    """Raise ValueError if ``n`` cannot be written (position or velocity)."""
    check_beat(bars, n.beat, f"the {n.voice.code} note")
    if not 1 <= n.velocity <= 127:
        raise ValueError(f"cannot write the {n.voice.code} note at beat {n.beat}: "
                         f"velocity {n.velocity} is outside 1-127")


def mark_of(n: Note) -> str:
    """The grid cell of a placed note."""
    return "X" if n.accent else "g" if n.ghost else "x"


def fit_part(bars: BarTable, notes: tuple[Note, ...]) -> tuple[Grids, list[Note]]:
    """Grids of the part's bars, and the notes for ``at`` lines in the order written.

    The ``at`` notes are those with a velocity other than the default of their
    marks (or both marks), in chart order, then the notes no grid took, bar by
    bar, in chart order.

    Raises
    ------
    ValueError
        For the first note (in chart order) the format cannot hold.
    """
    if not notes:
        return {}, []
    if bars.end >= FLOAT_SAFE_BEATS:
        return fit_part_by_trial(bars, notes)
    beat_t, time_t, vel_t, accent_t, ghost_t, voice_t = zip(*map(_FIELDS, notes), strict=True)
    try:
        beat = np.array(beat_t, dtype=np.float64)
        velocity = np.array(vel_t, dtype=np.int64)
    except (OverflowError, TypeError, ValueError):  # no number: refused note by note
        return fit_part_by_trial(bars, notes)
    bad = ~((beat >= -TOLERANCE) & (beat < bars.end - 2 * TOLERANCE))
    bad |= (velocity < 1) | (velocity > 127)
    if bad.any():
        check_note(bars, notes[int(np.argmax(bad))])
    accent = np.array(accent_t, dtype=bool)
    ghost = np.array(ghost_t, dtype=bool)
    default = np.where(accent, ACCENT_VELOCITY, np.where(ghost, GHOST_VELOCITY,
                                                          DEFAULT_VELOCITY))
    fits = np.flatnonzero(~((accent & ghost) | (velocity != default)))
    loose = [notes[i] for i in np.flatnonzero((accent & ghost) | (velocity != default))]
    if not len(fits):
        return {}, loose
    rank = np.fromiter(map(ROW_RANK_BY_ID.__getitem__, map(id, voice_t)), dtype=np.int64,
                       count=len(notes))[fits]
    b = np.maximum(beat[fits], 0.0)
    top = bars.guess_bar(float(b.max())) + 2
    starts, sn, sd, ln, ld = bars.arrays(top)  # index i: bar i + 1
    i = np.searchsorted(starts, b, side="right") - 1
    offset = b - starts[i]  # exact: both are floats below 2**40, the start a multiple of 1/8
    length = ln[i] / ld[i]
    hair = (length - offset) <= TOLERANCE  # a hair before the next downbeat: that downbeat
    i = np.where(hair, i + 1, i)
    offset = np.where(hair, offset - length, offset)
    j = np.rint(offset * FINEST).astype(np.int64)
    cell_beat = (sn[i] * FINEST + j * sd[i]).astype(np.float64) / (sd[i] * FINEST)
    held = ((j >= 0) & (j * ld[i] < FINEST * ln[i])
            & (np.abs(cell_beat - beat[fits]) <= TOLERANCE)
            & (np.abs(bars.tempo.seconds_at_many(cell_beat)
                      - np.array(time_t, dtype=np.float64)[fits]) <= TOLERANCE))
    grid = _CANDIDATE_INDEX[FINEST // np.gcd(np.maximum(j, 0), FINEST)]
    held &= grid >= 0
    held &= ~_repeats(i, rank, j, held)
    bar_ids, local = np.unique(i, return_inverse=True)
    counts = np.zeros((len(bar_ids), len(CELLS_PER_BEAT)), dtype=np.int64)
    np.add.at(counts, (local[held], grid[held]), 1)
    fitted = counts @ _DIVIDES
    per_beat_all = np.array(CELLS_PER_BEAT, dtype=np.int64)
    valid = (ln[bar_ids][:, None] * per_beat_all[None, :]) % ld[bar_ids][:, None] == 0
    best = np.argmax(np.where(valid, fitted, -1), axis=1)  # first maximum: the coarsest
    per_beat = per_beat_all[best][local]
    placed = held & (per_beat % per_beat_all[np.maximum(grid, 0)] == 0)
    cell = j * per_beat // FINEST
    cells = ln[i] * per_beat // ld[i]
    grids: Grids = {}
    order = np.lexsort((cell, rank, i))
    for k in order[placed[order]].tolist():
        bar = int(i[k]) + 1
        entry = grids.get(bar)
        if entry is None:
            entry = grids[bar] = (int(cells[k]), {})
        n = notes[fits[k]]
        entry[1].setdefault(int(rank[k]), []).append((int(cell[k]), mark_of(n)))
    rest = np.flatnonzero(~placed)
    rest = rest[np.lexsort((rest, i[rest]))]
    loose += [notes[fits[k]] for k in rest.tolist()]
    return grids, loose


def _repeats(bar: np.ndarray, rank: np.ndarray, cell: np.ndarray,
             held: np.ndarray) -> np.ndarray:
    """Held notes on a cell an earlier held note of the same voice already took."""
    out = np.zeros(len(bar), dtype=bool)
    idx = np.flatnonzero(held)
    if len(idx) < 2:
        return out
    order = idx[np.lexsort((idx, cell[idx], rank[idx], bar[idx]))]
    same = ((bar[order][1:] == bar[order][:-1]) & (rank[order][1:] == rank[order][:-1])
            & (cell[order][1:] == cell[order][:-1]))
    out[order[1:][same]] = True
    return out


def fit_part_by_trial(bars: BarTable, notes: tuple[Note, ...]) -> tuple[Grids, list[Note]]:
    """:func:`fit_part` by trying every grid on every note, on exact integer ratios."""
    by_bar: dict[int, list[tuple[Note, int, int]]] = defaultdict(list)
    loose: list[Note] = []
    for n in notes:
        check_note(bars, n)
        if (n.accent and n.ghost) or n.velocity != default_velocity(n.accent, n.ghost):
            loose.append(n)
            continue
        bar, num, den = bars.split(max(n.beat, 0.0))
        ln, ld = bars.length(bar)
        rest_num, rest_den = ln * den - num * ld, ld * den
        if rest_num * _TOLERANCE_RATIO[1] <= _TOLERANCE_RATIO[0] * rest_den:
            bar, num, den = bar + 1, -rest_num, rest_den
        by_bar[bar].append((n, num, den))
    grids: Grids = {}
    for bar in sorted(by_bar):
        cells, placed, rest = _fit_bar_by_trial(bars, bar, by_bar[bar])
        loose.extend(rest)
        if placed:
            grids[bar] = (cells, {rank: sorted(row) for rank, row in placed.items()})
    return grids, loose


def _fit_bar_by_trial(
    bars: BarTable, bar: int, notes: list[tuple[Note, int, int]]
) -> tuple[int, dict[int, list[tuple[int, str]]], list[Note]]:
    start = bars.start(bar).as_integer_ratio()
    ln, ld = bars.length(bar)
    best: tuple[int, int, dict[int, list[tuple[int, str]]], list[Note]] | None = None
    for per_beat in CELLS_PER_BEAT:
        if ln * per_beat % ld:
            continue
        cells = ln * per_beat // ld
        placed: dict[int, list[tuple[int, str]]] = defaultdict(list)
        taken: set[tuple[int, int]] = set()
        rest: list[Note] = []
        for n, num, den in notes:
            k = round_ratio(num * per_beat, den)
            rank = ROW_RANK[n.voice]
            cell_beat = position_beat(start, (k, per_beat))
            if (0 <= k < cells and (rank, k) not in taken
                    and abs(cell_beat - n.beat) <= TOLERANCE
                    and abs(bars.tempo.seconds_at(cell_beat) - n.time_s) <= TOLERANCE):
                placed[rank].append((k, mark_of(n)))
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
