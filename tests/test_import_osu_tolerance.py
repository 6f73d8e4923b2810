""".osu files as they are in the wild, read as osu! (lazer) reads them: each quirk gives
the notes osu! would play, with a warning where something was overlooked or fixed."""

from __future__ import annotations

import bisect
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from import_files import V, circles, mangle, osu_text, write
from import_files import osu_notes as notes_of

from game.formats.importers import ImportFormatError, detect, import_song
from game.formats.osu_parse import TimingPoint, _hit_object, parse_osu
from game.formats.osu_timing import GRID, SNAP_TOLERANCE_MS, OsuTiming, osu_timing

OBJECTS = circles((1000, 0), (1250, 2), (1500, 8), (1750, 4))


def times(path: Path) -> list[tuple[float, V]]:
    return [(n[1], n[2]) for n in notes_of(import_song(path).chart)]


PLAIN = [(1.0, V.SNARE), (1.25, V.HIHAT_CLOSED), (1.5, V.HIHAT_CLOSED), (1.75, V.SNARE)]


def test_bom_and_crlf(tmp_path: Path) -> None:
    text = "\ufeff" + osu_text(objects=OBJECTS).replace("\n", "\r\n")
    assert times(write(tmp_path, "a.osu", text)) == PLAIN


@pytest.mark.parametrize("header", ["", "\n\n", "ow computerosu file format v14",
                                    "osu file format"])
def test_no_or_broken_version_line_reads_as_v14(tmp_path: Path, header: str) -> None:
    text = osu_text(objects=OBJECTS, header=header)
    path = write(tmp_path, "a.osu", text)
    song = import_song(path)
    assert [(n[1], n[2]) for n in notes_of(song.chart)] == PLAIN
    assert any("read as v14" in w for w in song.warnings)
    assert detect(path) == "osu-taiko"


@pytest.mark.parametrize(("version", "shift_ms"), [(3, 24), (4, 24), (5, 0), (7, 0), (9, 0)])
def test_old_versions(tmp_path: Path, version: int, shift_ms: int) -> None:
    text = osu_text(objects=OBJECTS, header=f"osu file format v{version}",
                    timing="1000,500")                    # old two-field timing point
    song = import_song(write(tmp_path, "old.osu", text))
    assert [(n[1], n[2]) for n in notes_of(song.chart)] == [
        (round(t + shift_ms / 1000, 9), v) for t, v in PLAIN]
    assert song.chart.tempo.offset_s == pytest.approx(1.0 + shift_ms / 1000)
    assert song.chart.meta.preview_s == pytest.approx(5.0 + shift_ms / 1000)
    assert any("24 ms later" in w for w in song.warnings) == bool(shift_ms)


def test_negative_beat_length_on_an_uninherited_point(tmp_path: Path) -> None:
    timing = "1000,500,4,1,0,100,1,0\n1500,-150,4,1,0,100,1,0"
    song = import_song(write(tmp_path, "a.osu", osu_text(timing=timing, objects=OBJECTS)))
    assert [(n[1], n[2]) for n in notes_of(song.chart)] == PLAIN
    assert [(t.beat, t.bpm) for t in song.chart.tempo.tempos] == [(0.0, 120.0)]
    assert any("not above 0" in w and "line" in w for w in song.warnings)


def test_no_usable_timing_point_is_60_bpm(tmp_path: Path) -> None:
    for name, timing in (("none.osu", ""), ("inherited.osu", "1000,-100,4,1,0,100,0,0"),
                         ("zero.osu", "1000,0,4,1,0,100,1,0")):
        song = import_song(write(tmp_path, name, osu_text(timing=timing, objects=OBJECTS)))
        assert [(n[1], n[2]) for n in notes_of(song.chart)] == PLAIN
        assert [t.bpm for t in song.chart.tempo.tempos] == [60.0]
        assert any("60 BPM" in w for w in song.warnings)


def test_absurd_beat_lengths_are_clamped(tmp_path: Path) -> None:
    timing = "1000,0.5,4,1,0,100,1,0\n2000,100000,4,1,0,100,1,0"
    objects = circles((1000, 0), (2000, 0), (3000, 0))
    song = import_song(write(tmp_path, "a.osu", osu_text(timing=timing, objects=objects)))
    assert [n[1] for n in notes_of(song.chart)] == [1.0, 2.0, 3.0]
    assert [t.bpm for t in song.chart.tempo.tempos][-1] == pytest.approx(1.0)  # 60,000 ms
    assert any("clamped" in w for w in song.warnings)


@pytest.mark.parametrize(("keys", "columns", "warned"), [
    (0, 1, True), (-3, 1, True), (4, 4, False), (25, 18, True)])
def test_mania_key_count_is_clamped(tmp_path: Path, keys: float, columns: int,
                                    warned: bool) -> None:
    objects = "\n".join(f"{x},192,{1000 + 100 * i},1,0,0:0:0:0:"
                        for i, x in enumerate((0, 100, 200, 300, 400, 511)))
    song = import_song(write(tmp_path, "m.osu", osu_text(mode=3, keys=keys, objects=objects)))
    assert len(notes_of(song.chart)) == 6
    assert any("CircleSize" in w and "out of range" in w for w in song.warnings) == warned
    if columns == 1:
        assert {n[2] for n in notes_of(song.chart)} == {V.SNARE}


