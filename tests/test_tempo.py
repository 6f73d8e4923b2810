"""Tempo map: beats <-> seconds, tempo and meter changes, bars."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.engine.tempo import MeterChange, TempoChange, TempoMap


def test_constant_tempo_both_ways() -> None:
    tm = TempoMap.constant(120)
    assert tm.seconds_at(0.0) == 0.0
    assert tm.seconds_at(4.0) == pytest.approx(2.0)
    assert tm.seconds_at(1.5) == pytest.approx(0.75)
    assert tm.beat_at(2.0) == pytest.approx(4.0)
    assert tm.beat_at(0.75) == pytest.approx(1.5)
    assert tm.beat_length_s(10.0) == pytest.approx(0.5)
    assert tm.bpm_at(3.0) == pytest.approx(120.0)


def test_offset_shifts_song_clock() -> None:
    tm = TempoMap.constant(60, offset_s=1.25)
    assert tm.offset_s == 1.25
    assert tm.seconds_at(0.0) == pytest.approx(1.25)
    assert tm.seconds_at(2.0) == pytest.approx(3.25)
    assert tm.beat_at(1.25) == pytest.approx(0.0)
    assert tm.beat_at(3.25) == pytest.approx(2.0)
    # Before beat 0 the first tempo extends backwards.
    assert tm.seconds_at(-1.0) == pytest.approx(0.25)
    assert tm.beat_at(0.0) == pytest.approx(-1.25)


def test_tempo_change_mid_song() -> None:
    # 120 BPM for 8 beats (4 s), then 60 BPM, then 240 BPM from beat 12.
    tm = TempoMap([TempoChange(0.0, 120.0), TempoChange(8.0, 60.0), TempoChange(12.0, 240.0)],
                  [MeterChange(1, 4, 4)])
    assert tm.seconds_at(8.0) == pytest.approx(4.0)
    assert tm.seconds_at(10.0) == pytest.approx(6.0)
    assert tm.seconds_at(12.0) == pytest.approx(8.0)
    assert tm.seconds_at(16.0) == pytest.approx(9.0)
    assert tm.beat_at(3.0) == pytest.approx(6.0)
    assert tm.beat_at(6.0) == pytest.approx(10.0)
    assert tm.beat_at(8.5) == pytest.approx(14.0)
    assert tm.bpm_at(7.99) == pytest.approx(120.0)
    assert tm.bpm_at(8.0) == pytest.approx(60.0)
    assert tm.bpm_at(12.0) == pytest.approx(240.0)
    assert tm.beat_length_s(9.0) == pytest.approx(1.0)
    assert tm.beat_length_s(100.0) == pytest.approx(0.25)


def test_tempo_change_with_offset() -> None:
    tm = TempoMap([TempoChange(0.0, 120.0), TempoChange(4.0, 60.0)], [MeterChange(1, 4, 4)],
                  offset_s=0.5)
    assert tm.seconds_at(4.0) == pytest.approx(2.5)
    assert tm.seconds_at(5.0) == pytest.approx(3.5)
    assert tm.beat_at(3.5) == pytest.approx(5.0)


def test_meter_bar_beats() -> None:
    assert MeterChange(1, 7, 8).bar_beats == 3.5
    assert MeterChange(1, 6, 8).bar_beats == 3.0
    assert MeterChange(1, 4, 4).bar_beats == 4.0
    assert MeterChange(1, 3, 4).bar_beats == 3.0
    assert MeterChange(1, 2, 2).bar_beats == 4.0


def test_meter_changes_bars() -> None:
    # Bars 1-2 in 4/4, bars 3-4 in 7/8, then 3/4 from bar 5.
    tm = TempoMap([TempoChange(0.0, 120.0)],
                  [MeterChange(1, 4, 4), MeterChange(3, 7, 8), MeterChange(5, 3, 4)])
    assert tm.bar_start_beat(1) == 0.0
    assert tm.bar_start_beat(2) == 4.0
    assert tm.bar_start_beat(3) == 8.0
    assert tm.bar_start_beat(4) == 11.5
    assert tm.bar_start_beat(5) == 15.0
    assert tm.bar_start_beat(6) == 18.0
    assert tm.bar_length_beats(2) == 4.0
    assert tm.bar_length_beats(3) == 3.5
    assert tm.bar_length_beats(4) == 3.5
    assert tm.bar_length_beats(7) == 3.0
    assert tm.meter_at_bar(4) == MeterChange(3, 7, 8)
    assert tm.meter_at_bar(100) == MeterChange(5, 3, 4)

    assert tm.bar_at_beat(0.0) == (1, 0.0)
    assert tm.bar_at_beat(5.0) == (2, 1.0)
    assert tm.bar_at_beat(8.0) == (3, 0.0)
    assert tm.bar_at_beat(11.0) == (3, 3.0)
    assert tm.bar_at_beat(11.5) == (4, 0.0)
    assert tm.bar_at_beat(12.0) == (4, 0.5)
    assert tm.bar_at_beat(15.0) == (5, 0.0)
    assert tm.bar_at_beat(19.5) == (6, 1.5)
    # Downbeat seconds: the 7/8 bars are 1.75 s long at 120 BPM.
    assert tm.seconds_at(tm.bar_start_beat(5)) - tm.seconds_at(tm.bar_start_beat(4)) == \
        pytest.approx(1.75)


def test_bars_round_trip_with_meter_changes() -> None:
    tm = TempoMap([TempoChange(0.0, 100.0)],
                  [MeterChange(1, 7, 8), MeterChange(4, 5, 4), MeterChange(6, 6, 8)])
    for bar in range(1, 20):
        start = tm.bar_start_beat(bar)
        assert tm.bar_at_beat(start) == (bar, 0.0)
        length = tm.bar_length_beats(bar)
        b, into = tm.bar_at_beat(start + length / 2)
        assert b == bar
        assert into == pytest.approx(length / 2)
        assert tm.bar_start_beat(bar + 1) == pytest.approx(start + length)


def test_bar_start_beat_rejects_bar_zero() -> None:
    with pytest.raises(ValueError, match="bars count from 1"):
        TempoMap.constant(120).bar_start_beat(0)


@pytest.mark.parametrize(
    ("tempos", "meters", "message"),
    [
        ([], [MeterChange(1, 4, 4)], "tempo at beat 0"),
        ([TempoChange(1.0, 120.0)], [MeterChange(1, 4, 4)], "tempo at beat 0"),
        ([TempoChange(0.0, 0.0)], [MeterChange(1, 4, 4)], "positive"),
        ([TempoChange(0.0, -5.0)], [MeterChange(1, 4, 4)], "positive"),
        ([TempoChange(0.0, 120.0), TempoChange(0.0, 90.0)], [MeterChange(1, 4, 4)],
         "increasing beat order"),
        ([TempoChange(0.0, 120.0)], [], "time signature at bar 1"),
        ([TempoChange(0.0, 120.0)], [MeterChange(2, 4, 4)], "time signature at bar 1"),
        ([TempoChange(0.0, 120.0)], [MeterChange(1, 4, 3)], "bad time signature"),
        ([TempoChange(0.0, 120.0)], [MeterChange(1, 0, 4)], "bad time signature"),
        ([TempoChange(0.0, 120.0)], [MeterChange(1, 4, 4), MeterChange(1, 3, 4)],
         "increasing bar order"),
    ],
)
def test_invalid_maps(tempos: list[TempoChange], meters: list[MeterChange],
                      message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TempoMap(tempos, meters)


def test_equality_and_hash() -> None:
    a = TempoMap([TempoChange(0.0, 120.0), TempoChange(4.0, 90.0)], [MeterChange(1, 4, 4)])
    b = TempoMap([TempoChange(0.0, 120.0), TempoChange(4.0, 90.0)], [MeterChange(1, 4, 4)])
    c = TempoMap([TempoChange(0.0, 120.0), TempoChange(4.0, 91.0)], [MeterChange(1, 4, 4)])
    assert a == b
    assert hash(a) == hash(b)
    assert a != c
    assert a != TempoMap.constant(120)


@st.composite
def tempo_maps(draw: st.DrawFn) -> TempoMap:
    n = draw(st.integers(1, 8))
    gaps = draw(st.lists(st.floats(0.25, 64.0), min_size=n - 1, max_size=n - 1))
    bpms = draw(st.lists(st.floats(20.0, 400.0), min_size=n, max_size=n))
    beats = [0.0]
    for g in gaps:
        beats.append(beats[-1] + g)
    offset = draw(st.floats(-5.0, 5.0))
    tempos = [TempoChange(b, bpm) for b, bpm in zip(beats, bpms, strict=True)]
    return TempoMap(tempos, [MeterChange(1, 4, 4)], offset_s=offset)


@settings(max_examples=200, deadline=None)
@given(tm=tempo_maps(), beat=st.floats(-8.0, 600.0))
def test_round_trip_beat_seconds_beat(tm: TempoMap, beat: float) -> None:
    s = tm.seconds_at(beat)
    assert tm.beat_at(s) == pytest.approx(beat, abs=1e-7)
    # Seconds grow with beats, at the local tempo.
    ds = tm.seconds_at(beat + 1e-3) - s
    assert ds > 0
    if not any(beat < c.beat <= beat + 1e-3 for c in tm.tempos):  # no change in the step
        assert ds == pytest.approx(1e-3 * 60.0 / tm.bpm_at(beat), rel=1e-3)


@settings(max_examples=200, deadline=None)
@given(tm=tempo_maps(), time_s=st.floats(-10.0, 900.0))
def test_round_trip_seconds_beat_seconds(tm: TempoMap, time_s: float) -> None:
    assert tm.seconds_at(tm.beat_at(time_s)) == pytest.approx(time_s, abs=1e-7)


@settings(max_examples=100, deadline=None)
@given(tm=tempo_maps())
def test_segment_starts_match_integrated_tempo(tm: TempoMap) -> None:
    # The time of each tempo change is the sum of the segments before it.
    t = tm.offset_s
    prev = tm.tempos[0]
    assert tm.seconds_at(0.0) == pytest.approx(t)
    for change in tm.tempos[1:]:
        t += (change.beat - prev.beat) * 60.0 / prev.bpm
        assert tm.seconds_at(change.beat) == pytest.approx(t, abs=1e-9)
        assert tm.bpm_at(change.beat) == pytest.approx(change.bpm)
        prev = change
    assert math.isfinite(tm.beat_at(t + 1.0))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 40), st.integers(1, 13), st.sampled_from([2, 4, 8])),
                max_size=12), st.lists(st.integers(-3, 600), min_size=1, max_size=30))
def test_the_meter_of_a_bar_is_the_last_change_at_or_before_it(changes: list,
                                                               bars: list[int]) -> None:
    """The bisection finds what a walk through every change finds."""
    meters = [MeterChange(1, 4, 4)]
    for gap, num, den in changes:
        meters.append(MeterChange(meters[-1].bar + gap, num, den))
    tm = TempoMap([TempoChange(0.0, 120.0)], meters)
    for bar in bars:
        walked = meters[0]
        for m in meters:
            if m.bar <= bar:
                walked = m
        assert tm.meter_at_bar(bar) == walked
        if bar >= 1:
            start = walked.bar
            expected = tm.bar_start_beat(start) + (bar - start) * walked.bar_beats
            assert tm.bar_start_beat(bar) == expected
