"""The player's own songs: finding them in a folder, reading each into a song list entry.

A *song* under the songs folder (searched recursively, following symbolic links,
skipping names that start with ``.``) is

- every ``.beatmap`` file (the native format; its audio is relative to it);
- a folder another game's importer reads (:func:`foreign_kind`): a Clone Hero
  folder (``song.ini``, ``notes.mid`` or ``notes.chart``) or a folder of osu!
  ``.osu`` files, which is not searched further; a folder with a chart of another
  name (``song.mid``, ``drums.chart``; the importer decides whether it is a song,
  and its subfolders are searched too); an ``.osz`` file anywhere, and a loose
  ``.osu`` file at the top.

Reading a song gives a :class:`CachedSong`: its *stamp* (path, size and
``mtime_ns`` of every file it was read from, and of its folder for a foreign
song, so adding a chart to it counts), and either its song list entry or the
error line that says why it cannot be read. :func:`is_fresh` says whether a
cached reading still holds; the scan (:mod:`game.store.scan_job`) re-reads only
songs whose stamp changed, and the cache lives in :mod:`game.store.song_cache`.

This module never imports pygame; the importers (and mido with them) are
imported only when a foreign song has to be read.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii as _json_str
from pathlib import Path
from types import ModuleType
from typing import Any

from game.engine.chart import Chart
from game.formats.song_entry import BEATMAP_SUFFIX, song_entry
from game.util.errors import GameError

#: File names that make a folder a Clone Hero song (compared lower-case).
CHART_NAMES = frozenset({"song.ini", "notes.mid", "notes.chart"})
#: osu! chart files (a folder of ``.osu`` files is one song; ``.osz`` is a zip of one).
OSU_SUFFIX, OSZ_SUFFIX = ".osu", ".osz"
#: Files that make a folder a song to try: Clone Hero / Rock Band charts of any name
#: (``song.mid``, ``drums.chart``...; the importer decides) and osu! difficulties.
CHART_SUFFIXES = (".mid", ".midi", ".chart", OSU_SUFFIX)
#: Stem keys of the ``[song]`` block.
STEM_KEYS = ("stem_backing", "stem_p1", "stem_p2")



@dataclass(frozen=True, slots=True)
class Candidate:
    """Something in the songs folder that may be a song.

    Attributes
    ----------
    key : str
        The path of a ``.beatmap`` file, or of a foreign song's folder or file
        (a string: a scan of thousands of songs makes no Path it does not need).
    kind : str
        ``"beatmap"`` or ``"foreign"``.
    stamp : str or None
        A beatmap's stamp, known from the folder listing; None for foreign songs
        (their stamp names the files the importer read).
    source : str
        A beatmap's ``source`` in its entry: ``"beatmap"``, or ``"builtin"``.
    """

    key: str
    kind: str
    stamp: str | None = None
    source: str = "beatmap"

    @property
    def path(self) -> Path:
        """:attr:`key` as a Path."""
        return Path(self.key)


@dataclass(frozen=True, slots=True)
class CachedSong:
    """What reading one song gave: its entry, or why it cannot be read.

    Attributes
    ----------
    stamp : str
        JSON list of ``[path, size, mtime_ns]`` of the files it was read from.
    entry : dict or None
        The song list entry (as :func:`game.formats.library.song_entry`).
    error : str or None
        One line: file, line and what was expected. Both None: not a song.
    """

    stamp: str
    entry: dict[str, Any] | None = None
    error: str | None = None


# importers --------------------------------------------------------------------------
def importers() -> ModuleType:
    """:mod:`game.formats.importers`, imported on first use (it brings mido with it,
    which a library of beatmaps only never needs)."""
    from game.formats import importers as module

    return module


def foreign_kind(path: Path) -> str | None:
    """Which importer reads ``path`` (``"clonehero-mid"``, ``"osu-taiko"``...), or None.

    An osu! song of a mode without drum notes (osu!standard, catch) is ``"osu"``:
    the osu! importer reads it, to say why it cannot be played.
    """
    module = importers()
    return module.detect(path) or ("osu" if module.is_osu_song(path) else None)


def load_foreign(path: Path, *, extract_dir: Path | None = None) -> Chart:
    """A foreign song converted to a chart whose audio paths are absolute.

    Parameters
    ----------
    path : Path
    extract_dir : Path or None
        Where an ``.osz`` archive's audio is extracted (else it has none).

    Raises
    ------
    FormatError
        From the importer, naming the file and line.
    """
    chart, _warnings = playable(_import(Path(path), extract_dir))
    return chart


def _import(path: Path, extract_dir: Path | None) -> Any:
    module = importers()
    if extract_dir is not None and path.suffix.lower() == OSZ_SUFFIX:
        return module.import_song(path, extract_dir=extract_dir)
    return module.import_song(path)


def osz_audio_dir(extract_root: Path, key: str) -> Path:
    """Where the audio of the ``.osz`` at ``key`` is extracted under ``extract_root``."""
    return extract_root / hashlib.sha1(key.encode()).hexdigest()[:16]


def playable(song: Any) -> tuple[Chart, list[str]]:
    """The chart of an imported song, set up to play its audio where it is.

    The game plays one backing track and a drum stem per player; a foreign
    song's first backing stem (``song.*`` if there is one) is the backing, its
    first drum stem P1's drums. ``drum-diplomacy import`` mixes all stems.

    Returns
    -------
    (Chart, list of str)
        The chart (audio paths absolute) and warnings for the player.
    """
    backing = [Path(p).absolute() for p in song.audio.get("backing", ())]
    drums = [Path(p).absolute() for p in song.audio.get("drums", ())]
    backing.sort(key=lambda p: (p.stem.lower() not in ("song", "mix"), p.name))
    warnings = list(song.warnings)
    extra = [(k, v) for k, v in song.chart.meta.extra if k not in STEM_KEYS]
    main = backing[0] if backing else None
    if len(backing) > 1:
        warnings.append(f"{len(backing)} backing stems: only {main.name if main else ''} "
                        "plays; 'drum-diplomacy import' mixes them all")
    if drums:
        if main is not None:
            extra.append(("stem_backing", str(main)))
        extra.append(("stem_p1", str(drums[0])))
        if len(drums) > 1:
            warnings.append(f"{len(drums)} drum stems: only {drums[0].name} plays; "
                            "'drum-diplomacy import' mixes them all")
    audio = main or (drums[0] if drums else None)
    meta = dataclasses.replace(song.chart.meta, audio=str(audio) if audio else None,
                               extra=tuple(extra))
    return dataclasses.replace(song.chart, meta=meta), warnings


# finding songs ----------------------------------------------------------------------
def stamp_of(paths: Iterable[str | os.PathLike[str]]) -> str:
    """The stamp of some files: JSON ``[[path, size, mtime_ns], ...]`` (``-1`` if missing)."""
    rows: list[list[Any]] = []
    for p in dict.fromkeys(str(p) for p in paths):
        try:
            st = os.stat(p)
            rows.append([p, st.st_size, st.st_mtime_ns])
        except OSError:
            rows.append([p, -1, -1])
    return json.dumps(rows, separators=(",", ":"))


def find_songs(root: Path, *, source: str = "beatmap", foreign: bool = True,
               ) -> list[Candidate]:
    """Every possible song under ``root`` (see the module docstring for what counts).

    Parameters
    ----------
    root : Path
    source : str
        The ``source`` of the beatmaps found (``"builtin"`` for the game's own).
    foreign : bool
        False finds ``.beatmap`` files only.
    """
    out: list[Candidate] = []
    seen: set[tuple[int, int]] = set()
    top = os.fspath(root)
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            with os.scandir(folder) as it:
                listing = list(it)
        except OSError:
            continue
        files: list[os.DirEntry[str]] = []
        dirs: list[os.DirEntry[str]] = []
        for e in listing:
            if e.name.startswith("."):
                continue
            try:
                (dirs if e.is_dir() else files).append(e)
            except OSError:
                continue
        beatmaps = [e for e in files if e.name.endswith(BEATMAP_SUFFIX)]
        for e in beatmaps:
            try:
                est = e.stat()
            except OSError:
                continue
            stamp = f"[[{_json_str(e.path)},{est.st_size},{est.st_mtime_ns}]]"
            out.append(Candidate(e.path, "beatmap", stamp, source))
        subfolders = [d.path for d in reversed(dirs)]
        if not foreign:
            stack.extend(subfolders)
            continue
        if not beatmaps and folder != top and any(_is_chart_name(e.name) for e in files):
            out.append(Candidate(folder, "foreign"))
            if any(_is_song_marker(e.name) for e in files):
                continue  # a song folder: not searched further
            # only a chart of another name (song.mid...): maybe a song, maybe not
            # (the importer decides); its subfolders are searched too
        for e in files:
            name = e.name.lower()
            if name.endswith(OSZ_SUFFIX) or (folder == top and name.endswith(OSU_SUFFIX)):
                out.append(Candidate(e.path, "foreign"))
        stack.extend(subfolders)
    return out


def _is_song_marker(name: str) -> bool:
    low = name.lower()
    return low in CHART_NAMES or low.endswith(OSU_SUFFIX)


def _is_chart_name(name: str) -> bool:
    low = name.lower()
    return low in CHART_NAMES or low.endswith(CHART_SUFFIXES)


def _marker_files(path: Path) -> list[Path]:
    """The files a foreign song is recognised by (and its folder, or the file itself)."""
    if not path.is_dir():
        return [path]
    try:
        return [path, *sorted(p for p in path.iterdir() if _is_chart_name(p.name))]
    except OSError:
        return [path]


# reading songs ----------------------------------------------------------------------
def read_song(candidate: Candidate, *, extract_root: Path | None = None) -> CachedSong:
    """Read one song into its entry, or the line that says why it cannot be read.

    Never raises: a broken song, or an importer that fails, is an error line.
    An ``.osz`` archive's audio is extracted under ``extract_root`` (see
    :func:`osz_audio_dir`); without it the song plays a click track.
    """
    path = candidate.path
    if candidate.kind == "beatmap":
        from game.formats.beatmap import load_beatmap

        stamp = candidate.stamp or stamp_of([path])
        try:
            chart = load_beatmap(path)
            return CachedSong(stamp, song_entry(chart, path, source=candidate.source))
        except GameError as exc:
            return CachedSong(stamp, None, str(exc))
        except Exception as exc:  # a bug must not hide the rest of the library
            return CachedSong(stamp, None, f"{path}: cannot read this beatmap "
                                           f"({type(exc).__name__}: {exc})")
    markers = _marker_files(path)
    try:
        if foreign_kind(path) is None:
            return CachedSong(stamp_of(markers))  # e.g. a folder of plain MIDI files
        extract = None if extract_root is None else osz_audio_dir(extract_root, candidate.key)
        song = _import(path, extract)
        chart, warnings = playable(song)
        entry = song_entry(chart, path, source=str(song.source), warnings=warnings)
        extracted = [] if extract is None else [  # deleted: extracted again on the next scan
            p for p in (*song.audio.get("backing", ()), *song.audio.get("drums", ()))
            if Path(p).absolute().is_relative_to(extract.absolute())]
        return CachedSong(stamp_of([*markers, *song.files, *extracted]), entry)
    except GameError as exc:
        return CachedSong(stamp_of(markers), None, str(exc))
    except Exception as exc:  # an importer's bug is this song's problem only
        return CachedSong(stamp_of(markers), None,
                          f"{path}: cannot import this song ({type(exc).__name__}: {exc})")


def is_fresh(candidate: Candidate, cached: CachedSong) -> bool:
    """Whether the cached reading of ``candidate`` still holds (no file changed)."""
    if candidate.stamp is not None:
        return candidate.stamp == cached.stamp
    try:
        files = [row[0] for row in json.loads(cached.stamp)]
    except (ValueError, TypeError, IndexError, KeyError):
        return False
    return bool(files) and stamp_of(files) == cached.stamp
