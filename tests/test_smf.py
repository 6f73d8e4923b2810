"""The one Standard MIDI File reader (:mod:`game.formats.smf`) on files as they are in
the wild, and the byte builders every MIDI quirk test shares.

Each broken file carries one quirk real files have (and the games or other
programs read); the reader must give the same tracks as from the clean file and
say what it overlooked; a file that cannot be read at all fails with one line
naming it. The importers' own quirk tests (``test_import_mid_tolerance``: Clone
Hero charts; ``test_midi_tolerance``: plain MIDI) build their files from the
helpers here.
"""

from __future__ import annotations

import contextlib
import random
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from game.formats.importers import import_song
from game.formats.midi_import import import_midi_with_report
from game.formats.smf import SmfFile, parse_smf, read_smf
from game.util.errors import FormatError

TPB = 480


# writing MIDI bytes (shared) ---------------------------------------------------------------
def vlq(n: int) -> bytes:
    """A variable-length quantity."""
    assert n >= 0
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def meta(kind: int, body: bytes) -> bytes:
    """A meta event, without its delta time."""
    return bytes([0xFF, kind]) + vlq(len(body)) + body


def name(text: str) -> bytes:
    """A track-name event (Latin-1)."""
    return meta(0x03, text.encode("latin-1"))


def tempo(bpm: float) -> bytes:
    """A set-tempo event."""
    return meta(0x51, round(60e6 / bpm).to_bytes(3, "big"))


def meter(numerator: int, denominator: int) -> bytes:
    """A time-signature event."""
    return meta(0x58, bytes([numerator, denominator.bit_length() - 1, 24, 8]))


#: An end-of-track event with its delta time.
END = b"\x00" + meta(0x2F, b"")


def events(*pairs: tuple[int, bytes]) -> bytes:
    """Delta-time + event bytes, from (absolute tick, event bytes) pairs in order."""
    out, now = b"", 0
    for tick, body in pairs:
        out += vlq(tick - now) + body
        now = tick
    return out


def chunk(body: bytes, length: int | None = None, tag: bytes = b"MTrk") -> bytes:
    """A chunk; ``length`` overrides the true one (a wrong chunk length)."""
    return tag + struct.pack(">I", len(body) if length is None else length) + body


def header(fmt: int = 1, tracks: int = 1, tpb: int = TPB, length: int = 6) -> bytes:
    """An ``MThd`` chunk; ``length`` other than 6 writes that length (the body stays 6)."""
    return b"MThd" + struct.pack(">IHHH", length, fmt, tracks, tpb)


def midi(*bodies: bytes, fmt: int = 1, tpb: int = TPB) -> bytes:
    """A whole file of these track bodies (the header's count right)."""
    return header(fmt, len(bodies), tpb) + b"".join(chunk(b) for b in bodies)


def rmid(data: bytes, after: bytes = b"") -> bytes:
    """``data`` in an RMID (RIFF) wrapper, with more RIFF chunks ``after`` it."""
    body = b"RMID" + b"data" + struct.pack("<I", len(data)) + data + b"\x00" * (len(data) & 1)
    body += after
    return b"RIFF" + struct.pack("<I", len(body)) + body


#: Phase Shift's tap-note SysEx as Rock Band-style charts carry it: 0xFF inside.
TAP_SYSEX = bytes([0xF0]) + vlq(8) + bytes([0x50, 0x53, 0x00, 0x00, 0x03, 0xFF, 0x01, 0xF7])
#: A vendor SysEx with a checksum byte above 127.
VENDOR_SYSEX = bytes([0xF0, 0x0A, 0x41, 0x10, 0x42, 0x12, 0x40, 0x00, 0x7F, 0x00, 0xC1, 0xF7])
#: System messages that have no place in a file: clock, MTC quarter frame, song position.
ODD_SYSTEM = (bytes([0xF8]), bytes([0xF1, 0x10]), bytes([0xF2, 0x00, 0x10]))
#: A chunk no reader knows (XF information, as Yamaha files have).
ALIEN_CHUNK = chunk(b"\x00" * 7, tag=b"XFIH")
#: Bytes that are not a chunk (between or after chunks).
GARBAGE = b"\x00\x00\xff\x13garbage"


# the song every quirk file carries -------------------------------------------------------
#: (tick, note, velocity) of drum notes on channel 10; velocity 0 is a note off.
NOTES = ((0, 36, 100), (0, 42, 90), (120, 36, 0), (120, 42, 0), (240, 38, 110),
         (240, 42, 70), (360, 38, 0), (360, 42, 0), (480, 36, 127), (600, 36, 0))


