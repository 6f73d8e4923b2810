"""Import a Clone Hero / Rock Band song folder (``song.ini`` + ``notes.mid`` or ``notes.chart``).

* The chart is ``notes.mid`` when the folder has one, else ``notes.chart``,
  else the folder's only other ``.mid`` (a Rock Band Network ``song.mid``...)
  or only other ``.chart`` (a path to a chart file picks that file). A ``.mid``
  of another name counts when the folder has a ``song.ini`` or the file names
  Clone Hero / Rock Band tracks (``PART DRUMS``, ``PART GUITAR``...); a plain
  drum MIDI file is left to :mod:`game.formats.midi_import`.
* ``song.ini`` (optional) gives the title, artist, charter, preview and the
  chart ``delay``, and may force pro or 5-lane drums; it wins over what the
  chart file says.
* Clone Hero's Easy/Medium/Hard/Expert become our easy/normal/hard/expert.
  Expert+ double-kick notes are kept on Expert (``double_kick=False`` drops
  them): our Expert is the whole part, and the kick is a key like any other.
* Missing difficulties: harder ones than the hardest charted copy it, easier
  ones are reduced (:func:`game.formats.import_common.build_chart`).
* Both players get the same notes (:func:`game.formats.import_common.unison`).
* Audio: every stem in the folder (``song``, ``guitar``, ... ``drums_1``-``4``;
  ``.ogg/.opus/.mp3/.wav/.flac``); the chart's ``audio`` is ``song.*`` or else
  the first backing stem.
"""

from __future__ import annotations

from pathlib import Path

from game.engine.chart import DIFFICULTIES, SongMeta, as_notes
from game.engine.reduce import reduce_notes
from game.formats.clonehero_chart import read_notes_chart
from game.formats.clonehero_common import ParsedDrums, find_stems
from game.formats.clonehero_mid import read_notes_mid
from game.formats.import_common import (
    Arrangement,
    GivenNotes,
    ImportedSong,
    ImportFormatError,
    build_chart,
    clean_text,
    is_system_file,
    song_id,
    unison,
)
from game.formats.songini import SongIni, read_song_ini

NOTES_MID = "notes.mid"
NOTES_CHART = "notes.chart"
SONG_INI = "song.ini"
MID_SUFFIXES: tuple[str, ...] = (".mid", ".midi")


#: Bytes that only a Clone Hero / Rock Band MIDI chart holds (its track names).
CHART_MARKS: tuple[bytes, ...] = (b"PART DRUM", b"PART REAL_DRUM", b"PART ELITE_DRUM",
                                  b"PART GUITAR", b"PART BASS", b"PART VOCALS", b"PART KEYS",
                                  b"PART RHYTHM", b"T1 GEMS")
#: Largest MIDI file sniffed for those names (a chart is far smaller).
SNIFF_BYTES = 8 * 1024 * 1024


def find_chart_file(path: Path) -> Path | None:
    """The chart file a Clone Hero path means (see the module docstring), or None.

    Names are compared case-insensitively; never raises.
    """
    try:
        if path.is_file():
            name = path.name.lower()
            if name in (NOTES_MID, NOTES_CHART) or name.endswith(".chart"):
                return path
            if name.endswith(MID_SUFFIXES) and (
                    _has_song_ini(path.parent) or is_chart_mid(path)):
                return path
            return None
        if not path.is_dir():
            return None
        files = {p.name.lower(): p for p in path.iterdir()
                 if p.is_file() and not is_system_file(p.name)}
    except OSError:
        return None
    if NOTES_MID in files or NOTES_CHART in files:
        return files.get(NOTES_MID) or files[NOTES_CHART]
    mids = sorted(p for n, p in files.items() if n.endswith(MID_SUFFIXES))
    if SONG_INI not in files:
        mids = [p for p in mids if is_chart_mid(p)]
    if mids:
        return mids[0] if len(mids) == 1 else (
            next((p for p in mids if is_chart_mid(p, b"PART DRUM")), mids[0]))
    charts = sorted(p for n, p in files.items() if n.endswith(".chart"))
    return charts[0] if len(charts) == 1 else None


def is_chart_mid(path: Path, *marks: bytes) -> bool:
    """Whether the MIDI file at ``path`` holds a Clone Hero / Rock Band track name
    (any of ``marks``; default :data:`CHART_MARKS`). Never raises."""
    try:
        with path.open("rb") as f:
            data = f.read(SNIFF_BYTES)
    except OSError:
        return False
    return data.startswith((b"MThd", b"RIFF")) and any(m in data for m in marks or CHART_MARKS)


def _has_song_ini(folder: Path) -> bool:
    try:
        return any(p.name.lower() == SONG_INI for p in folder.iterdir() if p.is_file())
    except OSError:
        return False


