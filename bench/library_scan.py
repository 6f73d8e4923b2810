"""The song library scan: the first (cold) scan and the unchanged-library scan.

Run: ``python bench/library_scan.py [--songs 150] [--native N]``. Writes a
realistic library (``bench/library_songs.py``: native beatmaps, Clone Hero
``notes.chart``/``notes.mid`` folders, osu!taiko/mania folders, ``.osz``) in a
temporary data folder, then prints

- the first scan (no cache): seconds, ms per song, and how much of it is the
  chart parsers (native beatmap reader, other games' importers) and the song
  list entry (difficulty ratings); target <= 10 ms per song;
- the scan of the unchanged library (cache warm): median and max of five;
  target <= 0.3 s for 150 songs;
- a scan after 1 % of the songs changed, and one without the cache;
- song select at 60 frames per second during a first scan in the background
  (its worker thread, the songs read by helper processes; ``--processes 0``:
  read on the thread) and after: how long each frame takes and how late frames
  start, the window's measure of "never waits"; then how soon song select lists
  songs when opened on an empty and on a warm cache (``--shots DIR`` saves
  screenshots of scanning, searching, each order and a letter jump);
- ``--native N`` also: cold/warm scans of N small native beatmaps (the old bench).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from library_songs import generate_library


class PhaseTimer:
    """Seconds spent in some functions, by name (wrapped in place, restored by :meth:`undo`)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        """Time every call of ``owner.attr`` as ``name``."""
        original = getattr(owner, attr)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - t0
                self.calls[name] += 1

        setattr(owner, attr, timed)
        self._undo.append((owner, attr, original))

    def undo(self) -> None:
        """Put the original functions back."""
        for owner, attr, original in reversed(self._undo):
            setattr(owner, attr, original)
        self._undo.clear()


def timed_scan(scan: Callable[[], Any]) -> tuple[Any, dict[str, float], dict[str, int]]:
    """One scan with the parsers and the entry-making timed."""
    import game.formats.beatmap as beatmap
    import game.formats.importers as importers
    import game.formats.library as library
    import game.formats.user_library as user_library

    timer = PhaseTimer()
    timer.wrap(beatmap, "load_beatmap", "native beatmap parser")
    timer.wrap(importers, "import_song", "importers (Clone Hero, osu!)")
    timer.wrap(importers, "detect", "importers: detect")
    timer.wrap(user_library, "song_entry", "song entry (ratings)")
    timer.wrap(library, "song_entry", "song entry (ratings)")
    try:
        return scan(), dict(timer.seconds), dict(timer.calls)
    finally:
        timer.undo()


def report_cold(lib: Any, phases: dict[str, float], calls: dict[str, int]) -> None:
    """Print the first scan's figures and where its time went."""
    n = lib.read
    print(f"first scan (no cache): {lib.seconds:.2f} s for {len(lib.songs)} songs listed, "
          f"{n} read ({lib.seconds / max(n, 1) * 1000:.1f} ms per song read; "
          f"{len(lib.errors)} errors) - target <= 10 ms per song")
    parsing = 0.0
    for name, secs in sorted(phases.items(), key=lambda kv: -kv[1]):
        print(f"    {name:<32} {secs:6.2f} s  ({secs / max(n, 1) * 1000:5.1f} ms per song, "
              f"{calls[name]} calls)")
        if "entry" not in name:
            parsing += secs
    print(f"    parsing in all: {parsing:.2f} s = {parsing / lib.seconds * 100:.0f} % of the "
          f"scan ({parsing / max(n, 1) * 1000:.1f} ms per song)")


