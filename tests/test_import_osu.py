"""osu!taiko and osu!mania beatmaps: .osu files, folders of them and .osz archives."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_files import V, assert_round_trip, circles, full, osu_text, write
from import_files import osu_notes as notes_of

from game.engine.chart import DIFFICULTIES
from game.formats.importers import ImportFormatError, detect, import_song
from game.formats.osu import MANIA_VOICES


# taiko ---------------------------------------------------------------------------------
def test_taiko_dons_kats_and_big_notes(tmp_path: Path) -> None:
    objects = circles((1000, 0), (1250, 2), (1500, 8), (1750, 4), (2000, 6), (2250, 1))
    path = write(tmp_path, "a.osu", osu_text(objects=objects))
    (tmp_path / "audio.mp3").write_bytes(b"x")
    song = import_song(path)
    assert song.source == "osu-taiko"
    assert song.chart.tempo.offset_s == 1.0
    assert notes_of(song.chart) == [
        (0.0, 1.0, V.SNARE, False), (0.5, 1.25, V.HIHAT_CLOSED, False),
        (1.0, 1.5, V.HIHAT_CLOSED, False), (1.5, 1.75, V.SNARE, True),
        (2.0, 2.0, V.HIHAT_CLOSED, True), (2.5, 2.25, V.SNARE, False)]
    meta = song.chart.meta
    assert (meta.id, meta.title, meta.artist, meta.charter, meta.audio, meta.preview_s) == (
        "hello-world", "Hello", "World", "mapper", "audio.mp3", 5.0)
    assert song.audio == {"backing": (tmp_path / "audio.mp3",), "drums": ()}
    assert song.files == (path,) and song.folder == tmp_path
    assert song.chart.difficulties("p2") == list(DIFFICULTIES)
    assert full(song.chart)[("p1", "expert")] == full(song.chart)[("p2", "expert")]


def test_notes_before_the_first_timing_point_get_lead_in_bars(tmp_path: Path) -> None:
    path = write(tmp_path, "a.osu", osu_text(objects=circles((200, 0), (1000, 0))))
    chart = import_song(path).chart
    assert chart.tempo.offset_s == -1.0          # one 4/4 bar of 500 ms beats before 1000 ms
    assert notes_of(chart) == [(2.4, 0.2, V.SNARE, False), (4.0, 1.0, V.SNARE, False)]


def test_tempo_and_meter_changes_ignore_inherited_points(tmp_path: Path) -> None:
    timing = "1000,500,4,1,0,100,1,0\n2000,-50,4,1,0,100,0,0\n3000,250,3,1,0,100,1,0"
    objects = circles((1000, 0), (3000, 0), (3250, 0), (3750, 0))
    chart = import_song(write(tmp_path, "a.osu", osu_text(timing=timing, objects=objects))).chart
    assert [(t.beat, t.bpm) for t in chart.tempo.tempos] == [(0.0, 120.0), (4.0, 240.0)]
    assert [(m.bar, m.numerator, m.denominator) for m in chart.tempo.meters] == [
        (1, 4, 4), (2, 3, 4)]
    assert [n[:2] for n in notes_of(chart)] == [(0.0, 1.0), (4.0, 3.0), (5.0, 3.25),
                                                (7.0, 3.75)]


def test_timing_point_inside_a_bar_gets_a_short_bar(tmp_path: Path) -> None:
    # 4/4 at 120 BPM from 0 ms; a new point 1.5 beats into bar 2 (2750 ms)
    timing = "0,500,4,1,0,100,1,0\n2750,400,4,1,0,100,1,0"
    objects = circles((0, 0), (2750, 0), (3150, 0))
    chart = import_song(write(tmp_path, "a.osu", osu_text(timing=timing, objects=objects))).chart
    assert [(m.bar, m.numerator, m.denominator) for m in chart.tempo.meters] == [
        (1, 4, 4), (2, 3, 8), (3, 4, 4)]
    assert [n[:2] for n in notes_of(chart)] == [(0.0, 0.0), (5.5, 2.75), (6.5, 3.15)]
    assert chart.tempo.bar_start_beat(3) == 5.5


def test_unsnapped_timing_point_keeps_its_time(tmp_path: Path) -> None:
    # the second point is 2003 ms after the first: not on the 1/48-beat grid
    timing = "0,500,4,1,0,100,1,0\n2003,500,4,1,0,100,1,0"
    objects = circles((0, 0), (2003, 0), (2503, 0), (12003, 0))
    song = import_song(write(tmp_path, "a.osu", osu_text(timing=timing, objects=objects)))
    times = [n[1] for n in notes_of(song.chart)]
    assert times == pytest.approx([0.0, 2.003, 2.503, 12.003], abs=1e-9)
    assert [n[0] for n in notes_of(song.chart)] == [0.0, 4.0, 5.0, 24.0]
    assert any("tempo change after the last note" in w for w in song.warnings)
    # the first section keeps 120 BPM; a filler from just after its note takes the 3 ms
    tempos = [(t.beat, round(t.bpm, 6)) for t in song.chart.tempo.tempos]
    assert tempos[0] == (0.0, 120.0) and tempos[1][0] == 1 / 48 and tempos[2] == (4.0, 120.0)


def test_a_long_unsnapped_section_keeps_its_notes_on_the_grid(tmp_path: Path) -> None:
    # 120 bars at 171 BPM, then a point 2 ms off the grid: nudging the whole section
    # would move its last notes 2 ms, so they would fall off the grid
    beat = 60_000 / 171
    end = round(480 * beat + 2)
    timing = f"0,{beat!r},4,1,0,100,1,0\n{end},500,4,1,0,100,1,0"
    objects = circles(*((round(k * beat / 4), 0) for k in range(0, 1920, 3)), (end, 0))
    song = import_song(write(tmp_path, "a.osu", osu_text(timing=timing, objects=objects)))
    beats = [n[0] for n in notes_of(song.chart)]
    assert all(abs(b * 48 - round(b * 48)) < 1e-9 for b in beats)
    assert beats[-1] == 480.0
    assert song.chart.tempo.tempos[0].bpm == pytest.approx(171.0)


def test_a_note_at_the_very_end_of_a_section_falls_back_to_nudging(tmp_path: Path) -> None:
    timing = "0,500,4,1,0,100,1,0\n2001,500,4,1,0,100,1,0"
    objects = circles((0, 0), (1990, 0), (2001, 0))
    song = import_song(write(tmp_path, "a.osu", osu_text(timing=timing, objects=objects)))
    assert [n[1] for n in notes_of(song.chart)] == pytest.approx([0.0, 1.99, 2.001], abs=0.002)
    assert any("nudged" in w for w in song.warnings)


def test_drumrolls_become_short_rolls_and_spinners_are_skipped(tmp_path: Path) -> None:
    timing = "0,500,4,1,0,100,1,0\n4000,-50,4,1,0,100,0,0"
    objects = "\n".join([
        "256,192,0,2,0,L|300:192,1,280",         # 280 / (1.4*100) * 500 ms = 1000 ms
        "256,192,2000,2,4,L|300:192,2,70",       # big, 2 slides: 500 ms
        "256,192,4000,2,0,L|300:192,1,280",      # SV 2 from the inherited point: 500 ms
        "256,192,6000,12,0,7000,0:0:0:0:",       # spinner
        "256,192,8000,1,0,0:0:0:0:",
    ])
    song = import_song(write(tmp_path, "a.osu", osu_text(timing=timing, objects=objects)))
    assert notes_of(song.chart) == [
        (0.0, 0.0, V.SNARE, False), (0.5, 0.25, V.SNARE, False),
        (1.0, 0.5, V.SNARE, False), (1.5, 0.75, V.SNARE, False),
        (4.0, 2.0, V.SNARE, True), (4.5, 2.25, V.SNARE, False),
        (8.0, 4.0, V.SNARE, False), (8.5, 4.25, V.SNARE, False),
        (16.0, 8.0, V.SNARE, False)]
    assert any("skipped 1 spinner" in w for w in song.warnings)
    assert any("3 drumroll" in w for w in song.warnings)


def test_an_absurd_drumroll_is_cut_short_not_a_hang(tmp_path: Path) -> None:
    """A broken file's 'slider' of length 1e12 would be billions of roll notes."""
    timing = "0,500,4,1,0,100,1,0"
    objects = "\n".join(["256,192,0,2,0,L|300:192,1,1000000000000",
                          "256,192,1000,2,0,L|300:192,9999,1000000", "256,192,30000,1,0,0:0:0:0:"])
    song = import_song(write(tmp_path, "a.osu", osu_text(timing=timing, objects=objects)))
    expert = song.chart.notes("p1", "expert")
    assert len(expert) <= 2 * 20 * 4 + 1  # two 20 s rolls of 8ths at 120 BPM, and a hit
    assert any("cut short" in w for w in song.warnings)