def import_clonehero(path: Path, *, double_kick: bool = True,
                     arrange: Arrangement = unison) -> ImportedSong:
    """Import a Clone Hero song folder, or its ``notes.mid`` / ``notes.chart``.

    Parameters
    ----------
    path : Path
        The folder, or the chart file in it.
    double_kick : bool
        Keep Expert+ double-kick notes on Expert.
    arrange : callable
        Makes the two parts from the one-player chart (default: unison).

    Raises
    ------
    ImportFormatError
        No chart file, or a broken one (with the file and line).
    """
    chart_file = find_chart_file(path)
    if chart_file is None:
        raise ImportFormatError(f"no {NOTES_MID} or {NOTES_CHART} here (expected a Clone Hero "
                                "song folder, or a .mid / .chart chart file)", path=str(path))
    folder = chart_file.parent
    warnings: list[str] = []
    if path.is_dir() and chart_file.name.lower() not in (NOTES_MID, NOTES_CHART):
        others = [p.name for p in _files(folder)
                  if p.suffix.lower() == chart_file.suffix.lower() and p != chart_file]
        warnings.append(f"no {NOTES_MID} or {NOTES_CHART}: read {chart_file.name}"
                        + (f" (not {', '.join(others)})" if others else ""))
    ini_path = next((p for p in _files(folder) if p.name.lower() == SONG_INI), None)
    ini = read_song_ini(ini_path, warnings) if ini_path is not None else None
    delay_s = ini.delay_ms / 1000 if ini is not None and ini.delay_ms is not None else None
    if chart_file.suffix.lower() in MID_SUFFIXES:
        source = "clonehero-mid"
        parsed = read_notes_mid(chart_file, ini=ini, offset_s=delay_s or 0.0,
                                double_kick=double_kick, warnings=warnings)
    else:
        source = "clonehero-chart"
        parsed = read_notes_chart(chart_file, ini=ini, delay_s=delay_s,
                                  double_kick=double_kick, warnings=warnings)
    audio = find_stems(folder, dict(parsed.streams))
    meta = _meta(parsed, ini, folder, audio)
    if not audio["backing"] and not audio["drums"]:
        warnings.append("no audio files in the folder (expected song.ogg or stems)")
    charted = drop_placeholders(dict(parsed.charted), warnings)
    if "hard" not in charted and parsed.expert_single_kick and "expert" in charted:
        # easier charts come from Expert without its Expert+ double kicks
        charted["hard"] = reduce_notes(as_notes(parsed.expert_single_kick), parsed.tempo,
                                       "hard")
    chart = build_chart(meta, parsed.tempo, parsed.sections, charted, warnings,
                        arrange=arrange)
    files = (chart_file,) if ini_path is None else (chart_file, ini_path)
    return ImportedSong(chart=chart, source=source, folder=folder, audio=audio, files=files,
                        warnings=tuple(warnings))


#: A harder difficulty with fewer notes than this share of an easier one's, and
#: fewer than :data:`PLACEHOLDER_MAX_NOTES`, is a placeholder, not a chart.
PLACEHOLDER_SHARE = 0.25
#: The same for an easier difficulty against a harder one (a real Easy chart
#: has a fifth of Expert's notes or more).
PLACEHOLDER_SHARE_EASIER = 0.05
PLACEHOLDER_MAX_NOTES = 50
#: Fewer notes than this in the whole drum part earn a warning.
FEW_NOTES = 16


def drop_placeholders(charted: dict[str, GivenNotes], warnings: list[str],
                      ) -> dict[str, GivenNotes]:
    """Leave out near-empty difficulties beside a real chart (a few notes left in
    ``[ExpertDrums]`` of a song charted on Hard, a few kicks on Easy of a song
    charted on Expert): a harder one is then copied from the hardest real one,
    an easier one reduced, as for a missing chart.

    Returns
    -------
    dict
        ``charted`` without the placeholders (a new dict).
    """
    out = dict(charted)
    for order, share, which in ((DIFFICULTIES, PLACEHOLDER_SHARE, "an easier"),
                                (DIFFICULTIES[::-1], PLACEHOLDER_SHARE_EASIER, "a harder")):
        most = 0
        for diff in order:
            count = len(out.get(diff, ()))
            if diff in out and count < PLACEHOLDER_MAX_NOTES and count < most * share:
                warnings.append(f"the {diff} drum chart has only {count} note(s) against "
                                f"{most} on {which} one: read as not charted")
                del out[diff]
            most = max(most, count)
    total = max((len(n) for n in out.values()), default=0)
    if 0 < total < FEW_NOTES:
        warnings.append(f"the drum chart has only {total} note(s)")
    return out


def _meta(parsed: ParsedDrums, ini: SongIni | None, folder: Path,
          audio: dict[str, tuple[Path, ...]]) -> SongMeta:
    title = (ini.name if ini else "") or parsed.title or clean_text(folder.name) or "song"
    artist = (ini.artist if ini else "") or parsed.artist
    charter = (ini.charter if ini else "") or parsed.charter
    preview = ini.preview_ms / 1000 if ini is not None and ini.preview_ms is not None \
        else parsed.preview_s
    backing = audio["backing"]
    main = next((p for p in backing if p.stem.lower() == "song"), None) \
        or (backing[0] if backing else None) or (audio["drums"][0] if audio["drums"] else None)
    extra = [("drum_kind", parsed.kind.value)]
    if ini is not None and ini.diff_drums is not None:
        extra.append(("diff_drums", str(ini.diff_drums)))
    return SongMeta(id=song_id(title, artist), title=title, artist=artist, charter=charter,
                    audio=main.name if main is not None else None,
                    preview_s=max(preview or 0.0, 0.0), extra=tuple(extra))


def _files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_file())
    except OSError:
        return []
