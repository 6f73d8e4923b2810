"""The .beatmap format's exact integer arithmetic, checked against Fraction and the engine.

The parser and writer compute positions on integer ratios instead of
``fractions.Fraction``, measure grids once per note instead of once per grid,
and build notes with numpy. Each shortcut is checked here against the slow,
obvious definition it replaces.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import pickle
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.engine.chart import (
    NOTE_FIELDS,
    Chart,
    Note,
    SongMeta,
    make_note,
    notes_from_columns,
    sort_notes,
)
from game.engine.note_columns import VOICE_RANK
from game.engine.tempo import MeterChange, TempoChange, TempoMap
from game.engine.voices import Voice
from game.formats.beatmap import parse_beatmap
from game.formats.beatmap_bars import (
    BEAT_DENOMINATORS,
    BarTable,
    format_beat_in_bar,
    position_beat,
)
from game.formats.beatmap_fit import fit_part, fit_part_by_trial
from game.formats.beatmap_notes import (
    ACCENT,
    GHOST,
    exact_run,
    notes_from_runs,
)
from game.formats.beatmap_syntax import (
    decimal_ratio,
    exact_decimal,
    fmt_ratio,
    parse_beat_text,
    round_ratio,
)
from game.formats.beatmap_writer import write_beatmap
from game.util.errors import BeatmapError
from game.util.gc_pause import gc_paused

DENOMINATORS = [1, 2, 4, 8, 16, 32]


@st.composite
def tempo_maps(draw: st.DrawFn) -> TempoMap:
    meters = [MeterChange(1, draw(st.integers(1, 13)), draw(st.sampled_from(DENOMINATORS)))]
    for bar in sorted(draw(st.sets(st.integers(2, 40), max_size=5))):
        meters.append(MeterChange(bar, draw(st.integers(1, 13)),
                                  draw(st.sampled_from(DENOMINATORS))))
    bpm = st.floats(20, 300, allow_nan=False)
    changes = sorted(draw(st.sets(st.floats(0.01, 150, allow_nan=False), max_size=4)))
    tempos = [TempoChange(0.0, draw(bpm))] + [TempoChange(b, draw(bpm)) for b in changes]
    return TempoMap(tempos, meters, offset_s=draw(st.floats(-2, 5, allow_nan=False)))


# numbers -----------------------------------------------------------------------
@given(st.from_regex(r"[+-]?([0-9]{1,20}(\.[0-9]{0,20})?|\.[0-9]{1,20})([eE][+-]?[0-9]{1,3})?",
                     fullmatch=True))
def test_decimal_ratio_is_the_exact_value(text: str) -> None:
    ratio = decimal_ratio(text)
    assert ratio is not None
    assert Fraction(*ratio) == Fraction(text)


@given(st.integers(-10**6, 10**6), st.integers(1, 10**4))
def test_round_ratio_rounds_halves_to_even_like_round(num: int, den: int) -> None:
    assert round_ratio(num, den) == round(Fraction(num, den))


@given(st.integers(-10**9, 10**9), st.integers(0, 40), st.integers(0, 3))
def test_exact_decimal_and_fmt_ratio(num: int, twos: int, threes: int) -> None:
    den = 2**twos * 3**threes
    text = exact_decimal(num, den)
    if threes and Fraction(num, den).denominator % 3 == 0:
        assert text is None
    else:
        assert text is not None and Fraction(text) == Fraction(num, den)
    assert Fraction(fmt_ratio(num, den)) == Fraction(num, den)


def test_hostile_numbers_fail_fast_with_one_line() -> None:
    head = "drum-diplomacy beatmap 1\n[song]\nid = t\ntitle = T\n"
    cases = {
        "offset_ms = 1e999999999\n[tempo]\n1 120\n": "bad offset_ms",
        "offset_ms = 1e-999999999999999\n[tempo]\n1 120\n": "bad offset_ms",
        "[tempo]\n1 1" + "0" * 5000 + "\n": "bad BPM",
        "[tempo]\n1 120\n[sections]\n" + "9" * 5000 + " Intro\n": "past the last bar",
        "[tempo]\n1 120\n[p1 easy]\nat 1:1." + "1" * 5000 + " SD\n": "bad position",
        "[tempo]\n1 120 " + "7" * 5000 + "/4\n": "bad meter",
        "[tempo]\n1 120\n[p1 easy]\nbars 1-" + "9" * 5000 + "\n": "past the last bar",
    }
    for tail, message in cases.items():
        with pytest.raises(BeatmapError, match=message):
            parse_beatmap(head + tail, path="hostile.beatmap")


def test_tiny_and_exponent_numbers_round_like_fraction() -> None:
    for text in ("1e-3", "-2.5E+2", ".5", "7.", "-1e-400", "1e-9999", "-3e-5000",
                 "123456789012.5"):
        ratio = decimal_ratio(text)
        assert ratio is not None
        assert repr(ratio[0] / ratio[1]) == repr(float(Fraction(text)))  # -0.0 stays -0.0
    assert decimal_ratio("0e99999999") == (0, 1)  # Fraction would take minutes on this
    chart = parse_beatmap("drum-diplomacy beatmap 1\n[song]\nid = t\ntitle = T\n"
                          "offset_ms = -1e-9999\n[tempo]\n1 120\n")
    assert chart.tempo.offset_s == 0.0 and str(chart.tempo.offset_s) == "-0.0"


# bars --------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(tempo_maps(), st.lists(st.floats(0, 400, allow_nan=False), max_size=30))
def test_bar_table_matches_the_tempo_map_exactly(tempo: TempoMap, beats: list[float]) -> None:
    bars = BarTable(tempo)
    for bar in range(1, 60):
        assert bars.start(bar) == tempo.bar_start_beat(bar)
        assert Fraction(*bars.length(bar)) == Fraction(tempo.bar_length_beats(bar))
    assert bars.end == tempo.bar_start_beat(100_001)
    for beat in beats:
        bar, num, den = bars.split(beat)
        start = Fraction(tempo.bar_start_beat(bar))
        assert start <= Fraction(beat) < start + Fraction(tempo.bar_length_beats(bar))
        assert start + Fraction(num, den) == Fraction(beat)
    starts, sn, sd, ln, ld = bars.arrays(50)
    assert starts.tolist() == [tempo.bar_start_beat(b) for b in range(1, 51)]
    assert [Fraction(int(a), int(b)) for a, b in zip(sn, sd, strict=True)] == [
        Fraction(tempo.bar_start_beat(b)) for b in range(1, 51)]
    assert [Fraction(int(a), int(b)) for a, b in zip(ln, ld, strict=True)] == [
        Fraction(tempo.bar_length_beats(b)) for b in range(1, 51)]


@settings(max_examples=200, deadline=None)
@given(tempo_maps(), st.lists(st.floats(-5, 500, allow_nan=False), min_size=1, max_size=50))
def test_seconds_at_many_gives_the_same_floats(tempo: TempoMap, beats: list[float]) -> None:
    many = tempo.seconds_at_many(np.array(beats, dtype=np.float64)).tolist()
    assert many == [tempo.seconds_at(b) for b in beats]


@given(st.integers(0, 10**6), st.sampled_from([1, 2, 4, 8]), st.integers(0, 10**4),
       st.integers(1, 10**4))
def test_position_beat_rounds_once_like_fraction(sn: int, sd: int, on: int, od: int) -> None:
    assert position_beat((sn, sd), (on, od)) == float(Fraction(sn, sd) + Fraction(on, od))


def _reference_beat_text(start: Fraction, offset: Fraction, beat: float) -> str:
    """The writer's BEAT text, by its definition on Fraction."""
    one = offset + 1
    candidates = [str(round(one))]
    for den in BEAT_DENOMINATORS:
        frac = Fraction(round(one * den), den)
        whole, rest = divmod(frac, 1)
        text = exact_decimal(frac.numerator, frac.denominator)
        candidates.append(text if text is not None else
                          f"{whole}+{rest.numerator}/{rest.denominator}" if whole else f"{frac}")
    candidates.append(repr(float(one)))
    for text in candidates:
        value = parse_beat_text(text)
        if value is not None and float(start + Fraction(*value) - 1) == beat:
            return text
    text = exact_decimal(one.numerator, one.denominator)
    assert text is not None
    return text


