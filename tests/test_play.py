"""``drum-diplomacy play``: headless runs, the window under the dummy driver, clean stops."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from game.app.play import PlayConfig, run_play
from game.cli import main
from game.util.errors import GameError


def test_headless_autoplay_whole_song_is_perfect(tmp_path):
    report = run_play(PlayConfig("first-contact", "auto", "auto", headless=True,
                                 results_json=str(tmp_path / "r.json")))
    for p in report["players"]:
        assert p["judgements"]["perfect"] == p["notes"] > 0
        assert p["judgements"]["miss"] == 0 and p["strays"] == 0
    duet = report["duet"]
    assert duet["sync_spread_ms"] == 0.0 and duet["in_sync_rate"] == 1.0
    assert duet["mean_asynchrony_ms"] == 0.0
    assert json.loads((tmp_path / "r.json").read_text()) == report


def test_headless_humanised_bot_spread(tmp_path):
    report = run_play(PlayConfig("first-contact", "auto", "bot:sd=10,seed=3", headless=True,
                                 windows="casual"))
    p2 = report["players"][1]
    assert 60 < p2["unstable_rate"] < 140  # 10 x SD(ms), a 34-second song
    # P1 is exact, so the pair's spread is P2's own spread, averaged over chords
    assert 4 < report["duet"]["sync_spread_ms"] < 12


def test_headless_record_then_score_the_replay(tmp_path, capsys):
    replay = tmp_path / "x.ddreplay"
    report = run_play(PlayConfig("first-contact", "bot:sd=20,miss=0.1,seed=1",
                                 "bot:sd=15,seed=2", headless=True, record=str(replay),
                                 input_log=str(tmp_path / "in.jsonl")))
    assert main(["score", "first-contact", "--replay", str(replay), "--layout", "keyboard5",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == report
    assert (tmp_path / "in.jsonl").read_text() == ""  # no live input captured


def test_headless_refuses_live_input():
    with pytest.raises(GameError, match="keyboard input needs"):
        run_play(PlayConfig("first-contact", "keyboard", "auto", headless=True))
    with pytest.raises(GameError, match="unknown input source"):
        run_play(PlayConfig("first-contact", "joystick", "auto", headless=True))


def _env(tmp_path):
    return {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
            "DRUM_DIPLOMACY_HOME": str(tmp_path / "home")}


def test_window_play_under_dummy_driver_writes_stats(tmp_path):
    stats, results = tmp_path / "s.json", tmp_path / "r.json"
    proc = subprocess.run(
        [sys.executable, "-m", "game", "play", "first-contact", "--p1", "auto", "--p2",
         "bot:sd=15,seed=1", "--lead-in", "0.5", "--max-seconds", "3", "--no-results",
         "--stats-json", str(stats), "--results-json", str(results)],
        env=_env(tmp_path), capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    s = json.loads(stats.read_text())
    assert s["frames"] > 60
    assert s["input_poll_interval_ms"]["p99"] < 5
    for key in ("frame_time_ms", "draw_time_ms", "flip_time_ms", "input_poll_interval_ms"):
        assert set(s[key]) == {"p50", "p99", "max"}
    r = json.loads(results.read_text())
    assert 0 < r["players"][0]["judgements"]["perfect"] < r["players"][0]["notes"]


def test_sigterm_mid_song_flushes_everything(tmp_path, capsys):
    stats, results, replay = tmp_path / "s.json", tmp_path / "r.json", tmp_path / "x.ddreplay"
    log = tmp_path / "in.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "game", "play", "first-contact", "--p1", "auto", "--p2", "auto",
         "--lead-in", "0.2", "--no-results", "--stats-json", str(stats), "--results-json",
         str(results), "--record", str(replay), "--input-log", str(log)], env=_env(tmp_path))
    time.sleep(4.0)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    r = json.loads(results.read_text())
    judged = sum(r["players"][0]["judgements"].values())
    assert 0 < judged < r["players"][0]["notes"]  # stopped mid-song, partial result kept
    assert json.loads(stats.read_text())["frames"] > 0
    # the replay holds what was played before the stop, and re-judges to the same result
    assert main(["score", "first-contact", "--replay", str(replay), "--json"]) == 0
    rejudged = json.loads(capsys.readouterr().out)
    assert rejudged["players"][0]["judgements"]["perfect"] == r["players"][0]["judgements"][
        "perfect"]
    assert log.exists()


def _autoplay_scene(audio, lead_in_s: float):
    """An App with ``audio`` and an autoplay duet of first-contact on top, in its lead-in."""
    from game.app.app import App
    from game.app.context import AppContext
    from game.app.play import setups_for
    from game.app.scenes.gameplay import GameplayScene
    from game.engine.windows import STANDARD
    from game.formats.library import load_song
    from game.live.outputs import PlayOutputs
    from game.live.sources import parse_source

    app = App(size=(640, 360), context=AppContext(audio=audio))
    chart = load_song("first-contact")
    cfg = PlayConfig("first-contact", "auto", "auto")
    scene = GameplayScene(app, chart, setups_for(chart, cfg),
                          (parse_source("auto"), parse_source("auto")), STANDARD, PlayOutputs(),
                          lead_in_s=lead_in_s)
    app.push(scene)
    return app, scene


def test_song_clock_does_not_jump_when_the_audio_starts(tmp_path, monkeypatch):
    """The lead-in clock hands over to the audio-anchored clock within a millisecond."""
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path))
    from game.audio.player import AudioPlayer

    audio = AudioPlayer()
    assert audio.open()
    play_s: list[float] = []
    real_play = audio.play

    def timed_play(*args, **kwargs):
        t = time.perf_counter()
        try:
            return real_play(*args, **kwargs)
        finally:
            play_s.append(time.perf_counter() - t)

    monkeypatch.setattr(audio, "play", timed_play)
    app, scene = _autoplay_scene(audio, lead_in_s=0.3)
    drift = []
    try:
        t_end = time.perf_counter() + 0.8
        while time.perf_counter() < t_end:
            scene.update(time.perf_counter())
            t = time.perf_counter()
            drift.append(scene.clock.to_song_time(t) - t)
            time.sleep(1 / 60)
    finally:
        app.pop()
        audio.close()
    assert scene._audio_started
    # song time runs with the wall clock: no jump (starting at the first frame past 0
    # would shift it by up to a frame, ~16 ms); re-anchoring at the audio start moves
    # it by at most the time play() itself took (a loaded VM can stall that call)
    assert len(play_s) == 1
    assert max(drift) - min(drift) < 0.005 + play_s[0], (max(drift) - min(drift), play_s)


def _wav(path, seconds: float = 2.0) -> None:
    import wave

    import numpy as np

    n = int(44100 * seconds)
    data = (np.sin(np.arange(n) * 0.05) * 8000).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(np.repeat(data, 1).tobytes())


def test_drum_stem_is_muted_while_its_player_misses(tmp_path, monkeypatch):
    """A song with stems: P1's drum stem goes silent on a miss and returns on a hit."""
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path))
    from game.app.app import App
    from game.app.context import AppContext
    from game.app.scenes.gameplay import GameplayScene
    from game.audio.player import AudioPlayer
    from game.engine.events import HitEvent
    from game.engine.session import PlayerSetup
    from game.engine.windows import STANDARD
    from game.formats.beatmap import load_beatmap
    from game.live.outputs import PlayOutputs
    from game.live.sources import parse_source

    for name in ("backing.wav", "p1.wav", "p2.wav"):
        _wav(tmp_path / name)
    beatmap = tmp_path / "stems.beatmap"
    beatmap.write_text("drum-diplomacy beatmap 1\n[song]\nid = stems\ntitle = Stems\n"
                       "stem_backing = backing.wav\nstem_p1 = p1.wav\nstem_p2 = p2.wav\n"
                       "[tempo]\n1 120 4/4\n[p1 easy]\nbar 1\nSD |x-x-|\n"
                       "[p2 easy]\nbar 1\nSD |x-x-|\n")
    chart = load_beatmap(beatmap)
    audio = AudioPlayer()
    assert audio.open()
    app = App(size=(640, 360), context=AppContext(audio=audio))
    setups = (PlayerSetup("p1", "easy"), PlayerSetup("p2", "easy"))
    scene = GameplayScene(app, chart, setups, (parse_source("keyboard"), parse_source("auto")),
                          STANDARD, PlayOutputs(), lead_in_s=0.0, folder=tmp_path)
    try:
        drums = audio.track_channel("drums:0")
        assert drums.get_volume() > 0
        notes = chart.notes("p1", "easy")
        # a hit far off the first note's window misses nothing yet; let it pass unhit
        for j in scene.session.advance(notes[0].time_s + 0.2):
            scene._judged(j)
        assert drums.get_volume() == 0.0  # missed: P1's drums go silent
        scene.live.feed(HitEvent(0, notes[1].time_s, None, 1, 100, "keyboard"))
        scene._take_judgements()
        assert drums.get_volume() > 0  # hit again: back
    finally:
        scene.close()
        audio.close()


