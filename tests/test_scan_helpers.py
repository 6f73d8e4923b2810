"""Songs read by helper processes (``game.store.scan_worker``): the same readings as the scan's
own thread, and the thread taking over when a helper cannot start or ends."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from library_files import clonehero_chart, clonehero_mid, osu_taiko, tone, write_beatmap

import game.store.scan_worker as scan_worker
from game.formats.user_library import Candidate, find_songs, read_song
from game.store.background_scan import BackgroundScan
from game.store.paths import data_dir, songs_dir
from game.store.scan_job import HELPERS_FROM, ScanJob
from game.store.scan_worker import SongReaders, serve


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(folder))
    return folder


def library(tmp_path: Path) -> None:
    """Every kind of song, a broken one and an .osz with audio to extract."""
    songs = songs_dir()
    for k in range(3):
        write_beatmap(songs / f"b{k}" / f"b{k}.beatmap", f"b{k}", title=f"Beat {k}")
    clonehero_chart(songs / "ch", "Chart Song")
    clonehero_mid(songs / "mid", "Mid Song")
    osu_taiko(songs / "osu", "Osu Song")
    (songs / "bad.beatmap").write_text("drum-diplomacy beatmap 1\n[song]\nid = bad\n",
                                       encoding="utf-8")
    folder = osu_taiko(tmp_path / "zip", "Zip Song", audio=tone(300, 0.5, 0.1))
    with zipfile.ZipFile(songs / "zip.osz", "w") as z:
        for f in folder.iterdir():
            z.write(f, f.name)


def test_helpers_read_every_song_as_the_thread_does(tmp_path: Path) -> None:
    library(tmp_path)
    job = ScanJob(processes=2)
    by_helpers = job.run()
    assert job.read_by_helpers == by_helpers.read >= HELPERS_FROM
    extracted = sorted(p.relative_to(data_dir()) for p in data_dir().rglob("osz-audio/*/*"))
    assert [p.name for p in extracted] == ["audio.ogg"]
    shutil.rmtree(data_dir() / "osz-audio")
    here = ScanJob(use_cache=False).run()
    assert by_helpers.songs == here.songs and by_helpers.errors == here.errors
    assert len(here.errors) == 1 and "bad.beatmap" in here.errors[0]
    assert sorted(p.relative_to(data_dir()) for p in data_dir().rglob("osz-audio/*/*")) \
        == extracted


def test_a_helper_that_ends_leaves_its_songs_to_the_thread(tmp_path: Path) -> None:
    library(tmp_path)
    todo = sorted(find_songs(songs_dir()), key=lambda c: c.key)
    with SongReaders(2) as readers:
        assert readers.helpers == 2
        readers._helpers[0].proc.kill()
        readers._helpers[0].proc.wait()
        got = list(readers.read(todo))
        assert readers.helpers == 1 and 0 < readers.read_by_helpers < len(todo)
    assert [c.key for c, _ in got] == [c.key for c in todo]
    assert [song for _, song in got] == [read_song(c) for c in todo]


def test_no_helper_can_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library(tmp_path)

    def refuse(*args: Any, **kw: Any) -> Any:
        raise OSError("no processes here")

    monkeypatch.setattr(scan_worker.subprocess, "Popen", refuse)
    job = ScanJob(processes=2)
    lib = job.run()
    assert job.read_by_helpers == 0 and lib.read == len(lib.songs) + len(lib.errors)
    scan = BackgroundScan(processes=3).start()  # and the scan in the background too
    assert scan.wait(60) and scan.library.songs == lib.songs


def test_the_helper_protocol_answers_in_order(tmp_path: Path) -> None:
    library(tmp_path)
    todo = sorted(find_songs(songs_dir()), key=lambda c: c.key)[:3]
    asked = "".join(json.dumps({"key": c.key, "kind": c.kind, "stamp": c.stamp,
                                "source": c.source, "extract_root": None}) + "\n"
                    for c in todo)
    out = io.StringIO()
    serve(io.StringIO(asked), out)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [a["key"] for a in answers] == [c.key for c in todo]
    assert all(set(a) == {"key", "stamp", "entry", "error"} for a in answers)
    assert isinstance(todo[0], Candidate)
