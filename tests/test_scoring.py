"""Scoring: combo, multiplier, accents, accuracy, mean offset and unstable rate."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.engine.chart import Chart, Note, SongMeta
from game.engine.events import Grade, HitEvent, Judgement
from game.engine.judging import JudgeSettings
from game.engine.scoring import BASE_POINTS, ScoreProcessor, multiplier_for
from game.engine.session import PlayerSetup, Session, judge_performance
from game.engine.tempo import TempoMap
from game.engine.voices import Voice
from game.engine.windows import STANDARD

P, GR, GD, M, S = Grade.PERFECT, Grade.GREAT, Grade.GOOD, Grade.MISS, Grade.STRAY
OFFSET_OF = {P: 0.0, GR: 0.04, GD: 0.07, M: None}


def judgement(grade: Grade, *, note_t: float = 1.0, offset: float | None = None,
              accent_hit: bool = False) -> Judgement:
    if grade is S:
        return Judgement(0, S, -1, None, note_t, 0, 100)
    if offset is None:
        offset = OFFSET_OF[grade]
    hit_t = None if offset is None else note_t + offset
    return Judgement(0, grade, 0, note_t, hit_t, 0, 100 if hit_t is not None else 0,
                     accent_hit)


def run(grades: list[Grade]) -> ScoreProcessor:
    sp = ScoreProcessor()
    for g in grades:
        sp.apply(judgement(g))
    return sp


def test_base_points() -> None:
    assert BASE_POINTS == {P: 300, GR: 200, GD: 100, M: 0}


def test_combo_miss_resets_stray_does_not() -> None:
    sp = run([P, P, M, P])
    assert (sp.combo, sp.max_combo) == (1, 2)
    sp = run([P, S, P, S, S, GD])
    assert (sp.combo, sp.max_combo, sp.strays) == (3, 3, 3)
    sp = run([P, P, P, M, GR, GD, M, M])
    assert (sp.combo, sp.max_combo) == (0, 3)
    snap = sp.snapshot()
    assert (snap.perfect, snap.great, snap.good, snap.miss, snap.strays) == (3, 1, 1, 3, 0)
    assert snap.judged == 8


def test_stray_changes_nothing_but_the_stray_count() -> None:
    a = run([P, GR, P])
    b = run([P, S, GR, S, P])
    sa, sb = a.snapshot(), b.snapshot()
    assert (sa.score, sa.combo, sa.accuracy, sa.unstable_rate) == \
        (sb.score, sb.combo, sb.accuracy, sb.unstable_rate)
    assert (sa.strays, sb.strays) == (0, 2)


@pytest.mark.parametrize(
    ("combo", "mult"),
    [(0, 1), (1, 1), (9, 1), (10, 2), (19, 2), (20, 3), (29, 3), (30, 4), (31, 4), (500, 4)],
)
def test_multiplier_steps(combo: int, mult: int) -> None:
    assert multiplier_for(combo) == mult


def test_score_with_multiplier() -> None:
    # The 10th note of a streak is the first at x2.
    assert run([P] * 9).score == 9 * 300
    assert run([P] * 10).score == 9 * 300 + 600
    assert run([P] * 30).score == 9 * 300 + 10 * 600 + 10 * 900 + 1 * 1200
    assert run([P] * 40).score == 9 * 300 + 10 * 600 + 10 * 900 + 11 * 1200
    # A miss drops the multiplier back to x1.
    assert run([P] * 10 + [M] + [GR]).score == 9 * 300 + 600 + 200
    assert run([GD] * 12).score == 9 * 100 + 3 * 200


def test_score_with_multiplier_matches_reference() -> None:
    rng = np.random.default_rng(5)
    grades = [(P, GR, GD, M, S)[k] for k in rng.integers(0, 5, 400)]
    expected, combo = 0, 0
    for g in grades:
        if g is S:
            continue
        if g is M:
            combo = 0
            continue
        combo += 1
        expected += BASE_POINTS[g] * min(1 + combo // 10, 4)
    assert run(grades).score == expected


def test_accent_bonus_through_session() -> None:
    tempo = TempoMap.constant(120)
    notes = tuple(Note(float(k), 2.0 * k, Voice.SNARE, 127, True) for k in range(1, 5))
    chart = Chart(SongMeta("a", "A"), tempo, (), {("p1", "expert"): notes, ("p2", "expert"): ()})
    s = Session(chart, (PlayerSetup("p1"), PlayerSetup("p2")))
    s.feed(HitEvent(0, 1.0, Voice.SNARE, velocity=100))   # perfect, hard: 450
    s.feed(HitEvent(0, 2.0, Voice.SNARE, velocity=99))    # perfect, soft: 300
    s.feed(HitEvent(0, 3.04, Voice.SNARE, velocity=127))  # great, hard: 300
    s.feed(HitEvent(0, 4.12, Voice.SNARE, velocity=127))  # miss: nothing
    st_ = s.player_stats(0)
    assert st_.score == 450 + 300 + 300
    assert (st_.accent_hits, st_.accent_notes) == (2, 4)
    # Accuracy ignores the bonus.
    assert st_.accuracy == pytest.approx((300 + 300 + 200) / 1200)


def test_accent_velocity_threshold_is_configurable() -> None:
    tempo = TempoMap.constant(120)
    notes = (Note(1.0, 2.0, Voice.SNARE, 127, True),)
    chart = Chart(SongMeta("a", "A"), tempo, (), {("p1", "expert"): notes, ("p2", "expert"): ()})
    players = (PlayerSetup("p1"), PlayerSetup("p2"))
    ev = [HitEvent(0, 1.0, Voice.SNARE, velocity=90)]
    assert judge_performance(chart, players, ev).player_stats(0).score == 300
    lenient = JudgeSettings(accent_velocity=80)
    assert judge_performance(chart, players, ev, lenient).player_stats(0).score == 450


def test_accuracy_formula() -> None:
    assert run([P, P, GR, M]).accuracy == pytest.approx((600 + 200) / 1200)
    assert run([GD]).accuracy == pytest.approx(1 / 3)
    assert run([P, GR, GD]).accuracy == pytest.approx(600 / 900)
    assert run([M, M]).accuracy == 0.0
    assert run([P] * 5 + [S] * 5).accuracy == 1.0
    assert run([]).accuracy == 1.0
    assert run([S]).accuracy == 1.0


def test_offsets_empty() -> None:
    sp = run([M, S])
    assert sp.mean_offset_ms is None
    assert sp.unstable_rate is None
    assert sp.offsets == []


def test_mean_offset_and_unstable_rate_known() -> None:
    offsets = [-0.012, 0.004, 0.020, -0.030, 0.0, 0.045, 0.081, -0.066]
    sp = ScoreProcessor()
    for k, off in enumerate(offsets):
        grade = STANDARD.grade_for(off)
        sp.apply(judgement(grade, note_t=float(k), offset=off))
    # A bad hit (graded a miss, yet with a hit time) and an unhit note: excluded.
    sp.apply(judgement(M, note_t=20.0, offset=0.12))
    sp.apply(judgement(M, note_t=21.0))
    ms = np.array(offsets) * 1e3
    assert sp.mean_offset_ms == pytest.approx(float(np.mean(ms)), rel=1e-9)
    assert sp.unstable_rate == pytest.approx(float(np.std(ms, ddof=0) * 10), rel=1e-9)
    assert sp.n_hits == len(offsets)
    assert [o for _, o in sp.offsets] == pytest.approx(offsets, abs=1e-12)


def test_unstable_rate_of_two_values() -> None:
    sp = ScoreProcessor()
    sp.apply(judgement(P, offset=0.010))
    sp.apply(judgement(P, offset=-0.010))
    assert sp.mean_offset_ms == pytest.approx(0.0, abs=1e-12)
    assert sp.unstable_rate == pytest.approx(100.0)  # SD 10 ms, population
    sp.apply(judgement(M, offset=0.130))
    assert sp.unstable_rate == pytest.approx(100.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-0.09, 0.09), min_size=1, max_size=80),
       st.floats(0.0, 1000.0))
def test_unstable_rate_matches_numpy(offsets: list[float], base: float) -> None:
    sp = ScoreProcessor()
    for k, off in enumerate(offsets):
        sp.apply(judgement(STANDARD.grade_for(off), note_t=base + k, offset=off))
    actual = [(base + k + off) - (base + k) for k, off in enumerate(offsets)]
    ms = np.array(actual) * 1e3
    assert sp.mean_offset_ms == pytest.approx(float(np.mean(ms)), rel=1e-6, abs=1e-6)
    assert sp.unstable_rate == pytest.approx(float(np.std(ms) * 10), rel=1e-6, abs=1e-6)


def test_session_combo_with_expired_misses() -> None:
    tempo = TempoMap.constant(120)
    notes = tuple(Note(0.5 * k, float(k), Voice.KICK) for k in range(1, 8))
    chart = Chart(SongMeta("c", "C"), tempo, (), {("p1", "expert"): notes, ("p2", "expert"): ()})
    s = Session(chart, (PlayerSetup("p1"), PlayerSetup("p2")))
    for k in (1, 2, 3, 5, 6):  # note 4 (2.0 s) and note 7 pass unhit
        s.feed(HitEvent(0, 0.5 * k, Voice.KICK))
        s.advance(0.5 * k + 0.2)
    s.finish()
    st_ = s.player_stats(0)
    assert (st_.perfect, st_.miss, st_.combo, st_.max_combo) == (5, 2, 0, 3)
    assert st_.score == 5 * 300
