"""Importing a big Clone Hero song and a big osu!taiko marathon: whole command and parse alone.

Run: ``python bench/import_speed.py [--notes 6000] [--osu-mb 2.0] [--runs 3] [--keep]``.

Generates, in a temporary folder, a Clone Hero song of ``--notes`` Expert drum
notes (all four difficulties charted, pro toms, accents, Expert+ kicks, tempo
and meter changes, sections, a guitar and a vocals track beside the drums) as
``notes.mid`` + ``song.ini`` and as ``notes.chart`` + ``song.ini``, and an
osu!taiko marathon ``.osu`` of about ``--osu-mb`` megabytes (several songs'
tempos, drumrolls, spinners, thousands of inherited timing points). For each it
prints:

* the whole command ``drum-diplomacy import PATH`` (a subprocess, each run with a
  fresh data folder, so the beatmap is written and read back and the library
  scanned);
* the parse step alone, in this process (``game.formats.importers.import_song``);
* the beatmap writer and reader on the imported chart (``save_beatmap`` /
  ``load_beatmap``), the part of the command that is not the importer's.

Each figure is the median of ``--runs`` runs, wall time and CPU time: on a
machine shared with other work, the CPU time is the steadier figure.

Targets (issue 10): a 6,000-note Clone Hero import <= 1.5 s, a 2 MB osu!
marathon <= 5 s, whole command. The command's Python start-up is printed too.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import mido

from game.formats.beatmap import load_beatmap
from game.formats.beatmap_writer import save_beatmap
from game.formats.importers import import_song

#: (bars, BPM, beats per bar) of the Clone Hero song's sections.
CH_SECTIONS: tuple[tuple[int, float, int], ...] = (
    (8, 140.0, 4), (16, 160.0, 4), (4, 160.0, 3), (24, 172.0, 4), (16, 120.0, 4),
    (2, 120.0, 7), (40, 176.0, 4))
KICK, RED, YELLOW, BLUE, GREEN = range(5)


# a Clone Hero song -------------------------------------------------------------------------
def ch_expert(n_notes: int, seed: int = 1) -> tuple[list[tuple[int, int, str]], int]:
    """Expert notes ``(tick at 480 per beat, lane, mark)`` (mark: '', 'cym', 'acc', 'gho',
    '2x') filling bars of :data:`CH_SECTIONS` (repeated) until ``n_notes``; and the end tick."""
    rng = random.Random(seed)
    notes: list[tuple[int, int, str]] = []
    tick = 0
    while len(notes) < n_notes:
        for bars, _bpm, beats in CH_SECTIONS:
            for _ in range(bars):
                fill = rng.random() < 0.15
                for step in range(beats * 4):  # 16ths
                    t = tick + step * 120
                    if fill:
                        notes.append((t, rng.choice((RED, YELLOW, BLUE, GREEN)), ""))
                        if step % 4 == 0:
                            notes.append((t, KICK, ""))
                        continue
                    notes.append((t, YELLOW, "cym" if step % 2 == 0 else "gho"))
                    if step % 8 in (0, 3, 6) or rng.random() < 0.12:
                        notes.append((t, KICK, "2x" if step % 8 == 3 else ""))
                    if step % 8 == 4:
                        notes.append((t, RED, "acc" if rng.random() < 0.3 else ""))
                    if step == 0 and rng.random() < 0.3:
                        notes.append((t, GREEN, "cym"))
                tick += beats * 480
                if len(notes) >= n_notes:
                    return notes[:n_notes], tick
    return notes, tick


def thin(notes: list[tuple[int, int, str]], keep_every: int) -> list[tuple[int, int, str]]:
    """An easier difficulty: only notes on multiples of ``keep_every`` ticks, no 2x kicks."""
    return [(t, lane, m) for t, lane, m in notes if t % keep_every == 0 and m != "2x"]


def ch_difficulties(n_notes: int) -> tuple[dict[str, list[tuple[int, int, str]]], int]:
    """Clone Hero difficulty name -> notes, and the last tick."""
    expert, end = ch_expert(n_notes)
    return {"Expert": expert, "Hard": thin(expert, 240), "Medium": thin(expert, 480),
            "Easy": [n for n in thin(expert, 960) if n[1] in (KICK, RED, YELLOW)]}, end


def ch_tempo_events(end_tick: int, *, drift: bool) -> list[tuple[int, float, int]]:
    """(tick, bpm, beats per bar) at every section start up to ``end_tick``; with
    ``drift``, also a slightly different tempo on every beat, as in Rock Band songs
    tempo-mapped to a band that played without a click."""
    rng = random.Random(3)
    out = []
    tick = 0
    while tick < end_tick:
        for bars, bpm, beats in CH_SECTIONS:
            out.append((tick, bpm, beats))
            if drift:
                out += [(tick + b * 480, round(bpm * rng.uniform(0.99, 1.01), 3), 0)
                        for b in range(1, bars * beats)]
            tick += bars * beats * 480
    return out


SONG_INI = """[Song]
name = Benchmark Song
artist = The Generators
charter = bench
pro_drums = True
delay = 0
preview_start_time = 30000
diff_drums = 5
"""


def write_clonehero_mid(folder: Path, n_notes: int, *, drift: bool) -> Path:
    """``notes.mid`` (480 ticks per beat) and ``song.ini`` in ``folder``."""
    diffs, end = ch_difficulties(n_notes)
    base = {"Easy": 60, "Medium": 72, "Hard": 84, "Expert": 96}
    mid = mido.MidiFile(type=1, ticks_per_beat=480)

    def track(name: str, events: list[tuple[int, mido.Message | mido.MetaMessage]],
              ) -> mido.MidiTrack:
        t = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
        now = 0
        for tick, msg in sorted(events, key=lambda e: (e[0], e[1].type != "note_off")):
            t.append(msg.copy(time=tick - now))
            now = tick
        return t

    conductor: list[tuple[int, mido.Message | mido.MetaMessage]] = []
    for tick, bpm, beats in ch_tempo_events(end, drift=drift):
        conductor.append((tick, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm))))
        if beats:
            conductor.append((tick, mido.MetaMessage("time_signature", numerator=beats,
                                                     denominator=4)))
    drums: list[tuple[int, mido.Message | mido.MetaMessage]] = [
        (0, mido.MetaMessage("text", text="[mix 3 drums0]")),
        (0, mido.MetaMessage("text", text="[ENABLE_CHART_DYNAMICS]"))]

    def on_off(tick: int, note: int, velocity: int = 100, length: int = 60) -> None:
        drums.append((tick, mido.Message("note_on", note=note, velocity=velocity)))
        drums.append((tick + length, mido.Message("note_off", note=note, velocity=0)))

    for name, notes in diffs.items():
        for tick, lane, mark in notes:
            if mark == "2x":
                on_off(tick, 95)
                continue
            velocity = 127 if mark == "acc" else 1 if mark == "gho" else 100
            on_off(tick, base[name] + lane, velocity)
    for tick, lane, mark in diffs["Expert"]:
        if lane in (BLUE, GREEN) and mark != "cym":
            on_off(tick, 110 + lane - YELLOW, length=30)
    guitar: list[tuple[int, mido.Message | mido.MetaMessage]] = []
    for tick in range(0, end, 240):
        for note in (96 + (tick // 240) % 5, 84 + (tick // 480) % 5):
            guitar.append((tick, mido.Message("note_on", note=note, velocity=100)))
            guitar.append((tick + 200, mido.Message("note_off", note=note, velocity=0)))
    vocals: list[tuple[int, mido.Message | mido.MetaMessage]] = []
    for tick in range(0, end, 960):
        vocals.append((tick, mido.MetaMessage("lyrics", text="la")))
        vocals.append((tick, mido.Message("note_on", note=60 + (tick // 960) % 12, velocity=96)))
        vocals.append((tick + 800, mido.Message("note_off", note=60 + (tick // 960) % 12,
                                                velocity=0)))
    events = [(tick, mido.MetaMessage("text", text=f"[section part {k}]"))
              for k, (tick, _, _) in enumerate(ch_tempo_events(end, drift=False))]
    mid.tracks.append(track("Benchmark Song", conductor))
    mid.tracks.append(track("PART DRUMS", drums))
    mid.tracks.append(track("PART GUITAR", guitar))
    mid.tracks.append(track("PART VOCALS", vocals))
    mid.tracks.append(track("EVENTS", events))
    folder.mkdir(parents=True, exist_ok=True)
    mid.save(folder / "notes.mid")
    (folder / "song.ini").write_text(SONG_INI, encoding="utf-8")
    return folder


def write_clonehero_chart(folder: Path, n_notes: int, *, drift: bool) -> Path:
    """``notes.chart`` (resolution 192) and ``song.ini`` in ``folder``."""
    diffs, end = ch_difficulties(n_notes)
    res = 192
    lines = ["\ufeff[Song]", "{", '  Name = "Benchmark Song"', '  Artist = "The Generators"',
             f"  Resolution = {res}", "  Offset = 0", '  MusicStream = "song.ogg"', "}",
             "[SyncTrack]", "{"]
    for tick, bpm, beats in ch_tempo_events(end, drift=drift):
        t = tick * res // 480
        lines += [f"  {t} = TS {beats}"] if beats else []
        lines.append(f"  {t} = B {round(bpm * 1000)}")
    lines += ["}", "[Events]", "{"]
    lines += [f'  {tick * res // 480} = E "section part {k}"'
              for k, (tick, _, _) in enumerate(ch_tempo_events(end, drift=False))]
    lines.append("}")
    codes = {"cym": lambda lane: 64 + lane, "acc": lambda lane: 33 + lane,
             "gho": lambda lane: 39 + lane}
    for name, notes in diffs.items():
        lines += [f"[{name}Drums]", "{"]
        for tick, lane, mark in notes:
            t = tick * res // 480
            if mark == "2x":
                lines.append(f"  {t} = N 32 0")
                continue
            lines.append(f"  {t} = N {lane} 0")
            if mark in codes and lane != KICK and not (mark == "cym" and lane == RED):
                lines.append(f"  {t} = N {codes[mark](lane)} 0")
        lines.append("}")
    lines += ["[ExpertSingle]", "{"]
    lines += [f"  {t * res // 480} = N {(t // 240) % 5} 0" for t in range(0, end, 240)]
    lines.append("}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.chart").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    (folder / "song.ini").write_text(SONG_INI, encoding="utf-8")
    return folder


# an osu!taiko marathon ---------------------------------------------------------------------
def write_osu_marathon(folder: Path, megabytes: float, seed: int = 2) -> Path:
    """A taiko ``.osu`` of about ``megabytes``: songs of 3-6 minutes at different tempos,
    1/4 streams, drumrolls, spinners, an inherited (SV) timing point every bar."""
    rng = random.Random(seed)
    head = ["osu file format v14", "", "[General]", "AudioFilename: audio.mp3",
            "AudioLeadIn: 0", "PreviewTime: 60000", "Mode: 1", "", "[Metadata]",
            "Title:Benchmark Marathon", "Artist:Various", "Creator:bench",
            "Version:Marathon", "", "[Difficulty]", "HPDrainRate:5", "CircleSize:5",
            "OverallDifficulty:5", "ApproachRate:5", "SliderMultiplier:1.4",
            "SliderTickRate:1", ""]
    timing: list[str] = []
    objects: list[str] = []
    size = sum(len(x) + 1 for x in head)
    t = 1000.0
    while size < megabytes * 1_000_000:
        bpm = rng.choice((128.0, 150.0, 170.0, 185.0, 200.0, 222.0))
        beat = 60_000.0 / bpm
        timing.append(f"{t:.3f},{beat!r},4,1,0,100,1,0")
        size += len(timing[-1]) + 1
        for bar in range(rng.randint(60, 180)):
            bar_t = t + bar * 4 * beat
            before = len(objects)
            timing.append(f"{bar_t:.0f},{-100 / rng.choice((0.9, 1.0, 1.1, 1.25)):g},4,1,0,"
                          f"100,0,{1 if bar % 16 >= 8 else 0}")
            size += len(timing[-1]) + 1
            if bar % 32 == 31:
                objects.append(f"256,192,{bar_t:.0f},12,0,{bar_t + 3 * beat:.0f},0:0:0:0:")
            elif bar % 16 == 15:
                objects.append(f"256,192,{bar_t:.0f},2,0,L|400:192,1,{280 * 1.4:g}")
            else:
                for step in range(16):
                    if rng.random() < 0.62:
                        hs = rng.choice((0, 0, 0, 2, 8, 4, 6))
                        objects.append(f"256,192,{bar_t + step * beat / 4:.0f},1,{hs},0:0:0:0:")
            size += sum(len(x) + 1 for x in objects[before:])
        t += (bar + 1) * 4 * beat + 2000
    text = "\n".join([*head, "[TimingPoints]", *timing, "", "[HitObjects]", *objects]) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "marathon.osu"
    path.write_text(text, encoding="utf-8")
    return path


# timing ------------------------------------------------------------------------------------
def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``runs`` calls, and the last result."""
    secs, cpu, result = [], [], None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        secs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(secs), statistics.median(cpu), result