# mania ---------------------------------------------------------------------------------
def test_mania_columns_holds_and_voice_tables(tmp_path: Path) -> None:
    objects = "\n".join([
        "64,192,1000,1,0,0:0:0:0:", "192,192,1000,1,0,0:0:0:0:",
        "320,192,1250,128,0,1750:0:0:0:0:", "448,192,1500,1,0,0:0:0:0:",
        "511,192,1750,5,0,0:0:0:0:"])
    song = import_song(write(tmp_path, "m.osu", osu_text(mode=3, objects=objects, keys=4)))
    assert song.source == "osu-mania"
    assert [(n[0], n[2]) for n in notes_of(song.chart)] == [
        (0.0, V.HIHAT_CLOSED), (0.0, V.SNARE), (0.5, V.KICK), (1.0, V.CRASH), (1.5, V.CRASH)]
    for keys, table in MANIA_VOICES.items():
        assert len(table) == keys == len(set(table))
        if keys >= 3:
            assert V.KICK in table
    seven = "\n".join(f"{x},192,{1000 + 250 * i},1,0,0:0:0:0:"
                      for i, x in enumerate((36, 109, 182, 256, 329, 402, 475)))
    song = import_song(write(tmp_path / "7k", "m.osu", osu_text(mode=3, objects=seven, keys=7)))
    assert [n[2] for n in notes_of(song.chart)] == list(MANIA_VOICES[7])


