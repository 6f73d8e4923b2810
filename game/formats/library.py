"""Where the game's own songs live, and resolving a song id to its beatmap."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from game.engine.chart import Chart
from game.engine.errors import BeatmapError, GameError

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


def song_entries() -> tuple[list[dict[str, Any]], list[str]]:
    """One dict per loadable song, and an error line per broken one."""
    from game.engine.reduce import difficulty_rating
    from game.formats.beatmap import load_beatmap

    songs: list[dict[str, Any]] = []
    errors: list[str] = []
    for path in beatmap_paths():
        try:
            chart = load_beatmap(path)
        except GameError as exc:
            errors.append(str(exc))
            continue
        bpms = sorted({round(t.bpm, 3) for t in chart.tempo.tempos})
        meters = sorted({f"{m.numerator}/{m.denominator}" for m in chart.tempo.meters})
        audio = chart.meta.audio
        extra = dict(chart.meta.extra)
        stems = {k[5:]: str(path.parent / v) for k, v in extra.items()
                 if k in ("stem_backing", "stem_p1", "stem_p2") and v}
        songs.append({
            "id": chart.meta.id,
            "title": chart.meta.title,
            "artist": chart.meta.artist,
            "beatmap": str(path),
            "audio": str(path.parent / audio) if audio else None,
            "stems": stems,
            "preview_s": chart.meta.preview_s,
            "length_s": round(chart.length_s, 3),
            "bpm": bpms[0] if len(bpms) == 1 else bpms,
            "meter": meters[0] if len(meters) == 1 else meters,
            "difficulties": {
                part: {d: round(difficulty_rating(chart.notes(part, d)), 2)
                       for d in chart.difficulties(part)}
                for part in ("p1", "p2")
            },
        })
    return songs, errors
