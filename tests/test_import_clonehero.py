"""Clone Hero / Rock Band song folders: notes.mid, notes.chart, song.ini, stems."""

from __future__ import annotations

from pathlib import Path

import mido
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_files import (
    CHART,
    PRO_NOTES,
    TPB,
    Event,
    V,
    assert_round_trip,
    conductor_120_then_60,
    full,
    gem,
    notes_of,
    pro_kit_events,
    text,
    write_chart,
    write_ini,
    write_mid,
)

from game.engine.chart import DIFFICULTIES, PARTS
from game.formats.importers import ImportFormatError, detect, import_song
from game.formats.songini import parse_song_ini
from game.util.errors import FormatError


# notes.mid ---------------------------------------------------------------------------
def test_mid_pro_drums_voices_times_and_tempo(tmp_path: Path) -> None:
    folder = tmp_path / "Band - Song"
    write_mid(folder, pro_kit_events(), conductor=conductor_120_then_60())
    write_ini(folder, "[song]\nname = Song\nartist = Band\npro_drums = True\n")
    song = import_song(folder)
    assert song.source == "clonehero-mid"
    assert notes_of(song.chart) == [
        (0.0, 0.0, V.KICK, False, False),
        (0.0, 0.0, V.HIHAT_CLOSED, False, False),
        (0.5, 0.25, V.TOM_HIGH, False, False),
        (1.0, 0.5, V.RIDE, False, False),
        (1.5, 0.75, V.TOM_MID, False, False),
        (2.0, 1.0, V.CRASH, False, False),
        (2.5, 1.25, V.TOM_FLOOR, False, False),
        (3.0, 1.5, V.SNARE, False, False),
        (3.125, 1.5625, V.HIHAT_CLOSED, False, False),
        (5.0, 3.0, V.KICK, False, False),
    ]
    assert [(t.beat, t.bpm) for t in song.chart.tempo.tempos] == [(0.0, 120.0), (4.0, 60.0)]
    assert song.chart.meta.id == "song-band"
    assert (song.chart.meta.title, song.chart.meta.artist) == ("Song", "Band")


def test_mid_without_pro_marks_plays_toms_and_markers_make_it_pro(tmp_path: Path) -> None:
    plain = gem(0, 98) + gem(480, 99) + gem(960, 100)
    write_mid(tmp_path / "a", plain)
    voices = [n[2] for n in notes_of(import_song(tmp_path / "a").chart)]
    assert voices == [V.TOM_HIGH, V.TOM_MID, V.TOM_FLOOR]
    write_mid(tmp_path / "b", plain + gem(480, 111))        # a tom marker: pro drums
    voices = [n[2] for n in notes_of(import_song(tmp_path / "b").chart)]
    assert voices == [V.HIHAT_CLOSED, V.TOM_MID, V.CRASH]
    write_mid(tmp_path / "c", plain + gem(480, 111))
    write_ini(tmp_path / "c", "[song]\npro_drums = False\n")  # song.ini says not pro
    voices = [n[2] for n in notes_of(import_song(tmp_path / "c").chart)]
    assert voices == [V.TOM_HIGH, V.TOM_MID, V.TOM_FLOOR]


def test_mid_five_lane(tmp_path: Path) -> None:
    write_mid(tmp_path, gem(0, 96) + gem(0, 98) + gem(240, 99) + gem(480, 100) + gem(720, 101)
              + gem(960, 97))
    song = import_song(tmp_path)
    assert [n[2] for n in notes_of(song.chart)] == [
        V.KICK, V.HIHAT_CLOSED, V.TOM_MID, V.CRASH, V.TOM_FLOOR, V.SNARE]
    assert ("drum_kind", "5-lane") in song.chart.meta.extra


