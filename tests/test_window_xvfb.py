"""The real game window under Xvfb, driven by real X key events (XTest).

Skipped when Xvfb or python-xlib is missing (CI installs both).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import statistics
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

from game.app.context import STATE_LOG_ENV  # noqa: E402
from game.engine.windows import STANDARD  # noqa: E402
from game.formats.library import load_song  # noqa: E402

#: How long the game may take to show a scene on a busy machine (it is not timed).
SHOWN_S = 90.0
#: Before typing into a name field that was just opened: the game says nothing when a
#: field starts taking text, and SDL makes text of the keys it reads after that only.
FIELD_OPEN_S = 0.5


class Scenes:
    """The scenes the game says it showed, in order: its state-log test hook, read
    through a pipe the game writes to (``DRUM_DIPLOMACY_STATE_LOG=/dev/fd/N``)."""

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        self.shown: list[str] = []
        self._taken = 0
        self._partial = b""

    def launch(self, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        """Start the game with the pipe's write end as its state log."""
        try:
            return subprocess.Popen(args, env={**env, STATE_LOG_ENV: f"/dev/fd/{self._write}"},
                                    pass_fds=(self._write,))
        finally:
            os.close(self._write)  # the game holds it now

    def wait_for(self, scene: str, game: subprocess.Popen, timeout_s: float = SHOWN_S) -> None:
        """Wait until the game has shown ``scene`` (after the scenes already waited for)."""
        deadline = time.monotonic() + timeout_s
        while True:
            while self._taken < len(self.shown):
                self._taken += 1
                if self.shown[self._taken - 1] == scene:
                    return
            left = deadline - time.monotonic()
            assert left > 0, f"{scene} not shown in {timeout_s:.0f} s; shown: {self.shown}"
            if not select.select([self._read], [], [], min(left, 1.0))[0]:
                assert game.poll() is None, (
                    f"the game ended ({game.returncode}) before showing {scene}: {self.shown}")
                continue
            chunk = os.read(self._read, 4096)
            assert chunk, f"the game closed its state log before showing {scene}: {self.shown}"
            *lines, self._partial = (self._partial + chunk).split(b"\n")
            self.shown += [json.loads(line)["scene"] for line in lines if line.strip()]

    def close(self) -> None:
        os.close(self._read)


def _wait_for_line(path: Path, pred, timeout_s: float) -> dict | None:
    """The first line of the game's input log matching ``pred`` (None after ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if path.exists():
            for line in path.read_text().splitlines():
                row = json.loads(line)
                if pred(row):
                    return row
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)


def _press(sender: KeySender, *names: str, pause: float = 0.05) -> None:
    """Tap each key at a person's pace (the game reads them in order however late)."""
    for n in names:
        sender.tap(n)
        time.sleep(pause)


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
    scenes = Scenes()
    with virtual_display(display=None) as display:
        sender = KeySender(display)
        game = scenes.launch(
            [sys.executable, "-m", "game", "play", "first-contact", "--p1", "keyboard",
             "--p2", "auto", "--difficulty", "easy", "--lead-in", "2", "--no-results",
             "--results-json", str(results), "--input-log", str(log), "--stats-json",
             str(stats)], _env(display, tmp_path))
        try:
            sender.focus(sender.find_window("Drum Diplomacy"))
            scenes.wait_for("gameplay", game)
            sent = _send_chart(sender, log, notes[:24], keys)
            sender.tap("Escape")  # pause
            scenes.wait_for("pause", game)
            game.terminate()  # SIGTERM mid-song: quits cleanly, files flushed
            assert game.wait(timeout=60) == 0
        finally:
            if game.poll() is None:
                game.kill()
            sender.close()
            scenes.close()
    report = json.loads(results.read_text())
    p1 = report["players"][0]
    _check_keys_judged(p1, log, sent)
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    bound = [x for x in lines if x["player"] == 0]
    assert len(bound) >= len(sent)
    assert all(x["source"] == "keyboard" and x["lane"] is not None for x in bound)
    s = json.loads(stats.read_text())
    assert s["frames"] > 60
    poll_ms = s["input_poll_interval_ms"]["p50"]
    print(f"input polled every {poll_ms:.3f} ms (median)")
    # a sanity bound only (the figure is the bench's): input is read between frames,
    # not once a frame (Xvfb's 60 Hz)
    assert poll_ms < 1000 / 60, s["input_poll_interval_ms"]


