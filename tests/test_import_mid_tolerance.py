"""Clone Hero / Rock Band MIDI charts as they are in the wild, written byte by byte.

Each file has one quirk real charts have (and Clone Hero and YARG read); its
drums must come out as from the same chart written cleanly, with one warning
naming the file and what was overlooked. Files that cannot be charts fail with
one line. The quirky files are those of the reader's own test
(:mod:`test_smf`), written with a chart's tracks.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from import_files import V, notes_of, write_ini
from test_smf import (
    END,
    QUIRKS,
    TPB,
    UNREADABLE,
    Quirk,
    Song,
    chunk,
    damaged_copies,
    events,
    header,
    meta,
    name,
    rules_warning,
    says,
    tempo,
)

from game.formats.importers import ImportFormatError, detect, import_song
from game.util.errors import FormatError

#: Expert at 480 ticks per beat: kick + yellow cymbal on 1, red on 2, blue tom (marker 111)
#: on 3, double kick on 4; (tick, note, velocity), velocity 0 a note off.
GEMS = ((0, 96, 100), (0, 98, 100), (120, 96, 0), (120, 98, 0), (480, 97, 100), (600, 97, 0),
        (960, 111, 100), (960, 99, 100), (970, 99, 0), (980, 111, 0), (1440, 95, 100),
        (1450, 95, 0))
#: The chart every file here carries, on channel 1 at 120 BPM.
CHART = Song(drum_track="PART DRUMS", notes=GEMS, channel=0, tempos=((0, 120.0),))

EXPECTED = [(0.0, 0.0, V.KICK, False, False), (0.0, 0.0, V.HIHAT_CLOSED, False, False),
            (1.0, 0.5, V.SNARE, False, False), (2.0, 1.0, V.TOM_MID, False, False),
            (3.0, 1.5, V.KICK, False, False)]


def chart(tpb: int = TPB, drum_track: str = "PART DRUMS") -> Song:
    """:data:`CHART` at ``tpb`` ticks per beat, its drum track named ``drum_track``."""
    return replace(CHART, tpb=tpb, drum_track=drum_track,
                   notes=tuple((tick * tpb // TPB, n, v) for tick, n, v in GEMS))


def clean_file(tpb: int = TPB, drum_track: str = "PART DRUMS") -> bytes:
    """The chart with an ``EVENTS`` track (a section)."""
    song = chart(tpb, drum_track)
    ev = chunk(events((0, name("EVENTS")), (0, meta(0x01, b"[section intro]"))) + END)
    return header(1, 3, tpb) + chunk(song.conductor()) + chunk(song.drums()) + ev


def write(folder: Path, data: bytes, file: str = "notes.mid") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file
    path.write_bytes(data)
    return path


def imported(folder: Path) -> tuple[list[tuple], tuple[str, ...]]:
    song = import_song(folder)
    return notes_of(song.chart), song.warnings


def test_clean_file_reads_as_expected(tmp_path: Path) -> None:
    write(tmp_path, clean_file())
    notes, warnings = imported(tmp_path)
    assert notes == EXPECTED
    assert rules_warning(warnings, "notes.mid") == []


# quirks ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("make", "quirks"), QUIRKS, ids=[m.__name__ for m, _ in QUIRKS])
def test_quirky_files_read_like_the_clean_one(tmp_path: Path, make: Quirk,
                                              quirks: list[str]) -> None:
    write(tmp_path, make(CHART))
    notes, warnings = imported(tmp_path)
    assert notes == EXPECTED
    assert says(rules_warning(warnings, "notes.mid"), quirks)


@pytest.mark.parametrize("tpb", [96, 192, 480, 960])
def test_any_ticks_per_beat(tmp_path: Path, tpb: int) -> None:
    write(tmp_path, clean_file(tpb=tpb))
    notes, _ = imported(tmp_path)
    assert notes == EXPECTED


# drum track names --------------------------------------------------------------------------
@pytest.mark.parametrize("track", ["PART DRUM", "PART DRUMS_2X", "PART REAL_DRUMS_PS",
                                   "part drums", "PART_DRUMS", " PART  DRUMS "])
def test_other_drum_track_names(tmp_path: Path, track: str) -> None:
    write(tmp_path, clean_file(drum_track=track))
    notes, _ = imported(tmp_path)
    assert notes == EXPECTED


def elite_track() -> bytes:
    b = 74  # Expert
    on = [(0, b), (0, b + 2), (0, b - 2), (240, b + 2), (480, b + 1), (480, b + 3),
          (720, b + 4), (840, b + 5), (960, b + 6), (1200, b + 7), (1440, b + 8),
          (1440, b - 1), (1680, b + 2), (1680, b + 14), (1920, 50 + 1)]
    pairs: list[tuple[int, bytes]] = []
    for tick, note in on:
        velocity = 127 if note == b + 1 else 100
        length = {b - 2: 200, b + 14: 300}.get(note, 30)
        pairs += [(tick, bytes([0x90, note, velocity])), (tick + length, bytes([0x80, note, 0]))]
    pairs.sort(key=lambda p: p[0])
    return chunk(events((0, name("PART ELITE_DRUMS")), *pairs) + END)


def elite_file() -> bytes:
    other = chunk(events((0, name("PART GUITAR")), (0, bytes([0x90, 96, 100])),
                         (10, bytes([0x80, 96, 0]))) + END)
    return header(tracks=3) + chunk(events((0, tempo(120))) + END) + elite_track() + other


def test_only_elite_drums(tmp_path: Path) -> None:
    write(tmp_path, elite_file())
    song = import_song(tmp_path)
    assert [(n[1], n[2], n[3]) for n in notes_of(song.chart)] == [
        (0.0, V.KICK, False), (0.0, V.HIHAT_CLOSED, False),   # the pedal closes the hat
        (0.0, V.HIHAT_PEDAL, False), (0.25, V.HIHAT_OPEN, False),  # the pedal is up
        (0.5, V.CRASH, False), (0.5, V.SNARE, True), (0.75, V.TOM_HIGH, False),
        (0.875, V.TOM_MID, False), (1.0, V.TOM_FLOOR, False), (1.25, V.RIDE, False),
        (1.5, V.KICK, False), (1.5, V.CRASH, False),           # Expert+ kick, right crash
        (1.75, V.HIHAT_CLOSED, False)]                          # "indifferent" hat
    assert notes_of(song.chart, "hard") == [(4.0, 2.0, V.SNARE, False, False)]
    assert ("drum_kind", "elite") in song.chart.meta.extra
    assert any("Elite Drums" in w for w in song.warnings)
    without = import_song(tmp_path, double_kick=False)
    assert (1.5, V.KICK) not in [(n[1], n[2]) for n in notes_of(without.chart)]


def test_elite_is_read_when_part_drums_has_only_animations(tmp_path: Path) -> None:
    animations = chunk(events((0, name("PART DRUMS")), (0, bytes([0x90, 24, 100])),
                              (10, bytes([0x80, 24, 0]))) + END)
    write(tmp_path, header(tracks=3) + chunk(events((0, tempo(120))) + END) + animations
          + elite_track())
    song = import_song(tmp_path)
    assert ("drum_kind", "elite") in song.chart.meta.extra
    assert len(notes_of(song.chart)) == 13


def test_elite_is_not_read_when_part_drums_is_there(tmp_path: Path) -> None:
    data = clean_file()
    write(tmp_path, header(tracks=4) + data[14:] + elite_track())
    notes, warnings = imported(tmp_path)
    assert notes == EXPECTED
    assert any("ignored 'PART ELITE_DRUMS'" in w for w in warnings)


# files not named notes.mid, one-track files ---------------------------------------------
def test_any_single_mid_in_a_song_folder(tmp_path: Path) -> None:
    write(tmp_path / "a", clean_file(), "asym.mid")
    write_ini(tmp_path / "a", "[song]\nname = A\n")
    assert detect(tmp_path / "a") == "clonehero-mid"
    song = import_song(tmp_path / "a")
    assert song.source == "clonehero-mid" and song.files[0].name == "asym.mid"
    assert notes_of(song.chart) == EXPECTED
    assert any("read asym.mid" in w for w in song.warnings)
    # no song.ini: the file's track names say it is a chart
    write(tmp_path / "b", clean_file(), "Song Title.MID")
    assert detect(tmp_path / "b") == "clonehero-mid"
    assert detect(tmp_path / "b" / "Song Title.MID") == "clonehero-mid"


def test_a_plain_drum_midi_is_not_a_clone_hero_chart(tmp_path: Path) -> None:
    plain = header(tracks=1) + chunk(events((0, tempo(100)), (0, bytes([0x99, 36, 100])),
                                            (240, bytes([0x89, 36, 0]))) + END)
    write(tmp_path, plain, "groove.mid")
    assert detect(tmp_path) is None
    assert detect(tmp_path / "groove.mid") is None


def test_several_mids_prefer_the_one_with_drums(tmp_path: Path) -> None:
    write(tmp_path, clean_file(drum_track="PART GUITAR"), "a.mid")
    write(tmp_path, clean_file(), "b.mid")
    write_ini(tmp_path, "[song]\nname = B\n")
    song = import_song(tmp_path)
    assert song.files[0].name == "b.mid"
    assert any("not a.mid" in w for w in song.warnings)


def one_track(track_name: str = "") -> bytes:
    return header(fmt=0, tracks=1) + chunk(events(
        (0, name(track_name)), (0, tempo(120)), *CHART.note_pairs()) + END)


def test_one_track_file_is_drums_when_song_ini_says_so(tmp_path: Path) -> None:
    write(tmp_path, one_track())
    write_ini(tmp_path, "[song]\nname = One\ndiff_drums = 3\ndiff_guitar = -1\n")
    notes, warnings = imported(tmp_path)
    assert notes == EXPECTED
    assert any("one track" in w for w in warnings)
    write(tmp_path / "named", one_track("PART DRUMS"))
    assert imported(tmp_path / "named")[0] == EXPECTED


def test_one_track_guitar_file_fails_with_one_line(tmp_path: Path) -> None:
    write(tmp_path, one_track())
    write_ini(tmp_path, "[song]\nname = One\ndiff_drums = 3\ndiff_guitar = 4\n")
    with pytest.raises(ImportFormatError) as info:
        import_song(tmp_path)
    message = str(info.value)
    assert "no drum track" in message and "type 0" in message and "\n" not in message


# what cannot be read -------------------------------------------------------------------
@pytest.mark.parametrize(("data", "message"), UNREADABLE)
def test_unreadable_files_fail_with_one_line(tmp_path: Path, data: bytes, message: str) -> None:
    path = write(tmp_path, data)
    with pytest.raises(FormatError) as info:
        import_song(tmp_path)
    assert message in str(info.value) and info.value.path == str(path)
    assert "\n" not in str(info.value)


def test_random_garbage_never_crashes(tmp_path: Path) -> None:
    """Cut and corrupted versions of a real-shaped file: each imports or fails with one
    line, never an exception of another kind, never a hang."""
    for k, data in enumerate(damaged_copies(clean_file(), seed=7, count=300)):
        write(tmp_path / f"g{k}", data)
        try:
            import_song(tmp_path / f"g{k}")
        except ImportFormatError as exc:
            assert "\n" not in str(exc)
