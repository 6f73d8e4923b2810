"""The plain MIDI importer reads files as they are in the wild, byte by byte.

Every file here is written byte by byte with one quirk real files have (the
quirks other games and DAWs accept); the same notes must come out as from a
clean file, with a warning when something was dropped or guessed. Files that
cannot be used fail with one line naming the file.
"""

from __future__ import annotations

import random
import struct
from pathlib import Path

import mido
import pytest

from game.engine.errors import FormatError
from game.engine.voices import Voice
from game.formats.midi_file import read_midi_data
from game.formats.midi_import import import_midi, import_midi_with_report

V = Voice
NOTE_ON = 0x99  # channel 10
NOTE_OFF = 0x89


def vlq(n: int) -> bytes:
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def chunk(cid: bytes, body: bytes, length: int | None = None) -> bytes:
    return cid + struct.pack(">L", len(body) if length is None else length) + body


def header(fmt: int = 1, tracks: int = 1, ppq: int = 480) -> bytes:
    return chunk(b"MThd", struct.pack(">HHH", fmt, tracks, ppq))


def meta(delta: int, kind: int, body: bytes) -> bytes:
    return vlq(delta) + bytes([0xFF, kind]) + vlq(len(body)) + body


def tempo(delta: int, bpm: float) -> bytes:
    return meta(delta, 0x51, round(60e6 / bpm).to_bytes(3, "big"))


EOT = meta(0, 0x2F, b"")

#: (tick, note) of the groove every file below carries: kick, snare, hats.
GROOVE = [(0, 36), (0, 42), (1, 42), (2, 38), (2, 42), (3, 42), (4, 36), (4, 42), (5, 42),
          (6, 38), (6, 42), (7, 42)]


def groove_events(ppq: int, *, running: bool = False) -> bytes:
    """The groove as note-on/note-off pairs, 8th notes; ``running`` drops repeated
    status bytes (note-off written as note-on velocity 0, as most files do)."""
    step = ppq // 2
    out, now = b"", 0
    for tick8, note in GROOVE:
        tick = tick8 * step
        status = b"" if running and out else bytes([NOTE_ON])
        out += vlq(tick - now) + status + bytes([note, 100])
        out += vlq(0) + (b"" if running else bytes([NOTE_ON])) + bytes([note, 0])
        now = tick
    return out


def expected() -> list[tuple[float, str]]:
    return sorted((t / 2, {36: V.KICK, 38: V.SNARE, 42: V.HIHAT_CLOSED}[n].code)
                  for t, n in GROOVE)


def notes_of(path: Path) -> list[tuple[float, str]]:
    return sorted((n.beat, n.voice.code) for n in import_midi(path).notes("p1", "expert"))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def clean_file(ppq: int = 480) -> bytes:
    conductor = chunk(b"MTrk", tempo(0, 100) + EOT)
    drums = chunk(b"MTrk", meta(0, 0x03, b"drums") + groove_events(ppq) + EOT)
    return header(1, 2, ppq) + conductor + drums


def mido_refuses(data: bytes, tmp_path: Path) -> bool:
    """Whether mido alone fails on these bytes (so the quirk is a real one)."""
    p = write(tmp_path, "mido-check.mid", data)
    try:
        mido.MidiFile(p)
    except Exception:
        return True
    return False


def test_clean_file_reference(tmp_path: Path) -> None:
    f = write(tmp_path, "clean.mid", clean_file())
    assert notes_of(f) == expected()
    assert import_midi_with_report(f)[1] == ["one drum track (1 'drums'): both players play it"]


@pytest.mark.parametrize("sysex", [
    # Phase Shift / Clone Hero tap-note SysEx as Rock Band-style charts carry it: 0xFF inside
    bytes([0xF0, 0x08, 0x50, 0x53, 0x00, 0x00, 0xFF, 0x04, 0x01, 0xF7]),
    # a vendor SysEx with a checksum byte above 127
    bytes([0xF0, 0x0A, 0x41, 0x10, 0x42, 0x12, 0x40, 0x00, 0x7F, 0x00, 0xC1, 0xF7]),
])
def test_sysex_and_text_with_bytes_above_127(tmp_path: Path, sysex: bytes) -> None:
    text = meta(0, 0x01, "Café — naïve".encode()) + meta(0, 0x03, b"Schlagzeug \xe4\xf6\xfc")
    conductor = chunk(b"MTrk", vlq(0) + sysex + text + tempo(0, 100) + EOT)
    volume = vlq(0) + bytes([0xB9, 0x07, 0xFF])  # a controller value of 255, as some files have
    drums = chunk(b"MTrk", volume + groove_events(480) + EOT)
    data = header(1, 2) + conductor + drums
    assert mido_refuses(data, tmp_path)
    f = write(tmp_path, "sysex.mid", data)
    chart, warnings = import_midi_with_report(f)
    assert sorted((n.beat, n.voice.code) for n in chart.notes("p1", "expert")) == expected()
    assert chart.tempo.tempos[0].bpm == 100
    assert warnings == ["one drum track (1): both players play it"]  # nothing about the bytes


