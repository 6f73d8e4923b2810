"""The library scan in steps and on its worker thread: what it publishes as it goes, pausing,
stopping, ids that never move, a failed scan; song list search, orders and jumps; when each
song was last played."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from library_files import clonehero_chart, osu_taiko, write_beatmap

import game.store.scan_job as scan_job
import game.store.scan_worker as scan_worker
from game.app.scenes.song_list import fold, jump, select_songs, sort_songs
from game.formats.library import song_entries as builtin_entries
from game.store.background_scan import SWITCH_S, BackgroundScan
from game.store.last_played import last_played
from game.store.paths import songs_dir
from game.store.scan_job import Library, ScanJob, ScanProgress
from game.store.scores import ScoreStore
from game.store.song_cache import SongCache
from game.store.song_library import scan_library


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(folder))
    return folder


def user_titles(lib: Library) -> list[str]:
    return [s["title"] for s in lib.songs if s["source"] != "builtin"]


def five_songs() -> None:
    songs = songs_dir()
    for k, title in enumerate(("Echo", "Alpha", "Delta", "Bravo")):
        write_beatmap(songs / f"s{k}" / f"s{k}.beatmap", f"s{k}", title=title)
    clonehero_chart(songs / "ch", "Charlie")


class Gate:
    """Holds the worker inside ``read_song`` at the ``nth`` song read (1-based) until
    :meth:`release`; counts the songs read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, nth: int) -> None:
        self.nth, self.calls, self.threads = nth, 0, set()
        self.reached, self.go = threading.Event(), threading.Event()
        self.switch_s: list[float] = []
        original = scan_job.read_song

        def gated(candidate: Any, **kw: Any) -> Any:
            self.calls += 1
            self.threads.add(threading.current_thread().name)
            self.switch_s.append(sys.getswitchinterval())
            if self.calls == self.nth:
                self.reached.set()
                assert self.go.wait(30), "the test never released the gate"
            return original(candidate, **kw)

        monkeypatch.setattr(scan_job, "read_song", gated)
        monkeypatch.setattr(scan_worker, "read_song", gated)

    def release(self) -> None:
        self.go.set()


@pytest.fixture
def scans() -> Iterator[list[BackgroundScan]]:
    """Background scans to stop at the end of the test (whatever it asserted)."""
    made: list[BackgroundScan] = []
    yield made
    for scan in made:
        scan.stop()
        scan.wait(30)


