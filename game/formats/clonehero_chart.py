"""Read the drum part of a Clone Hero / Moonscraper ``notes.chart``.

The text is split into sections by :mod:`game.formats.chart_text`, which
reads the layouts found in the wild (BOM, CRLF, tabs, missing braces...). What
is read:

* ``[Song]``: ``Resolution`` (ticks per quarter note, default 192), ``Offset``
  (seconds; positive plays the notes later, like song.ini ``delay``, which
  wins when both are given), ``Name``, ``Artist``, ``Charter``,
  ``PreviewStart`` (seconds) and the audio streams (``MusicStream``,
  ``GuitarStream`` ... ``DrumStream``, ``Drum2Stream`` ...);
* ``[SyncTrack]``: ``TICK = B BPM*1000`` and ``TICK = TS NUM [LOG2 DENOM]``
  (anchors ``A`` are editor data and ignored);
* ``[Events]``: sections ``TICK = E "section NAME"`` or ``"prc_NAME"``;
* ``[EasyDrums]``, ``[MediumDrums]``, ``[HardDrums]``, ``[ExpertDrums]``:
  ``TICK = N TYPE LENGTH`` with types 0 kick, 1 red, 2 yellow, 3 blue,
  4 green (4-lane) / orange (5-lane), 5 green (5-lane), 32 Expert+ kick,
  34-38 accent and 40-44 ghost marks for lanes 1-5, 66/67/68 cymbal marks for
  yellow/blue/green. Pads are toms unless cymbal-marked. On pro drums a
  disco flip (local event ``E mix_3_drums0d``) is undone, as in ``notes.mid``.
  Sustains (LENGTH), star power and other ``S`` phrases and other local
  ``E`` events are ignored. A difficulty without its ``[...Drums]`` section
  (or with an empty one) is read from ``[...DoubleDrums]`` when the file has
  that (Phase Shift's Expert+ drums), with a warning.

Other sections (guitar, bass, ...) are skipped, named in one warning; note
types not listed are counted in a warning. Lines that do not parse in a drum,
``[Events]`` or ``[Song]`` section are skipped, counted in one warning per
section. Refused, with the line: a ``Resolution`` or a tempo (``B``) that is
not a number above 0, since every time depends on them.
"""

from __future__ import annotations

from pathlib import Path

from game.engine.chart import Section
from game.engine.tempo import TempoMap
from game.formats.chart_drums import CYMBAL, LANES, charted_notes, parse_drums
from game.formats.chart_text import (
    ChartSection,
    SkippedLines,
    as_float,
    as_int,
    split_sections,
    values,
)
from game.formats.clonehero_common import (
    CH_DIFFICULTIES,
    ParsedDrums,
    drum_kind,
)
from game.formats.import_common import (
    ImportFormatError,
    build_tempo_map,
    clean_text,
    decode_text,
    make_sections,
    read_bytes,
    section_name,
)
from game.formats.songini import SongIni

DEFAULT_RESOLUTION = 192
BACKING_STREAMS = ("musicstream", "guitarstream", "rhythmstream", "bassstream",
                   "keysstream", "vocalstream", "crowdstream")
DRUM_STREAMS = ("drumstream", "drum2stream", "drum3stream", "drum4stream")


def read_notes_chart(path: Path, *, ini: SongIni | None, delay_s: float | None,
                     double_kick: bool, warnings: list[str]) -> ParsedDrums:
    """Read the drum chart of a ``.chart`` file.

    Parameters
    ----------
    path : Path
    ini : SongIni or None
        Forces pro or 5-lane drums when it says so.
    delay_s : float or None
        The song.ini ``delay`` in seconds; None uses the chart's ``Offset``.
    double_kick : bool
        Keep Expert+ kicks (type 32) in the Expert chart.
    warnings : list of str
        Appended to.

    Raises
    ------
    ImportFormatError
        With the line: a truncated file, a bad resolution or tempo; no drum notes.
    """
    p = str(path)
    text = decode_text(read_bytes(path, "a .chart file"), p, warnings)
    by_name = split_sections(text, p, warnings)
    song = values(by_name.get("song"))
    res = DEFAULT_RESOLUTION
    if "resolution" in song:
        line, value = song["resolution"]
        number = as_float(value)
        if number is None or number <= 0 or number != int(number):
            raise ImportFormatError(f"bad Resolution {value!r} (expected ticks per quarter "
                                    "note, a whole number above 0, e.g. 192)", path=p, line=line)
        res = int(number)
    else:
        warnings.append(f"no Resolution in [Song]; using {DEFAULT_RESOLUTION} ticks per beat")
    if delay_s is None:
        delay_s = _song_float(song, "offset", "Offset (seconds)", warnings) or 0.0
    tempo = _sync_track(by_name.get("synctrack"), res, delay_s, p, warnings)

    drum_sections = _drum_sections(by_name, warnings)
    if not drum_sections:
        found = ", ".join(f"[{s.name}]" for s in by_name.values()) or "none"
        raise ImportFormatError(
            f"no drum chart: expected a section [ExpertDrums], [HardDrums], [MediumDrums] "
            f"or [EasyDrums] (found: {found})", path=p)
    used = {s.name.lower() for s in drum_sections.values()}
    known = {"song", "synctrack", "events", *(f"{d}drums" for d in CH_DIFFICULTIES)}
    skipped = [f"[{s.name}]" for key, s in by_name.items() if key not in known | used]
    if skipped:
        warnings.append(f"skipped sections {', '.join(skipped)} (not drums)")

    parsed = {diff: parse_drums(s, warnings) for diff, s in drum_sections.items()}
    pro_marks = any(p.any_mask(CYMBAL) for p in parsed.values())
    five = any(p.any_mask(LANES) >> 5 & 1 for p in parsed.values())
    kind = drum_kind(ini, pro_marks=pro_marks, five_lane_notes=five, warnings=warnings)
    charted, single = charted_notes(parsed, kind, res, tempo, double_kick, warnings)
    if not charted:
        raise ImportFormatError("the drum sections have no notes (expected lines like "
                                "'768 = N 1 0')", path=p)
    return ParsedDrums(
        tempo=tempo, sections=_sections(by_name.get("events"), res, tempo, warnings),
        charted=charted, kind=kind,
        title=clean_text(song.get("name", (0, ""))[1].strip('"')),
        artist=clean_text(song.get("artist", (0, ""))[1].strip('"')),
        charter=clean_text(song.get("charter", (0, ""))[1].strip('"')),
        preview_s=_positive(_song_float(song, "previewstart", "PreviewStart (seconds)",
                                        warnings)),
        streams=_streams(song), expert_single_kick=single,
    )