# sets ------------------------------------------------------------------------------------
def taiko_diff(version: str, every_ms: int) -> str:
    return osu_text(version=version, objects=circles(*((t, 0) for t in range(1000, 9000,
                                                                               every_ms))))


def test_folder_of_difficulties_is_one_chart_ranked_by_density(tmp_path: Path) -> None:
    write(tmp_path, "kantan.osu", taiko_diff("Kantan", 1000))
    write(tmp_path, "oni.osu", taiko_diff("Oni", 250))
    write(tmp_path, "futsuu.osu", taiko_diff("Futsuu", 500))
    write(tmp_path, "std.osu", osu_text(mode=0, version="Normal"))
    song = import_song(tmp_path)
    chart = song.chart
    counts = {d: len(chart.notes("p1", d)) for d in DIFFICULTIES}
    assert counts["expert"] == 32 and counts["hard"] == 16 and counts["normal"] == 8
    assert 0 < counts["easy"] <= 8
    assert dict(chart.meta.extra) == {"osu_normal": "Kantan", "osu_hard": "Futsuu",
                                      "osu_expert": "Oni"}
    assert any("Normal" in w and "other modes" in w for w in song.warnings)
    assert len(song.files) == 4
    assert detect(tmp_path) == "osu-taiko"


def test_more_than_four_difficulties_are_spread(tmp_path: Path) -> None:
    for i, every in enumerate((1000, 800, 500, 400, 250, 200)):
        write(tmp_path, f"d{i}.osu", taiko_diff(f"D{i}", every))
    song = import_song(tmp_path)
    assert dict(song.chart.meta.extra) == {"osu_easy": "D0", "osu_normal": "D2",
                                           "osu_hard": "D3", "osu_expert": "D5"}
    assert any("not used: D1, D4" in w for w in song.warnings)


def test_osz_archive_with_and_without_extracting(tmp_path: Path) -> None:
    osz = tmp_path / "set.osz"
    with zipfile.ZipFile(osz, "w") as z:
        z.writestr("easy.osu", taiko_diff("Easy", 1000))
        z.writestr("hard.osu", taiko_diff("Hard", 500))
        z.writestr("Audio.MP3", b"sound")
    assert detect(osz) == "osu-taiko"
    song = import_song(osz)
    assert song.files == (osz,) and song.audio["backing"] == ()
    assert any("inside the .osz" in w for w in song.warnings)
    assert dict(song.chart.meta.extra) == {"osu_hard": "Easy", "osu_expert": "Hard"}
    out = tmp_path / "extracted"
    song = import_song(osz, extract_dir=out)
    assert song.audio["backing"] == (out / "Audio.MP3",)
    assert (out / "Audio.MP3").read_bytes() == b"sound"
    assert song.folder == out


def test_mixed_modes_use_the_mode_with_more_difficulties(tmp_path: Path) -> None:
    write(tmp_path, "t.osu", taiko_diff("Taiko", 500))
    write(tmp_path, "m1.osu", osu_text(mode=3, version="4K"))
    write(tmp_path, "m2.osu", osu_text(mode=3, version="4K Hard",
                                       objects="64,192,1000,1,0,0:0:0:0:\n64,192,1500,1,0"))
    assert detect(tmp_path) == "osu-mania"
    song = import_song(tmp_path)
    assert song.source == "osu-mania"
    assert any("Taiko" in w for w in song.warnings)


