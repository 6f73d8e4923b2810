"""Exported MIDI sits on the audio; importing it gives the same chart back (issue 10).

Time 0 of an exported file is time 0 of the audio, whatever the chart's
offset: every note-on's time in the file, through the file's own tempo map as
mido (or any DAW) plays it, is the note's time on the audio, and the file's
bar lines fall on the chart's. Importing the file gives the chart back:
the same notes at the same audio times, the same tempo map, offset included.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import mido
import pytest

from game.cli import main
from game.engine.chart import Chart, Note, Section, SongMeta, make_note, sort_notes
from game.engine.reduce import reduce_chart
from game.engine.tempo import MeterChange, TempoChange, TempoMap
from game.engine.voices import Voice
from game.formats.beatmap import load_beatmap
from game.formats.library import beatmap_paths
from game.formats.midi_export import TICKS_PER_BEAT, export_midi
from game.formats.midi_import import import_midi_with_report
from game.util.errors import FormatError

V = Voice

#: name -> (offset_s, [(beat, bpm)], [(bar, num, den)])
CASES: dict[str, tuple[float, list[tuple[float, float]], list[tuple[int, int, int]]]] = {
    "zero": (0.0, [(0.0, 120.0)], [(1, 4, 4)]),
    "lead-in, whole bar": (2.0, [(0.0, 120.0)], [(1, 4, 4)]),
    "lead-in, part bar": (1.337, [(0.0, 100.0), (10.0, 150.0)], [(1, 4, 4), (4, 7, 8)]),
    "lead-in, bars and a part": (9.87, [(0.0, 96.0), (6.5, 75.0)], [(1, 3, 4), (5, 4, 4)]),
    "lead-in, 3 ms": (0.003, [(0.0, 120.0), (8.0, 100.0)], [(1, 4, 4)]),
    "late audio, 3 ms": (-0.003, [(0.0, 120.0), (8.0, 100.0)], [(1, 4, 4)]),
    "late audio, part bar": (-1.2, [(0.0, 100.0), (12.0, 120.0)], [(1, 4, 4), (4, 5, 8)]),
    "late audio, bars": (-5.55, [(0.0, 150.0), (20.0, 96.0)], [(1, 6, 8)]),
    "auto-chart tempos": (0.2345, [(0.0, 94.996), (9.0, 95.123), (17.0, 126.5)], [(1, 4, 4)]),
    "late auto-chart": (-0.0875, [(0.0, 127.834), (13.0, 128.01)], [(1, 4, 4)]),
}
#: Cases whose every BPM is a whole number of microseconds per beat.
WHOLE_US = {"zero", "lead-in, whole bar", "lead-in, part bar", "lead-in, bars and a part",
            "lead-in, 3 ms", "late audio, 3 ms", "late audio, part bar", "late audio, bars"}


def make_chart(offset_s: float, tempos: list[tuple[float, float]],
               meters: list[tuple[int, int, int]]) -> Chart:
    """Eight bars and more of a groove from bar 1: 16th hats, kick/snare, triplet toms,
    accents and ghosts, a crash on every bar; three sections."""
    tempo = TempoMap([TempoChange(b, bpm) for b, bpm in tempos],
                     [MeterChange(*m) for m in meters], offset_s=offset_s)
    end = tempo.bar_start_beat(10)
    p1: list[Note] = []
    for i in range(int(end * 4)):
        beat = i / 4
        p1.append(make_note(tempo, beat, V.HIHAT_CLOSED, velocity=60 + i % 40))
        if i % 8 == 0:
            p1.append(make_note(tempo, beat, V.KICK, accent=i % 32 == 0))
        if i % 8 == 4:
            p1.append(make_note(tempo, beat, V.SNARE))
        if i % 16 == 14:
            p1.append(make_note(tempo, beat + 0.25, V.SNARE, ghost=True))
    for i in range(6):
        p1.append(make_note(tempo, 8 + i / 3, V.TOM_HIGH if i % 2 else V.TOM_FLOOR))
    bar = 1
    while tempo.bar_start_beat(bar) < end:
        p1.append(make_note(tempo, tempo.bar_start_beat(bar), V.CRASH))
        bar += 1
    p2 = [make_note(tempo, b / 2, V.RIDE if b % 2 else V.RIDE_BELL) for b in range(int(end * 2))]
    sections = tuple(Section(name, tempo.bar_start_beat(bar), tempo.seconds_at(
        tempo.bar_start_beat(bar))) for name, bar in (("Intro", 1), ("Verse", 3), ("Out", 7)))
    chart = Chart(SongMeta("sync", "Sync"), tempo, sections,
                  {("p1", "expert"): sort_notes(p1), ("p2", "expert"): sort_notes(p2)})
    return reduce_chart(chart)


def with_offset(chart: Chart, offset_s: float) -> Chart:
    """The same chart with beat 0 at ``offset_s`` on the audio (notes re-timed)."""
    tempo = TempoMap(chart.tempo.tempos, chart.tempo.meters, offset_s=offset_s)
    parts = {key: tuple(replace(n, time_s=tempo.seconds_at(n.beat)) for n in notes)
             for key, notes in chart.parts.items()}
    sections = tuple(replace(s, time_s=tempo.seconds_at(s.beat)) for s in chart.sections)
    return replace(chart, tempo=tempo, parts=parts, sections=sections)


def file_note_times(path: Path) -> dict[str, list[tuple[float, int]]]:
    """Track name -> sorted (seconds, note) of its note-ons, as mido plays the file
    (through the conductor's tempo map, from time 0)."""
    mid = mido.MidiFile(path)
    out = {}
    for track in mid.tracks[1:]:
        both = mido.MidiFile(type=1, ticks_per_beat=mid.ticks_per_beat,
                             tracks=[mid.tracks[0], track])
        now, ons = 0.0, []
        for msg in both:  # msg.time: seconds since the previous message
            now += msg.time
            if msg.type == "note_on" and msg.velocity > 0:
                ons.append((now, msg.note))
        out[track.name] = sorted(ons)
    return out


def start_tag_time(path: Path) -> float:
    """File time of the start tag: where the chart's grid starts (after the pickup)."""
    now = 0.0
    for msg in mido.MidiFile(path):
        now += msg.time
        if msg.type == "text" and msg.text.startswith("drum-diplomacy start "):
            return now
    raise AssertionError("no start tag")


def audible(notes: tuple[Note, ...]) -> list[tuple[float, int]]:
    """The (audio time, note number) a file must hold: notes after the audio starts,
    one per voice and tick."""
    keep = {(round(n.beat * TICKS_PER_BEAT), n.voice.gm_note): n.time_s
            for n in notes if n.time_s >= 0}
    return sorted((t, number) for (_, number), t in keep.items())


def note_keys(notes: tuple[Note, ...]) -> list[tuple[float, float, str, int, bool, bool]]:
    return [(n.time_s, n.beat, n.voice.code, n.velocity, n.accent, n.ghost) for n in notes]


def assert_same_chart(back: Chart, original: Chart) -> None:
    assert back.tempo == original.tempo  # tempos, meters and offset, exactly
    assert [(s.name, s.beat, s.time_s) for s in back.sections] == [
        (s.name, s.beat, s.time_s) for s in original.sections]
    assert set(back.parts) == set(original.parts)
    for key, notes in original.parts.items():
        assert note_keys(back.parts[key]) == note_keys(notes), key


# the file sits on the audio ---------------------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_note_ons_in_the_file_are_at_audio_times(tmp_path: Path, case: str) -> None:
    chart = make_chart(*CASES[case])
    f = tmp_path / "x.mid"
    export_midi(chart, f)
    in_file = file_note_times(f)
    start_s = start_tag_time(f)
    for (part, diff), notes in chart.parts.items():
        want = audible(notes)
        got = in_file[f"{part.upper()} {diff}"]
        assert [n for _, n in got] == [n for _, n in want]
        errors = [abs(a - b) for (a, _), (b, _) in zip(got, want, strict=True)]
        assert max(errors) <= 1e-3
        # from the start bar on: the pickup's microsecond rounding, and tempos a whole
        # microsecond cannot hold kept within tens of microseconds of the chart
        on_grid = [e for e, (t, _) in zip(errors, want, strict=True) if t >= start_s]
        assert max(on_grid) <= (5e-6 if case in WHOLE_US else 5e-5)
        if case in WHOLE_US:  # in the pickup: at most half a tick
            assert max(errors) <= 0.5 / TICKS_PER_BEAT * 60 / 75 + 1e-6


def daw_bar_lines_s(path: Path, until_s: float) -> list[float]:
    """Times of the bar lines a DAW draws: bars of each time signature from its tick."""
    mid = mido.MidiFile(path)
    tpb, tick, sigs, tempos = mid.ticks_per_beat, 0, [], [(0, 500_000)]
    for msg in mid.tracks[0]:
        tick += msg.time
        if msg.type == "time_signature":
            sigs.append((tick, msg.numerator * 4 * tpb // msg.denominator))
        elif msg.type == "set_tempo":
            tempos.append((tick, msg.tempo))

    def seconds(at: int) -> float:
        s, last_tick, us = 0.0, 0, 500_000
        for t, u in sorted(tempos, key=lambda e: e[0]):  # the default first on tick 0
            if t > at:
                break
            s += (t - last_tick) * us / tpb / 1e6
            last_tick, us = t, u
        return s + (at - last_tick) * us / tpb / 1e6

    lines = []
    for i, (start, length) in enumerate(sigs):
        end = sigs[i + 1][0] if i + 1 < len(sigs) else math.inf
        bar = start
        while bar < end and seconds(bar) <= until_s:
            lines.append(seconds(bar))
            bar += length
    return lines


@pytest.mark.parametrize("case", CASES)
def test_bar_lines_in_the_file_are_the_charts(tmp_path: Path, case: str) -> None:
    chart = make_chart(*CASES[case])
    f = tmp_path / "x.mid"
    export_midi(chart, f)
    last_s = chart.length_s
    drawn = daw_bar_lines_s(f, last_s + 1e-3)
    assert drawn[0] == 0.0
    tempo = chart.tempo

    def line(bar: int) -> float:  # bars before bar 1 continue the first meter
        return tempo.bar_start_beat(bar) if bar >= 1 else (bar - 1) * tempo.meters[0].bar_beats

    bar = 1
    while tempo.seconds_at(line(bar)) > 0:
        bar -= 1
    chart_lines = []
    while tempo.seconds_at(line(bar)) <= last_s:
        if tempo.seconds_at(line(bar)) >= 0:
            chart_lines.append(tempo.seconds_at(line(bar)))
        bar += 1
    if chart_lines[0] < tempo.beat_length_s(0.0) / 16:
        chart_lines.pop(0)  # within a 64th note of the audio's start: the pickup took it in
    # every chart bar line is a drawn one; at most one more (a pickup bar) before them
    assert len(drawn) - len(chart_lines) in (0, 1)
    assert drawn[-len(chart_lines):] == pytest.approx(chart_lines, abs=5e-4)


@pytest.mark.parametrize("case", CASES)
def test_tempos_in_the_file_stay_musical(tmp_path: Path, case: str) -> None:
    """The pickup bar runs at the chart's tempo up to twice it: no DAW clamps it."""
    chart = make_chart(*CASES[case])
    f = tmp_path / "x.mid"
    export_midi(chart, f)
    bpms = [mido.tempo2bpm(m.tempo) for m in mido.MidiFile(f).tracks[0]
            if m.type == "set_tempo"]
    low = min(t.bpm for t in chart.tempo.tempos)
    high = max(t.bpm for t in chart.tempo.tempos)
    assert all(low * 0.999 <= b <= 2 * high for b in bpms)


def test_three_hours_at_a_tempo_microseconds_cannot_hold(tmp_path: Path) -> None:
    """126.5 BPM is 474,308.33 us per beat: written as 474,308 it would drift 7.6 ms
    in three hours; the file stays within 50 us and imports as 126.5 BPM."""
    tempo = TempoMap.constant(126.5, offset_s=0.75)
    bars = int(3 * 3600 / (4 * 60 / 126.5))
    notes = sort_notes([make_note(tempo, 4.0 * b, V.KICK) for b in range(bars)])
    chart = Chart(SongMeta("long", "Long"), tempo, (), {("p1", "expert"): notes})
    f = tmp_path / "long.mid"
    export_midi(chart, f)
    got = [t for t, _ in file_note_times(f)["P1 expert"]]
    assert len(got) == bars and got[-1] > 3 * 3600 - 5
    assert max(abs(a - n.time_s) for a, n in zip(got, notes, strict=True)) <= 5e-5
    tempos = [m.tempo for m in mido.MidiFile(f).tracks[0] if m.type == "set_tempo"]
    assert set(tempos[1:]) == {474308, 474309}  # after the pickup: the two nearest
    assert len(tempos) <= bars * 4 / 64 + 2
    back, _ = import_midi_with_report(f)
    assert back.tempo == tempo
    assert [n.time_s for n in back.notes("p1", "expert")] == [n.time_s for n in notes]


# import gives the chart back ----------------------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_round_trip_gives_the_same_chart(tmp_path: Path, case: str) -> None:
    chart = make_chart(*CASES[case])
    f = tmp_path / "x.mid"
    export_midi(chart, f)
    back, warnings = import_midi_with_report(f, song_id="sync", title="Sync")
    expected = chart
    if chart.tempo.offset_s < 0:  # what comes before the audio starts is not in the file
        expected = replace(chart, parts={k: tuple(n for n in ns if n.time_s >= 0)
                                         for k, ns in chart.parts.items()},
                           sections=tuple(s for s in chart.sections if s.time_s >= 0))
    assert_same_chart(back, expected)
    assert warnings == []


def test_builtin_songs_and_their_shifted_copies(tmp_path: Path) -> None:
    songs = beatmap_paths()
    assert len(songs) >= 4
    for path in songs:
        original = load_beatmap(path)
        for offset_s in (original.tempo.offset_s, 1.5, 0.0125, -0.0125):
            chart = with_offset(original, offset_s)
            f = tmp_path / f"{path.stem}.mid"
            warnings = export_midi(chart, f)
            back, _ = import_midi_with_report(f, song_id=chart.meta.id, title=chart.meta.title)
            kept = {k: tuple(n for n in ns if n.time_s >= 0) for k, ns in chart.parts.items()}
            assert back.tempo == chart.tempo, (path.stem, offset_s)
            for key, notes in kept.items():
                assert note_keys(back.parts[key]) == note_keys(notes), (path.stem, offset_s, key)
            dropped = sum(len(ns) - len(kept[k]) for k, ns in chart.parts.items())
            assert (dropped > 0) == any("before the audio starts" in w for w in warnings)
            in_file = file_note_times(f)
            for (part, diff), notes in kept.items():
                got = [t for t, _ in in_file[f"{part.upper()} {diff}"]]
                want = [t for t, _ in audible(notes)]
                assert max(abs(a - b) for a, b in zip(got, want, strict=True)) <= 1e-3


def test_command_line_round_trip_with_an_offset(tmp_path: Path, capsys) -> None:
    """``export`` then ``import -o``: the beatmap comes back with its offset."""
    source = next(p for p in beatmap_paths() if p.stem == "first-contact")
    for offset_ms in ("1234.5", "-250"):
        shifted = tmp_path / f"shifted{offset_ms}.beatmap"
        text = source.read_text(encoding="utf-8")
        assert "offset_ms = 0\n" in text
        shifted.write_text(text.replace("offset_ms = 0\n", f"offset_ms = {offset_ms}\n"),
                           encoding="utf-8")
        original = load_beatmap(shifted)
        mid = tmp_path / f"shifted{offset_ms}.mid"
        assert main(["export", str(shifted), "-o", str(mid)]) == 0
        out = capsys.readouterr().out
        assert f"bar 1 at {float(offset_ms) / 1000:.3f} s" in out
        assert ("before the audio starts" in out) == offset_ms.startswith("-")
        back_path = tmp_path / f"back{offset_ms}.beatmap"
        assert main(["import", str(mid), "-o", str(back_path), "--keep-velocity",
                     "--id", original.meta.id, "--title", original.meta.title]) == 0
        capsys.readouterr()
        back = load_beatmap(back_path)
        assert back.tempo == original.tempo
        assert back.tempo.offset_s == float(offset_ms) / 1000
        for key, notes in original.parts.items():
            kept = tuple(n for n in notes if n.time_s >= 0)
            assert note_keys(back.parts[key]) == note_keys(kept), (offset_ms, key)


# what cannot be in the file, and files changed since -----------------------------------
def test_before_the_audio_starts_is_reported(tmp_path: Path) -> None:
    tempo = TempoMap([TempoChange(0.0, 120.0), TempoChange(2.0, 100.0)], [MeterChange(1, 4, 4)],
                     offset_s=-2.5)  # the audio starts at beat 5 (bar 2, beat 2)
    notes = sort_notes([make_note(tempo, float(b), V.SNARE) for b in range(16)])
    chart = Chart(SongMeta("x", "X"), tempo, (Section("Intro", 0.0, -2.5),),
                  {("p1", "expert"): notes, ("p2", "expert"): notes})
    f = tmp_path / "x.mid"
    warnings = export_midi(chart, f)
    assert "P1 expert: skipped 5 note(s) before the audio starts" in warnings
    assert "skipped 1 section(s) before the audio starts" in warnings
    assert any("1 tempo change(s) before it are not in the file" in w for w in warnings)
    back, import_warnings = import_midi_with_report(f)
    assert any("the tempo map's is used" in w for w in import_warnings)
    got = back.notes("p1", "expert")
    assert [n.beat for n in got] == [float(b) for b in range(5, 16)]
    assert [n.time_s for n in got] == pytest.approx([n.time_s for n in notes[5:]], abs=1e-9)


def test_a_file_without_its_tags_still_sits_on_the_audio(tmp_path: Path) -> None:
    """A DAW that drops text events: the file is read as a plain MIDI file from its
    time 0 (the pickup bar becomes bar 1) and every note keeps its audio time."""
    chart = make_chart(*CASES["lead-in, part bar"])
    f = tmp_path / "x.mid"
    export_midi(chart, f)
    mid = mido.MidiFile(f)
    for track in mid.tracks:
        kept = mido.MidiTrack()
        carry = 0
        for msg in track:
            if msg.type == "text":
                carry += msg.time
                continue
            kept.append(msg.copy(time=msg.time + carry))
            carry = 0
        track[:] = kept
    plain = tmp_path / "plain.mid"
    mid.save(plain)
    back, _ = import_midi_with_report(plain)
    assert back.tempo.offset_s == 0.0
    assert back.tempo.meters[0] == MeterChange(1, 9, 16)  # the pickup bar: 2.23 beats
    for key, notes in chart.parts.items():
        got = [n.time_s for n in back.parts[key]]
        assert got == pytest.approx([n.time_s for n in notes], abs=1e-5)


def test_a_retimed_pickup_moves_the_chart(tmp_path: Path) -> None:
    """Someone changed the pickup's tempo in a DAW: the file's timing wins, with a
    warning that the tag's offset no longer matches."""
    chart = make_chart(*CASES["lead-in, whole bar"])
    f = tmp_path / "x.mid"
    export_midi(chart, f)
    mid = mido.MidiFile(f)
    pickup = next(m for m in mid.tracks[0] if m.type == "set_tempo")
    pickup.tempo = pickup.tempo * 11 // 10  # 10 % slower: the pickup lasts 0.2 s longer
    mid.save(f)
    back, warnings = import_midi_with_report(f)
    assert any("start tag says offset 2.000000 s" in w for w in warnings)
    assert back.tempo.offset_s == pytest.approx(2.2, abs=1e-5)
    assert [n.beat for n in back.notes("p1", "expert")] == [
        n.beat for n in chart.notes("p1", "expert")]


@pytest.mark.parametrize("text", [
    "drum-diplomacy start beat=abc offset_s=1",
    "drum-diplomacy start offset_s=1",
    "drum-diplomacy start beat=0 offset_s=nan",
    "drum-diplomacy start beat=4 offset_s=-1 meter_before=3/3",
    "drum-diplomacy bpm=-5",
    "drum-diplomacy hello",
])
def test_broken_tags_are_ignored_with_a_warning(tmp_path: Path, text: str) -> None:
    mid = mido.MidiFile(type=1, ticks_per_beat=480)
    mid.tracks.append(mido.MidiTrack([mido.MetaMessage("text", text=text),
                                      mido.MetaMessage("set_tempo", tempo=500_000)]))
    mid.tracks.append(mido.MidiTrack([
        mido.Message("note_on", channel=9, note=38, velocity=100, time=480)]))
    f = tmp_path / "tag.mid"
    mid.save(f)
    back, warnings = import_midi_with_report(f)
    assert any(w.startswith("ignored text event") for w in warnings)
    assert back.tempo.offset_s == 0.0
    assert [n.beat for n in back.notes("p1", "expert")] == [1.0]


def test_tempo_or_meter_midi_cannot_hold(tmp_path: Path) -> None:
    notes = (make_note(TempoMap.constant(2.0), 0.0, V.SNARE),)
    slow = Chart(SongMeta("x", "X"), TempoMap.constant(2.0), (), {("p1", "expert"): notes})
    with pytest.raises(FormatError, match="cannot export tempo 2 BPM") as info:
        export_midi(slow, tmp_path / "slow.mid")
    assert info.value.path == str(tmp_path / "slow.mid")
    wide = replace(slow, tempo=TempoMap.constant(120, numerator=300))
    with pytest.raises(FormatError, match="meter 300/4"):
        export_midi(wide, tmp_path / "wide.mid")


def test_a_note_before_bar_1_cannot_become_a_beatmap(tmp_path: Path, capsys) -> None:
    """A chart from another game may have a note in its lead-in (before bar 1): the
    MIDI file keeps it at its audio time, and import gives it back, but a beatmap
    starts at bar 1, so ``import -o`` says so in one line."""
    tempo = TempoMap.constant(120, offset_s=1.5)
    notes = sort_notes([make_note(tempo, b, V.SNARE) for b in (-1.0, 0.0, 1.5)])
    chart = Chart(SongMeta("x", "X"), tempo, (), {("p1", "expert"): notes})
    f = tmp_path / "lead.mid"
    assert export_midi(chart, f) == []
    back, _ = import_midi_with_report(f)
    assert [(n.beat, n.time_s) for n in back.notes("p1", "expert")] == [
        (n.beat, n.time_s) for n in notes]
    assert main(["import", str(f), "-o", str(tmp_path / "lead.beatmap")]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "before bar 1" in err and str(f) in err
