"""The native .beatmap text format: parsing, the demo chart, writing, round trips, errors."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.engine.chart import (
    ACCENT_VELOCITY,
    DEFAULT_VELOCITY,
    DIFFICULTIES,
    GHOST_VELOCITY,
    PARTS,
    Chart,
    Note,
    Section,
    SongMeta,
    make_note,
    sort_notes,
)
from game.engine.tempo import MeterChange, TempoChange, TempoMap
from game.engine.voices import Voice
from game.formats.beatmap import load_beatmap, parse_beatmap
from game.formats.beatmap_writer import save_beatmap, write_beatmap
from game.util.errors import BeatmapError

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "assets" / "beatmaps" / "first-contact.beatmap"
SPB = 60 / 114  # seconds per beat at 114 BPM

EXAMPLE = """\
drum-diplomacy beatmap 1
# comments start with '#', anywhere after whitespace; blank lines ignored

[song]
id = first-contact          # required, [a-z0-9-]+
title = First Contact       # required
artist = Drum Diplomacy
charter = Drum Diplomacy
audio = first-contact.ogg   # optional, relative to the beatmap's folder
offset_ms = 0               # song-clock time of bar 1 beat 1, ms (default 0)
preview_s = 12.5            # optional
# any other key = value is kept in SongMeta.extra (tuple of (key, value) pairs, in file order)

[tempo]
# POSITION  BPM  [METER]     BPM is quarter notes/min; '-' keeps the previous tempo
1     114   4/4
9:3   120                   # tempo change on bar 9, beat 3
17    -     7/8             # meter change (meters only at a bar start, i.e. POSITION without :BEAT)

[sections]
1   Intro
5   Verse A
13  Chorus

[p1 expert]
bars 1-2
HH |x-x-x-x-x-x-x-x-|x-x-x-x-x-x-x-X-|
SD |----o-------o---|----o-------o--g|
BD |o-------o-o-----|o-------o-o-----|
bars 3-4 = 1-2              # copy bars 1-2 of this same part+difficulty to bars 3-4
bar 5
SD |o-o-o-o-|
T3 |--------|
at 5:4.5 CR accent          # one note off-grid escape: POSITION VOICE [accent|ghost] [v=VEL]
at 5:3+1/3 T1
at 12.3456s SD              # absolute song-clock seconds

