"""Tempo map: tempo and time-signature changes; beats <-> seconds both ways.

Beats are quarter notes counted from bar 1 (beat 0.0 is the downbeat of bar 1).
Seconds are on the song clock: beat 0 sits at ``offset_s`` in the audio.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class TempoChange:
    """A tempo that holds from ``beat`` (quarter notes from bar 1) on."""

    beat: float
    bpm: float


@dataclass(frozen=True, slots=True)
class MeterChange:
    """A time signature that holds from ``bar`` (1-based) on."""

    bar: int
    numerator: int
    denominator: int

    @property
    def bar_beats(self) -> float:
        """Length of one bar in quarter notes (7/8 -> 3.5)."""
        return self.numerator * 4.0 / self.denominator


class TempoMap:
    """Piecewise-constant tempo with time-signature changes.

    Parameters
    ----------
    tempos : sequence of TempoChange
        At least one; the first must be at beat 0. BPM counts quarter notes.
    meters : sequence of MeterChange
        At least one; the first must be at bar 1.
    offset_s : float
        Song-clock time of beat 0, in seconds.
    """

    __slots__ = ("_bar_start_beats", "_meter_bars", "_seg_beats", "_seg_spb", "_seg_starts_s",
                 "meters", "offset_s", "tempos")

    def __init__(
        self,
        tempos: list[TempoChange] | tuple[TempoChange, ...],
        meters: list[MeterChange] | tuple[MeterChange, ...],
        *,
        offset_s: float = 0.0,
    ) -> None:
        if not tempos or tempos[0].beat != 0.0:
            raise ValueError("a tempo map needs a tempo at beat 0")
        if not meters or meters[0].bar != 1:
            raise ValueError("a tempo map needs a time signature at bar 1")
        for t in tempos:
            if not t.bpm > 0:
                raise ValueError(f"tempo must be positive, got {t.bpm}")
        for a, b in itertools.pairwise(tempos):
            if b.beat <= a.beat:
                raise ValueError("tempo changes must be in increasing beat order")
        for m in meters:
            if m.numerator <= 0 or m.denominator not in (1, 2, 4, 8, 16, 32):
                raise ValueError(f"bad time signature {m.numerator}/{m.denominator}")
        for a2, b2 in itertools.pairwise(meters):
            if b2.bar <= a2.bar:
                raise ValueError("time signature changes must be in increasing bar order")
        self.tempos = tuple(tempos)
        self.meters = tuple(meters)
        self.offset_s = float(offset_s)
        self._seg_beats = [t.beat for t in self.tempos]
        self._seg_spb = [60.0 / t.bpm for t in self.tempos]
        starts = [self.offset_s]
        for i in range(1, len(self.tempos)):
            span = self._seg_beats[i] - self._seg_beats[i - 1]
            starts.append(starts[-1] + span * self._seg_spb[i - 1])
        self._seg_starts_s = starts
        bar_starts = [0.0]
        for i in range(1, len(self.meters)):
            bars = self.meters[i].bar - self.meters[i - 1].bar
            bar_starts.append(bar_starts[-1] + bars * self.meters[i - 1].bar_beats)
        self._bar_start_beats = bar_starts
        self._meter_bars = [m.bar for m in self.meters]

    @classmethod
    def constant(cls, bpm: float, *, numerator: int = 4, denominator: int = 4,
                 offset_s: float = 0.0) -> TempoMap:
        """A map with one tempo and one time signature."""
        return cls([TempoChange(0.0, bpm)], [MeterChange(1, numerator, denominator)],
                   offset_s=offset_s)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TempoMap):
            return NotImplemented
        return (self.tempos, self.meters, self.offset_s) == (
            other.tempos, other.meters, other.offset_s)

    def __hash__(self) -> int:
        return hash((self.tempos, self.meters, self.offset_s))

    def __repr__(self) -> str:
        return f"TempoMap(tempos={self.tempos!r}, meters={self.meters!r}, offset_s={self.offset_s})"

    # beats <-> seconds -------------------------------------------------------
    def seconds_at(self, beat: float) -> float:
        """Song time in seconds of a beat position (quarter notes from bar 1)."""
        i = max(bisect.bisect_right(self._seg_beats, beat) - 1, 0)
        return self._seg_starts_s[i] + (beat - self._seg_beats[i]) * self._seg_spb[i]

    def seconds_at_many(self, beats: NDArray[np.float64]) -> NDArray[np.float64]:
        """:meth:`seconds_at` of every beat in an array (same floats, all at once)."""
        import numpy as np  # here, not on top: most users of tempo maps never need numpy

        i = np.maximum(np.searchsorted(self._seg_beats, beats, side="right") - 1, 0)
        starts_s = np.asarray(self._seg_starts_s, dtype=np.float64)[i]
        seg_beats = np.asarray(self._seg_beats, dtype=np.float64)[i]
        spb = np.asarray(self._seg_spb, dtype=np.float64)[i]
        seconds: NDArray[np.float64] = starts_s + (beats - seg_beats) * spb
        return seconds

    def beat_at(self, time_s: float) -> float:
        """Beat position (quarter notes from bar 1) at a song time in seconds."""
        i = max(bisect.bisect_right(self._seg_starts_s, time_s) - 1, 0)
        return self._seg_beats[i] + (time_s - self._seg_starts_s[i]) / self._seg_spb[i]

    def beat_length_s(self, beat: float) -> float:
        """Length in seconds of one quarter note at ``beat``."""
        i = max(bisect.bisect_right(self._seg_beats, beat) - 1, 0)
        return self._seg_spb[i]

    def beat_length_at_s(self, time_s: float) -> float:
        """Length in seconds of one quarter note at song time ``time_s``."""
        i = max(bisect.bisect_right(self._seg_starts_s, time_s) - 1, 0)
        return self._seg_spb[i]

    def bpm_at(self, beat: float) -> float:
        """Tempo in quarter notes per minute at ``beat``."""
        return 60.0 / self.beat_length_s(beat)

    # bars <-> beats ----------------------------------------------------------
    def _meter_index_for_bar(self, bar: int) -> int:
        """Index of the last meter change at or before ``bar`` (0 before bar 1); the
        changes' bars rise strictly, so a bisection finds it."""
        return max(bisect.bisect_right(self._meter_bars, bar) - 1, 0)

    def meter_at_bar(self, bar: int) -> MeterChange:
        """The time signature in force in ``bar`` (1-based)."""
        return self.meters[self._meter_index_for_bar(bar)]

    def bar_start_beat(self, bar: int) -> float:
        """Beat position of the downbeat of ``bar`` (1-based)."""
        if bar < 1:
            raise ValueError(f"bars count from 1, got {bar}")
        i = self._meter_index_for_bar(bar)
        m = self.meters[i]
        return self._bar_start_beats[i] + (bar - m.bar) * m.bar_beats

    def bar_length_beats(self, bar: int) -> float:
        """Length of ``bar`` in quarter notes."""
        return self.meter_at_bar(bar).bar_beats

    def bar_at_beat(self, beat: float) -> tuple[int, float]:
        """Split a beat position into (bar, beats into that bar), bar 1-based."""
        i = max(bisect.bisect_right(self._bar_start_beats, beat) - 1, 0)
        m = self.meters[i]
        into = beat - self._bar_start_beats[i]
        n = int(into // m.bar_beats) if into >= 0 else 0
        return m.bar + n, into - n * m.bar_beats
