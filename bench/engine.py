"""Engine benchmark: live cost per hit event, and scoring a one-hour duet.

Run: ``python bench/engine.py``. Prints figures; asserts nothing.

* live: a :class:`Session` fed one event at a time, the song clock advanced to
  each event's time (as the game does at 1 kHz), per event in microseconds;
  also the cost of one rolling ``live_duet()`` query (once per drawn frame).
* batch: a one-hour chart, both players at 10 notes/s (36,000 notes each),
  humanised bots; time to judge everything and build the report.
Targets (issue 2): <= 5 us per live event; one-hour chart in <= 1 s.
"""

from __future__ import annotations

import statistics
import time

from game.engine.bot import HumanBot
from game.engine.chart import Chart, SongMeta, make_note, sort_notes
from game.engine.report import session_report
from game.engine.session import PlayerSetup, Session, judge_performance
from game.engine.tempo import TempoMap
from game.engine.voices import KIT_9, Voice

PATTERN = (Voice.KICK, Voice.HIHAT_CLOSED, Voice.SNARE, Voice.HIHAT_CLOSED,
           Voice.TOM_HIGH, Voice.HIHAT_OPEN, Voice.SNARE, Voice.RIDE)


def hour_chart(notes_per_s: float = 10.0, seconds: float = 3600.0) -> Chart:
    """Sixteenth notes at 150 BPM = 10 notes/s, one voice per slot."""
    bpm = notes_per_s * 60 / 4
    tempo = TempoMap.constant(bpm)
    n = int(seconds * notes_per_s)
    p1 = sort_notes([make_note(tempo, i / 4, PATTERN[i % 8], accent=i % 16 == 0)
                     for i in range(n)])
    p2 = sort_notes([make_note(tempo, i / 4, PATTERN[(i + 2) % 8]) for i in range(n)])
    return Chart(SongMeta("bench-hour", "Bench hour"), tempo, (),
                 {("p1", "expert"): p1, ("p2", "expert"): p2})


def main() -> None:
    """Run the benchmarks and print the figures."""
    t0 = time.perf_counter()
    chart = hour_chart()
    build_s = time.perf_counter() - t0
    setups = (PlayerSetup("p1", layout=KIT_9), PlayerSetup("p2", layout=KIT_9))
    ev1 = HumanBot(sd_ms=18, miss_rate=0.03, stray_rate=0.01, seed=1).play(
        chart.notes("p1", "expert"), player=0)
    ev2 = HumanBot(sd_ms=22, bias_ms=4, miss_rate=0.03, stray_rate=0.01, seed=2).play(
        chart.notes("p2", "expert"), player=1)
    events = sorted(ev1 + ev2, key=lambda e: e.time_s)
    n_notes = sum(len(chart.notes(p, "expert")) for p in ("p1", "p2"))
    print(f"chart: 1 hour, {n_notes:,} notes (2 x 10 notes/s), {len(events):,} hit events; "
          f"built in {build_s:.2f} s")

    # live: one event at a time, clock advanced to each event
    runs = []
    for _ in range(5):
        session = Session(chart, setups)
        feed, advance = session.feed, session.advance
        t0 = time.perf_counter()
        for e in events:
            feed(e)
            advance(e.time_s)
        session.finish()
        runs.append((time.perf_counter() - t0) / len(events) * 1e6)
    print(f"live Session, per hit event (feed + advance): best {min(runs):.2f} us, median "
          f"{statistics.median(runs):.2f} us of {len(runs)} runs — target <= 5 us")

    # rolling sync meter query, as drawn once per frame mid-song
    session = Session(chart, setups)
    half = len(events) // 2
    for e in events[:half]:
        session.feed(e)
    session.advance(events[half].time_s)
    q = []
    for _ in range(200):
        t0 = time.perf_counter()
        session.live_duet()
        q.append((time.perf_counter() - t0) * 1e6)
    q.sort()
    print(f"live_duet() over the last 8 beats, mid-song: median {q[100]:.0f} us, "
          f"p99 {q[197]:.0f} us")

    # batch: judge the whole hour and build the report
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        session = judge_performance(chart, setups, events)
        report = session_report(session)
        times.append(time.perf_counter() - t0)
    d = report["duet"]
    print(f"score one-hour duet (judge + report): best {min(times):.3f} s, median "
          f"{statistics.median(times):.3f} s of {len(times)} runs — target <= 1 s")
    print(f"  sanity: P1 acc {report['players'][0]['accuracy']:.4f}, P2 acc "
          f"{report['players'][1]['accuracy']:.4f}, shared notes {d['shared_notes']:,}, "
          f"spread {d['sync_spread_ms']:.1f} ms")


if __name__ == "__main__":
    main()
