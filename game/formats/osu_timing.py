"""The tempo map of an osu! beatmap, and note times -> beats on it.

osu! gives each uninherited timing point a time (ms in the audio), a beat
length (ms per quarter note) and a meter (beats per bar), and every such point
starts a new bar. Our tempo map counts beats and bars continuously, so:

* Beat 0 (bar 1) is the first timing point, moved back by whole bars (like
  the first one, at its tempo) when a note comes before it. ``offset_s`` is
  that time.
* Each later timing point lands on the 1/48-beat grid of the section before
  it (a 1/48 beat holds 1/16, 1/32, 1/12 and 1/24 notes). When the section's
  length is not exactly on that grid, a short tempo change after the
  section's last note takes up the difference (the notes keep the section's
  own tempo, so they stay on its grid), and the next timing point keeps its
  exact time: errors never add up over a song. When the last note is too
  close to the next point for that, the whole section's BPM is nudged.
* A timing point that falls inside a bar ends that bar early: the shortened
  bar gets its own meter (e.g. 3/8 for one and a half beats) when it is a
  whole number of 32nd notes; otherwise the bar lines run on and the new
  meter starts at the next bar line (with a warning).
* Notes snap to the 1/48-beat grid of their timing section when that moves
  them by at most :data:`SNAP_TOLERANCE_MS`; others keep their exact time.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

from game.engine.tempo import MeterChange, TempoChange, TempoMap
from game.formats.osu_parse import TimingPoint

#: Grid of timing points and notes, in steps per quarter note.
GRID = 48
#: How far (ms) a note may move to sit on the grid.
SNAP_TOLERANCE_MS = 2.0
#: Beat lengths (ms) osu! accepts on an uninherited timing point; others are clamped.
BEAT_LENGTH_RANGE_MS = (6.0, 60_000.0)
#: osu!'s beat length (ms) where no timing point says otherwise.
DEFAULT_BEAT_LENGTH_MS = 1000.0


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

    def beats_of(self, times_ms: Sequence[float]) -> list[float]:
        """Beat positions (quarter notes from bar 1) of osu! times in ms, each snapped
        to the 1/48-beat grid of its timing section when that moves it at most
        :data:`SNAP_TOLERANCE_MS`, all at once (numpy, one pass).

        A snapped beat is ``steps / 48`` rounded once, as the beatmap reader
        computes it, so it reads back as the very same float; the tests hold these
        floats equal to a one-note-at-a-time reference.

        Parameters
        ----------
        times_ms : sequence of float, shape (n,)
            osu! times in milliseconds.

        Returns
        -------
        list of float, shape (n,)
        """
        import numpy as np

        if not len(times_ms):
            return []
        t = np.asarray(times_ms, dtype=np.float64)
        i = np.maximum(np.searchsorted(np.asarray(self.anchor_times, dtype=np.float64), t,
                                       side="right") - 1, 0)
        t0, steps0, ms = (np.asarray(column, dtype=np.float64)[i]
                          for column in zip(*self.anchors, strict=True))
        raw = (t - t0) / ms
        # round() and np.round both round halves to even; steps stay exact integers
        snapped = np.maximum(steps0 + np.round(raw * GRID), 0.0) / GRID
        near = np.abs(self.tempo.seconds_at_many(snapped) * 1000 - t) <= SNAP_TOLERANCE_MS
        beats = np.where(near, snapped, np.maximum(steps0 / GRID + raw, 0.0))
        return beats.tolist()  # type: ignore[no-any-return]


class _Bars:
    """Meter changes as timing points arrive: each point wants a bar line."""

    def __init__(self, meter: int) -> None:
        self.meters = [MeterChange(1, meter, 4)]
        self.starts = [0.0]  # beat of each meter change's bar
        self.inside: list[str] = []  # points that fell inside a bar, for one warning

    def _set(self, bar: int, beat: float, num: int, den: int) -> None:
        """Meter ``num/den`` from ``bar`` (which starts at ``beat``) on."""
        last = self.meters[-1]
        if bar == last.bar:
            self.meters[-1] = MeterChange(bar, num, den)
        elif (num, den) != (last.numerator, last.denominator):
            self.meters.append(MeterChange(bar, num, den))
            self.starts.append(beat)

    def bar_around(self, beat: float) -> tuple[float, float]:
        """(first beat, length in beats) of the bar ``beat`` falls in, as the bars stand."""
        i = len(self.starts) - 1
        while i > 0 and self.starts[i] > beat + 1e-9:
            i -= 1
        start, length = self.starts[i], self.meters[i].bar_beats
        return start + math.floor((beat - start) / length + 1e-9) * length, length

    def fits(self, beat: float) -> bool:
        """Whether a timing point at ``beat`` is on a bar line, or ends the bar before it
        as a bar a meter can say (a whole number of 32nd notes)."""
        bar_start, _ = self.bar_around(beat)
        rest = beat - bar_start
        return rest < 1e-9 or abs(rest * 8 - round(rest * 8)) < 1e-6

    def point(self, beat: float, meter: int, where: str) -> None:
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
        self.inside.append(where)
        self._set(bar + 1, bar_start + length, meter, 4)


def usable_points(points: Sequence[TimingPoint], warnings: list[str]) -> list[TimingPoint]:
    """The uninherited timing points a tempo map can use, in time order.

    A beat length that is not above 0 (a broken point osu! reads as 6 ms)
    is left out, so the tempo before it runs on; one outside
    :data:`BEAT_LENGTH_RANGE_MS` is clamped into it, as osu! does. Of several
    points at one time the last counts, as in osu!. Each fix is a warning.
    """
    by_time: dict[float, TimingPoint] = {}
    broken: list[TimingPoint] = []
    clamped: list[TimingPoint] = []
    low, high = BEAT_LENGTH_RANGE_MS
    for p in points:
        if not p.uninherited:
            continue
        if not p.beat_length > 0:
            broken.append(p)
            continue
        if not low <= p.beat_length <= high:
            clamped.append(p)
            p = dataclasses.replace(p, beat_length=min(max(p.beat_length, low), high))
        by_time[p.time_ms] = p
    if broken:
        warnings.append(f"ignored {len(broken)} uninherited timing point(s) with a beat length "
                        f"not above 0 (first: line {broken[0].line}, {broken[0].beat_length:g}); "
                        "the tempo before each runs on")
    if clamped:
        warnings.append(f"{len(clamped)} timing point(s) with a beat length outside "
                        f"{low:g}-{high:g} ms were clamped, as osu! does (first: line "
                        f"{clamped[0].line})")
    return [by_time[t] for t in sorted(by_time)]


def osu_timing(points: Sequence[TimingPoint], first_ms: float, warnings: list[str],
               note_ms: Sequence[float] = ()) -> OsuTiming:
    """Build the tempo map from the uninherited timing points.

    Parameters
    ----------
    points : sequence of TimingPoint
        All timing points of the beatmap (inherited ones are ignored). Without
        a usable uninherited one, the map is 60 BPM in 4/4 from the first note
        (osu!'s default beat length, 1000 ms), with a warning.
    first_ms : float
        Time of the earliest note: bar 1 starts at or before it.
    warnings : list of str
        Appended to.
    note_ms : sequence of float
        The note times (ms), sorted: where each section's last note is.
    """
    ordered = usable_points(points, warnings)
    if not ordered:
        warnings.append("no usable uninherited timing point: 60 BPM in 4/4 from the first "
                        "note (osu!'s default); the notes keep their times")
        ordered = [TimingPoint(first_ms, DEFAULT_BEAT_LENGTH_MS, 4, True, 0)]
    meters = [p.meter if p.meter >= 1 else 4 for p in ordered]
    odd = [p for p in ordered if p.meter < 1]
    if odd:
        warnings.append(f"{len(odd)} timing point(s) with a meter below 1 read as 4/4 "
                        f"(first: line {odd[0].line})")
    first = ordered[0]
    bars = _Bars(meters[0])
    anchors: list[list[float]] = [[first.time_ms, 0, first.beat_length]]  # steps from first
    nudged = filled = 0
    for p, meter in zip(ordered[1:], meters[1:], strict=True):
        t_prev, s_prev, ms_prev = anchors[-1]
        span = p.time_ms - t_prev
        steps = round(span / ms_prev * GRID)
        where = f"{p.time_ms:g} ms (line {p.line})"
        if steps <= 0:  # on top of the previous point: it replaces that one
            anchors[-1][2] = p.beat_length
            bars.point(s_prev / GRID, meter, where)
            continue
        on_grid = abs(steps / GRID * ms_prev - span) <= 1e-6
        if not (on_grid and bars.fits((s_prev + steps) / GRID)):
            fill = _filler(note_ms, t_prev, p.time_ms, ms_prev, s_prev, bars)
            if fill is not None:
                start, steps, ms_fill = fill
                if start:
                    anchors.append([t_prev + start / GRID * ms_prev, s_prev + start, ms_fill])
                else:  # no note in the section: it all takes the filler's tempo
                    anchors[-1][2] = ms_fill
                filled += 1
            elif not on_grid:
                anchors[-1][2] = span / (steps / GRID)
                nudged += 1
        anchors.append([p.time_ms, s_prev + steps, p.beat_length])
        bars.point((s_prev + steps) / GRID, meter, where)
    if bars.inside:
        warnings.append(f"{len(bars.inside)} timing point(s) fall inside a bar (first: at "
                        f"{bars.inside[0]}); the bar lines run on and each new meter starts "
                        "at the next one")
    if filled:
        warnings.append(f"{filled} timing section(s) do not end on a bar line or the "
                        f"1/{GRID}-beat grid: a tempo change after the last note of each takes "
                        "up the difference, so the next timing point keeps its time")
    if nudged:
        warnings.append(f"{nudged} timing section(s) are not a whole 1/{GRID} beat long and "
                        "have a note at their very end: their BPM is nudged so the next "
                        "timing point keeps its time")
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


#: A filler tempo is at most this many times faster or slower than its section's.
MAX_FILLER_RATIO = 4.0


def _filler(note_ms: Sequence[float], t_prev: float, t_next: float, ms_prev: float,
            s_prev: float, bars: _Bars) -> tuple[int, int, float] | None:
    """A tempo change that takes up the time from a section's last note to the next
    timing point, so that point lands on a bar line (else on the grid).

    Returns
    -------
    (start, steps, ms_per_beat) or None
        Where the filler starts and where the next point lands, in grid steps
        from the section's start, and the filler's beat length; None when no
        candidate keeps the filler within :data:`MAX_FILLER_RATIO` of the
        section's tempo.
    """
    span = t_next - t_prev
    exact = span / ms_prev * GRID
    # a note just before the next point (its ms rounded down) belongs to that point
    i = bisect.bisect_left(note_ms, t_next - SNAP_TOLERANCE_MS) - 1
    last = note_ms[i] if i >= 0 and note_ms[i] >= t_prev else None
    start = 0 if last is None else math.floor((last - t_prev) / ms_prev * GRID + 1e-9) + 1
    bar_start, length = bars.bar_around((s_prev + exact) / GRID)
    candidates = [round(line * GRID - s_prev) for line in (bar_start, bar_start + length)]
    candidates.sort(key=lambda c: abs(c - exact))
    candidates.append(max(round(exact), start + 1))  # else: on the grid, off the bar lines
    for steps in candidates:
        if steps <= start:
            continue
        ms_fill = (span - start / GRID * ms_prev) / ((steps - start) / GRID)
        if ms_prev / MAX_FILLER_RATIO <= ms_fill <= ms_prev * MAX_FILLER_RATIO:
            return start, steps, ms_fill
    return None
