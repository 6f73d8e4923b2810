"""One scan of the song library, step by step: what a synchronous scan and the background
scanner share.

A :class:`ScanJob` lists the built-in songs and the songs folder, takes every
song whose cached reading still holds (see :mod:`game.store.song_cache`),
then reads the new and changed ones (built-in songs first, then in path order)
one at a time. Between two
songs it can hand out the library found so far (``publish``, cheap: only the
songs new since the last publication get ids) and ask whether to go on
(``checkpoint``); every :data:`FLUSH_S` seconds it writes what it
read to the cache, so a scan that is stopped (the player left, the game quit)
loses at most the song it was reading and the next scan goes on from there.

Ids: a song keeps the id it was first listed under. A scan that publishes as
it goes hands each song its id when it is first published and keeps it for
the rest of the scan (and the cache keeps it after), so a song the player
picks half-way through a scan never changes id under them; see
:func:`game.formats.song_ids.assign_ids`.

A job is run by one thread at a time: it owns its cache connection (opened and
closed inside :meth:`ScanJob.run`), and nothing of it is shared but the
immutable :class:`~game.store.song_library.Library` values it publishes.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from game.formats import library as builtin
from game.formats.song_ids import assign_ids
from game.formats.user_library import (
    OSZ_SUFFIX,
    CachedSong,
    Candidate,
    find_songs,
    is_fresh,
    osz_audio_dir,
    read_song,
)
from game.store.paths import StoreError, data_dir, songs_dir
from game.store.scan_worker import SongReaders
from game.store.song_cache import SongCache

#: Seconds between two writes of the songs read to the cache during a long scan.
FLUSH_S = 2.0
#: Helper processes are started only for at least this many songs to read.
HELPERS_FROM = 4

#: :attr:`ScanProgress.stage` values, in order.
STAGES = ("listing", "checking", "reading", "saving", "done")


@dataclass(frozen=True, slots=True)
class Library:
    """One scan of the song library.

    Attributes
    ----------
    songs : tuple of dict
        Song list entries: the built-in songs, then the player's own by title.
        Each has ``source`` (``"builtin"``, ``"beatmap"``, ``"clonehero-mid"``...).
    errors : tuple of str
        One line per song that cannot be read (file, line, what was expected).
    notices : tuple of str
        What happened to the cache or the songs folder, for the player.
    read : int
        Songs read (parsed) by this scan: new or changed since the last.
    cached : int
        Songs taken from the cache unchanged.
    seconds : float
        How long the scan took.
    folder : Path or None
        The user songs folder (None when there is none).
    finished : bool
        False for the songs found so far by a scan still under way.
    """

    songs: tuple[dict[str, Any], ...]
    errors: tuple[str, ...]
    notices: tuple[str, ...] = ()
    read: int = 0
    cached: int = 0
    seconds: float = 0.0
    folder: Path | None = None
    finished: bool = True

    def find(self, song_id: str) -> dict[str, Any] | None:
        """The entry with this id, or None."""
        return next((s for s in self.songs if s["id"] == song_id), None)


@dataclass(frozen=True, slots=True)
class ScanProgress:
    """How far a scan is.

    Attributes
    ----------
    stage : str
        One of :data:`STAGES`, or ``"stopped"`` (stopped before the end).
    found : int
        Songs (and song candidates) found in the folders so far.
    to_read : int
        New or changed songs this scan has to read (known after ``"checking"``).
    read : int
        Of those, read so far.
    """

    stage: str = "listing"
    found: int = 0
    to_read: int = 0
    read: int = 0

    @property
    def finished(self) -> bool:
        """Whether the scan is over (done, or stopped)."""
        return self.stage in ("done", "stopped")

    @property
    def fraction(self) -> float:
        """Share of the songs to read that are read, 0..1 (1 when there is nothing to read)."""
        if self.finished:
            return 1.0
        return self.read / self.to_read if self.to_read else 0.0


def osz_root() -> Path | None:
    """``osz-audio/`` in the data folder: where ``.osz`` songs' audio is extracted."""
    try:
        return data_dir() / "osz-audio"
    except StoreError:
        return None


def builtin_root() -> Path:
    """The folder of the built-in songs."""
    return builtin.assets_root() / "beatmaps"


