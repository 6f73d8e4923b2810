"""How well ``autochart`` transcribes drums and finds the tempo (prints figures).

Material, rendered here with FluidSynth + FluidR3 GM (Debian ``fluidsynth``,
``fluid-soundfont-gm``) into a cache folder, each as drums alone and with an
accompaniment:

* ``song-*``: the three songs' arrangements (``assets/arrangements``): both
  drum parts merged, and the same with the song's own band;
* ``groove-*``: the 40 real TD-11 performances in ``../shared/data/groove``
  (Groove MIDI Dataset, CC BY 4.0; notes mapped to General MIDI through the
  Roland kit map), and the same with a band playing in time with the take (on
  its metronome grid: bass, chords, a lead, random GM programs), 3 dB under the
  drums as in the songs.

None of it is used to train the classifier (``tools/train_drum_model.py``
makes its own random grooves). Scores: onset F-measure at +/-30 ms per class
(kick; snare incl. rim and cross-stick; hi-hat and cymbals; toms), of the raw
transcription and of the charted Expert notes (P1 and P2 together); tempo
error against the arrangement's tempo / the take's metronome BPM (also with
half/double tempo accepted); speed as audio seconds per CPU second on one core
(BLAS threads pinned to 1), after a warm-up run.

Usage: ``python bench/autochart_eval.py [--only song|groove] [--limit N]``
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import mido  # noqa: E402
import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tools")]

from game.formats.kitmap import load_kitmap  # noqa: E402

GROOVE = ROOT.parent / "shared" / "data" / "groove"
CACHE = Path.home() / ".cache" / "drum-diplomacy-bench" / "autochart"
WINDOW_S = 0.030
CLASS_OF = {"BD": "kick", "SD": "snare", "XS": "snare", "RS": "snare", "HH": "hat",
            "OH": "hat", "HF": "hat", "CR": "hat", "RD": "hat", "RB": "hat",
            "T1": "tom", "T2": "tom", "T3": "tom"}  # pedal chicks (HP) are not scored
KIND_OF = {"kick": "kick", "snare": "snare", "hat": "hat", "cymbal": "hat", "tom": "tom"}
SCORED = ("kick", "snare", "hat", "tom")


def f_measure(ref: np.ndarray, est: np.ndarray, window_s: float = WINDOW_S
              ) -> tuple[float, int]:
    """Onset F-measure with one-to-one matching within ``window_s``; and len(ref)."""
    ref, est = np.sort(ref), np.sort(est)
    used = np.zeros(est.size, dtype=bool)
    matched, j = 0, 0
    for r in ref:
        while j < est.size and est[j] < r - window_s:
            j += 1
        k = j
        while k < est.size and est[k] <= r + window_s:
            if not used[k]:
                used[k] = True
                matched += 1
                break
            k += 1
    if ref.size == 0 and est.size == 0:
        return 1.0, 0
    if matched == 0:
        return 0.0, int(ref.size)
    p, r = matched / est.size, matched / ref.size
    return 2 * p * r / (p + r), int(ref.size)


def _dedup(times: list[float], gap_s: float = 0.03) -> np.ndarray:
    out: list[float] = []
    for t in sorted(times):
        if not out or t - out[-1] > gap_s:
            out.append(t)
    return np.asarray(out)


def _truth(mid: mido.MidiFile) -> list[tuple[float, str]]:
    km = load_kitmap("default")
    t, out = 0.0, []
    for msg in mid:
        t += msg.time
        if msg.type == "note_on" and msg.velocity > 0 and msg.channel == 9:
            voice = km.notes.get(msg.note)
            if voice is not None and voice.value in CLASS_OF:
                out.append((round(t, 6), CLASS_OF[voice.value]))
    return out


def _gm(mid: mido.MidiFile) -> mido.MidiFile:
    """A performance with every drum note moved to its voice's General MIDI note."""
    km = load_kitmap("default")
    out = mido.MidiFile(type=mid.type, ticks_per_beat=mid.ticks_per_beat)
    for track in mid.tracks:
        new = mido.MidiTrack()
        for msg in track:
            if msg.type in ("note_on", "note_off") and msg.channel == 9:
                voice = km.notes.get(msg.note)
                msg = (mido.MetaMessage("text", text="-", time=msg.time) if voice is None
                       else msg.copy(note=voice.gm_note))
            new.append(msg)
        out.tracks.append(new)
    return out


