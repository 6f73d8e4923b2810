"""Import a Clone Hero / Rock Band song folder (``song.ini`` + ``notes.mid`` or ``notes.chart``).

* The chart is ``notes.mid`` when the folder has one, else ``notes.chart``
  (a path to one of the two files picks that file).
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

from game.engine.chart import SongMeta
from game.engine.reduce import reduce_notes
from game.formats.clonehero_chart import read_notes_chart
from game.formats.clonehero_common import ParsedDrums, find_stems
from game.formats.clonehero_mid import read_notes_mid
from game.formats.import_common import (
    Arrangement,
    ImportedSong,
    ImportFormatError,
    build_chart,
    clean_text,
    song_id,
    unison,
)
from game.formats.songini import SongIni, read_song_ini

NOTES_MID = "notes.mid"
NOTES_CHART = "notes.chart"
SONG_INI = "song.ini"


def find_chart_file(path: Path) -> Path | None:
    """The chart file a Clone Hero path means: the file itself, or the folder's
    ``notes.mid`` (preferred) or ``notes.chart`` (names compared case-insensitively)."""
    if path.is_file():
        return path if path.name.lower() in (NOTES_MID, NOTES_CHART) else None
    if not path.is_dir():
        return None
    try:
        files = {p.name.lower(): p for p in path.iterdir() if p.is_file()}
    except OSError:
        return None
    return files.get(NOTES_MID) or files.get(NOTES_CHART)


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
                                "song folder)", path=str(path))
    folder = chart_file.parent
    warnings: list[str] = []
    ini_path = next((p for p in _files(folder) if p.name.lower() == SONG_INI), None)
    ini = read_song_ini(ini_path, warnings) if ini_path is not None else None
    delay_s = ini.delay_ms / 1000 if ini is not None and ini.delay_ms is not None else None
    if chart_file.name.lower() == NOTES_MID:
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
    charted = dict(parsed.charted)
    if "hard" not in charted and parsed.expert_single_kick:
        # easier charts come from Expert without its Expert+ double kicks
        charted["hard"] = reduce_notes(parsed.expert_single_kick, parsed.tempo, "hard")
    chart = build_chart(meta, parsed.tempo, parsed.sections, charted, warnings,
                        arrange=arrange)
    files = (chart_file,) if ini_path is None else (chart_file, ini_path)
    return ImportedSong(chart=chart, source=source, folder=folder, audio=audio, files=files,
                        warnings=tuple(warnings))


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