class ScanJob:
    """One library scan (see the module docstring); :meth:`run` it once.

    Parameters
    ----------
    folder : Path or None
        The user songs folder; default :func:`~game.store.paths.songs_dir`.
    cache : Path or None
        The cache file; default ``song_cache.sqlite3`` in the data folder.
    use_cache : bool
        False reads every song (and leaves the cache alone).
    processes : int
        Helper processes to read the songs in (:mod:`game.store.scan_worker`) when
        there are at least :data:`HELPERS_FROM` to read; 0 reads them in the
        thread that runs the scan.

    Attributes
    ----------
    progress : ScanProgress
        How far :meth:`run` is (written by the thread running it).
    read_by_helpers : int
        Songs the helper processes read (after :meth:`run`).
    """

    def __init__(self, *, folder: Path | None = None, cache: Path | None = None,
                 use_cache: bool = True, processes: int = 0) -> None:
        self.notices: list[str] = []
        self.builtin_root = builtin_root()
        try:
            self.root: Path | None = folder if folder is not None else songs_dir()
        except StoreError as exc:
            self.root = None
            self.notices.append(f"your songs are not listed: {exc}")
        self.cache = cache
        self.use_cache = use_cache and self.root is not None
        self.extract_root = None if self.root is None else osz_root()
        self.progress = ScanProgress()
        self.processes = processes
        self.read_by_helpers = 0
        self._found: dict[str, CachedSong] = {}
        self._unsaved: dict[str, CachedSong] = {}
        self._ids: dict[str, str] = {}  # path -> id handed out (or known from the cache)
        self._listed: dict[str, dict[str, Any]] = {}  # path -> entry (with its id) published
        self._pending: list[str] = []  # keys found since the last library() call
        self._saved_ids: dict[str, str] = {}
        self._read = 0
        self._t0 = time.perf_counter()

    # the built-in songs, at once ------------------------------------------------------
    def read_builtins(self) -> Library:
        """The built-in songs only, from the cache when it holds them (else read now).

        For a screen that must show something on its first frame. What is read
        here is written to the cache by :meth:`run`, not read again.
        """
        candidates = find_songs(self.builtin_root, source="builtin", foreign=False)
        cached: dict[str, CachedSong] = {}
        if self.use_cache:
            with SongCache(self.cache) as store:
                cached = store.load(under=os.fspath(self.builtin_root))
                self._take_notices(store)
        for c in candidates:
            old = cached.get(c.key)
            if old is not None and is_fresh(c, old):
                self._found[c.key] = old
            else:
                self._found[c.key] = self._unsaved[c.key] = read_song(c)
                self._read += 1
        return self.library(finished=False)

    # the whole scan -----------------------------------------------------------------
    def run(self, *, publish: Callable[[Library, ScanProgress], None] | None = None,
            checkpoint: Callable[[], bool] | None = None) -> Library:
        """List, check and read the library; the final :class:`Library`. Never raises
        for a song's sake (a broken song is an error line).

        Parameters
        ----------
        publish : callable or None
            ``publish(library, progress)``: the songs found so far, after the
            cached ones are checked and after each song read.
        checkpoint : callable or None
            Called before each song is read; False stops the scan there (what
            was read is kept, in the cache too). May block (a paused scan).
        """
        self._t0 = time.perf_counter()
        self._stage("listing")
        candidates = find_songs(self.builtin_root, source="builtin", foreign=False)
        if self.root is not None:
            candidates += find_songs(self.root)
        self._stage("checking", found=len(candidates))
        store = SongCache(self.cache) if self.use_cache else None
        readers: SongReaders | None = None
        try:
            cached = store.load() if store is not None else {}
            if store is not None:
                self._saved_ids = store.load_ids()
                self._ids = {**self._saved_ids, **self._ids}
                self._take_notices(store)
            todo = self._check(candidates, cached)
            self._stage("reading", to_read=len(todo))
            if publish is not None:
                publish(self.library(finished=False), self.progress)
            last_flush = time.perf_counter()
            stopped = False
            readers = SongReaders(self.processes if len(todo) >= HELPERS_FROM else 0,
                                  extract_root=self.extract_root)
            stream = readers.read(todo)
            for _ in todo:
                if checkpoint is not None and not checkpoint():
                    stopped = True
                    break
                c, song = next(stream)
                self._found[c.key] = self._unsaved[c.key] = song
                self._pending.append(c.key)
                self._read += 1
                self._stage("reading", read=self.progress.read + 1)
                if store is not None and time.perf_counter() - last_flush >= FLUSH_S:
                    self._flush(store, [])
                    last_flush = time.perf_counter()
                if publish is not None:
                    publish(self.library(finished=False), self.progress)
            self._stage("saving")
            keys = {c.key for c in candidates}
            gone = [k for k in cached if self._in_scanned(k) and (
                k not in keys if stopped else k not in self._found)]
            final = self.library(finished=True)  # every id handed out before they are saved
            if store is not None:
                self._flush(store, gone)
                self._take_notices(store)
            self._remove_osz_audio(gone)
        finally:
            if store is not None:
                store.close()
            if readers is not None:
                self.read_by_helpers = readers.read_by_helpers
                readers.close()
        self._stage("stopped" if stopped else "done")
        final = dataclasses.replace(final, notices=tuple(self.notices),
                                    seconds=time.perf_counter() - self._t0)
        if publish is not None:
            publish(final, self.progress)
        return final

    def _check(self, candidates: list[Candidate], cached: dict[str, CachedSong]
               ) -> list[Candidate]:
        """Take the songs whose cached (or already made) reading holds; the rest to read,
        built-in songs first, then by path."""
        todo = []
        for c in candidates:
            old = self._found.get(c.key) or cached.get(c.key)
            if old is not None and is_fresh(c, old):
                self._found[c.key] = old
                self._pending.append(c.key)
                continue
            todo.append(c)
        # the built-in songs first: their ids are never handed to a song of the player's
        todo.sort(key=lambda c: (c.source != "builtin", c.key))
        return todo

    def _stage(self, stage: str, **changes: int) -> None:
        p = self.progress
        self.progress = ScanProgress(stage, changes.get("found", p.found),
                                     changes.get("to_read", p.to_read),
                                     changes.get("read", p.read))

    def _take_notices(self, store: SongCache) -> None:
        """Move the cache's notices (a damaged file set aside...) to this scan's."""
        self.notices += store.notices
        store.notices.clear()

    def _in_scanned(self, key: str) -> bool:
        """Whether ``key`` is under a folder this scan lists (others' rows stay)."""
        roots = [self.builtin_root] + ([self.root] if self.root is not None else [])
        return any(key.startswith(os.path.join(os.fspath(r), "")) for r in roots)

    def _flush(self, store: SongCache, gone: list[str]) -> None:
        """Write the songs read since the last flush, the new ids, and drop ``gone``."""
        store.save(self._unsaved, gone)
        self._unsaved = {}
        new_ids = {p: i for p, i in self._ids.items()
                   if p in self._found and self._saved_ids.get(p) != i}
        store.save_ids(new_ids, gone)
        self._saved_ids.update(new_ids)

    def _remove_osz_audio(self, gone: list[str]) -> None:
        if self.extract_root is None:
            return
        for key in gone:
            if key.lower().endswith(OSZ_SUFFIX):
                shutil.rmtree(osz_audio_dir(self.extract_root, key), ignore_errors=True)

    # the library found so far ---------------------------------------------------------
    def library(self, *, finished: bool) -> Library:
        """The songs found so far as a :class:`Library` (ids handed out and kept).

        While the scan goes on (``finished`` False) only the songs found since the
        last call are given ids, and the player's songs are listed in the order
        they were found (a screen sorts them its own way); the finished library
        lists them by title, as :func:`~game.store.song_library.scan_library` does.
        """
        found = self._found.values()
        songs = sorted((c.entry for c in found if c.entry and c.entry["source"] == "builtin"),
                       key=lambda e: e["beatmap"])
        taken = [str(s["id"]) for s in songs]
        root = self.root or self.builtin_root
        if finished:
            user = assign_ids([c.entry for c in found if c.entry and c.entry["source"]
                               != "builtin"], taken, root, self._ids)
            user.sort(key=lambda e: (str(e["title"]).casefold(), str(e["artist"]).casefold(),
                                     e["beatmap"]))
            self._listed = {str(e["beatmap"]): e for e in user}
        else:
            new = [e for e in (self._found[k].entry for k in self._pending)
                   if e and e["source"] != "builtin" and str(e["beatmap"]) not in self._listed]
            if new:
                listed = [str(e["id"]) for e in self._listed.values()]
                for e in assign_ids(new, taken + listed, root, self._ids):
                    self._listed[str(e["beatmap"])] = e
            user = list(self._listed.values())
        self._pending = []
        self._ids.update((str(e["beatmap"]), str(e["id"])) for e in user)
        errors = sorted(c.error for c in found if c.error is not None)
        return Library(tuple(songs + user), tuple(errors), tuple(self.notices),
                       read=self._read, cached=len(self._found) - self._read,
                       seconds=time.perf_counter() - self._t0, folder=self.root,
                       finished=finished)
