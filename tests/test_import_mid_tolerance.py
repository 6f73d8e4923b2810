"""Clone Hero / Rock Band MIDI charts as they are in the wild, written byte by byte.

Each file has one quirk real charts have (and Clone Hero and YARG read); its
drums must come out as from the same chart written cleanly, with a warning
naming what was overlooked. Files that cannot be charts fail with one line.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from import_files import V, notes_of, write_ini

from game.engine.errors import FormatError
from game.formats.importers import ImportFormatError, detect, import_song
from game.formats.smf import parse_smf

TPB = 480


# writing MIDI bytes ------------------------------------------------------------------------
def vlq(n: int) -> bytes:
    assert n >= 0
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def meta(kind: int, body: bytes) -> bytes:
    return bytes([0xFF, kind]) + vlq(len(body)) + body


def name(text: str) -> bytes:
    return meta(0x03, text.encode("latin-1"))


def tempo(bpm: float) -> bytes:
    return meta(0x51, round(60e6 / bpm).to_bytes(3, "big"))


END = b"\x00" + meta(0x2F, b"")  # with its delta time


def events(*pairs: tuple[int, bytes]) -> bytes:
    """Delta-time + event bytes, from (absolute tick, event bytes) pairs in order."""
    out, now = b"", 0
    for tick, body in pairs:
        out += vlq(tick - now) + body
        now = tick
    return out


def chunk(body: bytes, length: int | None = None) -> bytes:
    return b"MTrk" + struct.pack(">I", len(body) if length is None else length) + body


def header(fmt: int = 1, tracks: int = 3, tpb: int = TPB) -> bytes:
    return b"MThd" + struct.pack(">IHHH", 6, fmt, tracks, tpb)


def drum_gems(tpb: int = TPB) -> list[tuple[int, bytes]]:
    """Expert: kick + yellow cymbal on 1, red on 2, blue tom (marker) on 3, double kick."""
    q = tpb
    pairs = [(0, bytes([0x90, 96, 100])), (0, bytes([0x90, 98, 100])),
             (q // 4, bytes([0x80, 96, 0])), (q // 4, bytes([0x80, 98, 0])),
             (q, bytes([0x90, 97, 100])), (q + q // 4, bytes([0x80, 97, 0])),
             (2 * q, bytes([0x90, 111, 100])), (2 * q, bytes([0x90, 99, 100])),
             (2 * q + 10, bytes([0x80, 99, 0])), (2 * q + 20, bytes([0x80, 111, 0])),
             (3 * q, bytes([0x90, 95, 100])), (3 * q + 10, bytes([0x80, 95, 0]))]
    return pairs


EXPECTED = [(0.0, 0.0, V.KICK, False, False), (0.0, 0.0, V.HIHAT_CLOSED, False, False),
            (1.0, 0.5, V.SNARE, False, False), (2.0, 1.0, V.TOM_MID, False, False),
            (3.0, 1.5, V.KICK, False, False)]


def clean_file(tpb: int = TPB, drum_track: str = "PART DRUMS") -> bytes:
    conductor = chunk(events((0, name("Song")), (0, tempo(120))) + END)
    drums = chunk(events((0, name(drum_track)), *drum_gems(tpb)) + END)
    ev = chunk(events((0, name("EVENTS")), (0, meta(0x01, b"[section intro]"))) + END)
    return header(tracks=3, tpb=tpb) + conductor + drums + ev


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
    assert not any("MIDI file rules" in w for w in warnings)


# quirks ---------------------------------------------------------------------------------
def high_bytes_in_sysex_and_text() -> bytes:
    sysex = bytes([0xF0]) + vlq(8) + bytes([0x50, 0x53, 0x00, 0x00, 0x03, 0xFF, 0x01, 0xF7])
    lyric = meta(0x01, "[mix 3 drums0] café ñ".encode("latin-1") + b"\xff\xfe")
    drums = chunk(events((0, name("PART DRUMS")), (0, sysex), (0, lyric), *drum_gems()) + END)
    return header() + chunk(events((0, tempo(120))) + END) + drums


def running_status_across_meta() -> bytes:
    """Note events without a status byte after a meta and a SysEx event (Phase Shift)."""
    sysex = bytes([0xF0, 0x03, 0x01, 0x02, 0xF7])
    body = events((0, name("PART DRUMS")), (0, bytes([0x90, 96, 100])),
                  (0, meta(0x01, b"[idle]")), (0, bytes([98, 100])),          # running
                  (0, sysex), (120, bytes([96, 0])), (120, bytes([98, 0])),    # running
                  (480, bytes([0x90, 97, 100])), (600, bytes([97, 0])),
                  (960, bytes([0x90, 111, 100])), (960, bytes([99, 100])),
                  (970, bytes([99, 0])), (980, bytes([111, 0])),
                  (1440, bytes([95, 100])), (1450, bytes([95, 0])))
    return header(tracks=2) + chunk(events((0, tempo(120))) + END) + chunk(body + END)


def no_end_of_track() -> bytes:
    drums = chunk(events((0, name("PART DRUMS")), *drum_gems()))
    return header(tracks=2) + chunk(events((0, tempo(120)))) + drums


def type_0_header_with_tracks() -> bytes:
    return header(fmt=0, tracks=1) + clean_file()[14:]


def chunk_lengths_wrong() -> bytes:
    conductor = events((0, tempo(120))) + END
    drums = events((0, name("PART DRUMS")), *drum_gems()) + END
    # the conductor claims to run over the drum track; the drum track is too short
    return (header(tracks=2) + chunk(conductor, len(conductor) + 40)
            + chunk(drums, len(drums) - 9) + b"\x00\x00\x00junk")


def stray_bytes_and_odd_messages() -> bytes:
    body = events((0, name("PART DRUMS")), (0, bytes([0xF8])), (0, bytes([0xF1, 0x10])),
                  *drum_gems())
    return (header(tracks=2) + b"XFIH" + struct.pack(">I", 4) + b"abcd"
            + chunk(bytes([0x00, 0x45]) + events((0, tempo(120))) + END) + chunk(body + END))


def riff_wrapped() -> bytes:
    smf = clean_file()
    return b"RIFF" + struct.pack("<I", len(smf) + 12) + b"RMIDdata" + struct.pack(
        "<I", len(smf)) + smf


def two_files_glued() -> bytes:
    return clean_file() + clean_file(drum_track="PART GUITAR")


def data_byte_above_127_in_a_note() -> bytes:
    gems = drum_gems()
    gems[4] = (TPB, bytes([0x90, 97, 228]))  # velocity 228 & 0x7F = 100
    drums = chunk(events((0, name("PART DRUMS")), *gems) + END)
    return header(tracks=2) + chunk(events((0, tempo(120))) + END) + drums


@pytest.mark.parametrize(("make", "quirk"), [
    (high_bytes_in_sysex_and_text, None),
    (running_status_across_meta, None),
    (no_end_of_track, "end-of-track"),
    (type_0_header_with_tracks, None),
    (chunk_lengths_wrong, "length"),
    (stray_bytes_and_odd_messages, "stray data byte"),
    (riff_wrapped, None),
    (two_files_glued, "second 'MThd'"),
    (data_byte_above_127_in_a_note, "above 127"),
])
def test_quirky_files_read_like_the_clean_one(tmp_path: Path, make, quirk: str | None) -> None:
    write(tmp_path, make())
    notes, warnings = imported(tmp_path)
    assert notes == EXPECTED
    rules = [w for w in warnings if "MIDI file rules" in w]
    if quirk is None:
        assert not rules
    else:
        assert len(rules) == 1 and quirk in rules[0]


def test_text_with_high_bytes_is_decoded(tmp_path: Path) -> None:
    smf = parse_smf(high_bytes_in_sysex_and_text())
    texts = [t for _, t in smf.tracks[1].texts]
    assert texts == ["[mix 3 drums0] café ñÿþ"]
    assert smf.quirks == ()


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
        (0, name(track_name)), (0, tempo(120)), *drum_gems()) + END)


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
@pytest.mark.parametrize(("data", "needle"), [
    (b"", "empty"),
    (b"this is not MIDI at all", "no 'MThd'"),
    (b"MThd\x00\x00\x00\x06\x00\x01", "truncated"),
    (b"MThd" + struct.pack(">IHHH", 6, 1, 1, 0xE728) + chunk(END), "SMPTE"),
    (b"MThd" + struct.pack(">IHHH", 6, 1, 1, 0), "0 ticks per beat"),
    (header(tracks=2), "no track"),
])
def test_unreadable_files_fail_with_one_line(tmp_path: Path, data: bytes, needle: str) -> None:
    path = write(tmp_path, data)
    with pytest.raises(FormatError) as info:
        import_song(tmp_path)
    assert needle in str(info.value) and str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_random_garbage_never_crashes(tmp_path: Path) -> None:
    """Cut and corrupted versions of a real-shaped file: each imports or fails with one
    line, never an exception of another kind, never a hang."""
    import random

    rng = random.Random(7)
    good = clean_file()
    for k in range(300):
        data = bytearray(good[: rng.randrange(14, len(good) + 1)])
        for _ in range(rng.randrange(0, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        write(tmp_path / f"g{k}", bytes(data))
        try:
            import_song(tmp_path / f"g{k}")
        except ImportFormatError as exc:
            assert "\n" not in str(exc)
