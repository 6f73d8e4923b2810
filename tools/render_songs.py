"""Render the songs' MIDI arrangements to the game's audio, and write their beatmaps.

For every ``assets/arrangements/<id>.mid`` (written by ``tools/compose_songs.py``):

1. split it into four MIDI files: the backing (no drums), the drums (both
   parts, a note both players play sounding once) and each player's drum
   part alone; the full mix is the backing plus the drums;
2. render each with FluidSynth and the FluidR3 General MIDI soundfont (Debian
   ``fluidsynth`` and ``fluid-soundfont-gm``, MIT) to 32-bit float WAV;
3. measure the mix's loudness (ITU-R BS.1770 K-weighted, gated) and scale all
   four by one gain so every song's mix sits at :data:`TARGET_LUFS`, with the
   peaks of every file -- and of backing + both stems, which the game plays
   together -- under :data:`PEAK_CEILING_DBFS`;
4. write them as OGG Vorbis in ``assets/audio/<id>/`` (``mix``, ``backing``,
   ``p1``, ``p2``), in blocks (one long write crashes libvorbis);
5. import the arrangement with the game's own MIDI importer (so the chart's
   notes are the audio's notes), and write ``assets/beatmaps/<id>.beatmap``
   with its audio, stems, sections and a preview point at the first chorus.

Also renders ``tests/data/onset-calibration.ogg`` from a MIDI of known hit
times, on which the audio test measures librosa's onset delay.

Usage: ``python tools/render_songs.py [--only ID]`` (needs ``fluidsynth``).
Prints each file's loudness, peak, length and size.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import mido
import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from loudness import integrated_lufs  # noqa: E402

SF2 = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
SR = 44100
TARGET_LUFS = -18.0  # every mix; the stems get the same gain
PEAK_CEILING_DBFS = -1.0
TAIL_S = 2.5
#: The drums sit this much above the band in the mix and the stems (a drum game).
DRUM_BOOST_DB = 3.0
OGG_QUALITY = 0.35  # libsndfile's Vorbis quality (0-1): ~96 kbit/s stereo
DRUM_TRACKS = {"P1 drums": "p1", "P2 drums": "p2"}
ARRANGEMENTS = ROOT / "assets" / "arrangements"
AUDIO = ROOT / "assets" / "audio"
BEATMAPS = ROOT / "assets" / "beatmaps"
CALIBRATION = ROOT / "tests" / "data" / "onset-calibration"


def _track_name(track: mido.MidiTrack) -> str:
    for msg in track:
        if msg.type == "track_name":
            return str(msg.name).strip()
    return ""


def split_arrangement(mid: mido.MidiFile) -> dict[str, mido.MidiFile]:
    """The four renders' MIDI: ``drums`` (both parts, shared notes once), ``backing``,
    ``p1``, ``p2``."""
    conductor = mid.tracks[0]
    drums = {DRUM_TRACKS[_track_name(t)]: t for t in mid.tracks[1:]
             if _track_name(t) in DRUM_TRACKS}
    if set(drums) != {"p1", "p2"}:
        raise SystemExit("an arrangement needs tracks named 'P1 drums' and 'P2 drums'")
    pitched = [t for t in mid.tracks[1:] if _track_name(t) not in DRUM_TRACKS]

    def file_of(tracks: list[mido.MidiTrack]) -> mido.MidiFile:
        out = mido.MidiFile(type=1, ticks_per_beat=mid.ticks_per_beat)
        out.tracks.extend([conductor, *tracks])
        return out

    return {"drums": file_of([_merged_drums(drums["p1"], drums["p2"])]),
            "backing": file_of(pitched), "p1": file_of([drums["p1"]]),
            "p2": file_of([drums["p2"]])}


def _merged_drums(a: mido.MidiTrack, b: mido.MidiTrack) -> mido.MidiTrack:
    """Both drum parts as one track; a note both play at one tick sounds once."""
    strokes: dict[tuple[int, int], tuple[int, int, int]] = {}
    for track in (a, b):
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == "note_on" and msg.velocity > 0:
                key = (tick, msg.note)
                old = strokes.get(key)
                if old is None or msg.velocity > old[1]:
                    strokes[key] = (msg.channel, msg.velocity, tick)
    events: list[tuple[int, int, mido.Message]] = []
    for (tick, note), (channel, velocity, _) in strokes.items():
        events.append((tick, 1, mido.Message("note_on", note=note, velocity=velocity,
                                             channel=channel)))
        events.append((tick + 30, 0, mido.Message("note_off", note=note, velocity=0,
                                                  channel=channel)))
    events.sort(key=lambda e: (e[0], e[1]))
    track = mido.MidiTrack([mido.MetaMessage("track_name", name="Drums", time=0)])
    now = 0
    for tick, _, msg in events:
        track.append(msg.copy(time=tick - now))
        now = tick
    return track


def render(midi: mido.MidiFile, wav: Path) -> np.ndarray:
    """FluidSynth render of ``midi``: float32 array, shape (n, 2), at :data:`SR`."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "in.mid"
        midi.save(path)
        subprocess.run(["fluidsynth", "-ni", "-q", "-g", "1.0", "-r", str(SR), "-O", "float",
                        "-F", str(wav), str(SF2), str(path)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    audio, sr = sf.read(wav, dtype="float32", always_2d=True)
    if sr != SR:
        raise SystemExit(f"fluidsynth rendered at {sr} Hz, expected {SR}")
    return audio


def write_ogg(path: Path, audio: np.ndarray) -> None:
    """OGG Vorbis, written in blocks (libvorbis crashes on one long write)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sf.SoundFile(path, "w", SR, audio.shape[1], format="OGG", subtype="VORBIS",
                      compression_level=1.0 - OGG_QUALITY) as f:
        for i in range(0, len(audio), 32768):
            f.write(audio[i:i + 32768])


def limiter_envelope(peak: np.ndarray, *, attack_s: float = 0.004,
                     release_s: float = 0.03) -> np.ndarray:
    """A gain per sample (<= 1) that keeps ``peak`` under :data:`PEAK_CEILING_DBFS`.

    Looks ahead ``attack_s`` (the gain is already down when a hit lands) and
    holds for ``release_s`` before recovering, smoothed so it never clicks.
    """
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ceiling = 10 ** (PEAK_CEILING_DBFS / 20) * 0.98  # a little under, for the encoder
    need = np.minimum(1.0, ceiling / np.maximum(peak, 1e-9))
    a, r = int(attack_s * SR), int(release_s * SR)
    held = minimum_filter1d(need, size=a + r + 1, origin=(r - a) // 2)
    return uniform_filter1d(minimum_filter1d(held, size=2 * a + 1), size=a + 1)


def db(x: float) -> float:
    return 20.0 * float(np.log10(max(x, 1e-12)))


def render_song(arrangement: Path) -> dict[str, object]:
    """Render one song's four files and write its beatmap; returns its figures."""
    from game.engine.chart import ACCENT_VELOCITY, DEFAULT_VELOCITY, GHOST_VELOCITY
    from game.formats.beatmap_writer import save_beatmap
    from game.formats.midi_import import import_midi_with_report

    song_id = arrangement.stem
    mid = mido.MidiFile(arrangement)
    chart, _report = import_midi_with_report(arrangement)
    length = int((chart.length_s + TAIL_S) * SR)
    with tempfile.TemporaryDirectory() as d:
        raw = {}
        for name, part in split_arrangement(mid).items():
            audio = render(part, Path(d) / f"{name}.wav")[:length]
            raw[name] = np.pad(audio, ((0, length - len(audio)), (0, 0)))
    drum = 10 ** (DRUM_BOOST_DB / 20)
    files = {"mix": raw["backing"] + drum * raw["drums"], "backing": raw["backing"],
             "p1": drum * raw["p1"], "p2": drum * raw["p2"]}
    # what the game plays: the backing and both players' stems together (unison
    # notes sound twice: two drummers) -- that must not clip either. One gain sets
    # the mix's loudness; one limiter envelope, computed from the loudest of the
    # mix and that sum, tames the drum transients in all four files alike (so
    # the stems still add up to what the game plays).
    gain_db = TARGET_LUFS - integrated_lufs(files["mix"], SR)
    for _ in range(8):
        gain = 10 ** (gain_db / 20)
        scaled = {k: v * gain for k, v in files.items()}
        in_game = scaled["backing"] + scaled["p1"] + scaled["p2"]
        env = limiter_envelope(np.maximum(np.max(np.abs(in_game), axis=1),
                                          np.max(np.abs(scaled["mix"]), axis=1)))
        scaled = {k: v * env[:, None] for k, v in scaled.items()}
        miss_db = TARGET_LUFS - integrated_lufs(scaled["mix"], SR)
        gain_db += miss_db
        if abs(miss_db) < 0.05:
            break
    out_dir = AUDIO / song_id
    figures: dict[str, object] = {
        "id": song_id, "gain_db": round(gain_db, 2),
        "limited_db": round(db(float(env.min())), 2),
        "in_game_peak_dbfs": round(db(float(np.max(np.abs(in_game * env[:, None])))), 2)}
    files = scaled
    for name, audio in files.items():
        scaled_audio = audio.astype(np.float32)
        path = out_dir / f"{name}.ogg"
        write_ogg(path, scaled_audio)
        back, _ = sf.read(path, dtype="float32", always_2d=True)
        figures[name] = {"lufs": round(integrated_lufs(back, SR), 2),
                         "peak_dbfs": round(db(float(np.max(np.abs(back)))), 2),
                         "length_s": round(len(back) / SR, 2),
                         "kib": round(path.stat().st_size / 1024)}
    title = _track_name(mid.tracks[0]) or chart.meta.title
    chorus = next((s.time_s for s in chart.sections if "chorus" in s.name.lower()), 0.0)
    rel = f"../audio/{song_id}"
    meta = dataclasses.replace(
        chart.meta, id=song_id, title=title, artist="Drum Diplomacy",
        charter="Drum Diplomacy (from the arrangement)", audio=f"{rel}/mix.ogg",
        preview_s=round(chorus, 3),
        extra=(("stem_backing", f"{rel}/backing.ogg"), ("stem_p1", f"{rel}/p1.ogg"),
               ("stem_p2", f"{rel}/p2.ogg")))
    # the audio keeps the arrangement's dynamics; the chart only needs normal,
    # accent and ghost (so its bars stay drum-tab grids, not one line per note)
    parts = {key: tuple(dataclasses.replace(n, velocity=ACCENT_VELOCITY if n.accent else
                                            GHOST_VELOCITY if n.ghost else DEFAULT_VELOCITY)
                        for n in notes) for key, notes in chart.parts.items()}
    save_beatmap(dataclasses.replace(chart, meta=meta, parts=parts),
                 BEATMAPS / f"{song_id}.beatmap")
    return figures


def render_calibration() -> dict[str, object]:
    """A MIDI of known hit times (kick, snare, hats, toms, crash) and its render."""
    times: list[tuple[float, int, int]] = []
    notes = [36, 38, 42, 46, 48, 45, 43, 49, 51, 37, 40, 44]
    for i in range(96):
        times.append((0.5 + i * 0.3125 + (i % 7) * 0.004, notes[i % len(notes)],
                      40 + (i * 37) % 88))
    mid = mido.MidiFile(type=1, ticks_per_beat=480)
    conductor = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=500000, time=0)])
    track = mido.MidiTrack()
    events = []
    for t, note, vel in times:
        tick = round(t * 960)  # 120 BPM, 480 ticks per beat: 960 ticks per second
        events += [(tick, 1, note, vel), (tick + 30, 0, note, 0)]
    now = 0
    for tick, on, note, vel in sorted(events):
        kind = "note_on" if on else "note_off"
        track.append(mido.Message(kind, note=note, velocity=vel, channel=9, time=tick - now))
        now = tick
    mid.tracks.extend([conductor, track])
    CALIBRATION.parent.mkdir(parents=True, exist_ok=True)
    mid.save(CALIBRATION.with_suffix(".mid"))
    with tempfile.TemporaryDirectory() as d:
        audio = render(mid, Path(d) / "c.wav")
    audio = audio / max(float(np.max(np.abs(audio))), 1e-9) * 0.8
    write_ogg(CALIBRATION.with_suffix(".ogg"), audio.astype(np.float32))
    truth = [round(now_tick / 960, 6) for now_tick in sorted({round(t * 960) for t, _, _ in times})]
    CALIBRATION.with_suffix(".json").write_text(json.dumps({"onsets_s": truth}) + "\n")
    return {"calibration_hits": len(truth)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="render just this song id")
    args = ap.parse_args()
    if shutil.which("fluidsynth") is None or not SF2.exists():
        print("needs FluidSynth and the FluidR3 soundfont: "
              "apt-get install fluidsynth fluid-soundfont-gm", file=sys.stderr)
        return 1
    songs = sorted(ARRANGEMENTS.glob("*.mid"))
    if args.only:
        songs = [p for p in songs if p.stem == args.only]
    for path in songs:
        print(json.dumps(render_song(path)))
    print(json.dumps(render_calibration()))
    total = sum(f.stat().st_size for f in (ROOT / "assets").rglob("*") if f.is_file())
    print(f"assets total: {total / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