def test_mid_difficulties_and_double_kick(tmp_path: Path) -> None:
    ev = gem(0, 60) + gem(480, 61)                          # easy: kick, red
    ev += gem(0, 72) + gem(240, 73) + gem(480, 72)          # medium
    ev += gem(0, 84) + gem(240, 85) + gem(480, 86)          # hard
    ev += gem(0, 96) + gem(120, 95) + gem(240, 97) + gem(480, 98)  # expert + 2x kick
    write_mid(tmp_path, ev)
    chart = import_song(tmp_path).chart
    assert [(n[0], n[2]) for n in notes_of(chart, "easy")] == [(0.0, V.KICK), (1.0, V.SNARE)]
    assert [(n[0], n[2]) for n in notes_of(chart, "normal")] == [
        (0.0, V.KICK), (0.5, V.SNARE), (1.0, V.KICK)]
    assert [(n[0], n[2]) for n in notes_of(chart, "hard")] == [
        (0.0, V.KICK), (0.5, V.SNARE), (1.0, V.TOM_HIGH)]
    assert [(n[0], n[2]) for n in notes_of(chart, "expert")] == [
        (0.0, V.KICK), (0.25, V.KICK), (0.5, V.SNARE), (1.0, V.TOM_HIGH)]
    single = import_song(tmp_path, double_kick=False).chart
    assert [(n[0], n[2]) for n in notes_of(single, "expert")] == [
        (0.0, V.KICK), (0.5, V.SNARE), (1.0, V.TOM_HIGH)]


def test_mid_easier_charts_are_reduced_without_double_kicks(tmp_path: Path) -> None:
    ev: list[Event] = []
    for beat in range(8):
        ev += gem(beat * TPB, 96) + gem(beat * TPB + TPB // 2, 95) + gem(beat * TPB, 98)
    write_mid(tmp_path, ev)
    song = import_song(tmp_path)
    chart = song.chart
    assert chart.difficulties("p1") == list(DIFFICULTIES)
    expert_kicks = [n for n in chart.notes("p1", "expert") if n.voice is V.KICK]
    hard_kicks = [n for n in chart.notes("p1", "hard") if n.voice is V.KICK]
    assert len(expert_kicks) == 16
    assert [n.beat for n in hard_kicks] == [float(b) for b in range(8)]


def test_mid_dynamics_need_the_enable_event(tmp_path: Path) -> None:
    ev = gem(0, 97, velocity=127) + gem(480, 97, velocity=1) + gem(960, 97, velocity=100)
    ev += gem(0, 96, velocity=127)
    write_mid(tmp_path / "off", ev)
    assert [(n[3], n[4]) for n in notes_of(import_song(tmp_path / "off").chart)] == \
        [(False, False)] * 4
    write_mid(tmp_path / "on", [*ev, text(0, "[ENABLE_CHART_DYNAMICS]")])
    got = [(n[0], n[2], n[3], n[4]) for n in notes_of(import_song(tmp_path / "on").chart)]
    assert got == [(0.0, V.KICK, False, False), (0.0, V.SNARE, True, False),
                   (1.0, V.SNARE, False, True), (2.0, V.SNARE, False, False)]


def test_mid_sections_meters_delay_and_reported_markers(tmp_path: Path) -> None:
    conductor = [(0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(100))),
                 (0, mido.MetaMessage("time_signature", numerator=4, denominator=4)),
                 (1920, mido.MetaMessage("time_signature", numerator=3, denominator=4))]
    events = [text(0, "[section Intro]"), text(1920, "[prc_verse_1]"),
              text(3360, "[section_chorus]"), text(3360, "[crowd_normal]"), text(4800, "[end]")]
    drums = gem(0, 96) + gem(1920, 97) + gem(3360, 98) + gem(3360, 109) + gem(3360, 126)
    write_mid(tmp_path, drums, events=events, conductor=conductor)
    write_ini(tmp_path, "[Song]\nName=Meters\ndelay = 250\npreview_start_time = 30000\n")
    song = import_song(tmp_path)
    chart = song.chart
    assert chart.tempo.offset_s == 0.25
    assert [(m.bar, m.numerator, m.denominator) for m in chart.tempo.meters] == [
        (1, 4, 4), (2, 3, 4)]
    assert [(s.name, s.beat, s.time_s) for s in chart.sections] == [
        ("Intro", 0.0, 0.25), ("verse 1", 4.0, 2.65), ("chorus", 7.0, 4.45)]
    assert [n[1] for n in notes_of(chart)] == [0.25, 2.65, 4.45]
    assert chart.meta.preview_s == 30.0
    assert any("1 flam marker" in w for w in song.warnings)
    assert any("1 roll marker" in w for w in song.warnings)


