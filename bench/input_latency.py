"""Input capture error under Xvfb: real X key events (XTest) sent at known times.

Run it against the game as a player installs it (README: ``pip install .``, no
extras; needs Debian's xvfb)::

    python3 -m venv /tmp/readme-venv && /tmp/readme-venv/bin/pip install .
    /tmp/readme-venv/bin/python bench/input_latency.py [--sdl] [--taps N]

The game is the running interpreter's: its ``drum-diplomacy`` script (else
``-m game``), started outside this checkout so the installed package is the one
that runs. Prints figures.

1. The game (``drum-diplomacy play``) on the gameplay screen with a dense chart
   (P2 on autoplay, so both highways are busy), P1 on the keyboard; this script
   taps P1's hi-hat key (bound) ~300 times at random moments. Capture error = the
   game's ``t_capture`` for that key (input log) minus the time the XTest
   request was sent. On X11 the keys are stamped by the game's capture process
   (game/input/x11_capture.py); the bench checks that it is running.
2. The same taps against a plain loop that reads events once per frame at
   60 FPS and stamps them at frame time (the usual pygame loop).
3. With ``--sdl``: the game again without the capture process
   (``DRUM_DIPLOMACY_X11_KEYS=0``: SDL events stamped by the 1 kHz poll).
4. The X server's own delivery: time for the XTest request to be processed
   (``XSync`` round trip), the floor of what any client can see.
"""

from __future__ import annotations

import argparse
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


def send_taps(sender: KeySender, win: int, n: int) -> list[tuple[float, float]]:
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


def matched(sent: list[tuple[float, float]],
            got: list[float]) -> tuple[list[tuple[float, float, float]], int]:
    """Each tap with its capture: the first capture at or after its send and before the
    next tap's send (taps are >= 30 ms apart). Returns (t_sent, t_synced, t_capture)
    per tap found, and how many were not found."""
    got = sorted(got)
    out, missed, j = [], 0, 0
    for i, (t_sent, t_synced) in enumerate(sent):
        t_next = sent[i + 1][0] if i + 1 < len(sent) else float("inf")
        while j < len(got) and got[j] < t_sent:
            j += 1
        if j < len(got) and got[j] < t_next:
            out.append((t_sent, t_synced, got[j]))
            j += 1
        else:
            missed += 1
    return out, missed


def errors(sent: list[tuple[float, float]], got: list[float]) -> tuple[list[float], int]:
    """Each tap's capture error (capture minus send), and how many taps were not found."""
    taps, missed = matched(sent, got)
    return [c - s for s, _, c in taps], missed


def attribution(sent: list[tuple[float, float]], got: list[float]) -> list[str]:
    """Where the late taps were late: in the X server, or after it.

    The X server hands the key event to every client that selected it when it
    handles the XTest request, and sends it out in the same pass as (or before)
    its answer to the sender's XSync that follows; so ``t_capture - t_synced``
    above zero is time the capture took after the server had answered (an upper
    bound of the capture's own share, give or take the sender's own wake-up).
    """
    taps, _ = matched(sent, got)
    late = [(s, y, c) for s, y, c in taps if c - s > 0.001]
    slow_x = sum(y - s > 0.001 for s, y, _ in late)
    return [
        f"  taps captured > 1 ms after sending: {len(late)} of {len(taps)}; "
        f"of those, the X round trip itself (XTest + XSync) took > 1 ms: {slow_x}",
        f"  capture stamp minus XSync return (the capture's own share at most; "
        f"negative = before the sender heard back): {summary([c - y for _, y, c in taps])}"]


def game_command() -> list[str]:
    """The running interpreter's game: its ``drum-diplomacy`` script, else ``-m game``."""
    script = Path(sys.executable).with_name("drum-diplomacy")
    return [str(script)] if script.exists() else [sys.executable, "-m", "game"]


def installed_game(cwd: Path) -> str:
    """Where the running interpreter's ``game`` package is, and whether python-xlib is there."""
    code = ("import importlib.util, game; "
            "print(game.__file__, 'python-xlib', "
            "'yes' if importlib.util.find_spec('Xlib') else 'MISSING')")
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


