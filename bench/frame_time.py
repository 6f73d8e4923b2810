"""Gameplay screen benchmark: time to draw one frame.

Run: ``python bench/frame_time.py [--frames N] [--size WxH] [--names P1 P2] [--lang L]``.
Prints figures; asserts nothing. ``--names 김민수 山田はなこ --lang ko`` draws the
headers with CJK names and every word in Korean (text through the font chain).

A 1280x720 window (SDL's dummy video driver), both highways busy, every effect
on. Two charts: the demo song ``first-contact`` and a synthetic worst case,
32nd notes on every lane family (hi-hat, snare, tom, cymbal, kick) at 180 BPM
for both players (120 notes/s each). Humanised bots play both parts; their
events are fed as the song clock advances in 60 fps steps, exactly as the game
loop does, and each frame times ``view.draw(...)`` alone and with
``pygame.display.flip()``. (``take_frame()``, the copy of the session the game takes
once per frame to draw, is timed separately; then, in a loop of its
own, beside the same window worked out from scratch as every frame did before
the window was followed incrementally, ``DuetTracker.stats_from_scratch``; the
two are checked equal frame by frame.)

Targets (1280x720, densest chart): median frame <= 1.5 ms, p99 <= 3 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's game package

import pygame

from game.engine.bot import HumanBot
from game.engine.chart import Chart, Section, SongMeta, make_note, sort_notes
from game.engine.events import HitEvent, Judgement
from game.engine.frame import take_frame
from game.engine.session import LIVE_WINDOW_BEATS, Session
from game.engine.tempo import TempoMap
from game.engine.voices import Voice
from game.formats.library import load_song
from game.ui.gameplay_view import GameplayView, PlayerLook
from game.ui.i18n import set_language
from game.ui.theme import ERROR_TICKS

FPS = 60.0
RECENT_KEEP = 48
DENSE_VOICES = (Voice.HIHAT_CLOSED, Voice.SNARE, Voice.TOM_HIGH, Voice.CRASH, Voice.KICK)


def dense_chart(bpm: float = 180.0, seconds: float = 40.0) -> Chart:
    """32nd notes on all five lane families for both players; accents and ghosts mixed in."""
    tempo = TempoMap.constant(bpm)
    slots = int(seconds * bpm / 60 * 8)
    parts = {}
    for part in ("p1", "p2"):
        notes = [make_note(tempo, k / 8, v, accent=k % 8 == 0, ghost=k % 8 in (3, 5))
                 for k in range(slots) for v in DENSE_VOICES]
        parts[(part, "expert")] = sort_notes(notes)
    sections = tuple(Section(name, beat, tempo.seconds_at(beat))
                     for name, beat in (("Intro", 0.0), ("Blast", 32.0), ("Outro", 96.0)))
    return Chart(SongMeta("bench-dense", "Bench: 32nds at 180 BPM", "bench"), tempo, sections,
                 parts)


def bot_events(session: Session) -> list[HitEvent]:
    """Both players' strokes, humanised (P2 a little late and drifting), in time order."""
    events = (HumanBot(sd_ms=20, miss_rate=0.05, seed=1).play(session.notes[0], player=0)
              + HumanBot(sd_ms=20, bias_ms=12, drift_ms=8, miss_rate=0.05, seed=2).play(
                  session.notes[1], player=1))
    events.sort(key=lambda e: e.time_s)
    return events


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def run(chart: Chart, screen: pygame.Surface, frames: int, start_s: float, *,
        reference: bool = False,
        names: tuple[str, str] = ("Player One", "Player Two")) -> dict[str, float]:
    """Play ``frames`` frames from ``start_s`` and time each; returns figures in ms.

    With ``reference``, each frame's draw is replaced by one plain copy of a
    window-sized surface onto the window: the floor any full redraw pays on this
    machine at this moment (memory speed varies a lot on shared machines).
    """
    session = Session(chart)
    events = bot_events(session)
    looks = (PlayerLook(names[0], 0, ("D", "F", "S", "E", "V")),
             PlayerLook(names[1], 1, ("J", "K", "L", "I", "N")))
    view = GameplayView(session, players=looks)
    t0 = time.perf_counter()
    view.resize(screen.get_size())
    build_ms = (time.perf_counter() - t0) * 1e3
    recent: list[Judgement] = []
    nxt = 0
    draw_ms: list[float] = []
    total_ms: list[float] = []
    live_ms: list[float] = []
    notes_drawn: list[int] = []
    warmup = 30
    for f in range(frames + warmup):
        now = start_s + f / FPS
        while nxt < len(events) and events[nxt].time_s <= now:
            recent.append(session.feed(events[nxt]))
            nxt += 1
        recent.extend(session.advance(now))
        if len(recent) > RECENT_KEEP:
            del recent[:-RECENT_KEEP]
        t0 = time.perf_counter()
        frame = take_frame(session, recent_offsets=ERROR_TICKS)
        t1 = time.perf_counter()
        if reference:
            screen.blit(view.background, (0, 0))
        else:
            view.draw(screen, now, frame=frame, recent=recent,
                      countdown=-now if now < 0 else None)
        t2 = time.perf_counter()
        pygame.display.flip()
        t3 = time.perf_counter()
        if f >= warmup:
            live_ms.append((t1 - t0) * 1e3)
            draw_ms.append((t2 - t1) * 1e3)
            total_ms.append((t3 - t1) * 1e3)
            notes_drawn.append(view.notes_in_view)
    return {
        "build_ms": build_ms,
        "draw_median": statistics.median(draw_ms), "draw_p99": _pct(draw_ms, 0.99),
        "draw_max": max(draw_ms),
        "total_median": statistics.median(total_ms), "total_p99": _pct(total_ms, 0.99),
        "total_max": max(total_ms),
        "live_median": statistics.median(live_ms), "live_p99": _pct(live_ms, 0.99),
        "notes_mean": statistics.fmean(notes_drawn), "notes_max": max(notes_drawn),
        "frames": len(draw_ms), "text_cached": len(view.text),
    }