@settings(max_examples=300)
@given(st.integers(0, 4000), st.one_of(st.floats(0, 7.99), st.sampled_from(
    [1 / 3, 2 / 3, 0.1, 1 / 7, 5 / 96, 1e-12, 3.999999999999])))
def test_beat_text_is_the_shortest_that_reads_back(start8: int, offset: float) -> None:
    start = Fraction(start8, 8)
    beat = float(start + Fraction(offset))
    exact = Fraction(beat) - start
    text = format_beat_in_bar(start.as_integer_ratio(), exact.as_integer_ratio(), beat)
    assert text == _reference_beat_text(start, exact, beat)
    value = parse_beat_text(text)
    assert value is not None and float(start + Fraction(*value) - 1) == beat


# notes -------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(tempo_maps(), st.lists(st.tuples(
    st.integers(1, 6), st.integers(0, 11), st.sampled_from([1, 3, 12, 16]),
    st.sampled_from(list(Voice)), st.integers(0, 3), st.sampled_from([0, 0, 1, 77, 127])),
    max_size=60))
def test_notes_from_runs_equal_sort_notes_of_make_note(tempo: TempoMap, hits: list) -> None:
    """Same notes, same order, same merging of duplicates as the engine's own helpers."""
    bars = BarTable(tempo)
    runs = []
    expected = []
    for bar, k, cells, voice, marks, velocity in hits:
        ln, ld = bars.length(bar)
        on, od = ln * (k % cells), ld * cells
        if velocity:  # given exactly, as an ``at`` line
            runs.append(exact_run(bar, ((on, od, VOICE_RANK[voice], marks, velocity),)))
        else:  # a grid row's run
            runs.append((bar, cells, VOICE_RANK[voice], (k % cells,), (marks,), ()))
        beat = float(Fraction(tempo.bar_start_beat(bar)) + Fraction(on, od))
        expected.append(make_note(tempo, beat, voice, velocity=velocity or None,
                                  accent=bool(marks & ACCENT), ghost=bool(marks & GHOST)))
    got = notes_from_runs(runs, bars).notes()
    want = sort_notes(expected)
    assert [_fields(n) for n in got] == [_fields(n) for n in want]


