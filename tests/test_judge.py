"""Judging: hit windows, boundaries, misses, strays, nearest-note selection, lanes."""

from __future__ import annotations

import math

import pytest

from game.engine.chart import Chart, Note, SongMeta
from game.engine.events import Grade, HitEvent, Judgement
from game.engine.judge import PlayerJudge
from game.engine.judging import JudgeSettings
from game.engine.session import PlayerSetup, Session
from game.engine.tempo import TempoMap
from game.engine.voices import KEYBOARD_5, KIT_9, LaneLayout, Voice
from game.engine.windows import CASUAL, STANDARD, STRICT, HitWindows, windows_named

TEMPO = TempoMap.constant(120)
P, GR, GD, M, S = Grade.PERFECT, Grade.GREAT, Grade.GOOD, Grade.MISS, Grade.STRAY


def note(t: float, voice: Voice = Voice.SNARE, **kw: object) -> Note:
    return Note(t, t * 2.0, voice, **kw)  # type: ignore[arg-type]


def session(notes: list[Note], *, windows: HitWindows = STANDARD,
            layout: LaneLayout = KEYBOARD_5) -> Session:
    chart = Chart(SongMeta("t", "T"), TEMPO, (),
                  {("p1", "expert"): tuple(notes), ("p2", "expert"): ()})
    return Session(chart, (PlayerSetup("p1", layout=layout), PlayerSetup("p2")),
                   JudgeSettings(windows))


def hit(s: Session, t: float, voice: Voice | None = Voice.SNARE, *, lane: int | None = None,
        velocity: int = 100) -> Judgement:
    return s.feed(HitEvent(0, t, voice, lane, velocity))


def one(t_note: float, t_hit: float, *, windows: HitWindows = STANDARD) -> Judgement:
    return hit(session([note(t_note)], windows=windows), t_hit)


def last_within(note_t: float, window: float) -> float:
    """The latest hit time whose computed offset ``hit - note`` is still <= window."""
    h = note_t + window
    while h - note_t > window:
        h = math.nextafter(h, -math.inf)
    while math.nextafter(h, math.inf) - note_t <= window:
        h = math.nextafter(h, math.inf)
    return h


def first_within_early(note_t: float, window: float) -> float:
    """The earliest hit time whose computed offset is still >= -window."""
    h = note_t - window
    while note_t - h > window:
        h = math.nextafter(h, math.inf)
    while note_t - math.nextafter(h, -math.inf) <= window:
        h = math.nextafter(h, -math.inf)
    return h


# --- grade_for --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "grade"),
    [
        (0.0, P), (0.010, P), (0.025, P), (0.0250001, GR), (0.050, GR), (0.0500001, GD),
        (0.090, GD), (0.0900001, M), (0.135, M), (0.1350001, S), (1.0, S),
        (-0.025, P), (-0.0250001, GR), (-0.050, GR), (-0.0500001, GD), (-0.090, GD),
        (-0.0900001, M), (-0.135, M), (-0.1350001, S),
    ],
)
def test_grade_for_boundaries_inclusive(offset: float, grade: Grade) -> None:
    assert STANDARD.grade_for(offset) is grade


def test_standard_defaults() -> None:
    assert HitWindows() == STANDARD
    assert STANDARD.as_ms() == {"perfect_ms": 25.0, "great_ms": 50.0, "good_ms": 90.0,
                                "miss_ms": 135.0}


# --- boundaries through the judge ----------------------------------------------------


@pytest.mark.parametrize(
    ("t_hit", "grade"),
    [
        (0.025, P), (0.0250001, GR), (0.05, GR), (0.0500001, GD), (0.09, GD),
        (0.0900001, M), (0.135, M), (0.1350001, S),
        (-0.025, P), (-0.0250001, GR), (-0.05, GR), (-0.0500001, GD), (-0.09, GD),
        (-0.0900001, M), (-0.135, M), (-0.1350001, S),
    ],
)
def test_boundaries_on_note_at_zero(t_hit: float, grade: Grade) -> None:
    # With the note at 0.0 the offset is exactly the hit time.
    j = one(0.0, t_hit)
    assert j.grade is grade
    if grade is S:
        assert j.note_index == -1
        assert j.note_time_s is None
    else:
        assert j.note_index == 0
        assert j.offset_s == t_hit


@pytest.mark.parametrize("window_name", ["perfect_s", "great_s", "good_s", "miss_s"])
@pytest.mark.parametrize("note_t", [10.0, 0.075, 29.977, 123.456])
def test_boundaries_on_late_notes_follow_computed_offset(window_name: str,
                                                         note_t: float) -> None:
    window = getattr(STANDARD, window_name)
    order = [P, GR, GD, M, S]
    inside = order[["perfect_s", "great_s", "good_s", "miss_s"].index(window_name)]
    outside = order[order.index(inside) + 1]
    late = last_within(note_t, window)
    assert one(note_t, late).grade is inside
    assert one(note_t, math.nextafter(late, math.inf)).grade is outside
    early = first_within_early(note_t, window)
    assert one(note_t, early).grade is inside
    assert one(note_t, math.nextafter(early, -math.inf)).grade is outside


