"""Practice audio benchmark: time-stretch cost per second of audio, and a cache hit.

Run: ``python bench/practice_stretch.py [SONG] [SECTION]`` (default
handshake-groove, Chorus). Prints figures; asserts nothing.

* first call: librosa's one-off start-up in a fresh process (the game hides
  it behind the practice setup screen, see ``stretch_task.warm_up``).
* prepare: cut + stretch + write of the song's three stems (backing, P1, P2
  drums) for the section, per speed; seconds of work per second of song
  audio (per track and for all three), and per second of practice audio.
* cache hit: the same request again (manifest read, every file's digest
  checked); the WAVs are then read by the mixer.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's game package
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "drum-diplomacy-numba"))

from game.audio.stretch import audio_job, librosa_module, prepare, stretch_channel
from game.engine.practice import plan_practice
from game.formats.library import load_song, resolve_beatmap


def main() -> None:
    song = sys.argv[1] if len(sys.argv) > 1 else "handshake-groove"
    section = sys.argv[2] if len(sys.argv) > 2 else "Chorus"
    chart = load_song(song)
    folder = resolve_beatmap(song).parent
    import numpy as np

    t0 = time.perf_counter()
    stretch_channel(np.full(4096, 1e-3, dtype=np.float32), 0.75, n_fft=512, hop_length=128,
                    librosa=librosa_module())
    print(f"first call (librosa start-up): {time.perf_counter() - t0:.2f} s")
    print(f"{chart.meta.title}, {section}:")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        for speed in (1.0, 0.9, 0.75, 0.5):
            plan = plan_practice(chart, section, speed=speed)
            job = audio_job(chart, folder, plan)
            song_s = job.end_s - job.start_s
            t0 = time.perf_counter()
            out = prepare(job, cache_dir=cache)
            cost = time.perf_counter() - t0
            hits = []
            for _ in range(5):
                t0 = time.perf_counter()
                again = prepare(job, cache_dir=cache)
                hits.append(time.perf_counter() - t0)
                assert again.from_cache
            mb = sum(Path(f).stat().st_size for _, f in out.files) / 1e6
            n = len(job.tracks)
            print(f"  {round(speed * 100):3d} %: {song_s:.1f} s of song x {n} tracks -> "
                  f"{out.seconds:.1f} s; prepare {cost:.2f} s = "
                  f"{cost / song_s / n * 1e3:.0f} ms per track-second of song "
                  f"({cost / song_s:.2f} s per second for all {n}; "
                  f"{cost / out.seconds:.2f} s per second of practice audio); "
                  f"cache hit {statistics.median(hits) * 1e3:.0f} ms ({mb:.1f} MB)")


if __name__ == "__main__":
    main()
