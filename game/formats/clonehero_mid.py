"""Read the drum part of a Rock Band / Clone Hero ``notes.mid``.

The file is read by the tolerant reader :mod:`game.formats.smf` (what it had
to overlook is one warning), so charts the games play but that break the MIDI
spec import too.

The drum track is named ``PART DRUMS`` (also read, in this order of preference:
``PART DRUMS_2X``, ``PART REAL_DRUMS_PS``, FoFiX's ``PART DRUM``; names are
compared ignoring case, blanks and ``_`` vs space). A file with none of them,
or whose drum track has no gems (animation only), but with YARG's
``PART ELITE_DRUMS`` is read from that track
(:mod:`game.formats.clonehero_elite`). A file of one unnamed track (type 0) is
read as drums only when ``song.ini`` says the song has drums and no other
part: the note ranges of guitar and drums are the same, so nothing else can
tell them apart.

Gems are notes, whatever their channel, in one range per difficulty::

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

Tempo and time signatures come from the first track (the conductor track), as
the games read them; a file whose first track has none takes them from any
track (with a warning). Sections come from text events ``[section NAME]`` /
``[prc_NAME]`` in the ``EVENTS`` track. Beat = tick / ticks per beat, exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from game.engine.chart import MARK_VELOCITY
from game.engine.note_batch import NoteBatch
from game.engine.note_columns import NoteColumns
from game.engine.tempo import TempoMap
from game.formats.clonehero_common import (
    KICK,
    DrumKind,
    ParsedDrums,
    Spans,
    disco_flips,
    drum_kind,
    flipped_lane,
    lane_voices,
)
from game.formats.clonehero_elite import ELITE_TRACK, read_elite
from game.formats.import_common import (
    GivenNotes,
    ImportFormatError,
    bpm_of_us,
    build_tempo_map,
    make_sections,
    section_name,
)
from game.formats.smf import SmfFile, SmfTrack, read_smf
from game.formats.songini import SongIni

#: Drum track names, most preferred first.
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
#: ``song.ini`` difficulty keys of parts other than drums (a single-track file
#: is drums only when none of them is charted).
OTHER_PART_KEYS: tuple[str, ...] = (
    "diff_guitar", "diff_bass", "diff_rhythm", "diff_keys", "diff_guitar_coop",
    "diff_guitarghl", "diff_bassghl", "diff_vocals", "diff_band")


@dataclass
class _Drums:
    name: str = ""
    gems: list[tuple[int, int, int]] = field(default_factory=list)  # tick, note, velocity
    toms: dict[int, Spans] = field(default_factory=dict)  # lane -> spans
    flams: int = 0
    rolls: int = 0
    dynamics: bool = False
    texts: list[tuple[int, str]] = field(default_factory=list)


def track_key(name: str) -> str:
    """A track name as compared: upper case, ``_`` as a blank, blanks collapsed."""
    return " ".join(name.upper().replace("_", " ").split())


def read_notes_mid(path: Path, *, ini: SongIni | None, offset_s: float, double_kick: bool,
                   warnings: list[str]) -> ParsedDrums:
    """Read the drum chart of a Clone Hero / Rock Band MIDI file.

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
        Not a MIDI file, no drum track, no drum notes.
    """
    p = str(path)
    smf = read_smf(path, ImportFormatError)
    warnings += smf.quirks_warning(path.name)
    tpb = smf.ticks_per_beat
    tracks: dict[str, SmfTrack] = {}
    for t in smf.tracks:
        tracks.setdefault(track_key(t.name), t)
    names = [t.name or "(unnamed)" for t in smf.tracks]
    tempo = _conductor(smf, offset_s, warnings)
    drum_name = next((n for n in DRUM_TRACKS if track_key(n) in tracks), None)
    if drum_name is None and track_key(ELITE_TRACK) in tracks:
        return read_elite(tracks[track_key(ELITE_TRACK)], tpb, tempo,
                          _section_events(smf, tracks), double_kick=double_kick,
                          title=_title(smf), path=p, warnings=warnings)
    if drum_name is not None:
        track = tracks[track_key(drum_name)]
    elif len(smf.tracks) == 1 and _drums_only(ini):
        track, drum_name = smf.tracks[0], smf.tracks[0].name or "(unnamed)"
        warnings.append(f"{path.name} has one track, {drum_name!r}, not 'PART DRUMS'; "
                        "song.ini lists only drums, so it is read as the drum track")
    else:
        one = " (a type 0 file: one track for every part)" if len(smf.tracks) == 1 else ""
        raise ImportFormatError(
            f"no drum track: expected a track named {DRUM_TRACKS[0]!r} "
            f"(tracks: {', '.join(names) or 'none'}){one}", path=p)
    drums = _read_drums(track, drum_name)
    has_toms = any(drums.toms.values())
    five_green = any(note % 12 == 5 for _, note, _ in drums.gems)
    kind = drum_kind(ini, pro_marks=has_toms, five_lane_notes=five_green, warnings=warnings)
    flips = disco_flips(drums.texts) if kind is DrumKind.PRO else {}
    charted: dict[str, GivenNotes] = {diff: _notes(drums, diff, tpb, tempo, kind, double_kick,
                            Spans(flips.get(diff, ())))
               for diff in BASE_NOTE}
    charted = {d: n for d, n in charted.items() if len(n)}
    if not charted and track_key(ELITE_TRACK) in tracks:  # drums for animation only
        warnings.append(f"track {drum_name!r} has no drum notes")
        return read_elite(tracks[track_key(ELITE_TRACK)], tpb, tempo,
                          _section_events(smf, tracks), double_kick=double_kick,
                          title=_title(smf), path=p, warnings=warnings)
    if not charted:
        raise ImportFormatError(
            f"track {drum_name!r} has no drum notes (expected notes 60-65, 72-77, 84-89 "
            "or 95-101)", path=p)
    for other in (*DRUM_TRACKS, ELITE_TRACK):
        if track_key(other) in tracks and other != drum_name:
            warnings.append(f"used track {drum_name!r}; ignored {other!r}")
    if drums.flams:
        warnings.append(f"{drums.flams} flam marker(s): each flam is played as one note")
    if drums.rolls:
        warnings.append(f"{drums.rolls} roll marker(s): rolls are played as the notes charted")
    events = _section_events(smf, tracks)
    sections = make_sections(
        ((tick / tpb, name) for tick, text in events if (name := section_name(text))), tempo)
    single = None
    if double_kick and any(n == DOUBLE_KICK_NOTE for _, n, _ in drums.gems):
        single = _notes(drums, "expert", tpb, tempo, kind, False,
                        Spans(flips.get("expert", ())))
    return ParsedDrums(tempo=tempo, sections=sections, charted=charted, kind=kind,
                       title=_title(smf),
                       expert_single_kick=single if single != charted.get("expert") else None)


def _title(smf: SmfFile) -> str:
    """The name of the first track (the song title in Rock Band files), or empty."""
    return smf.tracks[0].name if smf.tracks else ""


def _drums_only(ini: SongIni | None) -> bool:
    """Whether ``song.ini`` says the song has a drum chart and no other part."""
    if ini is None or ini.diff_drums is None:
        return False
    values = dict(ini.values)
    for key in OTHER_PART_KEYS:
        try:
            if float(values.get(key, "-1")) >= 0:
                return False
        except ValueError:
            continue
    return True


def _section_events(smf: SmfFile, tracks: dict[str, SmfTrack]) -> list[tuple[int, str]]:
    """Text events of any kind of the ``EVENTS`` track (of the only track, in a one-track
    file)."""
    events = tracks.get("EVENTS")
    if events is None and len(smf.tracks) == 1:
        events = smf.tracks[0]
    return [(tick, text) for tick, _, text in events.texts] if events is not None else []


def _conductor(smf: SmfFile, offset_s: float, warnings: list[str]) -> TempoMap:
    """The tempo map: tempos and meters of the first track (of any track when it has none)."""
    tpb = smf.ticks_per_beat
    first = smf.tracks[0]
    tempos = list(first.tempos)
    meters = list(first.meters)
    if not tempos:
        tempos = sorted((t for track in smf.tracks[1:] for t in track.tempos),
                        key=lambda t: t[0])
        if tempos:
            warnings.append("no tempo in the first (conductor) track; used the tempo "
                            "changes found in other tracks")
    if not meters:
        meters = sorted((m for track in smf.tracks[1:] for m in track.meters),
                        key=lambda m: m[0])
    good_meters = []
    for tick, num, den in meters:
        if num <= 0 or den not in (1, 2, 4, 8, 16, 32):
            warnings.append(f"ignored time signature {num}/{den} at tick {tick}")
            continue
        good_meters.append((tick / tpb, num, den))
    if not tempos or tempos[0][0] != 0:
        tempos.insert(0, (0, 500_000))  # MIDI default: 120 BPM until the first set_tempo
    return build_tempo_map([(tick / tpb, bpm_of_us(us)) for tick, us in tempos],
                           good_meters, warnings, offset_s=offset_s)


def _read_drums(track: SmfTrack, name: str) -> _Drums:
    drums = _Drums(name=name)
    for tick, _kind, text in track.texts:  # text events of every kind
        if text.strip().strip("[]").strip().upper() == DYNAMICS_EVENT:
            drums.dynamics = True
        drums.texts.append((tick, text))
    open_marks: dict[int, list[int]] = {}
    toms: dict[int, list[tuple[int, int]]] = {}
    tick = 0
    gems = drums.gems
    for tick, note, velocity, _channel in track.notes:
        on = velocity > 0
        if note in TOM_MARKERS:
            if on:
                open_marks.setdefault(note, []).append(tick)
            elif open_marks.get(note):
                start = open_marks[note].pop(0)
                toms.setdefault(TOM_MARKERS[note], []).append((start, tick))
        elif not on:
            continue
        elif note == FLAM_NOTE:
            drums.flams += 1
        elif note in ROLL_NOTES:
            drums.rolls += 1
        elif note == DOUBLE_KICK_NOTE or (60 <= note <= 101 and note % 12 <= 5):
            gems.append((tick, note, velocity))
    end = max(track.end_tick, tick) + 1
    for note, starts in open_marks.items():  # a marker never switched off runs to the end
        for start in starts:
            toms.setdefault(TOM_MARKERS[note], []).append((start, end))
    drums.toms = {lane: Spans(spans) for lane, spans in toms.items()}
    return drums


def _notes(drums: _Drums, diff: str, tpb: int, tempo: TempoMap, kind: DrumKind,
           double_kick: bool, flips: Spans) -> NoteColumns:
    base = BASE_NOTE[diff]
    plus_kick = diff == "expert" and double_kick
    voice_of = lane_voices(kind)
    toms = drums.toms if kind is DrumKind.PRO else {}  # only pro drums have cymbals to mark
    dynamics = drums.dynamics
    notes = NoteBatch()
    rows = notes.rows
    for tick, number, velocity in drums.gems:
        lane = number - base
        if not 0 <= lane <= 5:
            if not (plus_kick and number == DOUBLE_KICK_NOTE):
                continue
            lane = KICK
        if flips:
            lane = flipped_lane(lane, tick, flips)
        spans = toms.get(lane)
        voice = voice_of[lane][spans is None or tick not in spans]
        marked = dynamics and lane != KICK
        accent = marked and velocity == ACCENT_VELOCITY_MID
        ghost = marked and velocity == GHOST_VELOCITY_MID
        rows.append((tick / tpb, voice, MARK_VELOCITY[accent, ghost], accent, ghost))
    return notes.columns(tempo)