def bench_library(songs: int) -> None:
    """Cold, unchanged, 1 % changed and uncached scans of a realistic library of ``songs``."""
    from game.store.paths import songs_dir
    from game.store.song_library import scan_library

    t = time.perf_counter()
    counts = generate_library(songs_dir(), songs)
    print(f"generated {songs} songs in {time.perf_counter() - t:.1f} s: "
          + ", ".join(f"{v} {k}" for k, v in counts.items()))
    cold, phases, calls = timed_scan(scan_library)
    report_cold(cold, phases, calls)
    for e in cold.errors[:5]:
        print(f"    error: {e}")
    warm, cpu = [], []
    for _ in range(5):
        c0 = time.process_time()
        warm.append(scan_library())
        cpu.append(time.process_time() - c0)
    secs = [w.seconds for w in warm]
    reread = sum(w.read for w in warm)
    if reread:
        print(f"note: {reread} songs were read again during the unchanged scans")
    print(f"unchanged library: median {statistics.median(secs) * 1000:.0f} ms, max "
          f"{max(secs) * 1000:.0f} ms for {len(cold.songs)} songs (CPU median "
          f"{statistics.median(cpu) * 1000:.0f} ms) - target <= 300 ms for 150 songs")
    touched = [p for p in sorted(songs_dir().rglob("*")) if p.suffix in (".beatmap", ".chart")]
    touched = touched[:max(1, songs // 100)]
    for path in touched:
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    part = scan_library()
    print(f"after changing {len(touched)} songs: {part.seconds * 1000:.0f} ms "
          f"({part.read} read again)")
    nocache = scan_library(use_cache=False)
    print(f"without the cache: {nocache.seconds:.2f} s")
    bench_helpers(len(cold.songs))


def bench_helpers(listed: int) -> None:
    """First scans read by 1..cores helper processes, as song select reads them
    (``default_processes()``: one fewer than the cores, so the window keeps one)."""
    from game.store.paths import data_dir
    from game.store.scan_job import ScanJob
    from game.store.scan_worker import default_processes

    cores = os.cpu_count() or 1
    for helpers in range(1, max(2, min(4, cores)) + 1):
        cache = data_dir() / f"bench_cache_{helpers}.sqlite3"
        t0 = time.perf_counter()
        lib = ScanJob(cache=cache, processes=helpers).run()
        wall = time.perf_counter() - t0
        mark = " (song select's default here)" if helpers == default_processes() else ""
        print(f"first scan, {helpers} helper process(es){mark}: {wall:.2f} s wall for "
              f"{len(lib.songs)} songs ({wall / max(listed, 1) * 1000:.1f} ms per song) "
              f"on {cores} cores")


def frame_stats(label: str, frames_s: list[float], late_s: list[float]) -> None:
    """Print a run of frames' draw times and how late each frame started."""
    if not frames_s:
        return
    ordered = sorted(frames_s)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"    {label:<26} {len(frames_s):5d} frames: update+draw median "
          f"{statistics.median(frames_s) * 1000:5.1f} ms, p99 {p99 * 1000:5.1f} ms, max "
          f"{max(frames_s) * 1000:5.1f} ms; started late by at most "
          f"{max(late_s) * 1000:5.1f} ms")


def bench_song_select(shots: Path | None, processes: int | None) -> None:
    """Song select at 60 frames per second while the first (cold) scan runs in the
    background (its worker thread, and helper processes reading the songs unless
    ``processes`` is 0), then with nothing scanning; screenshots of scanning, search and
    orders."""
    import pygame

    import game.store.background_scan as background_scan
    from game.app.app import App
    from game.app.context import AppContext
    from game.app.scenes.song_select import SongSelectScene
    from game.store.paths import data_dir
    from game.store.scores import ScoreStore
    from game.store.settings import Settings
    from game.ui.i18n import set_language

    for f in data_dir().glob("song_cache.sqlite3*"):
        f.unlink()  # a first scan
    helpers = background_scan.default_processes() if processes is None else processes
    background_scan.default_processes = lambda: helpers  # type: ignore[assignment]
    store = ScoreStore(data_dir() / "scores.sqlite3")
    app = App(size=(1280, 720), context=AppContext(settings=Settings(), scores=store,
                                          audio=None, notices=[]))
    dt = 1 / 60

    def run(scene: SongSelectScene, seconds: float, until_done: bool
            ) -> tuple[list[float], list[float]]:
        frames, late = [], []
        start = next_frame = time.perf_counter()
        shot_taken = shots is None
        while True:
            now = time.perf_counter()
            if (until_done and scene.scan.done) or (not until_done and now - start > seconds):
                break
            if now < next_frame:
                time.sleep(next_frame - now)
            t0 = time.perf_counter()
            late.append(t0 - next_frame)
            scene.update(t0)
            scene.draw(app.screen)
            pygame.event.pump()
            frames.append(time.perf_counter() - t0)
            next_frame = max(next_frame + dt, time.perf_counter())
            if not shot_taken and until_done and scene.progress.fraction >= 0.3:
                assert shots is not None
                pygame.image.save(app.screen, str(shots / "scanning.png"))
                shot_taken = True
        return frames, late

    def open_scene(label: str) -> SongSelectScene:
        t0 = time.perf_counter()
        scene = SongSelectScene(app)
        app.push(scene)
        t1 = time.perf_counter()
        scene.update(t1)
        scene.draw(app.screen)
        t2 = time.perf_counter()
        print(f"song select opened {label}: {len(scene.entries)} songs listed in "
              f"{(t1 - t0) * 1000:.0f} ms, first frame drawn {(t2 - t1) * 1000:.0f} ms later")
        return scene

    try:
        t0 = time.perf_counter()
        scene = open_scene("on an empty cache (built-in songs read now)")
        frames, late = run(scene, 0, until_done=True)
        scene.refresh()
        how = (f"{helpers} helper process{'es' if helpers > 1 else ''} reading"
               if helpers else "songs read on the worker thread")
        print(f"    first scan in the background ({how}): {len(scene.entries)} songs listed "
              f"after {time.perf_counter() - t0:.1f} s")
        frame_stats("while scanning", frames, late)
        frames, late = run(scene, 3.0, until_done=False)
        frame_stats("nothing scanning", frames, late)
        if shots is not None:
            save_shots(app, scene, shots, set_language)
        app.pop()
        # a later start of the game: the cache is warm
        app.context = AppContext(settings=Settings(), scores=store)
        again = open_scene("again, the cache warm")
        again.wait_for_scan(60)
        again.refresh()
        print(f"    the unchanged library checked in the background in "
              f"{again.library.seconds * 1000:.0f} ms ({again.library.read} read)")
    finally:
        while app.scenes:
            app.scenes.pop().close()
        store.close()


def save_shots(app: Any, scene: Any, shots: Path, set_language: Callable[[str], str]) -> None:
    """Song select with a search typed (English, Korean, Japanese) and in each order."""
    import pygame

    def frame(name: str) -> None:
        scene.update(time.perf_counter())
        scene.draw(app.screen)
        pygame.image.save(app.screen, str(shots / f"{name}.png"))

    def type_text(text: str) -> None:
        scene.on_event(pygame.event.Event(pygame.TEXTINPUT, text=text), time.perf_counter())

    scene.open_search()
    type_text("neon")
    frame("search_neon")
    scene.close_search()
    scene.open_search()
    type_text("夜明け")
    frame("search_japanese")
    scene.close_search()
    store = app.context.scores
    start = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    for k, entry in enumerate(scene.entries[5:40:7]):  # a few songs played, latest last
        store.add_play(played_report(str(entry["id"])), played_at=start + timedelta(hours=k))
    for _ in range(4):
        scene.change_order(1)
        frame(f"sorted_by_{scene.order}")
    scene.on_event(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_HOME, mod=0, unicode="",
                                      scancode=0), time.perf_counter())
    frame("sorted_by_recent_top")
    scene.change_order(1)
    scene.jump_to("s")
    frame("jump_s")
    for lang in ("ko", "ja"):
        set_language(lang)
        scene.change_order(2)
        scene.open_search()
        type_text("밤의" if lang == "ko" else "バンド")
        frame(f"search_{lang}")
        scene.close_search()
        scene.change_order(-2)
    set_language("en")
    print(f"    screenshots in {shots}")