@dataclass(frozen=True)
class Song:
    """What a test file holds: a conductor track (title, tempos, 4/4) and a drum track
    (name, notes on one channel). Each importer's quirk test writes its own song
    through the same quirk makers (:data:`QUIRKS`)."""

    title: str = "Song"
    drum_track: str = "drums"
    notes: tuple[tuple[int, int, int], ...] = NOTES
    channel: int = 9
    tempos: tuple[tuple[int, float], ...] = ((0, 120.0), (960, 100.0))
    tpb: int = TPB

    def conductor(self, end: bytes = END) -> bytes:
        pairs = [(0, name(self.title)), (0, meter(4, 4)),
                 *((tick, tempo(bpm)) for tick, bpm in self.tempos)]
        return events(*sorted(pairs, key=lambda p: p[0])) + end

    def note_pairs(self, *, running: bool = False) -> list[tuple[int, bytes]]:
        """The notes as events: note on / note off (off velocity 64), or with
        ``running`` status all note ons (velocity 0 for an off) after the first."""
        on, off = 0x90 | self.channel, 0x80 | self.channel
        pairs = []
        for i, (tick, note, velocity) in enumerate(self.notes):
            if running:
                pairs.append((tick, (b"" if i else bytes([on])) + bytes([note, velocity])))
            else:
                pairs.append((tick, bytes([on, note, velocity]) if velocity
                              else bytes([off, note, 64])))
        return pairs

    def drums(self, *extra: tuple[int, bytes], end: bytes = END,
              running: bool = False) -> bytes:
        """The drum track: its name, ``extra`` events (before the notes of their tick)
        and the notes."""
        pairs = [(0, name(self.drum_track)), *extra, *self.note_pairs(running=running)]
        return events(*sorted(pairs, key=lambda p: p[0])) + end

    def file(self) -> bytes:
        return midi(self.conductor(), self.drums(), tpb=self.tpb)


PLAIN = Song()
EXPECTED_NOTES = tuple((tick, note, velocity, 9) for tick, note, velocity in NOTES)


def same_as_clean(smf: SmfFile) -> None:
    """The tracks of ``smf`` are those of :data:`PLAIN`."""
    assert [t.name for t in smf.tracks] == ["Song", "drums"]
    assert smf.tracks[1].notes == EXPECTED_NOTES
    assert smf.tracks[0].tempos == ((0, 500_000), (960, 600_000))
    assert smf.tracks[0].meters == ((0, 4, 4),)


def test_clean_file() -> None:
    smf = parse_smf(PLAIN.file())
    same_as_clean(smf)
    assert (smf.format, smf.ticks_per_beat, smf.quirks) == (1, TPB, ())
    assert smf.quirks_warning("x.mid") == []
    assert [t.end_tick for t in smf.tracks] == [960, 600]


# quirks: one maker each, for any song ------------------------------------------------------
def high_bytes_in_sysex_and_text(song: Song) -> bytes:
    lyric = meta(0x05, "café ñ".encode("latin-1") + b"\xff")
    return midi(song.conductor(), song.drums((0, TAP_SYSEX), (0, VENDOR_SYSEX), (0, lyric)),
                tpb=song.tpb)


def running_status_across_meta_and_sysex(song: Song) -> bytes:
    between = [(120, TAP_SYSEX), (240, meta(0x01, b"[idle]")),
               (360, bytes([0xF0, 0x03, 0x7E, 0x7F, 0xF7]))]
    return midi(song.conductor(), song.drums(*between, running=True), tpb=song.tpb)


def no_end_of_track(song: Song) -> bytes:
    return midi(song.conductor(end=b""), song.drums(end=b""), tpb=song.tpb)


def type_0_header_over_two_tracks(song: Song) -> bytes:
    return header(0, 1, song.tpb) + song.file()[14:]


def type_2(song: Song) -> bytes:
    return header(2, 2, song.tpb) + song.file()[14:]


def chunk_too_long(song: Song) -> bytes:
    """The conductor claims to run 40 bytes into the drum track."""
    conductor = song.conductor()
    return (header(1, 2, song.tpb) + chunk(conductor, len(conductor) + 40)
            + chunk(song.drums()))


