"""Notes gathered by beat, then timed and sorted all at once.

Importers read thousands of notes one at a time. Building each with
:func:`~game.engine.chart.make_note` (a tempo-map bisect per note) and then
:func:`~game.engine.chart.sort_notes` (a Python key per note) was a third of a
library scan. A :class:`NoteBatch` keeps plain columns and, in :meth:`NoteBatch.build`:

1. times every beat at once (:meth:`TempoMap.seconds_at_many`, the same floats
   as ``seconds_at``);
2. orders the notes by time, then voice code, with a stable sort (numpy
   ``lexsort``), as ``sort_notes`` does;
3. drops the same duplicates ``sort_notes`` drops (same voice, times within
   1 ns of the last kept note);
4. fills the notes' slots column by column (:func:`notes_from_columns`).

The result equals ``sort_notes([make_note(...) for each note])`` note for note
(the tests compare both on random batches).
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter, itemgetter
from typing import Any

from game.engine.chart import (
    ACCENT_VELOCITY,
    DEFAULT_VELOCITY,
    GHOST_VELOCITY,
    Note,
    notes_from_columns,
)
from game.engine.tempo import TempoMap
from game.engine.voices import Voice

#: Each voice's place in ``sort_notes``' order at one time (by its code, a string).
#: Keyed by the code (a str hashes in C; an Enum member through Python).
_VOICE_RANK: dict[str, int] = {v.value: rank for rank, v in
                               enumerate(sorted(Voice, key=lambda v: v.value))}
_CODE = attrgetter("_value_")

#: Notes of one voice closer than this (seconds) are one note, as in ``sort_notes``.
SAME_TIME_S = 1e-9


class NoteBatch:
    """Notes not yet timed: add them in any order, then :meth:`build`."""

    __slots__ = ("rows",)

    def __init__(self) -> None:
        #: (beat, voice, velocity, accent, ghost) per note, in the order added.
        self.rows: list[tuple[float, Voice, int, bool, bool]] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, beat: float, voice: Voice, *, velocity: int | None = None,
            accent: bool = False, ghost: bool = False) -> None:
        """One note at ``beat`` (quarter notes from bar 1); the velocity defaults as in
        ``make_note`` (accent 127, ghost 40, else 96)."""
        if velocity is None:
            velocity = (ACCENT_VELOCITY if accent else GHOST_VELOCITY if ghost
                        else DEFAULT_VELOCITY)
        self.rows.append((beat, voice, velocity, accent, ghost))

    def build(self, tempo: TempoMap) -> tuple[Note, ...]:
        """The notes, timed by ``tempo``, sorted by (time, voice code), duplicates dropped."""
        count = len(self.rows)
        if count == 0:
            return ()
        import numpy as np  # here: the engine's other users never need numpy on start-up

        beats, voices, velocities, accents, ghosts = zip(*self.rows, strict=True)
        times = tempo.seconds_at_many(np.asarray(beats, dtype=np.float64))
        codes = np.fromiter(map(_VOICE_RANK.__getitem__, map(_CODE, voices)),
                            dtype=np.int64, count=count)
        order = np.lexsort((codes, times))
        times_sorted = times[order]
        codes_sorted = codes[order]
        same = (codes_sorted[1:] == codes_sorted[:-1]) & (
            np.abs(np.diff(times_sorted)) < SAME_TIME_S)
        index = order.tolist()
        if same.any():
            index = _drop_duplicates(index, times_sorted.tolist(), codes_sorted.tolist())
        getter = itemgetter(*index)

        def pick(column: Sequence[Any]) -> Sequence[Any]:
            # itemgetter of one index gives the item, not a tuple of one
            return (getter(column),) if len(index) == 1 else getter(column)

        return notes_from_columns(pick(times.tolist()), pick(beats), pick(voices),
                                  pick(velocities), pick(accents), pick(ghosts))


def _drop_duplicates(index: list[int], times_s: list[float], codes: list[int]) -> list[int]:
    """``index`` (in sorted order) without the notes ``sort_notes`` drops: same voice as
    the last kept note and within :data:`SAME_TIME_S` of it."""
    kept: list[int] = []
    last_time = last_code = None
    for position, i in enumerate(index):
        t, c = times_s[position], codes[position]
        if kept and c == last_code and abs(t - last_time) < SAME_TIME_S:  # type: ignore[operator]
            continue
        kept.append(i)
        last_time, last_code = t, c
    return kept
