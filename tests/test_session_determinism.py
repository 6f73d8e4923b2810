"""Determinism: streaming a performance at any rate, in any batching, equals batch scoring."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.engine.bot import HumanBot, autoplay
from game.engine.chart import Chart, Note, SongMeta, make_note, sort_notes
from game.engine.events import Grade, HitEvent, Judgement
from game.engine.report import session_report
from game.engine.session import PlayerSetup, Session, judge_performance
from game.engine.tempo import TempoMap
from game.engine.voices import Voice

PLAYERS = (PlayerSetup("p1", name="Ana"), PlayerSetup("p2", name="Bo"))
VOICES = (Voice.KICK, Voice.SNARE, Voice.HIHAT_CLOSED, Voice.HIHAT_OPEN, Voice.TOM_HIGH,
          Voice.CRASH, Voice.RIDE, Voice.CROSS_STICK)


def random_chart(seed: int, bpm: float, n_slots: int) -> Chart:
    """Random voices on a 16th-note grid, two parts, some accents and ghosts."""
    rng = np.random.default_rng(seed)
    tempo = TempoMap.constant(bpm)
    parts = []
    for _ in range(2):
        notes: list[Note] = []
        for k in range(n_slots):
            if rng.random() < 0.35:
                continue
            for v in rng.choice(len(VOICES), size=int(rng.integers(1, 3)), replace=False):
                kind = rng.random()
                notes.append(make_note(tempo, k * 0.25, VOICES[v], accent=kind < 0.1,
                                       ghost=kind > 0.9))
        parts.append(sort_notes(notes))
    return Chart(SongMeta("rnd", "Random"), tempo, (),
                 {("p1", "expert"): parts[0], ("p2", "expert"): parts[1]})


def jkey(j: Judgement) -> tuple[object, ...]:
    return (j.player, j.note_index, -math.inf if j.hit_time_s is None else j.hit_time_s,
            j.grade, j.lane, j.velocity, j.accent_hit, j.note_time_s)


def batch(chart: Chart, evs: list[HitEvent]) -> tuple[Session, list[Judgement]]:
    s = Session(chart, PLAYERS)
    js = s.feed_many(evs)
    js += s.finish()
    return s, js


def stream(chart: Chart, evs: list[HitEvent], rate_hz: float, rng: np.random.Generator,
           mode: str) -> tuple[Session, list[Judgement]]:
    s = Session(chart, PLAYERS)
    out: list[Judgement] = []
    ordered = sorted(evs, key=lambda e: e.time_s)
    i = 0
    now = min([e.time_s for e in ordered] + [0.0]) - 1.0
    end = max([e.time_s for e in ordered] + [chart.length_s]) + 1.0
    while now < end:
        now += 1.0 / rate_hz
        j = i
        while j < len(ordered) and ordered[j].time_s <= now:
            j += 1
        due = ordered[i:j]
        i = j
        if mode == "one":
            out += [s.feed(e) for e in due]
        else:
            k = 0
            while k < len(due):
                size = int(rng.integers(1, 6))
                out += s.feed_many(due[k:k + size])
                k += size
        out += s.advance(now)
    out += s.finish()
    return s, out


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    bpm=st.floats(80.0, 180.0),
    n_slots=st.integers(150, 400),
    rate_hz=st.floats(30.0, 1000.0),
    mode=st.sampled_from(["one", "batches"]),
    sd_ms=st.floats(5.0, 45.0),
    miss=st.floats(0.0, 0.3),
    stray=st.floats(0.0, 0.2),
)
def test_streaming_equals_run_session(seed: int, bpm: float, n_slots: int, rate_hz: float,
                                      mode: str, sd_ms: float, miss: float,
                                      stray: float) -> None:
    chart = random_chart(seed, bpm, n_slots)
    bots = (HumanBot(sd_ms=sd_ms, bias_ms=5.0, drift_ms=3.0, miss_rate=miss,
                     stray_rate=stray, seed=seed),
            HumanBot(sd_ms=sd_ms / 2, bias_ms=-8.0, miss_rate=miss / 2, stray_rate=stray,
                     seed=seed + 1))
    evs = (bots[0].play(chart.notes("p1", "expert"), player=0)
           + bots[1].play(chart.notes("p2", "expert"), player=1))
    evs.sort(key=lambda e: e.time_s)

    ref = judge_performance(chart, PLAYERS, evs)
    ref_report = json.dumps(session_report(ref), sort_keys=True)
    b, b_js = batch(chart, evs)
    st_, st_js = stream(chart, evs, rate_hz, np.random.default_rng(seed), mode)

    assert json.dumps(session_report(b), sort_keys=True) == ref_report
    assert json.dumps(session_report(st_), sort_keys=True) == ref_report
    assert st_.result() == ref.result()
    assert sorted(st_js, key=jkey) == sorted(b_js, key=jkey)
    # Every note judged exactly once, plus one stray per stray judgement.
    for p in (0, 1):
        idx = sorted(j.note_index for j in st_js if j.player == p and j.grade is not Grade.STRAY)
        assert idx == list(range(len(st_.notes[p])))
        assert st_.player_stats(p).strays == sum(
            1 for j in st_js if j.player == p and j.grade is Grade.STRAY)
    # The performance was humanised enough to exercise misses.
    if miss > 0.05:
        assert ref.player_stats(0).miss > 0


def test_streaming_combo_follows_song_time_order() -> None:
    # Hit, hit, (note passes unhit), hit: the miss comes between the hits in song time,
    # whether time is advanced finely, coarsely or not at all.
    tempo = TempoMap.constant(120)
    notes = tuple(make_note(tempo, b, Voice.SNARE) for b in (0, 1, 2, 3))
    chart = Chart(SongMeta("c", "C"), tempo, (), {("p1", "expert"): notes,
                                                 ("p2", "expert"): notes})
    evs = [HitEvent(0, t, Voice.SNARE) for t in (0.0, 0.5, 1.5)]
    reports = []
    for rate in (1000.0, 30.0, 1.0):
        s, _ = stream(chart, evs, rate, np.random.default_rng(0), "one")
        reports.append(session_report(s)["players"][0])
    reports.append(session_report(judge_performance(chart, PLAYERS, evs))["players"][0])
    for r in reports:
        assert (r["combo"], r["max_combo"], r["score"]) == (1, 2, 900)
        assert r["judgements"]["miss"] == 1


def long_chart(n: int, bpm: float = 120.0) -> Chart:
    tempo = TempoMap.constant(bpm)
    cycle = (Voice.KICK, Voice.HIHAT_CLOSED, Voice.SNARE, Voice.HIHAT_CLOSED)
    notes = [make_note(tempo, k * 0.5, cycle[k % 4], accent=k % 8 == 0) for k in range(n)]
    notes += [make_note(tempo, k * 0.5, Voice.CRASH) for k in range(0, n, 16)]
    ns = sort_notes(notes)
    return Chart(SongMeta("long", "Long"), tempo, (), {("p1", "expert"): ns,
                                                       ("p2", "expert"): ns})


def test_perfect_autoplay_both() -> None:
    chart = long_chart(400)
    notes = chart.notes("p1", "expert")
    evs = autoplay(notes, player=0) + autoplay(notes, player=1)
    for s in (judge_performance(chart, PLAYERS, evs),
              stream(chart, evs, 60.0, np.random.default_rng(1), "batches")[0]):
        for p in (0, 1):
            stats = s.player_stats(p)
            assert stats.perfect == len(notes)
            assert stats.great == stats.good == stats.miss == stats.strays == 0
            assert stats.accuracy == 1.0
            assert stats.combo == stats.max_combo == len(notes)
            assert stats.mean_offset_ms == 0.0
            assert stats.unstable_rate == 0.0
            assert stats.accent_hits == stats.accent_notes == 50
        d = s.duet()
        assert d.sync_spread_ms == 0.0
        assert d.mean_asynchrony_ms == 0.0
        assert d.in_sync_rate == 1.0
        assert d.phase_lock == (1.0, 1.0)
        assert d.accent_agreement == 1.0
        assert d.team_score == 1_000_000
        report = session_report(s)
        assert report["players"][0]["name"] == "Ana"
        assert report["players"][0]["notes"] == len(notes)
        assert report["duet"]["sync_grades"]["locked"] == d.shared_times == 400


def test_humanised_bot_unstable_rate() -> None:
    chart = long_chart(3000)
    notes = chart.notes("p1", "expert")
    evs = (HumanBot(sd_ms=20.0, seed=7).play(notes, player=0)
           + HumanBot(sd_ms=5.0, bias_ms=10.0, seed=8).play(notes, player=1))
    s = judge_performance(chart, PLAYERS, evs)
    ur = s.player_stats(0).unstable_rate
    assert ur == pytest.approx(200.0, rel=0.10)
    assert s.player_stats(1).unstable_rate == pytest.approx(50.0, rel=0.10)
    assert s.player_stats(1).mean_offset_ms == pytest.approx(10.0, abs=1.0)
    assert abs(s.player_stats(0).mean_offset_ms) < 2.0