def duet_figures(chart: Chart, frames: int, start_s: float) -> dict[str, float]:
    """``session.live_duet()`` against the same window from scratch, frame by frame (no view).

    The game loop's calls (8 beats back from the clock, 60 fps steps) and, after each,
    ``DuetTracker.stats_from_scratch`` over the same window: the figures must be equal.
    Returns medians and p99s in ms. (Apart from the draw loop, so the extra work does
    not disturb its timing.)
    """
    session = Session(chart)
    events = bot_events(session)
    tempo = chart.tempo
    nxt = 0
    live_ms: list[float] = []
    scratch_ms: list[float] = []
    for f in range(frames):
        now = start_s + f / FPS
        while nxt < len(events) and events[nxt].time_s <= now:
            session.feed(events[nxt])
            nxt += 1
        session.advance(now)
        t0 = time.perf_counter()
        live = session.live_duet()
        t1 = time.perf_counter()
        again = session.duet_tracker.stats_from_scratch(
            accuracies=(session.scores[0].accuracy, session.scores[1].accuracy),
            hit_offsets=(session.scores[0].offsets, session.scores[1].offsets),
            start_s=tempo.seconds_at(tempo.beat_at(session.now_s) - LIVE_WINDOW_BEATS),
            end_s=session.now_s)
        t2 = time.perf_counter()
        if again != live:
            raise AssertionError(f"live_duet() differs from the figures from scratch at {now} s")
        live_ms.append((t1 - t0) * 1e3)
        scratch_ms.append((t2 - t1) * 1e3)
    return {"live_median": statistics.median(live_ms), "live_p99": _pct(live_ms, 0.99),
            "scratch_median": statistics.median(scratch_ms),
            "scratch_p99": _pct(scratch_ms, 0.99)}


def main() -> None:
    """Run both charts and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=2000)
    ap.add_argument("--size", default="1280x720", help="window size, WxH")
    ap.add_argument("--names", nargs=2, default=["Player One", "Player Two"],
                    metavar=("P1", "P2"), help="the players' names on the headers")
    ap.add_argument("--lang", default="en", choices=["en", "ko", "ja"],
                    help="the language of the screen's words")
    args = ap.parse_args()
    set_language(args.lang)
    names = (args.names[0], args.names[1])
    w, h = (int(v) for v in args.size.lower().split("x"))
    pygame.display.init()
    pygame.font.init()
    screen = pygame.display.set_mode((w, h))
    print(f"window {w}x{h} ({pygame.display.get_driver()} driver), {args.frames} frames "
          f"at {FPS:g} fps song-time steps; names {names[0]} / {names[1]}, "
          f"language {args.lang}")
    cases = (("first-contact (demo song)", load_song("first-contact"), -1.0),
             ("dense: 32nds x 5 lanes @ 180 BPM, both players", dense_chart(), 0.5))
    for name, chart, start in cases:
        r = run(chart, screen, args.frames, start, names=names)
        print(f"\n{name}")
        print(f"  frames {r['frames']}, notes in view per frame: mean {r['notes_mean']:.0f}, "
              f"max {r['notes_max']}; resize (pre-render) {r['build_ms']:.0f} ms; "
              f"text surfaces cached {r['text_cached']}")
        print(f"  draw        median {r['draw_median']:.3f} ms   p99 {r['draw_p99']:.3f} ms"
              f"   max {r['draw_max']:.3f} ms")
        print(f"  draw+flip   median {r['total_median']:.3f} ms   p99 {r['total_p99']:.3f} ms"
              f"   max {r['total_max']:.3f} ms")
        print(f"  (take_frame() per frame, with live_duet(), outside the view: median "
              f"{r['live_median']:.3f} ms, p99 {r['live_p99']:.3f} ms)")
        d = duet_figures(chart, args.frames, start)
        print(f"  live_duet() alone, checked equal to the window from scratch each frame: median "
              f"{d['live_median']:.3f} ms, p99 {d['live_p99']:.3f} ms; from scratch: median "
              f"{d['scratch_median']:.3f} ms, p99 {d['scratch_p99']:.3f} ms")
        ref = run(chart, screen, args.frames // 2, start, reference=True, names=names)
        print(f"  reference, same loop with the draw replaced by one full-window copy: median "
              f"{ref['draw_median']:.3f} ms (the floor of any full redraw here, right now)")
    print("\ntargets (1280x720, dense): median <= 1.5 ms, p99 <= 3 ms")
    pygame.display.quit()


if __name__ == "__main__":
    main()