def played_report(song_id: str) -> dict[str, Any]:
    """A play of ``song_id`` as the score history keeps it (the figures do not matter here)."""
    player = {"difficulty": "normal", "score": 50_000, "accuracy": 0.9}
    return {"song": {"id": song_id, "title": song_id, "chart_hash": "bench"},
            "players": [{**player, "name": "P1", "player": "p1"},
                        {**player, "name": "P2", "player": "p2"}],
            "duet": {"team_score": 100_000, "sync_spread_ms": 12.0, "in_sync_rate": 0.8}}


def bench_native(n: int) -> None:
    """The old bench: N small native beatmaps, cold and warm."""
    from game.engine.chart import Chart, SongMeta, make_note, sort_notes
    from game.engine.reduce import reduce_chart
    from game.engine.tempo import TempoMap
    from game.engine.voices import Voice
    from game.formats.beatmap_writer import write_beatmap
    from game.store.song_library import scan_library

    root = Path(tempfile.mkdtemp(prefix="dd-native-"))
    try:
        tempo = TempoMap.constant(120)
        notes = [make_note(tempo, b / 2, Voice.HIHAT_CLOSED) for b in range(64)]
        part = sort_notes(notes)
        text = write_beatmap(reduce_chart(Chart(SongMeta("x", "Small"), tempo, (),
                                                {("p1", "expert"): part,
                                                 ("p2", "expert"): part})))
        for k in range(n):
            (root / f"gen-{k:05d}").mkdir()
            (root / f"gen-{k:05d}" / f"gen-{k:05d}.beatmap").write_text(
                text.replace("id = x\n", f"id = gen-{k:05d}\n", 1), encoding="utf-8")
        cold = scan_library(folder=root, cache=root / "cache.sqlite3")
        warm = [scan_library(folder=root, cache=root / "cache.sqlite3").seconds
                for _ in range(5)]
        print(f"{n} small beatmaps: cold {cold.seconds:.2f} s, unchanged median "
              f"{statistics.median(warm) * 1000:.0f} ms")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    """Generate the library and print the scans' figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--songs", type=int, default=150)
    ap.add_argument("--native", type=int, default=0,
                    help="also scan this many small native beatmaps")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--shots", type=Path, default=None,
                    help="save song select screenshots (scanning, search, orders) here")
    ap.add_argument("--no-window", action="store_true",
                    help="skip song select (frame times while the first scan runs)")
    ap.add_argument("--processes", type=int, default=None,
                    help="helper processes of song select's scan (0: the worker thread "
                         "reads; default: one fewer than the cores, 1-4)")
    args = ap.parse_args()
    for var in ("SDL_VIDEODRIVER", "SDL_AUDIODRIVER"):
        os.environ.setdefault(var, "dummy")
    if args.shots is not None:
        args.shots.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="dd-library-"))
    os.environ["DRUM_DIPLOMACY_HOME"] = str(home)
    import game.store.song_cache as song_cache

    # pin the readers' code stamp: an edit to game/formats while this runs (others at
    # work in the tree) would otherwise empty the cache between the scans measured
    reader = song_cache.reader_version()
    song_cache.reader_version = lambda: reader  # type: ignore[assignment]
    try:
        bench_library(args.songs)
        if not args.no_window:
            bench_song_select(args.shots, args.processes)
        if args.native:
            bench_native(args.native)
    finally:
        if args.keep:
            print(f"kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