def _drum_sections(by_name: dict[str, ChartSection], warnings: list[str],
                   ) -> dict[str, ChartSection]:
    """Our difficulty -> its drum section (``[XDrums]``, else ``[XDoubleDrums]``)."""
    out: dict[str, ChartSection] = {}
    for theirs, ours in CH_DIFFICULTIES.items():
        plain = by_name.get(f"{theirs}drums")
        double = by_name.get(f"{theirs}doubledrums")
        if double is not None and (plain is None or not _has_notes(plain)):
            warnings.append(f"read [{double.name}] for {ours}"
                            + (f" ([{plain.name}] has no notes)" if plain is not None else ""))
            out[ours] = double
        elif plain is not None:
            out[ours] = plain
    return out


def _has_notes(section: ChartSection) -> bool:
    return any(value.startswith("N") for _, _, value in section.entries)


def _song_float(song: dict[str, tuple[int, str]], key: str, what: str,
                warnings: list[str]) -> float | None:
    if key not in song:
        return None
    line, text = song[key]
    value = as_float(text)
    if value is None:
        warnings.append(f"line {line}: ignored {what} {text!r} (expected a number, e.g. 0.5)")
    return value


def _positive(value: float | None) -> float | None:
    return value if value is not None and value > 0 else None


def _streams(song: dict[str, tuple[int, str]]) -> dict[str, tuple[str, ...]]:
    streams = {"backing": tuple(song[k][1].strip('"') for k in BACKING_STREAMS if k in song),
               "drums": tuple(song[k][1].strip('"') for k in DRUM_STREAMS if k in song)}
    return {k: v for k, v in streams.items() if v}


def _sections(events: ChartSection | None, res: int, tempo: TempoMap,
              warnings: list[str]) -> tuple[Section, ...]:
    marks: list[tuple[float, str]] = []
    skipped = SkippedLines(events.name if events else "Events", "'TICK = E \"section NAME\"'")
    for line, key, value in events.entries if events else ():
        code, _, rest = value.partition(" ")
        if code != "E" or not (name := section_name(rest.strip().strip('"'))):
            continue
        tick = as_int(key)
        if tick is None or tick < 0:
            skipped.add(line, f"{key} = {value}")
            continue
        marks.append((tick / res, name))
    skipped.report(warnings)
    return make_sections(marks, tempo)


def _sync_track(section: ChartSection | None, res: int, offset_s: float, path: str,
                warnings: list[str]) -> TempoMap:
    tempos: list[tuple[float, float]] = []
    meters: list[tuple[float, int, int]] = []
    skipped = SkippedLines(section.name if section else "SyncTrack",
                           "'TICK = B BPMx1000' or 'TICK = TS NUM [LOG2DENOM]'")
    for line, key, value in section.entries if section else ():
        words = value.split()
        code = words[0] if words else ""
        tick = as_int(key)
        if code == "B":
            bpm = as_int(words[1]) if len(words) == 2 else None
            if tick is None or tick < 0 or bpm is None or bpm <= 0:
                raise ImportFormatError(
                    f"bad tempo line '{key} = {value}' (expected 'TICK = B BPMx1000' with a "
                    "tick of 0 or more and a tempo above 0, e.g. '0 = B 120000')",
                    path=path, line=line)
            tempos.append((tick / res, bpm / 1000))
        elif code == "TS":
            num = as_int(words[1]) if len(words) > 1 else None
            exp = as_int(words[2]) if len(words) > 2 else 2
            if tick is None or tick < 0 or num is None or exp is None or len(words) > 3:
                skipped.add(line, f"{key} = {value}")
            elif num <= 0 or not 0 <= exp <= 5:
                warnings.append(f"line {line}: ignored time signature {value!r} (expected a "
                                "numerator above 0 and a denominator 1-32)")
            else:
                meters.append((tick / res, num, 2 ** exp))
        elif code != "A":
            skipped.add(line, f"{key} = {value}")
    skipped.report(warnings)
    if not tempos:
        warnings.append("no tempo in [SyncTrack]: 120 BPM, 4/4")
        tempos.append((0.0, 120.0))
    return build_tempo_map(tempos, meters, warnings, offset_s=offset_s)
