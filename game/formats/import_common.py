"""Pieces shared by the importers of other games' charts (Clone Hero, Rock Band, osu!).

* :class:`ImportedSong` and :class:`ImportFormatError`, the importers' result and error;
* :func:`unison`, the one place that decides how a one-player chart becomes a
  duet (both players play every note), so another arrangement can be plugged
  in through the ``arrange`` option of the importers;
* :func:`build_chart`: difficulties completed (harder ones copied up, easier
  ones reduced), parts arranged, one :class:`~game.engine.chart.Chart` made;
* a tempo-map builder for formats that give tempo and meter changes at beats,
  section names made safe for the beatmap writer, text decoding.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from game.engine.chart import (
    DIFFICULTIES,
    PARTS,
    Chart,
    Note,
    PartTable,
    Section,
    SongMeta,
    as_notes,
)
from game.engine.note_columns import NoteColumns
from game.engine.reduce import reduce_chart
from game.engine.tempo import MeterChange, TempoChange, TempoMap
from game.formats.song_ids import slugify
from game.util.errors import FormatError

#: Audio file extensions an importer looks for, in order of preference.
AUDIO_EXTENSIONS: tuple[str, ...] = (".ogg", ".opus", ".mp3", ".wav", ".flac")

#: One difficulty's notes as an importer gives them: built, or as columns (built when played).
GivenNotes = tuple[Note, ...] | NoteColumns
#: Difficulty -> notes of the one player a source chart has.
Charted = Mapping[str, GivenNotes]
#: Turns a one-player chart (difficulty -> its notes) into the notes of both parts.
Arrangement = Callable[[Mapping[str, tuple[Note, ...]]], dict[tuple[str, str], tuple[Note, ...]]]


#: A part's notes, whichever way they are given (:func:`unison` keeps them as they are).
_Notes = TypeVar("_Notes")


class ImportFormatError(FormatError):
    """A chart from another game cannot be imported: names the file, the line, what was expected."""


@dataclass(frozen=True, slots=True)
class ImportedSong:
    """A song imported from another game's chart files.

    Attributes
    ----------
    chart : Chart
        Parts ``p1`` and ``p2`` at all four difficulties.
    source : str
        ``"clonehero-mid"``, ``"clonehero-chart"``, ``"osu-taiko"`` or ``"osu-mania"``.
    folder : Path
        The song's folder.
    audio : dict
        ``"backing"``: the full mix or the non-drum stems; ``"drums"``: drum stems
        (may be empty). Paths of files that exist.
    files : tuple of Path
        Every file the chart was read from (for a cache keyed on size and mtime).
    warnings : tuple of str
        What was skipped or adjusted, one sentence each.
    """

    chart: Chart
    source: str
    folder: Path
    audio: dict[str, tuple[Path, ...]]
    files: tuple[Path, ...]
    warnings: tuple[str, ...]


# the duet arrangement ----------------------------------------------------------
def unison(charted: Mapping[str, _Notes]) -> dict[tuple[str, str], _Notes]:
    """Both players play every note, at every difficulty.

    The imported formats chart one drummer; playing it in unison is what the
    duet sync metrics measure best (every note is a shared time).

    Parameters
    ----------
    charted : mapping
        Difficulty -> notes.

    Returns
    -------
    dict
        ``(part, difficulty) -> notes`` for both parts.
    """
    return {(part, diff): notes for part in PARTS for diff, notes in charted.items()}


def _arranged(charted: Charted, arrange: Arrangement) -> dict[tuple[str, str], GivenNotes]:
    """The parts ``arrange`` makes; :func:`unison` keeps notes given as columns as they
    are (made when played), any other arrangement is given the notes themselves."""
    if arrange is unison:
        return unison(charted)
    return dict(arrange({diff: as_notes(notes) for diff, notes in charted.items()}))


def build_chart(meta: SongMeta, tempo: TempoMap, sections: tuple[Section, ...],
                charted: Charted, warnings: list[str], *,
                arrange: Arrangement = unison) -> Chart:
    """Make the chart: all four difficulties, both parts.

    Difficulties harder than the hardest charted one get a copy of it (with a
    warning); easier missing ones are reduced from the nearest harder one
    (:func:`game.engine.reduce.reduce_chart`) after ``arrange`` made the parts.
    """
    charted = {d: n for d, n in charted.items() if d in DIFFICULTIES}
    hardest = next((d for d in reversed(DIFFICULTIES) if charted.get(d)), None)
    if hardest is None:
        charted = {}
    else:
        for diff in DIFFICULTIES[DIFFICULTIES.index(hardest) + 1:]:
            charted[diff] = charted[hardest]
            warnings.append(f"no {diff} chart: {diff} plays the {hardest} chart")
        for diff in DIFFICULTIES[:DIFFICULTIES.index(hardest)]:
            if diff in charted and not charted[diff]:
                del charted[diff]  # an empty easier chart is made by reduction instead
    charted = _within_song_limits(charted, warnings)
    tempo = _tempo_within_limits(tempo, warnings)
    sections = tuple(s for s in sections if s.time_s <= MAX_NOTE_S)
    return Chart(meta=meta, tempo=tempo, sections=sections,
                 parts=PartTable(_reduced(_arranged(charted, arrange), meta, tempo)))


#: Notes earlier than this (seconds) or later than :data:`MAX_NOTE_S` are left out:
#: no song is that long, and a hostile file could otherwise ask for days of bars.
MIN_NOTE_S = -600.0
MAX_NOTE_S = 6 * 3600.0


def _within_song_limits(charted: Charted, warnings: list[str]) -> dict[str, GivenNotes]:
    out: dict[str, GivenNotes] = {}
    dropped = 0
    for diff, notes in charted.items():
        kept = notes
        if isinstance(notes, NoteColumns):
            if len(notes) and (notes.time_s[0] < MIN_NOTE_S or notes.time_s[-1] > MAX_NOTE_S):
                kept = notes.select((notes.time_s >= MIN_NOTE_S) & (notes.time_s <= MAX_NOTE_S))
        elif notes and (notes[0].time_s < MIN_NOTE_S or notes[-1].time_s > MAX_NOTE_S):
            kept = tuple(n for n in notes if MIN_NOTE_S <= n.time_s <= MAX_NOTE_S)
        dropped = max(dropped, len(notes) - len(kept))
        out[diff] = kept
    if dropped:
        warnings.append(f"left out {dropped} note(s) more than {MAX_NOTE_S / 3600:g} hours "
                        f"after or {-MIN_NOTE_S / 60:g} minutes before the song's start")
    return out


def _tempo_within_limits(tempo: TempoMap, warnings: list[str]) -> TempoMap:
    """``tempo`` without tempo and meter changes more than :data:`MAX_NOTE_S` after
    the start (no note is there; a hostile file could ask for millions of bars)."""
    tempos = [t for t in tempo.tempos if t.beat == 0 or tempo.seconds_at(t.beat) <= MAX_NOTE_S]
    meters = [m for m in tempo.meters
              if m.bar == 1 or tempo.seconds_at(tempo.bar_start_beat(m.bar)) <= MAX_NOTE_S]
    dropped = len(tempo.tempos) - len(tempos) + len(tempo.meters) - len(meters)
    if not dropped:
        return tempo
    warnings.append(f"left out {dropped} tempo or meter change(s) more than "
                    f"{MAX_NOTE_S / 3600:g} hours after the song's start")
    return TempoMap(tempos, meters, offset_s=tempo.offset_s)


def _reduced(parts: Mapping[tuple[str, str], GivenNotes], meta: SongMeta,
             tempo: TempoMap) -> dict[tuple[str, str], GivenNotes]:
    """``parts`` with each part's missing easier difficulties reduced
    (:func:`game.engine.reduce.reduce_chart`); parts charted alike (unison) are
    reduced once."""
    by_part: dict[str, dict[str, GivenNotes]] = {}
    for (part, diff), notes in parts.items():
        by_part.setdefault(part, {})[diff] = notes
    done: dict[tuple[tuple[str, int], ...], dict[str, GivenNotes]] = {}
    out: dict[tuple[str, str], GivenNotes] = {}
    for part, diffs in by_part.items():
        key = tuple(sorted((d, id(n)) for d, n in diffs.items()))
        if key not in done:
            one = Chart(meta=meta, tempo=tempo, sections=(),
                        parts=PartTable({("p", d): n for d, n in diffs.items()}))
            done[key] = {d: n for (_, d), n in reduce_chart(one).parts.given().items()}
        out.update({(part, d): n for d, n in done[key].items()})
    return out


# metadata and sections -----------------------------------------------------------
_TAGS = re.compile(r"<[^<>]*>")
_HASH_COMMENT = re.compile(r"(^|\s)#")


def clean_text(text: str) -> str:
    """Text the beatmap writer accepts: no formatting tags (``<color=...>``), one line,
    trimmed, and no ``#`` at the start or after a blank (``#2`` becomes ``No.2``)."""
    text = " ".join(_TAGS.sub("", text).split())
    return _HASH_COMMENT.sub(lambda m: m.group(1) + "No.", text)