def wait_until(predicate: Any, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def waiting_while_paused(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """An event set when a scan's worker reaches the point before its next song while
    paused, where it then waits for :meth:`BackgroundScan.resume`."""
    waiting = threading.Event()
    checkpoint = BackgroundScan._checkpoint

    def watched(self: BackgroundScan) -> bool:
        if self.paused:
            waiting.set()
        return checkpoint(self)

    monkeypatch.setattr(BackgroundScan, "_checkpoint", watched)
    return waiting


# ---------------------------------------------------------------- the scan in steps

def test_a_scan_publishes_what_it_found_as_it_reads_in_path_order() -> None:
    five_songs()
    seen: list[tuple[Library, ScanProgress]] = []
    final = ScanJob().run(publish=lambda lib, p: seen.append((lib, p)))
    builtin = len(builtin_entries()[0])
    assert seen[0][1] == ScanProgress("reading", found=5 + builtin, to_read=5 + builtin)
    reads = [p.read for _, p in seen]
    assert reads == sorted(reads) and reads[-1] == 5 + builtin
    assert [len(lib.songs) for lib, _ in seen] == sorted(len(lib.songs) for lib, _ in seen)
    assert not seen[1][0].finished and seen[-1][0] is final and final.finished
    assert seen[-1][1].stage == "done" and seen[-1][1].fraction == 1.0
    # the user songs are read in the order of their paths: ch (Charlie), s0 (Echo)...
    firsts = [user_titles(lib) for lib, _ in seen if user_titles(lib)][:2]
    assert firsts == [["Charlie"], ["Charlie", "Echo"]]
    again = scan_library()
    assert again.read == 0 and again.songs == final.songs


def test_a_stopped_scan_keeps_what_it_read_and_the_next_one_goes_on() -> None:
    songs = songs_dir()
    write_beatmap(songs / "old" / "old.beatmap", "old", title="Old")
    scan_library()
    for k in range(4):
        write_beatmap(songs / f"n{k}" / f"n{k}.beatmap", f"n{k}", title=f"New {k}")
    allowed = iter([True, True])
    job = ScanJob()
    stopped = job.run(checkpoint=lambda: next(allowed, False))
    assert job.progress.stage == "stopped" and stopped.read == 2
    assert user_titles(stopped) == ["New 0", "New 1", "Old"]  # the cached song stays listed
    with SongCache() as cache:
        rows = cache.load()
    assert str(songs / "old" / "old.beatmap") in rows  # not dropped by the stopped scan
    assert str(songs / "n1" / "n1.beatmap") in rows and str(songs / "n2" / "n2.beatmap") not in rows
    rest = scan_library()
    assert rest.read == 2 and user_titles(rest) == ["New 0", "New 1", "New 2", "New 3", "Old"]


def test_ids_handed_out_during_a_scan_never_change() -> None:
    songs = songs_dir()
    for folder in ("c", "a", "b", "d"):
        write_beatmap(songs / folder / "dup.beatmap", "dup", title=f"Dup {folder}")
    write_beatmap(songs / "e" / "first-contact.beatmap", "first-contact", title="Not Built In")
    seen: list[Library] = []
    final = ScanJob().run(publish=lambda lib, p: seen.append(lib))
    final_ids = {s["beatmap"]: s["id"] for s in final.songs}
    assert len(set(final_ids.values())) == len(final_ids)
    for lib in seen:
        for s in lib.songs:
            assert final_ids[s["beatmap"]] == s["id"], (s["title"], s["id"])
    by_title = {s["title"]: s["id"] for s in final.songs}
    assert by_title["Dup a"] == "dup" and by_title["Not Built In"] != "first-contact"
    assert {s["title"]: s["id"] for s in scan_library().songs} == by_title


def test_builtins_are_read_at_once_from_the_cache_or_the_files(
        monkeypatch: pytest.MonkeyPatch) -> None:
    five_songs()
    cold = ScanJob().read_builtins()
    builtin = [e["id"] for e in builtin_entries()[0]]
    assert [s["id"] for s in cold.songs] == builtin and not cold.finished
    assert cold.read == len(builtin)
    scan_library()
    calls: list[Any] = []
    monkeypatch.setattr(scan_job, "read_song", lambda c, **kw: calls.append(c))
    warm = ScanJob().read_builtins()
    assert [s["id"] for s in warm.songs] == builtin and warm.read == 0 and not calls


# ---------------------------------------------------------------- on its worker thread

def test_background_scan_lists_builtins_at_once_and_the_rest_on_its_thread(
        monkeypatch: pytest.MonkeyPatch, scans: list[BackgroundScan]) -> None:
    five_songs()
    builtin = len(builtin_entries()[0])
    gate = Gate(monkeypatch, nth=builtin + 3)  # built-ins read at once, then 2 of 5 songs
    before = sys.getswitchinterval()
    scan = BackgroundScan(processes=0)
    scans.append(scan)
    version, lib, progress, error = scan.snapshot()
    assert len(lib.songs) == builtin and error is None and progress.stage == "listing"
    assert gate.calls == builtin and gate.threads == {threading.current_thread().name}
    scan.start()
    assert gate.reached.wait(30)
    wait_until(lambda: scan.snapshot()[2].read == 2)
    v2, lib2, progress2, _ = scan.snapshot()
    assert v2 > version and user_titles(lib2) == ["Charlie", "Echo"]  # by path: ch, s0
    assert progress2 == ScanProgress("reading", found=5 + builtin, to_read=5, read=2)
    assert 0 < progress2.fraction < 1 and not scan.done
    assert "song-library-scan" in gate.threads
    assert max(gate.switch_s[builtin:]) <= SWITCH_S  # the window's thread waits <= 1 ms
    gate.release()
    assert scan.wait(30) and scan.done
    _, final, progress3, _ = scan.snapshot()
    assert progress3.stage == "done" and final.finished and len(final.songs) == builtin + 5
    assert sys.getswitchinterval() == before


def test_a_paused_scan_reads_nothing_until_resumed(monkeypatch: pytest.MonkeyPatch,
                                                   scans: list[BackgroundScan]) -> None:
    five_songs()
    builtin = len(builtin_entries()[0])
    gate = Gate(monkeypatch, nth=builtin + 1)
    waiting = waiting_while_paused(monkeypatch)
    scan = BackgroundScan(processes=0).start()
    scans.append(scan)
    assert gate.reached.wait(30)
    scan.pause()
    assert scan.paused
    gate.release()  # the song being read is finished, then the scan waits
    assert waiting.wait(30)
    assert gate.calls == builtin + 1 and scan.snapshot()[2].read == 1 and not scan.done
    scan.resume()
    assert scan.wait(30) and scan.snapshot()[2].read == 5


def test_stop_ends_the_scan_after_the_song_being_read(monkeypatch: pytest.MonkeyPatch) -> None:
    five_songs()
    builtin = len(builtin_entries()[0])
    gate = Gate(monkeypatch, nth=builtin + 2)
    scan = BackgroundScan(processes=0).start()
    assert gate.reached.wait(30)
    scan.stop()
    gate.release()
    assert scan.wait(30)
    _, lib, progress, error = scan.snapshot()
    assert progress.stage == "stopped" and progress.read == 2 and error is None
    assert len(user_titles(lib)) == 2
    assert scan_library().read == 3  # the two read were cached


def test_a_failed_scan_keeps_the_songs_found_and_says_why(
        monkeypatch: pytest.MonkeyPatch) -> None:
    five_songs()

    def broken(self: ScanJob, candidates: Any, cached: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ScanJob, "_check", broken)
    scan = BackgroundScan().start()
    assert scan.wait(30)
    _, lib, progress, error = scan.snapshot()
    assert error is not None and "RuntimeError: disk on fire" in error
    assert progress.stage == "stopped" and len(lib.songs) == len(builtin_entries()[0])


# ---------------------------------------------------------------- what song select lists

def entry(title: str, artist: str = "", bpm: Any = 120.0, length_s: float = 60.0,
          song_id: str | None = None) -> dict[str, Any]:
    return {"id": song_id or title.lower(), "title": title, "artist": artist, "bpm": bpm,
            "length_s": length_s, "beatmap": f"/songs/{title}"}


def test_search_folds_case_width_and_kana() -> None:
    assert fold("ＮＥＯＮ Ｇｉｒｌ") == "neon girl"
    assert fold("ｶﾀｶﾅ") == fold("カタカナ") == fold("かたかな") == "かたかな"
    assert fold("Straße") == "strasse"
    songs = [entry("夜明けのビート", "서울 드럼 클럽"), entry("Neon Drift", "The Rivets"),
             entry("ﾈｵﾝ", "Kite Season"), entry("Paper Signal", "Neon Lights")]
    titles = lambda q: [e["title"] for e in select_songs(songs, q, "title")]  # noqa: E731
    assert titles("neon") == ["Neon Drift", "Paper Signal"]  # title or artist
    assert titles("  NEON  rivets ") == ["Neon Drift"]  # every word, in either
    assert titles("ｎｅｏｎ") == ["Neon Drift", "Paper Signal"]
    assert titles("ビート") == titles("びーと") == ["夜明けのビート"]
    assert titles("드럼") == ["夜明けのビート"] and titles("ネオン") == ["ﾈｵﾝ"]
    assert titles("") == titles("   ") == sorted((e["title"] for e in songs), key=fold)
    assert titles("zzz") == []


def test_each_order() -> None:
    songs = [entry("beta", "Zed", 140.0, 200.0), entry("Alpha", "", [90.0, 150.0], 95.5),
             entry("gamma", "amy", 90.0, 300.0), entry("Delta", "Amy", 100.0, 95.5)]

    def order(how: str, played: dict[str, str] | None = None) -> list[str]:
        return [e["title"] for e in sort_songs(songs, how, played)]

    assert order("title") == ["Alpha", "beta", "Delta", "gamma"]
    assert order("artist") == ["Delta", "gamma", "beta", "Alpha"]  # no artist last
    assert order("bpm") == ["gamma", "Alpha", "Delta", "beta"]  # 90, 90-150, 100, 140
    assert order("length") == ["Alpha", "Delta", "beta", "gamma"]
    played = {"gamma": "2026-01-02T10:00:00.000+00:00", "beta": "2026-01-03T09:00:00.000+00:00"}
    assert order("recent", played) == ["beta", "gamma", "Alpha", "Delta"]
    assert order("recent") == order("title")


def test_jump_goes_to_the_next_match_round_the_end() -> None:
    songs = sort_songs([entry("Sun"), entry("(Don't) Stop"), entry("salt"), entry("Moon"),
                        entry("99 Problems"), entry("Ｓｐａｃｅ", "Band")], "title")
    titles = [e["title"] for e in songs]
    assert titles == ["99 Problems", "(Don't) Stop", "Moon", "salt", "Ｓｐａｃｅ", "Sun"]
    assert jump(songs, 0, "s", "title") == 3
    assert jump(songs, 3, "S", "title") == 4 and jump(songs, 4, "s", "title") == 5
    assert jump(songs, 5, "s", "title") == 3  # round the end
    assert jump(songs, 0, "d", "title") == 1  # leading punctuation skipped
    assert jump(songs, 2, "9", "title") == 0 and jump(songs, 0, "x", "title") is None
    assert jump(songs, 0, "b", "artist") == 4
    assert jump([], 0, "a", "title") is None


# ---------------------------------------------------------------- when songs were played

def report(song: str) -> dict[str, Any]:
    player = {"difficulty": "normal", "score": 500, "accuracy": 0.9}
    return {"song": {"id": song, "title": song, "chart_hash": "abc"},
            "players": [{**player, "name": "Ana", "player": "p1"},
                        {**player, "name": "Ben", "player": "p2"}],
            "duet": {"team_score": 1000, "sync_spread_ms": 12.5, "in_sync_rate": 0.75}}


def test_last_played_reads_each_songs_latest_play(tmp_path: Path) -> None:
    path = tmp_path / "scores.sqlite3"
    assert last_played(path) == {}  # no history yet: nothing, and no file made
    assert not path.exists()
    t0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    with ScoreStore(path) as store:
        store.add_play(report("a"), played_at=t0)
        store.add_play(report("b"), played_at=t0 + timedelta(hours=1))
        store.add_play(report("a"), played_at=t0 + timedelta(hours=2))
        assert last_played(path) == {"a": "2026-01-01T14:00:00.000+00:00",
                                     "b": "2026-01-01T13:00:00.000+00:00"}
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database" * 100)
    assert last_played(tmp_path / "junk.sqlite3") == {}


def test_osu_and_clone_hero_songs_fill_in_too(scans: list[BackgroundScan]) -> None:
    osu_taiko(songs_dir() / "osu", "Taiko Drift")
    clonehero_chart(songs_dir() / "ch", "Chart Song")
    scan = BackgroundScan().start()
    scans.append(scan)
    assert scan.wait(60)
    assert sorted(user_titles(scan.library)) == ["Chart Song", "Taiko Drift"]


def test_a_unison_songs_parts_are_rated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import game.engine.reduce as reduce
    from game.formats.user_library import Candidate, read_song

    rated: list[int] = []
    original = reduce.difficulty_rating

    def counted(notes: Any) -> float:
        rated.append(len(notes))
        return original(notes)

    monkeypatch.setattr(reduce, "difficulty_rating", counted)
    folder = clonehero_chart(songs_dir() / "ch", "Chart Song")
    entry = read_song(Candidate(str(folder), "foreign")).entry
    assert entry is not None and entry["difficulties"]["p1"] == entry["difficulties"]["p2"]
    assert len(rated) == len(entry["difficulties"]["p1"]) == 4  # not once per part
    rated.clear()
    path = write_beatmap(songs_dir() / "b.beatmap", "b")  # two parts read apart
    song = read_song(Candidate(str(path), "beatmap"))
    assert song.entry is not None and len(rated) == 8
