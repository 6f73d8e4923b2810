"""A MIDI file's tempo map as a chart's: beats, bars, the offset, ticks -> beats.

A plain file: beat = tick / ticks per beat, tick 0 is bar 1 at song time 0 s,
the tempo map comes from every ``set_tempo`` and ``time_signature`` (120 BPM
and 4/4 until the first). A file written by
:func:`game.formats.midi_export.export_midi` starts at the audio's start and
carries a start tag (see :mod:`game.formats.midi_lead`): from the tag's tick on
beat = (tick - tick of beat 0) / ticks per beat; before it (the pickup bar),
an event's beat is the chart beat at its time in the file, rounded to the
nearest tick of the chart's grid; the chart's offset is the file
time of the tag's tick minus the chart time of its beat, so the chart sits on
the audio exactly where the file does. The offset written in the tag is kept
when it agrees with that within :data:`OFFSET_SNAP_S` (it only removes
microsecond rounding of the pickup's tempo).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from game.engine.tempo import TempoMap
from game.formats.import_common import bpm_of_us, build_tempo_map
from game.formats.midi_lead import EPS_BEATS, StartTag, is_tag, parse_tag, tag_tolerance_us

#: MIDI's tempo until the first ``set_tempo``: 120 BPM.
DEFAULT_TEMPO_US = 500_000
#: The start tag's offset is used when the file's tempo map agrees within this (s).
OFFSET_SNAP_S = 1e-3


@dataclass(frozen=True, slots=True)
class FileClock:
    """Seconds at a tick, through a file's own tempo map (exact integer sums)."""

    ticks_per_beat: int
    ticks: tuple[int, ...]
    us_per_beat: tuple[int, ...]
    starts: tuple[int, ...]  # tick x us from tick 0 to each change

    @classmethod
    def from_events(cls, tempos: list[tuple[int, int]], ticks_per_beat: int) -> FileClock:
        """From ``(tick, us per quarter note)``; on one tick the last event wins."""
        by_tick: dict[int, int] = {}
        for tick, us_per_beat in sorted(tempos, key=lambda t: t[0]):
            by_tick[tick] = us_per_beat
        by_tick.setdefault(0, DEFAULT_TEMPO_US)
        ticks = sorted(by_tick)
        us = [by_tick[t] for t in ticks]
        starts = [0]
        for i in range(1, len(ticks)):
            starts.append(starts[-1] + (ticks[i] - ticks[i - 1]) * us[i - 1])
        return cls(ticks_per_beat, tuple(ticks), tuple(us), tuple(starts))

    def _index(self, tick: int) -> int:
        return max(0, bisect.bisect_right(self.ticks, tick) - 1)

    def seconds_at(self, tick: int) -> float:
        """Time of ``tick`` in seconds from tick 0."""
        i = self._index(tick)
        total = self.starts[i] + (tick - self.ticks[i]) * self.us_per_beat[i]
        return total / (self.ticks_per_beat * 1_000_000)

    def in_force(self, tick: int) -> tuple[int, int]:
        """(tick of the ``set_tempo``, us per quarter note) in force at ``tick``."""
        i = self._index(tick)
        return self.ticks[i], self.us_per_beat[i]


@dataclass(frozen=True, slots=True)
class Timeline:
    """A file's ticks as chart beats.

    Attributes
    ----------
    tempo : TempoMap
        The chart's, offset included.
    grid_tick : int
        From this tick on, beats are counted on the file's grid.
    beat0_tick : int
        Tick of beat 0 (may be negative or past ``grid_tick``).
    clock : FileClock
    """

    tempo: TempoMap
    grid_tick: int
    beat0_tick: int
    clock: FileClock

    def beat_at_tick(self, tick: int) -> float:
        """Chart beat (quarter notes from bar 1) of an event at ``tick``."""
        tpb = self.clock.ticks_per_beat
        if tick >= self.grid_tick:
            return (tick - self.beat0_tick) / tpb
        # the pickup: by time, on the chart's tick grid (its ticks are no longer)
        return round(self.tempo.beat_at(self.clock.seconds_at(tick)) * tpb) / tpb


