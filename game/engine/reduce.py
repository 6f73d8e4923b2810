"""Difficulty reduction: derive Hard, Normal and Easy charts from an Expert part.

The reductions form a chain, each taken from the one above it::

    expert -> hard -> normal -> easy

* **hard**: no ghost notes, no hi-hat pedal, at most one note per voice per
  16th-note slot (the loudest is kept).
* **normal**: from hard, only notes on the 8th-note grid; open hi-hats become
  closed ones; at most two notes at once on the beat's 8th (kick, then snare
  family, then crash, toms, hats and ride; louder first within a rank) and one
  on the off-beat 8th, where a hand note beats the kick so the hat or ride
  ostinato stays whole.
* **easy**: from normal, one note per quarter note that has any note: a snare
  if the snare family or a tom plays there, else a kick if the kick does, else
  (only cymbals) a kick on odd beats of the bar and a snare on even ones.

Grid positions are measured from the start of each bar (so a 7/8 bar keeps its
own grid), with a tolerance of :data:`GRID_TOLERANCE_BEATS` so that charts
taken from human performances (not quantised) still reduce sensibly. Notes
keep their original beat and time: a reduction is a subset of the harder chart
(re-voiced where said), so each level has at most as many notes as the one
above it. A non-empty input never gives an empty result: if every note would
be dropped, the loudest note is kept.

Pure standard library: this module is part of the headless engine.
"""

from __future__ import annotations

import dataclasses
import math
from operator import attrgetter
from typing import Any

from game.engine.chart import DIFFICULTIES, Chart, Note, PartTable, as_notes, sort_notes
from game.engine.note_columns import NoteColumns
from game.engine.tempo import TempoMap
from game.engine.voices import Voice

#: How far (in quarter notes) a note may sit from a grid line and still count
#: as on it: a 32nd note.
GRID_TOLERANCE_BEATS = 0.125

#: Most notes struck together on Normal: on an 8th that falls on a quarter
#: note, and on an off-beat 8th.
NORMAL_MAX_CHORD = 2
NORMAL_MAX_OFFBEAT_CHORD = 1

#: Window for the density term of :func:`difficulty_rating`, in seconds.
RATING_WINDOW_S = 4.0

_SNARE_FAMILY = frozenset({Voice.SNARE, Voice.RIMSHOT, Voice.CROSS_STICK})
_TOMS = frozenset({Voice.TOM_HIGH, Voice.TOM_MID, Voice.TOM_FLOOR})

#: Lower keeps first when Normal limits a chord.
_CHORD_RANK: dict[Voice, int] = {
    Voice.KICK: 0,
    Voice.SNARE: 1, Voice.RIMSHOT: 1, Voice.CROSS_STICK: 1,
    Voice.CRASH: 2,
    Voice.TOM_HIGH: 3, Voice.TOM_MID: 3, Voice.TOM_FLOOR: 3,
    Voice.HIHAT_CLOSED: 4, Voice.HIHAT_OPEN: 4, Voice.HIHAT_HALF: 4,
    Voice.RIDE: 4, Voice.RIDE_BELL: 4,
    Voice.HIHAT_PEDAL: 5,
}


def reduce_notes(notes: tuple[Note, ...], tempo: TempoMap, difficulty: str) -> tuple[Note, ...]:
    """Reduce an Expert part to ``difficulty``.

    Parameters
    ----------
    notes : tuple of Note
        The Expert part (any order).
    tempo : TempoMap
        The chart's tempo map (bar lines for the grids).
    difficulty : str
        One of ``"easy"``, ``"normal"``, ``"hard"``, ``"expert"``.

    Returns
    -------
    tuple of Note
        Sorted by time. ``"expert"`` returns the notes unchanged (sorted).

    Raises
    ------
    ValueError
        For an unknown difficulty.
    """
    if difficulty not in DIFFICULTIES:
        raise ValueError(f"unknown difficulty {difficulty!r}; expected one of {DIFFICULTIES}")
    current = sort_notes(list(notes))
    for level in ("hard", "normal", "easy"):
        if difficulty == "expert" or not current:
            return current
        current = _STEPS[level](current, tempo)
        if level == difficulty:
            break
    return current


