"""Train the drum classifier of game/audio/transcribe.py (writes game/audio/drum_model.npz).

Training material is made here, never taken from what the evaluation measures on:
random grooves (kick, snare, hi-hats, cymbals, toms at random densities, tempos
70-170 BPM, velocities and +/-6 ms human jitter) with random accompaniment (bass,
keys, lead on random General MIDI programs), rendered with FluidSynth and the
FluidR3 GM soundfont (Debian ``fluidsynth`` + ``fluid-soundfont-gm``), each
once as drums alone and once with the accompaniment at -6..+3 dB.

The detector runs on each render exactly as ``transcribe`` does; an onset's
label is every class with a hit within 35 ms of it. A one-hidden-layer network
(64 ReLU units, sigmoid outputs, binary cross-entropy, Adam, weight decay) is
trained on those features with numpy.

Usage::

    python tools/train_drum_model.py [--seeds 1 2 3 4] [--takes 10] [--renders DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import mido
import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from render_songs import render  # noqa: E402

from game.audio import transcribe as tr  # noqa: E402

GM_NOTES = {"kick": [36, 35], "snare": [38, 38, 38, 40, 37], "hat": [42, 42, 42, 46, 44],
            "cymbal": [49, 57, 51, 51, 53, 55, 52], "tom": [41, 43, 45, 47, 48, 50]}
TAKE_S = 60.0
LABEL_WINDOW_S = 0.035


#: From this seed on, takes also have ghost notes: a share of the snares (and soft
#: hats) at velocity 15-45, as human grooves have (seeds 1-4 came before).
GHOST_SEEDS_FROM = 5
GHOST_SHARE = 0.35


def random_groove(rng: np.random.Generator, seconds: float, *, ghosts: bool = False
                  ) -> list[tuple[float, int, int, str]]:
    """(time s, GM note, velocity, class) of a random groove on a 16th grid."""
    bpm = rng.uniform(70, 170)
    step = 60 / bpm / 4
    density = {"kick": rng.uniform(.15, .45), "snare": rng.uniform(.1, .35),
               "hat": rng.uniform(.3, .9), "cymbal": rng.uniform(0, .12),
               "tom": rng.uniform(0, .15)}
    out, t = [], 0.3
    while t < seconds:
        for kind, p in density.items():
            if rng.random() < p:
                note = int(rng.choice(GM_NOTES[kind]))
                vel = int(np.clip(rng.normal(90, 25), 25, 127))
                if ghosts and kind in ("snare", "hat") and rng.random() < GHOST_SHARE:
                    vel = int(rng.integers(15, 46))
                out.append((max(0.0, t + rng.normal(0, 0.006)), note, vel, kind))
        t += step * (2 if rng.random() < 0.2 else 1)
    return out


def random_accompaniment(rng: np.random.Generator, seconds: float
                         ) -> list[tuple[float, int, int, int, int, float]]:
    """(time s, channel, program, note, velocity, duration s) of bass, keys and a lead."""
    out, t = [], 0.0
    bass = int(rng.choice([32, 33, 34, 35, 38]))
    keys = int(rng.choice([0, 4, 5, 16, 24, 25, 27, 29, 48, 50, 61, 81, 89, 90]))
    lead = int(rng.choice([56, 65, 73, 80]))
    root = int(rng.integers(36, 48))
    while t < seconds:
        d = float(rng.choice([0.25, 0.5, 1.0]) * rng.uniform(0.8, 1.2))
        out.append((t, 0, bass, root + int(rng.choice([0, 5, 7, 12, 3, 10])),
                    int(rng.integers(60, 120)), d * 0.9))
        if rng.random() < 0.5:
            out += [(t, 1, keys, root + iv, int(rng.integers(40, 100)), d)
                    for iv in (12, 16, 19, 24)]
        if rng.random() < 0.3:
            out.append((t, 2, lead, root + 24 + int(rng.choice([0, 2, 4, 7, 9])),
                        int(rng.integers(50, 110)), d * 0.8))
        t += d
    return out


def to_midi(drums: list, pitched: list) -> mido.MidiFile:
    """One track: drums on channel 10, pitched parts on channels 1-3."""
    mid = mido.MidiFile(ticks_per_beat=960)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=500000))
    for ch, prog in sorted({(p[1], p[2]) for p in pitched}):
        track.append(mido.Message("program_change", channel=ch, program=prog))
    msgs = []
    for t, note, vel, _ in drums:
        msgs += [(t, mido.Message("note_on", channel=9, note=note, velocity=vel)),
                 (t + 0.05, mido.Message("note_off", channel=9, note=note, velocity=0))]
    for t, ch, _prog, note, vel, d in pitched:
        msgs += [(t, mido.Message("note_on", channel=ch, note=note, velocity=vel)),
                 (t + d, mido.Message("note_off", channel=ch, note=note, velocity=0))]
    msgs.sort(key=lambda m: m[0])
    last = 0
    for t, msg in msgs:
        tick = round(t * 1920)
        track.append(msg.copy(time=tick - last))
        last = tick
    return mid


def make_renders(folder: Path, seed: int, takes: int) -> None:
    """Write ``t<seed>-<i>-{drums,mix}.wav`` and ``t<seed>-<i>.json`` into ``folder``."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(takes):
            groove = random_groove(rng, TAKE_S, ghosts=seed >= GHOST_SEEDS_FROM)
            drums = render(to_midi(groove, []), Path(tmp) / "d.wav")
            back = render(to_midi([], random_accompaniment(rng, TAKE_S)), Path(tmp) / "b.wav")
            n = max(len(drums), len(back))
            drums = np.pad(drums, ((0, n - len(drums)), (0, 0)))
            back = np.pad(back, ((0, n - len(back)), (0, 0)))
            gain = 10 ** (rng.uniform(-6, 3) / 20)
            name = f"t{seed}-{i}"
            sf.write(folder / f"{name}-drums.wav", (0.6 * drums).astype(np.float32), 44100)
            sf.write(folder / f"{name}-mix.wav", (0.5 * (drums + gain * back)).astype(np.float32),
                     44100)
            (folder / f"{name}.json").write_text(json.dumps([list(g) for g in groove]))
            print(f"rendered {name}: {len(groove)} hits", flush=True)


