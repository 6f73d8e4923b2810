"""The rolling duet window: kept up to date incrementally, equal to the from-scratch figures.

``DuetTracker.stats`` over a window that slides forward (the live meter's last
beats, once a frame) follows the window instead of recomputing it; these tests
feed random duets and compare it with ``stats_from_scratch`` (the reference) at
many window positions, float for float (``==``, never approximately): small
steps, jumps, windows that shrink or end before they start, the whole song
(``-inf`` start), an open end, and moves back.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.engine.bot import HumanBot
from game.engine.chart import Chart, Note, SongMeta, make_note, sort_notes
from game.engine.events import GOOD, GREAT, MISS, PERFECT, Judgement
from game.engine.session import LIVE_WINDOW_BEATS, Session
from game.engine.sync import DuetTracker
from game.engine.sync_figures import DuetStats
from game.engine.sync_window import PhaseLockWindow
from game.engine.tempo import MeterChange, TempoChange, TempoMap
from game.engine.voices import Voice

#: a tempo change mid-song, so beat lengths (phase lock) and the window's length vary
TEMPO = TempoMap([TempoChange(0.0, 120.0), TempoChange(24.0, 165.0)], [MeterChange(1, 4, 4)])
VOICES = (Voice.KICK, Voice.SNARE, Voice.HIHAT_CLOSED)
GRID_BEATS = 0.25  #: one slot every 16th note
LATE_JUDGING_S = 0.15  #: a miss is judged this long after its note


@dataclass
class Duet:
    """Both players' notes and every judgement, with when it is judged (s)."""

    notes: tuple[tuple[Note, ...], tuple[Note, ...]]
    judgements: list[tuple[float, Judgement]]


def random_duet(seed: int, slots: int) -> Duet:
    """Random parts on a 16th grid (shared and lone notes, chords, accents) and their playing.

    Hits are judged at their time (a few fed early, ahead of the clock), misses
    a little after the note, and now and then a judgement comes seconds late, so
    the hit record is not in note-time order.
    """
    rng = random.Random(seed)
    parts: list[list[Note]] = [[], []]
    for k in range(slots):
        for p in (0, 1):
            for v in VOICES:
                if rng.random() < 0.45:
                    parts[p].append(make_note(TEMPO, k * GRID_BEATS, v,
                                              accent=rng.random() < 0.2))
    notes = (sort_notes(parts[0]), sort_notes(parts[1]))
    judged: list[tuple[float, Judgement]] = []
    for p in (0, 1):
        for i, n in enumerate(notes[p]):
            r = rng.random()
            if r < 0.05:
                continue  # never judged
            if r < 0.15:
                j = Judgement(p, MISS, i, n.time_s, None, 0)
                at = n.time_s + LATE_JUDGING_S
            else:
                hit = n.time_s + rng.gauss(0.0, 0.02)
                j = Judgement(p, rng.choice((GOOD, GREAT, PERFECT)), i, n.time_s, hit, 0,
                              velocity=100, accent_hit=n.accent and rng.random() < 0.7)
                at = hit - (0.3 if rng.random() < 0.05 else 0.0)
            if rng.random() < 0.03:
                at += rng.uniform(0.5, 4.0)  # a straggler
            judged.append((at, j))
    judged.sort(key=lambda x: x[0])
    return Duet(notes, judged)


class Player:
    """Feeds a :class:`Duet` to a tracker as a session would (hits recorded as judged)."""

    def __init__(self, duet: Duet) -> None:
        self.duet = duet
        self.tracker = DuetTracker(duet.notes, TEMPO)
        self.offsets: tuple[list[tuple[float, float]], list[tuple[float, float]]] = ([], [])
        self._next = 0

    def feed_until(self, t: float) -> None:
        judged = self.duet.judgements
        while self._next < len(judged) and judged[self._next][0] <= t:
            j = judged[self._next][1]
            self.tracker.apply(j)
            if j.grade >= GOOD:
                assert j.hit_time_s is not None and j.note_time_s is not None
                self.offsets[j.player].append((j.note_time_s, j.hit_time_s - j.note_time_s))
            self._next += 1

    def both(self, start_s: float, end_s: float,
             accuracies: tuple[float, float] = (0.9, 0.8)) -> tuple[DuetStats, DuetStats]:
        """``stats`` and ``stats_from_scratch`` over ``[start_s, end_s]``."""
        kw = {"accuracies": accuracies, "hit_offsets": self.offsets,
              "start_s": start_s, "end_s": end_s}
        return self.tracker.stats(**kw), self.tracker.stats_from_scratch(**kw)


# window moves: how far the clock moves (s), how long the window is (s, negative: it ends
# before it starts), and its kind
STEPS = st.one_of(st.floats(0.0, 1 / 30), st.floats(0.0, 0.5), st.floats(0.0, 8.0),
                  st.floats(-2.0, 0.0))
WIDTHS = st.one_of(st.just(4.0), st.floats(0.0, 6.0), st.floats(-1.0, 0.0))
KINDS = st.sampled_from(("window",) * 6 + ("whole", "open end", "shrink"))


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), slots=st.integers(0, 160),
       moves=st.lists(st.tuples(STEPS, WIDTHS, KINDS), min_size=1, max_size=60))
