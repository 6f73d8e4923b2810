"""The ordering rules of judging (game/engine/judging.py), drawn as timelines.

Each diagram is the song clock, 10 ms per column, starting at 0 s::

    notes   x....................x         a note (P1's part unless said)
    stroke  .....................h         a stroke stamped at that time
    clock   ....................^          where the song clock stands when it is fed
    window  |-------------|                the note's miss window (135 ms, standard)
    margin                |----|           the player's late margin after it

The rows are parsed, so the picture is the test's data.
"""

from __future__ import annotations

import math

import pytest

from game.engine.chart import Chart, SongMeta, make_note, sort_notes
from game.engine.events import MISS, PERFECT, STRAY, HitEvent
from game.engine.judging import JudgeSettings
from game.engine.replay import Replay
from game.engine.session import PlayerSetup, Session, judge_performance
from game.engine.tempo import TempoMap
from game.engine.voices import KEYBOARD_5, Voice

COLUMN_S = 0.010
PLAYERS = (PlayerSetup("p1", "expert", KEYBOARD_5), PlayerSetup("p2", "expert", KEYBOARD_5))


def marks(row: str, mark: str) -> list[float]:
    """Times (s) of every ``mark`` in a timeline row."""
    return [round(i * COLUMN_S, 6) for i, c in enumerate(row) if c == mark]


def chart_of(p1: str, p2: str = "") -> Chart:
    """A chart whose snare notes stand where the rows have ``x``."""
    tempo = TempoMap.constant(120.0)
    parts = {}
    for part, row in (("p1", p1), ("p2", p2)):
        notes = [make_note(tempo, tempo.beat_at(t), Voice.SNARE) for t in marks(row, "x")]
        parts[(part, "expert")] = sort_notes(notes)
    return Chart(SongMeta("timeline", "Timeline"), tempo, (), parts)


def stroke(player: int, t: float) -> HitEvent:
    return HitEvent(player, t, Voice.SNARE, None, 100, "keyboard")


def test_a_note_whose_window_closed_before_a_stroke_is_missed_before_it() -> None:
    # notes   x....................x
    # stroke  .....................h      (P1 skips the first note, hits the second)
    # window  |-------------|             closes at 0.135 s, before the stroke at 0.21 s
    # margin                |-----|       0.1 s: the clock alone would miss it at 0.235 s
    notes = "x....................x"
    hits = ".....................h"
    settings = JudgeSettings(late_input_s=(0.1, 0.1))
    session = Session(chart_of(notes), PLAYERS, settings)
    (t,) = marks(hits, "h")
    hit = session.feed(stroke(0, t))
    missed = session.advance(t)  # the miss was already counted: it is returned now
    assert [j.grade for j in missed] == [MISS] and hit.grade is PERFECT
    # counted in song-time order: the miss broke the combo, the hit started a new one
    stats = session.player_stats(0)
    assert (stats.miss, stats.perfect, stats.combo, stats.max_combo) == (1, 1, 1, 1)


def test_the_clock_misses_a_note_only_after_the_players_margin() -> None:
    # notes   x
    # window  |-------------|              0.135 s
    # margin                |---------|    0.1 s for P1, none for P2
    # clock   ......................^...^  at 0.22 s P2's note is missed, P1's waits
    #                                      until past 0.235 s
    settings = JudgeSettings(late_input_s=(0.1, 0.0))
    session = Session(chart_of("x", "x"), PLAYERS, settings)
    first = session.advance(0.22)
    assert [(j.player, j.grade) for j in first] == [(1, MISS)]
    assert session.advance(0.23) == []
    assert [(j.player, j.grade) for j in session.advance(0.24)] == [(0, MISS)]


def test_a_stroke_fed_after_its_margin_finds_its_note_missed_and_the_replay_knows() -> None:
    # notes   x
    # stroke  .h                     stamped 0.01 s (a perfect hit, had it come in time)
    # clock   ....................^  but the engine only got it at 0.20 s: past the
    #                                window (0.135 s) plus P1's 0.05 s margin
    notes, hits, fed = "x", ".h", "....................^"
    settings = JudgeSettings(late_input_s=(0.05, 0.05))
    chart = chart_of(notes)
    (t,) = marks(hits, "h")
    (at,) = marks(fed, "^")
    live = Session(chart, PLAYERS, settings)
    assert [j.grade for j in live.advance(at)] == [MISS]
    assert live.feed(stroke(0, t)).grade is STRAY
    live.finish()
    replay = Replay.of_session(live, [stroke(0, t)], [at])
    again = Replay.from_json(replay.to_json()).rejudge(chart)
    assert again.result() == live.result()
    # without the feeding time, the same stroke would have hit: the record needs it
    scripted = judge_performance(chart, PLAYERS, [stroke(0, t)], settings)
    assert scripted.player_stats(0).perfect == 1 and live.player_stats(0).perfect == 0


@pytest.mark.parametrize("late_s", [0.0, 0.05, 0.2])
def test_how_often_the_clock_moves_never_changes_the_result(late_s: float) -> None:
    # notes   x....x....x....x....x....x....x....x
    # stroke  .h.........h...h.........hh.......h      misses, a double, strays
    notes = "x....x....x....x....x....x....x....x"
    hits = ".h.........h...h.........hh.......h"
    chart = chart_of(notes)
    settings = JudgeSettings(late_input_s=(late_s, late_s))
    strokes = [stroke(0, t) for t in marks(hits, "h")]
    reference = judge_performance(chart, PLAYERS, strokes, settings).result()
    for step_s in (0.001, 0.016, 0.1, math.inf):
        live = Session(chart, PLAYERS, settings)
        clock = 0.0
        for s in strokes:  # the clock moves in steps; each stroke is fed on its way
            while step_s != math.inf and clock + step_s <= s.time_s:
                clock += step_s
                live.advance(clock)
            live.feed(s)
        live.finish()
        assert live.result() == reference, step_s
