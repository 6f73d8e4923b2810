"""Performance files ("hits"): CSV and MIDI loaders, their errors, real TD-11 takes."""

from __future__ import annotations

import os
from pathlib import Path

import mido
import pytest
from groove_data import GROOVE_DIR, needs_groove

from game.engine.events import HitEvent
from game.engine.voices import Voice
from game.formats.hits import (
    load_hits,
    load_hits_csv,
    load_hits_midi,
    load_hits_midi_with_report,
)
from game.formats.kitmap import load_kitmap
from game.util.errors import FormatError, HitsError

V = Voice
TPB = 480



def write(tmp_path: Path, text: str, name: str = "hits.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


# CSV -------------------------------------------------------------------------------
def test_csv_with_header_comments_and_blank_lines(tmp_path: Path) -> None:
    p = write(tmp_path, "# my take\ntime_s,note,velocity\n\n0.75,42\n0.5,36,110  # kick\n"
                        "  1.0 , 40 , 90 \n# end\n")
    hits = load_hits_csv(p, player=1)
    assert hits == [
        HitEvent(1, 0.5, V.KICK, None, 110, "csv"),
        HitEvent(1, 0.75, V.HIHAT_CLOSED, None, 100, "csv"),
        HitEvent(1, 1.0, V.RIMSHOT, None, 90, "csv"),
    ]


def test_csv_without_header(tmp_path: Path) -> None:
    p = write(tmp_path, "0.1,38\n0.2,22,64\n")
    hits = load_hits_csv(p, player=0)
    assert [(h.player, h.time_s, h.voice, h.velocity) for h in hits] == [
        (0, 0.1, V.SNARE, 100), (0, 0.2, V.HIHAT_CLOSED, 64)]


def test_csv_empty_file_gives_no_hits(tmp_path: Path) -> None:
    assert load_hits_csv(write(tmp_path, "time_s,note\n# nothing\n"), player=0) == []


def test_csv_kitmap_choice(tmp_path: Path) -> None:
    p = write(tmp_path, "0.1,22\n")
    assert load_hits_csv(p, player=0, kitmap="roland")[0].voice is V.HIHAT_CLOSED
    with pytest.raises(HitsError, match="not a drum in kit map 'General MIDI'"):
        load_hits_csv(p, player=0, kitmap=load_kitmap("gm"))


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("time_s,note\n0.1,36\nabc,38\n", 3,
         ["expected time_s,note[,velocity] with numbers", "'abc,38'"]),
        ("0.1,36\n0.2\n", 2, ["expected time_s,note[,velocity]"]),
        ("0.1,36,100,5\n", 1, ["expected time_s,note[,velocity]"]),
        ("0.1,36\n0.2,200\n", 2, ["note 200 out of range 0-127"]),
        ("0.1,-3\n", 1, ["out of range 0-127"]),
        ("0.1,36.5\n", 1, ["whole MIDI note number"]),
        ("# c\n0.1,60\n", 2, ["note 60 is not a drum in kit map 'Roland TD'",
                              "known notes: 22, 23, 26, 35"]),
        ("0.1,36,0\n", 1, ["velocity 0 out of range 1-127"]),
        ("0.1,36,128\n", 1, ["velocity 128 out of range 1-127"]),
        ("0.1,36,1.5\n", 1, ["velocity must be a whole number"]),
        ("0.1,36\nnan,36\n", 2, ["with numbers"]),
    ],
)
def test_csv_errors(tmp_path: Path, text: str, line: int, words: list[str]) -> None:
    p = write(tmp_path, text)
    with pytest.raises(HitsError) as info:
        load_hits_csv(p, player=0)
    err = info.value
    assert err.path == str(p)
    assert err.line == line
    assert f"line {line}" in str(err)
    for word in words:
        assert word in str(err)


def test_csv_missing_and_binary(tmp_path: Path) -> None:
    with pytest.raises(HitsError, match="not found"):
        load_hits_csv(tmp_path / "nope.csv", player=0)
    p = tmp_path / "bin.csv"
    p.write_bytes(b"\xff\xfe\xfa\x00")
    with pytest.raises(HitsError, match="not a text file"):
        load_hits_csv(p, player=0)


def test_hits_error_is_a_format_error() -> None:
    assert issubclass(HitsError, FormatError)


def test_bad_player(tmp_path: Path) -> None:
    p = write(tmp_path, "0.1,36\n")
    with pytest.raises(ValueError, match="player"):
        load_hits_csv(p, player=2)