def test_judge_agrees_with_grade_for_on_computed_offsets() -> None:
    # 10.025 - 10.0 is not exactly 0.025 in floating point: the judge must use the
    # computed offset ``hit - note``, just as grade_for does.
    for t_hit in (10.025, 10.0250001, 10.05, 10.09, 10.135, 9.975, 9.95, 9.91, 9.865):
        j = one(10.0, t_hit)
        assert j.grade is STANDARD.grade_for(t_hit - 10.0)


# --- every judgement path -------------------------------------------------------------


@pytest.mark.parametrize(
    ("t_hit", "grade"),
    [(10.0, P), (10.01, P), (9.99, P), (10.04, GR), (9.96, GR), (10.07, GD), (9.93, GD),
     (10.11, M), (9.89, M)],
)
def test_early_and_late_grades(t_hit: float, grade: Grade) -> None:
    j = one(10.0, t_hit)
    assert j.grade is grade
    assert j.note_index == 0
    assert j.note_time_s == 10.0
    assert j.hit_time_s == t_hit
    assert j.offset_s == pytest.approx(t_hit - 10.0)
    assert (j.offset_s > 0) == (t_hit > 10.0)
    assert j.is_hit == (grade >= Grade.GOOD)
    assert j.lane == KEYBOARD_5.lane_of(Voice.SNARE)


def test_bad_hit_judges_the_note_a_miss_and_a_second_hit_is_stray() -> None:
    s = session([note(10.0)])
    j = hit(s, 10.1)
    assert (j.grade, j.note_index, j.hit_time_s) == (M, 0, 10.1)
    assert not j.is_hit
    again = hit(s, 10.0)
    assert again.grade is S
    assert again.note_index == -1
    assert s.advance(20.0) == []  # the note was already judged
    st = s.player_stats(0)
    assert (st.perfect, st.miss, st.strays) == (0, 1, 1)


def test_second_hit_on_judged_note_is_stray() -> None:
    s = session([note(10.0)])
    assert hit(s, 10.0).grade is P
    j = hit(s, 10.01)
    assert j.grade is S
    assert s.player_stats(0).strays == 1
    assert s.player_stats(0).perfect == 1


def test_stray_beyond_miss_window_leaves_note_unjudged() -> None:
    s = session([note(10.0), note(11.0)])
    j = hit(s, 9.8)
    assert (j.grade, j.note_index, j.note_time_s) == (S, -1, None)
    assert j.hit_time_s == 9.8
    assert hit(s, 9.86).grade is S
    assert hit(s, 10.0).grade is P
    late = hit(s, 10.8)  # 200 ms before the second note, far after the first
    assert (late.grade, late.note_index) == (S, -1)
    assert hit(s, 11.0).grade is P
    st = s.player_stats(0)
    assert (st.perfect, st.miss, st.strays) == (2, 0, 3)


def test_late_stray_after_an_unhit_note_misses_it_first() -> None:
    # Hits come in time order: a hit 200 ms after a note means its window has closed.
    s = session([note(10.0)])
    assert hit(s, 10.2).grade is S
    st = s.player_stats(0)
    assert (st.miss, st.strays, st.combo) == (1, 1, 0)
    assert [j.grade for j in s.advance(10.2)] == [M]  # reported by the next advance
    assert s.advance(20.0) == []


def test_hit_in_lane_without_notes_is_stray() -> None:
    s = session([note(10.0, Voice.SNARE)])
    j = hit(s, 10.0, Voice.KICK)
    assert j.grade is S
    assert j.lane == KEYBOARD_5.lane_of(Voice.KICK)
    assert hit(s, 10.0, Voice.SNARE).grade is P


def test_lane_out_of_range_is_stray_and_lane_overrides_voice() -> None:
    s = session([note(10.0, Voice.SNARE)])
    assert hit(s, 10.0, None, lane=7).grade is S
    assert hit(s, 10.0, None, lane=-1).grade is S
    # An explicit lane wins over the voice.
    j = hit(s, 10.0, Voice.KICK, lane=1)
    assert (j.grade, j.lane) == (P, 1)


def test_hit_without_lane_or_voice_is_an_error() -> None:
    s = session([note(10.0)])
    with pytest.raises(ValueError, match="lane or a voice"):
        hit(s, 10.0, None)


# --- notes passing unhit ----------------------------------------------------------------


