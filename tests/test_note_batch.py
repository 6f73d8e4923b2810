"""NoteBatch and the vectorised difficulty rating give exactly what the one-note-at-a-time
code gave (the reference versions are written out here)."""

from __future__ import annotations

import bisect
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from game.engine.chart import Note, make_note, sort_notes
from game.engine.note_batch import NoteBatch
from game.engine.reduce import RATING_WINDOW_S, difficulty_rating
from game.engine.tempo import MeterChange, TempoChange, TempoMap
from game.engine.voices import Voice

VOICES = list(Voice)

# beats on a fine grid, with near-duplicates a nanosecond apart and exact repeats
beats = st.one_of(st.integers(0, 400).map(lambda k: k / 4),
                  st.integers(0, 400).map(lambda k: k / 4 + 1e-12),
                  st.floats(0, 100, allow_nan=False))
rows = st.lists(st.tuples(beats, st.sampled_from(VOICES), st.booleans(), st.booleans(),
                          st.one_of(st.none(), st.integers(1, 127))), max_size=120)
tempos = st.lists(st.tuples(st.integers(1, 90), st.floats(40, 300)), max_size=4)


def tempo_map(changes: list[tuple[int, float]]) -> TempoMap:
    points = {0.0: 120.0}
    for beat, bpm in changes:
        points[float(beat)] = bpm
    return TempoMap([TempoChange(b, points[b]) for b in sorted(points)],
                    [MeterChange(1, 4, 4)], offset_s=0.25)


@settings(max_examples=300, deadline=None)
@given(rows, tempos)
def test_a_batch_builds_the_notes_make_note_and_sort_notes_build(
        notes: list[tuple[float, Voice, bool, bool, int | None]],
        changes: list[tuple[int, float]]) -> None:
    tempo = tempo_map(changes)
    batch = NoteBatch()
    one_by_one = []
    for beat, voice, accent, ghost, velocity in notes:
        batch.add(beat, voice, accent=accent, ghost=ghost, velocity=velocity)
        one_by_one.append(make_note(tempo, beat, voice, accent=accent, ghost=ghost,
                                    velocity=velocity))
    built = batch.columns(tempo).notes()
    expected = sort_notes(one_by_one)
    assert [(n.time_s, n.beat, n.voice, n.velocity, n.accent, n.ghost) for n in built] == [
        (n.time_s, n.beat, n.voice, n.velocity, n.accent, n.ghost) for n in expected]


def test_a_nanosecond_chain_keeps_what_sort_notes_keeps() -> None:
    tempo = tempo_map([])
    batch = NoteBatch()
    spb = 0.5  # 120 BPM: a beat is half a second; notes 0.6 ns apart
    for k in range(4):
        batch.add(1.0 + k * 0.6e-9 / spb, Voice.SNARE)
    built = batch.columns(tempo).notes()
    expected = sort_notes([make_note(tempo, 1.0 + k * 0.6e-9 / spb, Voice.SNARE)
                           for k in range(4)])
    assert [n.time_s for n in built] == [n.time_s for n in expected]
    assert len(built) == 2  # kept, dropped (0.6 ns), kept (1.2 ns from the first), dropped


def reference_rating(notes: list[Note]) -> float:
    """The rating as first written: a Python loop and a bisect per note."""
    if not notes:
        return 0.0
    times = sorted(n.time_s for n in notes)
    onsets: list[float] = []
    for t in times:
        if not onsets or t - onsets[-1] > 0.001:
            onsets.append(t)
    span = times[-1] - times[0]
    window = (min(RATING_WINDOW_S, span + span / (len(onsets) - 1)) if len(onsets) > 1
              else 1.0)
    rates = sorted((bisect.bisect_left(times, t + window) - i) / window
                   for i, t in enumerate(times))
    nps = rates[min(len(rates) - 1, math.ceil(0.95 * len(rates)) - 1)]
    voices = len({n.voice for n in notes})
    chord = len(times) / len(onsets)
    return min(10.0, max(1.0, 1.0 + 0.6 * nps + 0.25 * max(0, voices - 2)
                         + 0.8 * (chord - 1.0)))


gaps = st.sampled_from([0.0, 0.0004, 0.0006, 0.001, 0.0011, 0.05, 0.125, 0.3, 2.0])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(gaps, st.sampled_from(VOICES)), min_size=0, max_size=200),
       st.randoms(use_true_random=False))
def test_the_rating_equals_the_reference_to_the_last_bit(
        steps: list[tuple[float, Voice]], rnd: object) -> None:
    t = 0.0
    notes = []
    for gap, voice in steps:
        t += gap
        notes.append(Note(t, 0.0, voice))
    rnd.shuffle(notes)  # type: ignore[attr-defined]
    assert difficulty_rating(notes) == reference_rating(notes)
