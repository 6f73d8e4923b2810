"""A part's notes kept as columns, made into ``Note`` objects only when played.

Reading a song builds every part at every difficulty, but a library scan only
needs each part's note count, last time and difficulty rating, and a play
needs one difficulty of each part. Readers that time their notes with numpy
(:class:`~game.engine.note_batch.NoteBatch`, the native beatmap parser) keep
them as a :class:`NoteColumns`; :class:`~game.engine.chart.PartTable` makes
the ``Note`` objects the first time a part is asked for (building them was
about a tenth of a first library scan).

The columns hold exactly the fields the notes get: ``NoteColumns(...).notes()``
equals the tuple the reader built before, note for note (the tests compare).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from game.engine.chart import SAME_TIME_S, Note, notes_from_columns
from game.engine.voices import Voice
from game.util.gc_pause import gc_paused

if TYPE_CHECKING:
    from game.engine.tempo import TempoMap

#: Voices in the order notes at one time are sorted in (by code, as ``sort_notes``);
#: a voice's *rank* is its index here.
VOICE_BY_RANK: tuple[Voice, ...] = tuple(sorted(Voice, key=lambda v: v.value))
VOICE_RANK: dict[Voice, int] = {v: i for i, v in enumerate(VOICE_BY_RANK)}
_VOICES = np.array(VOICE_BY_RANK, dtype=object)
_CODES = np.array([v.value for v in VOICE_BY_RANK], dtype=object)
#: The columns, in ``Note``'s field order (``rank`` stands for ``voice``).
COLUMN_NAMES = ("time_s", "beat", "rank", "velocity", "accent", "ghost")


class NoteColumns:
    """Notes sorted by time, then voice rank, as one array per field.

    Attributes
    ----------
    time_s : ndarray of float64, shape (n,)
        Song-clock times in seconds, ascending.
    beat : ndarray of float64, shape (n,)
        Quarter notes from bar 1.
    rank : ndarray of int64, shape (n,)
        Index of each note's voice in :data:`VOICE_BY_RANK`.
    velocity : ndarray of int64, shape (n,)
        1-127.
    accent, ghost : ndarray of bool, shape (n,)

    The arrays are read-only; the ``Note`` tuple is made once, by :meth:`notes`.
    """

    __slots__ = ("_notes", "accent", "beat", "ghost", "rank", "time_s", "velocity")

    def __init__(self, time_s: NDArray[np.float64], beat: NDArray[np.float64],
                 rank: NDArray[np.int64], velocity: NDArray[np.int64],
                 accent: NDArray[np.bool_], ghost: NDArray[np.bool_]) -> None:
        count = len(time_s)
        columns = (time_s, beat, rank, velocity, accent, ghost)
        if any(len(c) != count for c in columns):
            raise ValueError(f"note columns of different lengths: {[len(c) for c in columns]}")
        for column in columns:
            column.flags.writeable = False
        self.time_s = time_s
        self.beat = beat
        self.rank = rank
        self.velocity = velocity
        self.accent = accent
        self.ghost = ghost
        self._notes: tuple[Note, ...] | None = None

    @classmethod
    def from_notes(cls, notes: Sequence[Note]) -> NoteColumns:
        """The columns of notes already built (sorted as a part's notes are)."""
        count = len(notes)
        return cls(
            np.fromiter((n.time_s for n in notes), dtype=np.float64, count=count),
            np.fromiter((n.beat for n in notes), dtype=np.float64, count=count),
            np.fromiter((VOICE_RANK[n.voice] for n in notes), dtype=np.int64, count=count),
            np.fromiter((n.velocity for n in notes), dtype=np.int64, count=count),
            np.fromiter((n.accent for n in notes), dtype=np.bool_, count=count),
            np.fromiter((n.ghost for n in notes), dtype=np.bool_, count=count),
        )

    @classmethod
    def empty(cls) -> NoteColumns:
        """No notes."""
        return cls(np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64),
                   np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), np.zeros(0, dtype=bool))

    def __len__(self) -> int:
        return len(self.time_s)

    def __eq__(self, other: object) -> bool:
        """Equal when every column is (the notes they make are then equal too)."""
        if not isinstance(other, NoteColumns):
            return NotImplemented
        return all(np.array_equal(getattr(self, name), getattr(other, name))
                   for name in COLUMN_NAMES)

    __hash__ = None  # type: ignore[assignment]  # equal by value, and not immutable to numpy

    def __repr__(self) -> str:
        return f"NoteColumns({len(self)} notes)"

    def notes(self) -> tuple[Note, ...]:
        """The notes, made on the first call and kept (two threads asking at once
        may each make them; both get equal notes)."""
        if self._notes is None:
            with gc_paused():  # thousands of objects and no cycle: no collection needed
                self._notes = notes_from_columns(
                    self.time_s.tolist(), self.beat.tolist(), _VOICES[self.rank].tolist(),
                    self.velocity.tolist(), self.accent.tolist(), self.ghost.tolist())
        return self._notes

    def hashed_rows(self) -> list[tuple[float, str, int, bool, bool]]:
        """``(time_s, voice code, velocity, accent, ghost)`` of every note: the same
        values, of the same types, as the notes' fields."""
        return list(zip(self.time_s.tolist(), _CODES[self.rank].tolist(),
                        self.velocity.tolist(), self.accent.tolist(), self.ghost.tolist(),
                        strict=True))

    def last_time_s(self) -> float:
        """Time of the last note in seconds (the part must not be empty)."""
        return float(self.time_s[-1])

    def select(self, keep: NDArray[np.bool_]) -> NoteColumns:
        """The notes where ``keep`` is true, as new columns."""
        return NoteColumns(self.time_s[keep], self.beat[keep], self.rank[keep],
                           self.velocity[keep], self.accent[keep], self.ghost[keep])


def sorted_columns(beat: NDArray[np.float64], rank: NDArray[np.int64],
                   velocity: NDArray[np.int64], accent: NDArray[np.bool_],
                   ghost: NDArray[np.bool_], tempo: TempoMap) -> NoteColumns:
    """Time notes given in any order and sort them as ``sort_notes`` does.

    Stages: time every beat (:meth:`TempoMap.seconds_at_many`, the floats of
    ``seconds_at``); order by time, then voice rank, stable (``lexsort``);
    drop a note on the voice of the last note kept and less than
    :data:`~game.engine.chart.SAME_TIME_S` after it (the first one given wins).
    """
    times = tempo.seconds_at_many(beat)
    order = np.lexsort((rank, times))
    order = order[_kept_mask(times[order], rank[order])]
    return NoteColumns(times[order], beat[order], rank[order], velocity[order],
                       accent[order], ghost[order])


def _kept_mask(times: NDArray[np.float64], ranks: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Which sorted notes stay: each one unless it is on the voice of the last note
    kept and less than :data:`~game.engine.chart.SAME_TIME_S` from it."""
    keep = np.ones(len(times), dtype=bool)
    close = (ranks[1:] == ranks[:-1]) & (np.abs(times[1:] - times[:-1]) < SAME_TIME_S)
    if not close.any():
        return keep
    # a note not close to the one just before it is always kept; walk the rest in order
    t, r = times.tolist(), ranks.tolist()
    last = 0
    for i in range(1, len(t)):
        if r[i] == r[last] and abs(t[last] - t[i]) < SAME_TIME_S:
            keep[i] = False
        else:
            last = i
    return keep