def song_id(title: str, artist: str = "") -> str:
    """A song id (``[a-z0-9-]+``) from the title and the artist."""
    return slugify(f"{title} {artist}" if artist else title)


_SECTION_EVENT = re.compile(r"^\[?\s*(?:section[ _]+|prc_)(?P<name>.*?)\s*\]?$", re.I)


def section_name(event: str) -> str | None:
    """The section name of a ``[section NAME]``, ``section_NAME`` or ``[prc_NAME]`` event.

    ``prc_`` names have their underscores turned into blanks (``prc_verse_1`` ->
    ``verse 1``). Returns None for any other text event.
    """
    m = _SECTION_EVENT.match(event.strip())
    if m is None:
        return None
    name = m.group("name")
    if event.strip().lstrip("[").lower().startswith("prc_"):
        name = name.replace("_", " ")
    return clean_text(name) or None


def make_sections(events: Iterable[tuple[float, str]], tempo: TempoMap) -> tuple[Section, ...]:
    """Sections from ``(beat, name)`` pairs: sorted, at most one per beat (the first)."""
    out: list[Section] = []
    for beat, name in sorted(events, key=lambda e: e[0]):
        if beat < 0 or not name or (out and abs(out[-1].beat - beat) < 1e-9):
            continue
        out.append(Section(name, beat, tempo.seconds_at(beat)))
    return tuple(out)