def reduce_chart(chart: Chart) -> Chart:
    """Fill each part's missing easier difficulties by reduction.

    A missing difficulty is reduced from the nearest harder one the part has
    (from its hardest, when only that one is charted). Difficulties harder than
    the hardest charted one are not invented; parts with no chart stay absent.

    Returns
    -------
    Chart
        A new chart; ``chart`` is unchanged.
    """
    parts = chart.parts.given()  # parts given as columns stay columns
    part_names = sorted({p for p, _ in parts})
    for part in part_names:
        for i in range(len(DIFFICULTIES) - 2, -1, -1):
            diff = DIFFICULTIES[i]
            if (part, diff) in parts:
                continue
            source = next((d for d in DIFFICULTIES[i + 1:] if (part, d) in parts), None)
            if source is None:
                continue
            reduced = sort_notes(list(as_notes(parts[(part, source)])))
            for level in DIFFICULTIES[i:DIFFICULTIES.index(source)][::-1]:
                reduced = _STEPS[level](reduced, chart.tempo) if reduced else reduced
            parts[(part, diff)] = reduced
    return dataclasses.replace(chart, parts=PartTable(parts))


# the steps -------------------------------------------------------------------
def _slot(tempo: TempoMap, beat: float, step: float) -> tuple[int, int, float]:
    """(bar, grid index in the bar, distance in beats to that grid line).

    A note just before a bar line belongs to the next bar's downbeat.
    """
    bar, into = tempo.bar_at_beat(beat)
    index = math.floor(into / step + 0.5)
    distance = abs(into - index * step)
    if index * step >= tempo.bar_length_beats(bar) - 1e-9:
        bar, index = bar + 1, 0
    return bar, index, distance


def _loudest(notes: tuple[Note, ...]) -> Note:
    return max(notes, key=lambda n: (n.velocity, -n.time_s))


def _fallback(notes: tuple[Note, ...], kept: list[Note]) -> tuple[Note, ...]:
    if kept or not notes:
        return sort_notes(kept)
    return (_loudest(notes),)


def _hard(notes: tuple[Note, ...], tempo: TempoMap) -> tuple[Note, ...]:
    best: dict[tuple[Voice, int, int], Note] = {}
    for n in notes:
        if n.ghost or n.voice is Voice.HIHAT_PEDAL:
            continue
        bar, index, _ = _slot(tempo, n.beat, 0.25)
        key = (n.voice, bar, index)
        old = best.get(key)
        if old is None or n.velocity > old.velocity:
            best[key] = n
    kept = list(best.values())
    if not kept and notes:
        kept = [dataclasses.replace(_loudest(notes), ghost=False)]
    return _fallback(notes, kept)


def _normal(notes: tuple[Note, ...], tempo: TempoMap) -> tuple[Note, ...]:
    slots: dict[tuple[int, int], dict[Voice, Note]] = {}
    for n in notes:
        if n.ghost or n.voice is Voice.HIHAT_PEDAL:
            continue
        bar, index, off = _slot(tempo, n.beat, 0.5)
        if off > GRID_TOLERANCE_BEATS + 1e-9:
            continue
        if n.voice is Voice.HIHAT_OPEN:
            n = dataclasses.replace(n, voice=Voice.HIHAT_CLOSED)
        voices = slots.setdefault((bar, index), {})
        old = voices.get(n.voice)
        if old is None or n.velocity > old.velocity:
            voices[n.voice] = n
    kept: list[Note] = []
    for (_, index), voices in slots.items():
        if index % 2 == 0:
            ranked = sorted(voices.values(), key=lambda n: (_CHORD_RANK[n.voice], -n.velocity))
            kept.extend(ranked[:NORMAL_MAX_CHORD])
        else:
            ranked = sorted(voices.values(),
                            key=lambda n: (n.voice is Voice.KICK, _CHORD_RANK[n.voice],
                                           -n.velocity))
            kept.extend(ranked[:NORMAL_MAX_OFFBEAT_CHORD])
    return _fallback(notes, kept)


