"""What a play writes: results JSON, replay, stats JSON, input log — flushed however it ends."""

from __future__ import annotations

import json
import statistics
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from game.engine.events import HitEvent
from game.engine.replay import Replay
from game.engine.report import session_report
from game.engine.session import Session
from game.formats.replay_file import save_replay
from game.input.capture import Capture
from game.live.sources import LIVE_LATE_INPUT_S
from game.util.fileio import write_text_atomic


def _summary_ms(values_s: list[float]) -> dict[str, float | None]:
    if not values_s:
        return {"p50": None, "p99": None, "max": None}
    ms = sorted(v * 1e3 for v in values_s)
    return {"p50": round(statistics.median(ms), 4),
            "p99": round(ms[min(len(ms) - 1, int(0.99 * len(ms)))], 4),
            "max": round(ms[-1], 4)}


@dataclass
class PlayOutputs:
    """Collects a play's record and writes the files the command line asked for."""

    results_json: str | None = None
    record: str | None = None
    stats_json: str | None = None
    input_log: str | None = None
    #: Every stroke in the order the session was fed, and the song clock it had
    #: reached then (the replay repeats the run step for step).
    events: list[HitEvent] = field(default_factory=list)
    fed_at_s: list[float] = field(default_factory=list)
    frame_times_s: list[float] = field(default_factory=list)
    draw_times_s: list[float] = field(default_factory=list)
    flip_times_s: list[float] = field(default_factory=list)
    poll_intervals_s: list[float] = field(default_factory=list)
    frames: int = 0
    last_report: dict[str, Any] = field(default_factory=dict)
    midi_delays_s: list[float] = field(default_factory=list)
    _log: IO[str] | None = None
    _closed: bool = False
    _log_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def open(self) -> None:
        """Open the input log (line-buffered JSON lines) if one was asked for."""
        if self.input_log:
            Path(self.input_log).parent.mkdir(parents=True, exist_ok=True)
            self._log = open(self.input_log, "w", encoding="utf-8", buffering=1)  # noqa: SIM115

    def fed(self, event: HitEvent, clock_s: float) -> None:
        """Record a stroke the session is about to be fed at song clock ``clock_s``
        (call under the session's lock)."""
        self.events.append(event)
        self.fed_at_s.append(clock_s)

    def clear_record(self) -> None:
        """Forget the strokes recorded so far (a restart)."""
        self.events.clear()
        self.fed_at_s.clear()

    def captured(self, c: Capture) -> None:
        """Log one captured input (bound or not)."""
        if self._log is None:  # no input log asked for (the usual case): nothing to build
            return
        line = json.dumps(c.as_log()) + "\n"
        with self._log_lock:  # keyboard (main thread) and kits (their threads) both log
            if self._log is not None:
                self._log.write(line)

    def close(self, session: Session) -> dict[str, Any]:
        """Write everything (once); returns the results report."""
        if self._closed:
            return self.last_report
        self._closed = True
        with self._log_lock:
            if self._log is not None:
                self._log.flush()
                self._log.close()
                self._log = None
        report = session_report(session)
        if self.results_json:
            # UTF-8 as is: names in any script stay readable in the file
            write_text_atomic(self.results_json,
                              json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        if self.record:
            save_replay(Replay.of_session(session, self.events, self.fed_at_s), self.record)
        self.last_report = report
        return report

    def write_stats(self) -> None:
        """Write the stats JSON (frames, frame time and input polling interval).

        Called by whoever ran the loop, once its figures are in.
        """
        if self.stats_json:
            stats = {"frames": self.frames,
                     "frame_time_ms": _summary_ms(self.frame_times_s),
                     "draw_time_ms": _summary_ms(self.draw_times_s),
                     "flip_time_ms": _summary_ms(self.flip_times_s),
                     "input_poll_interval_ms": _summary_ms(self.poll_intervals_s),
                     # kit strokes: arrival stamp -> judged by the engine
                     "midi_to_engine_ms": _summary_ms(self.midi_delays_s),
                     "midi_strokes": len(self.midi_delays_s),
                     # strokes that reached the engine so late that their note may
                     # already have been missed (a stalled machine): counted, not
                     # hidden. A kit's stroke is stamped its latency early and its
                     # margin is the live margin plus that latency, so it is late
                     # when its own delay passes the live margin, whatever the kit.
                     "midi_strokes_fed_late": sum(
                         d > LIVE_LATE_INPUT_S for d in self.midi_delays_s)}
            write_text_atomic(self.stats_json, json.dumps(stats, indent=2) + "\n")
