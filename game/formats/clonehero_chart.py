"""Read the drum part of a Clone Hero / Moonscraper ``notes.chart``.

A ``.chart`` is text: sections ``[Name]`` whose lines, between ``{`` and
``}``, are ``KEY = VALUES``. What is read:

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
  ``E`` events are ignored.

Other sections (guitar, bass, ...) are skipped, named in one warning; note
types not listed are counted in a warning. Any line that does not parse
stops the import with the line number and what was expected.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from game.engine.chart import Note, make_note, sort_notes
from game.engine.tempo import TempoMap
from game.formats.clonehero_common import (
    CH_DIFFICULTIES,
    KICK,
    YELLOW,
    DrumKind,
    ParsedDrums,
    disco_flips,
    drum_kind,
    flipped_lane,
    lane_voice,
)
from game.formats.import_common import (
    ImportFormatError,
    build_tempo_map,
    clean_text,
    decode_text,
    make_sections,
    parse_int,
    read_bytes,
    section_name,
)
from game.formats.songini import SongIni

DEFAULT_RESOLUTION = 192
DOUBLE_KICK = 32
ACCENTS = {34: 1, 35: 2, 36: 3, 37: 4, 38: 5}
GHOSTS = {40: 1, 41: 2, 42: 3, 43: 4, 44: 5}
CYMBALS = {66: 2, 67: 3, 68: 4}
BACKING_STREAMS = ("musicstream", "guitarstream", "rhythmstream", "bassstream",
                   "keysstream", "vocalstream", "crowdstream")
DRUM_STREAMS = ("drumstream", "drum2stream", "drum3stream", "drum4stream")


@dataclass
class _Section:
    name: str
    line: int
    entries: list[tuple[int, str, str]] = field(default_factory=list)  # line, key, value


def read_notes_chart(path: Path, *, ini: SongIni | None, delay_s: float | None,
                     double_kick: bool, warnings: list[str]) -> ParsedDrums:
    """Read the drum chart of ``notes.chart``.

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
        With the line number, for any line that does not parse; no drum section.
    """
    p = str(path)
    text = decode_text(read_bytes(path, "a .chart file"), p, warnings)
    sections = split_sections(text, p)
    by_name: dict[str, _Section] = {}
    for s in sections:
        if s.name.lower() in by_name:
            warnings.append(f"line {s.line}: a second [{s.name}] section, ignored")
        else:
            by_name[s.name.lower()] = s
    song = _song_values(by_name.get("song"))
    res = DEFAULT_RESOLUTION
    if "resolution" in song:
        line, value = song["resolution"]
        res = parse_int(value, p, line, "Resolution (ticks per quarter note)")
        if res <= 0:
            raise ImportFormatError(f"Resolution {res} (expected a whole number above 0)",
                                    path=p, line=line)
    else:
        warnings.append(f"no Resolution in [Song]; using {DEFAULT_RESOLUTION} ticks per beat")
    if delay_s is None:
        delay_s = _float(*song["offset"], p, "Offset (seconds)") if "offset" in song else 0.0
    tempo = _sync_track(by_name.get("synctrack"), res, delay_s, p, warnings)

    drum_sections = {ours: by_name.get(f"{theirs}drums") for theirs, ours in
                     CH_DIFFICULTIES.items()}
    if not any(drum_sections.values()):
        found = ", ".join(f"[{s.name}]" for s in sections) or "none"
        raise ImportFormatError(
            f"no drum chart: expected a section [ExpertDrums], [HardDrums], [MediumDrums] "
            f"or [EasyDrums] (found: {found})", path=p)
    known = {"song", "synctrack", "events", *(f"{d}drums" for d in CH_DIFFICULTIES)}
    skipped = [f"[{s.name}]" for s in sections if s.name.lower() not in known]
    if skipped:
        warnings.append(f"skipped sections {', '.join(skipped)} (not drums)")

    parsed = {diff: _parse_drums(s, p) for diff, s in drum_sections.items() if s is not None}
    pro_marks = any(ev.cymbals for groups, _ in parsed.values() for ev in groups.values())
    five = any(5 in ev.lanes for groups, _ in parsed.values() for ev in groups.values())
    kind = drum_kind(ini, pro_marks=pro_marks, five_lane_notes=five, warnings=warnings)
    charted: dict[str, tuple[Note, ...]] = {}
    single: tuple[Note, ...] | None = None
    unknown: dict[int, int] = defaultdict(int)
    for diff, (groups, texts) in parsed.items():
        notes: list[Note] = []
        single_notes: list[Note] = []
        flips = disco_flips(texts).get(diff, []) if kind is DrumKind.PRO else []
        for tick, ev in sorted(groups.items()):
            for t in ev.unknown:
                unknown[t] += 1
            if flips:
                ev.swap(tick, flips)
            lanes = set(ev.lanes)
            if ev.double_kick and diff == "expert" and double_kick:
                lanes.add(KICK)
            for lane in sorted(lanes):
                voice = lane_voice(lane, kind=kind, cymbal=lane in ev.cymbals)
                note = make_note(tempo, tick / res, voice, accent=lane in ev.accents,
                                 ghost=lane in ev.ghosts and lane not in ev.accents)
                notes.append(note)
                if lane in ev.lanes:
                    single_notes.append(note)
        if notes:
            charted[diff] = sort_notes(notes)
        if diff == "expert" and len(single_notes) != len(notes):
            single = sort_notes(single_notes)
    if unknown:
        listed = ", ".join(f"{t} ({n}x)" for t, n in sorted(unknown.items()))
        warnings.append(f"ignored drum note types {listed}")
    if not charted:
        raise ImportFormatError("the drum sections have no notes (expected lines like "
                                "'768 = N 1 0')", path=p)
    events = by_name.get("events")
    marks = []
    for line, key, value in events.entries if events else ():
        kind_code, _, rest = value.partition(" ")
        if kind_code == "E" and (name := section_name(rest.strip().strip('"'))):
            marks.append((_tick(key, p, line) / res, name))
    streams = {"backing": tuple(song[k][1].strip('"') for k in BACKING_STREAMS if k in song),
               "drums": tuple(song[k][1].strip('"') for k in DRUM_STREAMS if k in song)}
    preview = _float(*song["previewstart"], p, "PreviewStart (seconds)") \
        if "previewstart" in song else None
    return ParsedDrums(
        tempo=tempo, sections=make_sections(marks, tempo), charted=charted, kind=kind,
        title=clean_text(song.get("name", (0, ""))[1].strip('"')),
        artist=clean_text(song.get("artist", (0, ""))[1].strip('"')),
        charter=clean_text(song.get("charter", (0, ""))[1].strip('"')),
        preview_s=preview if preview is not None and preview > 0 else None,
        streams={k: v for k, v in streams.items() if v},
        expert_single_kick=single,
    )


def split_sections(text: str, path: str) -> list[_Section]:
    """The ``[Name] { ... }`` sections of a ``.chart`` text, with line numbers.

    Raises
    ------
    ImportFormatError
        Text outside a section, a header without ``{``, a line without ``=``,
        or a file that ends inside a section (truncated).
    """
    out: list[_Section] = []
    current: _Section | None = None
    expect_brace = False
    lines = text.splitlines()
    last = max((i for i, raw in enumerate(lines, start=1) if raw.strip()), default=0)
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if expect_brace:
            if line != "{":
                raise ImportFormatError(f"expected '{{' after [{out[-1].name}], got {line!r}",
                                        path=path, line=number)
            expect_brace = False
            current = out[-1]
        elif current is None:
            if not (line.startswith("[") and line.endswith("]")):
                raise ImportFormatError(f"expected a section header like [Song], got {line!r}",
                                        path=path, line=number)
            out.append(_Section(line[1:-1].strip(), number))
            expect_brace = True
        elif line == "}":
            current = None
        else:
            key, eq, value = line.partition("=")
            if not eq and number == last:
                raise ImportFormatError(f"the file ends inside [{current.name}] with {line!r}: "
                                        "expected 'KEY = VALUE' lines and '}'; is it truncated?",
                                        path=path, line=number)
            if not eq or not key.strip():
                raise ImportFormatError(
                    f"bad line {line!r} in [{current.name}] (expected 'KEY = VALUE', e.g. "
                    "'768 = N 1 0', or '}' to end the section)", path=path, line=number)
            current.entries.append((number, key.strip(), value.strip()))
    if expect_brace or current is not None:
        name = out[-1].name
        raise ImportFormatError(f"the file ends inside [{name}] (started on line "
                                f"{out[-1].line}): expected '}}'; is it truncated?",
                                path=path, line=last)
    return out


def _song_values(section: _Section | None) -> dict[str, tuple[int, str]]:
    return {key.lower(): (line, value) for line, key, value in section.entries} \
        if section else {}


def _float(line: int, text: str, path: str, what: str) -> float:
    try:
        value = float(text.strip('"'))
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):
        raise ImportFormatError(f"bad {what} {text!r} (expected a number, e.g. 0.5)",
                                path=path, line=line)
    return value


def _tick(text: str, path: str, line: int) -> int:
    tick = parse_int(text, path, line, "tick")
    if tick < 0:
        raise ImportFormatError(f"bad tick {tick} (expected 0 or more)", path=path, line=line)
    return tick


def _sync_track(section: _Section | None, res: int, offset_s: float, path: str,
                warnings: list[str]) -> TempoMap:
    tempos: list[tuple[float, float]] = []
    meters: list[tuple[float, int, int]] = []
    for line, key, value in section.entries if section else ():
        tick = _tick(key, path, line)
        words = value.split()
        code = words[0] if words else ""
        if code == "B" and len(words) == 2:
            bpm = parse_int(words[1], path, line, "tempo (BPM x 1000)") / 1000
            if bpm <= 0:
                raise ImportFormatError(f"tempo {words[1]} (expected BPM x 1000 above 0, "
                                        "e.g. 'B 120000')", path=path, line=line)
            tempos.append((tick / res, bpm))
        elif code == "TS" and len(words) in (2, 3):
            num = parse_int(words[1], path, line, "time signature numerator")
            exp = parse_int(words[2], path, line, "time signature denominator (log2)") \
                if len(words) == 3 else 2
            if num <= 0 or not 0 <= exp <= 5:
                warnings.append(f"line {line}: ignored time signature {value!r} (expected a "
                                "numerator above 0 and a denominator 1-32)")
                continue
            meters.append((tick / res, num, 2 ** exp))
        elif code == "A":
            continue
        else:
            raise ImportFormatError(
                f"bad [SyncTrack] line '{key} = {value}' (expected 'TICK = B BPMx1000', "
                "'TICK = TS NUM [LOG2DENOM]' or 'TICK = A MICROSECONDS')", path=path, line=line)
    if section is None:
        warnings.append("no [SyncTrack]: 120 BPM, 4/4")
        tempos.append((0.0, 120.0))
    return build_tempo_map(tempos, meters, warnings, offset_s=offset_s)


@dataclass
class _Tick:
    lanes: set[int] = field(default_factory=set)
    accents: set[int] = field(default_factory=set)
    ghosts: set[int] = field(default_factory=set)
    cymbals: set[int] = field(default_factory=set)
    double_kick: bool = False
    unknown: list[int] = field(default_factory=list)

    def swap(self, tick: int, flips: list[tuple[int, int]]) -> None:
        """Undo a disco flip at ``tick``: red and yellow (with their marks) trade places;
        the red note that becomes yellow is the hi-hat, a cymbal."""
        if not any(a <= tick < b for a, b in flips):
            return
        for marks in (self.lanes, self.accents, self.ghosts):
            moved = {flipped_lane(lane, tick, flips) for lane in marks}
            marks.clear()
            marks.update(moved)
        if YELLOW in self.lanes:
            self.cymbals.add(YELLOW)


def _parse_drums(section: _Section, path: str) -> tuple[dict[int, _Tick], list[tuple[int, str]]]:
    groups: dict[int, _Tick] = defaultdict(_Tick)
    texts: list[tuple[int, str]] = []
    for line, key, value in section.entries:
        tick = _tick(key, path, line)
        words = value.split()
        if not words or words[0] not in ("N", "S", "E"):
            raise ImportFormatError(
                f"bad [{section.name}] line '{key} = {value}' (expected 'TICK = N TYPE LENGTH', "
                "'TICK = S TYPE LENGTH' or 'TICK = E TEXT')", path=path, line=line)
        if words[0] == "E":
            texts.append((tick, " ".join(words[1:]).strip('"')))
        if words[0] != "N":
            continue
        if len(words) not in (2, 3):
            raise ImportFormatError(f"bad note '{key} = {value}' (expected 'TICK = N TYPE "
                                    "LENGTH', e.g. '768 = N 1 0')", path=path, line=line)
        kind = parse_int(words[1], path, line, "note type")
        if len(words) == 3:
            parse_int(words[2], path, line, "note length")
        ev = groups[tick]
        if 0 <= kind <= 5:
            ev.lanes.add(kind)
        elif kind == DOUBLE_KICK:
            ev.double_kick = True
        elif kind in ACCENTS:
            ev.accents.add(ACCENTS[kind])
        elif kind in GHOSTS:
            ev.ghosts.add(GHOSTS[kind])
        elif kind in CYMBALS:
            ev.cymbals.add(CYMBALS[kind])
        else:
            ev.unknown.append(kind)
    return dict(groups), texts