def children_cpu() -> float:
    """CPU seconds (user + system) used so far by finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def command(path: Path, home: Path, runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``drum-diplomacy import PATH``, each run into a
    fresh data folder under ``home`` (a first import, as a player's; the CPU time
    does not grow when other programs load the machine)."""
    exe = shutil.which("drum-diplomacy")
    cmd = [exe] if exe else [sys.executable, "-m", "game"]
    secs, cpu = [], []
    for k in range(runs):
        env = dict(os.environ, DRUM_DIPLOMACY_HOME=str(home / f"{path.stem}-{k}"),
                   SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
        t0, c0 = time.perf_counter(), children_cpu()
        done = subprocess.run([*cmd, "import", str(path)], env=env,
                              capture_output=True, text=True, check=False)
        secs.append(time.perf_counter() - t0)
        cpu.append(children_cpu() - c0)
        if done.returncode != 0:
            raise SystemExit(f"import failed: {done.stderr.strip() or done.stdout.strip()}")
    return statistics.median(secs), statistics.median(cpu)


def startup(home: Path) -> float:
    """Median wall time of ``drum-diplomacy --help`` (Python and the CLI starting)."""
    env = dict(os.environ, DRUM_DIPLOMACY_HOME=str(home))
    exe = shutil.which("drum-diplomacy")
    cmd = [exe] if exe else [sys.executable, "-m", "game"]
    secs = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([*cmd, "--help"], env=env, capture_output=True, check=False)
        secs.append(time.perf_counter() - t0)
    return statistics.median(secs)


def report(label: str, path: Path, source: Path, home: Path, runs: int,
           target_s: float) -> None:
    """Print the parse, writer, reader and whole-command times of one song (``source``:
    its chart file, for the size)."""
    parse_s, parse_cpu, song = timed(lambda: import_song(path), runs)
    chart = song.chart  # type: ignore[attr-defined]
    notes = len(chart.notes("p1", "expert"))
    out = home / "bench-out" / f"{path.stem}.beatmap"
    write_s, write_cpu, _ = timed(lambda: save_beatmap(chart, out), runs)
    read_s, read_cpu, _ = timed(lambda: load_beatmap(out), runs)
    whole_s, whole_cpu = command(path, home, runs)
    verdict = "OK" if whole_s <= target_s else "OVER"
    print(f"{label}: {notes} Expert notes, {source.stat().st_size / 1e6:.2f} MB {source.name}, "
          f"{len(chart.tempo.tempos)} tempo changes")
    print(f"  parse (import_song)   {parse_s:7.3f} s  (CPU {parse_cpu:.3f} s)")
    print(f"  beatmap write         {write_s:7.3f} s  (CPU {write_cpu:.3f} s; not the importer's)")
    print(f"  beatmap read back     {read_s:7.3f} s  (CPU {read_cpu:.3f} s; not the importer's)")
    print(f"  whole command         {whole_s:7.3f} s  (CPU {whole_cpu:.3f} s)  target <= "
          f"{target_s:g} s: {verdict}")


def main() -> None:
    """Generate the songs, then time each."""
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notes", type=int, default=6000, help="Clone Hero Expert notes")
    ap.add_argument("--osu-mb", type=float, default=2.0, help="size of the .osu, MB")
    ap.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    ap.add_argument("--steady", action="store_true",
                    help="Clone Hero: tempo changes only where sections change (default: "
                         "also a drifting tempo on every beat, as real songs have)")
    ap.add_argument("--only", choices=("mid", "chart", "osu"), action="append",
                    help="time only these (repeatable)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dd-import-bench-"))
    home = tmp / "home"
    only = set(args.only or ("mid", "chart", "osu"))
    try:
        t0 = time.perf_counter()
        mid = write_clonehero_mid(tmp / "ch-mid", args.notes, drift=not args.steady)
        chart = write_clonehero_chart(tmp / "ch-chart", args.notes, drift=not args.steady)
        osu = write_osu_marathon(tmp / "osu", args.osu_mb)
        print(f"generated in {time.perf_counter() - t0:.1f} s ({tmp})")
        print(f"command start-up (drum-diplomacy --help): {startup(home):.3f} s")
        if "mid" in only:
            report("Clone Hero notes.mid", mid, mid / "notes.mid", home, args.runs, 1.5)
        if "chart" in only:
            report("Clone Hero notes.chart", chart, chart / "notes.chart", home, args.runs, 1.5)
        if "osu" in only:
            report("osu!taiko marathon", osu, osu, home, args.runs, 5.0)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
