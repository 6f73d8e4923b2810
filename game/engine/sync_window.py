"""The rolling duet window, kept up to date as it slides forward.

:meth:`game.engine.sync.DuetTracker.stats` over the last beats (the live sync
meter, once per frame) would otherwise look at every shared time and every hit
in the window again each frame. The classes here follow the window
instead: what enters or leaves it since the last frame is accounted once, and
what each shared time or hit contributes is worked out once.

Exactness: the figures must be the very floats the from-scratch computation
gives. Counts are kept as running integers (exact); float sums are not kept
running (adding and later subtracting would drift in the last bits), but added
up again each call from the window's stored terms, in the order the
from-scratch code adds them (:func:`sum_in_order`; not ``sum``, which from
Python 3.12 compensates). The window holds a few beats, so that costs tens of
microseconds at most (the bench's densest chart has 64 shared times and some
300 hits per player in the window; see ``bench/frame_time.py``).

Both windows may only move forward (start and end each non-decreasing); the
tracker falls back to the from-scratch computation otherwise.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from heapq import heappop, heappush

#: The phase-lock walk (``DuetTracker._phase_lock``) stops at the newest hit
#: this long (s) before the window's start.
PHASE_WALK_MARGIN_S = 1.0
_TWO_PI = 2.0 * math.pi


def sum_in_order(terms: Iterable[float]) -> float:
    """``((0.0 + t0) + t1) + ...``: the float a loop of ``+=`` over ``terms`` gives."""
    total = 0.0
    for t in terms:
        total += t
    return total


class SlotTable:
    """What each shared time contributes to the duet figures, once both players' hits are in.

    Filled by :class:`~game.engine.sync.DuetTracker` (one entry per shared time,
    refreshed when a judgement lands on it); read by :class:`SlotWindow`.

    Attributes
    ----------
    resolved : bytearray
        1 once both players have a judgement at the shared time.
    paired : bytearray
        1 once both have a hit there (and it is resolved): it has an asynchrony.
    d, a, b : list of float
        Asynchrony ``a - b`` and each player's mean hit time there, seconds
        (valid where ``paired``).
    weight : list of float
        Its sync-grade weight (valid where ``paired``).
    grade : bytearray
        Index of its sync grade in ``SYNC_GRADES`` (valid where ``paired``).
    in_sync : bytearray
        1 if ``|d|`` is within the in-sync limit (valid where ``paired``).
    accent_pair, accent_agree : bytearray
        1 if both players' accent states are known there / and agree (valid
        where ``paired``).
    """

    __slots__ = ("a", "accent_agree", "accent_pair", "b", "d", "grade", "in_sync", "paired",
                 "resolved", "weight")

    def __init__(self, n: int) -> None:
        self.resolved = bytearray(n)
        self.paired = bytearray(n)
        self.d = [0.0] * n
        self.a = [0.0] * n
        self.b = [0.0] * n
        self.weight = [0.0] * n
        self.grade = bytearray(n)
        self.in_sync = bytearray(n)
        self.accent_pair = bytearray(n)
        self.accent_agree = bytearray(n)


class SlotWindow:
    """The shared times with indices in ``[lo, hi)`` of a :class:`SlotTable`, with running counts.

    Parameters
    ----------
    table : SlotTable
    n_grades : int
        How many sync grades there are (the length of :attr:`grades`).

    Attributes
    ----------
    lo, hi : int
        The window, as indices into the tracker's sorted shared times.
    paired : list of int
        The paired shared times in the window, increasing (the reference's order).
    resolved, in_sync, accent_pairs, accent_agree : int
        Counts over the window (``in_sync`` and the accent counts over paired times).
    grades : list of int
        Paired shared times in the window per sync grade.
    """

    __slots__ = ("accent_agree", "accent_pairs", "grades", "hi", "in_sync", "lo", "paired",
                 "resolved", "table")

    def __init__(self, table: SlotTable, n_grades: int) -> None:
        self.table = table
        self.lo = self.hi = 0
        self.paired: list[int] = []
        self.resolved = self.in_sync = self.accent_pairs = self.accent_agree = 0
        self.grades = [0] * n_grades

    def _count(self, s: int, sign: int) -> None:
        """Add (``sign`` 1) or take away (-1) shared time ``s``'s contribution to the counts."""
        tab = self.table
        if tab.resolved[s]:
            self.resolved += sign
        if tab.paired[s]:
            self.grades[tab.grade[s]] += sign
            self.in_sync += sign * tab.in_sync[s]
            self.accent_pairs += sign * tab.accent_pair[s]
            self.accent_agree += sign * tab.accent_agree[s]

    def before_change(self, s: int) -> bool:
        """Call before shared time ``s``'s entry changes; True if it is in the window."""
        if self.lo <= s < self.hi:
            self._count(s, -1)
            return True
        return False

    def after_change(self, s: int, was_paired: bool) -> None:
        """Call after shared time ``s`` (in the window) changed: count it again."""
        self._count(s, 1)
        if not was_paired and self.table.paired[s]:
            paired = self.paired
            paired.insert(bisect_left(paired, s), s)

    def move(self, lo: int, hi: int) -> None:
        """Slide the window to ``[lo, hi)`` (``lo``, ``hi`` not below the current ones).

        ``hi`` below ``lo`` (a window ending before it starts) holds nothing.
        """
        old_end, new_end = max(self.lo, self.hi), max(lo, hi)
        if lo >= old_end:  # a jump past the whole window: start afresh at lo
            self.paired.clear()
            self.resolved = self.in_sync = self.accent_pairs = self.accent_agree = 0
            self.grades = [0] * len(self.grades)
            old_end = lo
        else:
            for s in range(self.lo, lo):
                self._count(s, -1)
            cut = bisect_left(self.paired, lo)
            if cut:
                del self.paired[:cut]
        tab = self.table
        for s in range(old_end, new_end):
            self._count(s, 1)
            if tab.paired[s]:
                self.paired.append(s)
        self.lo, self.hi = lo, hi


class PhaseLockWindow:
    """Summed cos and sin of one player's hit phases over a window moving forward.

    Gives exactly what the from-scratch phase-lock walk gives for the window
    ``[start_s, end_s]`` over the hits ``offsets`` (``(note time s, offset s)``
    in judging order): walking back from the newest hit, stop at the first one
    whose note time is before ``start_s - PHASE_WALK_MARGIN_S``; sum ``cos`` and ``sin`` of
    ``phi = 2 pi offset / beat length`` over the hits passed with note times in
    the window, newest first.

    The hits passed are those after the *cut*, the newest hit with a note time
    before that stop; the cut only moves forward. Each hit is in one
    state: waiting (note time after the window's end), in the window (its cos
    and sin stored, ordered by index), or out for good (before the window's
    start, or at or before the cut). Min-heaps on note time find the hits that
    change state as the window slides, so a frame handles only those.

    Parameters
    ----------
    beat_length : callable
        Seconds per beat at a song time in seconds (``TempoMap.beat_length_at_s``).
    """

    def __init__(self, beat_length: Callable[[float], float]) -> None:
        self._beat_length = beat_length
        self.reset(None)

    def follows(self, offsets: Sequence[tuple[float, float]]) -> bool:
        """Whether ``offsets`` is the sequence followed so far, only appended to since."""
        seen = self._seen
        return (offsets is self._source and len(offsets) >= seen
                and (seen == 0 or offsets[seen - 1] is self._last))

    def reset(self, offsets: Sequence[tuple[float, float]] | None) -> None:
        """Forget everything and follow ``offsets`` from its first hit."""
        self._source = offsets
        self._seen = 0
        self._last: tuple[float, float] | None = None
        self._cut = -1
        self._unpassed: list[tuple[float, int]] = []  #: every hit after the cut
        self._waiting: list[tuple[float, int]] = []  #: note time after the window's end
        self._inside: list[tuple[float, int]] = []  #: in the window (lazily pruned)
        self._index: list[int] = []  #: hits in the window, increasing index
        #: their ``cos(phi) + i sin(phi)``: complex addition adds the real and the
        #: imaginary parts separately, so one sum gives both float sums exactly
        self._terms: list[complex] = []

    def _include(self, t: float, k: int, off: float) -> None:
        phi = _TWO_PI * off / self._beat_length(t)
        index = self._index
        i = len(index)
        if i and index[-1] > k:
            i = bisect_left(index, k)
        index.insert(i, k)
        self._terms.insert(i, complex(math.cos(phi), math.sin(phi)))
        heappush(self._inside, (t, k))

    def advance(self, offsets: Sequence[tuple[float, float]], start_s: float,
                end_s: float) -> tuple[float, float, int]:
        """Slide to ``[start_s, end_s]`` (seconds, neither below the last call's) over ``offsets``.

        ``offsets`` must be the sequence :meth:`follows` (call :meth:`reset` if
        not). Returns ``(cos sum, sin sum, hits)``, equal to the walk's.
        """
        seen, n = self._seen, len(offsets)
        unpassed = self._unpassed
        for k in range(seen, n):
            heappush(unpassed, (offsets[k][0], k))
        # the cut: the newest hit with a note time before the walk's stop
        stop = start_s - PHASE_WALK_MARGIN_S
        cut = self._cut
        while unpassed and unpassed[0][0] < stop:
            k = heappop(unpassed)[1]
            if k > cut:
                cut = k
        index = self._index
        if cut > self._cut:
            self._cut = cut
            gone = bisect_right(index, cut)
            if gone:
                del index[:gone], self._terms[:gone]
        # hits whose note times fell behind the window's start
        inside = self._inside
        while inside and inside[0][0] < start_s:
            k = heappop(inside)[1]
            if k > cut:  # (at or before the cut: already gone)
                i = bisect_left(index, k)
                del index[i], self._terms[i]
        # waiting hits the window's end reached
        waiting = self._waiting
        while waiting and waiting[0][0] <= end_s:
            t, k = heappop(waiting)
            if k > cut and t >= start_s:
                self._include(t, k, offsets[k][1])
        # the hits judged since the last call
        for k in range(max(seen, cut + 1), n):
            t, off = offsets[k]
            if t > end_s:
                heappush(waiting, (t, k))
            elif t >= start_s:
                self._include(t, k, off)
        self._seen = n
        self._last = offsets[n - 1] if n else None
        # newest first: the walk's order of additions
        total = 0j
        for z in reversed(self._terms):
            total += z
        return total.real, total.imag, len(index)
