"""The song library scan: cold (no cache) and warm (cache, nothing changed) with N user songs.

Run: ``python bench/library_scan.py [--songs 2000] [--bars 8]``. Generates N small
``.beatmap`` songs (each in its own folder, as ``drum-diplomacy import`` writes
them) in a temporary data folder and prints the scan times (target: a warm
scan of 2000 songs well under 0.5 s, so song select opens at once).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from game.engine.chart import Chart, SongMeta, make_note, sort_notes
from game.engine.reduce import reduce_chart
from game.engine.tempo import TempoMap
from game.engine.voices import Voice
from game.formats.beatmap_writer import write_beatmap


def make_chart(song_id: str, *, bars: int, seed: int) -> Chart:
    """A small unison groove: 8th-note hi-hat, kick and snare, random fills."""
    rng = random.Random(seed)
    tempo = TempoMap.constant(rng.choice([90, 100, 112, 120, 128, 140]))
    notes = []
    for bar in range(bars):
        for eighth in range(8):
            beat = bar * 4 + eighth / 2
            notes.append(make_note(tempo, beat, Voice.HIHAT_CLOSED, accent=eighth % 2 == 0))
            if eighth in (0, 5) or rng.random() < 0.1:
                notes.append(make_note(tempo, beat, Voice.KICK))
            if eighth in (2, 6):
                notes.append(make_note(tempo, beat, Voice.SNARE))
    part = sort_notes(notes)
    chart = Chart(SongMeta(song_id, f"Generated Song {seed:05d}", artist="Bench"), tempo, (),
                  {("p1", "expert"): part, ("p2", "expert"): part})
    return reduce_chart(chart)


def generate(folder: Path, n: int, *, bars: int) -> None:
    """N song folders ``<id>/<id>.beatmap``; a few distinct charts written many times."""
    texts = [write_beatmap(make_chart("x", bars=bars, seed=k)) for k in range(20)]
    for k in range(n):
        song_id = f"gen-{k:05d}"
        text = texts[k % len(texts)].replace("id = x\n", f"id = {song_id}\n", 1).replace(
            "Generated Song", f"Generated Song {k:05d}", 1)
        (folder / song_id).mkdir(parents=True)
        (folder / song_id / f"{song_id}.beatmap").write_text(text, encoding="utf-8")


def main() -> None:
    """Cold scan once, warm scans five times, then one scan after touching 1 % of the songs."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--songs", type=int, default=2000)
    ap.add_argument("--bars", type=int, default=8)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="dd-library-"))
    os.environ["DRUM_DIPLOMACY_HOME"] = str(home)
    import game.store.song_cache as song_cache
    from game.store.paths import songs_dir
    from game.store.song_library import scan_library

    # pin the readers' code stamp: an edit to game/formats while this runs (others at
    # work in the tree) would otherwise empty the cache between the scans measured
    reader = song_cache.reader_version()
    song_cache.reader_version = lambda: reader  # type: ignore[assignment]

    try:
        t = time.perf_counter()
        generate(songs_dir(), args.songs, bars=args.bars)
        print(f"generated {args.songs} songs of {args.bars} bars in "
              f"{time.perf_counter() - t:.1f} s ({home})")
        cold = scan_library()
        n = len(cold.songs)
        print(f"cold scan: {cold.seconds:.2f} s for {n} songs "
              f"({cold.seconds / n * 1000:.2f} ms per song, {cold.read} read, "
              f"{len(cold.errors)} errors)")
        warm, cpu = [], []
        for _ in range(5):
            c0 = time.process_time()
            warm.append(scan_library())
            cpu.append(time.process_time() - c0)
        secs = [w.seconds for w in warm]
        reread = sum(w.read for w in warm)
        if reread:  # the readers' code changed meanwhile (someone editing game/formats)
            print(f"note: {reread} songs were read again during the warm scans")
        print(f"warm scan: median {statistics.median(secs) * 1000:.0f} ms, "
              f"max {max(secs) * 1000:.0f} ms ({statistics.median(secs) / n * 1000:.3f} ms "
              f"per song; CPU time median {statistics.median(cpu) * 1000:.0f} ms) — target "
              "well under 500 ms for 2000 songs")
        touched = max(1, args.songs // 100)
        for k in range(touched):
            path = songs_dir() / f"gen-{k:05d}" / f"gen-{k:05d}.beatmap"
            path.write_text(path.read_text() + "\n", encoding="utf-8")
        part = scan_library()
        print(f"after changing {touched} songs: {part.seconds * 1000:.0f} ms "
              f"({part.read} read again)")
        nocache = scan_library(use_cache=False)
        print(f"without the cache: {nocache.seconds:.2f} s")
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