def band_midi(bpm: float, seconds: float, *, seed: int) -> mido.MidiFile:
    """A band in time with a take: bass on 8ths and quarters, chords on the beat and a
    lead now and then, on random General MIDI programs, on the take's metronome grid."""
    from train_drum_model import to_midi

    rng = np.random.default_rng(1000 + seed)
    beat = 60.0 / bpm
    bass = int(rng.choice([32, 33, 34, 35, 38]))
    keys = int(rng.choice([0, 4, 5, 16, 24, 25, 27, 29, 48, 50, 61, 81, 89, 90]))
    lead = int(rng.choice([56, 65, 73, 80]))
    root = int(rng.integers(36, 46))
    events, t = [], 0.0
    while t < seconds:
        chord = root + int(rng.choice([0, 5, 7, 9, 3]))
        for k in range(4):  # one bar
            at = t + k * beat
            for half in (0.0, 0.5) if rng.random() < 0.6 else (0.0,):
                events.append((at + half * beat, 0, bass, chord + int(rng.choice([0, 12, 7])),
                               int(rng.integers(70, 120)), 0.45 * beat))
            events += [(at, 1, keys, chord + iv, int(rng.integers(45, 95)), 0.9 * beat)
                       for iv in (12, 16, 19)]
            if rng.random() < 0.35:
                events.append((at + 0.5 * beat, 2, lead, chord + 24 + int(rng.choice([0, 2, 4, 7])),
                               int(rng.integers(60, 110)), 0.4 * beat))
        t += 4 * beat
    return to_midi([], events)


def make_material(only: str | None, limit: int | None) -> list[dict]:
    """Render (or reuse) every case; returns their descriptions."""
    from render_songs import ARRANGEMENTS, DRUM_BOOST_DB, SR, render, split_arrangement

    CACHE.mkdir(parents=True, exist_ok=True)
    cases: list[dict] = []
    bands: list[np.ndarray] = []
    with tempfile.TemporaryDirectory() as tmp:
        for arr in sorted(ARRANGEMENTS.glob("*.mid")):
            mid = mido.MidiFile(arr)
            parts = split_arrangement(mid)
            name = f"song-{arr.stem}"
            tempos = sorted({round(mido.tempo2bpm(m.tempo), 2) for m in mid.tracks[0]
                             if m.type == "set_tempo"})
            if not (CACHE / f"{name}-mix.wav").exists():
                drums = render(parts["drums"], Path(tmp) / "d.wav")
                band = render(parts["backing"], Path(tmp) / "b.wav")
                n = max(len(drums), len(band))
                drums = np.pad(drums, ((0, n - len(drums)), (0, 0)))
                band = np.pad(band, ((0, n - len(band)), (0, 0)))
                g = 10 ** (DRUM_BOOST_DB / 20)
                sf.write(CACHE / f"{name}-drums.wav", (0.5 * g * drums).astype(np.float32), SR)
                sf.write(CACHE / f"{name}-mix.wav", (0.5 * (g * drums + band)).astype(np.float32),
                         SR)
                np.save(CACHE / f"{name}-band.npy", band.astype(np.float32))
            bands.append(np.load(CACHE / f"{name}-band.npy"))
            if only in (None, "song"):
                cases.append({"name": name, "truth": _truth(parts["drums"]), "bpm": tempos})
        if only in (None, "groove") and GROOVE.is_dir():
            with open(GROOVE / "info.csv", newline="") as fh:
                rows = {r["midi_filename"]: r for r in csv.DictReader(fh)}
            files = sorted(GROOVE.glob("drummer*/eval_session/*.mid"))[:limit]
            for i, f in enumerate(files):
                name = f"groove-{f.parent.parent.name}-{f.stem.split('_')[0]}"
                mid = _gm(mido.MidiFile(f))
                rel = str(f.relative_to(GROOVE))
                bpm = float(rows[rel]["bpm"]) if rel in rows else 120.0
                if not (CACHE / f"{name}-band.wav").exists():
                    drums = render(mid, Path(tmp) / "g.wav")
                    band = render(band_midi(bpm, len(drums) / SR, seed=i), Path(tmp) / "b.wav")
                    band = np.pad(band, ((0, max(0, len(drums) - len(band))), (0, 0)))
                    band = band[:len(drums)]
                    sf.write(CACHE / f"{name}-drums.wav", (0.7 * drums).astype(np.float32), SR)
                    # the band at the songs' balance: drums 3 dB over it (by RMS)
                    gain = np.sqrt(np.mean(drums ** 2) / max(np.mean(band ** 2), 1e-12)) / 1.41
                    sf.write(CACHE / f"{name}-mix.wav",
                             (0.5 * (drums + gain * band)).astype(np.float32), SR)
                    sf.write(CACHE / f"{name}-band.wav", (0.5 * gain * band).astype(np.float32),
                             SR)
                cases.append({"name": name, "truth": _truth(mid),
                              "bpm": [float(rows[rel]["bpm"])] if rel in rows else []})
    del bands
    return cases