def test_unhit_note_missed_only_strictly_after_window() -> None:
    s = session([note(0.0), note(1.0)])
    assert s.advance(0.1) == []
    assert s.advance(0.135) == []  # exactly at the window: not yet
    out = s.advance(math.nextafter(0.135, math.inf))
    assert len(out) == 1
    assert (out[0].grade, out[0].note_index, out[0].hit_time_s) == (M, 0, None)
    assert out[0].velocity == 0
    assert s.advance(1.0) == []
    assert s.player_stats(0).miss == 1
    assert [j.note_index for j in s.finish()] == [1]
    assert s.player_stats(0).miss == 2


@pytest.mark.parametrize("note_t", [10.0, 0.075, 29.977, 123.456, 7.3])
def test_expiry_boundary_matches_computed_offset(note_t: float) -> None:
    # The first instant ``now - note > miss_s`` in floating point.
    b = last_within(note_t, STANDARD.miss_s)
    first_past = math.nextafter(b, math.inf)
    assert b - note_t <= STANDARD.miss_s < first_past - note_t
    pj = PlayerJudge((note(note_t),), KEYBOARD_5, STANDARD, player=0)
    assert pj.expire(b) == []
    assert [j.grade for j in pj.expire(first_past)] == [M]
    s = session([note(note_t)])
    assert s.advance(b) == []
    assert [j.grade for j in s.advance(b + 1e-9)] == [M]
    # And a hit at ``b`` (had it come) would still have judged the note.
    assert one(note_t, b).grade is M


def test_advance_never_goes_backwards() -> None:
    s = session([note(1.0)])
    s.advance(5.0)
    assert s.now_s == 5.0
    s.advance(2.0)
    assert s.now_s == 5.0


# --- nearest note --------------------------------------------------------------------------


def test_nearest_note_is_judged() -> None:
    s = session([note(10.0), note(10.1)])
    j = hit(s, 10.06)
    assert (j.grade, j.note_index) == (GR, 1)
    # The earlier note is still open.
    j0 = hit(s, 10.03)
    assert (j0.grade, j0.note_index) == (GR, 0)

    s2 = session([note(10.0), note(10.1)])
    assert hit(s2, 10.04).note_index == 0


def test_tie_goes_to_earlier_note() -> None:
    # 10.0, 10.0625 and 10.125 are exact binary fractions: both distances are 62.5 ms.
    s = session([note(10.0), note(10.125)])
    j = hit(s, 10.0625)
    assert (j.grade, j.note_index) == (GD, 0)
    j2 = hit(s, 10.0625)
    assert (j2.grade, j2.note_index) == (GD, 1)


def test_judged_notes_are_skipped_when_looking_for_nearest() -> None:
    s = session([note(10.0), note(10.125)])
    assert hit(s, 10.0).note_index == 0
    j = hit(s, 10.01)  # nearest unjudged is 10.125, 115 ms away
    assert (j.grade, j.note_index) == (M, 1)


def test_nearest_unjudged_far_is_stray_even_if_judged_note_is_near() -> None:
    s = session([note(10.0), note(10.5)])
    assert hit(s, 10.0).grade is P
    assert hit(s, 10.1).grade is S


# --- lanes -----------------------------------------------------------------------------------


def test_lanes_are_independent() -> None:
    s = session([note(10.0, Voice.SNARE), note(10.5, Voice.KICK)])
    assert hit(s, 10.0, Voice.KICK).grade is S
    j = hit(s, 10.0, Voice.SNARE)
    assert (j.grade, j.note_index) == (P, 0)
    s2 = session([note(10.0, Voice.SNARE), note(10.04, Voice.KICK)])
    j2 = hit(s2, 10.0, Voice.KICK)
    assert (j2.grade, j2.note_index) == (GR, 1)
    assert hit(s2, 10.0, Voice.SNARE).note_index == 0


def test_simultaneous_notes_in_different_lanes() -> None:
    s = session([note(10.0, Voice.KICK), note(10.0, Voice.HIHAT_CLOSED)])
    a = hit(s, 10.0, Voice.HIHAT_CLOSED)
    b = hit(s, 10.01, Voice.KICK)
    assert (a.grade, b.grade) == (P, P)
    assert s.notes[0][a.note_index].voice is Voice.HIHAT_CLOSED
    assert s.notes[0][b.note_index].voice is Voice.KICK


@pytest.mark.parametrize("hit_voice", [Voice.HIHAT_OPEN, Voice.HIHAT_PEDAL, Voice.HIHAT_CLOSED])
def test_voices_sharing_a_lane_judge_each_other(hit_voice: Voice) -> None:
    s = session([note(10.0, Voice.HIHAT_CLOSED)])
    assert hit(s, 10.0, hit_voice).grade is P


