"""MIDI import and export: tempo maps, parts, quantising, round trips, errors."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import mido
import pytest
from groove_data import GROOVE_DIR, groove_files, needs_groove

from game.engine.chart import DIFFICULTIES, PARTS, Chart, Section, SongMeta, make_note, sort_notes
from game.engine.reduce import reduce_chart
from game.engine.tempo import MeterChange, TempoChange, TempoMap
from game.engine.voices import Voice
from game.formats.midi_export import NOTE_LENGTH_TICKS, TICKS_PER_BEAT, chart_to_midi, export_midi
from game.formats.midi_import import QUANTIZE_GRIDS, import_midi, import_midi_with_report, slugify
from game.util.errors import FormatError

V = Voice
TPB = 480




Event = tuple[int, mido.Message | mido.MetaMessage]


def make_track(events: list[Event], name: str | None = None) -> mido.MidiTrack:
    """A track from (absolute tick, message) pairs."""
    track = mido.MidiTrack()
    if name is not None:
        track.append(mido.MetaMessage("track_name", name=name, time=0))
    now = 0
    for tick, msg in sorted(events, key=lambda e: e[0]):
        track.append(msg.copy(time=tick - now))
        now = tick
    return track


def hit(tick: int, note: int, velocity: int = 100, channel: int = 9) -> list[Event]:
    return [(tick, mido.Message("note_on", channel=channel, note=note, velocity=velocity)),
            (tick + 20, mido.Message("note_off", channel=channel, note=note, velocity=0))]


def tempo_ev(tick: int, bpm: float) -> Event:
    return (tick, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm)))


def meter_ev(tick: int, num: int, den: int) -> Event:
    return (tick, mido.MetaMessage("time_signature", numerator=num, denominator=den))


def save(path: Path, tracks: list[mido.MidiTrack], type_: int = 1) -> Path:
    mid = mido.MidiFile(type=type_, ticks_per_beat=TPB)
    mid.tracks.extend(tracks)
    mid.save(path)
    return path


def basic_groove(bars: int = 2) -> list[Event]:
    """Kick 1 & 3, snare 2 & 4, 8th hats, a ghost snare on the 'a' of 4."""
    ev: list[Event] = []
    for bar in range(bars):
        base = bar * 4 * TPB
        for q in range(4):
            ev += hit(base + q * TPB, 36 if q % 2 == 0 else 38, 100)
        for e in range(8):
            ev += hit(base + e * TPB // 2, 42, 80)
        ev += hit(base + 3 * TPB + 3 * TPB // 4, 38, 30)
    return ev


# import: basics ------------------------------------------------------------------
def test_type0_single_track_is_unison(tmp_path: Path) -> None:
    f = save(tmp_path / "My Song!.mid",
             [make_track([tempo_ev(0, 100), meter_ev(0, 4, 4), *basic_groove()])], type_=0)
    chart, warnings = import_midi_with_report(f)
    assert chart.meta.id == "my-song"
    assert chart.meta.title == "My Song!"
    assert chart.tempo == TempoMap.constant(60e6 / mido.bpm2tempo(100))
    p1, p2 = chart.notes("p1", "expert"), chart.notes("p2", "expert")
    assert p1 == p2
    assert len(p1) == 2 * (4 + 8 + 1)
    assert any("both players" in w for w in warnings)
    for p in PARTS:
        assert chart.difficulties(p) == list(DIFFICULTIES)


def test_note_fields(tmp_path: Path) -> None:
    ev = [tempo_ev(0, 120), *hit(0, 36, 120), *hit(TPB, 38, 30), *hit(TPB // 2, 42, 80)]
    chart = import_midi(save(tmp_path / "a.mid", [make_track(ev)]))
    kick, hat, snare = chart.notes("p1", "expert")
    assert (kick.beat, kick.time_s, kick.voice, kick.velocity) == (0.0, 0.0, V.KICK, 120)
    assert kick.accent and not kick.ghost
    assert (hat.beat, hat.time_s, hat.voice) == (0.5, 0.25, V.HIHAT_CLOSED)
    assert not hat.accent and not hat.ghost
    assert (snare.beat, snare.voice, snare.velocity) == (1.0, V.SNARE, 30)
    assert snare.ghost


def test_conductor_plus_drum_track(tmp_path: Path) -> None:
    f = save(tmp_path / "b.mid", [make_track([tempo_ev(0, 90)], "Conductor"),
                                  make_track(basic_groove(), "Drums")])
    chart = import_midi(f, song_id="custom", title="Custom Title")
    assert chart.meta.id == "custom" and chart.meta.title == "Custom Title"
    assert chart.notes("p1", "expert") == chart.notes("p2", "expert")
    assert chart.tempo.bpm_at(0) == pytest.approx(90, rel=1e-6)


def test_non_drum_channel_and_zero_velocity_ignored(tmp_path: Path) -> None:
    ev = [*hit(0, 36), *hit(TPB, 60, channel=0), *hit(TPB, 38, channel=3),
          (TPB * 2, mido.Message("note_on", channel=9, note=38, velocity=0))]
    chart = import_midi(save(tmp_path / "c.mid", [make_track(ev)]))
    assert [n.voice for n in chart.notes("p1", "expert")] == [V.KICK]


def test_unmapped_notes_are_skipped_and_reported(tmp_path: Path) -> None:
    ev = [*hit(0, 36), *hit(TPB, 60), *hit(2 * TPB, 60), *hit(2 * TPB, 81)]
    chart, warnings = import_midi_with_report(save(tmp_path / "d.mid", [make_track(ev)]))
    assert len(chart.notes("p1", "expert")) == 1
    assert any("2 note(s) with number 60" in w for w in warnings)
    assert any("number 81" in w for w in warnings)


def test_kitmap_argument(tmp_path: Path) -> None:
    ev = [*hit(0, 22), *hit(TPB, 38)]
    f = save(tmp_path / "e.mid", [make_track(ev)])
    assert len(import_midi(f).notes("p1", "expert")) == 2
    assert len(import_midi(f, kitmap="gm").notes("p1", "expert")) == 1


# import: parts -------------------------------------------------------------------
def test_two_unnamed_drum_tracks_are_p1_p2(tmp_path: Path) -> None:
    f = save(tmp_path / "f.mid", [make_track([tempo_ev(0, 120)]),
                                  make_track(hit(0, 36), "A"), make_track(hit(0, 38), "B"),
                                  make_track(hit(0, 49), "C")])
    chart, warnings = import_midi_with_report(f)
    assert [n.voice for n in chart.notes("p1", "expert")] == [V.KICK]
    assert [n.voice for n in chart.notes("p2", "expert")] == [V.SNARE]
    assert any("ignored drum track" in w and "'C'" in w for w in warnings)


@pytest.mark.parametrize(("first", "second"), [("P2", "P1"), ("p2 drums", "p1 Drums"),
                                               ("p2-kit", "P1")])
def test_named_tracks_choose_parts(tmp_path: Path, first: str, second: str) -> None:
    f = save(tmp_path / "g.mid", [make_track(hit(0, 38), first),
                                  make_track(hit(0, 36), second)])
    chart = import_midi(f)
    assert [n.voice for n in chart.notes("p1", "expert")] == [V.KICK]
    assert [n.voice for n in chart.notes("p2", "expert")] == [V.SNARE]


def test_difficulty_named_tracks_used_directly(tmp_path: Path) -> None:
    f = save(tmp_path / "h.mid", [
        make_track([tempo_ev(0, 120)]),
        make_track(hit(0, 36) + hit(TPB // 4, 38, 30), "P1 expert"),
        make_track(hit(0, 42), "P1 easy"),
        make_track(hit(0, 49), "P2 expert"),
    ])
    chart = import_midi(f)
    assert [n.voice for n in chart.notes("p1", "expert")] == [V.KICK, V.SNARE]
    assert [n.voice for n in chart.notes("p1", "easy")] == [V.HIHAT_CLOSED]  # not reduced
    assert chart.difficulties("p1") == list(DIFFICULTIES)  # hard/normal filled in
    assert chart.difficulties("p2") == list(DIFFICULTIES)


def test_no_drum_notes_is_an_error(tmp_path: Path) -> None:
    f = save(tmp_path / "i.mid", [make_track([tempo_ev(0, 120), *hit(0, 60, channel=0)])])
    with pytest.raises(FormatError, match="no drum notes") as info:
        import_midi(f)
    assert info.value.path == str(f)


def test_only_unmapped_drum_notes_is_an_error(tmp_path: Path) -> None:
    f = save(tmp_path / "j.mid", [make_track(hit(0, 81) + hit(TPB, 82))])
    with pytest.raises(FormatError, match="kit map"):
        import_midi(f)


# import: tempo map ---------------------------------------------------------------
def test_tempo_changes_and_times(tmp_path: Path) -> None:
    ev = [tempo_ev(0, 120), tempo_ev(4 * TPB, 60), *hit(0, 36), *hit(4 * TPB, 36),
          *hit(6 * TPB, 36)]
    f = save(tmp_path / "k.mid", [make_track(ev)])
    chart = import_midi(f)
    assert chart.tempo.tempos == (TempoChange(0.0, 120.0), TempoChange(4.0, 60.0))
    assert [n.time_s for n in chart.notes("p1", "expert")] == pytest.approx([0.0, 2.0, 4.0])
    assert [n.beat for n in chart.notes("p1", "expert")] == [0.0, 4.0, 6.0]


def test_tempo_in_a_later_track_counts(tmp_path: Path) -> None:
    f = save(tmp_path / "l.mid", [make_track(hit(0, 36) + hit(TPB, 38), "drums"),
                                  make_track([tempo_ev(0, 150)], "tempo")])
    assert import_midi(f).tempo.bpm_at(0) == pytest.approx(150, rel=1e-6)


def test_no_tempo_means_120(tmp_path: Path) -> None:
    chart = import_midi(save(tmp_path / "m.mid", [make_track(hit(TPB, 36))]))
    assert chart.tempo == TempoMap.constant(120.0)
    assert chart.notes("p1", "expert")[0].time_s == 0.5


def test_time_signature_changes(tmp_path: Path) -> None:
    # 4/4 for 2 bars, 7/8 from bar 3 (beat 8), 4/4 again from bar 5 (beat 8 + 7)
    ev = [meter_ev(0, 4, 4), meter_ev(8 * TPB, 7, 8), meter_ev(15 * TPB, 4, 4), *hit(0, 36)]
    chart, warnings = import_midi_with_report(save(tmp_path / "n.mid", [make_track(ev)]))
    assert chart.tempo.meters == (MeterChange(1, 4, 4), MeterChange(3, 7, 8),
                                  MeterChange(5, 4, 4))
    assert not any("bar line" in w for w in warnings)


def test_time_signature_off_the_bar_moves_to_next_bar(tmp_path: Path) -> None:
    ev = [meter_ev(0, 4, 4), meter_ev(5 * TPB, 3, 4), *hit(0, 36)]
    chart, warnings = import_midi_with_report(save(tmp_path / "o.mid", [make_track(ev)]))
    assert chart.tempo.meters == (MeterChange(1, 4, 4), MeterChange(3, 3, 4))
    assert any("not on a bar line" in w and "bar 3" in w for w in warnings)


def test_markers_become_sections(tmp_path: Path) -> None:
    ev = [(0, mido.MetaMessage("marker", text="Intro")),
          (8 * TPB, mido.MetaMessage("marker", text="Verse")), *hit(0, 36)]
    chart = import_midi(save(tmp_path / "p.mid", [make_track(ev)]))
    assert [(s.name, s.beat, s.time_s) for s in chart.sections] == [
        ("Intro", 0.0, 0.0), ("Verse", 8.0, 4.0)]


# import: quantising --------------------------------------------------------------
def test_quantize_sixteenths_and_duplicates(tmp_path: Path) -> None:
    ev = [*hit(10, 36, 90), *hit(TPB // 4 - 7, 42), *hit(TPB - 50, 38, 70),
          *hit(TPB + 40, 38, 110)]  # two snares land on beat 1 -> the louder stays
    chart = import_midi(save(tmp_path / "q.mid", [make_track(ev)]), quantize="1/16")
    notes = chart.notes("p1", "expert")
    assert [(n.beat, n.voice, n.velocity) for n in notes] == [
        (0.0, V.KICK, 90), (0.25, V.HIHAT_CLOSED, 100), (1.0, V.SNARE, 110)]
    assert notes[2].time_s == pytest.approx(0.5)


def test_quantize_triplets(tmp_path: Path) -> None:
    ev = [*hit(0, 42), *hit(TPB // 3 + 5, 42), *hit(2 * TPB // 3 - 4, 42)]
    chart = import_midi(save(tmp_path / "r.mid", [make_track(ev)]), quantize="1/12")
    beats = [n.beat for n in chart.notes("p1", "expert")]
    assert beats == pytest.approx([0.0, 1 / 3, 2 / 3])


@pytest.mark.parametrize("bad", ["1/5", "16", "sixteenth", ""])
def test_bad_quantize(tmp_path: Path, bad: str) -> None:
    f = save(tmp_path / "s.mid", [make_track(hit(0, 36))])
    with pytest.raises(FormatError) as info:
        import_midi(f, quantize=bad)
    for allowed in QUANTIZE_GRIDS:
        assert allowed in str(info.value)


def test_slugify() -> None:
    assert slugify("1_funk-groove1_138_beat_4-4") == "1-funk-groove1-138-beat-4-4"
    assert slugify("Ünïcode Sóng") == "n-code-s-ng"
    assert slugify("!!!") == "song"


# import: broken files ------------------------------------------------------------
def test_random_bytes(tmp_path: Path) -> None:
    f = tmp_path / "noise.mid"
    f.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(FormatError, match="not a Standard MIDI File") as info:
        import_midi(f)
    assert info.value.path == str(f)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mid"
    empty.write_bytes(b"")
    with pytest.raises(FormatError, match="empty"):
        import_midi(empty)
    with pytest.raises(FormatError, match="not found"):
        import_midi(tmp_path / "missing.mid")
    with pytest.raises(FormatError, match="no tracks"):
        import_midi(save(tmp_path / "hdr.mid", []))
    with pytest.raises(FormatError, match="no drum notes"):
        import_midi(save(tmp_path / "quiet.mid", [make_track([tempo_ev(0, 90)])]))


# export ----------------------------------------------------------------------------
def demo_chart() -> Chart:
    tempo = TempoMap([TempoChange(0.0, 100.0), TempoChange(8.0, 140.0)],
                     [MeterChange(1, 4, 4), MeterChange(3, 7, 8)])
    expert = [make_note(tempo, b * 0.25, V.HIHAT_CLOSED, velocity=70) for b in range(60)]
    expert += [make_note(tempo, float(b), V.KICK if b % 2 == 0 else V.SNARE, accent=b == 4)
               for b in range(15)]
    expert += [make_note(tempo, 2.75, V.SNARE, ghost=True),
               make_note(tempo, 3.0, V.CRASH, velocity=127),
               make_note(tempo, 5.0, V.TOM_FLOOR), make_note(tempo, 5.5, V.RIDE_BELL),
               make_note(tempo, 1 / 3, V.CROSS_STICK, velocity=55)]
    p1 = sort_notes(expert)
    p2 = sort_notes([make_note(tempo, b * 0.5, V.RIDE) for b in range(20)])
    sections = (Section("Intro", 0.0, 0.0), Section("Odd", 8.0, tempo.seconds_at(8.0)))
    return Chart(SongMeta("demo", "Demo Song"), tempo, sections,
                 {("p1", "expert"): p1, ("p2", "expert"): p2, ("p2", "easy"): p2[::4]})


def test_export_layout(tmp_path: Path) -> None:
    mid = chart_to_midi(demo_chart())
    assert mid.type == 1 and mid.ticks_per_beat == TICKS_PER_BEAT
    names = [next(m.name for m in t if m.type == "track_name") for t in mid.tracks]
    assert names == ["Demo Song", "P1 expert", "P2 easy", "P2 expert"]
    conductor = _abs(mid.tracks[0])
    tempos = [(t, m.tempo) for t, m in conductor if m.type == "set_tempo"]
    meters = [(t, m.numerator, m.denominator) for t, m in conductor if m.type == "time_signature"]
    assert tempos == [(0, mido.bpm2tempo(100)), (8 * TICKS_PER_BEAT, mido.bpm2tempo(140))]
    assert meters == [(0, 4, 4), (8 * TICKS_PER_BEAT, 7, 8)]
    for track in mid.tracks[1:]:
        ons = [m for m in track if m.type == "note_on"]
        assert ons and all(m.channel == 9 and m.velocity > 0 for m in ons)


def test_note_offs_are_short_and_never_overlap(tmp_path: Path) -> None:
    tempo = TempoMap.constant(120)
    notes = (make_note(tempo, 0.0, V.SNARE), make_note(tempo, 10 / TICKS_PER_BEAT, V.SNARE),
             make_note(tempo, 1.0, V.SNARE))
    chart = Chart(SongMeta("x", "X"), tempo, (), {("p1", "expert"): notes})
    timeline = [(t, m.type) for t, m in _abs(chart_to_midi(chart).tracks[1])
                if m.type in ("note_on", "note_off")]
    assert timeline == [(0, "note_on"), (10, "note_off"), (10, "note_on"),
                        (10 + NOTE_LENGTH_TICKS, "note_off"), (TICKS_PER_BEAT, "note_on"),
                        (TICKS_PER_BEAT + NOTE_LENGTH_TICKS, "note_off")]


def test_round_trip_keeps_all_difficulties(tmp_path: Path) -> None:
    original = demo_chart()
    original = reduce_chart(original)
    f = tmp_path / "demo.mid"
    export_midi(original, f)
    back, warnings = import_midi_with_report(f)
    assert warnings == []
    assert back.tempo.meters == original.tempo.meters
    assert [t.beat for t in back.tempo.tempos] == [t.beat for t in original.tempo.tempos]
    assert [t.bpm for t in back.tempo.tempos] == pytest.approx(
        [t.bpm for t in original.tempo.tempos], rel=1e-5)
    assert [(s.name, s.beat) for s in back.sections] == [(s.name, s.beat)
                                                         for s in original.sections]
    assert set(back.parts) == set(original.parts)
    for key, notes in original.parts.items():
        got = back.parts[key]
        assert len(got) == len(notes), key
        for a, b in zip(sorted(notes, key=lambda n: (n.beat, n.voice.gm_note)),
                        sorted(got, key=lambda n: (n.beat, n.voice.gm_note)), strict=True):
            assert abs(a.beat - b.beat) <= 1 / TICKS_PER_BEAT
            assert a.voice is b.voice
            assert a.velocity == b.velocity
            assert b.time_s == pytest.approx(a.time_s, abs=2e-3)


def test_export_unwritable(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="cannot write"):
        export_midi(demo_chart(), tmp_path / "no" / "such" / "dir.mid")


def test_export_non_latin_title(tmp_path: Path) -> None:
    chart = demo_chart()
    chart = replace(chart, meta=SongMeta("x", "太鼓 Drums"))
    export_midi(chart, tmp_path / "t.mid")
    assert import_midi(tmp_path / "t.mid").notes("p1", "expert")


# real TD-11 recordings -------------------------------------------------------------
def _info_bpm() -> dict[str, int]:
    with open(GROOVE_DIR / "info.csv", newline="") as fh:
        return {row["midi_filename"]: int(row["bpm"]) for row in csv.DictReader(fh)}


@pytest.mark.groove
@needs_groove
def test_groove_import_quantized() -> None:
    bpms = _info_bpm()
    files = groove_files()
    assert len(files) == 40
    for f in files:
        chart, warnings = import_midi_with_report(f, quantize="1/16")
        file_tempos = [m.tempo for m in mido.MidiFile(f).tracks[0] if m.type == "set_tempo"]
        assert len(chart.tempo.tempos) == 1
        # the file says 60e6 / us; a BPM within 1 us per beat of a round one is kept round
        assert chart.tempo.tempos[0].bpm == pytest.approx(60e6 / file_tempos[0], rel=1e-6)
        rel = f.relative_to(GROOVE_DIR).as_posix()
        assert chart.tempo.tempos[0].bpm == bpms[rel]  # exactly the BPM the take was played at
        assert chart.tempo.meters == (MeterChange(1, 4, 4),)
        assert not any("skipped" in w for w in warnings)
        notes = chart.notes("p1", "expert")
        assert notes == chart.notes("p2", "expert")
        assert len(notes) > 100
        for n in notes:
            assert n.beat * 4 == round(n.beat * 4)
            assert n.time_s == pytest.approx(n.beat * 60 / chart.tempo.tempos[0].bpm)


@pytest.mark.groove
@needs_groove
def test_groove_import_exact_ticks_and_round_trip(tmp_path: Path) -> None:
    f = next(p for p in groove_files() if p.name.startswith("1_funk-groove1_138"))
    chart = import_midi(f)
    mid = mido.MidiFile(f)
    ticks = sorted({(t, m.note) for t, m in _abs(mid.tracks[0])
                    if m.type == "note_on" and m.velocity > 0})
    assert {n.beat for n in chart.notes("p1", "expert")} == {t / 480 for t, _ in ticks}
    assert chart.meta.id == "1-funk-groove1-138-beat-4-4"
    out = tmp_path / "g1.mid"
    export_midi(chart, out)
    back = import_midi(out)
    for key in chart.parts:
        a, b = chart.parts[key], back.parts[key]
        assert [(n.beat, n.voice, n.velocity) for n in a] == [
            (n.beat, n.voice, n.velocity) for n in b]


def _abs(track: mido.MidiTrack) -> list[tuple[int, mido.Message]]:
    tick, out = 0, []
    for m in track:
        tick += m.time
        out.append((tick, m))
    return out
