"""Every song the game can play: the built-in ones, then the player's own.

The player's own songs are everything under :func:`game.store.paths.songs_dir`
(see :mod:`game.formats.user_library` for what counts), read through the song
cache (:mod:`game.store.song_cache`) so a start-up with thousands of songs
re-reads only the ones that changed. Song select, ``songs`` and every command
that takes a song id use this module.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from game.engine.chart import Chart
from game.engine.errors import BeatmapError
from game.formats import library as builtin
from game.formats.song_ids import assign_ids
from game.formats.user_library import (
    OSZ_SUFFIX,
    find_songs,
    foreign_kind,
    osz_audio_dir,
    scan_songs,
)
from game.store.paths import StoreError, data_dir, songs_dir
from game.store.song_cache import SongCache


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
    """

    songs: tuple[dict[str, Any], ...]
    errors: tuple[str, ...]
    notices: tuple[str, ...] = ()
    read: int = 0
    cached: int = 0
    seconds: float = 0.0
    folder: Path | None = None

    def find(self, song_id: str) -> dict[str, Any] | None:
        """The entry with this id, or None."""
        return next((s for s in self.songs if s["id"] == song_id), None)


def scan_library(*, folder: Path | None = None, cache: Path | None = None,
                 use_cache: bool = True) -> Library:
    """Scan the built-in songs and the songs folder (through the cache). Never raises.

    The built-in songs go through the cache too (reading them takes longer than
    the warm scan of a large library).

    Parameters
    ----------
    folder : Path or None
        The user songs folder; default :func:`~game.store.paths.songs_dir`.
    cache : Path or None
        The cache file; default ``song_cache.sqlite3`` in the data folder.
    use_cache : bool
        False reads every song (and leaves the cache alone).
    """
    t0 = time.perf_counter()
    notices: list[str] = []
    builtin_root = builtin.assets_root() / "beatmaps"
    candidates = find_songs(builtin_root, source="builtin", foreign=False)
    try:
        root: Path | None = folder if folder is not None else songs_dir()
    except StoreError as exc:
        root = None
        notices.append(f"your songs are not listed: {exc}")
    scanned = [os.fspath(builtin_root)]
    if root is not None:
        candidates += find_songs(root)
        scanned.append(os.fspath(root))
    store = SongCache(cache) if use_cache and root is not None else None
    try:
        cached = store.load() if store is not None else {}
        extract_root = None if root is None else _osz_root()
        scan = scan_songs(candidates, cached, extract_root=extract_root)
        gone = [k for k in scan.removed  # rows of folders not scanned now stay
                if any(k.startswith(os.path.join(r, "")) for r in scanned)]
        if extract_root is not None:
            for key in gone:
                if key.lower().endswith(OSZ_SUFFIX):
                    shutil.rmtree(osz_audio_dir(extract_root, key), ignore_errors=True)
        found = scan.songs.values()
        songs = sorted((c.entry for c in found if c.entry and c.entry["source"] == "builtin"),
                       key=lambda e: e["beatmap"])
        user = [c.entry for c in found if c.entry and c.entry["source"] != "builtin"]
        known = store.load_ids() if store is not None else {}
        user = assign_ids(user, (s["id"] for s in songs), root or builtin_root, known)
        if store is not None:
            store.save(scan.changed, gone)
            listed = {str(e["beatmap"]): e["id"] for e in user}
            store.save_ids({p: i for p, i in listed.items() if known.get(p) != i}, gone)
            notices += store.notices
    finally:
        if store is not None:
            store.close()
    user.sort(key=lambda e: (str(e["title"]).casefold(), str(e["artist"]).casefold(),
                             e["beatmap"]))
    errors = sorted(c.error for c in found if c.error is not None)
    return Library(tuple(songs + user), tuple(errors), tuple(notices),
                   read=len(scan.changed), cached=len(scan.songs) - len(scan.changed),
                   seconds=time.perf_counter() - t0, folder=root)


def _osz_root() -> Path | None:
    """``osz-audio/`` in the data folder: where ``.osz`` songs' audio is extracted."""
    try:
        return data_dir() / "osz-audio"
    except StoreError:
        return None


def _builtin_ids() -> set[str]:
    return {p.stem for p in builtin.beatmap_paths()}


def resolve_song(arg: str) -> Path:
    """The file or folder of a song given by path or id (built-in or the player's).

    Raises
    ------
    BeatmapError
        If ``arg`` is neither an existing path nor a known song id.
    """
    path = Path(arg)
    if path.exists() and path.suffix != builtin.BEATMAP_SUFFIX and not (
            path.is_dir() and builtin.beatmap_paths(path)) and foreign_kind(path):
        return path  # a song of another game, named by its path
    if path.exists() or arg in _builtin_ids():
        return builtin.resolve_beatmap(arg)
    return Path(_user_entry(arg)["beatmap"])


def load_song(arg: str) -> Chart:
    """Load a song given by path or id; a user song's chart carries its library id.

    Raises
    ------
    GameError
        If there is no such song or it cannot be read (file, line, what was expected).
    """
    if Path(arg).exists() or arg in _builtin_ids():
        return builtin.load_song(arg)
    return builtin.load_entry(_user_entry(arg))


def open_song(arg: str) -> tuple[Chart, Path]:
    """:func:`load_song` and :func:`resolve_song` with one lookup (one library scan
    for a user song id): the chart, and its beatmap file or song folder.

    Raises
    ------
    GameError
        As :func:`load_song`.
    """
    if Path(arg).exists() or arg in _builtin_ids():
        return builtin.load_song(arg), resolve_song(arg)
    entry = _user_entry(arg)
    return builtin.load_entry(entry), Path(entry["beatmap"])


def _user_entry(song_id: str) -> dict[str, Any]:
    lib = scan_library()
    entry = lib.find(song_id)
    if entry is not None:
        return entry
    ids = [s["id"] for s in lib.songs]
    listed = ", ".join(ids[:12]) + (f" and {len(ids) - 12} more" if len(ids) > 12 else "")
    raise BeatmapError(f"no such beatmap file or song id (song ids: {listed or 'none'}; "
                       "'drum-diplomacy songs' lists them)", path=song_id)