def tempo_error(found_bpm: float, true_bpm: list[float]) -> tuple[float, float]:
    """Relative tempo error (strict, and accepting half/double), against the nearest truth."""
    if not true_bpm:
        return float("nan"), float("nan")
    strict = min(abs(found_bpm / b - 1) for b in true_bpm)
    octave = min(abs(found_bpm * k / b - 1) for b in true_bpm for k in (0.5, 1, 2))
    return strict, octave


def main() -> None:
    from game.audio.autochart import autochart

    if shutil.which("fluidsynth") is None:
        raise SystemExit("needs fluidsynth and fluid-soundfont-gm (apt-get install ...)")
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=("song", "groove"))
    ap.add_argument("--limit", type=int, help="first N groove takes")
    args = ap.parse_args()
    cases = make_material(args.only, args.limit)
    autochart(CACHE / f"{cases[0]['name']}-drums.wav")  # warm-up: numba, caches
    table: dict[tuple[str, str, str], list[float]] = {}
    tempo_rows: list[tuple[str, float, float]] = []
    audio_s = cpu_s = 0.0
    for case in cases:
        for kind in ("drums", "mix"):
            wav = CACHE / f"{case['name']}-{kind}.wav"
            c0 = time.process_time()
            res = autochart(wav)
            cpu_s += time.process_time() - c0
            audio_s += res.seconds["audio"]
            # P1's and P2's notes (a unison note is in both: _dedup merges it)
            expert = [n for p in ("p1", "p2") for n in res.chart.notes(p, "expert")]
            row = []
            for cls in SCORED:
                ref = _dedup([t for t, c in case["truth"] if c == cls])
                if ref.size == 0:
                    continue
                raw = _dedup([h.time_s for h in res.transcription.hits
                              if KIND_OF[h.kind] == cls])
                charted = _dedup([n.time_s for n in expert
                                  if CLASS_OF.get(n.voice.value) == cls])
                f_raw, n = f_measure(ref, raw)
                f_chart, _ = f_measure(ref, charted)
                table.setdefault((kind, cls, "raw"), []).append(f_raw)
                table.setdefault((kind, cls, "chart"), []).append(f_chart)
                row.append(f"{cls} {f_raw:.3f}/{f_chart:.3f} (n={n})")
            bpm = res.chart.tempo.tempos[0].bpm
            strict, octave = tempo_error(bpm, case["bpm"])
            tempo_rows.append((kind, strict, octave))
            print(f"{case['name']}-{kind:5s} {bpm:7.2f} BPM (true {case['bpm']}) | "
                  + " | ".join(row), flush=True)
    print("\nonset F at +/-30 ms, mean [min] over takes: raw transcription / charted Expert")
    for kind in ("drums", "mix"):
        for cls in SCORED:
            raw, chart = table.get((kind, cls, "raw")), table.get((kind, cls, "chart"))
            if raw and chart:
                print(f"  {kind:5s} {cls:5s} {np.mean(raw):.3f} [{np.min(raw):.3f}] / "
                      f"{np.mean(chart):.3f} [{np.min(chart):.3f}]  ({len(raw)} takes)")
    for kind in ("drums", "mix"):
        rows = [r for r in tempo_rows if r[0] == kind and r[1] == r[1]]
        within = sum(r[1] <= 0.01 for r in rows)
        within_oct = sum(r[2] <= 0.01 for r in rows)
        median = 100 * np.median([r[1] for r in rows])
        print(f"tempo within 1 % ({kind}): {within}/{len(rows)}; with half/double accepted "
              f"{within_oct}/{len(rows)}; median error {median:.2f} %")
    print(f"speed: {audio_s:.0f} s of audio in {cpu_s:.1f} s CPU = {audio_s / cpu_s:.1f}x real "
          "time on one core (warm)")
    (CACHE / "last-results.json").write_text(json.dumps(
        {f"{k[0]}/{k[1]}/{k[2]}": float(np.mean(v)) for k, v in table.items()}, indent=1))


if __name__ == "__main__":
    main()