def capture_children(pid: int) -> list[int]:
    """The game's key capture processes (children running game.input.x11_capture)."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid and b"game.input.x11_capture" in cmd:
            out.append(int(proc.name))
    return out


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far (``/proc/stat``)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, sum(fields)


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> str:
    """The machine's CPU use between two :func:`cpu_ticks` (this bench, the game,
    Xvfb and anything else running), as a percentage of all its CPUs."""
    total = after[1] - before[1]
    return f"{100 * (after[0] - before[0]) / total:.0f} %" if total else "?"


def scheduling(pid: int) -> str:
    """How process ``pid`` is scheduled: its policy and nice value (``/proc``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return "gone"
    policy = {0: "normal", 1: "SCHED_FIFO", 2: "SCHED_RR", 3: "batch", 5: "idle"}
    # fields[0] is the state (field 3 of stat): nice is field 19, policy field 41
    return f"{policy.get(int(fields[38]), fields[38])}, nice {fields[16]}"


def run_game(cmd: list[str], env: dict[str, str], tmp: Path, chart: Path, sender: KeySender,
             taps: int, seconds: float,
             tag: str) -> tuple[list[tuple[float, float]], Path, Path, list[tuple[int, str]]]:
    log, stats = tmp / f"{tag}.jsonl", tmp / f"{tag}-stats.json"
    game = subprocess.Popen(
        [*cmd, "play", str(chart), "--p1", "keyboard", "--p2", "auto",
         "--input-log", str(log), "--stats-json", str(stats), "--lead-in", "1",
         "--max-seconds", str(seconds), "--no-results"], env=env, cwd=tmp)
    try:
        win = sender.find_window("Drum Diplomacy")
        ticks = cpu_ticks()
        sent = send_taps(sender, win, taps)
        print(f"  machine CPU busy while tapping the game ({tag}): "
              f"{busy_share(ticks, cpu_ticks())}")
        # still there after the taps, and how it is scheduled
        children = [(pid, scheduling(pid)) for pid in capture_children(game.pid)]
        game.wait(timeout=seconds + 30)
    finally:
        if game.poll() is None:
            game.kill()
    return sent, log, stats, children


def main() -> None:
    """Run the loops under one Xvfb and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--taps", type=int, default=TAPS)
    ap.add_argument("--sdl", action="store_true",
                    help="also run the game without its capture process (SDL stamps)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dd-latency-"))
    chart = tmp / "dense.beatmap"
    dense_beatmap(chart)
    cmd = game_command()
    print(f"game: {' '.join(cmd)}  ({installed_game(tmp)})")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    with virtual_display() as display:
        env = {**os.environ, "DISPLAY": display, "SDL_VIDEODRIVER": "x11",
               "SDL_AUDIODRIVER": "dummy", "DRUM_DIPLOMACY_HOME": str(tmp / "home")}
        env.pop("PYTHONPATH", None)
        env.pop("DRUM_DIPLOMACY_X11_KEYS", None)
        sender = KeySender(display)
        seconds = args.taps * 0.06 + 8
        # 1. the game, keys stamped by its capture process
        sent_game, game_log, stats, children = run_game(cmd, env, tmp, chart, sender,
                                                        args.taps, seconds, "game")
        # 2. the plain 60 FPS loop
        base_log = tmp / "baseline.jsonl"
        base = subprocess.Popen([sys.executable, "-c", BASELINE, str(base_log), str(seconds)],
                                env=env, cwd=tmp)
        win = sender.find_window("Baseline 60fps")
        ticks = cpu_ticks()
        sent_base = send_taps(sender, win, args.taps)
        print(f"  machine CPU busy while tapping the plain loop: {busy_share(ticks, cpu_ticks())}")
        base.wait(timeout=seconds + 30)
        # 3. the game without the capture process
        if args.sdl:
            sent_sdl, sdl_log, _, _ = run_game(cmd, {**env, "DRUM_DIPLOMACY_X11_KEYS": "0"},
                                               tmp, chart, sender, args.taps, seconds, "sdl")
        sender.close()
    game_captures = captures(game_log)
    err_game, miss_game = errors(sent_game, game_captures)
    why_game = attribution(sent_game, game_captures)
    err_base, miss_base = errors(sent_base, captures(base_log))
    xrtt = [b - a for a, b in sent_game + sent_base]
    st = json.loads(stats.read_text())
    running = (", ".join(f"yes, pid {pid} ({sched})" for pid, sched in children)
               if children else "NO")
    print(f"capture process running in the game after the taps: {running}")
    print(f"capture error, game with its capture process (dense chart): {summary(err_game)}"
          + (f", {miss_game} taps not found" if miss_game else ""))
    print("\n".join(why_game))
    print(f"capture error, plain loop stamping at frame time, 60 FPS:    {summary(err_base)}"
          + (f", {miss_base} taps not found" if miss_base else ""))
    if args.sdl:
        err_sdl, miss_sdl = errors(sent_sdl, captures(sdl_log))
        print(f"capture error, game stamping SDL events (no capture process): {summary(err_sdl)}"
              + (f", {miss_sdl} taps not found" if miss_sdl else ""))
    print(f"X server delivery (XTest request -> XSync returned):          {summary(xrtt)}")
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
