"""A song played live: the session, its lock, scripted players and kit players.

Shared by the gameplay scene (with a window) and ``play --headless`` with a
kit (no window, no sound): both pump it with the song clock, and kits feed it
from their own threads.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from game.app.kit_player import KitPlayer, KitSetup
from game.app.outputs import PlayOutputs
from game.app.realtime import settle_for_realtime
from game.app.sources import SourceSpec, scripted_events
from game.engine.chart import Chart
from game.engine.events import HitEvent, Judgement
from game.engine.session import PlayerSetup, Session
from game.engine.windows import HitWindows

#: Live play: notes are missed only once an input stamped this much earlier
#: can no longer arrive (device latency compensation makes inputs land late).
LIVE_LATE_INPUT_S = 0.05


class LivePlay:
    """One live performance of a chart.

    Parameters
    ----------
    chart, setups, specs, windows, outputs
        As for the gameplay scene.
    to_song_time : callable
        ``f(perf_s) -> song seconds``: the song clock (read at call time, so
        the owner may replace its clock).
    kits : dict of int to KitSetup
        The players on MIDI kits and how their kits are read.
    openers : dict of int to callable, optional
        Open a player's port another way (a virtual kit in tests and benches).
    on_judged : callable, optional
        ``f(Judgement)`` after every judgement, on the thread that made it.
    """

    def __init__(self, chart: Chart, setups: tuple[PlayerSetup, PlayerSetup],
                 specs: tuple[SourceSpec, SourceSpec], windows: HitWindows,
                 outputs: PlayOutputs, *, to_song_time: Callable[[float], float],
                 kits: dict[int, KitSetup] | None = None,
                 openers: dict[int, Callable[[], Any]] | None = None,
                 on_judged: Callable[[Judgement], None] | None = None) -> None:
        self.chart, self.setups, self.specs = chart, setups, specs
        self.windows = windows
        self.outputs = outputs
        self.on_judged = on_judged
        self.lock = threading.Lock()
        self.accepting = False  # the owner says when (after its clock has started)
        # a stroke stamped up to this much before its note's window closes still
        # counts: the live margin plus the slowest kit's calibrated latency
        self.late_input_s = LIVE_LATE_INPUT_S + max(
            [0.0, *(k.latency_s for k in (kits or {}).values())])
        outputs.late_input_s = self.late_input_s
        self.kits: dict[int, KitPlayer] = {}
        for player, setup in (kits or {}).items():
            kit = KitPlayer(player, setup, setups[player].layout, to_song_time=to_song_time,
                            feed=self.feed, capture=outputs.captured,
                            opener=(openers or {}).get(player))
            kit.engine_delays_s = outputs.midi_delays_s
            self.kits[player] = kit
        self.reset()

    def reset(self) -> None:
        """A fresh session from the start (a restart keeps the kits connected)."""
        chart, setups = self.chart, self.setups
        scripted = [scripted_events(s, player=i, chart=chart, setup=setups[i])
                    if not s.live else [] for i, s in enumerate(self.specs)]
        with self.lock:
            self.session = Session(chart, setups, windows=self.windows,
                                   late_input_s=self.late_input_s)
            self._queue = sorted((e for evs in scripted for e in evs), key=lambda e: e.time_s)
            self._queue_times = [e.time_s for e in self._queue]
            self._q_next = 0
            self.outputs.events.clear()

    def begin(self) -> None:
        """The song clock has just started: settle the process for steady input timing
        (everything loaded so far, this song included, out of the collector's way)
        and start taking strokes."""
        settle_for_realtime()
        self.accepting = True

    def start(self) -> LivePlay:
        """Start reading the kits."""
        for kit in self.kits.values():
            kit.start()
        return self

    def close(self) -> None:
        """Stop reading the kits."""
        for kit in self.kits.values():
            kit.close()

    def keyboard_plays(self, player: int) -> bool:
        """Whether ``player``'s keyboard keys count: a keyboard player, or a kit
        player whose kit is unplugged (keyboard fallback)."""
        spec = self.specs[player]
        if spec.kind == "keyboard":
            return True
        kit = self.kits.get(player)
        return kit is not None and not kit.connected

    def feed(self, event: HitEvent) -> Judgement | None:
        """Judge a live stroke (any thread). None while not accepting (paused)."""
        with self.lock:
            if not self.accepting:
                return None
            j = self.session.feed(event)
            self.outputs.events.append(event)
        if self.on_judged is not None:
            self.on_judged(j)
        return j

    def pump(self, now_s: float) -> None:
        """Play the scripted players' strokes due by ``now_s``; miss what passed."""
        judged: list[Judgement] = []
        with self.lock:
            hi = bisect_right(self._queue_times, now_s)
            while self._q_next < hi:
                event = self._queue[self._q_next]
                self.outputs.events.append(event)  # the replay holds what was played
                judged.append(self.session.feed(event))
                self._q_next += 1
            judged += self.session.advance(now_s)
        if self.on_judged is not None:
            for j in judged:
                self.on_judged(j)

    def finish(self) -> None:
        """The song ended: every note still open is missed; no stroke counts after."""
        with self.lock:
            self.accepting = False
            judged = self.session.finish()
        if self.on_judged is not None:
            for j in judged:
                self.on_judged(j)

    def live_duet(self) -> Any:
        """The engine's rolling duet figures (under the lock)."""
        with self.lock:
            return self.session.live_duet()
