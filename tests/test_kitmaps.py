"""Kit maps: built-in data files, loading by name or path, errors, real TD-11 notes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import mido
import pytest
from groove_data import groove_files, needs_groove

from game.engine.voices import Voice
from game.formats.kitmap import BUILTIN_KITMAPS, KitMap, builtin_kitmap_names, load_kitmap
from game.util.errors import FormatError

V = Voice




# built-in maps -----------------------------------------------------------------
@pytest.mark.parametrize("name", ["default", "gm", "roland", "alesis", "yamaha"])
def test_builtin_maps_load(name: str) -> None:
    km = load_kitmap(name)
    assert isinstance(km, KitMap)
    assert km.name and km.description
    assert km.notes
    assert all(0 <= n <= 127 for n in km.notes)
    assert all(isinstance(v, Voice) for v in km.notes.values())


def test_builtin_names_are_listed() -> None:
    assert builtin_kitmap_names() == sorted(BUILTIN_KITMAPS)
    assert {"default", "gm", "roland", "alesis", "yamaha"} <= set(builtin_kitmap_names())


def test_names_are_case_insensitive() -> None:
    assert load_kitmap("Roland") == load_kitmap("roland")
    assert load_kitmap(" GM ") == load_kitmap("gm")


def test_default_is_gm_plus_roland_edges() -> None:
    default, gm, roland = load_kitmap("default"), load_kitmap("gm"), load_kitmap("roland")
    assert default == roland
    for note, voice in gm.notes.items():
        assert default.voice_for(note) is voice
    assert {22, 26, 58} <= set(default.notes) - set(gm.notes)


def test_general_midi_table() -> None:
    gm = load_kitmap("gm")
    expected = {
        35: V.KICK, 36: V.KICK, 37: V.CROSS_STICK, 38: V.SNARE, 40: V.RIMSHOT,
        42: V.HIHAT_CLOSED, 44: V.HIHAT_PEDAL, 46: V.HIHAT_OPEN,
        50: V.TOM_HIGH, 48: V.TOM_HIGH, 47: V.TOM_MID, 45: V.TOM_MID,
        43: V.TOM_FLOOR, 41: V.TOM_FLOOR, 49: V.CRASH, 57: V.CRASH, 55: V.CRASH,
        52: V.CRASH, 51: V.RIDE, 59: V.RIDE, 53: V.RIDE_BELL,
    }
    assert gm.notes == expected
    assert gm.voice_for(60) is None
    assert gm.voice_for(22) is None


def test_roland_edge_and_rim_notes() -> None:
    roland = load_kitmap("roland")
    assert roland.voice_for(22) is V.HIHAT_CLOSED
    assert roland.voice_for(26) is V.HIHAT_OPEN
    assert roland.voice_for(40) is V.RIMSHOT
    assert roland.voice_for(58) is V.TOM_FLOOR
    assert roland.voice_for(50) is V.TOM_HIGH
    assert roland.voice_for(47) is V.TOM_MID
    assert roland.voice_for(55) is V.CRASH
    assert roland.voice_for(59) is V.RIDE


def test_alesis_and_yamaha_specials() -> None:
    alesis = load_kitmap("alesis")
    assert alesis.voice_for(23) is V.HIHAT_HALF
    assert alesis.voice_for(21) is V.CRASH
    assert alesis.voice_for(39) is V.TOM_FLOOR
    yamaha = load_kitmap("yamaha")
    assert yamaha.voice_for(33) is V.KICK
    assert yamaha.voice_for(31) is V.SNARE
    assert yamaha.voice_for(34) is V.RIMSHOT
    assert yamaha.voice_for(85) is V.HIHAT_PEDAL


@pytest.mark.parametrize("name", ["default", "gm", "roland", "alesis", "yamaha"])
def test_every_voice_gm_note_reads_back(name: str) -> None:
    # MIDI export writes Voice.gm_note; every built-in map must read it back.
    # (the half-open hi-hat has no GM note: the game writes Alesis' 23, which the
    # default map reads; GM and Yamaha maps do not know it)
    km = load_kitmap(name)
    for voice in Voice:
        if voice is Voice.HIHAT_HALF and name in ("gm", "yamaha"):
            assert km.voice_for(voice.gm_note) is None
            continue
        assert km.voice_for(voice.gm_note) is voice


def test_known_notes_sorted() -> None:
    km = load_kitmap("gm")
    assert list(km.known_notes) == sorted(km.notes)
    assert km.describe_notes().startswith("35, 36")


# files -------------------------------------------------------------------------
def test_load_from_path(tmp_path: Path) -> None:
    p = tmp_path / "mykit.toml"
    p.write_text('name = "My kit"\ndescription = "test"\n[notes]\n"36" = "kick"\n'
                 '"38" = "SD"\n"42" = "hihat-closed"\n')
    km = load_kitmap(p)
    assert km.name == "My kit"
    assert km.notes == {36: V.KICK, 38: V.SNARE, 42: V.HIHAT_CLOSED}
    assert load_kitmap(str(p)) == km


def test_name_defaults_to_file_stem(tmp_path: Path) -> None:
    p = tmp_path / "stemkit.toml"
    p.write_text('[notes]\n"36" = "kick"\n')
    assert load_kitmap(p).name == "stemkit"


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(FormatError) as info:
        load_kitmap("casio")
    msg = str(info.value)
    for name in ("default", "gm", "roland", "alesis", "yamaha"):
        assert name in msg


def test_missing_file(tmp_path: Path) -> None:
    p = tmp_path / "nope.toml"
    with pytest.raises(FormatError) as info:
        load_kitmap(p)
    assert info.value.path == str(p)


def test_bad_toml_reports_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.toml"
    p.write_text('name = "Bad"\n\n[notes]\n"36" = kick\n')
    with pytest.raises(FormatError) as info:
        load_kitmap(p)
    assert info.value.line == 4
    assert info.value.path == str(p)
    assert "line 4" in str(info.value)
    assert "invalid TOML" in str(info.value)


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ('"200" = "kick"', ["200", "0-127"]),
        ('"-1" = "kick"', ["-1", "0-127"]),
        ('"abc" = "kick"', ["abc", "0-127"]),
        ('"36" = "cowbell"', ["cowbell", "hihat_closed", "ride_bell"]),
        ('"36" = 5', ["voice name"]),
    ],
)
def test_bad_entries(tmp_path: Path, entry: str, words: list[str]) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(f'name = "Bad"\n[notes]\n"38" = "snare"\n{entry}\n')
    with pytest.raises(FormatError) as info:
        load_kitmap(p)
    for word in words:
        assert word in str(info.value)
    assert info.value.line == 4


def test_missing_notes_table(tmp_path: Path) -> None:
    p = tmp_path / "empty.toml"
    p.write_text('name = "Empty"\n')
    with pytest.raises(FormatError, match=r"\[notes\]"):
        load_kitmap(p)


def test_not_utf8(tmp_path: Path) -> None:
    p = tmp_path / "bin.toml"
    p.write_bytes(b"\xff\xfe\x00name")
    with pytest.raises(FormatError):
        load_kitmap(p)


# real TD-11 recordings -----------------------------------------------------------
@pytest.mark.groove
@needs_groove
def test_every_groove_note_maps_under_roland() -> None:
    roland = load_kitmap("roland")
    files = groove_files()
    assert len(files) == 40
    seen: Counter[int] = Counter()
    for f in files:
        for msg in mido.MidiFile(f):
            if msg.type == "note_on" and msg.velocity > 0:
                assert msg.channel == 9
                seen[msg.note] += 1
    unmapped = {n: c for n, c in seen.items() if roland.voice_for(n) is None}
    assert unmapped == {}
    # the edge/rim notes a TD-11 sends (58, floor-tom rim, is not struck in this subset)
    assert seen[22] > 0 and seen[26] > 0 and seen[40] > 0
    for note, voice in {22: V.HIHAT_CLOSED, 26: V.HIHAT_OPEN, 40: V.RIMSHOT,
                        58: V.TOM_FLOOR}.items():
        assert roland.voice_for(note) is voice
    assert load_kitmap("gm").voice_for(22) is None  # why the default map is Roland's
