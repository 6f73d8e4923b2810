"""The real game window under Xvfb, driven by real X key events (XTest).

Skipped when Xvfb or python-xlib is missing (CI installs both).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb not installed"),
]
xlib = pytest.importorskip("Xlib")

from xvfb import KeySender, virtual_display  # noqa: E402

from game.formats.library import load_song  # noqa: E402


def _wait_for_line(path: Path, pred, timeout_s: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists():
            for line in path.read_text().splitlines():
                row = json.loads(line)
                if pred(row):
                    return row
        time.sleep(0.05)
    raise AssertionError(f"no matching line in {path}")


def _env(display: str, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DISPLAY": display, "SDL_VIDEODRIVER": "x11",
            "SDL_AUDIODRIVER": "dummy", "DRUM_DIPLOMACY_HOME": str(tmp_path / "home"),
            "DRUM_DIPLOMACY_SCREENSHOTS": str(tmp_path / "shots")}


def test_play_in_a_real_window_with_xtest_keys(tmp_path):
    """P1 drums on the real keyboard (XTest) at the chart's times; P2 is autoplay."""
    chart = load_song("first-contact")
    notes = chart.notes("p1", "easy")
    keys = {"HH": "d", "SD": "f", "BD": "v"}
    results, log, stats = tmp_path / "r.json", tmp_path / "in.jsonl", tmp_path / "s.json"
    with virtual_display(display=":96") as display:
        game = subprocess.Popen(
            [sys.executable, "-m", "game", "play", "first-contact", "--p1", "keyboard",
             "--p2", "auto", "--difficulty", "easy", "--lead-in", "2", "--no-results",
             "--results-json", str(results), "--input-log", str(log), "--stats-json",
             str(stats)], env=_env(display, tmp_path))
        sender = KeySender(display)
        try:
            sender.focus(sender.find_window("Drum Diplomacy"))
            time.sleep(0.3)
            sender.tap("q")  # unbound: logged, tells us the song clock
            row = _wait_for_line(log, lambda r: r.get("key") == "q")
            perf_at_song_zero = row["t_capture"] - row["t_song"]
            sent = 0
            for note in notes[:24]:
                key = keys.get(note.voice.value)
                if key is None:
                    continue
                target = perf_at_song_zero + note.time_s
                while time.perf_counter() < target - 0.002:
                    time.sleep(0.001)
                while time.perf_counter() < target:
                    pass
                sender.tap(key, hold_s=0.005)
                sent += 1
            sender.tap("Escape")  # pause
            time.sleep(0.3)
            game.terminate()  # SIGTERM mid-song: quits cleanly, files flushed
            assert game.wait(timeout=20) == 0
        finally:
            if game.poll() is None:
                game.kill()
            sender.close()
    report = json.loads(results.read_text())
    p1 = report["players"][0]
    hits = p1["judgements"]["perfect"] + p1["judgements"]["great"] + p1["judgements"]["good"]
    # every key sent at its note's time is judged a hit (none lost, none a stray);
    # timing within Great/Perfect even on a loaded 2-core machine
    assert hits >= sent - 1, (p1, sent)
    assert p1["judgements"]["perfect"] + p1["judgements"]["great"] >= sent * 0.8, p1
    assert abs(p1["mean_offset_ms"]) < 25, p1
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    bound = [x for x in lines if x["player"] == 0]
    assert len(bound) >= sent
    assert all(x["source"] == "keyboard" and x["lane"] is not None for x in bound)
    s = json.loads(stats.read_text())
    assert s["frames"] > 60
    assert s["input_poll_interval_ms"]["p50"] < 2.0