def test_disco_flip_is_undone_on_pro_drums(tmp_path: Path) -> None:
    flip = [text(0, "[mix 3 drums0d]"), text(960, "[mix 3 drums0]")]
    ev = [*flip, *gem(240, 97), *gem(480, 98), *gem(1200, 97), *gem(1440, 98), *gem(240, 85)]
    write_mid(tmp_path / "pro", ev)
    write_ini(tmp_path / "pro", "[song]\npro_drums = True\n")
    chart = import_song(tmp_path / "pro").chart
    assert [(n[0], n[2]) for n in notes_of(chart)] == [
        (0.5, V.HIHAT_CLOSED), (1.0, V.SNARE), (2.5, V.SNARE), (3.0, V.HIHAT_CLOSED)]
    assert [n[2] for n in notes_of(chart, "hard")] == [V.SNARE]   # no mix event for Hard
    write_mid(tmp_path / "plain", ev)                             # not pro: left as charted
    assert [n[2] for n in notes_of(import_song(tmp_path / "plain").chart)] == [
        V.SNARE, V.TOM_HIGH, V.SNARE, V.TOM_HIGH]
    notes = ("  0 = E mix_3_drums0d\n  192 = N 1 0\n  192 = N 34 0\n  384 = N 2 0\n"
             "  384 = N 66 0\n  768 = E mix_3_drums0\n  960 = N 1 0\n  960 = N 3 0\n"
             "  960 = N 67 0")
    write_chart(tmp_path / "chart", CHART.format(offset=0, notes=notes))
    chart = import_song(tmp_path / "chart").chart
    assert [(n[0], n[2], n[3]) for n in notes_of(chart)] == [
        (1.0, V.HIHAT_CLOSED, True), (2.0, V.SNARE, False), (5.0, V.RIDE, False),
        (5.0, V.SNARE, False)]


def test_mid_negative_delay(tmp_path: Path) -> None:
    write_mid(tmp_path, gem(960, 96))
    write_ini(tmp_path, "[song]\ndelay = -100\n")
    assert notes_of(import_song(tmp_path).chart)[0][:2] == (2.0, 0.9)


def test_mid_other_drum_track_names(tmp_path: Path) -> None:
    write_mid(tmp_path, gem(0, 97), drum_name="PART DRUMS_2X")
    assert notes_of(import_song(tmp_path).chart)[0][2] is V.SNARE


def test_mid_without_drum_track_is_an_error(tmp_path: Path) -> None:
    path = write_mid(tmp_path, gem(0, 97), drum_name="PART GUITAR")
    with pytest.raises(ImportFormatError) as info:
        import_song(tmp_path)
    assert str(path) in str(info.value)
    assert "PART DRUMS" in str(info.value) and "PART GUITAR" in str(info.value)


def test_mid_drum_track_without_notes_is_an_error(tmp_path: Path) -> None:
    write_mid(tmp_path, gem(0, 116) + gem(0, 24))   # star power and an animation note
    with pytest.raises(ImportFormatError, match="no drum notes"):
        import_song(tmp_path)


def test_truncated_and_garbage_mid(tmp_path: Path) -> None:
    path = write_mid(tmp_path / "t", pro_kit_events())
    path.write_bytes(path.read_bytes()[:60])
    with pytest.raises(ImportFormatError) as info:
        import_song(tmp_path / "t")
    assert str(path) in str(info.value) and "truncated" in str(info.value)
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "notes.mid").write_bytes(b"this is not MIDI at all")
    with pytest.raises(FormatError, match="not a Standard MIDI File"):
        import_song(tmp_path / "g")


