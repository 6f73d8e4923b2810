"""Replays: every input of both players, the chart's hash and the judge settings.

A replay is a JSON document (``.ddreplay``)::

    {"format": "drum-diplomacy-replay", "version": 2,
     "chart": {"id": "...", "hash": "<sha256 of the judged content>"},
     "settings": {"windows_s": {...}, "accent_velocity": 100,
                  "late_input_s": [0.05, 0.062]},
     "players": [{"part": "p1", "difficulty": "expert", "layout": "keyboard5",
                  "name": "Ana"}, {...}],
     "events": [[player, time_s, voice_code_or_null, lane_or_null, velocity, source,
                 fed_at_s], ...]}

``events`` are in the order the session was fed; ``fed_at_s`` is the song clock
the session had reached when each was fed (``null``: before the clock started;
the column is absent from a scripted performance). Version 1 replays (one late
margin, events in time order, no ``fed_at_s``) are read too.

Floats are written with Python's shortest round-trip repr, so reading a replay
back gives bit-identical times, and re-judging gives bit-identical results:
:meth:`Replay.rejudge` is :func:`~game.engine.session.judge_performance` with the
recorded settings and feeding times. Re-judging with other windows is allowed
(``windows=``). Files are read and written by :mod:`game.formats.replay_file`
(the engine never touches a file).
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any

from game.engine.chart import Chart
from game.engine.events import HitEvent
from game.engine.judging import DEFAULT_SETTINGS, JudgeSettings
from game.engine.session import PlayerSetup, Session, judge_performance
from game.engine.voices import Voice, layout_named
from game.engine.windows import HitWindows
from game.util.errors import HitsError, ReplayMismatchError

FORMAT = "drum-diplomacy-replay"
VERSION = 2
#: The versions :meth:`Replay.from_json` reads.
READS = (1, 2)


@dataclass(frozen=True, slots=True)
class Replay:
    """A recorded duet: judge settings plus both players' strokes as they were fed.

    Attributes
    ----------
    chart_id, chart_hash : str
        The chart it was played on (:meth:`Chart.content_hash`).
    players : pair of PlayerSetup
    events : tuple of HitEvent
        In the order the session was fed.
    settings : JudgeSettings
    fed_at_s : tuple of float, or None
        Per event, the song clock (s) the session had reached when it was fed
        (``-inf`` before the clock started); None for a scripted performance
        (each stroke fed at its own time, in time order).
    """

    chart_id: str
    chart_hash: str
    players: tuple[PlayerSetup, PlayerSetup]
    events: tuple[HitEvent, ...]
    settings: JudgeSettings = DEFAULT_SETTINGS
    fed_at_s: tuple[float, ...] | None = None

    @classmethod
    def of_session(cls, session: Session, events: list[HitEvent] | tuple[HitEvent, ...],
                   fed_at_s: list[float] | tuple[float, ...] | None = None) -> Replay:
        """A replay of ``session`` given the events it was fed (and when, if live)."""
        return cls(session.chart.meta.id, session.chart.content_hash(), session.players,
                   tuple(events), session.settings,
                   None if fed_at_s is None else tuple(fed_at_s))

    @property
    def windows(self) -> HitWindows:
        """The recorded hit windows."""
        return self.settings.windows

    def events_of(self, player: int) -> list[HitEvent]:
        """One player's stream."""
        return [e for e in self.events if e.player == player]

    def to_json(self) -> str:
        """Serialise (exact floats)."""
        w = self.settings.windows
        fed = self.fed_at_s
        doc: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "chart": {"id": self.chart_id, "hash": self.chart_hash},
            "settings": {
                "windows_s": {"perfect_s": w.perfect_s, "great_s": w.great_s,
                              "good_s": w.good_s, "miss_s": w.miss_s},
                "accent_velocity": self.settings.accent_velocity,
                "late_input_s": list(self.settings.late_input_s),
            },
            "players": [
                {"part": p.part, "difficulty": p.difficulty, "layout": p.layout.name,
                 "name": p.name}
                for p in self.players
            ],
            "events": [
                [e.player, e.time_s, e.voice.value if e.voice else None, e.lane, e.velocity,
                 e.source] + ([] if fed is None else [_json_time(fed[k])])
                for k, e in enumerate(self.events)
            ],
        }
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, *, path: str | None = None) -> Replay:
        """Parse a replay; :class:`HitsError` naming what is wrong if it is not one."""
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise HitsError(f"not a replay: invalid JSON ({exc.msg})", path=path,
                            line=exc.lineno) from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise HitsError(f"not a replay: expected \"format\": \"{FORMAT}\"", path=path)
        if doc.get("version") not in READS:
            raise HitsError(f"unsupported replay version {doc.get('version')!r} "
                            f"(this game reads versions {', '.join(map(str, READS))})",
                            path=path)
        try:
            settings = doc["settings"]
            w = settings["windows_s"]
            windows = HitWindows(float(w["perfect_s"]), float(w["great_s"]), float(w["good_s"]),
                                 float(w["miss_s"]))
            late = settings.get("late_input_s", 0.0)
            margins = (float(late), float(late)) if isinstance(late, int | float) else (
                float(late[0]), float(late[1]))
            judge = JudgeSettings(windows, int(settings["accent_velocity"]), margins)
            p1, p2 = (PlayerSetup(p["part"], p["difficulty"], layout_named(p["layout"]),
                                  p.get("name", "")) for p in doc["players"])
            rows = doc["events"]
            widths = {len(row) for row in rows}
            if not widths <= {6, 7} or len(widths) > 1:
                raise ValueError("every event must have 6 fields, or 7 with its feeding time")
            events = tuple(
                HitEvent(int(row[0]), float(row[1]), Voice(row[2]) if row[2] is not None
                         else None, None if row[3] is None else int(row[3]), int(row[4]),
                         str(row[5]))
                for row in rows)
            fed = (tuple(-math.inf if row[6] is None else float(row[6]) for row in rows)
                   if widths == {7} else None)
            if any(e.player not in (0, 1) for e in events):
                raise ValueError("an event's player must be 0 or 1")
            return cls(str(doc["chart"]["id"]), str(doc["chart"]["hash"]), (p1, p2), events,
                       judge, fed)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise HitsError(f"broken replay: {type(exc).__name__}: {exc}", path=path) from None

    def rejudge(self, chart: Chart, *, windows: HitWindows | None = None,
                check_hash: bool = True) -> Session:
        """Judge the recorded strokes again on ``chart``, as they were fed, and finish.

        With the recorded settings (``windows`` replaces only the windows) this
        gives exactly the recorded result.

        Raises
        ------
        ReplayMismatchError
            If ``chart`` is not the chart the replay was recorded on.
        """
        if check_hash and chart.content_hash() != self.chart_hash:
            raise ReplayMismatchError(
                f"replay was recorded on chart {self.chart_id!r} with hash "
                f"{self.chart_hash[:12]}…, but this chart hashes to "
                f"{chart.content_hash()[:12]}…")
        settings = self.settings if windows is None else dataclasses.replace(
            self.settings, windows=windows)
        return judge_performance(chart, self.players, self.events, settings,
                                 fed_at_s=self.fed_at_s)


def _json_time(t: float) -> float | None:
    return None if t == -math.inf else t
