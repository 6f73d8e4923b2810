"""Duet sync: how well the two players stay together.

Definitions (see the README's "How the duet is scored"):

* A *shared note time* is a chart time where both players' parts have a note.
  At each one, a player's time is the mean of their hit times on the notes
  there (kick and hi-hat struck together count once); when both have hit,
  ``d = t_P1 - t_P2`` (positive: P2 was earlier).
* mean asynchrony = mean(d); sync spread = population SD of d; in-sync rate =
  share of those times with ``|d| <= 20 ms``.
* Each such time gets a sync grade: locked <= 10 ms, tight <= 25, loose <= 50,
  flam beyond.
* Phase lock R per player: each hit's error as a phase of the local beat,
  ``phi = 2 pi (hit - note) / beat_s``; ``R = |mean exp(i phi)|``, corrected for
  small N as the pairwise phase consistency ``sqrt(max(0, (N R^2 - 1)/(N - 1)))``.
* Leader: lag +1 / -1 cross-correlations of the two players' inter-onset-interval
  deviations from the chart on the shared times (joint-tapping research): P2
  following P1's last interval means P1 leads, and the reverse; both alike
  (within 0.1) is "mutual"; fewer than 30 intervals, or no correlation above
  0.2, gives None.
* Team score (0 - 1,000,000) = 1e6 × (0.5 × mean accuracy + 0.5 × sync quality),
  where sync quality is the mean grade weight over the shared times (locked 1,
  tight 0.8, loose 0.5, flam 0.2, not hit by both 0), or, for a chart with no
  shared times, the mean of the two phase-lock values.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import mul

from game.engine.chart import Note
from game.engine.events import GOOD, STRAY, Judgement
from game.engine.sync_window import (
    PHASE_WALK_MARGIN_S,
    PhaseLockWindow,
    SlotTable,
    SlotWindow,
    sum_in_order,
)
from game.engine.tempo import TempoMap

IN_SYNC_S = 0.020
SYNC_GRADES: tuple[tuple[str, float, float], ...] = (
    ("locked", 0.010, 1.0),
    ("tight", 0.025, 0.8),
    ("loose", 0.050, 0.5),
    ("flam", math.inf, 0.2),
)
MIN_LEADER_INTERVALS = 30
LEADER_MIN_R = 0.2
MUTUAL_MARGIN = 0.1
AHEAD_EVEN_MS = 2.0
_TWO_PI = 2.0 * math.pi


def sync_grade(d_s: float) -> str:
    """Grade of one asynchrony ``d`` in seconds: locked, tight, loose or flam."""
    a = abs(d_s)
    for name, limit, _ in SYNC_GRADES:
        if a <= limit:
            return name
    return "flam"  # pragma: no cover


def _grade_weight(d_s: float) -> float:
    a = abs(d_s)
    for _, limit, weight in SYNC_GRADES:
        if a <= limit:
            return weight
    return 0.0  # pragma: no cover


def corrected_phase_lock(cos_sum: float, sin_sum: float, n: int) -> float | None:
    """Bias-corrected phase-locking value from summed cos/sin of N phases."""
    if n < 2:
        return None
    r2 = (cos_sum * cos_sum + sin_sum * sin_sum) / (n * n)
    ppc = (n * r2 - 1.0) / (n - 1.0)
    return math.sqrt(ppc) if ppc > 0 else 0.0


def _corr(x: list[float], y: list[float]) -> float:
    n = len(x)
    mx = sum(x) / n
    my = sum(y) / n
    sxy = sxx = syy = 0.0
    for a, b in zip(x, y, strict=True):
        da, db = a - mx, b - my
        sxy += da * db
        sxx += da * da
        syy += db * db
    if sxx <= 0 or syy <= 0:
        return 0.0
    return sxy / math.sqrt(sxx * syy)


def _remove_microtiming(t: list[float], chart: list[float], positions: list[int]) -> list[float]:
    """Hit times minus the player's mean deviation at each metric position.

    Drummers play some grid positions consistently early or late (swing, a
    laid-back backbeat). Two drummers sharing that feel would otherwise look
    coupled; only the deviations left after it are evidence of adaptation.
    """
    sums: dict[int, float] = {}
    counts: dict[int, int] = {}
    for ti, ci, pos in zip(t, chart, positions, strict=True):
        sums[pos] = sums.get(pos, 0.0) + (ti - ci)
        counts[pos] = counts.get(pos, 0) + 1
    return [ti - (sums[pos] / counts[pos] if counts[pos] >= 3 else 0.0)
            for ti, pos in zip(t, positions, strict=True)]


def leader_from(t1: list[float], t2: list[float], chart: list[float],
                positions: list[int] | None = None) -> tuple[str | None, float | None,
                                                             float | None]:
    """Who leads, from hit times of both players at the same chart times.

    Parameters
    ----------
    t1, t2 : list of float
        Each player's time at each shared chart time, seconds.
    chart : list of float
        The chart times, seconds, increasing.
    positions : list of int, optional
        Metric position of each chart time (e.g. 48ths of a beat); when given,
        each player's mean deviation per position is removed first.

    Returns
    -------
    leader : {"p1", "p2", "mutual"} or None
    r_p1_leads, r_p2_leads : float or None
        Lag +1 correlation (P2's interval follows P1's previous one) and lag -1.
    """
    if len(chart) - 1 < MIN_LEADER_INTERVALS:
        return None, None, None
    if positions is not None:
        t1 = _remove_microtiming(t1, chart, positions)
        t2 = _remove_microtiming(t2, chart, positions)
    a = [(t1[k + 1] - t1[k]) - (chart[k + 1] - chart[k]) for k in range(len(chart) - 1)]
    b = [(t2[k + 1] - t2[k]) - (chart[k + 1] - chart[k]) for k in range(len(chart) - 1)]
    r_plus = _corr(a[:-1], b[1:])
    r_minus = _corr(b[:-1], a[1:])
    if max(r_plus, r_minus) < LEADER_MIN_R:
        return None, r_plus, r_minus
    if abs(r_plus - r_minus) < MUTUAL_MARGIN:
        return "mutual", r_plus, r_minus
    return ("p1" if r_plus > r_minus else "p2"), r_plus, r_minus


def _mean_spread(d_list: list[float]) -> tuple[float | None, float | None]:
    """Mean and population SD of the asynchronies ``d_list`` (s); None for none."""
    n = len(d_list)
    if not n:
        return None, None
    mean_d = sum(d_list) / n
    return mean_d, math.sqrt(sum((d - mean_d) ** 2 for d in d_list) / n)


@dataclass(frozen=True, slots=True)
class DuetStats:
    """The pair's figures, over the whole song so far or over a window."""

    shared_times: int
    shared_notes: int
    mean_asynchrony_ms: float | None
    sync_spread_ms: float | None
    in_sync_rate: float | None
    phase_lock: tuple[float | None, float | None]
    leader: str | None
    ahead: str | None
    grades: tuple[tuple[str, int], ...]
    accent_pairs: int
    accent_agreement: float | None
    sync_quality: float | None
    team_score: int
    asynchronies: tuple[tuple[float, float], ...]