def test_missing_end_of_track(tmp_path: Path) -> None:
    conductor = chunk(b"MTrk", tempo(0, 100))
    drums = chunk(b"MTrk", groove_events(480))
    f = write(tmp_path, "no-eot.mid", header(1, 2) + conductor + drums)
    assert notes_of(f) == expected()


@pytest.mark.parametrize("ppq", [96, 120, 192, 384, 480, 960])
def test_type0_at_any_resolution(tmp_path: Path, ppq: int) -> None:
    track = chunk(b"MTrk", tempo(0, 100) + groove_events(ppq) + EOT)
    f = write(tmp_path, f"t0-{ppq}.mid", header(0, 1, ppq) + track)
    chart = import_midi(f)
    assert sorted((n.beat, n.voice.code) for n in chart.notes("p1", "expert")) == expected()
    assert chart.notes("p2", "expert") == chart.notes("p1", "expert")
    kick = next(n for n in chart.notes("p1", "expert") if n.beat == 2.0)
    assert kick.time_s == pytest.approx(1.2)  # 2 beats at 100 BPM


def test_running_status_across_meta_and_sysex(tmp_path: Path) -> None:
    body = (vlq(0) + bytes([NOTE_ON, 36, 100])
            + meta(0, 0x01, b"fill")                                   # meta between
            + vlq(240) + bytes([42, 90])                               # running status
            + vlq(0) + bytes([0xF0]) + vlq(3) + bytes([0x7E, 0x7F, 0xF7])  # SysEx between
            + vlq(240) + bytes([38, 80])                               # running status again
            + EOT)
    data = header(0, 1) + chunk(b"MTrk", body)
    assert mido_refuses(data, tmp_path)
    got = notes_of(write(tmp_path, "running.mid", data))
    assert got == [(0.0, V.KICK.code), (0.5, V.HIHAT_CLOSED.code), (1.0, V.SNARE.code)]


def test_stray_data_byte_and_system_messages(tmp_path: Path) -> None:
    body = (vlq(0) + bytes([0x40])                       # a data byte with no status
            + vlq(0) + bytes([0xF2, 0x00, 0x10])         # song position: not for files
            + groove_events(480) + EOT)
    data = header(0, 1) + chunk(b"MTrk", body)
    assert mido_refuses(data, tmp_path)
    f = write(tmp_path, "stray.mid", data)
    chart, warnings = import_midi_with_report(f)
    assert sorted((n.beat, n.voice.code) for n in chart.notes("p1", "expert")) == expected()
    assert any("no status byte" in w for w in warnings)
    assert any("system message" in w for w in warnings)


def test_note_data_byte_above_127_is_clipped(tmp_path: Path) -> None:
    body = vlq(0) + bytes([NOTE_ON, 38, 0xC8]) + vlq(480) + bytes([NOTE_ON, 36, 100]) + EOT
    data = header(0, 1) + chunk(b"MTrk", body)
    assert mido_refuses(data, tmp_path)
    chart, warnings = import_midi_with_report(write(tmp_path, "clip.mid", data),
                                              marks_only=False)
    snare = chart.notes("p1", "expert")[0]
    assert (snare.voice, snare.velocity, snare.accent) == (V.SNARE, 127, True)
    assert any("clipped 1 note" in w for w in warnings)