# tempo maps ----------------------------------------------------------------------
def bpm_of_us(us_per_beat: int) -> float:
    """BPM of a MIDI tempo (microseconds per quarter note), rounded to 0.01 BPM when
    that is within a microsecond per beat: a whole microsecond cannot say 126 BPM
    exactly (476,190 us is 126.000126), so the BPM the charter typed is kept."""
    bpm = 60e6 / us_per_beat
    if abs(bpm - round(bpm, 2)) <= bpm / us_per_beat:  # within 1 us per beat
        return round(bpm, 2)
    return bpm


def build_tempo_map(tempos: Iterable[tuple[float, float]],
                    meters: Iterable[tuple[float, int, int]], warnings: list[str], *,
                    offset_s: float = 0.0, where: str = "beat") -> TempoMap:
    """A tempo map from tempo and meter changes given at beats.

    Parameters
    ----------
    tempos : iterable of (beat, bpm)
        Beats are quarter notes from the chart's start; BPM counts quarter
        notes. Without a change at beat 0 the map starts at 120 BPM (with a
        warning); a later change at the same beat wins.
    meters : iterable of (beat, numerator, denominator)
        A meter that does not start on a bar line of the meter before it is
        moved to the next bar line (with a warning).
    warnings : list of str
        Appended to.
    offset_s : float
        Song-clock time of beat 0, seconds.
    where : str
        How a position is named in warnings (``"tick"`` ...); positions are
        reported as beats.
    """
    by_beat: dict[float, float] = {}
    for beat, bpm in sorted(tempos, key=lambda t: t[0]):
        by_beat[beat] = bpm
    if 0.0 not in by_beat:
        warnings.append("no tempo at the start: 120 BPM until the first tempo change")
        by_beat[0.0] = 120.0
    changes: list[TempoChange] = []
    for beat in sorted(by_beat):
        if not changes or changes[-1].bpm != by_beat[beat]:
            changes.append(TempoChange(beat, by_beat[beat]))

    meter_list = [MeterChange(1, 4, 4)]
    start = 0.0  # beat of meter_list[-1].bar
    for beat, num, den in sorted(meters, key=lambda m: m[0]):
        last = meter_list[-1]
        bars = (beat - start) / last.bar_beats
        whole = round(bars)
        if abs(bars - whole) > 1e-6 and (num, den) == (last.numerator, last.denominator):
            continue  # the meter in force, restated off a bar line: nothing changes
        if abs(bars - whole) > 1e-6:
            whole = math.ceil(bars)
            warnings.append(f"time signature {num}/{den} at {where} {beat:g} is not on a bar "
                            f"line; moved to bar {last.bar + whole}")
        if whole == 0:
            meter_list[-1] = MeterChange(last.bar, num, den)
        elif (num, den) != (last.numerator, last.denominator):
            meter_list.append(MeterChange(last.bar + whole, num, den))
            start += whole * last.bar_beats
    return TempoMap(changes, meter_list, offset_s=offset_s)


# files -----------------------------------------------------------------------------
def decode_text(data: bytes, path: str, warnings: list[str]) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with a BOM, else Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append(f"{Path(path).name} is not UTF-8; read as Latin-1")
        return data.decode("latin-1")


def read_bytes(path: Path, what: str) -> bytes:
    """The bytes of ``path``, or :class:`ImportFormatError` saying why not."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportFormatError(f"file not found (expected {what})", path=str(path)) from None
    except IsADirectoryError:
        raise ImportFormatError(f"is a folder (expected {what})", path=str(path)) from None
    except OSError as exc:
        raise ImportFormatError(f"cannot read the file: {exc.strerror or exc}",
                                path=str(path)) from None


def is_system_file(name: str) -> bool:
    """Whether an archive member or file name is the system's, not the song's: macOS's
    ``__MACOSX/`` folder and ``._name`` AppleDouble files (copied along with songs from a
    Mac), hidden files, and Windows' ``Thumbs.db`` / ``desktop.ini`` (osu! skips them too)."""
    parts = name.replace("\\", "/").split("/")
    base = parts[-1].lower()
    return ("__macosx" in (p.lower() for p in parts[:-1]) or base.startswith(".")
            or base in ("thumbs.db", "desktop.ini"))