[p2 expert]
bars 1-4 = p1 1-4           # copy from another part (same difficulty)
"""


def at_beat(notes: tuple[Note, ...], beat: float, voice: Voice) -> Note:
    found = [n for n in notes if n.voice is voice and abs(n.beat - beat) < 1e-9]
    assert len(found) == 1, f"no single {voice.code} note at beat {beat}"
    return found[0]


def assert_same_chart(a: Chart, b: Chart) -> None:
    assert a.meta == b.meta
    assert a.tempo == b.tempo
    assert len(a.sections) == len(b.sections)
    for sa, sb in zip(a.sections, b.sections, strict=True):
        assert sa.name == sb.name
        assert sa.beat == pytest.approx(sb.beat, abs=1e-9)
        assert sa.time_s == pytest.approx(sb.time_s, abs=1e-9)
    assert set(a.parts) == set(b.parts)
    for key in a.parts:
        na = sorted(a.parts[key], key=lambda n: (n.voice.value, n.beat))
        nb = sorted(b.parts[key], key=lambda n: (n.voice.value, n.beat))
        assert len(na) == len(nb), key
        for x, y in zip(na, nb, strict=True):
            assert (x.voice, x.velocity, x.accent, x.ghost) == (
                y.voice, y.velocity, y.accent, y.ghost), (key, x, y)
            assert abs(x.beat - y.beat) <= 1e-9, (key, x, y)
            assert abs(x.time_s - y.time_s) <= 1e-9, (key, x, y)


def round_trip(chart: Chart) -> Chart:
    return parse_beatmap(write_beatmap(chart), path="written.beatmap")


# the example from the format description ---------------------------------------
@pytest.fixture(scope="module")
def example() -> Chart:
    return parse_beatmap(EXAMPLE, path="first-contact.beatmap")


def test_example_song_fields(example: Chart) -> None:
    m = example.meta
    assert (m.id, m.title, m.artist, m.charter) == (
        "first-contact", "First Contact", "Drum Diplomacy", "Drum Diplomacy")
    assert m.audio == "first-contact.ogg"
    assert m.preview_s == 12.5
    assert m.extra == ()
    assert example.tempo.offset_s == 0.0


def test_example_tempo_map(example: Chart) -> None:
    tempo = example.tempo
    assert tempo.tempos == (TempoChange(0.0, 114.0), TempoChange(34.0, 120.0))  # 9:3 = 32 + 2
    assert tempo.meters == (MeterChange(1, 4, 4), MeterChange(17, 7, 8))
    assert tempo.bar_length_beats(16) == 4.0
    assert tempo.bar_length_beats(17) == 3.5
    assert tempo.bar_start_beat(18) - tempo.bar_start_beat(17) == 3.5
    assert tempo.seconds_at(34.0) == pytest.approx(34 * SPB)
    assert tempo.seconds_at(36.0) == pytest.approx(34 * SPB + 2 * 0.5)  # 120 BPM after 9:3


def test_example_sections(example: Chart) -> None:
    assert [s.name for s in example.sections] == ["Intro", "Verse A", "Chorus"]
    assert [s.beat for s in example.sections] == [0.0, 16.0, 48.0]
    assert example.sections[1].time_s == pytest.approx(16 * SPB)
    assert example.sections[2].time_s == pytest.approx(34 * SPB + 14 * 0.5)


def test_example_note_counts(example: Chart) -> None:
    assert set(example.parts) == {("p1", "expert"), ("p2", "expert")}
    p1 = example.notes("p1", "expert")
    # bars 1-2: 16 HH + 5 SD + 6 BD; copied to 3-4; bar 5: 4 SD; then 3 'at' notes
    assert len(p1) == 27 * 2 + 4 + 3
    assert len(example.notes("p2", "expert")) == 54


def test_example_grid_times_accents_and_ghosts(example: Chart) -> None:
    p1 = example.notes("p1", "expert")
    kick = at_beat(p1, 4.0, Voice.KICK)  # bar 2 beat 1
    assert kick.time_s == pytest.approx(4 * 60 / 114)
    assert (kick.velocity, kick.accent, kick.ghost) == (DEFAULT_VELOCITY, False, False)
    accent = at_beat(p1, 7.5, Voice.HIHAT_CLOSED)  # 'X' at cell 14 of bar 2
    assert accent.accent and accent.velocity == ACCENT_VELOCITY
    ghost = at_beat(p1, 7.75, Voice.SNARE)  # 'g' at cell 15 of bar 2
    assert ghost.ghost and ghost.velocity == GHOST_VELOCITY
    assert [n.beat for n in p1 if n.voice is Voice.SNARE and 16 <= n.beat < 20] == [
        16.0, 17.0, 18.0, 19.0]  # an 8-cell bar: eighth notes
    assert list(p1) == sorted(p1, key=lambda n: (n.time_s, n.voice.value))


def test_example_copy_lines(example: Chart) -> None:
    p1 = example.notes("p1", "expert")
    first = [(n.beat, n.voice, n.velocity) for n in p1 if n.beat < 8]
    copied = [(n.beat - 8, n.voice, n.velocity) for n in p1 if 8 <= n.beat < 16]
    assert first == copied
    p2 = example.notes("p2", "expert")
    assert p2 == tuple(n for n in p1 if n.beat < 16)


def test_example_at_lines(example: Chart) -> None:
    p1 = example.notes("p1", "expert")
    crash = at_beat(p1, 19.5, Voice.CRASH)
    assert crash.accent and crash.velocity == ACCENT_VELOCITY
    tom = at_beat(p1, 16 + 2 + 1 / 3, Voice.TOM_HIGH)  # 5:3+1/3
    assert tom.time_s == pytest.approx((18 + 1 / 3) * SPB)
    late = [n for n in p1 if n.voice is Voice.SNARE and n.beat > 20]
    assert len(late) == 1 and late[0].time_s == pytest.approx(12.3456, abs=1e-9)


def test_triplet_and_odd_meter_grids() -> None:
    chart = parse_beatmap(HEAD.replace("1 120 4/4", "1 120 4/4\n2 - 7/8\n3 - 4/4") + """
