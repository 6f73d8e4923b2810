"""Input capture error under Xvfb: real X key events (XTest) sent at known times.

Run: ``python bench/input_latency.py`` (needs xvfb and python-xlib). Prints figures.

1. The game (``drum-diplomacy play``) on the gameplay screen with a dense chart
   (P2 on autoplay, so both highways are busy), P1 on the keyboard; this script
   taps P1's hi-hat key ~300 times at random moments. Capture error = the
   game's ``t_capture`` for that key (input log) minus the time the XTest
   request was sent.
2. The same taps against a plain loop that reads events once per frame at
   60 FPS and stamps them at frame time (the usual pygame loop).
3. The X server's own delivery: time for the XTest request to be processed
   (``XSync`` round trip), the floor of what any client can see.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from xvfb import KeySender, virtual_display

TAPS = 300
BASELINE = r'''
import json, sys, time, pygame
pygame.display.init()
screen = pygame.display.set_mode((1280, 720))
pygame.display.set_caption("Baseline 60fps")
clock = pygame.time.Clock()
log = open(sys.argv[1], "w", buffering=1)
end = time.perf_counter() + float(sys.argv[2])
x = 0
while time.perf_counter() < end:
    clock.tick(60)
    t = time.perf_counter()  # stamped at frame time
    for ev in pygame.event.get():
        if ev.type == pygame.KEYDOWN:
            log.write(json.dumps({"t_capture": t, "key": pygame.key.name(ev.key)}) + "\n")
    screen.fill((10, 10, 30))
    for i in range(200):
        pygame.draw.rect(screen, (40 + i % 200, 90, 160), ((x + i * 37) % 1280, i * 3, 30, 12))
    x += 7
    pygame.display.flip()
'''


def dense_beatmap(path: Path) -> None:
    """A dense original chart: 180 BPM, 16th hats, kick and snare, fills; 60 s."""
    from game.engine.chart import Chart, SongMeta, make_note, sort_notes
    from game.engine.tempo import TempoMap
    from game.engine.voices import Voice
    from game.formats.beatmap_writer import save_beatmap

    tempo = TempoMap.constant(180)
    notes = []
    for i in range(180 * 4):  # 16ths over 45 bars
        b = i / 4
        notes.append(make_note(tempo, b, Voice.HIHAT_CLOSED, accent=i % 4 == 0))
        if i % 8 == 0:
            notes.append(make_note(tempo, b, Voice.KICK))
        if i % 8 == 4:
            notes.append(make_note(tempo, b, Voice.SNARE, accent=True))
        if i % 16 in (13, 14, 15):
            notes.append(make_note(tempo, b, Voice.TOM_FLOOR))
        if i % 64 == 0:
            notes.append(make_note(tempo, b, Voice.CRASH))
    ns = sort_notes(notes)
    chart = Chart(SongMeta("bench-dense", "Bench dense"), tempo, (),
                  {(p, d): ns for p in ("p1", "p2") for d in ("expert",)})
    save_beatmap(chart, path)


def summary(errors_s: list[float]) -> str:
    ms = sorted(e * 1e3 for e in errors_s)
    if not ms:
        return "no samples"
    p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))]
    return (f"median {statistics.median(ms):.3f} ms, p99 {p99:.3f} ms, max {ms[-1]:.3f} ms, "
            f"min {ms[0]:.3f} ms (n={len(ms)})")


def send_taps(sender: KeySender, window_title: str, n: int) -> list[tuple[float, float]]:
    win = sender.find_window(window_title)
    sender.focus(win)
    time.sleep(1.5)
    rng = random.Random(7)
    sent = []
    for _ in range(n):
        sent.append(sender.tap("d", hold_s=0.01))
        time.sleep(rng.uniform(0.02, 0.06))
    return sent


def captures(log: Path, key: str = "d") -> list[float]:
    out = []
    for line in log.read_text().splitlines():
        row = json.loads(line)
        if row.get("key") == key:
            out.append(row["t_capture"])
    return out


def main() -> None:
    """Run both loops under one Xvfb and print the figures."""
    tmp = Path(tempfile.mkdtemp(prefix="dd-latency-"))
    chart = tmp / "dense.beatmap"
    dense_beatmap(chart)
    with virtual_display() as display:
        env = {**os.environ, "DISPLAY": display, "SDL_VIDEODRIVER": "x11",
               "SDL_AUDIODRIVER": "dummy", "DRUM_DIPLOMACY_HOME": str(tmp / "home")}
        sender = KeySender(display)
        seconds = TAPS * 0.06 + 8
        # 1. the game
        game_log, stats = tmp / "game.jsonl", tmp / "stats.json"
        game = subprocess.Popen(
            [sys.executable, "-m", "game", "play", str(chart), "--p1", "keyboard", "--p2", "auto",
             "--input-log", str(game_log), "--stats-json", str(stats), "--lead-in", "1",
             "--max-seconds", str(seconds), "--no-results"], env=env)
        sent_game = send_taps(sender, "Drum Diplomacy", TAPS)
        game.wait(timeout=seconds + 30)
        # 2. the plain 60 FPS loop
        base_log = tmp / "baseline.jsonl"
        base = subprocess.Popen([sys.executable, "-c", BASELINE, str(base_log), str(seconds)],
                                env=env)
        sent_base = send_taps(sender, "Baseline 60fps", TAPS)
        base.wait(timeout=seconds + 30)
        sender.close()
    got_game = captures(game_log)
    got_base = captures(base_log)
    if len(got_game) != len(sent_game) or len(got_base) != len(sent_base):
        print(f"warning: sent {len(sent_game)}/{len(sent_base)} taps, captured "
              f"{len(got_game)}/{len(got_base)}")
    err_game = [c - s for c, (s, _) in zip(got_game, sent_game, strict=False)]
    err_base = [c - s for c, (s, _) in zip(got_base, sent_base, strict=False)]
    xrtt = [b - a for a, b in sent_game + sent_base]
    st = json.loads(stats.read_text())
    print(f"capture error, game loop (polls ~1 kHz, draws dense chart): {summary(err_game)}")
    print(f"capture error, plain loop stamping at frame time, 60 FPS: {summary(err_base)}")
    print(f"X server delivery (XTest request -> XSync returned):        {summary(xrtt)}")
    pi = st["input_poll_interval_ms"]
    for key in ("frame_time_ms", "draw_time_ms", "flip_time_ms"):
        v = st[key]
        print(f"game {key[:-3].replace('_', ' ')}: p50 {v['p50']} ms, p99 {v['p99']} ms, "
              f"max {v['max']} ms")
    print(f"game frames {st['frames']}; input poll interval p50 {pi['p50']} ms, "
          f"p99 {pi['p99']} ms, max {pi['max']} ms")
    print(f"(target: game capture error p99 <= 1 ms; files in {tmp})")


if __name__ == "__main__":
    main()