def test_slider_multiplier_is_clamped(tmp_path: Path) -> None:
    # a 280 px drumroll at 1 beat per 140 px: 2 beats at SliderMultiplier 1.4,
    # 280 / 360 of a beat at 3.6 (the most osu! allows; 10 is read as 3.6)
    roll = "256,192,1000,2,0,L|300:192,1,280"
    short = import_song(write(tmp_path, "a.osu", osu_text(objects=roll, slider_multiplier=10)))
    normal = import_song(write(tmp_path, "b.osu", osu_text(objects=roll)))
    assert len(notes_of(normal.chart)) == 4      # 8ths over 2 beats
    assert len(notes_of(short.chart)) == 2       # 8ths over 0.78 beats
    assert any("SliderMultiplier" in w for w in short.warnings)


def test_comments_after_values(tmp_path: Path) -> None:
    text = osu_text(objects=OBJECTS, timing="1000,500,4,1,0,100,1,0 // the first").replace(
        "Mode: 1", "Mode: 1 // taiko")
    assert times(write(tmp_path, "c.osu", text)) == PLAIN
    osu = parse_osu(text.replace("Title:Hello", "Title:A//B"), path="x", warnings=[])
    assert osu.text("metadata", "Title") == "A//B"   # metadata keeps its '//'


def test_notes_days_away_are_left_out(tmp_path: Path) -> None:
    objects = circles((1000, 0), (1250, 2), (2_000_000_000, 0))
    song = import_song(write(tmp_path, "far.osu", osu_text(objects=objects)))
    assert [n[1] for n in notes_of(song.chart)] == [1.0, 1.25]
    assert any("hours after" in w for w in song.warnings)


def test_objects_out_of_order_are_sorted(tmp_path: Path) -> None:
    objects = circles((1500, 8), (1000, 0), (1750, 4), (1250, 2))
    assert times(write(tmp_path, "o.osu", osu_text(objects=objects))) == PLAIN


def test_mangled_files_never_crash(tmp_path: Path) -> None:
    rng = random.Random(11)
    lines = osu_text(objects=OBJECTS + "\n256,192,2000,2,0,L|300:192,2,140\n"
                             "256,192,3000,12,0,4000,0:0:0:0:").splitlines()
    junk = ["", "[HitObjects]", "[TimingPoints]", "[General]", ",,,,", "1,2", "NaN,NaN,NaN,NaN",
            "0,-0,4,1,0,100,1,0", "1e308,1e308,1,2,3,4,5,6", "Mode: 3", "CircleSize: -99",
            "256,192,1000,2,0,L|300:192,99999999,1e9", "SliderMultiplier: 0",
            "256,192,-9999999,1,0", "osu file format v1"]
    for k in range(150):
        mangled = mangle(lines, junk, rng)
        path = write(tmp_path / f"m{k}", "x.osu", "\n".join(mangled))
        try:
            import_song(path)
        except ImportFormatError as exc:
            assert "\n" not in str(exc)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-200, 120_000), st.floats(6, 2000), st.integers(1, 7)),
                min_size=1, max_size=6),
       st.lists(st.one_of(st.floats(-500, 130_000), st.integers(-500, 130_000).map(float)),
                max_size=80))
def test_beats_of_gives_the_floats_of_one_note_at_a_time(points: list, times_ms: list) -> None:
    """The vectorised beats of many notes equal the one-at-a-time ones, bit for bit,
    on and off the 1/48 grid, in every timing section, and before the first."""
    timing_points = [TimingPoint(t, length, meter, True, n)
                     for n, (t, length, meter) in enumerate(points, start=1)]
    # notes on the grid of each section too, where snapping matters, and half-way
    # between two 1/48 steps, where rounding halves matters
    on_grid = [p.time_ms + k * p.beat_length / 4 for p in timing_points for k in range(5)]
    on_grid += [p.time_ms + (k + 0.5) * p.beat_length / 48 for p in timing_points
                for k in range(3)]
    note_ms = sorted([*times_ms, *on_grid])
    timing = osu_timing(timing_points, note_ms[0], [], note_ms)
    assert timing.beats_of(note_ms) == [_beat_of(timing, t) for t in note_ms]


def _beat_of(timing: OsuTiming, time_ms: float) -> float:
    """The reference: one note at a time, in Python floats and ints."""
    i = max(bisect.bisect_right(timing.anchor_times, time_ms) - 1, 0)
    t0, steps0, ms = timing.anchors[i]
    raw = (time_ms - t0) / ms
    snapped = max(steps0 + round(raw * GRID), 0) / GRID
    if abs(timing.tempo.seconds_at(snapped) * 1000 - time_ms) <= SNAP_TOLERANCE_MS:
        return snapped
    return max(steps0 / GRID + raw, 0.0)


numbers = st.one_of(st.integers(0, 300).map(str), st.sampled_from(["0", "1", "4", "5", "12"]),
                    st.integers(-20, 3_000_000_000).map(str), st.sampled_from(
    ["", "x", "1.5", "-0", "1e3", "٣", " 7", "2147483648", "999999999", "00012"]))


@settings(max_examples=400, deadline=None)
@given(st.lists(numbers, min_size=3, max_size=8), st.sampled_from([0.0, 24.0]))
def test_the_quick_read_of_a_hit_object_is_the_general_one(fields: list, offset: float) -> None:
    """A line the quick pattern takes gives the very object the general path gives
    (a blank before the first field sends a line down the general path)."""
    line = ",".join(fields)
    assert _hit_object(line, 9, offset) == _hit_object(" " + line, 9, offset)