def chunk_too_short(song: Song) -> bytes:
    """The drum track claims 9 bytes less than it has; 7 bytes of junk after it."""
    drums = song.drums()
    return (header(1, 2, song.tpb) + chunk(song.conductor()) + chunk(drums, len(drums) - 9)
            + b"\x00\x00\x00junk")


def last_track_past_the_end(song: Song) -> bytes:
    drums = song.drums(end=b"")
    return header(1, 2, song.tpb) + chunk(song.conductor()) + chunk(drums, len(drums) + 500)


def stray_bytes_and_system_messages(song: Song) -> bytes:
    stray = vlq(0) + bytes([0x45])  # a data byte with no status before it
    body = stray + song.drums(*((0, m) for m in ODD_SYSTEM))
    return midi(song.conductor(), body, tpb=song.tpb)


def alien_chunk_and_garbage(song: Song) -> bytes:
    return (header(1, 2, song.tpb) + ALIEN_CHUNK + chunk(song.conductor()) + GARBAGE
            + chunk(song.drums()) + GARBAGE)


def macbinary_header(song: Song) -> bytes:
    return b"\x00" * 128 + song.file()


def riff_wrapped(song: Song) -> bytes:
    return rmid(song.file(), after=b"LIST" + struct.pack("<I", 4) + b"INFO")


#: A second MIDI file, appended to the first.
SECOND_FILE = midi(events((0, name("PART GUITAR"))) + END)


def two_files_glued(song: Song) -> bytes:
    return song.file() + SECOND_FILE


def data_byte_above_127_in_a_note(song: Song) -> bytes:
    """The first note's velocity has its top bit set (read as 7 bits, as Clone Hero and
    YARG read it, it is the velocity it was)."""
    (tick, note, velocity), *rest = song.notes
    high = replace(song, notes=((tick, note, velocity | 0x80), *rest))
    return midi(song.conductor(), high.drums(), tpb=song.tpb)


def bad_tempo_and_meter(song: Song) -> bytes:
    bad = [(0, meta(0x51, b"\x07\xa1")), (0, meta(0x51, b"\x00\x00\x00")),
           (0, meta(0x58, b"\x00\x02\x18\x08")), (0, meta(0x58, b"\x04"))]
    return midi(events(*bad) + song.conductor(), song.drums(), tpb=song.tpb)


def unknown_type(song: Song) -> bytes:
    return header(3, 2, song.tpb) + song.file()[14:]


def header_too_short(song: Song) -> bytes:
    return header(1, 2, song.tpb, length=2) + song.file()[14:]


def header_too_long(song: Song) -> bytes:
    return header(1, 2, song.tpb, length=0x100) + song.file()[14:]


def fewer_tracks_than_the_header_says(song: Song) -> bytes:
    return header(1, 5, song.tpb) + song.file()[14:]


def more_tracks_than_the_header_says(song: Song) -> bytes:
    return header(1, 1, song.tpb) + song.file()[14:]


Quirk = Callable[[Song], bytes]
#: Each quirk maker, and what the reader says of its file, phrase by phrase (the
#: start of each phrase; none: the file is read as clean). Every file holds the same
#: notes, tempos and meters as the song's clean file.
QUIRKS: list[tuple[Quirk, list[str]]] = [
    (high_bytes_in_sysex_and_text, []),
    (running_status_across_meta_and_sysex, []),
    (type_0_header_over_two_tracks, []),
    (type_2, []),
    (riff_wrapped, []),
    (more_tracks_than_the_header_says, []),
    (no_end_of_track, ["2 track(s) without an end-of-track event"]),
    (chunk_too_long, ["1 track chunk(s) whose length is wrong"]),
    (chunk_too_short, ["1 track chunk(s) whose length is wrong",
                       "7 byte(s) outside the tracks skipped"]),
    (last_track_past_the_end, ["1 track(s) cut short by the end of the file (it may be "
                               "truncated", "1 track(s) without an end-of-track event"]),
    (stray_bytes_and_system_messages, ["1 stray data byte(s) with no status byte",
                                       "3 system message(s) that do not belong in a file"]),
    (alien_chunk_and_garbage, ["skipped unknown chunk(s) 'XFIH'",
                               f"{2 * len(GARBAGE)} byte(s) outside the tracks skipped"]),
    (macbinary_header, ["128 byte(s) before the header skipped"]),
    (two_files_glued, [f"{len(SECOND_FILE)} byte(s) after the file (a second 'MThd' header) "
                       "ignored"]),
    (data_byte_above_127_in_a_note, ["1 note(s) with a data byte above 127 read as 7 bits"]),
    (bad_tempo_and_meter, ["4 tempo or time signature event(s) of the wrong length or value"]),
    (unknown_type, ["unknown MIDI type 3 read as type 1"]),
    (header_too_short, ["header length 2 read as 6"]),
    (header_too_long, ["header length 256 read as 6"]),
    (fewer_tracks_than_the_header_says, ["the header says 5 track(s), the file has 2"]),
]


