"""A live duet with a MIDI kit, recorded, and judged again from its replay: the same result.

P1 is a humanised bot (misses and strays); P2 plays a kit on a real mido socket port
(``tcp:127.0.0.1:PORT``), sent from a thread in real time with misses, wrong pads and
timing spread. The song clock runs on ``perf_counter``, the kit's reader thread
judges each stroke on arrival under the live lock, the main thread pumps the clock
every 2 ms, exactly as ``play --headless`` does. Then ``drum-diplomacy score
SONG --replay FILE --json`` must print exactly the live report.
"""

from __future__ import annotations

import io
import json
import random
import sys
import threading
import time
from contextlib import redirect_stdout
from pathlib import Path

import mido
from mido.sockets import PortServer

from game.cli import main
from game.engine.replay import Replay
from game.engine.session import PlayerSetup
from game.engine.voices import Voice
from game.engine.windows import STANDARD
from game.formats.kitmap import load_kitmap
from game.formats.replay_file import load_replay
from game.live.kit_player import KitSetup
from game.live.live_play import LivePlay
from game.live.outputs import PlayOutputs
from game.live.sources import LIVE_LATE_INPUT_S, parse_source
from game.store.song_library import load_song

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from midi_sender import free_port

PLAYED_S = 7.0
LEAD_IN_S = 0.4
KIT_LATENCY_S = 0.02
STALL_S = 0.25
#: The Roland map's pad for each voice P2's part uses.
PADS = {Voice.SNARE: 38, Voice.TOM_HIGH: 48, Voice.TOM_MID: 45, Voice.KICK: 36}


def p2_strokes(notes, rng: random.Random) -> list[tuple[float, int, int]]:
    """(song time s, pad, velocity): most notes near their time, some skipped, some
    on the wrong pad, some extra strokes between notes."""
    out = []
    for n in notes:
        if n.time_s >= PLAYED_S - 0.3:
            break
        roll = rng.random()
        if roll < 0.15:
            continue  # a miss
        pad = PADS[n.voice] if roll > 0.25 else PADS[Voice.KICK]  # or the wrong pad
        out.append((n.time_s + rng.uniform(-0.06, 0.06), pad, rng.randint(40, 127)))
        if rng.random() < 0.15:  # a stray between notes
            out.append((n.time_s + 0.17, PADS[Voice.SNARE], 90))
    return sorted(out)


def test_a_live_duet_with_a_kit_rejudged_from_its_replay_is_identical(tmp_path: Path) -> None:
    chart = load_song("first-contact")
    setups = (PlayerSetup("p1", "expert", name="Ana"), PlayerSetup("p2", "expert", name="민수"))
    port = free_port()
    server = PortServer("127.0.0.1", port)
    strokes = p2_strokes(chart.notes("p2", "expert"), random.Random(11))
    record = tmp_path / "duet.ddreplay"
    outputs = PlayOutputs(record=str(record))
    song_zero = [time.perf_counter() + 3600.0]  # set once the kit is connected
    live = LivePlay(chart, setups, (parse_source("bot:sd=25,miss=0.15,stray=0.1,seed=5"),
                                    parse_source(f"midi:tcp:127.0.0.1:{port}")),
                    STANDARD, outputs, to_song_time=lambda perf_s: perf_s - song_zero[0],
                    kits={1: KitSetup(f"tcp:127.0.0.1:{port}", load_kitmap("roland"),
                                      latency_s=KIT_LATENCY_S)})
    done = threading.Event()
    live.start()
    try:
        # the game's kit reader connects to the kit's socket; then the song starts
        conn = None
        deadline = time.monotonic() + 20
        while conn is None and time.monotonic() < deadline:
            conn = server.accept(block=False)
            time.sleep(0.005)
        assert conn is not None, "the kit never connected"
        song_zero[0] = time.perf_counter() + LEAD_IN_S

        def play_kit() -> None:  # the kit's side of the cable, on its own thread
            for t_s, pad, velocity in strokes:
                due = song_zero[0] + t_s + KIT_LATENCY_S
                while (wait := due - time.perf_counter()) > 0 and not done.is_set():
                    time.sleep(min(wait, 0.002))
                if done.is_set():
                    return
                conn.send(mido.Message("note_on", channel=9, note=pad, velocity=velocity))
                conn.send(mido.Message("note_on", channel=9, note=pad, velocity=0))

        sender = threading.Thread(target=play_kit, name="kit-sender", daemon=True)
        live.begin()
        sender.start()
        # the main thread's loop, as play --headless runs it; once, mid-song, a frame
        # stalls for a quarter second holding the lock (a collection, a slow disk)
        # while a kit stroke waits, and the clock has moved on when it lets go
        stall_s = strokes[len(strokes) // 2][0] - 0.05
        while (now := time.perf_counter() - song_zero[0]) < PLAYED_S:
            if stall_s is not None and now >= stall_s:
                stall_s = None
                with live.lock:
                    time.sleep(STALL_S)
                    live.session.advance(time.perf_counter() - song_zero[0])
            live.pump(now)
            time.sleep(0.002)
        sender.join(timeout=30)
        assert not sender.is_alive()
        # on a busy machine the last strokes may still be on their way: wait for them
        # (in-process state, not a sleep), the clock still running
        deadline = time.monotonic() + 20
        while sum(e.player == 1 for e in outputs.events) < len(strokes) and \
                time.monotonic() < deadline:
            live.pump(time.perf_counter() - song_zero[0])
            time.sleep(0.002)
        live.finish()
        conn.close()
    finally:
        done.set()
        live.close()
        server.close()
    live_report = outputs.close(live.session)

    replay = load_replay(record)
    assert replay.settings.late_input_s == (0.0, LIVE_LATE_INPUT_S + KIT_LATENCY_S)
    assert replay.fed_at_s is not None and len(replay.fed_at_s) == len(replay.events)
    p1, p2 = live_report["players"]
    assert len(replay.events_of(1)) == len(strokes)
    margin = replay.settings.late_input_s[1]
    fed_late = [e for e, at in zip(replay.events, replay.fed_at_s, strict=True)
                if e.player == 1 and at - e.time_s > margin]
    assert fed_late, "the stalled frame should have held a stroke past its margin"
    assert p1["judgements"]["miss"] > 0 and p1["strays"] > 0
    assert p2["judgements"]["miss"] > 0 and p2["strays"] > 0 and p2["judgements"]["perfect"] > 0
    # the same result from the replay, in the engine and through the command line
    assert Replay.from_json(replay.to_json()).rejudge(chart).result() == live.session.result()
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["score", "first-contact", "--replay", str(record), "--json"]) == 0
    assert json.loads(out.getvalue()) == json.loads(json.dumps(live_report))
