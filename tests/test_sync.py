"""Duet sync: asynchrony, spread, in-sync rate, grades, phase lock, leader, team score."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.engine.chart import Chart, Note, SongMeta, make_note, sort_notes
from game.engine.events import HitEvent
from game.engine.judging import JudgeSettings
from game.engine.session import PlayerSetup, Session, judge_performance
from game.engine.sync_figures import (
    DuetStats,
    corrected_phase_lock,
    leader_from,
    sync_grade,
)
from game.engine.tempo import TempoMap
from game.engine.voices import Voice
from game.engine.windows import HitWindows, windows_named

TEMPO = TempoMap.constant(120)  # a beat is 0.5 s
PLAYERS = (PlayerSetup("p1"), PlayerSetup("p2"))
WIDE = HitWindows(0.2, 0.2, 0.2, 0.24)


def notes_at(beats: list[float] | np.ndarray, voice: Voice = Voice.SNARE,
             **kw: object) -> list[Note]:
    return [make_note(TEMPO, float(b), voice, **kw) for b in beats]  # type: ignore[arg-type]


def chart_of(p1: list[Note], p2: list[Note]) -> Chart:
    return Chart(SongMeta("sync", "Sync"), TEMPO, (),
                 {("p1", "expert"): sort_notes(p1), ("p2", "expert"): sort_notes(p2)})


def events(player: int, notes: list[Note] | tuple[Note, ...], offsets: object = 0.0, *,
           velocity: int = 100) -> list[HitEvent]:
    offs = np.broadcast_to(np.asarray(offsets, dtype=float), (len(notes),))
    return [HitEvent(player, n.time_s + float(o), n.voice, velocity=velocity)
            for n, o in zip(notes, offs, strict=True)]


def duet(chart: Chart, evs: list[HitEvent], *, windows: HitWindows | None = None
         ) -> DuetStats:
    settings = JudgeSettings() if windows is None else JudgeSettings(windows=windows)
    return judge_performance(chart, PLAYERS, evs, settings).duet()


def grades(d: DuetStats) -> dict[str, int]:
    return dict(d.grades)


# --- sync grades -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "grade"),
    [(0.0, "locked"), (0.010, "locked"), (0.0100001, "tight"), (0.025, "tight"),
     (0.0250001, "loose"), (0.050, "loose"), (0.0500001, "flam"), (0.3, "flam"),
     (-0.010, "locked"), (-0.025, "tight"), (-0.05, "loose"), (-0.051, "flam")],
)
def test_sync_grade_boundaries(d: float, grade: str) -> None:
    assert sync_grade(d) == grade


# --- known answers -------------------------------------------------------------------------


def test_identical_hits_are_perfectly_in_sync() -> None:
    notes = notes_at(range(64))
    chart = chart_of(notes, notes)
    noise = np.random.default_rng(1).normal(0, 0.010, 64)
    d = duet(chart, events(0, notes, noise) + events(1, notes, noise))
    assert d.shared_times == d.shared_notes == 64
    assert d.mean_asynchrony_ms == 0.0
    assert d.sync_spread_ms == 0.0
    assert d.in_sync_rate == 1.0
    assert grades(d) == {"locked": 64, "tight": 0, "loose": 0, "flam": 0}
    assert d.ahead == "even"
    assert d.sync_quality == 1.0
    assert len(d.asynchronies) == 64
    assert all(a == 0.0 for _, a in d.asynchronies)


def test_constant_shift() -> None:
    notes = notes_at(range(50))
    chart = chart_of(notes, notes)
    p2 = events(1, notes, np.random.default_rng(2).normal(0, 0.005, 50))
    p1 = [HitEvent(0, e.time_s + 0.012, e.voice) for e in p2]  # P1 always 12 ms late
    d = duet(chart, p1 + p2)
    assert d.shared_notes == 50
    assert d.mean_asynchrony_ms == pytest.approx(12.0, abs=1e-6)
    assert d.sync_spread_ms == pytest.approx(0.0, abs=1e-6)
    assert d.in_sync_rate == 1.0
    assert d.ahead == "p2"
    assert grades(d) == {"locked": 0, "tight": 50, "loose": 0, "flam": 0}
    assert d.sync_quality == pytest.approx(0.8)
    # And the other way round.
    p1_early = [HitEvent(0, e.time_s - 0.030, e.voice) for e in p2]
    d2 = duet(chart, p1_early + p2)
    assert d2.mean_asynchrony_ms == pytest.approx(-30.0, abs=1e-6)
    assert d2.ahead == "p1"
    assert d2.in_sync_rate == 0.0
    assert grades(d2)["loose"] == 50


def test_ahead_even_within_2ms() -> None:
    notes = notes_at(range(10))
    chart = chart_of(notes, notes)
    assert duet(chart, events(0, notes, 0.0015) + events(1, notes)).ahead == "even"
    assert duet(chart, events(0, notes, 0.0025) + events(1, notes)).ahead == "p2"


def test_gaussian_noise_of_known_sd() -> None:
    n = 2000
    notes = notes_at(np.arange(n) * 0.5)
    chart = chart_of(notes, notes)
    noise = np.random.default_rng(3).normal(0, 0.015, n)
    d = duet(chart, events(0, notes) + events(1, notes, noise))
    assert d.shared_notes == n
    assert d.sync_spread_ms == pytest.approx(15.0, rel=0.05)
    expected_rate = math.erf(20 / (15 * math.sqrt(2)))  # P(|N(0, 15)| <= 20) ~ 0.818
    assert expected_rate == pytest.approx(0.8176, abs=1e-3)
    assert d.in_sync_rate == pytest.approx(expected_rate, abs=0.03)
    assert abs(d.mean_asynchrony_ms) < 1.5  # SE is 15/sqrt(2000) ~ 0.34 ms
    g = grades(d)
    assert sum(g.values()) == n
    assert g["locked"] / n == pytest.approx(math.erf(10 / (15 * math.sqrt(2))), abs=0.04)
    # d = t_P1 - t_P2 = -noise: check against the definition directly.
    ref = -(np.array([e.time_s for e in events(1, notes, noise)]) -
            np.array([x.time_s for x in notes])) * 1e3
    assert d.sync_spread_ms == pytest.approx(float(np.std(ref)), rel=1e-6)
    assert d.mean_asynchrony_ms == pytest.approx(float(np.mean(ref)), abs=1e-6)
    assert d.in_sync_rate == pytest.approx(float(np.mean(np.abs(ref) <= 20)), abs=1e-12)


def test_simultaneous_notes_count_once() -> None:
    beats = list(range(32))
    p1 = notes_at(beats, Voice.KICK) + notes_at(beats, Voice.HIHAT_CLOSED)
    p2 = notes_at(beats, Voice.SNARE)
    chart = chart_of(p1, p2)
    kicks = [n for n in chart.notes("p1", "expert") if n.voice is Voice.KICK]
    hats = [n for n in chart.notes("p1", "expert") if n.voice is Voice.HIHAT_CLOSED]
    base = events(0, kicks, 0.020) + events(1, p2)
    d = duet(chart, base + events(0, hats, 0.010))
    assert d.shared_times == 32
    assert d.shared_notes == 32
    # A player's time is the mean of their two hits: +15 ms.
    assert d.mean_asynchrony_ms == pytest.approx(15.0, abs=1e-6)
    assert d.sync_spread_ms == pytest.approx(0.0, abs=1e-6)
    # P1 misses one hi-hat: there P1's time is the kick alone (+20 ms).
    d2 = duet(chart, base + events(0, hats[1:], 0.010))
    assert d2.shared_notes == 32
    assert d2.mean_asynchrony_ms == pytest.approx((31 * 15 + 20) / 32, abs=1e-6)
    assert dict(d2.asynchronies)[kicks[0].time_s] == pytest.approx(20.0, abs=1e-6)


def test_shared_times_only_where_both_parts_have_notes() -> None:
    p1 = notes_at(range(16), Voice.KICK)
    p2 = notes_at(range(8, 24), Voice.SNARE) + notes_at(np.arange(8, 24) + 0.5, Voice.SNARE)
    chart = chart_of(p1, p2)
    s = judge_performance(chart, PLAYERS, events(0, p1) + events(1, p2, 0.004))
    d = s.duet()
    assert d.shared_times == 8
    assert d.shared_notes == 8
    assert [t for t, _ in d.asynchronies] == pytest.approx([n.time_s for n in p1[8:]])
    assert d.mean_asynchrony_ms == pytest.approx(-4.0, abs=1e-6)
    # Every note was still judged for both players.
    assert s.player_stats(0).perfect == 16
    assert s.player_stats(1).perfect == 32


def test_no_shared_times() -> None:
    chart = chart_of(notes_at(range(8)), notes_at(np.arange(8) + 0.5))
    d = duet(chart, events(0, notes_at(range(8))) + events(1, notes_at(np.arange(8) + 0.5)))
    assert (d.shared_times, d.shared_notes) == (0, 0)
    assert d.mean_asynchrony_ms is None
    assert d.sync_spread_ms is None
    assert d.in_sync_rate is None
    assert d.ahead is None
    # Sync quality falls back on the phase locks (both perfect here).
    assert d.phase_lock == (1.0, 1.0)
    assert d.sync_quality == pytest.approx(1.0)
    assert d.team_score == 1_000_000


def test_note_missed_by_one_player_is_excluded() -> None:
    notes = notes_at(range(40))
    chart = chart_of(notes, notes)
    p1 = [HitEvent(0, n.time_s + 0.005, n.voice) for k, n in enumerate(notes)
          if k not in (3, 7, 11)]
    p1.append(HitEvent(0, notes[11].time_s + 0.1, notes[11].voice))  # a bad hit: Miss
    s = judge_performance(chart, PLAYERS, p1 + events(1, notes))
    assert s.player_stats(0).miss == 3
    d = s.duet()
    assert d.shared_times == 40
    assert d.shared_notes == 37
    assert d.mean_asynchrony_ms == pytest.approx(5.0, abs=1e-6)
    assert d.sync_spread_ms == pytest.approx(0.0, abs=1e-6)
    assert {t for t, _ in d.asynchronies}.isdisjoint(
        {notes[3].time_s, notes[7].time_s, notes[11].time_s})
    assert d.sync_quality == pytest.approx(37 / 40)
    acc1 = s.player_stats(0).accuracy
    assert acc1 == pytest.approx(37 / 40)
    assert d.team_score == round(1e6 * (0.5 * (acc1 + 1.0) / 2 + 0.5 * 37 / 40))


# --- phase lock ------------------------------------------------------------------------------


def test_corrected_phase_lock_known_values() -> None:
    assert corrected_phase_lock(0.0, 0.0, 0) is None
    assert corrected_phase_lock(1.0, 0.0, 1) is None
    assert corrected_phase_lock(2.0, 0.0, 2) == pytest.approx(1.0)
    assert corrected_phase_lock(0.0, 0.0, 2) == 0.0  # opposite phases
    assert corrected_phase_lock(1.0, 1.0, 2) == pytest.approx(0.0, abs=1e-12)  # 0, pi/2
    # Phases 0, 0, pi/2: R^2 = 5/9, PPC = (3 * 5/9 - 1) / 2 = 1/3.
    assert corrected_phase_lock(2.0, 1.0, 3) == pytest.approx(math.sqrt(1 / 3))
    # The correction lowers a small-sample R: raw R here is sqrt(5)/3 ~ 0.745.
    assert corrected_phase_lock(2.0, 1.0, 3) < math.sqrt(5) / 3


def test_phase_lock_perfect_and_constant_offset() -> None:
    notes = notes_at(range(40))
    chart = chart_of(notes, notes)
    d = duet(chart, events(0, notes) + events(1, notes, 0.030))
    assert d.phase_lock[0] == pytest.approx(1.0)
    assert d.phase_lock[1] == pytest.approx(1.0)  # a constant offset is still locked


def test_phase_lock_three_hits_known_answer() -> None:
    notes = notes_at(range(3))
    chart = chart_of(notes, notes)
    # Offsets 0, 0, a quarter beat (125 ms) -> phases 0, 0, pi/2.
    d = duet(chart, events(0, notes, [0.0, 0.0, 0.125]) + events(1, notes), windows=WIDE)
    assert d.phase_lock[0] == pytest.approx(math.sqrt(1 / 3))


def test_phase_lock_gaussian_known_answer() -> None:
    n = 500
    notes = notes_at(range(n))
    chart = chart_of(notes, notes)
    noise = np.random.default_rng(4).normal(0, 0.020, n)
    d = duet(chart, events(0, notes, noise) + events(1, notes), windows=WIDE)
    sd_phi = 2 * math.pi * 0.020 / 0.5
    assert d.phase_lock[0] == pytest.approx(math.exp(-sd_phi ** 2 / 2), abs=0.01)


def test_phase_lock_uniform_offsets_near_zero() -> None:
    n = 500
    notes = notes_at(range(n))
    chart = chart_of(notes, notes)
    # Offsets spread over a whole beat (+-250 ms at 120 BPM), all judged as hits.
    offs = np.random.default_rng(5).uniform(-0.249, 0.249, n)
    windows = HitWindows(0.25, 0.25, 0.25, 0.25)
    s = judge_performance(chart, PLAYERS, events(0, notes, offs) + events(1, notes),
                          JudgeSettings(windows=windows))
    assert s.player_stats(0).perfect == n
    d = s.duet()
    assert d.phase_lock[0] is not None
    assert d.phase_lock[0] < 0.1
    assert d.phase_lock[1] == pytest.approx(1.0)


def test_phase_lock_needs_two_hits() -> None:
    one = notes_at([0])
    d = duet(chart_of(one, one), events(0, one) + events(1, one))
    assert d.phase_lock == (None, None)
    notes = notes_at(range(5))
    d2 = duet(chart_of(notes, notes), events(0, notes[:1]) + events(1, notes))
    assert d2.phase_lock[0] is None
    assert d2.phase_lock[1] == pytest.approx(1.0)


# --- leader ------------------------------------------------------------------------------


def leader_sim(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(chart, leader's hits, follower's hits): the follower copies the leader's last
    interval and corrects half its asynchrony."""
    rng = np.random.default_rng(seed)
    chart = 0.5 * np.arange(n)
    lead = chart + np.cumsum(rng.normal(0, 0.004, n)) + rng.normal(0, 0.004, n)
    follow = np.empty(n)
    follow[:2] = chart[:2] + rng.normal(0, 0.004, 2)
    for k in range(1, n - 1):
        follow[k + 1] = (follow[k] + (lead[k] - lead[k - 1]) + 0.5 * (lead[k] - follow[k])
                         + rng.normal(0, 0.002))
    return chart, lead, follow


