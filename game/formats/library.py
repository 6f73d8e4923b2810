"""Where the game's own songs live, and resolving a song id to its beatmap."""

from __future__ import annotations

import os
from pathlib import Path

from game.engine.chart import Chart
from game.engine.errors import BeatmapError

BEATMAP_SUFFIX = ".beatmap"


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
    """Load a beatmap given by path or song id."""
    from game.formats.beatmap import load_beatmap

    return load_beatmap(resolve_beatmap(arg))