def _paired(log: Path, sent) -> list[tuple[dict, object]]:
    """P1's logged keys, in order, each with the note it was sent for."""
    bound = [json.loads(x) for x in log.read_text().splitlines()]
    bound = [x for x in bound if x["player"] == 0]
    return list(zip(bound, sent, strict=False))


def _check_keys_judged(p1: dict, log: Path, sent) -> None:
    """Every key the game stamped within a window of its note is judged in that window.

    What counts is the game's own stamp (the input log): a loaded machine may
    deliver an XTest key late, and that key then misses, as it should. How late
    keys came is printed, not asserted.
    """
    pairs = _paired(log, sent)
    offsets = [row["t_song"] - note.time_s for row, note in pairs]
    in_time = sum(abs(o) <= STANDARD.good_s for o in offsets)
    in_great = sum(abs(o) <= STANDARD.great_s for o in offsets)
    j = p1["judgements"]
    hits = j["perfect"] + j["great"] + j["good"]
    late_ms = sorted(o * 1e3 for o in offsets)
    print(f"{len(sent)} keys sent, {in_time} stamped within Good, {hits} hits; "
          f"stamp - note median {statistics.median(late_ms):.1f} ms, "
          f"max {late_ms[-1]:.1f} ms; mean offset judged {p1['mean_offset_ms']:.1f} ms")
    assert len(sent) >= 12, len(sent)
    # a sanity bound only: most keys reach the game within the Good window
    assert in_time >= 0.5 * len(sent), (in_time, len(sent), late_ms)
    assert hits >= in_time - 1, (p1, in_time, len(sent))
    assert j["perfect"] + j["great"] >= in_great - 1, (p1, in_great)


def _song_zero(sender: KeySender, log: Path, timeout_s: float = SHOWN_S) -> float:
    """``perf_counter`` at song time 0, from an unbound key the game logged.

    Called once gameplay is shown; the key is tapped again only if the game has not
    logged it after a while (a key is lost while the song is not running yet).
    """
    deadline = time.monotonic() + timeout_s
    while True:
        assert time.monotonic() < deadline, "the game never logged a key"
        sender.tap("q")
        row = _wait_for_line(log, lambda r: r.get("key") == "q", timeout_s=5.0)
        if row is not None:
            return float(row["t_capture"] - row["t_song"])


def _send_chart(sender: KeySender, log: Path, notes, keys: dict[str, str],
                lead_s: float = 0.25) -> list:
    """Learn the song clock from an unbound key, then tap each note's key on time.

    Notes whose time is too close or already gone when the clock is known are not
    sent. The waits here are the song's timing, the thing being tested.
    """
    perf_at_song_zero = _song_zero(sender, log)
    sent = []
    for note in notes:
        key = keys.get(note.voice.value)
        if key is None:
            continue
        target = perf_at_song_zero + note.time_s
        if not sent and target < time.perf_counter() + lead_s:
            continue
        while time.perf_counter() < target - 0.002:
            time.sleep(0.001)
        while time.perf_counter() < target:
            pass
        sender.tap(key, hold_s=0.005)
        sent.append(note)
    return sent


