"""Read the drum part of a Rock Band / Clone Hero ``notes.mid``.

The drum track is named ``PART DRUMS`` (also read, in this order of preference:
``PART DRUMS_2X``, ``PART REAL_DRUMS_PS``, FoFiX's ``PART DRUM``). Gems are
notes, whatever their channel, in one range per difficulty::

    Easy 60-65   Medium 72-77   Hard 84-89   Expert 96-101   (+0 kick, +1 red,
    +2 yellow, +3 blue, +4 green / 5-lane orange, +5 5-lane green)

and 95 is the Expert+ double-kick note. Tom markers 110/111/112 (yellow, blue,
green) turn the pad notes they cover (from marker note-on up to, not including,
its note-off) into toms on pro drums; without them pads are cymbals. Accents
(velocity 127) and ghosts (velocity 1) count only when the chart enables them
with the text event ``[ENABLE_CHART_DYNAMICS]``, as in Clone Hero.

On pro drums, Rock Band's disco flip (mix events ``[mix N drumsMd]`` in the
drum track) is undone: red and yellow swap back inside its spans, so the
hi-hat the part was flipped for is a hi-hat again.

Flam (109) and roll (126, 127) markers are reported and otherwise ignored: a
flam plays as one note, a roll as the notes charted under it. Star power,
solo, fill, versus and animation notes are ignored silently.

Tempo and time signatures come from every track (the conductor track, in a
well-formed file), through :func:`game.formats.midi_import._tempo_map`;
sections from text events ``[section NAME]`` / ``[prc_NAME]`` in the ``EVENTS``
track. Beat = tick / ticks per beat, exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import mido

from game.engine.chart import Note, make_note, sort_notes
from game.engine.tempo import TempoMap
from game.formats.clonehero_common import (
    KICK,
    DrumKind,
    ParsedDrums,
    disco_flips,
    drum_kind,
    flipped_lane,
    lane_voice,
)
from game.formats.import_common import ImportFormatError, make_sections, section_name
from game.formats.midi_import import _tempo_map, read_midi_file
from game.formats.songini import SongIni

#: Drum track names, most preferred first (compared case-insensitively).
DRUM_TRACKS: tuple[str, ...] = ("PART DRUMS", "PART DRUMS_2X", "PART REAL_DRUMS_PS",
                                "PART DRUM")
#: Our difficulty -> MIDI note of its kick gem; the other lanes follow.
BASE_NOTE: dict[str, int] = {"easy": 60, "normal": 72, "hard": 84, "expert": 96}
DOUBLE_KICK_NOTE = 95
#: Tom marker note -> the lane it marks.
TOM_MARKERS: dict[int, int] = {110: 2, 111: 3, 112: 4}
FLAM_NOTE = 109
ROLL_NOTES = (126, 127)
ACCENT_VELOCITY_MID = 127
GHOST_VELOCITY_MID = 1
DYNAMICS_EVENT = "ENABLE_CHART_DYNAMICS"


@dataclass
class _Drums:
    name: str = ""
    gems: list[tuple[int, int, int]] = field(default_factory=list)  # tick, note, velocity
    toms: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # lane -> spans
    flams: int = 0
    rolls: int = 0
    dynamics: bool = False
    texts: list[tuple[int, str]] = field(default_factory=list)


def read_notes_mid(path: Path, *, ini: SongIni | None, offset_s: float, double_kick: bool,
                   warnings: list[str]) -> ParsedDrums:
    """Read the drum chart of ``notes.mid``.

    Parameters
    ----------
    path : Path
    ini : SongIni or None
        Forces pro or 5-lane drums when it says so.
    offset_s : float
        Song-clock time of tick 0, seconds (``song.ini`` ``delay``).
    double_kick : bool
        Keep Expert+ kicks (note 95) in the Expert chart.
    warnings : list of str
        Appended to.

    Raises
    ------
    ImportFormatError
        Unreadable or broken MIDI, no drum track, no drum notes.
    """
    p = str(path)
    mid = read_midi_file(path, ImportFormatError)
    tpb = mid.ticks_per_beat
    tempos: list[tuple[int, int]] = []
    meters: list[tuple[int, int, int]] = []
    events: list[tuple[int, str]] = []
    tracks: dict[str, mido.MidiTrack] = {}
    names: list[str] = []
    for track in mid.tracks:
        name = track.name.strip()
        names.append(name or "(unnamed)")
        tracks.setdefault(name.upper(), track)
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == "set_tempo":
                tempos.append((tick, msg.tempo))
            elif msg.type == "time_signature":
                meters.append((tick, msg.numerator, msg.denominator))
            elif msg.type in ("text", "marker") and name.upper() == "EVENTS":
                events.append((tick, msg.text))
    drum_name = next((n for n in DRUM_TRACKS if n in tracks), None)
    if drum_name is None:
        raise ImportFormatError(
            f"no drum track: expected a track named {DRUM_TRACKS[0]!r} "
            f"(tracks: {', '.join(names) or 'none'})", path=p)
    drums = _read_drums(tracks[drum_name], drum_name)
    for other in DRUM_TRACKS:
        if other in tracks and other != drum_name:
            warnings.append(f"used track {drum_name!r}; ignored {other!r}")
    tempo = _tempo_map(tempos, meters, tpb, warnings)
    tempo = TempoMap(tempo.tempos, tempo.meters, offset_s=offset_s)

    has_toms = any(drums.toms.values())
    five_green = any(note % 12 == 5 for _, note, _ in drums.gems)
    kind = drum_kind(ini, pro_marks=has_toms, five_lane_notes=five_green, warnings=warnings)
    charted = {diff: _notes(drums, diff, tpb, tempo, kind, double_kick)
               for diff in BASE_NOTE}
    charted = {d: n for d, n in charted.items() if n}
    if not charted:
        raise ImportFormatError(
            f"track {drum_name!r} has no drum notes (expected notes 60-65, 72-77, 84-89 "
            "or 95-101)", path=p)
    if drums.flams:
        warnings.append(f"{drums.flams} flam marker(s): each flam is played as one note")
    if drums.rolls:
        warnings.append(f"{drums.rolls} roll marker(s): rolls are played as the notes charted")
    sections = make_sections(
        ((tick / tpb, name) for tick, text in events if (name := section_name(text))), tempo)
    single = _notes(drums, "expert", tpb, tempo, kind, False) if double_kick else None
    return ParsedDrums(tempo=tempo, sections=sections, charted=charted, kind=kind,
                       title=mid_title(mid),
                       expert_single_kick=single if single != charted.get("expert") else None)


def mid_title(mid: mido.MidiFile) -> str:
    """The name of the first track (the song title in Rock Band files), or empty."""
    return mid.tracks[0].name.strip() if mid.tracks else ""


def _read_drums(track: mido.MidiTrack, name: str) -> _Drums:
    drums = _Drums(name=name)
    open_marks: dict[int, list[int]] = {}
    tick = 0
    for msg in track:
        tick += msg.time
        if msg.type in ("text", "marker", "lyrics"):
            if msg.text.strip().strip("[]").strip().upper() == DYNAMICS_EVENT:
                drums.dynamics = True
            drums.texts.append((tick, msg.text))
            continue
        if msg.type not in ("note_on", "note_off"):
            continue
        on = msg.type == "note_on" and msg.velocity > 0
        if msg.note in TOM_MARKERS:
            if on:
                open_marks.setdefault(msg.note, []).append(tick)
            elif open_marks.get(msg.note):
                start = open_marks[msg.note].pop(0)
                drums.toms.setdefault(TOM_MARKERS[msg.note], []).append((start, tick))
        elif on and msg.note == FLAM_NOTE:
            drums.flams += 1
        elif on and msg.note in ROLL_NOTES:
            drums.rolls += 1
        elif on and (msg.note == DOUBLE_KICK_NOTE
                    or (60 <= msg.note <= 101 and msg.note % 12 <= 5)):
            drums.gems.append((tick, msg.note, msg.velocity))
    for note, starts in open_marks.items():  # a marker never switched off runs to the end
        for start in starts:
            drums.toms.setdefault(TOM_MARKERS[note], []).append((start, tick + 1))
    return drums


def _notes(drums: _Drums, diff: str, tpb: int, tempo: TempoMap, kind: DrumKind,
           double_kick: bool) -> tuple[Note, ...]:
    base = BASE_NOTE[diff]
    flips = disco_flips(drums.texts).get(diff, []) if kind is DrumKind.PRO else []
    notes: list[Note] = []
    for tick, number, velocity in drums.gems:
        if diff == "expert" and number == DOUBLE_KICK_NOTE:
            if not double_kick:
                continue
            lane = KICK
        elif base <= number <= base + 5:
            lane = number - base
        else:
            continue
        lane = flipped_lane(lane, tick, flips)
        covered = any(a <= tick < b for a, b in drums.toms.get(lane, ()))
        voice = lane_voice(lane, kind=kind, cymbal=not covered)
        dynamics = drums.dynamics and lane != KICK
        notes.append(make_note(tempo, tick / tpb, voice,
                               accent=dynamics and velocity == ACCENT_VELOCITY_MID,
                               ghost=dynamics and velocity == GHOST_VELOCITY_MID))
    return sort_notes(notes)