def test_rolling_window_equals_from_scratch(seed: int, slots: int,
                                            moves: list[tuple[float, float, str]]) -> None:
    play = Player(random_duet(seed, slots))
    now = -1.0
    start = -math.inf
    for step, width, kind in moves:
        now += step
        play.feed_until(now + 0.05)  # a hit may be fed a little ahead of the clock
        if kind == "whole":
            live, ref = play.both(-math.inf, now)
        elif kind == "open end":
            live, ref = play.both(now - width, math.inf)
        elif kind == "shrink":  # the start catches up with (or passes) the end
            start = max(start, now - abs(width) / 8)
            live, ref = play.both(start, now)
        else:
            start = now - width
            live, ref = play.both(start, now)
        assert live == ref


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), fps=st.sampled_from((30.0, 60.0, 144.0)))
def test_frame_by_frame_live_window(seed: int, fps: float) -> None:
    """The game loop's use: 8 beats back from the clock, every frame, to the song's end."""
    play = Player(random_duet(seed, 120))
    end = max((ns[-1].time_s for ns in play.duet.notes if ns), default=0.0) + 5.0
    frames = math.ceil((end + 0.5) * fps)
    for f in range(frames):
        now = -0.5 + f / fps
        play.feed_until(now)
        start = TEMPO.seconds_at(TEMPO.beat_at(now) - LIVE_WINDOW_BEATS)
        live, ref = play.both(start, now)
        assert live == ref
    whole, whole_ref = play.both(-math.inf, math.inf)
    assert whole == whole_ref


def test_each_frame_only_follows_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """A window moving forward never recomputes from scratch; a move back does, once."""
    play = Player(random_duet(7, 96))
    scratch = 0
    original = DuetTracker.stats_from_scratch

    def counting(self: DuetTracker, **kw: object) -> DuetStats:
        nonlocal scratch
        scratch += 1
        return original(self, **kw)

    for k in range(300):
        now = k / 60
        play.feed_until(now)
        start = TEMPO.seconds_at(TEMPO.beat_at(now) - LIVE_WINDOW_BEATS)
        live, ref = play.both(start, now)
        assert live == ref
    monkeypatch.setattr(DuetTracker, "stats_from_scratch", counting)
    kw = {"accuracies": (1.0, 1.0), "hit_offsets": play.offsets}
    play.tracker.stats(start_s=4.5, end_s=5.0, **kw)
    assert scratch == 0
    play.tracker.stats(start_s=1.0, end_s=2.0, **kw)  # back
    assert scratch == 1
    play.tracker.stats(start_s=1.0, end_s=2.5, **kw)  # on from there
    assert scratch == 1


def test_other_hit_lists_are_followed_afresh() -> None:
    """Copies of the hit record (not the list followed so far) still give exact figures."""
    play = Player(random_duet(11, 96))
    for k in range(240):
        now = k / 30
        play.feed_until(now)
        copies = (list(play.offsets[0]), list(play.offsets[1]))
        kw = {"accuracies": (1.0, 0.5), "hit_offsets": copies, "start_s": now - 2.0,
              "end_s": now}
        assert play.tracker.stats(**kw) == play.tracker.stats_from_scratch(**kw)


def test_phase_lock_window_stops_where_the_walk_stops() -> None:
    """A hit recorded late with an old note time hides every hit judged before it."""
    follower = PhaseLockWindow(TEMPO.beat_length_at_s)
    offsets = [(t / 10, 0.01 * (t % 3)) for t in range(40)]
    follower.reset(offsets)
    assert follower.advance(offsets, 2.0, 3.0)[2] == 11  # note times 2.0 ... 3.0
    offsets.append((0.5, 0.0))  # before the walk's stop (2.0 - 1.0): the walk ends there
    assert follower.follows(offsets)
    assert follower.advance(offsets, 2.0, 3.0) == (0.0, 0.0, 0)
    offsets.append((2.5, 0.02))
    phi = 2 * math.pi * 0.02 / TEMPO.beat_length_at_s(2.5)
    assert follower.advance(offsets, 2.0, 3.0) == (math.cos(phi), math.sin(phi), 1)
    assert not follower.follows(list(offsets))


def test_session_live_duet_matches_from_scratch_on_a_busy_duet() -> None:
    """Bots on a busy chart, fed as the game loop does: live figures equal the reference's."""
    notes = [make_note(TEMPO, k / 4, v, accent=k % 4 == 0) for k in range(160) for v in VOICES]
    part = sort_notes(notes)
    chart = Chart(SongMeta("busy", "Busy"), TEMPO, (),
                  {("p1", "expert"): part, ("p2", "expert"): part})
    session = Session(chart)
    evs = (HumanBot(sd_ms=20, miss_rate=0.05, seed=1).play(session.notes[0], player=0)
           + HumanBot(sd_ms=20, bias_ms=12, drift_ms=8, miss_rate=0.05, seed=2).play(
               session.notes[1], player=1))
    evs.sort(key=lambda e: e.time_s)
    tracker = session.duet_tracker
    k = 0
    busiest = 0
    for f in range(-30, 60 * 40):
        now = f / 60
        while k < len(evs) and evs[k].time_s <= now:
            session.feed(evs[k])
            k += 1
        session.advance(now)
        live = session.live_duet()
        start = TEMPO.seconds_at(TEMPO.beat_at(session.now_s) - LIVE_WINDOW_BEATS)
        offsets = (session.scores[0].offsets, session.scores[1].offsets)
        accuracies = (session.scores[0].accuracy, session.scores[1].accuracy)
        assert live == tracker.stats_from_scratch(accuracies=accuracies, hit_offsets=offsets,
                                                  start_s=start, end_s=session.now_s)
        busiest = max(busiest, live.shared_notes)
    assert busiest >= 31  # enough shared notes in the window for the leader to be worked out