def test_whole_game_through_the_menus(tmp_path):
    """Title -> settings -> calibrate -> song select -> setup -> play -> pause -> results.

    Real X key events all the way; P2 is set to autoplay in player setup, P1
    plays the keyboard. Each step waits for the game to say it showed the next
    scene (its state log). The finished play is found in the score database, and
    every scene's screenshot is written.
    """
    import sqlite3

    chart = load_song("first-contact")
    keys = {"HH": "d", "OH": "d", "SD": "f", "XS": "f", "T1": "s", "T2": "s", "T3": "s",
            "CR": "e", "RD": "e", "BD": "v"}
    log = tmp_path / "in.jsonl"
    scenes = Scenes()
    with virtual_display(display=None) as display:
        env = _env(display, tmp_path)
        env["DRUM_DIPLOMACY_INPUT_LOG"] = str(log)
        sender = KeySender(display)
        game = scenes.launch([sys.executable, "-m", "game"], env)
        try:
            sender.focus(sender.find_window("Drum Diplomacy"))

            def press(*names: str) -> None:
                _press(sender, *names)

            def shown(scene: str, timeout_s: float = SHOWN_S) -> None:
                scenes.wait_for(scene, game, timeout_s)

            shown("title")
            press("Down", "Return")            # Settings
            shown("settings")
            press("Escape")                    # back to the title (cursor stays on Settings)
            shown("title")
            press("Down", "Return")            # Calibrate
            shown("calibration")
            press("Escape")                    # back to the title
            shown("title")
            press("Up", "Up", "Return")        # Play -> song select
            shown("song_select")
            press("Return")                    # First Contact -> player setup
            shown("player_setup")
            press("Tab", "Down", "Down", "Right", "Right")  # P2 input: keyboard -> bot -> auto
            press("Down", "Return")            # Start!
            shown("gameplay")
            press("Escape")                    # pause (during the countdown, if still on)
            shown("pause")
            press("Escape")                    # resume
            shown("gameplay")
            sent = _send_chart(sender, log, chart.notes("p1", "normal"), keys)
            # the song ends by itself (its play saved), the results show; leave everything
            shown("results", timeout_s=chart.length_s + SHOWN_S)
            press("Return")                    # back to player setup
            shown("player_setup")
            press("Escape")
            shown("song_select")
            press("Escape")
            shown("title")
            press("Escape")                    # quit
            assert game.wait(timeout=60) == 0
        finally:
            if game.poll() is None:
                game.kill()
            sender.close()
            scenes.close()
    with sqlite3.connect(tmp_path / "home" / "scores.sqlite3") as conn:
        row = conn.execute("select song_id, p2_name, report_json from plays").fetchone()
    assert row[0] == "first-contact"
    report = json.loads(row[2])
    assert len(sent) >= 100, len(sent)
    _check_keys_judged(report["players"][0], log, sent)
    assert report["players"][1]["accuracy"] == 1.0  # autoplay
    shots = {p.stem for p in (tmp_path / "shots").glob("*.png")}
    for scene in ("title", "settings", "calibration", "song_select", "player_setup",
                  "gameplay", "pause", "results"):
        assert scene in shots, (scene, sorted(shots))


def test_names_in_any_script_typed_in_a_korean_window(tmp_path):
    """``drum-diplomacy --lang ko``: real key events type a Korean and a Japanese name in
    player setup; both are saved exactly, and the screens are drawn on the way."""
    import tomllib

    names = ("김민수", "山田はなこ")
    scenes = Scenes()
    with virtual_display(display=None) as display:
        sender = KeySender(display)
        # the names' characters get keycodes before the game reads the keymap
        sender.map_text("".join(names))
        game = scenes.launch([sys.executable, "-m", "game", "--lang", "ko"],
                             _env(display, tmp_path))

        def shown(scene: str) -> None:
            scenes.wait_for(scene, game)

        def press(*keys: str) -> None:
            _press(sender, *keys)

        def type_name(name: str) -> None:
            time.sleep(FIELD_OPEN_S)  # the field just opened takes text (see FIELD_OPEN_S)
            sender.type_text(name)

        try:
            sender.focus(sender.find_window("Drum Diplomacy"))
            shown("title")
            press("Return")                      # Play
            shown("song_select")
            press("Return")                      # the first song -> player setup
            shown("player_setup")
            press("Return", "BackSpace", "BackSpace")  # edit P1's name ("P1"), clear it
            type_name(names[0])
            press("Return", "Tab", "Return", "BackSpace", "BackSpace")
            type_name(names[1])
            press("Return", "Escape")            # done; back to song select (names saved)
            shown("song_select")
            press("Escape")
            shown("title")
            press("Escape")                      # quit
            assert game.wait(timeout=60) == 0
        finally:
            if game.poll() is None:
                game.kill()
            sender.close()
            scenes.close()
    settings = tomllib.loads((tmp_path / "home" / "settings.toml").read_text("utf-8"))
    assert (settings["players"]["p1"]["name"], settings["players"]["p2"]["name"]) == names
