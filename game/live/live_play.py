"""A song played live: the session, its lock, scripted players and kit players.

Shared by the gameplay scene (with a window) and ``play --headless`` with a
kit (no window, no sound): both pump it with the song clock, and kits feed it
from their own threads.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable, Mapping
from typing import Any

from game.engine.chart import Chart
from game.engine.events import HitEvent, Judgement
from game.engine.frame import LiveFrame, take_frame
from game.engine.judging import JudgeSettings
from game.engine.session import PlayerSetup, Session
from game.engine.windows import HitWindows
from game.live.kit_player import KitPlayer, KitSetup
from game.live.outputs import PlayOutputs
from game.live.realtime import settle_for_realtime
from game.live.sources import LIVE_LATE_INPUT_S, LiveSource, SourceSpec, scripted_events


def live_margins(specs: tuple[SourceSpec, SourceSpec], sources: Mapping[int, LiveSource],
                 ) -> tuple[float, float]:
    """Each player's late margin (s): a live player's strokes may reach the engine
    this late (the live margin plus their source's latency: a kit's calibrated
    latency, a remote partner's network trip); a scripted player's (autoplay, bot,
    replay) are fed on time, so theirs is 0.
    """
    def margin(player: int) -> float:
        if not specs[player].live:
            return 0.0
        source = sources.get(player)
        return LIVE_LATE_INPUT_S + (source.latency_s if source is not None else 0.0)

    return margin(0), margin(1)


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
        self.outputs = outputs
        self.on_judged = on_judged
        # One lock guards the session and the record: kit threads feed under it,
        # the main thread pumps scripted players, advances the clock and takes
        # its per-frame snapshot under it (see docs/architecture.md).
        self.lock = threading.Lock()
        self.accepting = False  # the owner says when (after its clock has started)
        self.kits: dict[int, KitPlayer] = {}
        for player, setup in (kits or {}).items():
            kit = KitPlayer(player, setup, setups[player].layout, to_song_time=to_song_time,
                            feed=self.feed, capture=outputs.captured,
                            opener=(openers or {}).get(player))
            kit.engine_delays_s = outputs.midi_delays_s
            self.kits[player] = kit
        # the kits are the sources feeding strokes from their own threads (a
        # LiveSource each; another kind of source would join them here)
        self.settings = JudgeSettings(windows, late_input_s=live_margins(specs, self.kits))
        self.reset()

    def reset(self) -> None:
        """A fresh session from the start (a restart keeps the kits connected)."""
        chart, setups = self.chart, self.setups
        scripted = [scripted_events(s, player=i, chart=chart, setup=setups[i])
                    if not s.live else [] for i, s in enumerate(self.specs)]
        with self.lock:
            self.session = Session(chart, setups, self.settings)
            self._queue = sorted((e for evs in scripted for e in evs), key=lambda e: e.time_s)
            self._queue_times = [e.time_s for e in self._queue]
            self._q_next = 0
            self.outputs.clear_record()

    def begin(self) -> None:
        """The song clock has just started: settle the process for steady input timing
        (everything loaded so far, this song included, out of the collector's way)
        and start taking strokes."""
        settle_for_realtime()
        self.accepting = True

    def start(self) -> LivePlay:
        """Start receiving strokes from the live sources (the kits)."""
        for source in self.kits.values():
            source.start()
        return self

    def close(self) -> None:
        """Stop receiving strokes from the live sources."""
        for source in self.kits.values():
            source.close()

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
            self.outputs.fed(event, self.session.now_s)
            j = self.session.feed(event)
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
                self.outputs.fed(event, self.session.now_s)  # the replay holds what was played
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

    def frame(self, *, recent_offsets: int) -> LiveFrame:
        """What the screen draws this frame, copied under the lock (see
        :mod:`game.live.frame`)."""
        with self.lock:
            return take_frame(self.session, recent_offsets=recent_offsets)