def says(quirks: tuple[str, ...] | list[str], expected: list[str]) -> bool:
    """Whether ``quirks`` are the ``expected`` phrases (each given by its start)."""
    return len(quirks) == len(expected) and all(
        q.startswith(e) for q, e in zip(quirks, expected, strict=True))


def rules_warning(warnings: list[str] | tuple[str, ...], file: str) -> list[str]:
    """The phrases of an importer's one MIDI-rules warning for ``file`` (none: no warning)."""
    prefix = f"{file} breaks the MIDI file rules; read anyway: "
    rules = [w for w in warnings if "MIDI file rules" in w]
    assert len(rules) <= 1 and all(w.startswith(prefix) for w in rules)
    return rules[0][len(prefix):].split("; ") if rules else []


@pytest.mark.parametrize(("make", "quirks"), QUIRKS, ids=[m.__name__ for m, _ in QUIRKS])
def test_quirky_files_read_like_the_clean_one(make: Quirk, quirks: list[str]) -> None:
    smf = parse_smf(make(PLAIN))
    same_as_clean(smf)
    assert says(smf.quirks, quirks), smf.quirks
    assert smf.format == {type_0_header_over_two_tracks: 0, type_2: 2}.get(make, 1)


def test_high_data_bytes_in_notes_are_read_as_seven_bits() -> None:
    smf = parse_smf(data_byte_above_127_in_a_note(PLAIN))
    assert smf.tracks[1].notes[0] == (0, 36, 100, 9)
    assert smf.tracks[1].notes[1:] == EXPECTED_NOTES[1:]
    assert smf.quirks == ("1 note(s) with a data byte above 127 read as 7 bits",)
    # in messages that are not kept (a controller value of 255), nothing to say
    volume = (0, bytes([0xB9, 0x07, 0xFF]))
    assert parse_smf(midi(PLAIN.conductor(), PLAIN.drums(volume))).quirks == ()


def test_truncated_file_keeps_what_is_there() -> None:
    data = PLAIN.file()
    for cut in (1, 5, 9, 20):
        smf = parse_smf(data[:-cut])
        notes = smf.tracks[1].notes
        assert notes == EXPECTED_NOTES[:len(notes)] and len(notes) >= len(NOTES) - cut // 3
        assert any("cut short by the end of the file" in q for q in smf.quirks)


def test_texts_keep_their_kind_and_decode_utf8_else_latin1() -> None:
    texts = [(0, meta(kind, "Café ñ".encode())) for kind in (0x01, 0x02, 0x05, 0x06, 0x07)]
    texts += [(10, meta(0x01, "[mix 3 drums0] café".encode("latin-1") + b"\xff\xfe")),
              (20, meta(0x06, b"verse\x00")), (30, meta(0x04, b"an instrument name"))]
    smf = parse_smf(midi(PLAIN.drums(*texts, (0, name("a second name")))))
    assert smf.tracks[0].texts == (
        (0, "text", "Café ñ"), (0, "copyright", "Café ñ"), (0, "lyrics", "Café ñ"),
        (0, "marker", "Café ñ"), (0, "cue_marker", "Café ñ"),
        (10, "text", "[mix 3 drums0] caféÿþ"), (20, "marker", "verse"))
    assert smf.tracks[0].name == "drums"
    assert smf.quirks == ()


def test_track_names_are_one_line() -> None:
    body = events((0, meta(0x03, b"  PART\r\n DRUMS \x00"))) + END
    assert parse_smf(midi(body)).tracks[0].name == "PART DRUMS"


