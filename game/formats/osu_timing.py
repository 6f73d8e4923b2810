"""The tempo map of an osu! beatmap, and note times -> beats on it.

osu! gives each uninherited timing point a time (ms in the audio), a beat
length (ms per quarter note) and a meter (beats per bar), and every such point
starts a new bar. Our tempo map counts beats and bars continuously, so:

* Beat 0 (bar 1) is the first timing point, moved back by whole bars (like
  the first one, at its tempo) when a note comes before it. ``offset_s`` is
  that time.
* Each later timing point lands on the 1/48-beat grid of the section before
  it (a 1/48 beat holds 1/16, 1/32, 1/12 and 1/24 notes). When the section's
  length is not exactly on that grid, its BPM is nudged so the next timing
  point keeps its exact time (errors never add up over a song).
* A timing point that falls inside a bar ends that bar early: the shortened
  bar gets its own meter (e.g. 3/8 for one and a half beats) when it is a
  whole number of 32nd notes; otherwise the bar lines run on and the new
  meter starts at the next bar line (with a warning).
* Notes snap to the 1/48-beat grid of their timing section when that moves
  them by at most :data:`SNAP_TOLERANCE_MS`; others keep their exact time.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from game.engine.tempo import MeterChange, TempoChange, TempoMap
from game.formats.osu_parse import TimingPoint

#: Grid of timing points and notes, in steps per quarter note.
GRID = 48
#: How far (ms) a note may move to sit on the grid.
SNAP_TOLERANCE_MS = 2.0


@dataclass(frozen=True, slots=True)
class OsuTiming:
    """A tempo map and the anchors that place osu! times on it.

    Attributes
    ----------
    tempo : TempoMap
    anchors : tuple of (time_ms, grid_steps, ms_per_beat)
        One per timing section, in time order: where it starts, in 1/48 beats
        from bar 1, and the (possibly nudged) beat length the map uses.
    """

    tempo: TempoMap
    anchors: tuple[tuple[float, int, float], ...]
    anchor_times: tuple[float, ...] = ()

    def beat_of(self, time_ms: float) -> float:
        """Beat position (quarter notes from bar 1) of an osu! time in ms, snapped to
        the 1/48-beat grid when that moves it at most :data:`SNAP_TOLERANCE_MS`.

        A snapped beat is ``steps / 48`` rounded once, as the beatmap reader
        computes it, so it reads back as the very same float.
        """
        i = max(bisect.bisect_right(self.anchor_times, time_ms) - 1, 0)
        t0, steps0, ms = self.anchors[i]
        raw = (time_ms - t0) / ms
        snapped = max(steps0 + round(raw * GRID), 0) / GRID
        if abs(self.tempo.seconds_at(snapped) * 1000 - time_ms) <= SNAP_TOLERANCE_MS:
            return snapped
        return max(steps0 / GRID + raw, 0.0)


class _Bars:
    """Meter changes as timing points arrive: each point wants a bar line."""

    def __init__(self, meter: int) -> None:
        self.meters = [MeterChange(1, meter, 4)]
        self.starts = [0.0]  # beat of each meter change's bar

    def _set(self, bar: int, beat: float, num: int, den: int) -> None:
        """Meter ``num/den`` from ``bar`` (which starts at ``beat``) on."""
        last = self.meters[-1]
        if bar == last.bar:
            self.meters[-1] = MeterChange(bar, num, den)
        elif (num, den) != (last.numerator, last.denominator):
            self.meters.append(MeterChange(bar, num, den))
            self.starts.append(beat)

    def point(self, beat: float, meter: int, where: str, warnings: list[str]) -> None:
        """A timing point with ``meter`` beats per bar at ``beat``."""
        while len(self.meters) > 1 and self.starts[-1] > beat + 1e-9:
            self.meters.pop()  # a meter waiting for a bar line this point comes before
            self.starts.pop()
        last, start = self.meters[-1], self.starts[-1]
        length = last.bar_beats
        whole = math.floor((beat - start) / length + 1e-9)
        bar, bar_start = last.bar + whole, start + whole * length
        rest = beat - bar_start
        if rest < 1e-9:
            self._set(bar, bar_start, meter, 4)
            return
        fits = [(round(rest * d / 4), d) for d in (4, 8, 16, 32)
                if abs(rest * d / 4 - round(rest * d / 4)) < 1e-6]
        if fits:
            self._set(bar, bar_start, *fits[0])
            self._set(bar + 1, beat, meter, 4)
            return
        warnings.append(f"timing point at {where} falls inside a bar; the bar lines run "
                        f"on and its meter {meter}/4 starts at the next one")
        self._set(bar + 1, bar_start + length, meter, 4)


def osu_timing(points: Sequence[TimingPoint], first_ms: float, warnings: list[str]) -> OsuTiming:
    """Build the tempo map from the uninherited timing points.

    Parameters
    ----------
    points : sequence of TimingPoint
        All timing points of the beatmap (inherited ones are ignored); at
        least one must be uninherited.
    first_ms : float
        Time of the earliest note: bar 1 starts at or before it.
    warnings : list of str
        Appended to.
    """
    by_time: dict[float, TimingPoint] = {}
    for p in points:
        if p.uninherited:
            by_time[p.time_ms] = p  # osu! uses the last of several at one time
    ordered = [by_time[t] for t in sorted(by_time)]
    if not ordered:
        raise ValueError("no uninherited timing point")
    meters = [_meter(p, warnings) for p in ordered]
    first = ordered[0]
    bars = _Bars(meters[0])
    anchors: list[list[float]] = [[first.time_ms, 0, first.beat_length]]  # steps from first
    nudged = 0
    for p, meter in zip(ordered[1:], meters[1:], strict=True):
        t_prev, s_prev, ms_prev = anchors[-1]
        span = p.time_ms - t_prev
        steps = round(span / ms_prev * GRID)
        where = f"{p.time_ms:g} ms (line {p.line})"
        if steps <= 0:  # on top of the previous point: it replaces that one
            anchors[-1][2] = p.beat_length
            bars.point(s_prev / GRID, meter, where, warnings)
            continue
        if abs(steps / GRID * ms_prev - span) > 1e-6:
            anchors[-1][2] = span / (steps / GRID)
            nudged += 1
        anchors.append([p.time_ms, s_prev + steps, p.beat_length])
        bars.point((s_prev + steps) / GRID, meter, where, warnings)
    if nudged:
        warnings.append(f"{nudged} timing section(s) are not a whole 1/{GRID} beat long: "
                        "their BPM is nudged so the next timing point keeps its time")
    # lead-in: whole bars like the first one, at the first section's (nudged) tempo
    bar_beats = bars.meters[0].bar_beats
    lead = max(0, math.ceil((first.time_ms - first_ms) / (bar_beats * anchors[0][2]) - 1e-9))
    shift = round(lead * bar_beats * GRID)
    meter_list = [bars.meters[0]] + [MeterChange(m.bar + lead, m.numerator, m.denominator)
                                     for m in bars.meters[1:]]
    tempos: list[TempoChange] = []
    for i, (_, at, ms) in enumerate(anchors):
        bpm = 60_000.0 / ms
        if not tempos or tempos[-1].bpm != bpm:
            tempos.append(TempoChange(0.0 if i == 0 else (int(at) + shift) / GRID, bpm))
    offset_ms = first.time_ms - lead * bar_beats * anchors[0][2]
    tempo = TempoMap(tempos, meter_list, offset_s=offset_ms / 1000)
    return OsuTiming(tempo, tuple((t, int(s) + shift, ms) for t, s, ms in anchors),
                     tuple(a[0] for a in anchors))


def _meter(p: TimingPoint, warnings: list[str]) -> int:
    if p.meter >= 1:
        return p.meter
    warnings.append(f"line {p.line}: meter {p.meter} read as 4")
    return 4
