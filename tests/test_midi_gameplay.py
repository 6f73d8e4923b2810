"""A kit player in the gameplay scene: judged live, unplugged mid-song, plugged back in."""

from __future__ import annotations

import subprocess
import sys
import time

import mido
import pygame
import pytest

from game.app.app import App
from game.app.kit_player import KitSetup
from game.app.outputs import PlayOutputs
from game.app.scenes.gameplay import GameplayScene
from game.app.sources import parse_source
from game.engine.events import MISS, STRAY
from game.engine.session import PlayerSetup
from game.engine.windows import STANDARD
from game.formats.kitmap import load_kitmap
from game.formats.library import load_song
from game.input.virtual_kit import VirtualCable


def _wait(pred, timeout_s: float = 3.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not pred():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.fixture
def scene(tmp_path, monkeypatch):
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path))
    chart = load_song("first-contact")
    cable = VirtualCable("TD-11")
    app = App(size=(960, 540), services={})
    setups = (PlayerSetup("p1", "easy"), PlayerSetup("p2", "easy"))
    sc = GameplayScene(app, chart, setups, (parse_source("auto"), parse_source("midi:TD-11")),
                       STANDARD, PlayOutputs(), lead_in_s=0.0,
                       kits={1: KitSetup("TD-11", load_kitmap("roland"))},
                       kit_openers={1: cable.opener})
    # the reader retries quickly in tests
    sc.live.kits[1].reader.retry_s = 0.05
    sc.cable = cable
    try:
        yield sc
    finally:
        sc.close()


def _judged_p2(scene) -> list:
    return [j for j in scene.recent if j.player == 1]


def test_kit_strokes_are_judged_on_arrival(scene):
    kit = scene.live.kits[1]
    _wait(lambda: kit.connected)
    notes = scene.chart.notes("p2", "easy")
    first = notes[0]
    # strike the first note's voice at its time on the song clock
    wait_s = first.time_s - scene.clock.to_song_time(time.perf_counter())
    if wait_s > 0:
        time.sleep(wait_s)
    t_send = time.perf_counter()
    assert scene.cable.send(mido.Message("note_on", note=first.voice.gm_note, velocity=110,
                                         channel=9))
    _wait(lambda: _judged_p2(scene))
    j = _judged_p2(scene)[0]
    assert j.grade not in (MISS, STRAY)
    assert j.note_index == 0
    # judged at its arrival on the song clock, not at a frame
    assert abs(j.hit_time_s - scene.clock.to_song_time(t_send)) < 0.002
    # nothing is drawn yet: judging did not wait for update() or draw()
    scene.update(time.perf_counter())
    scene.draw(scene.app.screen)


def test_unplugged_kit_falls_back_to_the_keyboard_and_resumes(scene):
    kit = scene.live.kits[1]
    _wait(lambda: kit.connected)
    p2_key = scene.bindings.p2[1]  # P2's snare key
    assert not scene.live.keyboard_plays(1)
    scene.on_key_capture(p2_key, time.perf_counter())
    assert not _judged_p2(scene)  # the kit plays for P2; the key does nothing

    scene.cable.unplug()
    _wait(lambda: not kit.connected)
    assert scene.live.keyboard_plays(1)
    banners = scene._banners()
    assert banners and banners[0][0] == 1 and banners[0][2] is True
    assert "KIT NOT CONNECTED" in banners[0][1] and "playing on the keys" in banners[0][1]
    assert p2_key.upper() in banners[0][1]
    scene.update(time.perf_counter())
    scene.draw(scene.app.screen)  # the banner draws over P2's highway
    if shots := __import__("os").environ.get("DRUM_DIPLOMACY_SCREENSHOTS"):
        pygame.image.save(scene.app.screen, f"{shots}/gameplay_kit_unplugged.png")
    assert not scene.cable.send(mido.Message("note_on", note=38, velocity=90, channel=9))
    scene.on_key_capture(p2_key, time.perf_counter())
    assert len(_judged_p2(scene)) == 1  # the keyboard took over
    assert scene.live.outputs.events[-1].source == "keyboard"

    scene.cable.plug()
    _wait(lambda: kit.connected)
    assert kit.reader.connects == 2
    assert not scene.live.keyboard_plays(1)
    assert "is back" in scene._banners()[0][1]
    assert scene.cable.send(mido.Message("note_on", note=38, velocity=90, channel=9))
    _wait(lambda: len(_judged_p2(scene)) == 2)
    assert scene.live.outputs.events[-1].source == "midi"
    notices = [text for _, text in kit.notices]
    assert notices[0] == "P2 kit connected" and "lost" in notices[1] and "back" in notices[2]


def test_paused_game_ignores_the_kit(scene):
    kit = scene.live.kits[1]
    _wait(lambda: kit.connected)
    scene.pause()
    scene.cable.send(mido.Message("note_on", note=38, velocity=90, channel=9))
    time.sleep(0.05)
    assert not _judged_p2(scene)
    assert kit.monitor and kit.monitor[-1].kind == "hit"  # read and shown, not judged


def test_headless_play_with_a_kit_that_is_not_there(tmp_path):
    """No MIDI system here: the song plays, P2's notes pass, stderr says why."""
    env = {**__import__("os").environ, "DRUM_DIPLOMACY_HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "game", "play", "first-contact", "--p1", "auto", "--p2",
         "midi:tcp:127.0.0.1:9", "--headless", "--lead-in", "0", "--max-seconds", "1.5"],
        capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "P2 kit lost: cannot connect to the MIDI socket server at 127.0.0.1:9" in proc.stderr