def labelled(wav: Path, truth: list[tuple[float, str]]) -> tuple[np.ndarray, np.ndarray]:
    """Features of every detected onset in ``wav`` and their 0/1 class labels."""
    y = tr.load_audio(wav)
    bands, onsets, _flux, _rms = tr._analyse(y, None)
    feats = tr.onset_features(bands, onsets)
    times = onsets * tr.HOP / tr.SR - tr.ONSET_DELAY_S
    labels = np.zeros((len(onsets), len(tr.CLASSES)))
    for t, kind in truth:
        j = int(np.searchsorted(times, t))
        near = [k for k in (j - 1, j) if 0 <= k < len(times)
                and abs(times[k] - t) <= LABEL_WINDOW_S]
        if near:
            k = min(near, key=lambda k: abs(times[k] - t))
            labels[k, tr.CLASSES.index(kind)] = 1.0
    return feats, labels


def train(x: np.ndarray, y: np.ndarray, *, hidden: int = 64, epochs: int = 60,
          lr: float = 2e-3, decay: float = 1e-4, seed: int = 0) -> dict[str, np.ndarray]:
    """Fit the network; returns its weights."""
    rng = np.random.default_rng(seed)
    p = {"W1": rng.normal(0, np.sqrt(2 / x.shape[1]), (x.shape[1], hidden)),
         "b1": np.zeros(hidden), "W2": rng.normal(0, np.sqrt(1 / hidden), (hidden, y.shape[1])),
         "b2": np.zeros(y.shape[1])}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v2 = {k: np.zeros_like(v) for k, v in p.items()}
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for i in range(0, len(x), 256):
            b = order[i:i + 256]
            h = np.maximum(0, x[b] @ p["W1"] + p["b1"])
            out = 1 / (1 + np.exp(-(h @ p["W2"] + p["b2"])))
            g = (out - y[b]) / len(b)
            gh = (g @ p["W2"].T) * (h > 0)
            grads = {"W2": h.T @ g + decay * p["W2"], "b2": g.sum(0),
                     "W1": x[b].T @ gh + decay * p["W1"], "b1": gh.sum(0)}
            step += 1
            for k in p:
                m[k] = 0.9 * m[k] + 0.1 * grads[k]
                v2[k] = 0.999 * v2[k] + 0.001 * grads[k] ** 2
                p[k] -= lr * (m[k] / (1 - 0.9 ** step)) / (
                    np.sqrt(v2[k] / (1 - 0.999 ** step)) + 1e-8)
    return p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4])
    ap.add_argument("--takes", type=int, default=10, help="60 s takes per seed")
    ap.add_argument("--renders", type=Path,
                    default=Path.home() / ".cache" / "drum-diplomacy-train")
    ap.add_argument("--out", type=Path, default=ROOT / "game" / "audio" / tr.MODEL_FILE)
    args = ap.parse_args()
    for seed in args.seeds:
        if len(list(args.renders.glob(f"t{seed}-*.json"))) < args.takes:
            make_renders(args.renders, seed, args.takes)
    xs, ys = [], []
    for seed in args.seeds:
        for js in sorted(args.renders.glob(f"t{seed}-*.json")):
            name = js.stem
            truth = [(float(t), str(kind)) for t, _n, _v, kind in
                     json.loads((args.renders / f"{name}.json").read_text())]
            for kind in ("drums", "mix"):
                x, y = labelled(args.renders / f"{name}-{kind}.wav", truth)
                xs.append(x)
                ys.append(y)
    x, y = np.concatenate(xs), np.concatenate(ys)
    print(f"training on {len(x)} onsets; per class {dict(zip(tr.CLASSES, y.sum(0), strict=True))}")
    weights = train(x, y)
    prob = tr.predict(weights, x)
    acc = ((prob >= tr.PRESENT) == (y > 0.5)).mean(axis=0)
    print("training accuracy per class:", dict(zip(tr.CLASSES, np.round(acc, 3), strict=True)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **{k: v.astype(np.float32) for k, v in weights.items()})
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
