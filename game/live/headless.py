"""``play --headless`` with a MIDI kit: real time on the song clock, no window, no sound.

The kit's strokes are stamped and judged on its reading thread as they
arrive; this loop only plays the other (scripted) player on time and misses
the notes that pass. Kit notices (lost, back) go to stderr.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from game.audio.clock import SongClock
from game.engine.chart import Chart
from game.engine.session import PlayerSetup
from game.engine.windows import HitWindows
from game.live.kit_player import kit_setups
from game.live.live_play import LivePlay
from game.live.outputs import PlayOutputs
from game.live.sources import SourceSpec
from game.live.stop import StopFlag

#: How long the loop sleeps between pumps (the kits do not wait for it).
PUMP_S = 0.002
#: How long to wait for the kits to connect before the countdown starts.
CONNECT_WAIT_S = 5.0


def _say(text: str) -> None:
    print(f"drum-diplomacy: {text}", file=sys.stderr, flush=True)


def play_live_headless(chart: Chart, setups: tuple[PlayerSetup, PlayerSetup],
                       specs: tuple[SourceSpec, SourceSpec], windows: HitWindows,
                       outputs: PlayOutputs, cfg: Any) -> dict[str, Any]:
    """Play ``chart`` in real time with at least one kit; returns the report."""

    settings = _settings()
    kits, warnings = kit_setups(specs, settings=settings, kitmap=cfg.kitmap)
    for w in warnings:
        _say(w)
    clock = SongClock()
    outputs.open()
    live = LivePlay(chart, setups, specs, windows, outputs, to_song_time=clock.to_song_time,
                    kits=kits)
    live.start()
    shown: dict[int, int] = {}
    try:
        deadline = time.monotonic() + CONNECT_WAIT_S
        while time.monotonic() < deadline and not all(k.connected for k in live.kits.values()):
            time.sleep(0.01)
        shown = _notices(live, shown)
        clock.start(-cfg.lead_in_s)
        live.begin()
        t0 = time.perf_counter()
        # (for tools that send in time with the song: song time 0 on the shared
        # perf_counter clock, CLOCK_MONOTONIC on Linux)
        _say(f"song clock zero at perf_counter {t0 - clock.to_song_time(t0):.6f}")
        end_s = chart.length_s + 1.0
        stopped = False
        with StopFlag() as stop:
            while True:
                now_s = clock.now()
                live.pump(now_s)
                shown = _notices(live, shown)
                if stop.requested or (cfg.max_seconds is not None
                                      and time.perf_counter() - t0 >= cfg.max_seconds):
                    stopped = True
                    break
                if now_s >= end_s:
                    break
                time.sleep(PUMP_S)
        if not stopped:
            live.finish()
        live.accepting = False
    finally:
        live.close()
    report = outputs.close(live.session)
    outputs.write_stats()
    return report


def _notices(live: LivePlay, shown: dict[int, int]) -> dict[int, int]:
    """Print each kit's notices not printed yet."""
    for player, kit in live.kits.items():
        notes = kit.notices[shown.get(player, 0):]
        for _, text in notes:
            _say(text)
        shown[player] = shown.get(player, 0) + len(notes)
    return shown


def _settings() -> Any:
    """The person's settings (for device latencies), or None if there are none."""
    try:
        from game.store.paths import settings_path
        from game.store.settings import load_settings

        path = settings_path()
        if not path.exists():
            return None
        settings, warnings = load_settings(path)
        for w in warnings:
            _say(w)
        return settings
    except Exception as exc:
        _say(f"settings unavailable ({exc}); no device latencies")
        return None
