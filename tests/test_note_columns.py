"""Parts kept as columns: a chart read from columns is the chart read from notes.

Every figure the game takes from a part — its notes, count, last time, rating,
the content hash, equality, a pickled copy — is the same whether the reader
gave the part as ``NoteColumns`` or as a tuple of ``Note``; and reading the song
list's figures makes no ``Note`` at all.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.engine.chart import Chart, PartTable, SongMeta
from game.engine.note_batch import NoteBatch
from game.engine.note_columns import NoteColumns
from game.engine.reduce import difficulty_rating, reduce_chart
from game.engine.tempo import TempoMap
from game.engine.voices import Voice
from game.formats.beatmap import load_beatmap
from game.formats.song_entry import song_entry

ROOT = Path(__file__).resolve().parents[1]

rows = st.lists(st.tuples(st.integers(0, 300).map(lambda k: k / 4), st.sampled_from(list(Voice)),
                          st.booleans(), st.booleans(), st.one_of(st.none(), st.integers(1, 127))),
                max_size=80)


def _columns(notes: list[tuple[float, Voice, bool, bool, int | None]],
             tempo: TempoMap) -> NoteColumns:
    batch = NoteBatch()
    for beat, voice, accent, ghost, velocity in notes:
        batch.add(beat, voice, accent=accent, ghost=ghost, velocity=velocity)
    return batch.columns(tempo)


def _chart(parts: dict[tuple[str, str], object]) -> Chart:
    return Chart(SongMeta("t", "T"), TempoMap.constant(128), (), PartTable(parts))  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(rows, rows)
def test_a_chart_of_columns_is_the_chart_of_their_notes(p1: list, p2: list) -> None:
    tempo = TempoMap.constant(128)
    cols1, cols2 = _columns(p1, tempo), _columns(p2, tempo)
    lazy = _chart({("p1", "expert"): cols1, ("p2", "expert"): cols2, ("p2", "hard"): cols2})
    built = _chart({("p1", "expert"): cols1.notes(), ("p2", "expert"): cols2.notes(),
                    ("p2", "hard"): cols2.notes()})
    fresh = _chart({("p1", "expert"): NoteColumns.from_notes(cols1.notes()),
                    ("p2", "expert"): cols2, ("p2", "hard"): cols2})
    assert lazy.content_hash() == built.content_hash() == fresh.content_hash()
    assert lazy.length_s == built.length_s
    assert lazy == built and fresh == lazy
    for key in built.parts:
        assert lazy.parts.count(key) == len(built.parts[key])
        assert difficulty_rating(lazy.parts.given_part(key)) == difficulty_rating(
            built.parts[key])
    assert pickle.loads(pickle.dumps(lazy)) == built


def test_the_song_list_reads_a_beatmap_without_making_a_note() -> None:
    path = ROOT / "assets" / "beatmaps" / "first-contact.beatmap"
    chart = load_beatmap(path)
    given_parts = [chart.parts.given_part(key) for key in chart.parts]
    assert given_parts and all(isinstance(p, NoteColumns) for p in given_parts)
    entry = song_entry(chart, path, source="builtin")
    assert entry["length_s"] > 0 and entry["difficulties"]["p1"]
    assert all(p._notes is None for p in given_parts)  # still columns only
    # ...and the same figures as from the notes themselves
    built = Chart(chart.meta, chart.tempo, chart.sections,
                  PartTable({key: chart.parts[key] for key in chart.parts}))
    assert song_entry(built, path, source="builtin") == entry
    # a part read twice is made once; parts sharing columns share the tuple
    key = next(iter(chart.parts))
    assert chart.parts[key] is chart.parts[key]


def test_reducing_a_chart_keeps_its_given_parts_as_columns() -> None:
    tempo = TempoMap.constant(100)
    expert = _columns([(k / 2, Voice.KICK if k % 2 else Voice.SNARE, False, False, None)
                       for k in range(64)], tempo)
    reduced = reduce_chart(Chart(SongMeta("r", "R"), tempo, (),
                                 PartTable({("p1", "expert"): expert})))
    assert reduced.parts.given_part(("p1", "expert")) is expert
    assert reduced.difficulties("p1") == ["easy", "normal", "hard", "expert"]
    assert len(reduced.notes("p1", "easy")) < len(expert)


def test_columns_of_different_lengths_are_refused() -> None:
    ints = np.zeros(2, dtype=np.int64)
    flags = np.zeros(2, dtype=bool)
    with pytest.raises(ValueError, match="different lengths"):
        NoteColumns(np.zeros(2), np.zeros(1), ints, ints.copy(), flags, flags.copy())


def test_a_part_that_is_not_notes_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match=r"part \('p1', 'easy'\): expected a sequence of Note"):
        _chart({("p1", "easy"): None})
    listed = _chart({("p1", "easy"): list(_columns([(1.0, Voice.KICK, False, False, None)],
                                                   TempoMap.constant(128)).notes())})
    assert isinstance(listed.parts.given_part(("p1", "easy")), tuple)
