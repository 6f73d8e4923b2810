"""The chart model: song metadata, tempo map, sections, two parts x difficulties.

A chart is plain, immutable data. Formats (the native beatmap text, MIDI files,
importers) build charts; the judge, the scorer and the UI only read them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from game.engine.tempo import TempoMap
from game.engine.voices import LaneLayout, Voice

if TYPE_CHECKING:
    from game.engine.note_columns import NoteColumns

PARTS: tuple[str, str] = ("p1", "p2")
DIFFICULTIES: tuple[str, ...] = ("easy", "normal", "hard", "expert")

#: What :meth:`Chart.content_hash` hashes of each note (``_value_``: the voice code,
#: without the slow ``Enum.value`` property).
_HASHED_FIELDS = attrgetter("time_s", "voice._value_", "velocity", "accent", "ghost")

#: Velocity written for a plain, an accented and a ghost note when a chart
#: gives none (MIDI 1-127).
DEFAULT_VELOCITY = 96
ACCENT_VELOCITY = 127
GHOST_VELOCITY = 40
#: The velocity of a note by its marks when a chart gives none:
#: ``MARK_VELOCITY[accent, ghost]`` (an accent wins over a ghost mark).
MARK_VELOCITY: dict[tuple[bool, bool], int] = {
    (False, False): DEFAULT_VELOCITY, (False, True): GHOST_VELOCITY,
    (True, False): ACCENT_VELOCITY, (True, True): ACCENT_VELOCITY}
#: Notes of one voice closer than this (seconds) are one note (:func:`sort_notes`).
SAME_TIME_S = 1e-9


@dataclass(frozen=True, slots=True, order=True)
class Note:
    """One note of one part.

    Attributes
    ----------
    time_s : float
        Song-clock time in seconds.
    beat : float
        Position in quarter notes from bar 1 (kept so charts can be rewritten
        as grids and exported to MIDI exactly).
    voice : Voice
        What is struck.
    velocity : int
        1-127.
    accent, ghost : bool
        Dynamics marks; accents earn a bonus when hit hard.
    """

    time_s: float
    beat: float
    voice: Voice = field(compare=False)
    velocity: int = field(default=DEFAULT_VELOCITY, compare=False)
    accent: bool = field(default=False, compare=False)
    ghost: bool = field(default=False, compare=False)

    def lane(self, layout: LaneLayout) -> int:
        """The lane this note falls in under ``layout``."""
        return layout.lane_of(self.voice)


@dataclass(frozen=True, slots=True)
class Section:
    """A named stretch of the song (Intro, Verse, Chorus...) starting at ``beat``."""

    name: str
    beat: float
    time_s: float


@dataclass(frozen=True, slots=True)
class SongMeta:
    """What song select shows about a song."""

    id: str
    title: str
    artist: str = ""
    charter: str = ""
    audio: str | None = None
    preview_s: float = 0.0
    extra: tuple[tuple[str, str], ...] = ()


#: ``(part, difficulty)``, e.g. ``("p1", "expert")``.
PartKey = tuple[str, str]


class PartTable(Mapping[PartKey, tuple["Note", ...]]):
    """``(part, difficulty) -> tuple[Note, ...]``, each part's notes made when first read.

    A reader may give a part as a tuple of notes or as
    :class:`~game.engine.note_columns.NoteColumns`; reading the table
    (``table[key]``, ``items()``, ``values()``) always gives the tuple, made
    once per columns object (parts given the same object share one tuple). A
    song list reads only :meth:`given_part`, :meth:`count` and :meth:`last_time_s`,
    which make no ``Note``. Nothing is added or removed after it is built.
    """

    __slots__ = ("_given",)

    def __init__(self, parts: Mapping[PartKey, Sequence[Note] | NoteColumns]) -> None:
        self._given: dict[PartKey, tuple[Note, ...] | NoteColumns] = (
            parts.given() if isinstance(parts, PartTable)
            else {key: _given_notes(key, notes) for key, notes in parts.items()})

    def __getitem__(self, key: PartKey) -> tuple[Note, ...]:
        return as_notes(self._given[key])

    def __contains__(self, key: object) -> bool:
        return key in self._given

    def __iter__(self) -> Iterator[PartKey]:
        return iter(self._given)

    def __len__(self) -> int:
        return len(self._given)

    def __repr__(self) -> str:
        return f"PartTable({self._given!r})"

    def given(self) -> dict[PartKey, tuple[Note, ...] | NoteColumns]:
        """Each part as the reader gave it (a new dict; no note is made)."""
        return dict(self._given)

    def given_part(self, key: PartKey) -> tuple[Note, ...] | NoteColumns:
        """The notes of ``key`` as the reader gave them (no note is made)."""
        return self._given[key]

    def count(self, key: PartKey) -> int:
        """How many notes ``key`` has."""
        return len(self._given[key])

    def hashed_rows(self, key: PartKey) -> list[tuple[Any, ...]]:
        """What :meth:`Chart.content_hash` hashes of each note of ``key``: ``(time_s,
        voice code, velocity, accent, ghost)`` (from columns, no note is made)."""
        notes = self._given[key]
        return list(map(_HASHED_FIELDS, notes)) if isinstance(notes, tuple) \
            else notes.hashed_rows()

    def last_time_s(self, key: PartKey) -> float | None:
        """Time of the last note of ``key`` in seconds, or None if it has none."""
        notes = self._given[key]
        if not len(notes):
            return None
        return notes[-1].time_s if isinstance(notes, tuple) else notes.last_time_s()


def as_notes(notes: tuple[Note, ...] | NoteColumns) -> tuple[Note, ...]:
    """A part's notes as a tuple of ``Note`` (made from its columns if need be)."""
    return notes if isinstance(notes, tuple) else notes.notes()