# what cannot be read -----------------------------------------------------------------------
#: Files that cannot be read at all, and what the one-line error says.
UNREADABLE: list[tuple[bytes, str]] = [
    (b"", "file is empty"),
    (b"this is not MIDI at all", "not a Standard MIDI File (no 'MThd' header)"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", "not a Standard MIDI File"),
    (b"MThd\x00\x00\x00\x06\x00\x01", "truncated (it ends inside its header)"),
    (header(tpb=0xE728) + chunk(END), "SMPTE time division"),
    (header(tpb=0) + chunk(END), "0 ticks per beat"),
    (header(tracks=2) + b"\x00" * 3, "no tracks in the MIDI file (expected 'MTrk'"),
    (header(length=2), "no tracks in the MIDI file after a broken MIDI header (length 2"),
]


@pytest.mark.parametrize(("data", "message"), UNREADABLE)
def test_unreadable_files_fail_with_one_line(data: bytes, message: str) -> None:
    with pytest.raises(FormatError) as info:
        parse_smf(data, "song.mid")
    assert message in str(info.value) and info.value.path == "song.mid"
    assert "\n" not in str(info.value)


def test_read_smf_names_the_file(tmp_path: Path) -> None:
    for path, message in ((tmp_path / "missing.mid", "file not found"),
                          (tmp_path, "is a folder")):
        with pytest.raises(FormatError, match=message) as info:
            read_smf(path)
        assert info.value.path == str(path)
    (tmp_path / "a.mid").write_bytes(PLAIN.file())
    same_as_clean(read_smf(tmp_path / "a.mid"))
    same_as_clean(read_smf(str(tmp_path / "a.mid")))


def test_both_importers_name_the_file_and_what_was_overlooked(tmp_path: Path) -> None:
    """One warning each, naming the file and what the reader overlooked."""
    plain = tmp_path / "plain" / "groove.mid"
    plain.parent.mkdir()
    plain.write_bytes(no_end_of_track(PLAIN))
    _, plain_warnings = import_midi_with_report(plain)
    chart = tmp_path / "chart"
    chart.mkdir()
    song = Song(drum_track="PART DRUMS", channel=0, notes=((0, 96, 100), (10, 96, 0)))
    (chart / "notes.mid").write_bytes(no_end_of_track(song))
    chart_warnings = import_song(chart).warnings
    for warnings, file in ((plain_warnings, "groove.mid"), (chart_warnings, "notes.mid")):
        assert rules_warning(warnings, file) == ["2 track(s) without an end-of-track event"]


# hostile input -----------------------------------------------------------------------------
def damaged_copies(data: bytes, *, seed: int, count: int) -> list[bytes]:
    """``count`` copies of ``data`` cut after its header and with up to 8 bytes overwritten."""
    rng = random.Random(seed)
    copies = []
    for _ in range(count):
        b = bytearray(data[:rng.randrange(14, len(data) + 1)])
        for _ in range(rng.randint(0, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        copies.append(bytes(b))
    return copies


def test_every_prefix_and_damaged_copy_reads_or_fails_cleanly() -> None:
    """Cut anywhere or with bytes overwritten, a file gives tracks or one FormatError line
    (no other exception, no hang)."""
    data = PLAIN.file()
    read = 0
    for d in [data[:n] for n in range(len(data) + 1)] + damaged_copies(data, seed=10,
                                                                        count=2000):
        try:
            smf = parse_smf(d, "d.mid")
        except FormatError as exc:
            assert "\n" not in str(exc) and exc.path == "d.mid"
            continue
        assert smf.tracks and all("\n" not in q for q in smf.quirks)
        assert all("\n" not in t.name for t in smf.tracks)
        read += 1
    assert read > 1000


@pytest.mark.parametrize("filler", [
    b"\x80",                          # one endless delta time
    b"\x00\x40",                      # stray data bytes
    b"\x00\xf0\x81\x80\x80",          # SysEx lengths cut off
    b"MTrk\xff\xff\xff\xff",          # track tags whose length runs past the file
    b"MTrk\x00\x00\x00\x00",          # empty tracks
    b"XFIH\x00\x00\x00\x00",          # empty unknown chunks
    b"\x00\x00\xff\x13",              # garbage
])
def test_big_hostile_files_read_in_linear_time(filler: bytes) -> None:
    """Every loop consumes at least one byte; broken chunks are found in one pass."""
    for wrap in (bytes, chunk):  # between chunks, and inside a track chunk
        timings = []
        for count in (5_000, 50_000):
            t0 = time.perf_counter()
            with contextlib.suppress(FormatError):
                parse_smf(header() + wrap(filler * count))
            timings.append(time.perf_counter() - t0)
        assert timings[1] < 2.0
        assert timings[1] < 40 * timings[0] + 0.05  # 10 times the bytes: not 100 times the time
