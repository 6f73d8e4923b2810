"""MIDI export and import: time, and how far the file sits from the audio.

Run: ``python bench/midi_io.py [--minutes 60] [--runs 3]``. Prints figures;
asserts nothing.

For a duet of ``--minutes`` minutes (16th notes at 126.5 BPM, a BPM MIDI's whole
microseconds cannot hold, with a 1.337 s lead-in and a 7/8 bar every 16
bars; both parts at all four difficulties) and for each built-in song:

* ``export``: :func:`game.formats.midi_export.export_midi`, and the file size;
* ``read``: the tolerant reader alone (:func:`game.formats.smf.read_smf`), the
  part of the import that reads the file's bytes;
* ``import``: :func:`game.formats.midi_import.import_midi_with_report` of that file;
* ``sync``: the largest distance between a note-on's time in the file (through
  the file's own tempo map, as mido plays it) and the note's time on the
  audio, in milliseconds, and whether the import gave the same chart back
  (tempo map with offset, every note's time, beat, voice and velocity).

Run it with ``PYTHONPATH`` pointing at an older tree to compare (the sync
columns then show what that tree's files do).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import mido

from game.engine.chart import Chart, SongMeta, make_note, sort_notes
from game.engine.reduce import reduce_chart
from game.engine.tempo import MeterChange, TempoChange, TempoMap
from game.engine.voices import Voice
from game.formats.beatmap import load_beatmap
from game.formats.library import beatmap_paths
from game.formats.midi_export import export_midi
from game.formats.midi_import import import_midi_with_report
from game.formats.smf import read_smf

PATTERN = (Voice.KICK, Voice.HIHAT_CLOSED, Voice.SNARE, Voice.HIHAT_CLOSED,
           Voice.TOM_HIGH, Voice.HIHAT_OPEN, Voice.SNARE, Voice.RIDE)


def long_chart(minutes: float) -> Chart:
    """16th notes at 126.5 BPM for ``minutes``, a 7/8 bar every 16 bars, 1.337 s lead-in."""
    bpm = 126.5
    beats = minutes * bpm
    bars, meters, beat = 1, [MeterChange(1, 4, 4)], 0.0
    while beat < beats:
        bar_beats = 3.5 if bars % 16 == 0 else 4.0
        if bars % 16 in (0, 1) and bars > 1:
            meters.append(MeterChange(bars, 7 if bar_beats == 3.5 else 4,
                                      8 if bar_beats == 3.5 else 4))
        beat += bar_beats
        bars += 1
    tempo = TempoMap([TempoChange(0.0, bpm)], meters, offset_s=1.337)
    n = int(beats * 4)
    p1 = sort_notes([make_note(tempo, i / 4, PATTERN[i % 8], accent=i % 16 == 0)
                     for i in range(n)])
    p2 = sort_notes([make_note(tempo, i / 4, PATTERN[(i + 2) % 8]) for i in range(n)])
    chart = Chart(SongMeta("bench-midi", "Bench MIDI"), tempo, (),
                  {("p1", "expert"): p1, ("p2", "expert"): p2})
    return reduce_chart(chart)


def file_error_ms(path: Path, chart: Chart) -> float:
    """Largest |file time - audio time| of the notes, ms (per track, in order)."""
    mid = mido.MidiFile(path)
    worst = 0.0
    for track in mid.tracks[1:]:
        both = mido.MidiFile(type=1, ticks_per_beat=mid.ticks_per_beat,
                             tracks=[mid.tracks[0], track])
        now, ons = 0.0, []
        for msg in both:
            now += msg.time
            if msg.type == "note_on" and msg.velocity > 0:
                ons.append((now, msg.note))
        part, diff = track.name.lower().split()
        want = sorted((n.time_s, n.voice.gm_note) for n in chart.parts[(part, diff)]
                      if n.time_s >= 0)
        got = sorted(ons)
        if len(got) != len(want):
            return float("nan")
        worst = max([worst, *(abs(a - b) for (a, _), (b, _) in zip(got, want, strict=True))])
    return worst * 1e3


def same_chart(back: Chart, chart: Chart) -> bool:
    def keys(c: Chart) -> dict:
        return {k: [(n.time_s, n.beat, n.voice, n.velocity) for n in ns if n.time_s >= 0]
                for k, ns in c.parts.items()}
    return back.tempo == chart.tempo and keys(back) == keys(chart)


def measure(name: str, chart: Chart, folder: Path, runs: int) -> None:
    path = folder / f"{name}.mid"
    export_s, read_s, import_s = [], [], []
    back = chart
    for _ in range(runs):
        t0 = time.perf_counter()
        export_midi(chart, path)
        export_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        read_smf(path)
        read_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        back, _ = import_midi_with_report(path, marks_only=False)
        import_s.append(time.perf_counter() - t0)
    notes = sum(len(ns) for ns in chart.parts.values())
    print(f"{name:<22} {notes:>8,} notes  {path.stat().st_size / 1e6:6.2f} MB  "
          f"export {statistics.median(export_s):6.3f} s  "
          f"read {statistics.median(read_s):6.3f} s  "
          f"import {statistics.median(import_s):6.3f} s  "
          f"sync {file_error_ms(path, chart):8.3f} ms  "
          f"same chart back: {'yes' if same_chart(back, chart) else 'NO'}")


def main() -> None:
    """Run and print."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, median of {args.runs} run(s)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in beatmap_paths():
            measure(path.stem, load_beatmap(path), folder, args.runs)
        measure(f"{args.minutes:g}-minute duet", long_chart(args.minutes), folder, args.runs)


if __name__ == "__main__":
    main()
