"""One entry point for charts players already have: Clone Hero / Rock Band song
folders (``notes.mid`` or ``notes.chart`` with ``song.ini``) and osu!taiko /
osu!mania beatmaps (``.osu``, a folder of them, or an ``.osz``).

>>> song = import_song(Path("Songs/Some Band - Some Song"))   # doctest: +SKIP
>>> song.source, song.chart.difficulties("p1")                # doctest: +SKIP
('clonehero-mid', ['easy', 'normal', 'hard', 'expert'])

Every import gives a :class:`~game.engine.chart.Chart` with both parts at all
four difficulties (the one-player chart in unison, see
:func:`game.formats.import_common.unison`) that the beatmap writer can save.
A broken file raises :class:`ImportFormatError` (a
:class:`~game.util.errors.FormatError`) naming the file, the line where there
is one, and what was expected; what is skipped is listed in ``warnings``.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from game.formats.clonehero import MID_SUFFIXES, SONG_INI, find_chart_file, import_clonehero
from game.formats.import_common import (
    Arrangement,
    ImportedSong,
    ImportFormatError,
    unison,
)
from game.formats.osu import SOURCES, TAIKO, import_osu, osu_files, osu_members
from game.formats.osu_parse import read_mode
from game.util.errors import FormatError

__all__ = ["SOURCE_KINDS", "ImportFormatError", "ImportedSong", "detect", "import_song"]

#: Every value of :attr:`ImportedSong.source`.
SOURCE_KINDS: tuple[str, ...] = ("clonehero-mid", "clonehero-chart", "osu-taiko", "osu-mania")


def detect(path: Path) -> str | None:
    """Which importer reads ``path``: one of :data:`SOURCE_KINDS`, or None.

    A Clone Hero folder (or its ``notes.mid``, ``notes.chart`` or ``song.ini``)
    is ``"clonehero-mid"`` when its chart is a MIDI file (``notes.mid``, or the
    only chart ``.mid`` of another name), else ``"clonehero-chart"``.
    A ``.osu`` file, an ``.osz`` or a folder of ``.osu`` files is ``"osu-taiko"``
    or ``"osu-mania"`` by the mode most of its difficulties have; only
    osu!standard or catch maps give None (they have no drum notes). Never raises:
    anything unreadable is None.
    """
    path = Path(path)
    try:
        if path.is_file() and path.name.lower() == SONG_INI:
            path = path.parent
        chart_file = find_chart_file(path)
        if chart_file is not None:
            return "clonehero-mid" if chart_file.suffix.lower() in MID_SUFFIXES \
                else "clonehero-chart"
        return _osu_kind(_osu_modes(path))
    except (OSError, zipfile.BadZipFile, zlib.error, ValueError, EOFError, RuntimeError):
        return None


def import_song(path: Path, *, double_kick: bool = True, extract_dir: Path | None = None,
                arrange: Arrangement = unison) -> ImportedSong:
    """Import a song from another game's chart files.

    Parameters
    ----------
    path : Path
        A Clone Hero / Rock Band song folder or its ``notes.mid`` / ``notes.chart``
        / ``song.ini`` (with both charts, ``notes.mid`` is read; without either,
        the folder's only other chart ``.mid`` or ``.chart``); a ``.osu``
        file (that difficulty only), a folder of ``.osu`` files or an ``.osz``
        (all its difficulties of one mode, as one chart).
    double_kick : bool
        Clone Hero: keep Expert+ double-kick notes on Expert.
    extract_dir : Path, optional
        ``.osz``: extract the audio into this folder.
    arrange : callable
        Turns the one-player chart into both parts (default: unison).

    Returns
    -------
    ImportedSong

    Raises
    ------
    ImportFormatError
        Not a chart this game reads, or a broken one: the message names the
        file, the line where there is one, and what was expected.
    """
    path = Path(path)
    try:
        return _import(path, double_kick=double_kick, extract_dir=extract_dir, arrange=arrange)
    except FormatError as exc:
        if isinstance(exc, ImportFormatError):
            raise
        raise ImportFormatError(exc.message, path=exc.path, line=exc.line) from None
    except (ValueError, ArithmeticError, IndexError, KeyError, OSError, zlib.error,
            zipfile.BadZipFile) as exc:
        # whatever a broken file still manages to provoke: one line, no traceback
        raise ImportFormatError(f"cannot import: {exc or type(exc).__name__}",
                                path=str(path)) from None


def _import(path: Path, *, double_kick: bool, extract_dir: Path | None,
            arrange: Arrangement) -> ImportedSong:
    if not path.exists():
        raise ImportFormatError("no such file or folder", path=str(path))
    if path.is_file() and path.name.lower() == SONG_INI:
        path = path.parent
    if find_chart_file(path) is not None:
        return import_clonehero(path, double_kick=double_kick, arrange=arrange)
    suffix = path.suffix.lower()
    if suffix in (".osu", ".osz") or (path.is_dir() and any(osu_files(path))):
        return import_osu(path, extract_dir=extract_dir, arrange=arrange)
    raise ImportFormatError(
        "not a chart this game can import (expected a Clone Hero song folder with notes.mid "
        "or notes.chart, an osu! .osu file, a folder of them, or an .osz)", path=str(path))


def is_osu_song(path: Path) -> bool:
    """Whether ``path`` is an osu! song (``.osu``, ``.osz`` or a folder of ``.osu``
    files) of any mode: :func:`detect` gives None for osu!standard/catch, whose
    import then says why. Never raises."""
    try:
        return (path.suffix.lower() in (".osu", ".osz") and path.is_file()) or (
            path.is_dir() and any(osu_files(path)))
    except OSError:
        return False


def _osu_modes(path: Path) -> list[int | None]:
    if path.is_dir():
        return [read_mode(_text(p.read_bytes())) for p in osu_files(path)]
    suffix = path.suffix.lower()
    if suffix == ".osu" and path.is_file():
        return [read_mode(_text(path.read_bytes()))]
    if suffix == ".osz" and path.is_file():
        with zipfile.ZipFile(path) as archive:
            return [read_mode(_text(archive.read(n))) for n in osu_members(archive)]
    return []


def _osu_kind(modes: list[int | None]) -> str | None:
    counts = {mode: modes.count(mode) for mode in SOURCES}
    if not any(counts.values()):
        return None
    return SOURCES[max(SOURCES, key=lambda m: (counts[m], m == TAIKO))]


def _text(data: bytes) -> str:
    return data.decode("utf-8-sig", errors="replace")
