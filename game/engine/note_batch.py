"""Notes gathered by beat, then timed and sorted all at once.

Importers read thousands of notes one at a time. Building each with
:func:`~game.engine.chart.make_note` (a tempo-map bisect per note) and then
:func:`~game.engine.chart.sort_notes` (a Python key per note) was a third of a
library scan. A :class:`NoteBatch` keeps plain columns and, in :meth:`NoteBatch.columns`:

1. times every beat at once (:meth:`TempoMap.seconds_at_many`, the same floats
   as ``seconds_at``);
2. orders the notes by time, then voice code, with a stable sort (numpy
   ``lexsort``), as ``sort_notes`` does;
3. drops the same duplicates ``sort_notes`` drops (same voice, times within
   1 ns of the last kept note);
4. keeps the notes as :class:`~game.engine.note_columns.NoteColumns` (:meth:`NoteBatch.columns`),
   whose ``notes()`` fills the notes' slots column by column when they are needed.

The result equals ``sort_notes([make_note(...) for each note])`` note for note
(the tests compare both on random batches).
"""

from __future__ import annotations

from operator import attrgetter

from game.engine.chart import MARK_VELOCITY
from game.engine.note_columns import VOICE_BY_RANK, NoteColumns, sorted_columns
from game.engine.tempo import TempoMap
from game.engine.voices import Voice

#: Each voice's place in ``sort_notes``' order at one time (by its code, a string).
#: Keyed by the code (a str hashes in C; an Enum member through Python).
_VOICE_RANK: dict[str, int] = {v.value: rank for rank, v in enumerate(VOICE_BY_RANK)}
_CODE = attrgetter("_value_")



class NoteBatch:
    """Notes not yet timed: add them in any order, then take their :meth:`columns`."""

    __slots__ = ("rows",)

    def __init__(self) -> None:
        #: (beat, voice, velocity, accent, ghost) per note, in the order added (a reader
        #: with thousands of notes may append rows itself, the velocity from
        #: :data:`MARK_VELOCITY` when the file gives none).
        self.rows: list[tuple[float, Voice, int, bool, bool]] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, beat: float, voice: Voice, *, velocity: int | None = None,
            accent: bool = False, ghost: bool = False) -> None:
        """One note at ``beat`` (quarter notes from bar 1); the velocity defaults as in
        ``make_note`` (accent 127, ghost 40, else 96)."""
        if velocity is None:
            velocity = MARK_VELOCITY[accent, ghost]
        self.rows.append((beat, voice, velocity, accent, ghost))

    def columns(self, tempo: TempoMap) -> NoteColumns:
        """The notes as columns, timed by ``tempo``, sorted by (time, voice code),
        duplicates dropped (stages 1-3); no ``Note`` is made yet."""
        import numpy as np

        count = len(self.rows)
        if count == 0:
            return NoteColumns.empty()
        beats, voices, velocities, accents, ghosts = zip(*self.rows, strict=True)
        return sorted_columns(
            np.asarray(beats, dtype=np.float64),
            np.fromiter(map(_VOICE_RANK.__getitem__, map(_CODE, voices)), dtype=np.int64,
                        count=count),
            np.fromiter(velocities, dtype=np.int64, count=count),
            np.fromiter(accents, dtype=np.bool_, count=count),
            np.fromiter(ghosts, dtype=np.bool_, count=count),
            tempo)