def leader_duet(t1: np.ndarray, t2: np.ndarray) -> DuetStats:
    notes = notes_at(range(len(t1)))
    chart = chart_of(notes, notes)
    evs = [HitEvent(0, float(t), Voice.SNARE) for t in t1]
    evs += [HitEvent(1, float(t), Voice.SNARE) for t in t2]
    s = judge_performance(chart, PLAYERS, evs, JudgeSettings(windows=WIDE))
    d = s.duet()
    assert d.shared_notes == len(t1)  # every note was hit by both
    return d


def test_leader_p1() -> None:
    _, lead, follow = leader_sim(200, 11)
    assert leader_duet(lead, follow).leader == "p1"


def test_leader_p2() -> None:
    _, lead, follow = leader_sim(200, 12)
    assert leader_duet(follow, lead).leader == "p2"


def test_leader_none_for_independent_players() -> None:
    rng = np.random.default_rng(13)
    chart = 0.5 * np.arange(200)
    d = leader_duet(chart + rng.normal(0, 0.010, 200), chart + rng.normal(0, 0.010, 200))
    assert d.leader is None


def test_leader_needs_30_intervals() -> None:
    _, lead, follow = leader_sim(200, 11)
    assert leader_duet(lead[:25], follow[:25]).leader is None
    chart = list(0.5 * np.arange(25))
    assert leader_from(list(lead[:25]), list(follow[:25]), chart) == (None, None, None)