[p1 hard]
bars 1-3
HH |x-- x-- x-- x--|xxxxxxxxxxxxxx|x--x--x--x--|
""")
    notes = chart.notes("p1", "hard")
    assert [round(n.beat, 9) for n in notes[:4]] == [0, 1, 2, 3]
    bar2 = [n.beat for n in notes if 4 <= n.beat < 7.5]
    assert bar2 == pytest.approx([4 + k * 0.25 for k in range(14)])  # 16ths in 7/8
    bar3 = [n.beat for n in notes if n.beat >= 7.5]
    assert bar3 == pytest.approx([7.5 + k / 3 for k in (0, 3, 6, 9)])
    assert notes[-1].time_s == pytest.approx((7.5 + 3) * 0.5)


def test_names_offsets_extra_keys_and_fraction_beats() -> None:
    chart = parse_beatmap("""drum-diplomacy beatmap 1
[SONG]
id = x
title = Song#1 (the # is kept when not after a blank)
mood = calm
Difficulty_Note = fun
offset_ms = -250
[Tempo]
1 90
[P2 Easy]
bar 1
snare |o-o-|
hihat_closed |x|
at 1:7/3 kick v=33
at 1:2.5 BD ghost accent
""")
    assert chart.meta.title == "Song#1 (the"
    assert chart.meta.extra == (("mood", "calm"), ("Difficulty_Note", "fun"))
    assert chart.meta.audio is None
    assert chart.tempo.offset_s == -0.25
    assert chart.tempo.meters == (MeterChange(1, 4, 4),)
    notes = chart.notes("p2", "easy")
    assert notes[0].time_s == -0.25
    kick = at_beat(notes, 4 / 3, Voice.KICK)
    assert kick.velocity == 33 and not kick.accent
    both = at_beat(notes, 1.5, Voice.KICK)
    assert both.accent and both.ghost
    assert len(notes) == 5


def test_empty_part_block_and_load_from_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.beatmap"
    path.write_text(HEAD + "[p1 normal]\n", encoding="utf-8")
    chart = load_beatmap(path)
    assert chart.parts == {("p1", "normal"): ()}


# the demo chart -----------------------------------------------------------------
@pytest.fixture(scope="module")
def demo() -> Chart:
    return load_beatmap(DEMO)


def test_demo_chart_loads_with_every_part(demo: Chart) -> None:
    assert set(demo.parts) == {(p, d) for p in PARTS for d in DIFFICULTIES}
    assert all(demo.parts[key] for key in demo.parts)
    assert [s.name for s in demo.sections] == ["Intro", "Groove", "Trade", "Together"]
    assert demo.tempo == TempoMap.constant(112)
    assert demo.meta.audio is None
    for part in PARTS:
        counts = [len(demo.notes(part, d)) for d in DIFFICULTIES]
        assert counts == sorted(counts), part  # harder is busier
        easy = demo.notes(part, "easy")
        assert {n.voice for n in easy} == {Voice.KICK, Voice.SNARE}
        assert all(n.beat == int(n.beat) for n in easy)  # quarter notes
        expert = demo.notes(part, "expert")
        assert any(n.ghost for n in expert) and any(n.accent for n in expert)


def test_demo_chart_is_a_duet(demo: Chart) -> None:
    for diff in DIFFICULTIES:
        p1, p2 = demo.notes("p1", diff), demo.notes("p2", diff)

        def span(notes: tuple[Note, ...], lo: float, hi: float) -> list[tuple[float, Voice]]:
            return [(n.beat, n.voice) for n in notes if lo <= n.beat < hi]

        assert span(p1, 16, 32) == span(p2, 16, 32)  # Groove in unison
        assert span(p1, 48, 80) == span(p2, 48, 80)  # Together in unison
        assert span(p1, 32, 64) != span(p2, 32, 64)  # Trade: call and response
    intro1 = {n.voice for n in demo.notes("p1", "expert") if n.beat < 16}
    intro2 = {n.voice for n in demo.notes("p2", "expert") if n.beat < 16}
    assert Voice.HIHAT_CLOSED in intro1 and Voice.SNARE not in intro1
    assert Voice.SNARE in intro2 and Voice.HIHAT_CLOSED not in intro2


# the writer ----------------------------------------------------------------------
def test_demo_round_trip(demo: Chart) -> None:
    text = write_beatmap(demo)
    assert_same_chart(round_trip(demo), demo)
    assert write_beatmap(round_trip(demo)) == text  # stable
    assert text.index("[p1 easy]") < text.index("[p1 expert]") < text.index("[p2 easy]")


def test_example_round_trip(example: Chart) -> None:
    assert_same_chart(round_trip(example), example)


def test_writer_off_grid_notes_and_odd_velocities() -> None:
    tempo = TempoMap([TempoChange(0.0, 97.3), TempoChange(5.123, 141.0)],
                     [MeterChange(1, 4, 4), MeterChange(3, 5, 16), MeterChange(4, 6, 8)],
                     offset_s=0.0371)
    notes = [
        make_note(tempo, 0.0, Voice.KICK),
        make_note(tempo, 1.0, Voice.SNARE, velocity=77),
        make_note(tempo, 2.4871234, Voice.HIHAT_CLOSED),
        make_note(tempo, 1 / 3, Voice.RIDE, accent=True),
        make_note(tempo, 1 / 32, Voice.RIDE_BELL, ghost=True),
        make_note(tempo, 3.0, Voice.TOM_HIGH, accent=True, ghost=True),
        make_note(tempo, 8.25, Voice.CROSS_STICK, ghost=True, velocity=12),
        make_note(tempo, 9.0 + 1e-7, Voice.RIMSHOT),
        make_note(tempo, 9.25 + 1 / 7, Voice.HIHAT_PEDAL),
        make_note(tempo, 12.0 - 1e-12, Voice.CRASH),
        make_note(tempo, 123.456789, Voice.TOM_FLOOR, velocity=1),
    ]
    chart = Chart(
        meta=SongMeta("odd-one", "Odd One", audio="odd.ogg", preview_s=3.25,
                      extra=(("bpm_source", "tapped"), ("note", "a = b"))),
        tempo=tempo,
        sections=(Section("Start", 0.0, tempo.seconds_at(0.0)),
                  Section("Late", 5.123, tempo.seconds_at(5.123))),
        parts={("p2", "hard"): sort_notes(notes), ("p1", "easy"): ()},
    )
    text = write_beatmap(chart)
    assert "at 1:3.4871234 HH" in text
    assert "at 1:2 SD v=77" in text
    assert "accent ghost" in text
    back = parse_beatmap(text)
    assert_same_chart(back, chart)
    assert list(back.parts) == [("p1", "easy"), ("p2", "hard")]


def test_writer_rejects_what_the_format_cannot_say() -> None:
    base = TempoMap.constant(120)
    with pytest.raises(ValueError, match="song id"):
        write_beatmap(Chart(SongMeta("Bad Id", "T"), base, (), {}))
    with pytest.raises(ValueError, match="title"):
        write_beatmap(Chart(SongMeta("ok", "Take #2"), base, (), {}))
    with pytest.raises(ValueError, match="before bar 1"):
        notes = (make_note(base, -1.0, Voice.KICK),)
        write_beatmap(Chart(SongMeta("ok", "T"), base, (), {("p1", "easy"): notes}))
    with pytest.raises(ValueError, match="cannot write parts"):
        write_beatmap(Chart(SongMeta("ok", "T"), base, (), {("p3", "easy"): ()}))


def test_save_beatmap_is_atomic_and_loadable(demo: Chart, tmp_path: Path) -> None:
    path = tmp_path / "song.beatmap"
    path.write_text("old contents", encoding="utf-8")
    save_beatmap(demo, path)
    assert_same_chart(load_beatmap(path), demo)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.beatmap"]
    bad = Chart(SongMeta("Bad Id", "T"), demo.tempo, (), {})
    with pytest.raises(ValueError):
        save_beatmap(bad, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.beatmap"]
    assert_same_chart(load_beatmap(path), demo)


def test_save_beatmap_creates_missing_folders(demo: Chart, tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "song.beatmap"
    save_beatmap(demo, path)
    assert_same_chart(load_beatmap(path), demo)


# property: whatever the writer writes reads back the same -------------------------
@st.composite
def tempo_maps(draw: st.DrawFn) -> TempoMap:
    meters = [MeterChange(1, draw(st.integers(1, 9)), draw(st.sampled_from([2, 4, 8, 16])))]
    for bar in sorted(draw(st.sets(st.integers(2, 10), max_size=3))):
        meters.append(MeterChange(bar, draw(st.integers(1, 13)),
                                  draw(st.sampled_from([1, 2, 4, 8, 16, 32]))))
    bpm = st.floats(20, 300, allow_nan=False)
    changes = sorted(draw(st.sets(st.floats(0.01, 40, allow_nan=False), max_size=3)))
    tempos = [TempoChange(0.0, draw(bpm))] + [TempoChange(b, draw(bpm)) for b in changes]
    return TempoMap(tempos, meters, offset_s=draw(st.floats(-2, 5, allow_nan=False)))


@st.composite
def charts(draw: st.DrawFn) -> Chart:
    tempo = draw(tempo_maps())
    parts = {}
    keys = draw(st.sets(st.sampled_from([(p, d) for p in PARTS for d in DIFFICULTIES]),
                        min_size=1, max_size=3))
    for key in sorted(keys):
        notes = []
        for _ in range(draw(st.integers(0, 30))):
            bar = draw(st.integers(1, 12))
            start = Fraction(tempo.bar_start_beat(bar))
            length = Fraction(tempo.bar_length_beats(bar))
            if draw(st.booleans()):
                per_beat = draw(st.sampled_from([1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 5, 7]))
                cells = max(int(length * per_beat), 1)
                beat = float(start + length * draw(st.integers(0, cells - 1)) / cells)
            else:
                beat = float(start) + draw(st.floats(0, float(length), exclude_max=True))
            accent, ghost = draw(st.booleans()), draw(st.booleans())
            velocity = draw(st.one_of(st.none(), st.integers(1, 127)))
            notes.append(make_note(tempo, beat, draw(st.sampled_from(list(Voice))),
                                   velocity=velocity, accent=accent, ghost=ghost))
        parts[key] = sort_notes(notes)
    names = draw(st.lists(st.text("abcXYZ 12", min_size=1, max_size=6).map(str.strip)
                          .filter(bool), max_size=3))
    sections = tuple(Section(name, float(tempo.bar_start_beat(i * 2 + 1)),
                             tempo.seconds_at(tempo.bar_start_beat(i * 2 + 1)))
                     for i, name in enumerate(names))
    meta = SongMeta("prop-song", "Property Song", preview_s=draw(st.floats(0, 100)))
    return Chart(meta, tempo, sections, parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(charts())
def test_write_then_parse_gives_the_same_chart(chart: Chart) -> None:
    text = write_beatmap(chart)
    back = parse_beatmap(text)
    assert_same_chart(back, chart)
    assert write_beatmap(back) == text


# errors: each names the line and what was expected --------------------------------
HEAD = """\
drum-diplomacy beatmap 1
[song]
id = t
title = T
[tempo]
1 120 4/4
"""

# (text, message pattern); the offending line carries the comment '# !'.
ERROR_CASES = {
    "no magic line": ("drum diplomacy 1  # !\n[song]\n",
                      r"expected first line 'drum-diplomacy beatmap 1'"),
    "wrong version": ("\n# hello\ndrum-diplomacy beatmap 2  # !\n",
                      r"unsupported beatmap version 2 \(this game reads version 1\)"),
    "empty file": ("# !\n", r"the file is empty"),
    "unknown section": (HEAD + "[drums]  # !\n",
                        r"unknown section \[drums\] \(expected \[song\], \[tempo\]"),
    "unknown difficulty": (HEAD + "[p1 insane]  # !\n",
                           r"unknown difficulty 'insane'.*easy, normal, hard, expert"),
    "text before a section": ("drum-diplomacy beatmap 1\nid = x  # !\n",
                              r"before any section \(expected a header"),
    "missing id": ("drum-diplomacy beatmap 1\n[song]  # !\ntitle = T\n[tempo]\n1 120\n",
                   r"missing the required key 'id'"),
    "missing title": ("drum-diplomacy beatmap 1\n[song]  # !\nid = t\n[tempo]\n1 120\n",
                      r"missing the required key 'title'"),
    "bad id": ("drum-diplomacy beatmap 1\n[song]\nid = First Contact  # !\n",
               r"bad id 'First Contact' \(expected lowercase letters"),
    "not key value": ("drum-diplomacy beatmap 1\n[song]\ntitle: T  # !\n",
                      r"expected 'key = value'"),
    "missing tempo": ("drum-diplomacy beatmap 1\n[song]  # !\nid = t\ntitle = T\n",
                      r"no \[tempo\] section"),
    "duplicate section": (HEAD + "[song]  # !\n", r"\[song\] appears twice \(first at line 2"),
    "tempo not increasing": (HEAD + "9:3 130\n9:2 140  # !\n",
                             r"'9:2' does not come after '9:3' on line 7 .*increasing"),
    "zero bpm": (HEAD + "5 0  # !\n", r"bad BPM '0' \(expected a tempo above 0"),
    "negative bpm": (HEAD + "5 -12  # !\n", r"bad BPM '-12' \(expected a tempo above 0"),
    "bad meter": (HEAD + "5 - 4/3  # !\n", r"bad meter '4/3' \(expected N/D .* 4/4 or 7/8\)"),
    "meter mid-bar": (HEAD + "5:2 - 3/4  # !\n", r"only at the start of a bar"),
    "first tempo not at 1": ("drum-diplomacy beatmap 1\n[song]\nid = t\ntitle = T\n[tempo]\n"
                             "2 120  # !\n", r"expected position 1"),
    "tempo line with nothing": (HEAD + "5 -  # !\n", r"changes nothing"),
    "bar 0": (HEAD + "[sections]\n0 Intro  # !\n", r"there is no bar 0 \(bars count from 1\)"),
    "sections out of order": (HEAD + "[sections]\n5 B\n3 A  # !\n",
                              r"does not come after 'B' on line 8"),
    "bad position": (HEAD + "[p1 easy]\nat 9:x SD  # !\n",
                     r"bad position '9:x' \(expected BAR or BAR:BEAT, e.g. 9:3 or 9:2.5"),
    "seconds outside at": (HEAD + "[sections]\n3.5s Intro  # !\n", r"bad position '3.5s'"),
    "beat past bar end": (HEAD + "[p1 easy]\nat 2:5 SD  # !\n",
                          r"bar 2 is 4 beats long \(expected a beat from 1 to below 5\)"),
    "beat past end in 7/8": (HEAD + "3 - 7/8\n[p1 easy]\nat 4:4.5 SD  # !\n",
                             r"bar 4 is 3.5 beats long"),
    "unknown voice": (HEAD + "[p1 easy]\nbar 1\nSN |o---|  # !\n",
                      r"unknown voice 'SN' \(expected one of BD, SD, XS"),
    "bad cell": (HEAD + "[p1 easy]\nbar 1\n  SD |o-y-|  # !\n",
                 r"bad cell 'y' in row 'SD' at column 9 \(expected one of - \. x o X O g\)"),
    "wrong segment count": (HEAD + "[p1 easy]\nbars 1-2\nSD |o---|  # !\n",
                            r"row 'SD' has 1 bar segment\(s\), expected 2 for 'bars 1-2'"),
    "empty segment": (HEAD + "[p1 easy]\nbars 1-2\nSD |o---||  # !\n",
                      r"bar 2 has no cells"),
    "row twice": (HEAD + "[p1 easy]\nbar 1\nSD |o---|\nsnare |--o-|  # !\n",
                  r"repeats the SD row of line 9"),
    "row outside grid": (HEAD + "[p1 easy]\nSD |o---|  # !\n",
                         r"outside a grid \(expected 'bar N' or 'bars N-M'"),
    "grid without rows": (HEAD + "[p1 easy]\nbars 1-2  # !\nat 1 SD\n",
                          r"'bars 1-2' has no voice rows"),
    "bad bar range": (HEAD + "[p1 easy]\nbars 3-1  # !\n", r"run backwards"),
    "copy length mismatch": (HEAD + "[p1 easy]\nbar 1\nSD |o|\nbars 2-4 = 1-2  # !\n",
                             r"copies 2 bar\(s\) into 3 \(expected ranges of the same length"),
    "copy from nothing": (HEAD + "[p1 easy]\nbars 5-6 = 1-2  # !\nbars 1-2\nSD |o|o|\n",
                          r"nothing to copy: bars 1-2 of \[p1 easy\]"),
    "copy from later block": (HEAD + "[p1 easy]\nbars 1-2 = p2 1-2  # !\n[p2 easy]\n",
                              r"\[p2 easy\]: it starts at line 9, after this line"),
    "copy from missing block": (HEAD + "[p1 easy]\nbar 1 = p2 1  # !\n",
                                r"\[p2 easy\]: there is no such block"),
    "copy into a short bar": (HEAD + "2 - 3/4\n[p1 easy]\nbar 1\nSD |---o|\nbar 2 = 1  # !\n",
                              r"cannot copy the SD at beat 4 of bar 1 into bar 2.* 3 beats"),
    "duplicate part block": (HEAD + "[p1 easy]\n[p2 easy]\n[P1  EASY]  # !\n",
                             r"appears twice \(first at line 7"),
    "bad at line": (HEAD + "[p1 easy]\nat 1:2  # !\n", r"expected 'at POSITION VOICE"),
    "bad flag": (HEAD + "[p1 easy]\nat 1:2 SD loud  # !\n",
                 r"unknown flag 'loud' \(expected accent, ghost or v=1..127\)"),
    "bad velocity": (HEAD + "[p1 easy]\nat 1:2 SD v=200  # !\n", r"bad velocity 'v=200'"),
    "seconds before bar 1": (HEAD.replace("title = T", "title = T\noffset_ms = 500")
                             + "[p1 easy]\nat 0.25s SD  # !\n", r"is before bar 1"),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_errors_name_the_line_and_what_was_expected(case: str) -> None:
    text, pattern = ERROR_CASES[case]
    line = next(i for i, t in enumerate(text.split("\n"), 1) if t.endswith("# !"))
    with pytest.raises(BeatmapError, match=pattern) as err:
        parse_beatmap(text, path="bad.beatmap")
    assert err.value.line == line
    assert err.value.path == "bad.beatmap"
    assert str(err.value).startswith(f"bad.beatmap, line {line}: ")


def test_missing_file_is_a_beatmap_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.beatmap"
    with pytest.raises(BeatmapError, match="no such file") as err:
        load_beatmap(path)
    assert err.value.path == str(path) and err.value.line is None
    with pytest.raises(BeatmapError, match="is a folder"):
        load_beatmap(tmp_path)


def test_non_utf8_file_is_a_beatmap_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.beatmap"
    path.write_bytes(HEAD.encode() + "[sections]\n1 Caf\xe9\n".encode("latin-1"))
    with pytest.raises(BeatmapError, match="not UTF-8") as err:
        load_beatmap(path)
    assert err.value.line == 8


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="[]|#:=-+/.sxXoOg 0123456789\nbarst HDSBpe1", max_size=200))
def test_garbage_never_escapes_as_another_exception(tail: str) -> None:
    try:
        parse_beatmap(HEAD + "[p1 easy]\n" + tail)
    except BeatmapError as exc:
        assert exc.line is not None