# notes.chart ----------------------------------------------------------------------------
def test_chart_voices_marks_tempo_sections(tmp_path: Path) -> None:
    write_chart(tmp_path, CHART.format(offset=0, notes=PRO_NOTES))
    song = import_song(tmp_path)
    chart = song.chart
    assert song.source == "clonehero-chart"
    assert notes_of(chart) == [
        (0.0, 0.0, V.KICK, False, False),
        (0.0, 0.0, V.HIHAT_CLOSED, False, False),
        (0.5, 0.25, V.TOM_HIGH, False, False),
        (1.0, 0.5, V.SNARE, True, False),
        (1.5, 0.75, V.KICK, False, False),
        (1.5, 0.75, V.TOM_MID, False, False),
        (2.0, 1.0, V.CRASH, False, False),
        (2.5, 1.25, V.SNARE, False, True),
        (3.0, 1.5, V.RIDE, False, False),
        (3.5, 1.75, V.TOM_FLOOR, False, False),
        (5.0, 2.4, V.SNARE, False, False),    # 120 BPM for 4 beats, then 150 BPM
        (8.0, 3.6, V.KICK, False, False),
    ]
    assert [(t.beat, t.bpm) for t in chart.tempo.tempos] == [(0.0, 120.0), (4.0, 150.0)]
    assert [(m.bar, m.numerator, m.denominator) for m in chart.tempo.meters] == [
        (1, 4, 4), (3, 3, 8)]
    assert [(s.name, s.beat, s.time_s) for s in chart.sections] == [
        ("Intro", 0.0, 0.0), ("Verse 1", 4.0, 2.0)]
    assert (chart.meta.title, chart.meta.artist, chart.meta.charter, chart.meta.preview_s) == (
        "Chart Song", "Chart Band", "Someone", 12.5)
    assert any("[ExpertSingle]" in w for w in song.warnings)
    assert any("99 (1x)" in w for w in song.warnings)
    # only Expert is charted: the rest is reduced, without the Expert+ kick
    assert chart.difficulties("p1") == list(DIFFICULTIES)
    assert 0.75 not in [n.beat for n in chart.notes("p1", "hard") if n.voice is V.KICK]


def test_chart_offset_and_song_ini_delay(tmp_path: Path) -> None:
    write_chart(tmp_path / "a", CHART.format(offset=0.5, notes="  192 = N 1 0"))
    assert notes_of(import_song(tmp_path / "a").chart)[0][:2] == (1.0, 1.0)
    write_chart(tmp_path / "b", CHART.format(offset=0.5, notes="  192 = N 1 0"))
    write_ini(tmp_path / "b", "[song]\ndelay = -200\nname = From Ini\n")
    chart = import_song(tmp_path / "b").chart
    assert notes_of(chart)[0][:2] == (1.0, 0.3)
    assert chart.tempo.offset_s == -0.2
    assert chart.meta.title == "From Ini"


def test_chart_five_lane_and_non_pro(tmp_path: Path) -> None:
    five = "\n".join(f"  {i * 192} = N {lane} 0" for i, lane in enumerate(range(6)))
    write_chart(tmp_path / "five", CHART.format(offset=0, notes=five))
    assert [n[2] for n in notes_of(import_song(tmp_path / "five").chart)] == [
        V.KICK, V.SNARE, V.HIHAT_CLOSED, V.TOM_MID, V.CRASH, V.TOM_FLOOR]
    four = "\n".join(f"  {i * 192} = N {lane} 0" for i, lane in enumerate(range(5)))
    write_chart(tmp_path / "four", CHART.format(offset=0, notes=four))
    assert [n[2] for n in notes_of(import_song(tmp_path / "four").chart)] == [
        V.KICK, V.SNARE, V.TOM_HIGH, V.TOM_MID, V.TOM_FLOOR]


def test_chart_only_hard_is_copied_to_expert(tmp_path: Path) -> None:
    body = CHART.format(offset=0, notes="  0 = N 1 0").replace("[ExpertDrums]", "[HardDrums]")
    write_chart(tmp_path, body)
    song = import_song(tmp_path)
    assert notes_of(song.chart, "expert") == notes_of(song.chart, "hard")
    assert any("no expert chart" in w for w in song.warnings)