class DuetTracker:
    """Follows both players' judgements and computes :class:`DuetStats`.

    Parameters
    ----------
    notes : pair of tuple of Note
        P1's and P2's notes (their own part and difficulty).
    tempo : TempoMap
        For beat lengths (phase lock) and the rolling window.

    Notes
    -----
    :meth:`stats` over a window that only moves forward (the live meter's last
    beats, once a frame) is kept up to date incrementally (see
    :mod:`game.engine.sync_window`): each call handles the shared times and hits
    that entered or left the window, or were judged, since the last one, and
    gives exactly the floats :meth:`stats_from_scratch` gives. Sums that must
    come out as those very floats (the spread, the phase-lock sums, the
    leader's correlations, the latter only when a shared time in the window
    changed) are added up again from the window's stored terms, a few beats'
    worth. The whole song (``start_s`` -inf), a window moving back, or hit
    records other than the ones followed so far are computed from scratch.
    """

    def __init__(self, notes: tuple[tuple[Note, ...], tuple[Note, ...]], tempo: TempoMap) -> None:
        self.tempo = tempo
        keys = [[round(n.time_s * 1e6) for n in ns] for ns in notes]
        shared = sorted(set(keys[0]) & set(keys[1]))
        slot_of = {k: i for i, k in enumerate(shared)}
        self.slot_times = [k / 1e6 for k in shared]
        self._note_slot = [[slot_of.get(k, -1) for k in ks] for ks in keys]
        # Metric position of each shared time, in 48ths of a beat (for the leader).
        self._slot_pos = [0] * len(shared)
        for i, note in enumerate(notes[0]):
            slot = self._note_slot[0][i]
            if slot >= 0:
                self._slot_pos[slot] = round((note.beat % 1.0) * 48) % 48
        self._notes = notes
        n_slots = len(shared)
        self._sum = [[0.0] * n_slots, [0.0] * n_slots]
        self._cnt = [[0] * n_slots, [0] * n_slots]
        self._judged = [[0] * n_slots, [0] * n_slots]
        self._accent_state: list[list[bool | None]] = [[None] * n_slots, [None] * n_slots]
        # For the rolling window: what each shared time contributes, refreshed from the
        # sums above (lazily: apply() only notes which shared times changed).
        self._table = SlotTable(n_slots)
        self._dirty = bytearray(n_slots)
        self._dirty_list: list[int] = []
        self._window: SlotWindow | None = None
        self._phase: tuple[PhaseLockWindow, PhaseLockWindow] | None = None
        self._span = (-math.inf, -math.inf)  #: the window followed: (start s, end s)
        self._leader_key: tuple[list[float], list[float], list[float]] | None = None
        self._leader: str | None = None

    def apply(self, j: Judgement) -> None:
        """Take one judgement into account."""
        grade = j.grade
        if grade is STRAY:
            return
        p = j.player
        hit = grade >= GOOD
        slot = self._note_slot[p][j.note_index]
        if slot < 0:
            return
        self._judged[p][slot] += 1
        if not self._dirty[slot]:
            self._dirty[slot] = 1
            self._dirty_list.append(slot)
        if hit:
            self._sum[p][slot] += j.hit_time_s  # type: ignore[operator]
            self._cnt[p][slot] += 1
            if self._notes[p][j.note_index].accent:
                prev = self._accent_state[p][slot]
                self._accent_state[p][slot] = bool(prev) or j.accent_hit

    # the figures ---------------------------------------------------------------------
    def stats(self, *, accuracies: tuple[float, float],
              hit_offsets: tuple[Sequence[tuple[float, float]], Sequence[tuple[float, float]]],
              start_s: float = -math.inf, end_s: float = math.inf) -> DuetStats:
        """Duet figures over shared times in ``[start_s, end_s]``.

        Parameters
        ----------
        accuracies : (float, float)
            The players' accuracies, for the team score.
        hit_offsets : pair of sequences of (note time s, offset s)
            Every hit of each player in judging order (the score processors'
            record, only ever appended to), for the phase lock.
        start_s, end_s : float
            Window on the song clock, seconds (default: everything).

        Notes
        -----
        Equal to :meth:`stats_from_scratch` with the same arguments, float for
        float. A window whose start and end did not move back since the last
        call is updated incrementally; anything else is computed from scratch.
        """
        if start_s == -math.inf:  # the whole song (or nothing yet): no window to follow
            return self.stats_from_scratch(accuracies=accuracies, hit_offsets=hit_offsets,
                                           start_s=start_s, end_s=end_s)
        last_start, last_end = self._span
        if not (start_s >= last_start and end_s >= last_end):  # moved back (or NaN)
            self._forget_window()
            return self.stats_from_scratch(accuracies=accuracies, hit_offsets=hit_offsets,
                                           start_s=start_s, end_s=end_s)
        return self._stats_rolling(accuracies, hit_offsets, start_s, end_s)

    def stats_from_scratch(
            self, *, accuracies: tuple[float, float],
            hit_offsets: tuple[Sequence[tuple[float, float]], Sequence[tuple[float, float]]],
            start_s: float = -math.inf, end_s: float = math.inf) -> DuetStats:
        """:meth:`stats` computed afresh from every judgement (the reference).

        Parameters are those of :meth:`stats`; this never reads or changes the
        incrementally kept window.
        """
        lo = bisect_left(self.slot_times, start_s)
        hi = bisect_right(self.slot_times, end_s)
        sum1, sum2 = self._sum
        cnt1, cnt2 = self._cnt
        jd1, jd2 = self._judged
        acc1, acc2 = self._accent_state
        grade_counts = dict.fromkeys((g[0] for g in SYNC_GRADES), 0)
        d_list: list[float] = []
        t1: list[float] = []
        t2: list[float] = []
        chart: list[float] = []
        positions: list[int] = []
        slot_pos = self._slot_pos
        resolved = 0
        weight = 0.0
        accent_pairs = accent_agree = 0
        for s in range(lo, hi):
            if not (jd1[s] and jd2[s]):
                continue
            resolved += 1
            if cnt1[s] and cnt2[s]:
                a = sum1[s] / cnt1[s]
                b = sum2[s] / cnt2[s]
                d = a - b
                d_list.append(d)
                t1.append(a)
                t2.append(b)
                chart.append(self.slot_times[s])
                positions.append(slot_pos[s])
                grade_counts[sync_grade(d)] += 1
                weight += _grade_weight(d)
                if acc1[s] is not None and acc2[s] is not None:
                    accent_pairs += 1
                    accent_agree += acc1[s] == acc2[s]
        in_sync = sum(1 for d in d_list if abs(d) <= IN_SYNC_S)
        locks = (self._phase_lock(hit_offsets[0], start_s, end_s),
                 self._phase_lock(hit_offsets[1], start_s, end_s))
        leader, _, _ = leader_from(t1, t2, chart, positions)
        return _assemble(accuracies, resolved, d_list, chart, tuple(grade_counts.items()),
                         weight, in_sync, accent_pairs, accent_agree, locks, leader)

    # the rolling window --------------------------------------------------------------
    def _forget_window(self) -> None:
        self._window = None
        self._phase = None
        self._span = (-math.inf, -math.inf)

    def _refresh(self, s: int) -> None:
        """Work out shared time ``s``'s contribution from the sums (the reference's arithmetic)."""
        tab = self._table
        jd1, jd2 = self._judged[0][s], self._judged[1][s]
        cnt1, cnt2 = self._cnt[0][s], self._cnt[1][s]
        tab.resolved[s] = 1 if jd1 and jd2 else 0
        if not (jd1 and jd2 and cnt1 and cnt2):
            return
        a = self._sum[0][s] / cnt1
        b = self._sum[1][s] / cnt2
        d = a - b
        tab.paired[s] = 1
        tab.a[s], tab.b[s], tab.d[s] = a, b, d
        tab.grade[s] = _GRADE_INDEX[sync_grade(d)]
        tab.weight[s] = _grade_weight(d)
        tab.in_sync[s] = abs(d) <= IN_SYNC_S
        acc1, acc2 = self._accent_state[0][s], self._accent_state[1][s]
        pair = acc1 is not None and acc2 is not None
        tab.accent_pair[s] = pair
        tab.accent_agree[s] = pair and acc1 == acc2

    def _stats_rolling(
            self, accuracies: tuple[float, float],
            hit_offsets: tuple[Sequence[tuple[float, float]], Sequence[tuple[float, float]]],
            start_s: float, end_s: float) -> DuetStats:
        """:meth:`stats` for a window at or after the last one, kept up to date."""
        window = self._window
        if window is None:
            window = self._window = SlotWindow(self._table, len(SYNC_GRADES))
            # the table is refreshed below for every changed shared time, in or out
        phase = self._phase
        if phase is None:
            beat_length = self.tempo.beat_length_at_s
            phase = self._phase = (PhaseLockWindow(beat_length), PhaseLockWindow(beat_length))
        self._span = (start_s, end_s)
        # shared times judged since the last call
        dirty, paired = self._dirty, self._table.paired
        for s in self._dirty_list:
            dirty[s] = 0
            inside = window.before_change(s)
            was_paired = bool(paired[s])
            self._refresh(s)
            if inside:
                window.after_change(s, was_paired)
        self._dirty_list.clear()
        # slide: both bounds only move forward, so the last ones bound the search
        times = self.slot_times
        window.move(bisect_left(times, start_s, window.lo),
                    bisect_right(times, end_s, window.hi))
        sums = []
        for p in (0, 1):
            follower, offsets = phase[p], hit_offsets[p]
            if not follower.follows(offsets):
                follower.reset(offsets)
            sums.append(follower.advance(offsets, start_s, end_s))
        locks = (corrected_phase_lock(*sums[0]), corrected_phase_lock(*sums[1]))
        tab = self._table
        slots = window.paired
        d_list = list(map(tab.d.__getitem__, slots))
        chart = list(map(times.__getitem__, slots))
        # the leader's inputs change only when a shared time in the window does
        t1 = list(map(tab.a.__getitem__, slots))
        t2 = list(map(tab.b.__getitem__, slots))
        key = (t1, t2, chart)
        if key != self._leader_key:
            self._leader_key = key
            self._leader = leader_from(t1, t2, chart,
                                       list(map(self._slot_pos.__getitem__, slots)))[0]
        weights = map(tab.weight.__getitem__, slots)
        return _assemble(accuracies, window.resolved, d_list, chart,
                         tuple(zip(_GRADE_NAMES, window.grades, strict=True)),
                         sum_in_order(weights), window.in_sync, window.accent_pairs,
                         window.accent_agree, locks, self._leader)

    def _phase_lock(self, offsets: Sequence[tuple[float, float]], start_s: float,
                    end_s: float) -> float | None:
        cs = sn = 0.0
        n = 0
        beat_length = self.tempo.beat_length_at_s
        # Hits are judged in time order, give or take a window: a live query
        # walks back from the newest hit and stops well before the window.
        stop_s = start_s - PHASE_WALK_MARGIN_S
        for k in range(len(offsets) - 1, -1, -1):
            t, off = offsets[k]
            if t < stop_s:
                break
            if start_s <= t <= end_s:
                phi = _TWO_PI * off / beat_length(t)
                cs += math.cos(phi)
                sn += math.sin(phi)
                n += 1
        return corrected_phase_lock(cs, sn, n)


