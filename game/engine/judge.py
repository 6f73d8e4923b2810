"""Per-player judging: match hits to notes, lane by lane.

Pure and deterministic: the outcome depends only on the notes, the windows and
the hits in time order, never on how often :meth:`PlayerJudge.expire` runs.
"""

from __future__ import annotations

from bisect import bisect_left

from game.engine.chart import Note
from game.engine.events import GOOD, MISS, STRAY, HitEvent, Judgement
from game.engine.voices import LaneLayout, Voice
from game.engine.windows import HitWindows

#: A hit at least this hard (MIDI velocity) earns an accented note's bonus.
ACCENT_HIT_VELOCITY = 100


class PlayerJudge:
    """Judges one player's hits against their notes.

    Parameters
    ----------
    notes : tuple of Note
        The player's part at their difficulty, sorted by time.
    layout : LaneLayout
        Maps note and hit voices to lanes.
    windows : HitWindows
    player : int
        0 or 1, copied into every judgement.
    accent_velocity : int
        Minimum hit velocity that earns an accent bonus.
    """

    __slots__ = ("_expire_ptr", "_lane_idx", "_lane_lo", "_lane_times", "_layout",
                 "_note_lane", "_times", "_voice_lane", "accent_velocity", "judged",
                 "next_note_s", "notes", "player", "windows")

    def __init__(self, notes: tuple[Note, ...], layout: LaneLayout, windows: HitWindows, *,
                 player: int, accent_velocity: int = ACCENT_HIT_VELOCITY) -> None:
        self.notes = notes
        self.windows = windows
        self.player = player
        self.accent_velocity = accent_velocity
        self._layout = layout
        self._voice_lane = {v: layout.lane_of(v) for v in Voice}
        self._times = [n.time_s for n in notes]
        self._note_lane = [self._voice_lane[n.voice] for n in notes]
        self._lane_times: list[list[float]] = [[] for _ in range(layout.size)]
        self._lane_idx: list[list[int]] = [[] for _ in range(layout.size)]
        for i, n in enumerate(notes):
            lane = self._note_lane[i]
            self._lane_times[lane].append(n.time_s)
            self._lane_idx[lane].append(i)
        self._lane_lo = [0] * layout.size
        self._expire_ptr = 0
        #: Per note: 1 once judged (hit or miss).
        self.judged = bytearray(len(notes))
        #: Time of the first note :meth:`expire` has not passed yet (inf when none):
        #: expiring has work only once ``before_s - next_note_s > miss_s``.
        self.next_note_s = self._times[0] if notes else float("inf")

    def lane_for(self, event: HitEvent) -> int:
        """The lane a hit lands in (its own lane, else its voice's lane)."""
        if event.lane is not None:
            return event.lane
        if event.voice is None:
            raise ValueError("a hit event needs a lane or a voice")
        return self._voice_lane[event.voice]

    def hit(self, event: HitEvent) -> Judgement:
        """Judge one hit; returns the note's judgement or a STRAY."""
        lane = event.lane
        if lane is None:
            lane = self.lane_for(event)
        t = event.time_s
        if not 0 <= lane < len(self._lane_times):
            return Judgement(self.player, STRAY, -1, None, t, lane, event.velocity)
        times = self._lane_times[lane]
        idx = self._lane_idx[lane]
        judged = self.judged
        lo = self._lane_lo[lane]
        reach = self.windows.miss_s
        # Only notes within miss_s of the hit can be judged by it: scan no farther.
        # (If the nearest unjudged note is farther, the hit is a stray either way.)
        i = bisect_left(times, t, lo)
        n = len(times)
        right = i
        while right < n and judged[idx[right]]:
            if times[right] - t > reach:
                right = n
                break
            right += 1
        left = i - 1
        while left >= lo and judged[idx[left]]:
            if t - times[left] > reach:
                left = lo - 1
                break
            left -= 1
        best = -1
        if left >= lo:
            best = left
        if right < n and (best < 0 or times[right] - t < t - times[best]):
            best = right
        if best < 0:
            return Judgement(self.player, STRAY, -1, None, t, lane, event.velocity)
        grade = self.windows.grade_for(t - times[best])
        if grade is STRAY:
            return Judgement(self.player, STRAY, -1, None, t, lane, event.velocity)
        note_index = idx[best]
        judged[note_index] = 1
        while lo < n and judged[idx[lo]]:
            lo += 1
        self._lane_lo[lane] = lo
        note = self.notes[note_index]
        accent_hit = grade >= GOOD and note.accent and event.velocity >= self.accent_velocity
        return Judgement(self.player, grade, note_index, note.time_s, t, lane, event.velocity,
                         accent_hit)

    def expire(self, before_s: float) -> list[Judgement]:
        """Miss every unjudged note whose window closed before ``before_s``.

        A note's window closes at ``note + miss_s``; it is missed once
        ``before_s`` is strictly past that.
        """
        out: list[Judgement] = []
        miss_s = self.windows.miss_s
        times = self._times
        ptr = self._expire_ptr
        n = len(times)
        # ``before - note > miss``, computed as a hit's offset is (``hit - note``), so
        # a note is never missed while a hit at ``before_s`` could still judge it.
        while ptr < n and before_s - times[ptr] > miss_s:
            if not self.judged[ptr]:
                self.judged[ptr] = 1
                out.append(Judgement(self.player, MISS, ptr, times[ptr], None,
                                     self._note_lane[ptr]))
            ptr += 1
        self._expire_ptr = ptr
        self.next_note_s = times[ptr] if ptr < n else float("inf")
        if out:
            for lane in {j.lane for j in out}:
                lo = self._lane_lo[lane]
                idx = self._lane_idx[lane]
                while lo < len(idx) and self.judged[idx[lo]]:
                    lo += 1
                self._lane_lo[lane] = lo
        return out

    @property
    def done(self) -> bool:
        """True once every note is judged."""
        return self._expire_ptr >= len(self._times) and all(self.judged)
