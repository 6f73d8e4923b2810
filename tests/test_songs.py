"""The built-in songs: charts, audio files and how they line up.

The songs are composed as MIDI (``assets/arrangements``), rendered by
``tools/render_songs.py`` and charted from the same MIDI. These tests check
what can be checked without listening: every chart loads, plays perfectly on
autoplay and gets harder Easy -> Expert; every audio file decodes, plays
through pygame.mixer, is as long as its chart, loud enough, never clips and
matches the other songs' loudness; and each player's drum stem has an audible
onset at every chart note (librosa onset detection, its delay measured on a
render of known hit times).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
# librosa's first call compiles numba code (30-45 s cold): cache it between runs
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "drum-diplomacy-numba"))

from loudness import integrated_lufs  # noqa: E402

from game.app.play import PlayConfig, run_play  # noqa: E402
from game.cli import main  # noqa: E402
from game.formats.library import load_song, song_entries  # noqa: E402

DIFFS = ("easy", "normal", "hard", "expert")
TARGET_LUFS = -18.0
CALIBRATION = ROOT / "tests" / "data" / "onset-calibration"
HOP = 128


def _songs() -> list[dict]:
    songs, errors = song_entries()
    assert not errors
    return [s for s in songs if s["stems"]]


SONGS = _songs()
SONG_IDS = [s["id"] for s in SONGS]


def test_three_original_songs_with_tempo_variety() -> None:
    assert len(SONGS) >= 3
    bpms = sorted(min(np.atleast_1d(s["bpm"])) for s in SONGS)
    assert bpms[0] <= 100 and any(108 <= b <= 118 for b in bpms) and bpms[-1] >= 124
    # at least one tempo or time-signature change across the set
    assert any(isinstance(s["bpm"], list) or isinstance(s["meter"], list) for s in SONGS)
    for s in SONGS:
        assert 90 <= s["length_s"] <= 180, s
        assert s["artist"] == "Drum Diplomacy"
        assert set(s["stems"]) == {"backing", "p1", "p2"}
        assert s["preview_s"] > 0


def test_validate_songs_json_and_song_ids(capsys) -> None:
    assert main(["validate", str(ROOT / "assets" / "beatmaps")]) == 0
    capsys.readouterr()
    assert main(["songs", "--json"]) == 0
    listed = {s["id"]: s for s in json.loads(capsys.readouterr().out)["songs"]}
    for sid in SONG_IDS:
        s = listed[sid]
        assert Path(s["audio"]).is_file() and all(Path(p).is_file() for p in s["stems"].values())
        assert s["length_s"] > 0 and s["bpm"]
        assert set(s["difficulties"]["p1"]) == set(DIFFS) == set(s["difficulties"]["p2"])
        assert main(["validate", sid]) == 0


def test_every_command_takes_a_song_id(tmp_path, capsys) -> None:
    sid = SONG_IDS[0]
    assert main(["score", sid, "--p1", "auto", "--p2", "auto", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["song"]["id"] == sid
    assert main(["export", sid, "-o", str(tmp_path / "x.mid")]) == 0
    assert (tmp_path / "x.mid").stat().st_size > 0


@pytest.mark.parametrize("sid", SONG_IDS)
def test_autoplay_is_perfect_and_ratings_climb(sid: str) -> None:
    chart = load_song(sid)
    for diff in DIFFS:
        report = run_play(PlayConfig(sid, "auto", "auto", difficulty=diff, headless=True))
        for p in report["players"]:
            assert p["accuracy"] == 1.0 and p["judgements"]["miss"] == 0, (diff, p)
    entry = next(s for s in SONGS if s["id"] == sid)
    for part in ("p1", "p2"):
        ratings = [entry["difficulties"][part][d] for d in DIFFS]
        assert ratings == sorted(ratings) and len(set(ratings)) == 4, (part, ratings)
        easy = chart.notes(part, "easy")
        voices = {n.voice.code for n in easy}
        assert voices <= {"BD", "SD"}, (part, voices)  # a beginner's two lanes
        beats = [n.beat for n in easy]
        assert all(abs(b - round(b)) < 1e-6 for b in beats)  # on the beat


def _audio_files() -> list[Path]:
    return [Path(p) for s in SONGS for p in [s["audio"], *s["stems"].values()]]


def test_audio_levels_lengths_and_size() -> None:
    import soundfile as sf

    total = sum(f.stat().st_size for f in (ROOT / "assets").rglob("*") if f.is_file())
    assert total < 40 * 2**20, f"assets are {total / 2**20:.1f} MiB"
    mix_lufs = []
    for s in SONGS:
        chart = load_song(s["id"])
        info = sf.info(s["audio"])
        for path in [s["audio"], *s["stems"].values()]:
            data, sr = sf.read(path, dtype="float32", always_2d=True)
            assert sr == 44100 and data.shape[1] == 2
            assert abs(len(data) - info.frames) <= 2048, path  # stems as long as the mix
            assert len(data) / sr >= chart.length_s, path
            peak_db = 20 * np.log10(float(np.max(np.abs(data))))
            assert peak_db <= -0.5, (path, peak_db)  # no clipping, headroom kept
            assert integrated_lufs(data, sr) > -40, path  # not silent
        mix, sr = sf.read(s["audio"], dtype="float32", always_2d=True)
        mix_lufs.append(integrated_lufs(mix, sr))
    assert max(mix_lufs) - min(mix_lufs) <= 1.0, mix_lufs  # loudness-matched
    assert all(abs(x - TARGET_LUFS) <= 1.5 for x in mix_lufs), mix_lufs


def test_audio_plays_through_pygame_mixer() -> None:
    import pygame

    pygame.mixer.init(44100, -16, 2, 512)
    try:
        for path in _audio_files():
            sound = pygame.mixer.Sound(str(path))
            assert sound.get_length() > 90
            channel = sound.play()
            assert channel is not None and channel.get_busy()
            channel.stop()
    finally:
        pygame.mixer.quit()


@pytest.fixture(scope="module")
def onset_bias_s() -> float:
    """librosa's onset delay, measured on a render of known hit times."""
    truth = np.array(json.loads(CALIBRATION.with_suffix(".json").read_text())["onsets_s"])
    found = _onsets(CALIBRATION.with_suffix(".ogg"))
    delays = np.array([found[np.argmin(np.abs(found - t))] - t for t in truth])
    assert np.mean(np.abs(delays) < 0.03) >= 0.95  # it finds the hits
    bias = float(np.median(delays))
    print(f"onset bias at hop {HOP}: {bias * 1e3:.2f} ms")
    assert 0.0 <= bias <= 0.03
    return bias