def test_close_duplicates_merge_against_the_last_note_kept() -> None:
    tempo = TempoMap.constant(120)
    bars = BarTable(tempo)
    # 120 BPM: 12e-10 beats apart is 0.6 ns apart
    offsets = [Fraction(0), Fraction(12, 10**10), Fraction(24, 10**10), Fraction(36, 10**10)]
    runs = [exact_run(1, tuple((o.numerator, o.denominator, VOICE_RANK[Voice.SNARE], 0, v)
                               for o, v in zip(offsets, (10, 20, 30, 40), strict=True)))]
    got = notes_from_runs(runs, bars).notes()
    want = sort_notes([make_note(tempo, float(o), Voice.SNARE, velocity=v)
                       for o, v in zip(offsets, (10, 20, 30, 40), strict=True)])
    assert [_fields(n) for n in got] == [_fields(n) for n in want]
    assert [n.velocity for n in got] == [10, 30]  # the third is 1.2 ns from the first


def _fields(n: Note) -> tuple[object, ...]:
    return (n.time_s, n.beat, n.voice, n.velocity, n.accent, n.ghost)


@pytest.mark.parametrize("enabled", [True, False])
def test_gc_is_paused_while_parsing_and_restored(enabled: bool) -> None:
    (gc.enable if enabled else gc.disable)()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert gc.isenabled() == enabled
        with pytest.raises(BeatmapError):
            parse_beatmap("drum-diplomacy beatmap 1\n[song]\nid = t\n")
        assert gc.isenabled() == enabled
    finally:
        gc.enable()