@pytest.mark.parametrize(("bad", "needle"), [
    ("  Resolution = abc", "Resolution"),
    ("  Resolution = 0", "above 0"),
    ("  Resolution = 19.2", "whole number"),
])
def test_chart_bad_resolution_is_refused(tmp_path: Path, bad: str, needle: str) -> None:
    text = CHART.format(offset=0, notes=PRO_NOTES).splitlines()
    text[5] = bad
    path = write_chart(tmp_path, "\n".join(text))
    with pytest.raises(ImportFormatError) as info:
        import_song(tmp_path)
    assert info.value.line == 6
    assert info.value.path == str(path)
    assert needle in str(info.value) and "line 6" in str(info.value)


def test_chart_bad_offset_is_ignored_with_a_warning(tmp_path: Path) -> None:
    text = CHART.format(offset=0, notes=PRO_NOTES).splitlines()
    text[6] = "  Offset = soon"
    write_chart(tmp_path, "\n".join(text))
    song = import_song(tmp_path)
    assert song.chart.tempo.offset_s == 0.0
    assert any("line 7" in w and "Offset" in w for w in song.warnings)


@pytest.mark.parametrize("bad", ["  x = N 1 0", "  192 = N one 0", "  192 = Q 1 0",
                                 "  192 N 1 0", "  -5 = N 1 0", "  192 = N 1 0 0 0"])
def test_chart_bad_note_lines_are_skipped_with_their_line(tmp_path: Path, bad: str) -> None:
    notes = f"  0 = N 1 0\n{bad}\n  384 = N 0 0"
    body = CHART.format(offset=0, notes=notes)
    write_chart(tmp_path, body)
    song = import_song(tmp_path)
    assert [(n[0], n[2]) for n in notes_of(song.chart)] == [(0.0, V.SNARE), (2.0, V.KICK)]
    line = body.splitlines().index(bad) + 1
    assert any(f"line {line}" in w and "skipped 1 line" in w for w in song.warnings)


def test_chart_bad_tempo_line(tmp_path: Path) -> None:
    body = CHART.format(offset=0, notes="  0 = N 1 0").replace("768 = B 150000", "768 = B 0")
    write_chart(tmp_path, body)
    with pytest.raises(ImportFormatError) as info:
        import_song(tmp_path)
    assert info.value.line == body.splitlines().index("  768 = B 0") + 1
    assert "above 0" in str(info.value)


def test_chart_truncated_and_broken_structure(tmp_path: Path) -> None:
    body = CHART.format(offset=0, notes=PRO_NOTES)
    cut = body[: body.index("  480 = N 1 0")]
    write_chart(tmp_path / "cut", cut)
    with pytest.raises(ImportFormatError, match=r"ends inside \[ExpertDrums\].*truncated"):
        import_song(tmp_path / "cut")
    mid_line = body[: body.index("  480 = N 1 0") + 6]            # cut inside a line
    write_chart(tmp_path / "midline", mid_line)
    with pytest.raises(ImportFormatError, match=r"ends inside \[ExpertDrums\].*truncated") as info:
        import_song(tmp_path / "midline")
    assert info.value.line == mid_line.count("\n") + 1
    write_chart(tmp_path / "nodrums", body.replace("[ExpertDrums]", "[ExpertKeys]"))
    with pytest.raises(ImportFormatError, match=r"no drum chart.*\[ExpertKeys\]"):
        import_song(tmp_path / "nodrums")


# folders, song.ini, audio -----------------------------------------------------------------
def test_folder_prefers_mid_and_a_file_path_picks_that_file(tmp_path: Path) -> None:
    write_mid(tmp_path, gem(0, 97))
    write_chart(tmp_path, CHART.format(offset=0, notes="  0 = N 0 0"))
    assert detect(tmp_path) == "clonehero-mid"
    assert import_song(tmp_path).source == "clonehero-mid"
    assert detect(tmp_path / "notes.chart") == "clonehero-chart"
    song = import_song(tmp_path / "notes.chart")
    assert song.source == "clonehero-chart" and song.files[0].name == "notes.chart"
    (tmp_path / "notes.mid").unlink()
    assert detect(tmp_path) == "clonehero-chart"
    write_ini(tmp_path, "[song]\nname = x\n")
    assert detect(tmp_path / "song.ini") == "clonehero-chart"
    assert detect(tmp_path / "nothing-here") is None