# MIDI ------------------------------------------------------------------------------
def _save(path: Path, tracks: list[list[tuple[int, mido.Message | mido.MetaMessage]]]) -> Path:
    mid = mido.MidiFile(type=1, ticks_per_beat=TPB)
    for events in tracks:
        track = mido.MidiTrack()
        now = 0
        for tick, msg in sorted(events, key=lambda e: e[0]):
            track.append(msg.copy(time=tick - now))
            now = tick
        mid.tracks.append(track)
    mid.save(path)
    return path


def _on(tick: int, note: int, vel: int = 100, ch: int = 9) -> tuple[int, mido.Message]:
    return tick, mido.Message("note_on", channel=ch, note=note, velocity=vel)


def _seconds_reference(path: Path) -> list[tuple[float, int, int]]:
    """(time, note, velocity) of channel-9 strokes, as mido's playback sums them."""
    now, out = 0.0, []
    for msg in mido.MidiFile(path):
        now += msg.time
        if msg.type == "note_on" and msg.channel == 9 and msg.velocity > 0:
            out.append((now, msg.note, msg.velocity))
    return out


def test_midi_times_follow_the_tempo_map(tmp_path: Path) -> None:
    conductor = [(0, mido.MetaMessage("set_tempo", tempo=500_000)),
                 (2 * TPB, mido.MetaMessage("set_tempo", tempo=1_000_000))]
    drums = [_on(0, 36), _on(TPB, 38, 60), _on(2 * TPB, 42), _on(3 * TPB, 26, 127),
             _on(3 * TPB, 60), _on(3 * TPB, 38, 0), _on(TPB, 38, ch=0)]
    p = _save(tmp_path / "take.mid", [conductor, drums])
    hits, skipped = load_hits_midi_with_report(p, player=1)
    assert [(h.time_s, h.voice, h.velocity) for h in hits] == [
        (0.0, V.KICK, 100), (0.5, V.SNARE, 60), (1.0, V.HIHAT_CLOSED, 100),
        (2.0, V.HIHAT_OPEN, 127)]
    assert all(h.player == 1 and h.source == "midi" and h.lane is None for h in hits)
    assert skipped == {60: 1}
    assert load_hits_midi(p, player=1) == hits
    assert load_hits(p, player=1) == hits


def test_midi_matches_mido_playback(tmp_path: Path) -> None:
    conductor = [(0, mido.MetaMessage("set_tempo", tempo=434_783)),
                 (1000, mido.MetaMessage("set_tempo", tempo=612_345))]
    drums = [_on(t * 37 + 3, 36 + (t % 10)) for t in range(200)]
    p = _save(tmp_path / "many.mid", [conductor, drums])
    ref = [(t, n, v) for t, n, v in _seconds_reference(p) if load_kitmap("default").voice_for(n)]
    hits = load_hits_midi(p, player=0)
    assert len(hits) == len(ref)
    for h, (t, _, v) in zip(hits, ref, strict=True):
        assert abs(h.time_s - t) <= 1e-9
        assert h.velocity == v


def test_midi_errors(tmp_path: Path) -> None:
    noise = tmp_path / "noise.mid"
    noise.write_bytes(os.urandom(64).replace(b"M", b"m"))
    with pytest.raises(HitsError) as info:
        load_hits_midi(noise, player=0)
    assert info.value.path == str(noise)
    good = _save(tmp_path / "good.mid", [[_on(t * 10, 36) for t in range(300)]])
    cut = tmp_path / "cut.mid"
    cut.write_bytes(good.read_bytes()[:-200])
    with pytest.raises(HitsError, match="truncated"):
        load_hits_midi(cut, player=0)
    with pytest.raises(HitsError, match="not found"):
        load_hits_midi(tmp_path / "missing.mid", player=0)


def test_load_hits_dispatch(tmp_path: Path) -> None:
    p = write(tmp_path, "0.1,36\n")
    assert load_hits(p, player=0) == load_hits_csv(p, player=0)
    with pytest.raises(HitsError, match=r"expected \.csv"):
        load_hits(write(tmp_path, "x", "take.txt"), player=0)


# real TD-11 recordings -------------------------------------------------------------
@pytest.mark.groove
@needs_groove
def test_groove_hits_equal_mido_seconds() -> None:
    files = sorted(GROOVE_DIR.glob("drummer*/eval_session/*.mid"))
    assert len(files) == 40
    for f in files:
        ref = _seconds_reference(f)
        hits, skipped = load_hits_midi_with_report(f, player=0)
        assert skipped == {}
        assert len(hits) == len(ref) > 100
        for h, (t, note, vel) in zip(hits, ref, strict=True):
            assert abs(h.time_s - t) <= 1e-9
            assert h.velocity == vel
            assert h.voice is load_kitmap("roland").voice_for(note)