# grid fitting ------------------------------------------------------------------
@st.composite
def parts(draw: st.DrawFn) -> tuple[BarTable, tuple[Note, ...]]:
    tempo = draw(tempo_maps())
    notes = []
    for _ in range(draw(st.integers(0, 60))):
        bar = draw(st.integers(1, 12))
        start = Fraction(tempo.bar_start_beat(bar))
        length = Fraction(tempo.bar_length_beats(bar))
        kind = draw(st.integers(0, 4))
        if kind <= 1:  # on a grid, maybe nudged by less or more than the tolerance
            cells = max(int(length * draw(st.sampled_from([1, 2, 3, 4, 6, 8, 12, 16, 24, 32,
                                                           48, 96, 5, 7]))), 1)
            beat = float(start + length * draw(st.integers(0, cells - 1)) / cells)
            if kind:
                beat += draw(st.sampled_from([1e-10, -1e-10, 5e-10, 2e-9, -3e-9]))
        elif kind == 2:  # a hair before the next downbeat
            beat = float(start + length) - draw(st.sampled_from([1e-10, 1e-9, 3e-9]))
        elif kind == 3:
            beat = float(start) + draw(st.floats(0, float(length), exclude_max=True))
        else:
            beat = max(float(start) - draw(st.sampled_from([0.0, 1e-10])), 0.0)
        notes.append(make_note(tempo, beat, draw(st.sampled_from(list(Voice))),
                               velocity=draw(st.sampled_from([None, None, None, 50])),
                               accent=draw(st.booleans()), ghost=draw(st.booleans())))
    keep_order = draw(st.booleans())  # as written, or sorted like a parsed chart
    return BarTable(tempo), tuple(notes) if keep_order else sort_notes(notes)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts())
def test_linear_grid_fitting_is_the_definition(part: tuple[BarTable, tuple[Note, ...]]) -> None:
    """Measuring each note once on the 96th grid gives exactly what trying every grid on
    every note gives: the same grids, cells and marks, the same ``at`` notes in order."""
    bars, notes = part
    try:
        want_grids, want_loose = fit_part_by_trial(bars, notes)
    except ValueError as exc:  # a note nudged before bar 1: refused the same way
        with pytest.raises(ValueError, match=re.escape(str(exc))):
            fit_part(bars, notes)
        return
    grids, loose = fit_part(bars, notes)
    assert {bar: (cells, {r: sorted(row) for r, row in rows.items()})
            for bar, (cells, rows) in grids.items()} == want_grids
    assert [id(n) for n in loose] == [id(n) for n in want_loose]


def test_grid_fitting_refuses_the_first_bad_note_in_chart_order() -> None:
    tempo = TempoMap.constant(120)
    notes = (make_note(tempo, 0.0, Voice.KICK), make_note(tempo, 1.0, Voice.SNARE, velocity=0),
             make_note(tempo, -1.0, Voice.KICK))
    with pytest.raises(ValueError, match="velocity 0 is outside 1-127"):
        fit_part(BarTable(tempo), notes)
    with pytest.raises(ValueError, match="before bar 1"):
        fit_part(BarTable(tempo), notes[::-1])


def test_far_bars_use_exact_integers_on_both_sides() -> None:
    """Bars beyond 2**40 beats (an absurd meter) are read and written on Python integers."""
    text = ("drum-diplomacy beatmap 1\n[song]\nid = far\ntitle = Far\n[tempo]\n1 120 4/4\n"
            "3 - 999999999/32\n99990 - 5/8\n[p1 easy]\nbar 2\nSD |x-x-|\nbar 99995\n"
            "BD |x-x--x-x|\nat 99995:2+1/3 CR\n")
    chart = parse_beatmap(text)
    tempo = chart.tempo
    start = Fraction(tempo.bar_start_beat(99995))
    assert start > 2**40
    beats = sorted(n.beat for n in chart.notes("p1", "easy") if n.beat > 100)
    want = sorted([float(start + Fraction(5, 2) * k / 8) for k in (0, 2, 5, 7)]
                  + [float(start + Fraction(4, 3))])
    assert beats == want
    back = parse_beatmap(write_beatmap(chart))
    assert back.content_hash() == chart.content_hash()
    assert write_beatmap(back) == write_beatmap(chart)