def test_audio_stems_and_files(tmp_path: Path) -> None:
    write_mid(tmp_path, gem(0, 97))
    ini = write_ini(tmp_path, "[song]\nname = Stems\n")
    for name in ("song.ogg", "guitar.opus", "bass.mp3", "drums.ogg", "drums_1.ogg",
                 "drums_2.wav", "vocals_1.flac", "vocals.ogg", "crowd.ogg", "album.png",
                 "keys.txt"):
        (tmp_path / name).write_bytes(b"x")
    song = import_song(tmp_path)
    assert [p.name for p in song.audio["backing"]] == [
        "song.ogg", "guitar.opus", "bass.mp3", "vocals_1.flac", "crowd.ogg"]
    assert [p.name for p in song.audio["drums"]] == ["drums_1.ogg", "drums_2.wav"]
    assert song.chart.meta.audio == "song.ogg"
    assert song.files == (tmp_path / "notes.mid", ini)
    assert song.folder == tmp_path


def test_audio_without_song_stem_and_without_audio(tmp_path: Path) -> None:
    write_mid(tmp_path / "a", gem(0, 97))
    (tmp_path / "a" / "guitar.ogg").write_bytes(b"x")
    (tmp_path / "a" / "drums.ogg").write_bytes(b"x")
    song = import_song(tmp_path / "a")
    assert song.chart.meta.audio == "guitar.ogg"
    assert [p.name for p in song.audio["drums"]] == ["drums.ogg"]
    write_mid(tmp_path / "b", gem(0, 97))
    song = import_song(tmp_path / "b")
    assert song.audio == {"backing": (), "drums": ()}
    assert song.chart.meta.audio is None
    assert any("no audio" in w for w in song.warnings)


def test_song_ini_is_read_tolerantly() -> None:
    warnings: list[str] = []
    ini = parse_song_ini(
        "; made by a tool\nstray = before header\n[Song]\nNAME=<color=#FF0000>Red</color> Song\n"
        "Artist  =  The #1 Band\nFRETS = Old Charter\nDelay = abc\nPro_Drums = true\n"
        "five_lane_drums = maybe\ndiff_drums = 4\npreview_start_time = -1\nnot a pair\n"
        "[other]\nname = Nope\n", path="song.ini", warnings=warnings)
    assert (ini.name, ini.artist, ini.charter) == ("Red Song", "The No.1 Band", "Old Charter")
    assert ini.delay_ms is None and ini.preview_ms is None
    assert ini.pro_drums is True and ini.five_lane_drums is None and ini.diff_drums == 4
    assert any("line 7" in w and "delay" in w for w in warnings)
    assert any("maybe" in w for w in warnings)
    assert any("not a pair" in w for w in warnings)


def test_unison_parts_all_difficulties_and_round_trip(tmp_path: Path) -> None:
    folder = tmp_path / "song"
    events = [text(0, "[section Intro #1]"), text(1920, "[prc_chorus]")]
    write_mid(folder, [*pro_kit_events(), *gem(3000, 97, velocity=127),
                       text(0, "[ENABLE_CHART_DYNAMICS]")],
              events=events, conductor=conductor_120_then_60())
    write_ini(folder, "[song]\nname = Round Trip\nartist = Tester\npro_drums = True\n"
                      "delay = 123\npreview_start_time = 4500\n")
    (folder / "song.ogg").write_bytes(b"x")
    chart = import_song(folder).chart
    for diff in DIFFICULTIES:
        assert chart.notes("p1", diff)
        assert full(chart)[("p1", diff)] == full(chart)[("p2", diff)]
    assert set(chart.parts) == {(p, d) for p in PARTS for d in DIFFICULTIES}
    assert chart.sections[0].name == "Intro No.1"
    assert_round_trip(chart, tmp_path)