def test_chunk_lengths_too_long_and_too_short(tmp_path: Path) -> None:
    conductor_body = tempo(0, 100) + EOT
    drums_body = groove_events(480) + EOT
    # the conductor claims 3 bytes more than it has (overlapping the next MTrk header)
    too_long = chunk(b"MTrk", conductor_body, len(conductor_body) + 3)
    data = header(1, 2) + too_long + chunk(b"MTrk", drums_body)
    chart, _ = import_midi_with_report(write(tmp_path, "long.mid", data))
    assert sorted((n.beat, n.voice.code) for n in chart.notes("p1", "expert")) == expected()
    assert chart.tempo.tempos[0].bpm == 100
    # the drum track claims half its length, and is followed by another track
    short = chunk(b"MTrk", drums_body, len(drums_body) // 2)
    data = header(1, 3) + chunk(b"MTrk", conductor_body) + short + chunk(b"MTrk", EOT)
    chart, warnings = import_midi_with_report(write(tmp_path, "short.mid", data))
    assert sorted((n.beat, n.voice.code) for n in chart.notes("p1", "expert")) == expected()
    assert any("length is wrong" in w for w in warnings)


def test_last_track_longer_than_the_file(tmp_path: Path) -> None:
    drums = groove_events(480)
    data = header(1, 1) + chunk(b"MTrk", drums, len(drums) + 500)
    chart, warnings = import_midi_with_report(write(tmp_path, "over.mid", data))
    assert sorted((n.beat, n.voice.code) for n in chart.notes("p1", "expert")) == expected()
    assert any("cut short" in w for w in warnings)


def test_truncated_file_keeps_what_is_there(tmp_path: Path) -> None:
    data = clean_file()
    f = write(tmp_path, "cut.mid", data[: len(data) - 40])
    chart, warnings = import_midi_with_report(f)
    cut = sorted((n.beat, n.voice.code) for n in chart.notes("p1", "expert"))
    assert 0 < len(cut) < len(expected())
    assert cut == expected()[:len(cut)]
    assert any("cut short" in w and "truncated" in w for w in warnings)


def test_alien_chunks_wrong_track_count_and_trailing_garbage(tmp_path: Path) -> None:
    data = (header(1, 5) + chunk(b"XFIH", b"\x00" * 7) + chunk(b"MTrk", tempo(0, 100) + EOT)
            + chunk(b"MTrk", groove_events(480) + EOT) + b"\x00\x00\xff\x13garbage")
    chart, warnings = import_midi_with_report(write(tmp_path, "alien.mid", data))
    assert sorted((n.beat, n.voice.code) for n in chart.notes("p1", "expert")) == expected()
    assert any("'XFIH'" in w for w in warnings)
    assert any("header says 5 track(s), the file has 2" in w for w in warnings)


def test_rmid_wrapper(tmp_path: Path) -> None:
    smf = clean_file()
    riff_body = b"RMID" + b"data" + struct.pack("<L", len(smf)) + smf
    f = write(tmp_path, "wrapped.rmi", b"RIFF" + struct.pack("<L", len(riff_body)) + riff_body)
    assert notes_of(f) == expected()


def test_bad_tempo_and_meter_events_are_ignored(tmp_path: Path) -> None:
    body = (meta(0, 0x51, b"\x07\xa1") + meta(0, 0x58, b"\x00\x02\x18\x08")
            + tempo(0, 90) + groove_events(480) + EOT)
    chart, warnings = import_midi_with_report(write(tmp_path, "meta.mid",
                                                    header(0, 1) + chunk(b"MTrk", body)))
    assert [t.bpm for t in chart.tempo.tempos] == [90]
    assert any("wrong length or value" in w for w in warnings)


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", "not a Standard MIDI File"),
    (b"MThd\x00\x00\x00\x06\x00", "truncated"),
    (b"MThd\x00\x00\x00\x02\x00\x01\x00\x01\x01\xe0", "broken MIDI header"),
    (header(2, 1) + chunk(b"MTrk", EOT), "type 2"),
    (header(1, 1, 0xE728) + chunk(b"MTrk", EOT), "SMPTE"),
    (header(1, 1, 0) + chunk(b"MTrk", EOT), "0 ticks per beat"),
    (header(1, 1) + b"\x00" * 3, "no tracks"),
    (header(1, 1) + chunk(b"MTrk", tempo(0, 120) + EOT), "no drum notes"),
])
def test_unusable_files_fail_with_one_line(tmp_path: Path, data: bytes, message: str) -> None:
    f = write(tmp_path, "bad.mid", data)
    with pytest.raises(FormatError, match=message) as info:
        import_midi(f)
    assert info.value.path == str(f)
    assert "\n" not in str(info.value)


def test_every_prefix_and_damaged_copy_imports_or_fails_cleanly(tmp_path: Path) -> None:
    """Hostile input: cut anywhere or with bytes overwritten, a file either gives a
    chart or one FormatError line (no other exception, no hang)."""
    data = clean_file()
    rng = random.Random(10)
    damaged = [data[:n] for n in range(0, len(data) + 1, 3)]
    for _ in range(150):
        b = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        damaged.append(bytes(b))
    f = tmp_path / "damaged.mid"
    imported = refused = 0
    for d in damaged:
        f.write_bytes(d)
        try:
            chart, warnings = import_midi_with_report(f)
        except FormatError as exc:
            assert "\n" not in str(exc) and exc.path == str(f)
            refused += 1
            continue
        assert all(isinstance(w, str) and "\n" not in w for w in warnings)
        assert chart.notes("p1", "expert")
        imported += 1
    assert imported > 100 and refused > 10


def test_read_midi_data_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="not found") as info:
        read_midi_data(tmp_path / "missing.mid")
    assert info.value.path == str(tmp_path / "missing.mid")