def test_leader_from_directly() -> None:
    chart, lead, follow = leader_sim(200, 11)
    who, r_plus, r_minus = leader_from(list(lead), list(follow), list(chart))
    assert who == "p1"
    assert r_plus is not None and r_minus is not None
    assert r_plus > 0.2 > r_minus
    who2, r_plus2, r_minus2 = leader_from(list(follow), list(lead), list(chart))
    assert who2 == "p2"
    assert r_plus2 == pytest.approx(r_minus)
    assert r_minus2 == pytest.approx(r_plus)


# --- accents ---------------------------------------------------------------------------------


def accent_chart() -> tuple[Chart, list[Note]]:
    acc = notes_at(range(0, 32, 2), accent=True)
    plain = notes_at(range(1, 32, 2))
    return chart_of(acc + plain, acc + plain), acc + plain


@pytest.mark.parametrize(
    ("v1", "v2", "agreement"),
    [(120, 120, 1.0), (120, 80, 0.0), (80, 120, 0.0), (100, 99, 0.0), (70, 60, 1.0)],
)
def test_accent_agreement(v1: int, v2: int, agreement: float) -> None:
    chart, notes = accent_chart()
    d = duet(chart, events(0, notes, velocity=v1) + events(1, notes, velocity=v2))
    assert d.accent_pairs == 16
    assert d.accent_agreement == agreement


