"""``align``: the audio-to-chart offset measured by onset analysis.

The built-in songs are charted from the same MIDI their audio was rendered
from, so they must measure about 0 ms; a copy with ``offset_ms`` moved must
measure the move back, and ``--write`` must fix it. A strictly periodic groove
is ambiguous by construction, and the detector delay constant is re-measured
on the calibration render.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

# librosa's first call compiles numba code (30-45 s cold): cache it between runs
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "drum-diplomacy-numba"))

from game.audio.align import ONSET_BIAS_S, estimate_offset
from game.cli import main
from game.formats.beatmap import load_beatmap
from game.formats.library import song_entries

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION = ROOT / "tests" / "data" / "onset-calibration"
SONGS = [s for s in song_entries()[0] if s["audio"]]
SONG_IDS = [s["id"] for s in SONGS]
SR = 44100


def _align_json(capsys, *argv: str) -> dict:
    capsys.readouterr()
    assert main(["align", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("sid", SONG_IDS)
def test_built_in_songs_line_up(sid: str, capsys) -> None:
    doc = _align_json(capsys, sid)
    print(f"{sid}: {doc}")
    assert abs(doc["offset_ms"]) <= 2.0, doc
    assert not doc["ambiguous"], doc
    assert doc["matched"] >= 0.95 and doc["source"] == "stems p1+p2"
    assert 0.0 < doc["confidence"] <= 1.0


def _copy_song(sid: str, tmp_path: Path) -> Path:
    """The song's beatmap and audio folder under tmp_path, relative paths intact."""
    entry = next(s for s in SONGS if s["id"] == sid)
    src = Path(entry["beatmap"])
    (tmp_path / "beatmaps").mkdir()
    shutil.copytree(Path(entry["audio"]).parent, tmp_path / "audio" / sid)
    dst = tmp_path / "beatmaps" / src.name
    shutil.copy(src, dst)
    return dst


def test_shifted_offset_is_measured_and_written(tmp_path: Path, capsys) -> None:
    path = _copy_song("skyline-accord", tmp_path)
    text = path.read_text()
    assert "\noffset_ms = 0\n" in text
    path.write_text(text.replace("\noffset_ms = 0\n", "\noffset_ms = -37\n"))
    doc = _align_json(capsys, str(path))
    print(doc)
    assert abs(doc["offset_ms"] - 37.0) <= 1.5 and not doc["ambiguous"], doc

    capsys.readouterr()
    assert main(["align", str(path)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("skyline-accord: audio is +3") and "ms after the chart" in line

    assert main(["align", str(path), "--write"]) == 0
    out = capsys.readouterr().out
    assert f"wrote {path}" in out
    fixed = load_beatmap(path)
    assert abs(fixed.tempo.offset_s * 1000 - (-37.0 + doc["offset_ms"])) <= 0.1
    assert abs(fixed.tempo.offset_s * 1000) <= 1.5
    again = _align_json(capsys, str(path))
    print(again)
    assert abs(again["offset_ms"]) <= 1.5, again


BPM = 120.0
SIXTEENTH_S = 60.0 / BPM / 4
GROOVE = """drum-diplomacy beatmap 1

[song]
id = hat-grid
title = Hat Grid
audio = {audio}
offset_ms = 500

[tempo]
1       120     4/4

[p1 expert]
bars 1-2
HH |xxxxxxxxxxxxxxxx|xxxxxxxxxxxxxxxx|
bars 3-4 = 1-2
bars 5-8 = 1-4

[p2 expert]
bars 1-8 = p1 1-8
"""


def _write_groove(tmp_path: Path, audio: str) -> Path:
    path = tmp_path / "hat-grid.beatmap"
    path.write_text(GROOVE.format(audio=audio))
    return path


def _clicks(times_s: np.ndarray, length_s: float) -> np.ndarray:
    """Short decaying noise bursts (hi-hat-like) at ``times_s``, mono float32."""
    y = np.zeros(int(length_s * SR), dtype=np.float32)
    burst_n = int(0.03 * SR)
    rng = np.random.default_rng(7)
    burst = (rng.uniform(-1, 1, burst_n) * np.exp(-np.arange(burst_n) / (0.004 * SR)) * 0.5)
    for t in times_s:
        i = round(t * SR)
        y[i:i + burst_n] += burst[: len(y) - i].astype(np.float32)
    return y


def test_periodic_groove_is_ambiguous(tmp_path: Path, capsys) -> None:
    import soundfile as sf

    path = _write_groove(tmp_path, "groove.wav")
    chart = load_beatmap(path)
    times = np.array(sorted({n.time_s for n in chart.notes("p1", "expert")}))
    sf.write(tmp_path / "groove.wav", _clicks(times + SIXTEENTH_S, times[-1] + 1.5), SR)
    doc = _align_json(capsys, str(path))
    print(doc)
    assert doc["ambiguous"] and doc["confidence"] <= 0.5, doc
    gaps = [abs(abs(a - doc["offset_ms"]) - SIXTEENTH_S * 1000) for a in doc["alternatives_ms"]]
    assert gaps and min(gaps) <= 2.0, doc
    # the truth (one 16th late) is the best or one of the alternatives; a synthetic
    # noise burst's detector delay differs from the calibrated kit's by ~10 ms
    assert any(abs(x - 125.0) <= 15.0 for x in [doc["offset_ms"], *doc["alternatives_ms"]])

    assert main(["align", str(path)]) == 0
    line = capsys.readouterr().out
    assert "ambiguous: also" in line and "(a 16th note)" in line
    before = path.read_text()
    assert main(["align", str(path), "--write"]) == 1
    assert "ambiguous" in capsys.readouterr().err and path.read_text() == before


def test_errors_are_one_line(tmp_path: Path, capsys) -> None:
    import soundfile as sf

    no_audio = tmp_path / "none.beatmap"
    no_audio.write_text(GROOVE.replace("audio = {audio}\n", ""))
    capsys.readouterr()
    assert main(["align", str(no_audio)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and str(no_audio) in err and "names no audio" in err

    missing = _write_groove(tmp_path, "gone.wav")
    assert main(["align", str(missing)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "gone.wav" in err and "not found" in err

    silent = _write_groove(tmp_path, "silent.wav")
    sf.write(tmp_path / "silent.wav", np.zeros(SR * 18, dtype=np.float32), SR)
    assert main(["align", str(silent)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "no drum onsets found in" in err and "silent.wav" in err

    (tmp_path / "junk.wav").write_bytes(b"not audio at all")
    junk = _write_groove(tmp_path, "junk.wav")
    assert main(["align", str(junk)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "junk.wav" in err and "cannot read" in err


def test_onset_bias_constant_matches_the_calibration_render() -> None:
    truth = json.loads(CALIBRATION.with_suffix(".json").read_text())["onsets_s"]
    r = estimate_offset(CALIBRATION.with_suffix(".ogg"), truth, onset_bias_s=0.0)
    print(f"measured bias {r.offset_ms:.2f} ms, constant {ONSET_BIAS_S * 1e3:.2f} ms")
    assert abs(r.offset_ms - ONSET_BIAS_S * 1e3) <= 1.5
    assert r.matched >= 0.95 and not r.ambiguous
