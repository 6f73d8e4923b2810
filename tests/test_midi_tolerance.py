"""The plain MIDI importer reads files as they are in the wild, byte by byte.

The quirky files are those of the reader's own test (:mod:`test_smf`), written
with a drum groove on channel 10: the same notes must come out as from the
clean file, with one warning naming the file and what was overlooked. Files
that cannot be used fail with one line naming the file.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import mido
import pytest
from test_smf import (
    END,
    PLAIN,
    QUIRKS,
    TPB,
    UNREADABLE,
    Quirk,
    chunk,
    damaged_copies,
    events,
    header,
    midi,
    rules_warning,
    says,
    tempo,
    type_2,
)

from game.engine.voices import Voice
from game.formats.midi_import import import_midi, import_midi_with_report
from game.util.errors import FormatError

V = Voice
VOICES = {36: V.KICK, 38: V.SNARE, 42: V.HIHAT_CLOSED}


def expected() -> list[tuple[float, str]]:
    return sorted((tick / TPB, VOICES[note].code) for tick, note, velocity in PLAIN.notes
                  if velocity)


def notes_of(path: Path) -> list[tuple[float, str]]:
    return sorted((n.beat, n.voice.code) for n in import_midi(path).notes("p1", "expert"))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_clean_file_reference(tmp_path: Path) -> None:
    f = write(tmp_path, "clean.mid", PLAIN.file())
    assert notes_of(f) == expected()
    assert import_midi_with_report(f)[1] == ["one drum track (1 'drums'): both players play it"]


@pytest.mark.parametrize(("make", "quirks"), [q for q in QUIRKS if q[0] is not type_2],
                         ids=[m.__name__ for m, _ in QUIRKS if m is not type_2])
def test_quirky_files_import_like_the_clean_one(tmp_path: Path, make: Quirk,
                                                quirks: list[str]) -> None:
    f = write(tmp_path, "quirk.mid", make(PLAIN))
    chart, warnings = import_midi_with_report(f)
    assert sorted((n.beat, n.voice.code) for n in chart.notes("p1", "expert")) == expected()
    assert [t.bpm for t in chart.tempo.tempos] == [120, 100]
    assert says(rules_warning(warnings, "quirk.mid"), quirks)


def test_the_quirks_are_real(tmp_path: Path) -> None:
    """mido alone refuses most of these files."""
    refused = 0
    for make, _ in QUIRKS:
        try:
            mido.MidiFile(write(tmp_path, "check.mid", make(PLAIN)))
        except Exception:
            refused += 1
    assert refused >= 10


@pytest.mark.parametrize("ppq", [96, 120, 192, 384, 480, 960])
def test_type0_at_any_resolution(tmp_path: Path, ppq: int) -> None:
    song = replace(PLAIN, tpb=ppq, tempos=((0, 100.0),),
                   notes=tuple((tick * ppq // TPB, n, v) for tick, n, v in PLAIN.notes))
    track = events((0, tempo(100))) + song.drums()
    f = write(tmp_path, f"t0-{ppq}.mid", midi(track, fmt=0, tpb=ppq))
    chart = import_midi(f)
    assert sorted((n.beat, n.voice.code) for n in chart.notes("p1", "expert")) == expected()
    assert chart.notes("p2", "expert") == chart.notes("p1", "expert")
    kick = next(n for n in chart.notes("p1", "expert") if n.beat == 1.0)
    assert kick.time_s == pytest.approx(0.6)  # 1 beat at 100 BPM


def test_note_data_byte_above_127_is_read_as_7_bits(tmp_path: Path) -> None:
    """As Clone Hero and YARG read it: velocity 0xC8 is 0x48 = 72, not 127."""
    body = events((0, bytes([0x99, 38, 0xC8])), (480, bytes([0x99, 36, 100]))) + END
    chart, warnings = import_midi_with_report(write(tmp_path, "high.mid", midi(body, fmt=0)),
                                              marks_only=False)
    snare = chart.notes("p1", "expert")[0]
    assert (snare.voice, snare.velocity, snare.accent) == (V.SNARE, 72, False)
    assert rules_warning(warnings, "high.mid") == [
        "1 note(s) with a data byte above 127 read as 7 bits"]


def test_truncated_file_keeps_what_is_there(tmp_path: Path) -> None:
    data = PLAIN.file()
    f = write(tmp_path, "cut.mid", data[: len(data) - 9])
    chart, warnings = import_midi_with_report(f)
    cut = sorted((n.beat, n.voice.code) for n in chart.notes("p1", "expert"))
    assert 0 < len(cut) < len(expected())
    assert cut == expected()[:len(cut)]
    assert any("cut short by the end of the file (it may be truncated)" in q
               for q in rules_warning(warnings, "cut.mid"))


@pytest.mark.parametrize(("data", "message"), [
    *UNREADABLE,
    (type_2(PLAIN), "type 2"),
    (header(1, 1) + chunk(events((0, tempo(120))) + END), "no drum notes"),
])
def test_unusable_files_fail_with_one_line(tmp_path: Path, data: bytes, message: str) -> None:
    f = write(tmp_path, "bad.mid", data)
    with pytest.raises(FormatError) as info:
        import_midi(f)
    assert message in str(info.value)
    assert info.value.path == str(f)
    assert "\n" not in str(info.value)


def test_every_prefix_and_damaged_copy_imports_or_fails_cleanly(tmp_path: Path) -> None:
    """Hostile input: cut anywhere or with bytes overwritten, a file either gives a
    chart or one FormatError line (no other exception, no hang)."""
    data = PLAIN.file()
    damaged = [data[:n] for n in range(0, len(data) + 1, 3)]
    damaged += damaged_copies(data, seed=10, count=150)
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
    assert imported > 40 and refused > 10