def test_a_bar_of_triplets_and_sixteenths_gets_the_grid_holding_both() -> None:
    tempo = TempoMap.constant(97.3)
    notes = [make_note(tempo, k / 3, Voice.RIDE) for k in range(24)]
    notes += [make_note(tempo, k / 4, Voice.KICK, accent=k % 4 == 0) for k in range(32)]
    notes += [make_note(tempo, 8 + k / 3, Voice.RIDE) for k in range(12)]  # bar 3: triplets
    chart = Chart(SongMeta("t", "T"), tempo, (), {("p1", "hard"): sort_notes(notes)})
    lines = write_beatmap(chart).splitlines()
    ride = "x---" * 12  # 12 cells per beat: the coarsest grid with both 1/3 and 1/4
    kick = "X--x--x--x--" * 4
    assert f"RD |{ride}|{ride}|{'x' * 12}|" in lines
    assert f"BD |{kick}|{kick}|{'-' * 12}|" in lines
    assert parse_beatmap("\n".join(lines)).content_hash() == chart.content_hash()


# engine helpers the format uses ----------------------------------------------
@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(0, 1e6), st.sampled_from(list(Voice)),
                          st.integers(1, 127), st.booleans(), st.booleans()), max_size=40))
def test_notes_from_columns_are_the_notes_note_makes(rows: list) -> None:
    columns = [list(col) for col in zip(*rows, strict=True)] if rows else [[]] * 6
    built = notes_from_columns(*columns)
    want = tuple(Note(*row) for row in rows)
    assert built == want
    assert [repr(n) for n in built] == [repr(n) for n in want]
    assert [_fields(n) for n in built] == [_fields(n) for n in want]
    assert all(pickle.loads(pickle.dumps(n)) == n for n in built)
    assert all(dataclasses.replace(n, velocity=1).velocity == 1 for n in built)


def test_notes_from_columns_fill_every_field_and_refuse_ragged_columns() -> None:
    assert tuple(f.name for f in dataclasses.fields(Note)) == NOTE_FIELDS
    assert not hasattr(Note, "__post_init__")  # nothing but the fields to set up
    with pytest.raises(ValueError, match="different lengths"):
        notes_from_columns([0.0], [0.0], [Voice.KICK], [96], [False], [])
    with pytest.raises(dataclasses.FrozenInstanceError):
        notes_from_columns([0.0], [0.0], [Voice.KICK], [96], [False], [False])[0].beat = 1.0


def _reference_hash(chart: Chart) -> str:
    """``Chart.content_hash`` as first written: lists, ``voice.value``."""
    payload = {
        "tempo": [[t.beat, t.bpm] for t in chart.tempo.tempos],
        "meters": [[m.bar, m.numerator, m.denominator] for m in chart.tempo.meters],
        "offset_s": chart.tempo.offset_s,
        "parts": {f"{p}/{d}": [[n.time_s, n.voice.value, n.velocity, n.accent, n.ghost]
                               for n in ns]
                  for (p, d), ns in sorted(chart.parts.items())},
    }
    blob = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts(), st.sampled_from([("p1", "easy"), ("p2", "expert"), ("p1", "hard")]))
def test_content_hash_is_unchanged(part: tuple[BarTable, tuple[Note, ...]],
                                   key: tuple[str, str]) -> None:
    bars, notes = part
    chart = Chart(SongMeta("t", "T"), bars.tempo, (), {key: notes, ("p2", "easy"): ()})
    assert chart.content_hash() == _reference_hash(chart)


def test_a_velocity_no_array_can_hold_is_refused_like_any_other() -> None:
    tempo = TempoMap.constant(120)
    notes = (make_note(tempo, 0.0, Voice.KICK, velocity=10**30),)
    with pytest.raises(ValueError, match="outside 1-127"):
        fit_part(BarTable(tempo), notes)
