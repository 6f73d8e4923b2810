"""Read YARG's Elite Drums track (``PART ELITE_DRUMS``) of a ``notes.mid``.

Elite Drums names every piece of the kit, so the notes map to voices directly.
Each difficulty has a base note ``B`` (Easy 2, Medium 26, Hard 50, Expert 74)
and these gems, as YARG reads them:

=======  ================  =============
note     piece             voice
=======  ================  =============
B - 2    hi-hat pedal      HP (stomp or splash)
B - 1    Expert+ kick      BD (Expert, when double kicks are kept)
B        kick              BD
B + 1    snare             SD
B + 2    hi-hat            OH, or HH when closed
B + 3    left crash        CR
B + 4    tom 1             T1
B + 5    tom 2             T2
B + 6    tom 3             T3
B + 7    ride              RD
B + 8    right crash       CR
=======  ================  =============

A hi-hat is open unless a hi-hat pedal note or an "indifferent hat" marker
(``B + 14``) covers it (from its note-on up to, not including, its note-off):
then it is closed. A pedal note at velocity 1 only closes the hat (YARG's
invisible terminator) and is not played. Velocity 127 is an accent and 1 a
ghost note on every piece but the kicks. Flam markers (``B + 13``) and roll
lanes (108, 110-118) are reported and the notes played as charted; disco-flip
markers (``B + 16``) concern the 4-lane charts YARG derives and are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from game.engine.note_batch import NoteBatch
from game.engine.note_columns import NoteColumns
from game.engine.tempo import TempoMap
from game.engine.voices import Voice
from game.formats.clonehero_common import DrumKind, ParsedDrums, Spans
from game.formats.import_common import GivenNotes, ImportFormatError, make_sections, section_name
from game.formats.smf import SmfTrack

ELITE_TRACK = "PART ELITE_DRUMS"
#: Our difficulty -> the note of its kick.
ELITE_BASE: dict[str, int] = {"easy": 2, "normal": 26, "hard": 50, "expert": 74}
PEDAL, DOUBLE_KICK, KICK, SNARE, HIHAT = -2, -1, 0, 1, 2
#: Offset from the base note -> voice (the hi-hat is decided by its state).
ELITE_VOICES: dict[int, Voice] = {
    PEDAL: Voice.HIHAT_PEDAL, DOUBLE_KICK: Voice.KICK, KICK: Voice.KICK,
    SNARE: Voice.SNARE, 3: Voice.CRASH, 4: Voice.TOM_HIGH, 5: Voice.TOM_MID,
    6: Voice.TOM_FLOOR, 7: Voice.RIDE, 8: Voice.CRASH}
FLAM_OFFSET, INDIFFERENT_OFFSET = 13, 14
ROLL_LANE_NOTES = frozenset({108, *range(110, 119)})
ACCENT, GHOST = 127, 1


@dataclass
class _Difficulty:
    gems: list[tuple[int, int, int]] = field(default_factory=list)  # tick, offset, velocity
    closed: list[tuple[int, int]] = field(default_factory=list)  # hi-hat closing spans


def read_elite(track: SmfTrack, tpb: int, tempo: TempoMap, events: list[tuple[int, str]], *,
               double_kick: bool, title: str, path: str, warnings: list[str]) -> ParsedDrums:
    """The drum chart of a ``PART ELITE_DRUMS`` track.

    Parameters
    ----------
    track : SmfTrack
    tpb : int
        Ticks per quarter note.
    tempo : TempoMap
    events : list of (tick, text)
        The ``EVENTS`` track's text events (sections).
    double_kick : bool
        Keep Expert+ kicks on Expert.
    title : str
    path : str
        For error messages.
    warnings : list of str
        Appended to.

    Raises
    ------
    ImportFormatError
        The track has no gems.
    """
    diffs = {d: _Difficulty() for d in ELITE_BASE}
    opened: dict[tuple[str, int], list[int]] = {}  # (difficulty, offset) -> note-on ticks
    flams = rolls = 0
    end = track.end_tick + 1
    for tick, note, velocity, _channel in track.notes:
        if note in ROLL_LANE_NOTES:
            rolls += velocity > 0
            continue
        for diff, base in ELITE_BASE.items():
            offset = note - base
            if offset == FLAM_OFFSET:
                flams += velocity > 0
            elif offset in (PEDAL, INDIFFERENT_OFFSET):
                key = (diff, offset)
                if velocity > 0:
                    opened.setdefault(key, []).append(tick)
                    if offset == PEDAL and velocity != GHOST:
                        diffs[diff].gems.append((tick, offset, velocity))
                elif opened.get(key):
                    diffs[diff].closed.append((opened[key].pop(0), tick))
            elif (offset in ELITE_VOICES or offset == HIHAT) and velocity > 0:
                diffs[diff].gems.append((tick, offset, velocity))
    for (diff, _), starts in opened.items():  # a span never switched off runs to the end
        diffs[diff].closed.extend((start, end) for start in starts)
    charted: dict[str, GivenNotes] = {}
    single: GivenNotes | None = None
    for diff, d in diffs.items():
        notes = _notes(d, diff, tpb, tempo, double_kick)
        if notes:
            charted[diff] = notes
        if diff == "expert" and double_kick and any(o == DOUBLE_KICK for _, o, _ in d.gems):
            single = _notes(d, diff, tpb, tempo, False)
    if not charted:
        raise ImportFormatError(f"track {ELITE_TRACK!r} has no drum notes (expected notes "
                                "0-10, 24-34, 48-58 or 72-82)", path=path)
    warnings.append(f"read the Elite Drums track {ELITE_TRACK!r} (there is no 'PART DRUMS')")
    if flams:
        warnings.append(f"{flams} flam marker(s): each flam is played as one note")
    if rolls:
        warnings.append(f"{rolls} roll marker(s): rolls are played as the notes charted")
    sections = make_sections(
        ((tick / tpb, name) for tick, text in events if (name := section_name(text))), tempo)
    return ParsedDrums(tempo=tempo, sections=sections, charted=charted, kind=DrumKind.ELITE,
                       title=title, expert_single_kick=single)


def _notes(d: _Difficulty, diff: str, tpb: int, tempo: TempoMap,
           double_kick: bool) -> NoteColumns:
    closed = Spans(d.closed)
    notes = NoteBatch()
    for tick, offset, velocity in d.gems:
        if offset == DOUBLE_KICK and not (double_kick and diff == "expert"):
            continue
        if offset == HIHAT:
            voice = Voice.HIHAT_CLOSED if tick in closed else Voice.HIHAT_OPEN
        else:
            voice = ELITE_VOICES[offset]
        marks = offset not in (KICK, DOUBLE_KICK)
        notes.add(tick / tpb, voice, accent=marks and velocity == ACCENT,
                  ghost=marks and velocity == GHOST)
    return notes.columns(tempo)