_GRADE_NAMES = tuple(g[0] for g in SYNC_GRADES)
_GRADE_INDEX = {name: i for i, name in enumerate(_GRADE_NAMES)}


def _assemble(accuracies: tuple[float, float], resolved: int, d_list: list[float],
              chart: list[float], grades: tuple[tuple[str, int], ...], weight: float,
              in_sync: int, accent_pairs: int, accent_agree: int,
              locks: tuple[float | None, float | None], leader: str | None) -> DuetStats:
    """The figures from what the window holds (shared by both ways of gathering it).

    Parameters
    ----------
    accuracies : (float, float)
    resolved : int
        Shared times both players have judged.
    d_list, chart : list of float
        Asynchrony and chart time (s) of each paired shared time, in time order.
    grades : tuple of (str, int)
        Paired shared times per sync grade.
    weight : float
        Their grade weights summed in time order.
    in_sync : int
        Paired shared times within the in-sync limit.
    accent_pairs, accent_agree : int
    locks : (float or None, float or None)
        Each player's phase lock.
    leader : str or None
    """
    n = len(d_list)
    mean_d, sd_d = _mean_spread(d_list)
    rate = in_sync / n if n else None
    if resolved:
        quality: float | None = weight / resolved
    else:
        known = [x for x in locks if x is not None]
        quality = sum(known) / len(known) if known else None
    ahead = None
    if mean_d is not None:
        ms = mean_d * 1e3
        ahead = "even" if abs(ms) <= AHEAD_EVEN_MS else ("p2" if ms > 0 else "p1")
    team = round(1e6 * (0.5 * (accuracies[0] + accuracies[1]) / 2 + 0.5 * (quality or 0.0)))
    return DuetStats(
        shared_times=resolved,
        shared_notes=n,
        mean_asynchrony_ms=None if mean_d is None else mean_d * 1e3,
        sync_spread_ms=None if sd_d is None else sd_d * 1e3,
        in_sync_rate=rate,
        phase_lock=locks,
        leader=leader,
        ahead=ahead,
        grades=grades,
        accent_pairs=accent_pairs,
        accent_agreement=accent_agree / accent_pairs if accent_pairs else None,
        sync_quality=quality,
        team_score=team,
        asynchronies=tuple(zip(chart, map(mul, d_list, repeat(1e3)), strict=True)),
    )