def read_timeline(tempos: list[tuple[int, int]], meters: list[tuple[int, int, int]],
                  texts: list[tuple[int, str]], ticks_per_beat: int,
                  warnings: list[str]) -> Timeline:
    """A file's chart timeline from its tempo, meter and text events (any track).

    Parameters
    ----------
    tempos : list of (tick, us per quarter note)
    meters : list of (tick, numerator, denominator)
    texts : list of (tick, text)
        ``text`` meta events; tags of :mod:`game.formats.midi_lead` are read,
        others ignored.
    ticks_per_beat : int
    warnings : list of str
        Appended to.
    """
    tpb = ticks_per_beat
    good = []
    for tick, us in tempos:
        if us > 0:
            good.append((tick, us))
        else:
            warnings.append(f"ignored a tempo of 0 us per beat at tick {tick}")
    clock = FileClock.from_events(good, tpb)
    tag, tag_tick, bpm_tags = _read_tags(texts, warnings)
    start = tag or StartTag(0.0, 0.0)
    beat0 = tag_tick - round(start.beat * tpb)
    first = max(tag_tick, beat0)  # first grid tick at or after beat 0

    def bpm(tick: int, us: int) -> float:
        tagged = bpm_tags.get(tick)
        if tagged is not None and abs(60e6 / tagged - us) <= tag_tolerance_us(60e6 / tagged):
            return tagged
        return bpm_of_us(us)

    first_bpm = bpm(*clock.in_force(first))
    changes = [(0.0, first_bpm)]  # from the first grid tick at or after beat 0 on
    if first > beat0:  # the grid starts after bar 1: the tag says the tempo before it
        changes = [(0.0, start.bpm_before or first_bpm), ((first - beat0) / tpb, first_bpm)]
    changes += [((tick - beat0) / tpb, bpm(tick, us))
                for tick, us in zip(clock.ticks, clock.us_per_beat, strict=True) if tick > first]
    valid = []
    for tick, num, den in meters:
        if num > 0 and den in (1, 2, 4, 8, 16, 32):
            valid.append((tick, num, den))
        else:
            warnings.append(f"ignored time signature {num}/{den} at tick {tick}")
    entries = _meter_entries(valid, tag_tick, beat0, first, tpb, start)
    tempo = build_tempo_map(changes, entries, warnings)
    if tag is not None:
        offset_s = clock.seconds_at(tag_tick) - tempo.seconds_at((tag_tick - beat0) / tpb)
        if abs(offset_s - tag.offset_s) <= OFFSET_SNAP_S:
            offset_s = tag.offset_s
        else:
            warnings.append(f"the start tag says offset {tag.offset_s:.6f} s, the file's tempo "
                            f"map {offset_s:.6f} s: the tempo map's is used")
        tempo = TempoMap(tempo.tempos, tempo.meters, offset_s=offset_s)
    return Timeline(tempo, tag_tick, beat0, clock)


def _read_tags(texts: list[tuple[int, str]], warnings: list[str],
               ) -> tuple[StartTag | None, int, dict[int, float]]:
    """(start tag, its tick, tick -> tagged BPM); tick 0 without a start tag."""
    start: StartTag | None = None
    start_tick = 0
    bpms: dict[int, float] = {}
    for tick, text in sorted(texts, key=lambda t: t[0]):
        if not is_tag(text):
            continue
        try:
            tag = parse_tag(text)
        except ValueError as exc:
            warnings.append(f"ignored text event {text[:60]!r} at tick {tick}: {exc}")
            continue
        if isinstance(tag, StartTag):
            if start is None:
                start, start_tick = tag, tick
            else:
                warnings.append(f"ignored a second start tag at tick {tick}")
        else:
            bpms[tick] = tag
    return start, start_tick, bpms


_Entry = tuple[float, int, int]  # beat, numerator, denominator


def _meter_entries(meters: list[tuple[int, int, int]], tag_tick: int, beat0: int, first: int,
                   tpb: int, start: StartTag) -> list[_Entry]:
    """Time signatures by beat: the one in force at beat 0 (bars before a start bar
    after bar 1 rebuilt from the tag), then the file's after it."""
    ordered = sorted((m for m in meters if m[0] >= tag_tick), key=lambda m: m[0])
    in_force = (start.meter_before or (4, 4)) if first > beat0 else (4, 4)
    for tick, num, den in ordered:
        if tick <= first:
            in_force = (num, den)
    entries: list[_Entry] = []
    if first > beat0:
        before = start.meter_before or in_force
        start_beat = (first - beat0) / tpb
        bar_beats = before[0] * 4 / before[1]
        bars = start_beat / bar_beats
        part = start_beat - math.floor(bars + EPS_BEATS) * bar_beats
        if part > EPS_BEATS:  # a bar of what is left, then whole bars
            num, den = max(1, round(part * 8)), 32
            while num % 2 == 0 and den > 4:
                num, den = num // 2, den // 2
            entries.append((0.0, num, den))
            entries.append((part, *before))
        else:
            entries.append((0.0, *before))
        entries.append((start_beat, *in_force))
    else:
        entries.append((0.0, *in_force))
    entries += [((tick - beat0) / tpb, num, den) for tick, num, den in ordered if tick > first]
    return entries
