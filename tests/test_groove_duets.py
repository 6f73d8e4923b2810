"""Duet metrics on real human timing: pairs of drummers from the Groove MIDI Dataset.

Each of the 10 grooves was recorded by 4 drummers alone to the same click on a
Roland TD-11. A chart quantised from one drummer's take, played by another
drummer's take, is a duet of two real players who never heard each other.
"""

from __future__ import annotations

import itertools
import statistics

import pytest

from game.engine.session import PlayerSetup, Session
from game.engine.voices import KIT_9
from game.formats.hits import load_hits_midi
from game.formats.midi_import import import_midi

DRUMMERS = ("drummer1", "drummer5", "drummer7", "drummer8")

pytestmark = pytest.mark.groove


def _take(groove_dir, drummer: str, number: int):
    (path,) = (groove_dir / drummer / "eval_session").glob(f"{number}_*.mid")
    return path


def _duet(groove_dir, number: int, a: str, b: str):
    chart = import_midi(_take(groove_dir, a, number), quantize="1/16")
    setups = (PlayerSetup("p1", "expert", KIT_9), PlayerSetup("p2", "expert", KIT_9))
    session = Session(chart, setups)
    session.feed_many(load_hits_midi(_take(groove_dir, a, number), player=0)
                      + load_hits_midi(_take(groove_dir, b, number), player=1))
    session.finish()
    return session


def test_sixty_pairs_of_professionals_look_like_professionals(groove):
    """Every pair of drummers on every groove: the spread lands where research puts it.

    Reference (research notes, same data, slot-binned method): median sync
    spread 20 ms (12-34 ms), median in-sync rate 58 %.
    """
    spreads, rates, leaders = [], [], []
    for number in range(1, 11):
        for a, b in itertools.combinations(DRUMMERS, 2):
            duet = _duet(groove, number, a, b).duet()
            assert duet.shared_notes >= 20, (number, a, b)
            spreads.append(duet.sync_spread_ms)
            rates.append(duet.in_sync_rate)
            leaders.append(duet.leader)
    assert len(spreads) == 60
    assert 12 <= statistics.median(spreads) <= 32
    assert 0.35 <= statistics.median(rates) <= 0.8
    assert min(spreads) > 3 and max(spreads) < 80
    # they recorded alone: coupling should rarely be detected
    assert sum(1 for x in leaders if x is not None) <= 20


def test_a_drummer_against_their_own_quantised_take(groove):
    """The chart is the drummer's own take snapped to the grid: nothing is missed."""
    session = _duet(groove, 2, "drummer7", "drummer7")
    p1, p2 = session.player_stats(0), session.player_stats(1)
    assert p1 == p2
    assert p1.miss <= 0.01 * p1.judged
    assert p1.perfect + p1.great >= 0.9 * p1.judged
    duet = session.duet()
    assert duet.sync_spread_ms == 0.0 and duet.in_sync_rate == 1.0
    # a real drummer against a grid: an unstable rate of tens of ms, not zero
    assert 50 < p1.unstable_rate < 300


def test_live_meter_follows_the_song(groove):
    """The rolling 8-beat window sees only recent shared notes, all through the song."""
    chart = import_midi(_take(groove, "drummer1", 7), quantize="1/16")
    setups = (PlayerSetup("p1", "expert", KIT_9), PlayerSetup("p2", "expert", KIT_9))
    session = Session(chart, setups)
    events = sorted(load_hits_midi(_take(groove, "drummer1", 7), player=0)
                    + load_hits_midi(_take(groove, "drummer8", 7), player=1),
                    key=lambda e: e.time_s)
    tempo = chart.tempo
    now, i, windows_seen = 0.0, 0, 0
    while now < chart.length_s + 1:
        now += 1 / 60
        while i < len(events) and events[i].time_s <= now:
            session.feed(events[i])
            i += 1
        session.advance(now)
        live = session.live_duet()
        start = tempo.seconds_at(tempo.beat_at(now) - 8)
        assert all(start <= t <= now for t, _ in live.asynchronies)
        if live.shared_notes:
            windows_seen += 1
            assert live.shared_notes <= 8 * 4 + 1  # at most one per 16th in 8 beats
    assert windows_seen > 60 * 10
