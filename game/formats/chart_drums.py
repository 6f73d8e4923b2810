"""The drum notes of a ``.chart`` section: ``TICK = N TYPE LENGTH`` lines to notes.

A song has thousands of these lines per difficulty, so each tick's marks are
kept as small bit masks (bit ``k`` set: lane ``k`` has it) rather than sets,
and notes go into the :class:`~game.engine.note_batch.NoteBatch` rows through
tables made once per drum kind. Stages:

1. :func:`parse_drums`: the lines of one section by tick: which lanes sound,
   which carry accent, ghost and cymbal marks, whether an Expert+ kick (type
   32) is there; local text events (for disco flips); unknown types counted.
2. :func:`charted_notes`: per difficulty, disco flips undone (pro drums), each
   lane's voice looked up (``lane_voice``), its velocity from its marks; the
   notes kept as columns (:class:`~game.engine.note_columns.NoteColumns`),
   and Expert once more without its Expert+ kicks, when it has some.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from game.engine.chart import MARK_VELOCITY
from game.engine.note_batch import NoteBatch
from game.engine.tempo import TempoMap
from game.formats.chart_text import ChartSection, SkippedLines
from game.formats.clonehero_common import (
    KICK,
    RED,
    YELLOW,
    DrumKind,
    Spans,
    disco_flips,
    lane_voices,
)
from game.formats.import_common import GivenNotes

DOUBLE_KICK = 32
#: Mark types -> the lane they mark.
ACCENTS = {34: 1, 35: 2, 36: 3, 37: 4, 38: 5}
GHOSTS = {40: 1, 41: 2, 42: 3, 43: 4, 44: 5}
CYMBALS = {66: 2, 67: 3, 68: 4}
_NOTE_EXPECTED = "'TICK = N TYPE LENGTH', 'TICK = S TYPE LENGTH' or 'TICK = E TEXT'"

#: The lanes of each 6-bit mask, lowest first.
_LANES_OF: tuple[tuple[int, ...], ...] = tuple(
    tuple(lane for lane in range(6) if mask >> lane & 1) for mask in range(64))
_RED_BIT, _YELLOW_BIT = 1 << RED, 1 << YELLOW
#: Slots of a tick's marks (a list of five ints).
LANES, ACCENT, GHOST, CYMBAL, PLUS_KICK = range(5)


@dataclass
class SectionNotes:
    """One drum section, read (stage 1).

    Attributes
    ----------
    ticks : dict
        Tick -> ``[lanes, accents, ghosts, cymbals, expert+ kick]``: four lane bit
        masks and a 0/1, in the order the ticks first appear.
    texts : list of (tick, text)
        The section's local text events.
    unknown : Counter
        Note types that are not listed, by type.
    """

    ticks: dict[int, list[int]] = field(default_factory=dict)
    texts: list[tuple[int, str]] = field(default_factory=list)
    unknown: Counter[int] = field(default_factory=Counter)

    def any_mask(self, slot: int) -> int:
        """The union of one mask (:data:`LANES`, :data:`CYMBAL`...) over all ticks."""
        out = 0
        for marks in self.ticks.values():
            out |= marks[slot]
        return out


def parse_drums(section: ChartSection, warnings: list[str]) -> SectionNotes:
    """Stage 1: the notes, marks and text events of one drum section, by tick.

    Lines that are not ``N``, ``S`` or ``E`` lines with a tick of 0 or more, and
    ``N`` lines without a whole-number type (and length), are skipped and
    counted in one warning.
    """
    out = SectionNotes()
    ticks = out.ticks
    skipped = SkippedLines(section.name, _NOTE_EXPECTED)
    for line, key, value in section.entries:
        code = value[:1]
        try:
            tick = int(key)
        except ValueError:
            tick = -1
        if tick < 0 or code not in ("N", "S", "E"):
            skipped.add(line, f"{key} = {value}")
            continue
        if code != "N":
            if code == "E":
                out.texts.append((tick, value[1:].strip().strip('"')))
            continue
        words = value.split()
        try:
            kind = int(words[1])
            if len(words) == 3:
                int(words[2])
            elif len(words) != 2:
                raise ValueError(value)
        except (ValueError, IndexError):
            skipped.add(line, f"{key} = {value}")
            continue
        marks = ticks.get(tick)
        if marks is None:
            marks = ticks[tick] = [0, 0, 0, 0, 0]
        if 0 <= kind <= 5:
            marks[LANES] |= 1 << kind
        elif kind == DOUBLE_KICK:
            marks[PLUS_KICK] = 1
        elif kind in ACCENTS:
            marks[ACCENT] |= 1 << ACCENTS[kind]
        elif kind in GHOSTS:
            marks[GHOST] |= 1 << GHOSTS[kind]
        elif kind in CYMBALS:
            marks[CYMBAL] |= 1 << CYMBALS[kind]
        else:
            out.unknown[kind] += 1
    skipped.report(warnings)
    return out


def charted_notes(parsed: dict[str, SectionNotes], kind: DrumKind, res: int,
                  tempo: TempoMap, double_kick: bool, warnings: list[str],
                  ) -> tuple[dict[str, GivenNotes], GivenNotes | None]:
    """Stage 2: notes per difficulty, and Expert without its Expert+ kicks (when it
    has some).

    Parameters
    ----------
    parsed : dict
        Our difficulty -> its section, read.
    kind : DrumKind
    res : int
        Ticks per quarter note.
    tempo : TempoMap
    double_kick : bool
        Keep Expert+ kicks in the Expert chart.

    On pro drums, a disco flip named by a section's own mix events
    (``E mix_3_drums0d``) is undone.
    """
    charted: dict[str, GivenNotes] = {}
    single: GivenNotes | None = None
    unknown: Counter[int] = Counter()
    voice_of = lane_voices(kind)
    for diff, section in parsed.items():
        unknown.update(section.unknown)
        notes, single_notes = NoteBatch(), NoteBatch()
        rows, single_rows = notes.rows, single_notes.rows
        spans = Spans(disco_flips(section.texts).get(diff, ()) if kind is DrumKind.PRO
                      else ())
        plus_kick = diff == "expert" and double_kick
        # in tick order: of two ticks at one time (a huge resolution), the earlier wins
        for tick, marks in sorted(section.ticks.items()):
            base, accents, ghosts, cymbals, plus = marks
            if spans and tick in spans:
                base, accents, ghosts = _swap_red_yellow(base), _swap_red_yellow(accents), \
                    _swap_red_yellow(ghosts)
                if base & _YELLOW_BIT:  # the red note that became yellow is the hi-hat
                    cymbals |= _YELLOW_BIT
            lanes = base | 1 << KICK if plus and plus_kick else base
            beat = tick / res
            for lane in _LANES_OF[lanes]:
                accent = bool(accents >> lane & 1)
                ghost = bool(ghosts >> lane & 1) and not accent
                row = (beat, voice_of[lane][cymbals >> lane & 1], MARK_VELOCITY[accent, ghost],
                       accent, ghost)
                rows.append(row)
                if base >> lane & 1:
                    single_rows.append(row)
        if rows:
            charted[diff] = notes.columns(tempo)
        if diff == "expert" and len(single_rows) != len(rows):
            single = single_notes.columns(tempo)
    if unknown:
        listed = ", ".join(f"{t} ({n}x)" for t, n in sorted(unknown.items()))
        warnings.append(f"ignored drum note types {listed}")
    return charted, single


def _swap_red_yellow(mask: int) -> int:
    """``mask`` with its red and yellow bits traded."""
    return (mask & ~(_RED_BIT | _YELLOW_BIT)) | (mask & _RED_BIT) << 1 | (mask & _YELLOW_BIT) >> 1

