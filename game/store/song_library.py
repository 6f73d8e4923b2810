"""Every song the game can play: the built-in ones, then the player's own.

The player's own songs are everything under :func:`game.store.paths.songs_dir`
(see :mod:`game.formats.user_library` for what counts), read through the song
cache (:mod:`game.store.song_cache`) so a start-up with thousands of songs
re-reads only the ones that changed. ``songs`` and every command that takes a
song id use this module; song select scans in the background
(:mod:`game.store.background_scan`); both run a :class:`~game.store.scan_job.ScanJob`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from game.engine.chart import Chart
from game.formats import library as builtin
from game.formats.user_library import foreign_kind
from game.store.scan_job import Library, ScanJob
from game.util.errors import BeatmapError

__all__ = ["Library", "load_song", "open_song", "resolve_song", "scan_library"]


def scan_library(*, folder: Path | None = None, cache: Path | None = None,
                 use_cache: bool = True) -> Library:
    """Scan the built-in songs and the songs folder (through the cache). Never raises.

    The built-in songs go through the cache too (reading them takes longer than
    the warm scan of a large library). Runs in the calling thread; song select
    scans in the background instead (:mod:`game.store.background_scan`).

    Parameters
    ----------
    folder : Path or None
        The user songs folder; default :func:`~game.store.paths.songs_dir`.
    cache : Path or None
        The cache file; default ``song_cache.sqlite3`` in the data folder.
    use_cache : bool
        False reads every song (and leaves the cache alone).
    """
    return ScanJob(folder=folder, cache=cache, use_cache=use_cache).run()


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
