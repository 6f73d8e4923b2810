"""The native ``.beatmap`` format at full size: write, parse and ``score`` a one-hour duet.

Run: ``python bench/beatmap_speed.py [--minutes 60] [--runs 3]``. Builds (in memory,
then in a temporary folder) a two-player chart of that length, like a real chart:
a dense mix of 16th-note and triplet grooves with sextuplet fills, ghost notes,
accents, a few notes with their own velocity and a few off every grid, tempo
changes (some mid-bar), 3/4 and 7/8 bars, sections, and all four difficulties of
both parts (Hard, Normal and Easy reduced from Expert as the importers do).
Prints: the write time, the parse time, and the wall time of the whole command
``drum-diplomacy score BEATMAP --p1 auto --p2 auto`` on it.
Targets (issue 10): parse <= 0.3 s; ``score`` <= 2 s. Asserts nothing.

:func:`duet_chart` is also the generator of the round-trip test (a few minutes).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's game package

from game.engine.chart import Chart, Note, Section, SongMeta, make_note, sort_notes  # noqa: E402
from game.engine.reduce import reduce_notes  # noqa: E402
from game.engine.tempo import MeterChange, TempoChange, TempoMap  # noqa: E402
from game.engine.voices import Voice  # noqa: E402
from game.formats.beatmap import parse_beatmap  # noqa: E402
from game.formats.beatmap_writer import write_beatmap  # noqa: E402

#: Bars per phrase; each phrase has its own tempo and a section name.
PHRASE_BARS = 16
PHRASE_BPMS = (150.0, 142.0, 160.0, 128.0, 174.0, 151.5, 136.0, 165.0)
SECTION_NAMES = ("Intro", "Verse", "Pre-chorus", "Chorus", "Bridge", "Solo", "Breakdown")

_H = Voice.HIHAT_CLOSED
_TOMS = (Voice.TOM_HIGH, Voice.TOM_MID, Voice.TOM_FLOOR, Voice.SNARE)


def _meter_of(bar: int) -> tuple[int, int]:
    """4/4, but every fourth phrase is in 3/4 and every third ends on a 7/8 bar."""
    phrase, inside = divmod(bar - 1, PHRASE_BARS)
    if phrase % 4 == 3:
        return 3, 4
    if phrase % 3 == 2 and inside == PHRASE_BARS - 1:
        return 7, 8
    return 4, 4


def _tempo_map(minutes: float) -> tuple[TempoMap, int]:
    """Tempo and meter changes until the song is ``minutes`` long; the map and bar count."""
    tempos: list[TempoChange] = []
    meters: list[MeterChange] = []
    beat = 0.0
    seconds = 0.0
    bar = 1
    bpm = PHRASE_BPMS[0]
    while seconds < minutes * 60:
        phrase, inside = divmod(bar - 1, PHRASE_BARS)
        meter = _meter_of(bar)
        if not meters or (meters[-1].numerator, meters[-1].denominator) != meter:
            meters.append(MeterChange(bar, *meter))
        length = meter[0] * 4 / meter[1]
        if inside == 0:
            bpm = PHRASE_BPMS[phrase % len(PHRASE_BPMS)]
            tempos.append(TempoChange(beat, bpm))
        if inside == 8 and phrase % 2 == 1:  # a push mid-phrase, on beat 3
            bpm += 4.0
            tempos.append(TempoChange(beat + 2.0, bpm))
        seconds += length * 60 / bpm
        beat += length
        bar += 1
    return TempoMap(tempos, meters, offset_s=0.0373), bar - 1


def _grid(tempo: TempoMap, bar: int, cells: int, k: int) -> float:
    """Beat of cell ``k`` of ``cells`` in ``bar``, exactly as the parser computes it."""
    m = tempo.meter_at_bar(bar)
    start8 = round(tempo.bar_start_beat(bar) * 8)
    return (start8 * m.denominator * cells + 32 * m.numerator * k) / (8 * m.denominator * cells)


def _bar_notes(tempo: TempoMap, bar: int, rng: random.Random, player: int) -> list[Note]:
    m = tempo.meter_at_bar(bar)
    quarters = m.numerator * 4 // m.denominator if m.denominator <= 4 else 0
    sixteenths = m.numerator * 16 // m.denominator
    inside = (bar - 1) % PHRASE_BARS
    style = rng.random()
    notes: list[Note] = []

    def hit(cells: int, k: int, voice: Voice, **kw: object) -> None:
        notes.append(make_note(tempo, _grid(tempo, bar, cells, k), voice, **kw))  # type: ignore[arg-type]

    if inside == 0:
        hit(1, 0, Voice.CRASH, accent=True)
    if inside % 4 == 3 and style < 0.5:  # a fill: 16ths, then sextuplets on the toms
        for k in range(sixteenths // 2):
            hit(sixteenths, k, Voice.SNARE, ghost=k % 2 == 1)
        tuplets = sixteenths * 3 // 2
        half = tuplets // 2
        for k in range(half, tuplets):
            hit(tuplets, k, _TOMS[(k - half) * len(_TOMS) // (tuplets - half)])
        hit(sixteenths, 0, Voice.KICK)
        return notes
    if quarters and style < 0.35:  # triplet feel: triplet eighths on hat or ride
        cells = quarters * 3
        ride = Voice.RIDE if player else _H
        for k in range(cells):
            hit(cells, k, ride, accent=k % 3 == 0 and player == 0)
            if k % 3 == 2 and rng.random() < 0.4:
                hit(cells, k, Voice.KICK)
        for q in range(quarters):
            hit(quarters, q, Voice.SNARE if q % 2 else Voice.KICK)
    else:  # sixteenths on the hat (P1) or eighths on the ride and 16th kicks (P2)
        for k in range(sixteenths):
            if player == 0:
                hit(sixteenths, k, _H if k % 8 != 6 else Voice.HIHAT_OPEN, accent=k % 4 == 0)
            elif k % 2 == 0:
                hit(sixteenths, k, Voice.RIDE_BELL if k % 8 == 4 else Voice.RIDE)
            if k % 8 == 4:
                hit(sixteenths, k, Voice.SNARE)
            elif k % 8 == 0 or rng.random() < 0.25:
                hit(sixteenths, k, Voice.KICK)
            elif rng.random() < 0.15:
                hit(sixteenths, k, Voice.SNARE, ghost=True)
    if rng.random() < 0.15:  # a note with its own velocity (an ``at`` line)
        k = rng.randrange(sixteenths)
        hit(sixteenths, k, Voice.CROSS_STICK, velocity=rng.randint(50, 120))
    if rng.random() < 0.03:  # off every grid: a flam a hair before the downbeat
        notes.append(make_note(tempo, tempo.bar_start_beat(bar) + 0.0371, Voice.SNARE))
    return notes


def duet_chart(minutes: float = 60.0, *, seed: int = 10) -> Chart:
    """A two-player chart about ``minutes`` long with all four difficulties per part."""
    rng = random.Random(seed)
    tempo, bars = _tempo_map(minutes)
    parts: dict[tuple[str, str], tuple[Note, ...]] = {}
    for player, name in enumerate(("p1", "p2")):
        expert = sort_notes([n for bar in range(1, bars + 1)
                             for n in _bar_notes(tempo, bar, rng, player)])
        for difficulty in ("easy", "normal", "hard", "expert"):
            parts[(name, difficulty)] = reduce_notes(expert, tempo, difficulty)
    sections = []
    for i, bar in enumerate(range(1, bars + 1, PHRASE_BARS)):
        beat = tempo.bar_start_beat(bar)
        sections.append(Section(f"{SECTION_NAMES[i % len(SECTION_NAMES)]} {i + 1}", beat,
                                tempo.seconds_at(beat)))
    meta = SongMeta("bench-duet", "Bench Duet", artist="Bench", charter="Bench",
                    audio="bench-duet.ogg", preview_s=30.0)
    return Chart(meta, tempo, tuple(sections), parts)


def _best(runs: list[float], cpu: list[float]) -> str:
    return (f"best {min(runs):.3f} s, median {statistics.median(runs):.3f} s of {len(runs)} "
            f"(CPU best {min(cpu):.3f} s)")


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Build the chart, time write, parse and the ``score`` command, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0, help="song length (default 60)")
    ap.add_argument("--runs", type=int, default=3, help="runs of each timing (default 3)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    chart = duet_chart(args.minutes)
    build_s = time.perf_counter() - t0
    counts = {f"{p} {d}": len(ns) for (p, d), ns in chart.parts.items()}
    total = sum(counts.values())
    print(f"chart: {chart.length_s / 60:.1f} min, {len(chart.tempo.tempos)} tempo and "
          f"{len(chart.tempo.meters)} meter changes, {total:,} notes in 8 parts "
          f"(P1 expert {counts['p1 expert']:,}, P2 expert {counts['p2 expert']:,}); "
          f"built in {build_s:.2f} s")

    gc.collect()
    writes, writes_cpu, text = [], [], ""
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        text = write_beatmap(chart)
        writes.append(time.perf_counter() - t0)
        writes_cpu.append(time.process_time() - c0)
    print(f"write: {_best(writes, writes_cpu)} ({len(text) / 1e6:.2f} MB, "
          f"{text.count(chr(10)):,} lines)")

    parses, parses_cpu, back = [], [], chart
    made, made_cpu = [], []
    for _ in range(args.runs):
        del back
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        back = parse_beatmap(text, path="bench-duet.beatmap")
        parses.append(time.perf_counter() - t0)
        parses_cpu.append(time.process_time() - c0)
        # the parts are kept as columns until played; make every Note of all 8 too
        list(back.parts.values())
        made.append(time.perf_counter() - t0)
        made_cpu.append(time.process_time() - c0)
    same = back.content_hash() == chart.content_hash()
    print(f"parse: {_best(parses, parses_cpu)} — target <= 0.3 s; round trip "
          f"{'gives the same content hash' if same else 'CHANGED THE CONTENT HASH'}")
    print(f"parse, then make all {sum(map(len, back.parts.values())):,} Note objects of the "
          f"8 parts (a play makes 2): {_best(made, made_cpu)}")

    exe = shutil.which("drum-diplomacy")
    cmd = [exe] if exe else [sys.executable, "-m", "game"]
    folder = Path(tempfile.mkdtemp(prefix="beatmap-speed-"))
    try:
        path = folder / "bench-duet.beatmap"
        path.write_text(text, encoding="utf-8")
        env = dict(os.environ, DRUM_DIPLOMACY_HOME=str(folder / "home"),
                   PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        scores, scores_cpu = [], []
        for _ in range(args.runs):
            t0, c0 = time.perf_counter(), _children_cpu_s()
            done = subprocess.run([*cmd, "score", str(path), "--p1", "auto", "--p2", "auto"],
                                  env=env, capture_output=True, text=True, check=False)
            scores.append(time.perf_counter() - t0)
            scores_cpu.append(_children_cpu_s() - c0)
            if done.returncode != 0:
                print(f"score failed ({done.returncode}): {done.stderr.strip()}")
                return
        print(f"score (whole command, wall): {_best(scores, scores_cpu)} — target <= 2 s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average while measuring: {load} on {os.cpu_count()} CPUs (figures are wall "
          "time; CPU time is steadier on a busy machine)")


if __name__ == "__main__":
    main()