def test_odd_tuplets_survive_the_round_trip(tmp_path: Path) -> None:
    body = CHART.format(offset=0, notes="\n".join(
        f"  {t} = N 1 0" for t in (0, 38, 77, 115, 154, 193, 999)))   # quintuplets, stray ticks
    write_chart(tmp_path / "s", body)
    chart = import_song(tmp_path / "s").chart
    assert [n.beat for n in chart.notes("p1", "expert")] == [
        t / 192 for t in (0, 38, 77, 115, 154, 193, 999)]
    assert_round_trip(chart, tmp_path)


def test_not_a_song(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("hi")
    assert detect(tmp_path) is None
    with pytest.raises(ImportFormatError, match="not a chart this game can import"):
        import_song(tmp_path)
    with pytest.raises(ImportFormatError, match="no such file"):
        import_song(tmp_path / "missing")


# property: random grids written as .chart come back exactly --------------------------------
LANES = st.sampled_from([(0, None), (1, None), (2, None), (2, 66), (3, None), (3, 67),
                         (4, None), (4, 68)])


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(res=st.sampled_from([192, 480]),
       bpm=st.integers(min_value=60_000, max_value=240_000),
       hits=st.lists(st.tuples(st.integers(min_value=0, max_value=191), LANES,
                               st.sampled_from([None, 34, 40])), min_size=1, max_size=40))
def test_random_chart_grids_import_exactly(tmp_path: Path, res: int, bpm: int,
                                           hits: list) -> None:
    step = res // 4  # 16th notes
    lines: list[str] = []
    marks: dict[tuple[int, int], set[int]] = {}
    for slot, (lane, cymbal), mark in hits:
        tick = slot * step
        present = marks.setdefault((tick, lane), set())
        lines.append(f"  {tick} = N {lane} 0")
        for extra in (cymbal, mark + lane - 1 if lane and mark else None):
            if extra:
                lines.append(f"  {tick} = N {extra} 0")
                present.add(extra)
    lines.sort(key=lambda line: int(line.split("=")[0]))
    body = CHART.format(offset=0, notes="\n".join(lines)).replace(
        "Resolution = 192", f"Resolution = {res}").replace("768 = B 150000", "").replace(
        "0 = B 120000", f"0 = B {bpm}").replace("1536 = TS 3 3", "")
    folder = tmp_path / f"h{res}-{bpm}-{len(hits)}"
    write_chart(folder, body)
    chart = import_song(folder).chart
    got = {(round(n.beat * res), n.voice): (n.accent, n.ghost, n.time_s)
           for n in chart.notes("p1", "expert")}
    assert len(got) == len(chart.notes("p1", "expert"))
    want = {}
    for (tick, lane), present in marks.items():
        cymbal = lane >= 2 and any(m >= 66 for m in present)
        voice = {0: V.KICK, 1: V.SNARE}.get(lane) or (
            {2: V.HIHAT_CLOSED, 3: V.RIDE, 4: V.CRASH} if cymbal else
            {2: V.TOM_HIGH, 3: V.TOM_MID, 4: V.TOM_FLOOR})[lane]
        accent = any(34 <= m <= 38 for m in present)
        ghost = not accent and any(40 <= m <= 44 for m in present)
        want[(tick, voice)] = (accent, ghost, tick / res * 60 / (bpm / 1000))
    assert {k: v[:2] for k, v in got.items()} == {k: v[:2] for k, v in want.items()}
    for key, (_, _, t) in want.items():
        assert got[key][2] == pytest.approx(t, abs=1e-9)
    assert_round_trip(chart, folder)


def test_a_chart_of_another_name_next_to_its_macos_shadow_is_found(tmp_path: Path) -> None:
    """``._drums.chart`` (a Mac's AppleDouble file) is not a second chart."""
    from game.formats.clonehero import find_chart_file

    folder = tmp_path / "song"
    folder.mkdir()
    chart = folder / "drums.chart"
    chart.write_text("[Song]\n{\n  Resolution = 192\n}\n", encoding="utf-8")
    (folder / "._drums.chart").write_bytes(b"\x00\x05\x16\x07" + bytes(60))
    assert find_chart_file(folder) == chart