def test_accent_agreement_mixed_and_missed() -> None:
    chart, notes = accent_chart()
    acc = notes[:16]
    p1 = events(0, notes, velocity=120)
    p2 = [HitEvent(1, n.time_s, n.voice, velocity=120 if k % 2 else 60)
          for k, n in enumerate(acc) if k != 5] + events(1, notes[16:])
    d = duet(chart, p1 + p2)
    assert d.accent_pairs == 15  # the accent P2 did not play is not a pair
    assert d.accent_agreement == pytest.approx(7 / 15)


def test_no_accents_no_agreement() -> None:
    notes = notes_at(range(8))
    d = duet(chart_of(notes, notes), events(0, notes) + events(1, notes))
    assert d.accent_pairs == 0
    assert d.accent_agreement is None


# --- team score --------------------------------------------------------------------------


def test_team_score_perfect_duet() -> None:
    notes = notes_at(range(100))
    d = duet(chart_of(notes, notes), events(0, notes) + events(1, notes))
    assert d.team_score == 1_000_000
    assert d.sync_quality == 1.0


def test_team_score_decreases_as_spread_grows() -> None:
    notes = notes_at(range(200))
    chart = chart_of(notes, notes)
    rng = np.random.default_rng(6)
    base = rng.normal(0, 1, 200)
    scores, spreads = [], []
    for sd in (0.0, 0.004, 0.012, 0.025, 0.040):
        s = judge_performance(chart, PLAYERS, events(0, notes) + events(1, notes, base * sd))
        d = s.duet()
        acc = (s.player_stats(0).accuracy, s.player_stats(1).accuracy)
        g = grades(d)
        quality = (g["locked"] * 1.0 + g["tight"] * 0.8 + g["loose"] * 0.5 + g["flam"] * 0.2
                   ) / d.shared_times
        assert d.sync_quality == pytest.approx(quality)
        assert d.team_score == round(1e6 * (0.5 * (acc[0] + acc[1]) / 2 + 0.5 * quality))
        scores.append(d.team_score)
        spreads.append(d.sync_spread_ms)
    assert scores[0] == 1_000_000
    assert all(a > b for a, b in itertools.pairwise(scores))
    assert all(a < b for a, b in itertools.pairwise(spreads))