def _easy(notes: tuple[Note, ...], tempo: TempoMap) -> tuple[Note, ...]:
    slots: dict[tuple[int, int], list[Note]] = {}
    for n in notes:
        bar, index, off = _slot(tempo, n.beat, 1.0)
        if off <= GRID_TOLERANCE_BEATS + 1e-9:
            slots.setdefault((bar, index), []).append(n)
    kept: list[Note] = []
    for (_, index), group in slots.items():
        snares = [n for n in group if n.voice in _SNARE_FAMILY or n.voice in _TOMS]
        kicks = [n for n in group if n.voice is Voice.KICK]
        if snares:
            src, voice = _loudest(tuple(snares)), Voice.SNARE
        elif kicks:
            src, voice = _loudest(tuple(kicks)), Voice.KICK
        else:
            src = min(group, key=lambda n: n.time_s)
            voice = Voice.KICK if index % 2 == 0 else Voice.SNARE
        kept.append(dataclasses.replace(src, voice=voice, ghost=False))
    if not kept and notes:
        src = _loudest(notes)
        voice = Voice.KICK if src.voice is Voice.KICK else Voice.SNARE
        kept = [dataclasses.replace(src, voice=voice, ghost=False)]
    return _fallback(notes, kept)


_STEPS = {"hard": _hard, "normal": _normal, "easy": _easy}


# rating ------------------------------------------------------------------------
def difficulty_rating(notes: tuple[Note, ...] | list[Note] | NoteColumns) -> float:
    """A difficulty rating on a rough 1-10 scale (0.0 for no notes).

    With ``t`` the sorted note times in seconds::

        nps    = 95th percentile over notes i of  #{j : t_i <= t_j < t_i + W} / W
                 (W = RATING_WINDOW_S = 4 s, or the whole span plus one mean
                 onset gap when the part is shorter than that), notes per second
        voices = number of distinct voices
        chord  = mean number of notes per onset (notes within 1 ms are one onset)

        rating = clamp(1 + 0.6 * nps + 0.25 * max(0, voices - 2)
                         + 0.8 * (chord - 1), 1, 10)

    So a quarter-note kick/snare part at 100 BPM rates about 2, an 8th-note
    groove about 4-5 and a busy 16th-note groove 7-9. The rating rises with
    density when the voices and chords stay the same; adding single notes to
    a part can lower its mean chord size, so a superset may rate a hair lower.

    Parameters
    ----------
    notes : sequence of Note, or NoteColumns
        A part's notes (columns are rated without making a ``Note``).

    Returns
    -------
    float
        The rating, unrounded.
    """
    if not len(notes):
        return 0.0
    import numpy as np

    if isinstance(notes, NoteColumns):
        times = np.sort(notes.time_s)
        voices = len(np.unique(notes.rank))
    else:
        times = np.sort(np.fromiter(map(_TIME_S, notes), dtype=np.float64, count=len(notes)))
        voices = len(set(map(_VOICE_CODE, notes)))
    # an onset starts wherever the gap to the previous one passed 1 ms; a chain
    # of notes each under 1 ms apart is kept as one onset only from its first
    onsets = _onset_count(times)
    span = float(times[-1] - times[0])
    if onsets > 1:
        window = min(RATING_WINDOW_S, span + span / (onsets - 1))
    else:
        window = 1.0
    counts = np.searchsorted(times, times + window, side="left") - np.arange(len(times))
    rates = np.sort(counts / window)
    nps = float(rates[min(len(rates) - 1, math.ceil(0.95 * len(rates)) - 1)])
    chord = len(times) / onsets
    rating = 1.0 + 0.6 * nps + 0.25 * max(0, voices - 2) + 0.8 * (chord - 1.0)
    return min(10.0, max(1.0, rating))


_TIME_S = attrgetter("time_s")
_VOICE_CODE = attrgetter("voice._value_")  # a str: hashed in C, unlike the Enum


def _onset_count(times: Any) -> int:
    """How many onsets sorted ``times`` (seconds) hold: a note more than 1 ms after the
    last onset starts a new one (a scan, as notes 0.6 ms apart chain)."""
    import numpy as np

    new_onset = np.diff(times) > 0.001
    if new_onset.all():
        return len(times)
    group = np.concatenate(([0], np.cumsum(new_onset)))
    first = np.flatnonzero(np.concatenate(([True], new_onset)))
    if (times - times[first][group] <= 0.001).all():
        return len(first)  # no chain ran past its first note's millisecond: exact
    onsets = 1
    last = float(times[0])
    for t in times[1:].tolist():
        if t - last > 0.001:
            onsets += 1
            last = t
    return onsets
