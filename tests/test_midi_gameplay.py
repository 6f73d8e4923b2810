"""A kit player in the gameplay scene: judged live, unplugged mid-song, plugged back in."""

from __future__ import annotations

import subprocess
import sys
import time

import mido
import pygame
import pytest

from game.app.app import App
from game.app.context import AppContext
from game.app.scenes.gameplay import GameplayScene
from game.engine.events import MISS, STRAY
from game.engine.session import PlayerSetup
from game.engine.windows import STANDARD
from game.formats.kitmap import load_kitmap
from game.formats.library import load_song
from game.input.virtual_kit import VirtualCable
from game.live.kit_player import KitSetup
from game.live.outputs import PlayOutputs
from game.live.sources import parse_source


def _wait(pred, timeout_s: float = 30.0) -> None:
    """Wait for state another thread changes (generously: the machine may be busy)."""
    deadline = time.monotonic() + timeout_s
    while not pred():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.fixture
def scene(tmp_path, monkeypatch):
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path))
    chart = load_song("first-contact")
    cable = VirtualCable("TD-11")
    app = App(size=(960, 540), context=AppContext())
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
    scene._take_judgements()  # what update() does each frame
    return [j for j in scene.recent if j.player == 1]


def test_kit_strokes_are_judged_on_arrival(scene):
    kit = scene.live.kits[1]
    _wait(lambda: kit.connected)
    notes = scene.chart.notes("p2", "easy")
    first = notes[0]
    # strike the first note's voice at its time on the song clock: the clock is set to
    # read that time now (however long the set-up took on this machine)
    t_send = time.perf_counter()
    scene.clock.start(first.time_s + scene.clock.audio_latency_s, at_perf_s=t_send)
    assert scene.clock.to_song_time(t_send) == pytest.approx(first.time_s)
    assert scene.cable.send(mido.Message("note_on", note=first.voice.gm_note, velocity=110,
                                         channel=9))
    t_sent = time.perf_counter()
    _wait(lambda: _judged_p2(scene))
    j = _judged_p2(scene)[0]
    # judged at its arrival on the song clock (stamped while it was being sent, the
    # kit's thread being the sender's here), not at a frame
    to_song = scene.clock.to_song_time
    assert to_song(t_send) - 1e-9 <= j.hit_time_s <= to_song(t_sent) + 1e-9
    assert j.grade == STANDARD.grade_for(j.hit_time_s - first.time_s)
    if t_sent - t_send < STANDARD.good_s:  # the send took microseconds, as it does
        assert j.note_index == 0 and j.grade not in (MISS, STRAY), j
    # nothing is drawn yet: judging did not wait for update() or draw()
    scene.update(time.perf_counter())
    scene.draw(scene.app.screen)


def test_unplugged_kit_falls_back_to_the_keyboard_and_resumes(scene, monkeypatch):
    # the "back" banner shows for NOTICE_S after the kit returns: long enough here for
    # a busy machine to get from the notice to the check
    monkeypatch.setattr("game.app.scenes.gameplay.NOTICE_S", 60.0)
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
    # the status is set first, then the kit player words its notice: wait for both
    _wait(lambda: kit.connected and bool(kit.notices) and "back" in kit.notices[-1][1])
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
    shown = len(kit.monitor)
    assert scene.cable.send(mido.Message("note_on", note=38, velocity=90, channel=9))
    _wait(lambda: len(kit.monitor) > shown)  # read (and judged or not) by now
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


def test_a_failing_handler_loses_one_message_not_the_kit():
    from game.input.midi_reader import KitReader

    cable = VirtualCable()
    got = []

    def handler(msg, t):
        if msg.note == 13:
            raise OSError("disk full")
        got.append(msg.note)

    reader = KitReader("virtual", handler, opener=cable.opener).start()
    try:
        _wait(lambda: reader.connected)
        for note in (12, 13, 14):
            cable.send(mido.Message("note_on", note=note, velocity=90, channel=9))
        _wait(lambda: got == [12, 14])
        assert reader.connected and reader.connects == 1 and reader.handler_errors == 1
    finally:
        reader.close()


def test_a_bad_tcp_address_is_a_status_not_a_crash():
    from game.input.midi_reader import KitReader

    reader = KitReader("tcp:somewhere", lambda m, t: None, retry_s=0.05).start()
    try:
        _wait(lambda: reader.status == "disconnected")
        assert "tcp:HOST:PORT" in reader.why
    finally:
        reader.close()


def test_no_stroke_counts_after_the_song_ends_and_latency_widens_the_live_margin():
    from game.engine.events import HitEvent
    from game.live.live_play import LivePlay
    from game.live.sources import LIVE_LATE_INPUT_S

    chart = load_song("first-contact")
    setups = (PlayerSetup("p1", "easy"), PlayerSetup("p2", "easy"))
    kit = KitSetup("TD-11", load_kitmap("roland"), latency_s=0.2)
    live = LivePlay(chart, setups, (parse_source("auto"), parse_source("midi:TD-11")),
                    STANDARD, PlayOutputs(), to_song_time=lambda t: t, kits={1: kit},
                    openers={1: VirtualCable().opener})
    # autoplay's strokes are fed on time (no margin); the kit player's may come late
    assert live.session.settings.late_input_s == pytest.approx((0.0, LIVE_LATE_INPUT_S + 0.2))
    assert live.settings is live.session.settings
    first = chart.notes("p2", "easy")[0]
    stroke = HitEvent(1, first.time_s, first.voice, None, 100, "midi")
    assert live.feed(stroke) is None  # not accepting until the owner's clock runs
    live.accepting = True
    assert live.feed(stroke).note_index == 0
    live.finish()
    assert live.feed(stroke) is None


def test_port_names_match_without_alsa_numbers():
    from game.input.midi_ports import _match_name, same_port

    ports = ("TD-17:TD-17 MIDI 1 24:0", "Midi Through:Midi Through Port-0 14:0")
    assert _match_name("TD-17:TD-17 MIDI 1 20:0", ports) == ports[0]
    assert _match_name("td-17", ports) == ports[0]
    assert same_port("TD-17:TD-17 MIDI 1 20:0", "TD-17:TD-17 MIDI 1 24:0")
    assert not same_port("tcp:127.0.0.1:5000", "tcp:127.0.0.1:5001")


def test_headless_refuses_a_keyboard_next_to_a_kit():
    from game.app.play import PlayConfig, run_play
    from game.util.errors import GameError

    with pytest.raises(GameError, match="keyboard input needs"):
        run_play(PlayConfig("first-contact", "keyboard", "midi:tcp:127.0.0.1:9",
                            headless=True))