# --- live window -------------------------------------------------------------------------


def test_live_duet_uses_last_8_beats() -> None:
    n = 128
    notes = notes_at(range(n))
    chart = chart_of(notes, notes)
    sign = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    d_s = np.where(np.arange(n) < n // 2, 0.002, 0.040) * sign  # tight, then loose
    evs = sorted(events(0, notes) + events(1, notes, -d_s), key=lambda e: e.time_s)
    s = Session(chart, PLAYERS)

    def play_until(now: float) -> None:
        while evs and evs[0].time_s <= now:
            s.feed(evs.pop(0))
        s.advance(now)

    assert s.live_duet().shared_times == 0
    play_until(notes[n // 2 - 1].time_s + 0.2)  # just after the tight half
    mid = s.live_duet()
    assert mid.shared_times == 8
    assert mid.sync_spread_ms == pytest.approx(2.0, abs=1e-6)
    assert grades(mid)["locked"] == 8

    play_until(notes[-1].time_s + 0.2)
    live = s.live_duet()
    whole = s.duet()
    assert live.shared_times == 8
    assert whole.shared_times == n
    assert live.sync_spread_ms == pytest.approx(40.0, abs=1e-6)
    assert live.mean_asynchrony_ms == pytest.approx(0.0, abs=1e-6)
    assert grades(live) == {"locked": 0, "tight": 0, "loose": 8, "flam": 0}
    assert whole.sync_spread_ms == pytest.approx(math.sqrt((4 + 1600) / 2), abs=1e-6)
    assert mid.sync_spread_ms < whole.sync_spread_ms < live.sync_spread_ms
    # The live figures are the whole-song ones restricted to the window.
    start = TEMPO.seconds_at(TEMPO.beat_at(s.now_s) - 8)
    window = [a for t, a in whole.asynchronies if start <= t <= s.now_s]
    assert [a for _, a in live.asynchronies] == pytest.approx(window)
    # A wider live window takes in more.
    assert s.live_duet(beats=16).shared_times == 16


# --- invariance --------------------------------------------------------------------------


VOICE_SETS = ((), (Voice.SNARE,), (Voice.KICK,), (Voice.KICK, Voice.HIHAT_CLOSED))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), c=st.floats(-0.020, 0.020), slots=st.integers(4, 60))
def test_common_shift_changes_no_sync_metric(seed: int, c: float, slots: int) -> None:
    rng = np.random.default_rng(seed)
    parts: list[list[Note]] = [[], []]
    for k in range(slots):
        for p in (0, 1):
            for v in VOICE_SETS[rng.integers(0, 4)]:
                parts[p].append(make_note(TEMPO, k * 0.5, v))
    chart = chart_of(parts[0], parts[1])
    windows = windows_named("200/300/400/500")

    def stats(shift: float) -> DuetStats:
        r = np.random.default_rng(seed + 1)
        evs = []
        for p in (0, 1):
            for n in chart.notes(f"p{p + 1}", "expert"):
                # Whole ms plus 0.3 ms for P1: d never sits on a grade boundary.
                noise = int(r.integers(-20, 21)) * 1e-3 + (0.0003 if p == 0 else 0.0)
                evs.append(HitEvent(p, n.time_s + noise + shift, n.voice))
        return duet(chart, evs, windows=windows)

    a, b = stats(0.0), stats(c)
    assert b.shared_times == a.shared_times
    assert b.shared_notes == a.shared_notes
    assert b.grades == a.grades
    assert b.accent_pairs == a.accent_pairs
    assert b.team_score == a.team_score
    for x, y in ((a.mean_asynchrony_ms, b.mean_asynchrony_ms),
                 (a.sync_spread_ms, b.sync_spread_ms),
                 (a.in_sync_rate, b.in_sync_rate),
                 (a.sync_quality, b.sync_quality),
                 *zip(a.phase_lock, b.phase_lock, strict=True)):
        if x is None:
            assert y is None
        else:
            assert y == pytest.approx(x, abs=1e-6)


def test_leader_needs_thirty_intervals_exactly():
    """30 intervals (31 shared times) are enough to name a leader; 29 are not."""
    from game.engine.sync_figures import MIN_LEADER_INTERVALS, leader_from

    rng = np.random.default_rng(5)
    chart = [i * 0.5 for i in range(MIN_LEADER_INTERVALS + 1)]
    t1 = [c + rng.normal(0, 0.015) for c in chart]
    t2 = [chart[0]]
    for k in range(1, len(chart)):
        # P2 copies P1's last interval: P2 follows, P1 leads
        t2.append(t2[-1] + (t1[k - 1] - t1[k - 2] if k >= 2 else 0.5))
    assert leader_from(t1, t2, chart)[0] == "p1"
    assert leader_from(t1[:-1], t2[:-1], chart[:-1])[0] is None