def _onsets(path: Path) -> np.ndarray:
    import librosa

    y, sr = librosa.load(str(path), sr=None, mono=True)
    return np.asarray(librosa.onset.onset_detect(y=y, sr=sr, hop_length=HOP, units="time",
                                                 backtrack=False))


@pytest.mark.slow
@pytest.mark.parametrize("sid", SONG_IDS)
def test_drum_stems_line_up_with_the_charts(sid: str, onset_bias_s: float) -> None:
    chart = load_song(sid)
    entry = next(s for s in SONGS if s["id"] == sid)
    for part in ("p1", "p2"):
        found = _onsets(Path(entry["stems"][part])) - onset_bias_s
        times = sorted({round(n.time_s, 4) for n in chart.notes(part, "expert")})
        offsets_ms = [abs(found[np.argmin(np.abs(found - t))] - t) * 1e3 for t in times]
        med = statistics.median(offsets_ms)
        within = float(np.mean(np.array(offsets_ms) <= 20.0))
        print(f"{sid} {part}: {len(times)} note times, median |offset| {med:.2f} ms, "
              f"{within:.1%} within 20 ms")
        assert med <= 5.0
        assert within >= 0.95


def test_arrangements_pass_their_checks() -> None:
    """Playable parts (at most 3 notes at once, no same-drum flams), lengths, unison."""
    import subprocess

    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "check_arrangements.py")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all 3 arrangements OK" in proc.stdout