# errors ------------------------------------------------------------------------------------
def test_osu_standard_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "std.osu", osu_text(mode=0))
    assert detect(path) is None
    with pytest.raises(ImportFormatError, match="osu!standard/catch maps have no drum notes"):
        import_song(path)
    path = write(tmp_path / "catch", "c.osu", osu_text(mode=2))
    with pytest.raises(ImportFormatError, match="osu!catch"):
        import_song(path)


GOOD_TIMING = "1000,500,4,1,0,100,1,0"
GOOD_OBJECTS = circles((1000, 0), (1500, 2))


@pytest.mark.parametrize(("where", "bad"), [
    ("timing", "1000,fast,4,1,0,100,1,0"),
    ("timing", "1000"),
    ("timing", "1000,NaN,4,1,0,100,1,0"),           # NaN on an uninherited point
    ("timing", "3000000000,500,4,1,0,100,1,0"),     # beyond what osu! parses
    ("objects", "256,192,12x0,1,0,0:0:0:0:"),
    ("objects", "256,192"),
    ("objects", "256,192,1000,2,0,L|300:192"),       # a slider without its length
    ("objects", "256,192,1000,8,0"),                 # a spinner without its end
])
def test_bad_lines_are_skipped_with_their_line(tmp_path: Path, where: str, bad: str) -> None:
    timing = f"{GOOD_TIMING}\n{bad}" if where == "timing" else GOOD_TIMING
    objects = f"{GOOD_OBJECTS}\n{bad}" if where == "objects" else GOOD_OBJECTS
    text = osu_text(timing=timing, objects=objects)
    song = import_song(write(tmp_path, "bad.osu", text))
    assert [(n[1], n[2]) for n in notes_of(song.chart)] == [(1.0, V.SNARE),
                                                            (1.5, V.HIHAT_CLOSED)]
    line = text.splitlines().index(bad) + 1
    assert any(f"line {line}" in w and "skipped 1 line" in w for w in song.warnings)


def test_a_mode_that_is_not_a_number_is_osu_standard(tmp_path: Path) -> None:
    text = osu_text().replace("Mode: 1", "Mode: taiko")
    with pytest.raises(ImportFormatError, match="osu!standard"):
        import_song(write(tmp_path, "m.osu", text))


def test_not_an_osu_file_no_objects_broken_zip(tmp_path: Path) -> None:
    path = write(tmp_path / "a", "x.osu", "hello\nnothing here\n")
    with pytest.raises(ImportFormatError, match="osu file format v14") as info:
        import_song(path)
    assert info.value.line == 1
    path = write(tmp_path / "c", "x.osu", osu_text(objects=""))
    with pytest.raises(ImportFormatError, match="no hit objects"):
        import_song(path)
    bad = tmp_path / "bad.osz"
    bad.write_bytes(b"PK\x03\x04 definitely not a zip")
    assert detect(bad) is None
    with pytest.raises(ImportFormatError, match=r"not a readable \.osz"):
        import_song(bad)
    text = osu_text()
    cut = write(tmp_path / "d", "x.osu", text[: text.index("[TimingPoints]")])
    with pytest.raises(ImportFormatError, match="no hit objects"):
        import_song(cut)


def test_unknown_sections_and_old_versions_are_read(tmp_path: Path) -> None:
    text = osu_text(header="osu file format v5", timing="1000,500",
                    objects=circles((1000, 0), (1500, 2)))
    text = text.replace("[Colours]", "[Mystery]\nwhat,ever\n[Colours]")
    song = import_song(write(tmp_path, "old.osu", "\ufeff" + text))
    assert [n[2] for n in notes_of(song.chart)] == [V.SNARE, V.HIHAT_CLOSED]
    assert any("[Mystery]" in w for w in song.warnings)


def test_round_trip_through_the_beatmap_writer(tmp_path: Path) -> None:
    timing = "0,500,4,1,0,100,1,0\n2750,400,4,1,0,100,1,0\n5150,333.333,3,1,0,100,1,0"
    objects = circles((0, 4), (250, 2), (667, 0), (2750, 0), (2883, 8), (3150, 0),
                      (5150, 0), (5261, 0), (5372, 4), (6000, 0), (7001, 2))
    objects += "\n256,192,7500,2,0,L|300:192,1,280"
    song = import_song(write(tmp_path, "rt.osu", osu_text(timing=timing, objects=objects,
                                                          version="Inner #2")))
    assert dict(song.chart.meta.extra) == {"osu_expert": "Inner No.2"}
    assert_round_trip(song.chart, tmp_path)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(beat_ms=st.floats(min_value=250, max_value=1000),
       start=st.integers(min_value=0, max_value=3000),
       meter=st.integers(min_value=2, max_value=7),
       slots=st.lists(st.tuples(st.integers(min_value=-8, max_value=200),
                                st.sampled_from([0, 2, 4, 8, 12])),
                      min_size=1, max_size=30, unique_by=lambda s: s[0]),
       divisor=st.sampled_from([1, 2, 3, 4, 6, 8]))