def test_esc_during_the_lead_in_pauses_before_the_audio_starts(tmp_path, monkeypatch):
    """Esc pressed while the scene waits for the audio's start: the song pauses there
    (no audio, the clock frozen, the pause menu up); after Resume the audio starts when
    the lead-in clock reaches 0."""
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path))
    import pygame

    from game.app.scenes.pause import PauseScene
    from game.audio.player import AudioPlayer

    audio = AudioPlayer()
    assert audio.open()
    started: list[float] = []
    real_play = audio.play

    def play(*args, **kwargs):
        started.append(scene.clock.now())
        return real_play(*args, **kwargs)

    monkeypatch.setattr(audio, "play", play)
    app, scene = _autoplay_scene(audio, lead_in_s=1.0)
    # the player presses Esc: the key waits in SDL's queue for the next poll, which
    # (no app loop runs here) only the wait for the audio's start makes
    real_poll = app.poll
    pressed = []

    def poll() -> None:
        if not pressed:
            pressed.append(scene.clock.now())
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE,
                                                 mod=0, unicode="", scancode=41))
        real_poll()

    app.poll = poll  # type: ignore[method-assign]
    # a slow display (5 frames a second) makes the wait for the audio's start begin
    # 0.3 s before it, so even a busy machine polls (and reads the Esc) inside it
    app.frame_dt_s = 0.2
    try:
        deadline = time.perf_counter() + 30
        while not scene._paused and time.perf_counter() < deadline:
            scene.update(time.perf_counter())
            time.sleep(0.002)
        app.poll = real_poll  # type: ignore[method-assign]
        assert pressed and pressed[0] < 0  # Esc came during the lead-in
        assert isinstance(app.top, PauseScene)
        assert started == [] and not scene._audio_started
        frozen = scene.clock.now()
        time.sleep(0.02)
        assert scene.clock.now() == frozen  # the lead-in clock stands still while paused
        assert not scene.live.accepting
        app.top.on_event(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0,
                                            unicode="\r", scancode=40), time.perf_counter())
        assert app.top is scene and not scene._paused  # Resume
        assert scene.clock.now() >= frozen  # the lead-in goes on from where it stood
        deadline = time.perf_counter() + 30
        while not scene._audio_started and time.perf_counter() < deadline:
            scene.update(time.perf_counter())
            time.sleep(0.002)
        # the audio started once, after the resume, where the song clock stood (song
        # time 0 unless this machine stalled past it while the key was read)
        assert len(started) == 1 and started[0] >= min(frozen, 0.0) - 1e-6
    finally:
        app.pop()
        audio.close()
