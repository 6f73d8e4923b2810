"""The player's song library: scanning the songs folder through the cache, ids, broken songs,
loading and playing user songs by id, and song select listing them."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from library_files import clonehero_chart, clonehero_mid, osu_taiko, tone, write_beatmap

from game.app.play import PlayConfig, run_play
from game.formats.library import song_entries as builtin_entries
from game.store.paths import songs_dir
from game.store.song_cache import SongCache, cache_path
from game.store.song_library import load_song, resolve_song, scan_library
from game.util.errors import GameError


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(folder))
    return folder


def user(lib: Any) -> list[dict[str, Any]]:
    return [s for s in lib.songs if s["source"] != "builtin"]


def ids(lib: Any) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in lib.songs}


# ---------------------------------------------------------------- the scan

def test_scan_lists_builtin_then_every_kind_of_user_song() -> None:
    songs = songs_dir()
    write_beatmap(songs / "mine" / "mine.beatmap", "mine", title="My Beatmap")
    clonehero_chart(songs / "CH Chart", "Chart Song")
    clonehero_mid(songs / "deep" / "nested" / "CH Mid", "Mid Song")
    osu_taiko(songs / "osu set", "Osu Song")
    lib = scan_library()
    assert not lib.errors
    builtin, _ = builtin_entries()
    n = len(builtin)
    assert [s["id"] for s in lib.songs[:n]] == [s["id"] for s in builtin]
    assert {s["source"] for s in lib.songs[:n]} == {"builtin"}
    mine = {s["title"]: s for s in lib.songs[n:]}
    assert {t: s["source"] for t, s in mine.items()} == {
        "My Beatmap": "beatmap", "Chart Song": "clonehero-chart", "Mid Song": "clonehero-mid",
        "Osu Song": "osu-taiko"}
    assert [s["title"] for s in lib.songs[n:]] == sorted(mine, key=str.casefold)
    shape = set(builtin[0])
    for s in lib.songs[n:]:
        assert shape <= set(s)
        assert list(s["difficulties"]["p1"]) == ["easy", "normal", "hard", "expert"]
        assert s["length_s"] > 0 and s["bpm"] in (100, 120)
    assert mine["Mid Song"]["bpm"] == 100
    assert mine["My Beatmap"]["beatmap"] == str(songs / "mine" / "mine.beatmap")
    assert mine["Chart Song"]["beatmap"] == str(songs / "CH Chart")


def test_warm_scan_reads_nothing_and_gives_the_same_list() -> None:
    for k in range(5):
        write_beatmap(songs_dir() / f"s{k}" / f"s{k}.beatmap", f"s{k}", title=f"Song {k}")
    clonehero_chart(songs_dir() / "ch", "Chart Song")
    cold = scan_library()
    builtin = len(builtin_entries()[0])
    assert cold.read == 6 + builtin and cold.cached == 0
    warm = scan_library()
    assert warm.read == 0 and warm.cached == 6 + builtin
    assert warm.songs == cold.songs and warm.errors == cold.errors
    assert cache_path().is_file()


def test_changed_songs_are_read_again_and_removed_ones_disappear() -> None:
    a = write_beatmap(songs_dir() / "a.beatmap", "a", title="Alpha")
    b = write_beatmap(songs_dir() / "b.beatmap", "b", title="Bravo")
    scan_library()
    write_beatmap(a, "a", title="Alpha Two")
    lib = scan_library()
    assert lib.read == 1 and ids(lib)["a"]["title"] == "Alpha Two"
    st = b.stat()  # same size and text, newer mtime: read again
    os.utime(b, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert scan_library().read == 1
    b.unlink()
    lib = scan_library()
    assert lib.read == 0 and "b" not in ids(lib)
    with SongCache() as cache:
        rows = cache.load()
    assert str(a) in rows and str(b) not in rows


def test_a_chart_added_to_a_foreign_folder_is_noticed() -> None:
    folder = clonehero_chart(songs_dir() / "ch", "Chart Song")
    assert {s["source"] for s in user(scan_library())} == {"clonehero-chart"}
    assert scan_library().read == 0
    clonehero_mid(folder, "Chart Song")  # notes.mid wins over notes.chart
    lib = scan_library()
    assert lib.read == 1
    assert [s["source"] for s in user(lib)] == ["clonehero-mid"]


@pytest.mark.parametrize("damage", ["garbage", "other-app", "bad-row"])
def test_a_damaged_cache_is_moved_aside_and_rebuilt(damage: str) -> None:
    write_beatmap(songs_dir() / "a.beatmap", "a")
    first = scan_library()
    path = cache_path()
    if damage == "garbage":
        path.write_bytes(b"this is not a database" * 100)
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    elif damage == "other-app":
        path.unlink()
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE songs (x)")
        conn.close()
    else:
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE songs SET entry = '{not json' WHERE path = ?",
                         (str(songs_dir() / "a.beatmap"),))
        conn.close()
    lib = scan_library()
    assert lib.songs == first.songs
    aside = sorted(path.parent.glob(f"{path.name}.corrupt-*"))
    if damage == "bad-row":  # one unreadable row is read again; the file is fine
        assert not aside and not lib.notices and lib.read == 1
    else:
        assert len(aside) == 1 and lib.read == len(lib.songs)
        assert any("moved aside" in n and aside[0].name in n for n in lib.notices)
    again = scan_library()
    assert again.read == 0 and not again.notices


def test_an_unusable_cache_still_lists_every_song() -> None:
    write_beatmap(songs_dir() / "a.beatmap", "a")
    cache_path().mkdir()  # a folder where the file should be
    lib = scan_library()
    assert "a" in ids(lib) and any("cannot be used" in n for n in lib.notices)


def test_cache_rows_of_other_reader_code_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    write_beatmap(songs_dir() / "a.beatmap", "a")
    scan_library()
    monkeypatch.setattr("game.store.song_cache.reader_version", lambda: "another")
    assert scan_library().read == len(scan_library().songs)


def test_colliding_ids_get_stable_suffixes() -> None:
    songs = songs_dir()
    write_beatmap(songs / "a" / "dup.beatmap", "dup", title="First")
    write_beatmap(songs / "b" / "dup.beatmap", "dup", title="Second")
    write_beatmap(songs / "fc.beatmap", "first-contact", title="Not The Builtin")
    lib = scan_library()
    by_title = {s["title"]: s["id"] for s in user(lib)}
    assert by_title["First"] == "dup"
    assert by_title["Second"].startswith("dup-") and len(by_title["Second"]) == len("dup-") + 6
    assert by_title["Not The Builtin"].startswith("first-contact-")
    assert ids(lib)["first-contact"]["source"] == "builtin"
    assert len({s["id"] for s in lib.songs}) == len(lib.songs)
    assert any("taken" in w for w in ids(lib)[by_title["Second"]]["warnings"])
    write_beatmap(songs / "c" / "dup.beatmap", "dup", title="Third")
    later = {s["title"]: s["id"] for s in user(scan_library(use_cache=False))}
    assert {t: later[t] for t in by_title} == by_title
    assert later["Third"] not in by_title.values()
    chart = load_song(by_title["Second"])
    assert chart.meta.id == by_title["Second"] and chart.meta.title == "Second"


def test_a_new_song_never_takes_the_id_of_a_listed_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    songs = songs_dir()
    write_beatmap(songs / "m" / "dup.beatmap", "dup", title="Old")
    assert {s["title"]: s["id"] for s in user(scan_library())} == {"Old": "dup"}
    write_beatmap(songs / "a" / "dup.beatmap", "dup", title="New")  # sorts first
    for _ in range(2):  # a new scan, then a warm one
        by_title = {s["title"]: s["id"] for s in user(scan_library())}
        assert by_title["Old"] == "dup"
        assert by_title["New"].startswith("dup-") and len(by_title["New"]) == len("dup-") + 6
    monkeypatch.setattr("game.store.song_cache.reader_version", lambda: "another")
    lib = scan_library()  # every song read again: the ids stay
    assert lib.read == len(lib.songs)
    assert {s["title"]: s["id"] for s in user(lib)} == by_title
    assert load_song("dup").meta.title == "Old"


def test_broken_songs_are_error_lines_never_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    songs = songs_dir()
    write_beatmap(songs / "good.beatmap", "good")
    (songs / "bad.beatmap").write_text("drum-diplomacy beatmap 1\n[song]\nid = bad\n"
                                       "title = Bad\n[tempo]\n1 120 4/4\n[p1 expert]\nbar 1\n"
                                       "SN |x-x-|\n", encoding="utf-8")
    ch = clonehero_chart(songs / "broken ch", "Broken")
    (ch / "notes.chart").write_text("[Song]\n{\n  Resolution = abc\n}\n", encoding="utf-8")
    (songs / "junk.osz").write_bytes(b"not a zip")
    lib = scan_library()
    assert "good" in ids(lib)
    assert any(e.startswith(str(songs / "bad.beatmap")) and "line 9" in e and "SN" in e
               for e in lib.errors)
    assert any("notes.chart" in e for e in lib.errors)
    warm = scan_library()
    assert warm.read == 0 and warm.errors == lib.errors

    import game.formats.importers as importers

    def explode(path: Path, **kw: Any) -> Any:
        raise RuntimeError("importer bug")

    monkeypatch.setattr(importers, "import_song", explode)
    clonehero_chart(songs / "new ch", "New")
    lib = scan_library()
    assert "good" in ids(lib)
    assert any("new ch" in e and "RuntimeError: importer bug" in e for e in lib.errors)


def test_charts_of_other_names_are_found_and_osu_standard_says_why() -> None:
    songs = songs_dir()
    # a Rock Band export named song.mid (no song.ini), in a pack folder with more songs below
    pack = clonehero_mid(songs / "pack", "Pack Song")
    (pack / "notes.mid").rename(pack / "song.mid")
    (pack / "song.ini").unlink()
    clonehero_chart(songs / "pack" / "inner", "Inner Song")
    # a folder with a plain (non-chart) MIDI file: not a song, and not an error
    plain = songs / "sketches"
    plain.mkdir()
    import mido

    sketch = mido.MidiFile()
    sketch.tracks.append(mido.MidiTrack([mido.Message("note_on", note=38, time=0)]))
    sketch.save(plain / "idea.mid")
    # osu!standard: no drum notes; the error line says so
    (songs / "std").mkdir()
    (songs / "std" / "circles.osu").write_text(
        "osu file format v14\n[General]\nMode: 0\n[Metadata]\nTitle:Std\n"
        "[TimingPoints]\n0,500,4,1,0,100,1,0\n[HitObjects]\n64,192,1000,1,0\n",
        encoding="utf-8")
    lib = scan_library()
    titles = {s["title"]: s for s in user(lib)}
    assert titles["Inner Song"]["source"] == "clonehero-chart"
    mids = [s for s in titles.values() if s["source"] == "clonehero-mid"]
    assert len(mids) == 1 and mids[0]["beatmap"] == str(pack)
    assert not any("sketches" in e for e in lib.errors)
    std = [e for e in lib.errors if "circles.osu" in e or str(songs / "std") in e]
    assert len(std) == 1 and "osu!standard/catch maps have no drum notes" in std[0], lib.errors


def test_importing_an_osu_standard_map_says_why(tmp_path: Path) -> None:
    from game.app.song_import import read_source

    osu = tmp_path / "std.osu"
    osu.write_text("osu file format v14\n[General]\nMode: 0\n[HitObjects]\n"
                   "64,192,1000,1,0\n", encoding="utf-8")
    with pytest.raises(GameError, match="osu!standard/catch maps have no drum notes"):
        read_source(osu)


# ---------------------------------------------------------------- loading and playing

def test_deleted_osz_audio_is_extracted_again_on_the_next_scan(tmp_path: Path) -> None:
    import shutil
    import zipfile

    from game.store.paths import data_dir

    folder = osu_taiko(tmp_path / "set", "Zip Song", audio=tone(300, 1.0, 0.1))
    with zipfile.ZipFile(songs_dir() / "set.osz", "w") as z:
        for f in folder.iterdir():
            z.write(f, f.name)
    extracted = data_dir() / "osz-audio"

    def audio() -> list[Path]:
        return sorted(p for p in extracted.rglob("*") if p.is_file())

    lib = scan_library()
    assert [s["title"] for s in user(lib)] == ["Zip Song"] and not lib.errors
    first = audio()
    assert [p.name for p in first] == ["audio.ogg"]
    assert first[0].read_bytes() == (folder / "audio.ogg").read_bytes()
    assert scan_library().read == 0
    shutil.rmtree(extracted)
    lib = scan_library()
    assert lib.read == 1 and audio() == first
    assert first[0].read_bytes() == (folder / "audio.ogg").read_bytes()
    assert load_song(user(lib)[0]["id"]).meta.audio == str(first[0])


def test_foreign_song_plays_its_audio_where_it_is() -> None:
    folder = clonehero_chart(songs_dir() / "ch", "Chart Song",
                             stems={"song.ogg": tone(220, 1, 0.1),
                                    "drums.ogg": tone(80, 1, 0.1)})
    song_id = user(scan_library())[0]["id"]
    assert resolve_song(song_id) == folder == resolve_song(str(folder))
    chart = load_song(song_id)
    assert chart.meta.id == song_id
    extra = dict(chart.meta.extra)
    # gameplay joins these to the song's folder: absolute paths stay themselves
    assert Path("/elsewhere") / chart.meta.audio == folder / "song.ogg"
    assert Path("/elsewhere") / extra["stem_backing"] == folder / "song.ogg"
    assert Path("/elsewhere") / extra["stem_p1"] == folder / "drums.ogg"


def test_play_headless_a_user_song_by_id(tmp_path: Path) -> None:
    osu_taiko(songs_dir() / "osu", "Osu Song")
    song_id = user(scan_library())[0]["id"]
    report = run_play(PlayConfig(song_id, "auto", "auto", headless=True))
    assert report["song"]["id"] == song_id
    p1 = report["players"][0]
    assert p1["notes"] == 12 and p1["judgements"]["perfect"] == 12
    with pytest.raises(GameError, match="no such beatmap file or song id"):
        load_song("no-such-song")


# ---------------------------------------------------------------- song select

def test_song_select_lists_every_song_once_the_background_scan_is_done(
        tmp_path: Path) -> None:
    import time

    import pygame

    from game.app.app import App
    from game.app.context import AppContext
    from game.app.scenes.song_select import SongSelectScene
    from game.store.scores import ScoreStore
    from game.store.settings import Settings

    songs = songs_dir()
    write_beatmap(songs / "mine" / "mine.beatmap", "mine", title="Our Own Groove", bpm=96)
    clonehero_chart(songs / "ch", "Clone Hero Tune", artist="The Importers")
    osu_taiko(songs / "osu", "Taiko Drift")
    write_beatmap(songs / "zz" / "dup.beatmap", "mine", title="Second Mine")
    (songs / "broken.beatmap").write_text("drum-diplomacy beatmap 1\n[song]\nid = b\n",
                                          encoding="utf-8")
    cache_path().write_bytes(b"garbage, not a database" * 10)
    store = ScoreStore(tmp_path / "scores.sqlite3")
    app = App(size=(1280, 720), context=AppContext(settings=Settings(), scores=store,
                                          audio=None, notices=[]))
    try:
        scene = SongSelectScene(app)
        app.push(scene)
        builtin = {e["title"] for e in builtin_entries()[0]}
        assert {e["title"] for e in scene.entries} >= builtin  # listed from the first frame
        assert scene.wait_for_scan(60)
        titles = [e["title"] for e in scene.entries]
        assert titles == sorted(builtin | {"Clone Hero Tune", "Our Own Groove", "Second Mine",
                                           "Taiko Drift"}, key=str.casefold)
        assert len(scene.errors) == 1 and "broken.beatmap" in scene.errors[0]
        assert any("moved aside" in note for note in app.context.notices)

        def key(code: int) -> None:
            scene.on_event(pygame.event.Event(pygame.KEYDOWN, key=code, mod=0, unicode="",
                                              scancode=0), time.perf_counter())

        key(pygame.K_END)
        for _ in range(titles.index("Taiko Drift") - titles.index("Clone Hero Tune")):
            key(pygame.K_UP)
        assert scene.current is not None and scene.current["title"] == "Clone Hero Tune"
        scene.update(time.perf_counter())
        scene.draw(app.screen)
        shots = Path("/tmp/scene_shots")
        shots.mkdir(parents=True, exist_ok=True)
        pygame.image.save(app.screen, str(shots / "song_select_user_songs.png"))
        key(pygame.K_s)  # the next title starting with S
        entry = scene.current
        assert entry is not None and entry["title"] == "Second Mine"
        scene.choose()
        setup = app.top
        assert setup.name == "player_setup" and setup.chart is not None
        assert setup.chart.meta.id == entry["id"] != "mine"
    finally:
        while app.scenes:
            app.scenes.pop().close()
        store.close()


def test_gameplay_plays_a_foreign_songs_stems_from_its_folder(tmp_path: Path) -> None:
    """Song select previews the song's audio; gameplay loads its backing and drum stem."""
    import time

    from game.app.app import App
    from game.app.context import AppContext
    from game.app.scenes.song_select import PREVIEW_DELAY_S, SongSelectScene
    from game.store.settings import Settings

    class FakeAudio:
        def __init__(self) -> None:
            self.calls: list[tuple[str, tuple[Any, ...]]] = []

        def __getattr__(self, name: str) -> Any:
            def record(*args: Any, **kwargs: Any) -> float:
                self.calls.append((name, args))
                return time.perf_counter()
            return record

    folder = clonehero_chart(songs_dir() / "ch", "Stem Song",
                             stems={"song.ogg": tone(220, 1, 0.1),
                                    "drums.ogg": tone(80, 1, 0.1)})
    audio = FakeAudio()
    app = App(size=(1280, 720), context=AppContext(settings=Settings(), scores=None,
                                          audio=audio, notices=[]))
    try:
        scene = SongSelectScene(app)
        app.push(scene)
        assert scene.wait_for_scan(60)
        scene._select(next(i for i, e in enumerate(scene.entries) if e["title"] == "Stem Song"))
        scene.update(time.perf_counter() + PREVIEW_DELAY_S + 0.1)
        assert ("load_song", (str(folder / "song.ogg"),)) in audio.calls
        scene.choose()
        app.top.start()
        assert app.top.name == "gameplay"
        stems = [args for name, args in audio.calls if name == "load_stems"]
        assert stems == [(str(folder / "song.ogg"), {0: str(folder / "drums.ogg")})]
    finally:
        while app.scenes:
            app.scenes.pop().close()
