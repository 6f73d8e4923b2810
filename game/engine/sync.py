"""Duet sync: :class:`DuetTracker` follows both players' judgements and gives the
pair's figures (:class:`~game.engine.sync_figures.DuetStats`; what each one means
and how it is computed is in :mod:`game.engine.sync_figures`).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from game.engine.chart import Note
from game.engine.events import GOOD, STRAY, Judgement
from game.engine.sync_figures import (
    GRADE_INDEX,
    GRADE_NAMES,
    IN_SYNC_S,
    SYNC_GRADES,
    TWO_PI,
    DuetStats,
    assemble_stats,
    corrected_phase_lock,
    grade_weight,
    leader_from,
    sync_grade,
)
from game.engine.sync_window import (
    PHASE_WALK_MARGIN_S,
    PhaseLockWindow,
    SlotTable,
    SlotWindow,
    sum_in_order,
)
from game.engine.tempo import TempoMap


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
                weight += grade_weight(d)
                if acc1[s] is not None and acc2[s] is not None:
                    accent_pairs += 1
                    accent_agree += acc1[s] == acc2[s]
        in_sync = sum(1 for d in d_list if abs(d) <= IN_SYNC_S)
        locks = (self._phase_lock(hit_offsets[0], start_s, end_s),
                 self._phase_lock(hit_offsets[1], start_s, end_s))
        leader, _, _ = leader_from(t1, t2, chart, positions)
        return assemble_stats(accuracies, resolved, d_list, chart, tuple(grade_counts.items()),
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
        tab.grade[s] = GRADE_INDEX[sync_grade(d)]
        tab.weight[s] = grade_weight(d)
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
        return assemble_stats(accuracies, window.resolved, d_list, chart,
                         tuple(zip(GRADE_NAMES, window.grades, strict=True)),
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
                phi = TWO_PI * off / beat_length(t)
                cs += math.cos(phi)
                sn += math.sin(phi)
                n += 1
        return corrected_phase_lock(cs, sn, n)
