"""The hits of a part block, and how they become the chart's sorted notes, fast.

A part block is read into *runs*: the hits one line puts into one bar. A grid
row gives one run per bar with hits; a copy line one run per bar it fills; an
``at`` line a run of one hit. Every hit keeps its exact offset into its bar
(an integer ratio), so copies move it by whole bars exactly, and its float
beat is rounded once, at the end (see :mod:`game.formats.beatmap_bars`).

:func:`notes_from_runs` gives exactly what ``sort_notes([make_note(...) ...])``
gives for the same hits in the same order (checked in the tests), but sorts
and merges with numpy and builds no ``Note`` for a merged duplicate: on an
hour-long duet this step makes a quarter of a million notes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from game.engine.chart import ACCENT_VELOCITY, DEFAULT_VELOCITY, GHOST_VELOCITY
from game.engine.note_columns import NoteColumns, sorted_columns
from game.formats.beatmap_bars import BarTable

#: Mark bits of a hit.
ACCENT, GHOST = 1, 2
#: Integers below this are exact in a float64, and so are their quotients' roundings.
_EXACT_FLOAT_INT = 2**53

#: One hit given exactly: (offset numerator, offset denominator, voice rank,
#: marks, velocity or 0 for the default of the marks).
ExactHit = tuple[int, int, int, int, int]
#: The hits one line puts into one bar: ``(bar, cells, voice rank, cell indexes,
#: marks, ())`` for a grid row of ``cells`` cells (cell ``k`` sits ``k/cells`` of
#: the way through the bar), or ``(bar, 0, 0, zeros, marks, exact hits)``.
Run = tuple[int, int, int, tuple[int, ...], tuple[int, ...], tuple[ExactHit, ...]]


def exact_run(bar: int, hits: tuple[ExactHit, ...]) -> Run:
    """A run of hits given exactly (an ``at`` line, a copy)."""
    return bar, 0, 0, (0,) * len(hits), tuple(h[3] for h in hits), hits


def run_hits(run: Run, bars: BarTable) -> list[ExactHit]:
    """The hits of ``run`` with their exact offsets."""
    bar, cells, voice, cell_indexes, marks, exact = run
    if not cells:
        return list(exact)
    ln, ld = bars.length(bar)
    oden = ld * cells
    return [(ln * k, oden, voice, m, 0) for k, m in zip(cell_indexes, marks, strict=True)]


def notes_from_runs(runs: list[Run], bars: BarTable) -> NoteColumns:
    """Time the hits and return them as notes sorted by time, then voice code
    (as columns: the ``Note`` objects are made when the part is played).

    A hit on the same voice as the note kept before it and less than a
    nanosecond from it is dropped (the first one written wins).
    """
    if not runs:
        return NoteColumns.empty()
    beats, ranks, marks, velocities = _hit_arrays(runs, bars)
    accent = (marks & ACCENT) != 0
    ghost = (marks & GHOST) != 0
    default = np.where(accent, ACCENT_VELOCITY, np.where(ghost, GHOST_VELOCITY,
                                                          DEFAULT_VELOCITY))
    velocity = np.where(velocities == 0, default, velocities)
    return sorted_columns(beats, ranks, velocity, accent, ghost, bars.tempo)


def _hit_arrays(runs: list[Run], bars: BarTable) -> tuple[
        NDArray[np.float64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Beat, voice rank, marks and velocity (0: default) of every hit, in the order written.

    All runs are computed as grid runs (an exact run as one cell per bar, all
    at cell 0), then the few exact hits are put right one by one.
    """
    run_bars, run_cells, run_ranks, run_cell_indexes, run_marks, run_exact = zip(
        *runs, strict=True)
    counts = np.fromiter(map(len, run_marks), dtype=np.int64, count=len(runs))
    total = int(counts.sum())
    cells = np.array(run_cells, dtype=np.int64)
    beats = _grid_beats(bars, run_bars, np.maximum(cells, 1), counts, run_cell_indexes)
    ranks = np.repeat(np.array(run_ranks, dtype=np.int64), counts)
    marks = np.fromiter(itertools.chain.from_iterable(run_marks), dtype=np.int64, count=total)
    velocities = np.zeros(total, dtype=np.int64)
    exact = np.flatnonzero(cells == 0)
    if len(exact):
        first = (np.cumsum(counts) - counts)[exact].tolist()
        for i, at in zip(exact.tolist(), first, strict=True):
            sn, sd, _, _ = bars.exact(run_bars[i])
            for j, (on, od, rank, _, vel) in enumerate(run_exact[i], start=at):
                beats[j] = (sn * od + on * sd) / (sd * od)
                ranks[j] = rank
                velocities[j] = vel
    return beats, ranks, marks, velocities


def _grid_beats(bars: BarTable, run_bars: Sequence[int], cells: NDArray[np.int64],
                counts: NDArray[np.int64],
                cell_indexes: Sequence[tuple[int, ...]]) -> NDArray[np.float64]:
    """Beats of the hits of grid runs, in order.

    Cell k of n in a bar starting at sn/sd and ln/ld beats long is at beat
    ``(sn*ld*n + ln*k*sd) / (sd*ld*n)``. When every such numerator and
    denominator is below 2**53 they are computed on 64-bit integers, and a
    float64 division of two exact integers rounds as Python's integer
    division does; otherwise each beat is computed on Python integers.
    """
    ks = np.fromiter(itertools.chain.from_iterable(cell_indexes), dtype=np.int64,
                     count=int(counts.sum()))
    index = np.array(run_bars, dtype=np.int64) - 1
    _, all_sn, all_sd, all_ln, all_ld = bars.arrays(int(index.max()) + 1)  # row i: bar i + 1
    # every numerator is at most cells * (|sn| * ld + ln * sd), every denominator below it
    biggest = int(cells.max()) * (int(np.abs(all_sn).max()) * int(all_ld.max())
                                  + int(all_ln.max()) * int(all_sd.max()))
    if biggest < _EXACT_FLOAT_INT:
        sn, sd, ln, ld = all_sn[index], all_sd[index], all_ln[index], all_ld[index]
        oden = ld * cells
        num = np.repeat(sn * oden, counts) + np.repeat(ln * sd, counts) * ks
        return num.astype(np.float64) / np.repeat(sd * oden, counts).astype(np.float64)
    out: list[float] = []
    k_iter = iter(ks.tolist())
    for bar, n, count in zip(run_bars, cells.tolist(), counts.tolist(), strict=True):
        sn_, sd_, ln_, ld_ = bars.exact(bar)
        oden_ = ld_ * n
        out += [(sn_ * oden_ + ln_ * k * sd_) / (sd_ * oden_)
                for k in itertools.islice(k_iter, count)]
    return np.array(out, dtype=np.float64)
