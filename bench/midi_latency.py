"""How long a kit's stroke takes to reach the engine, while the game draws.

Three measurements, all through real sockets on 127.0.0.1 with the sender in
its own process (``bench/midi_sender.py``), stamps on the shared
``perf_counter`` clock:

1. **floor** — a bare ``select`` + ``recv`` reader (no mido, no game): what this
   machine itself adds between a send and a wake-up.
2. **game** — the real game window (SDL dummy video driver: everything is
   drawn, nothing shown) playing a song with P2 on ``midi:tcp:...`` while
   the sender floods it with 1,000 snare strokes a second: arrival -> stamp
   (from the input log) and stamp -> judged by the engine (the game's
   stats), plus the frames it drew meanwhile.
3. **layer** — the game window drawing in this process while a virtual kit
   (a mido port fed by a "driver" thread, as RtMidi calls back) sends at the
   same rate: the layer's own arrival -> stamp -> engine, without the OS.
4. **groove** (``--groove-seconds``) — the 40 real TD-11 takes, 16 at a time
   on separate channels, through a :class:`KitPlayer`: judged time against
   the file's time.

Prints figures; asserts nothing. Usage::

    python bench/midi_latency.py [--seconds 10] [--rate 1000] [--groove-seconds 0]
"""

from __future__ import annotations

import argparse
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from midi_sender import free_port  # noqa: E402

TESTS = BENCH.parent / "tests"


def start_sender(messages: list[tuple[float, str]], tmp: Path) -> tuple[int, subprocess.Popen]:
    port = free_port()
    job = tmp / "job.json"
    job.write_text(json.dumps({"start_perf_s": None, "messages": messages}))
    proc = subprocess.Popen([sys.executable, str(BENCH / "midi_sender.py"), str(port), str(job),
                             str(tmp / "sent.json")], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "listening"
    return port, proc


def sent_times(proc: subprocess.Popen, tmp: Path, timeout_s: float) -> list[float]:
    proc.wait(timeout=timeout_s)
    return list(json.loads((tmp / "sent.json").read_text())["sent_perf_s"])


def summary(ms: list[float] | np.ndarray) -> str:
    a = np.asarray(ms, dtype=float)
    if a.size == 0:
        return "n=0"
    p50, p90, p99 = np.percentile(a, [50, 90, 99])
    return (f"n={a.size:6d}  p50 {p50:7.3f}  p90 {p90:7.3f}  p99 {p99:7.3f}  "
            f"max {a.max():8.3f} ms")


def flood(seconds: float, rate: int) -> list[tuple[float, str]]:
    import mido

    n = int(seconds * rate)
    return [(i / rate, mido.Message("note_on", note=38, velocity=20 + i % 100,
                                    channel=9).hex()) for i in range(n)]


def bench_floor(seconds: float, rate: int, tmp: Path) -> None:
    msgs = flood(seconds, rate)
    port, proc = start_sender(msgs, tmp)
    s = socket.create_connection(("127.0.0.1", port))
    stamps: list[float] = []
    need = 3 * len(msgs)
    got = 0
    while got < need:
        r, _, _ = select.select([s], [], [], 2.0)
        if not r:
            break
        t = time.perf_counter()
        data = s.recv(65536)
        if not data:
            break
        stamps += [t] * len(data)
        got += len(data)
    sent = sent_times(proc, tmp, seconds + 30)
    lat = [(stamps[3 * i] - x) * 1e3 for i, x in enumerate(sent)]
    print(f"floor  (select+recv, no game)   arrival->wake  {summary(lat)}")


def bench_game(seconds: float, rate: int, tmp: Path) -> None:
    msgs = flood(seconds, rate)
    port, proc = start_sender(msgs, tmp)
    log, stats = tmp / "in.jsonl", tmp / "stats.json"
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
           "DRUM_DIPLOMACY_HOME": str(tmp / "home")}
    game = subprocess.Popen(
        [sys.executable, "-m", "game", "play", "first-contact", "--p1", "auto", "--p2",
         f"midi:tcp:127.0.0.1:{port}", "--lead-in", "0.5", "--max-seconds", str(seconds + 2),
         "--no-results", "--input-log", str(log), "--stats-json", str(stats)], env=env,
        stderr=subprocess.DEVNULL)
    sent = sent_times(proc, tmp, seconds + 40)
    game.wait(timeout=60)
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    caps = [x["t_capture"] for x in lines if x.get("source") == "midi"]
    st = json.loads(stats.read_text())
    lost = len(sent) - len(caps)
    lat = [(c - s) * 1e3 for c, s in zip(caps, sent, strict=False)]
    e = st["midi_to_engine_ms"]
    print(f"game   ({rate}/s while drawing)   arrival->stamp {summary(lat)}   lost {lost}")
    print(f"                                 stamp->engine  n={st['midi_strokes']:6d}  "
          f"p50 {e['p50']:7.3f}  p99 {e['p99']:7.3f}  max {e['max']:8.3f} ms")
    ft = st["frame_time_ms"]
    print(f"                                 frames drawn {st['frames']}, frame time p50 "
          f"{ft['p50']} ms, p99 {ft['p99']} ms")


