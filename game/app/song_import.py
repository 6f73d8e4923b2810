"""Bringing a song into the player's library: a native beatmap and its audio, in its own folder.

``import_to_library(PATH)`` reads a Clone Hero or osu! song (through
:mod:`game.formats.importers`), a ``.beatmap`` with its audio, or a MIDI drum
file, and writes ``songs/<id>/<id>.beatmap`` plus the audio under the data
folder, so the song is portable and quick to load. A song with separate stems
gets them mixed into what the game plays (see :func:`audio_plan`). Everything is
written in a hidden temporary folder next to the target and renamed into place,
so a failure never leaves a half-written song.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from game.engine.chart import Chart
from game.formats.library import BEATMAP_SUFFIX, beatmap_paths
from game.formats.song_ids import slugify
from game.formats.user_library import OSZ_SUFFIX, STEM_KEYS, foreign_kind, importers
from game.store.paths import songs_dir
from game.store.song_library import Library, scan_library
from game.util.errors import GameError

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_COMMENT_START = re.compile(r"(^|\s)#")


@dataclass(frozen=True, slots=True)
class SourceSong:
    """A song read for importing.

    Attributes
    ----------
    chart : Chart
    kind : str
        ``"beatmap"``, ``"midi"`` or the importer's format name.
    copies : dict of str to Path
        ``[song]`` key (``audio``, ``stem_p1``...) -> an audio file copied as is.
    backing, drums : tuple of Path
        Stems to mix (foreign songs).
    warnings : tuple of str
    """

    chart: Chart
    kind: str
    copies: dict[str, Path]
    backing: tuple[Path, ...] = ()
    drums: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LibraryImport:
    """What :func:`import_to_library` did.

    Attributes
    ----------
    song_id : str
    folder : Path
        ``songs/<id>/``.
    beatmap : Path
    kind : str
        What was read (``"clonehero-mid"``, ``"osu-taiko"``, ``"beatmap"``, ``"midi"``...).
    audio : tuple of str
        The audio files written into the folder.
    warnings : tuple of str
    replaced : bool
        Whether an earlier song in that folder was replaced (``--force``).
    """

    song_id: str
    folder: Path
    beatmap: Path
    kind: str
    audio: tuple[str, ...]
    warnings: tuple[str, ...]
    replaced: bool


def read_source(path: Path, *, quantize: str | None = None,
                extract_dir: Path | None = None) -> SourceSong:
    """Read any song the game can import (an ``.osz``'s audio goes to ``extract_dir``).

    Raises
    ------
    GameError
        With file and line, or saying what kinds of song are understood.
    """
    from game.formats.beatmap import load_beatmap

    if not path.exists():
        raise GameError(f"{path}: no such file or folder")
    found = beatmap_paths(path) if path.is_dir() else []
    if path.suffix == BEATMAP_SUFFIX or len(found) == 1:
        file = path if path.suffix == BEATMAP_SUFFIX else found[0]
        chart = load_beatmap(file)
        extra = dict(chart.meta.extra)
        refs = {"audio": chart.meta.audio, **{k: extra.get(k) for k in STEM_KEYS}}
        copies = {k: file.parent / v for k, v in refs.items() if v}
        warnings = [f"audio file {p} not found; not copied" for p in copies.values()
                    if not p.is_file()]
        return SourceSong(chart, "beatmap", {k: p for k, p in copies.items() if p.is_file()},
                          warnings=tuple(warnings))
    kind = foreign_kind(path)
    if kind is not None:
        module = importers()
        song = (module.import_song(path, extract_dir=extract_dir)
                if extract_dir is not None and path.suffix.lower() == OSZ_SUFFIX
                else module.import_song(path))
        return SourceSong(song.chart, str(song.source), {},
                          tuple(Path(p) for p in song.audio.get("backing", ())),
                          tuple(Path(p) for p in song.audio.get("drums", ())),
                          tuple(song.warnings))
    if path.is_file() and path.suffix.lower() in (".mid", ".midi"):
        from game.formats.midi_import import import_midi_with_report

        chart, warnings = import_midi_with_report(path, quantize=quantize, marks_only=True)
        return SourceSong(chart, "midi", {}, warnings=tuple(warnings))
    if len(found) > 1:
        raise GameError(f"{path}: folder holds {len(found)} beatmaps; name one")
    raise GameError(f"{path}: not a song the game can import (expected a Clone Hero folder "
                    "with song.ini, notes.mid or notes.chart; an osu! .osu or .osz file or a "
                    "folder of .osu files; a .beatmap; or a .mid drum file)")


def audio_plan(backing: tuple[Path, ...], drums: tuple[Path, ...],
               ) -> tuple[dict[str, str], dict[str, list[float]], dict[str, str]]:
    """Which tracks to mix from the stems.

    Drums go at half gain into a P1 and a P2 stem (the parts are unison, so the
    two halves sum to the original drums and a player who misses drops out),
    everything but the drums into ``backing.ogg``, everything into ``song.ogg``
    (the preview and the fallback).

    Returns
    -------
    (keys, outputs, copies)
        ``[song]`` key -> file name; file name -> one weight per input
        (``backing + drums``); file name -> the output it is a copy of.
    """
    nb, nd = len(backing), len(drums)
    if nd == 0:
        return {"audio": "song.ogg"}, {"song.ogg": [1.0] * nb}, {}
    keys = {"audio": "song.ogg", "stem_p1": "drums_p1.ogg", "stem_p2": "drums_p2.ogg"}
    outputs = {"song.ogg": [1.0] * (nb + nd), "drums_p1.ogg": [0.0] * nb + [0.5] * nd}
    if nb:
        keys["stem_backing"] = "backing.ogg"
        outputs["backing.ogg"] = [1.0] * nb + [0.0] * nd
    return keys, outputs, {"drums_p2.ogg": "drums_p1.ogg"}


def import_to_library(path: Path, *, song_id: str | None = None, force: bool = False,
                      quantize: str | None = None, root: Path | None = None,
                      ) -> LibraryImport:
    """Import ``path`` into the songs folder as ``<id>/<id>.beatmap`` plus its audio.

    Parameters
    ----------
    path : Path
        A Clone Hero folder, an osu! ``.osu``/``.osz``/folder, a ``.beatmap``
        (its audio comes along) or a ``.mid`` drum file.
    song_id : str or None
        The id (``[a-z0-9-]+``); default the song's own, made safe.
    force : bool
        Replace a song already in ``songs/<id>/``.
    quantize : str or None
        For MIDI files: snap notes to this grid (``"1/16"``...).
    root : Path or None
        The songs folder; default :func:`~game.store.paths.songs_dir`.

    Raises
    ------
    GameError
        For unreadable input, a taken id or a target that exists (without ``force``).
    """
    from game.audio.stem_mix import mix_tracks
    from game.formats.beatmap import load_beatmap
    from game.formats.beatmap_writer import save_beatmap

    path = Path(path).absolute()
    root = (root or songs_dir()).absolute()
    if song_id is not None and not _ID.match(song_id):
        raise GameError(f"song id {song_id!r}: expected lower-case letters, digits and '-'")
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".import-{secrets.token_hex(6)}"
    tmp.mkdir()  # not mkdtemp: the song folder gets the usual permissions
    try:
        src = read_source(path, quantize=quantize, extract_dir=tmp / ".osz")
        new_id = song_id if song_id is not None else slugify(src.chart.meta.id)
        target = root / new_id
        _check_id(new_id, target, path, scan_library(folder=root))
        replaced = target.exists()
        if replaced and not force:
            raise GameError(f"{target} already holds a song; use --force to replace it, or "
                            "--id to choose another id")
        if replaced and (path == target or target in path.parents):
            raise GameError(f"{path} is inside {target}, which --force would replace; "
                            "choose another --id")
        if replaced:
            _check_replaceable(target, new_id)
        warnings = list(src.warnings)
        keys: dict[str, str] = {}
        names: dict[Path, str] = {}
        for key, file in src.copies.items():
            if file not in names:
                names[file] = _free_name(file.name, set(names.values()))
                shutil.copyfile(file, tmp / names[file])
            keys[key] = names[file]
        inputs = [*src.backing, *src.drums]
        if len(inputs) == 1 and not src.drums:
            keys["audio"] = "song" + src.backing[0].suffix.lower()
            shutil.copyfile(src.backing[0], tmp / keys["audio"])
        elif inputs:
            keys, outputs, copies = audio_plan(src.backing, src.drums)
            report = mix_tracks(inputs, {tmp / n: w for n, w in outputs.items()},
                                same_as={tmp / c: tmp / o for c, o in copies.items()})
            if report.gain < 1.0:
                warnings.append(f"the stems together peak at {report.peak:.2f}; every track "
                                f"was turned down by {-20 * math.log10(report.gain):.1f} dB")
            warnings += [f"{p.name} resampled to {report.samplerate} Hz"
                         for p in report.resampled]
        elif src.kind != "beatmap" or src.chart.meta.audio is None:
            warnings.append("no audio: the game plays a click track")
        chart = _retarget(src.chart, new_id, keys, src.kind)
        beatmap = tmp / f"{new_id}{BEATMAP_SUFFIX}"
        try:
            save_beatmap(chart, beatmap)
        except ValueError as exc:
            raise GameError(f"{path}: cannot be written as a beatmap ({exc})") from None
        load_beatmap(beatmap)  # reads back, or the import fails here
        os.chmod(beatmap, tmp.stat().st_mode & 0o666)  # as any file made here, not 0600
        shutil.rmtree(tmp / ".osz", ignore_errors=True)
        _swap_in(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    scan_library(folder=root)  # into the song cache now, so song select opens at once
    return LibraryImport(new_id, target, target / beatmap.name, src.kind,
                         tuple(sorted(set(keys.values()))), tuple(warnings), replaced)


def _check_id(new_id: str, target: Path, source: Path, lib: Library) -> None:
    """Refuse an id a built-in song or another user song already has."""
    for entry in lib.songs:
        if new_id not in (entry["id"], entry.get("chart_id")):
            continue
        where = Path(entry["beatmap"])
        if entry["source"] == "builtin":
            raise GameError(f"song id {new_id!r} is a built-in song's; choose another with --id")
        if where in (source, target) or target in where.parents:
            continue  # the song being imported, or the folder --force replaces
        raise GameError(f"song id {new_id!r} is already used by {where}; choose another "
                        "with --id")


def _check_replaceable(target: Path, song_id: str) -> None:
    """Refuse to replace ``target`` unless it holds just an earlier import of ``song_id``.

    An earlier import is ``<id>.beatmap`` and the audio files that beatmap names,
    nothing else: ``--force`` never deletes a folder the player made.
    """
    from game.formats.beatmap import load_beatmap

    refuse = (f"{target} is not an earlier import of {song_id!r} (%s); --force replaces "
              "only those: move it away, or choose another --id")
    if target.is_symlink() or not target.is_dir():
        raise GameError(refuse % "not a song folder")
    beatmap = target / f"{song_id}{BEATMAP_SUFFIX}"
    try:
        names = {p.name for p in target.iterdir()}
        chart = load_beatmap(beatmap) if beatmap.is_file() else None
    except (OSError, GameError) as exc:
        raise GameError(refuse % f"cannot read it: {exc}") from None
    if chart is None:
        raise GameError(refuse % f"it has no {beatmap.name}")
    extra = dict(chart.meta.extra)
    audio = {chart.meta.audio, *(extra.get(k) for k in STEM_KEYS)} - {None, ""}
    expected = {beatmap.name} | {a for a in audio if a and Path(a).name == a}
    others = sorted(names - expected)
    if others:
        listed = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3
                                          else "")
        raise GameError(refuse % f"it also holds {listed}")
    if any((target / n).is_symlink() or not (target / n).is_file() for n in names):
        raise GameError(refuse % "it holds something other than files")


def _retarget(chart: Chart, new_id: str, keys: dict[str, str], kind: str) -> Chart:
    """The chart with its new id, audio file names and text the format can hold."""
    extra = {k: _text(v) for k, v in chart.meta.extra if k not in STEM_KEYS}
    extra.update({k: v for k, v in keys.items() if k in STEM_KEYS})
    if kind not in ("beatmap", "midi"):
        extra.setdefault("imported_from", kind)
    meta = dataclasses.replace(chart.meta, id=new_id, title=_text(chart.meta.title) or new_id,
                               artist=_text(chart.meta.artist),
                               charter=_text(chart.meta.charter), audio=keys.get("audio"),
                               extra=tuple((k, v) for k, v in extra.items() if v))
    return dataclasses.replace(chart, meta=meta)


def _text(value: str) -> str:
    """One line, trimmed, with no ``#`` where the format would read a comment."""
    one = " ".join(str(value).split())
    return _COMMENT_START.sub(lambda m: m.group(1) + "No.", one)


def _free_name(name: str, taken: set[str]) -> str:
    stem, suffix = os.path.splitext(name)
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}{suffix}", n + 1
    return candidate


def _swap_in(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` to ``target``; an old ``target`` is renamed away first, then removed."""
    old = None
    if target.exists():
        old = target.with_name(f".replaced-{target.name}-{os.getpid()}")
        os.replace(target, old)
    try:
        os.replace(tmp, target)
    except OSError:
        if old is not None:
            with contextlib.suppress(OSError):
                os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