def test_random_taiko_maps_keep_their_times(tmp_path: Path, beat_ms: float, start: int,
                                            meter: int, slots: list, divisor: int) -> None:
    """Notes on osu!'s editor grid (times rounded to whole ms, as osu! saves them)
    come back within a millisecond, snapped to whole grid steps, and survive the writer."""
    times = [start + round(k * beat_ms / divisor) for k, _ in slots]
    objects = circles(*((t, h) for t, (_, h) in zip(times, slots, strict=True)))
    timing = f"{start},{beat_ms!r},{meter},1,0,100,1,0"
    folder = tmp_path / f"p{len(list(tmp_path.iterdir()))}"
    song = import_song(write(folder, "h.osu", osu_text(timing=timing, objects=objects)))
    chart = song.chart
    got = sorted((n.time_s, n.beat, n.voice, n.accent) for n in chart.notes("p1", "expert"))
    want = sorted((t / 1000, V.HIHAT_CLOSED if h & 10 else V.SNARE, bool(h & 4))
                  for t, (_, h) in zip(times, slots, strict=True))
    assert [(g[2], g[3]) for g in got] == [(w[1], w[2]) for w in want]
    for (time_s, beat, _, _), (t, _, _) in zip(got, want, strict=True):
        assert time_s == pytest.approx(t, abs=0.001)
        assert beat >= 0
        steps = beat * 48
        assert steps == pytest.approx(round(steps), abs=1e-6)
    assert chart.tempo.meters[0].numerator == meter
    assert_round_trip(chart, folder)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(points=st.lists(st.tuples(st.integers(min_value=1, max_value=20_000),
                                 st.floats(min_value=200, max_value=1200),
                                 st.integers(min_value=1, max_value=7)),
                       min_size=1, max_size=5),
       first=st.integers(min_value=-500, max_value=3000),
       notes=st.lists(st.integers(min_value=-100, max_value=6000), min_size=1, max_size=40,
                      unique=True))
def test_random_timing_points_keep_every_note_time(tmp_path: Path, points: list, first: int,
                                                   notes: list) -> None:
    """Any uninherited timing points (inside bars, off the grid, in odd meters): every
    note keeps its time within the snap tolerance, and the chart survives the writer."""
    timing, t = [], first
    for gap, beat_ms, meter in points:
        timing.append(f"{t},{beat_ms!r},{meter},1,0,100,1,0")
        t += gap
    times = sorted(n * 10 for n in notes)           # osu! times in whole ms, 10 ms apart
    folder = tmp_path / f"p{len(list(tmp_path.iterdir()))}"
    song = import_song(write(folder, "h.osu", osu_text(timing="\n".join(timing),
                                                       objects=circles(*((x, 0) for x in times)))))
    got = [n.time_s for n in song.chart.notes("p1", "expert")]
    assert got == pytest.approx([x / 1000 for x in times], abs=0.002 + 1e-9)
    assert all(n.beat >= 0 for n in song.chart.notes("p1", "expert"))
    assert_round_trip(song.chart, folder)


# files a Mac or Windows adds to a song ----------------------------------------------------
APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(152)


def test_macos_and_windows_files_in_an_osz_or_a_folder_are_not_difficulties(
        tmp_path: Path) -> None:
    """An .osz zipped on a Mac carries ``__MACOSX/._name.osu`` (AppleDouble, binary);
    a folder copied from one, ``._name.osu``; osu! skips both, and so does the game."""
    taiko = osu_text(objects=circles((1000, 0), (1500, 2)))
    osz = tmp_path / "set.osz"
    with zipfile.ZipFile(osz, "w") as z:
        z.writestr("song [Oni].osu", taiko)
        z.writestr("__MACOSX/._song [Oni].osu", APPLE_DOUBLE)
        z.writestr("Thumbs.db", b"\x00" * 64)
    assert detect(osz) == "osu-taiko"
    assert len(notes_of(import_song(osz).chart)) == 2
    folder = tmp_path / "copied from a mac"
    write(folder, "song [Oni].osu", taiko)
    (folder / "._song [Oni].osu").write_bytes(APPLE_DOUBLE)
    assert detect(folder) == "osu-taiko"
    assert len(notes_of(import_song(folder).chart)) == 2