def bench_layer(seconds: float, rate: int, tmp: Path) -> None:
    """The game window drawing in this process, a virtual kit fed by a thread at ``rate``.

    The kit's "driver" thread calls the reader's callback as RtMidi's does, so
    arrival -> stamp -> engine is the layer's own cost while the game draws,
    without the operating system's wake-up time.
    """
    import threading

    import mido

    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ["DRUM_DIPLOMACY_HOME"] = str(tmp / "home")
    from game.app.app import App
    from game.app.context import AppContext
    from game.app.scenes.gameplay import GameplayScene
    from game.engine.session import PlayerSetup
    from game.engine.windows import STANDARD
    from game.formats.kitmap import load_kitmap
    from game.formats.library import load_song
    from game.input.virtual_kit import VirtualCable, play_messages
    from game.live.kit_player import KitSetup
    from game.live.outputs import PlayOutputs
    from game.live.sources import parse_source

    chart = load_song("first-contact")
    cable = VirtualCable("bench kit")
    outputs = PlayOutputs(input_log=str(tmp / "layer.jsonl"))
    outputs.open()
    app = App(size=(1280, 720), context=AppContext())
    scene = GameplayScene(app, chart, (PlayerSetup("p1", "expert"), PlayerSetup("p2", "easy")),
                          (parse_source("auto"), parse_source("midi:bench kit")), STANDARD,
                          outputs, lead_in_s=0.5, max_seconds=seconds + 1.5,
                          kits={1: KitSetup("bench kit", load_kitmap("roland"))},
                          kit_openers={1: cable.opener})
    n = int(seconds * rate)
    msgs = [(i / rate, mido.Message("note_on", note=38, velocity=20 + i % 100, channel=9))
            for i in range(n)]
    sent: list[float] = []

    def drive() -> None:
        scene.live.kits[1].reader.wait_connected(5.0)
        sent.extend(play_messages(cable.send, msgs, start_perf_s=time.perf_counter() + 0.8))

    sender = threading.Thread(target=drive, daemon=True)
    sender.start()
    app.run(scene)
    sender.join(timeout=seconds + 10)
    caps = [json.loads(x)["t_capture"] for x in (tmp / "layer.jsonl").read_text().splitlines()]
    lat = [(c - s) * 1e3 for c, s in zip(caps, sent, strict=False)]
    eng = [d * 1e3 for d in outputs.midi_delays_s]
    print(f"layer  ({rate}/s virtual kit, game drawing in-process)  frames {app.frames}")
    print(f"                                 arrival->stamp {summary(lat)}   lost "
          f"{len(sent) - len(caps)}")
    print(f"                                 stamp->engine  {summary(eng)}")
    arrive_to_engine = [a + b for a, b in zip(lat, eng, strict=False)]
    print(f"                                 arrival->engine {summary(arrive_to_engine)}")


def bench_groove(seconds: float, tmp: Path) -> None:
    sys.path.insert(0, str(TESTS))
    import test_midi_groove as g  # the replay the tests run, here for longer

    g.SECONDS = seconds if seconds > 0 else 1e9
    files = g.groove_files()
    vs_file: list[float] = []
    vs_sent: list[float] = []
    strokes = 0
    t0 = time.perf_counter()
    for b in range(0, len(files), 16):
        sub = tmp / f"g{b}"
        sub.mkdir()
        events, _caps, sent_s, timed = g._replay(files[b:b + 16], sub)
        expected = g._expected(timed)
        ok = [e.voice for e in events] == [v for *_, v in expected]
        strokes += len(events)
        note_sent = [s for s, (_, m) in zip(sent_s, timed, strict=True)
                     if m.type == "note_on" and m.velocity > 0]
        vs_file += [abs(e.time_s - x[0]) * 1e3 for e, x in zip(events, expected, strict=False)]
        vs_sent += [(e.time_s - s) * 1e3 for e, s in zip(events, note_sent, strict=False)]
        print(f"groove takes {b + 1}-{b + len(files[b:b + 16])}: {len(events)} of "
              f"{len(expected)} strokes, voices {'all as expected' if ok else 'DIFFER'}")
    within = float(np.mean(np.asarray(vs_file) <= 1.0))
    print(f"groove |judged - file time|  {summary(vs_file)}  ({within:.1%} within 1 ms)")
    print(f"groove judged - sent time    {summary(vs_sent)}")
    print(f"groove {strokes} strokes in {time.perf_counter() - t0:.0f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rate", type=int, default=1000, help="messages per second")
    ap.add_argument("--groove-seconds", type=float, default=None,
                    help="replay the TD-11 takes (0 = whole takes)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (tmp / "floor").mkdir()
        (tmp / "game").mkdir()
        (tmp / "layer").mkdir()
        bench_floor(args.seconds, args.rate, tmp / "floor")
        bench_game(args.seconds, args.rate, tmp / "game")
        bench_layer(args.seconds, args.rate, tmp / "layer")
        if args.groove_seconds is not None:
            (tmp / "groove").mkdir()
            bench_groove(args.groove_seconds, tmp / "groove")
    return 0


if __name__ == "__main__":
    sys.exit(main())