def test_voice_mapping_depends_on_layout() -> None:
    # In kit9 the pedal hi-hat has its own lane; open and closed hats share one.
    s = session([note(10.0, Voice.HIHAT_CLOSED)], layout=KIT_9)
    assert hit(s, 10.0, Voice.HIHAT_PEDAL).grade is S
    assert hit(s, 10.0, Voice.HIHAT_OPEN).grade is P
    s2 = session([note(10.0, Voice.TOM_HIGH)])
    assert hit(s2, 10.0, Voice.TOM_FLOOR).grade is P
    s3 = session([note(10.0, Voice.TOM_HIGH)], layout=KIT_9)
    assert hit(s3, 10.0, Voice.TOM_FLOOR).grade is S


# --- accents ----------------------------------------------------------------------------------


def test_accent_hit_needs_velocity_100() -> None:
    notes = [note(1.0, accent=True, velocity=127), note(2.0, accent=True, velocity=127),
             note(3.0, accent=True, velocity=127), note(4.0)]
    s = session(notes)
    assert hit(s, 1.0, velocity=100).accent_hit is True
    assert hit(s, 2.0, velocity=99).accent_hit is False
    assert hit(s, 3.1, velocity=127).accent_hit is False  # a miss earns nothing
    assert hit(s, 4.0, velocity=127).accent_hit is False  # not an accent


def test_player_judge_directly() -> None:
    pj = PlayerJudge((note(1.0), note(2.0)), KEYBOARD_5, STANDARD, player=1)
    j = pj.hit(HitEvent(1, 1.02, Voice.SNARE))
    assert (j.player, j.grade, j.note_index) == (1, P, 0)
    assert not pj.done
    misses = pj.expire(3.0)
    assert [(m.player, m.grade, m.note_index) for m in misses] == [(1, M, 1)]
    assert pj.done


# --- presets and named windows -------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "standard", "casual", "strict"),
    [
        (0.015, P, P, P),
        (0.020, P, P, GR),
        (0.030, GR, P, GR),
        (0.040, GR, GR, GD),
        (0.060, GD, GR, GD),
        (0.080, GD, GD, M),
        (0.100, M, GD, M),
        (0.120, M, GD, S),
        (0.150, S, M, S),
        (0.180, S, S, S),
    ],
)
def test_presets(offset: float, standard: Grade, casual: Grade, strict: Grade) -> None:
    for windows, grade in ((STANDARD, standard), (CASUAL, casual), (STRICT, strict)):
        assert windows.grade_for(offset) is grade
        assert windows.grade_for(-offset) is grade
        assert one(0.0, offset, windows=windows).grade is grade


def test_preset_values() -> None:
    assert CASUAL.as_ms() == pytest.approx({"perfect_ms": 35, "great_ms": 70, "good_ms": 120,
                                            "miss_ms": 170})
    assert STRICT.as_ms() == pytest.approx({"perfect_ms": 16, "great_ms": 35, "good_ms": 65,
                                            "miss_ms": 110})


def test_windows_named() -> None:
    assert windows_named("casual") is CASUAL
    assert windows_named("standard") is STANDARD
    assert windows_named("strict") is STRICT
    w = windows_named("20/40/80/120")
    assert w == HitWindows(0.020, 0.040, 0.080, 0.120)
    assert w.grade_for(0.020) is P
    assert w.grade_for(0.0200001) is GR
    assert w.grade_for(0.120) is M
    assert w.grade_for(0.1200001) is S
    assert one(0.0, 0.1, windows=w).grade is M
    assert one(0.0, 0.121, windows=w).grade is S
    assert windows_named("25/50/90/135") == STANDARD
    assert HitWindows.from_ms(perfect_ms=25, great_ms=50, good_ms=90, miss_ms=135) == STANDARD


@pytest.mark.parametrize("name", ["bogus", "", "20/40/80", "20/40/80/120/150", "a/b/c/d",
                                  "Casual"])
def test_windows_named_rejects(name: str) -> None:
    with pytest.raises(ValueError, match="unknown hit windows") as info:
        windows_named(name)
    assert "casual" in str(info.value)
    assert "25/50/90/135" in str(info.value)


@pytest.mark.parametrize(
    "args",
    [
        (0.0, 0.05, 0.09, 0.135),
        (-0.01, 0.05, 0.09, 0.135),
        (0.06, 0.05, 0.09, 0.135),
        (0.025, 0.1, 0.09, 0.135),
        (0.025, 0.05, 0.2, 0.135),
    ],
)
def test_hit_windows_validation(args: tuple[float, float, float, float]) -> None:
    with pytest.raises(ValueError, match="0 < perfect <= great <= good <= miss"):
        HitWindows(*args)


def test_hit_windows_validation_through_names() -> None:
    with pytest.raises(ValueError, match="0 < perfect"):
        windows_named("50/40/80/120")


def test_equal_windows_allowed() -> None:
    w = HitWindows(0.05, 0.05, 0.05, 0.05)
    assert w.grade_for(0.05) is P
    assert w.grade_for(0.0500001) is S
