"""Where the game's own songs live, resolving a song id to its beatmap, and song list entries.

The player's own songs (the songs folder, through a cache) are added by
:mod:`game.store.song_library`, which every command and song select use.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from game.engine.chart import Chart
from game.formats.song_entry import BEATMAP_SUFFIX, song_entry
from game.formats.user_library import foreign_kind, load_foreign
from game.util.errors import BeatmapError, GameError

__all__ = ["BEATMAP_SUFFIX", "beatmap_paths", "load_entry", "load_song", "resolve_beatmap",
           "song_entries", "song_entry"]


def assets_root() -> Path:
    """The assets folder: ``$DRUM_DIPLOMACY_ASSETS``, the wheel's copy, or the repo's."""
    env = os.environ.get("DRUM_DIPLOMACY_ASSETS")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_assets"
    if (packaged / "beatmaps").is_dir():
        return packaged
    return here.parent / "assets"


def beatmap_paths(root: Path | None = None) -> list[Path]:
    """Every beatmap under ``root`` (default: the built-in songs), sorted."""
    folder = root if root is not None else assets_root() / "beatmaps"
    if not folder.is_dir():
        return []
    return sorted(folder.rglob(f"*{BEATMAP_SUFFIX}"))


def resolve_beatmap(arg: str) -> Path:
    """A beatmap path, or the beatmap of a built-in song id.

    Raises
    ------
    BeatmapError
        If ``arg`` is neither an existing file nor a known song id.
    """
    path = Path(arg)
    if path.is_file():
        return path
    if path.is_dir():
        found = beatmap_paths(path)
        if len(found) == 1:
            return found[0]
        raise BeatmapError(f"folder holds {len(found)} beatmaps; name one", path=arg)
    for candidate in beatmap_paths():
        if candidate.stem == arg:
            return candidate
    ids = ", ".join(p.stem for p in beatmap_paths()) or "none installed"
    raise BeatmapError(f"no such beatmap file or song id (song ids: {ids})", path=arg)


def load_song(arg: str) -> Chart:
    """Load a song given by path or built-in song id.

    A path may be a ``.beatmap`` file, a folder holding one, or a song in another
    game's format (a Clone Hero folder, an osu! ``.osu``/``.osz`` or folder of them),
    which is converted; its audio paths are then absolute.
    """
    from game.formats.beatmap import load_beatmap

    path = Path(arg)
    if path.exists() and not (path.is_dir() and beatmap_paths(path)) and (
            path.suffix != BEATMAP_SUFFIX) and foreign_kind(path) is not None:
        return load_foreign(path)
    return load_beatmap(resolve_beatmap(arg))


def load_entry(entry: dict[str, Any]) -> Chart:
    """Load the chart of a song list entry (from :func:`song_entries` or a library scan).

    The chart's id is the entry's id, which differs from the file's own when a
    user song's id collided with another song's; a foreign song's audio paths
    are the entry's (absolute).
    """
    chart = load_song(str(entry["beatmap"]))
    meta = chart.meta
    if entry.get("id"):
        meta = dataclasses.replace(meta, id=str(entry["id"]))
    if entry.get("source") not in (None, "builtin", "beatmap"):
        # a foreign song plays the audio its entry found (an .osz's is extracted)
        stems = {f"stem_{k}": v for k, v in (entry.get("stems") or {}).items() if v}
        extra = [(k, v) for k, v in meta.extra if not k.startswith("stem_")]
        meta = dataclasses.replace(meta, audio=entry.get("audio"),
                                   extra=(*extra, *stems.items()))
    return chart if meta == chart.meta else dataclasses.replace(chart, meta=meta)


def song_entries() -> tuple[list[dict[str, Any]], list[str]]:
    """The built-in songs: one dict per loadable song, and an error line per broken one.

    :func:`game.store.song_library.scan_library` adds the player's own songs.
    """
    from game.formats.beatmap import load_beatmap

    songs: list[dict[str, Any]] = []
    errors: list[str] = []
    for path in beatmap_paths():
        try:
            chart = load_beatmap(path)
        except GameError as exc:
            errors.append(str(exc))
            continue
        songs.append(song_entry(chart, path, source="builtin"))
    return songs, errors