def _given_notes(key: PartKey, notes: Sequence[Note] | NoteColumns,
                 ) -> tuple[Note, ...] | NoteColumns:
    """A part as a table keeps it: columns as they are, notes as a tuple.

    Raises
    ------
    TypeError
        For anything that is neither (columns are known by their ``notes`` and
        ``hashed_rows``: this module cannot import their class).
    """
    if isinstance(notes, tuple):
        return notes
    if isinstance(notes, Sequence):
        return tuple(notes)
    if hasattr(notes, "notes") and hasattr(notes, "hashed_rows"):
        return notes
    raise TypeError(f"part {key}: expected a sequence of Note or NoteColumns, "
                    f"got {type(notes).__name__}")


@dataclass(frozen=True, slots=True)
class Chart:
    """A whole duet chart.

    Attributes
    ----------
    meta : SongMeta
    tempo : TempoMap
    sections : tuple of Section
        In time order.
    parts : PartTable
        ``(part, difficulty) -> tuple[Note, ...]`` sorted by time; part is
        ``"p1"`` or ``"p2"``, difficulty one of :data:`DIFFICULTIES`. Any
        mapping given (a ``dict``, with tuples or
        :class:`~game.engine.note_columns.NoteColumns`) becomes a :class:`PartTable`.
    """

    meta: SongMeta
    tempo: TempoMap
    sections: tuple[Section, ...]
    parts: PartTable

    def __post_init__(self) -> None:
        if not isinstance(self.parts, PartTable):
            object.__setattr__(self, "parts", PartTable(self.parts))

    def notes(self, part: str, difficulty: str) -> tuple[Note, ...]:
        """The notes of one part at one difficulty.

        Raises
        ------
        KeyError
            With the difficulties that exist, if this one does not.
        """
        try:
            return self.parts[(part, difficulty)]
        except KeyError:
            have = ", ".join(self.difficulties(part)) or "none"
            raise KeyError(
                f"{self.meta.id}: part {part} has no {difficulty!r} chart (has: {have})"
            ) from None

    def difficulties(self, part: str) -> list[str]:
        """Difficulties charted for ``part``, easiest first."""
        return [d for d in DIFFICULTIES if (part, d) in self.parts]

    @property
    def length_s(self) -> float:
        """Song time of the last note of any part, in seconds (0 if empty)."""
        last = [self.parts.last_time_s(key) for key in self.parts]
        return max((t for t in last if t is not None), default=0.0)

    def section_at(self, time_s: float) -> Section | None:
        """The section playing at ``time_s``, or None before the first."""
        current = None
        for s in self.sections:
            if s.time_s <= time_s:
                current = s
            else:
                break
        return current

    def content_hash(self) -> str:
        """SHA-256 of everything that affects judging (tempo, notes), hex.

        Formatting and metadata do not change it, so a replay still matches a
        beatmap that was only reformatted or retitled.
        """
        payload = {
            "tempo": [[t.beat, t.bpm] for t in self.tempo.tempos],
            "meters": [[m.bar, m.numerator, m.denominator] for m in self.tempo.meters],
            "offset_s": self.tempo.offset_s,
            # tuples encode as the same JSON arrays as lists, and are made faster
            "parts": {f"{p}/{d}": self.parts.hashed_rows((p, d)) for p, d in sorted(self.parts)},
        }
        blob = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()


def make_note(tempo: TempoMap, beat: float, voice: Voice, *, velocity: int | None = None,
              accent: bool = False, ghost: bool = False) -> Note:
    """Build a note at ``beat``, its time taken from ``tempo``."""
    if velocity is None:
        velocity = MARK_VELOCITY[accent, ghost]
    return Note(tempo.seconds_at(beat), beat, voice, velocity, accent, ghost)


#: Note's fields in order, and the slot descriptor that stores each.
NOTE_FIELDS = ("time_s", "beat", "voice", "velocity", "accent", "ghost")
_NOTE_SLOTS: tuple[Any, ...] = tuple(vars(Note)[name] for name in NOTE_FIELDS)


def notes_from_columns(time_s: Sequence[float], beat: Sequence[float], voice: Sequence[Voice],
                       velocity: Sequence[int], accent: Sequence[bool],
                       ghost: Sequence[bool]) -> tuple[Note, ...]:
    """Many notes at once, from one sequence per field (all of one length).

    The same notes as ``Note(...)`` one by one, about twice as fast: each slot
    is filled for all the notes by its descriptor, from C, instead of a Python
    ``__init__`` call per note (``Note`` has nothing else to do on creation;
    the tests check the notes are equal field for field).

    Raises
    ------
    ValueError
        If the sequences differ in length.
    """
    columns = (time_s, beat, voice, velocity, accent, ghost)
    count = len(time_s)
    if any(len(column) != count for column in columns):
        raise ValueError(f"note columns of different lengths: {[len(c) for c in columns]}")
    notes = list(map(object.__new__, itertools.repeat(Note, count)))
    for slot, column in zip(_NOTE_SLOTS, columns, strict=True):
        deque(map(slot.__set__, notes, column), maxlen=0)
    return tuple(notes)


def sort_notes(notes: list[Note]) -> tuple[Note, ...]:
    """Sort by time, then voice code; drop exact duplicates (same time and voice)."""
    # ``_value_``: the voice code without the slow ``Enum.value`` property
    notes = sorted(notes, key=lambda n: (n.time_s, n.voice._value_))
    out: list[Note] = []
    for n in notes:
        if out and out[-1].voice is n.voice and abs(out[-1].time_s - n.time_s) < SAME_TIME_S:
            continue
        out.append(n)
    return tuple(out)
