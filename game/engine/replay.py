"""Replays: every input of both players, the chart's hash and the settings.

A replay is a JSON document (``.ddreplay``)::

    {"format": "drum-diplomacy-replay", "version": 1,
     "chart": {"id": "...", "hash": "<sha256 of the judged content>"},
     "settings": {"windows_s": {...}, "accent_velocity": 100, "late_input_s": 0.0},
     "players": [{"part": "p1", "difficulty": "expert", "layout": "keyboard5",
                  "name": "Ana"}, {...}],
     "events": [[player, time_s, voice_code_or_null, lane_or_null, velocity, source], ...]}

Floats are written with Python's shortest round-trip repr, so reading a replay
back gives bit-identical times, and re-judging gives bit-identical results.
Re-judging with other windows is allowed (``windows=``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from game.engine.chart import Chart
from game.engine.errors import HitsError, ReplayMismatchError
from game.engine.events import HitEvent
from game.engine.fileio import write_text_atomic
from game.engine.judge import ACCENT_HIT_VELOCITY
from game.engine.session import PlayerSetup, Session
from game.engine.voices import Voice, layout_named
from game.engine.windows import STANDARD, HitWindows

FORMAT = "drum-diplomacy-replay"
VERSION = 1


@dataclass(frozen=True, slots=True)
class Replay:
    """A recorded duet: settings plus both players' input streams."""

    chart_id: str
    chart_hash: str
    players: tuple[PlayerSetup, PlayerSetup]
    events: tuple[HitEvent, ...]
    windows: HitWindows = STANDARD
    accent_velocity: int = ACCENT_HIT_VELOCITY
    late_input_s: float = 0.0

    @classmethod
    def of_session(cls, session: Session, events: list[HitEvent] | tuple[HitEvent, ...]
                   ) -> Replay:
        """A replay of ``session`` given the events it was fed."""
        return cls(session.chart.meta.id, session.chart.content_hash(), session.players,
                   tuple(events), session.windows, session.judges[0].accent_velocity,
                   session.late_input_s)

    def events_of(self, player: int) -> list[HitEvent]:
        """One player's stream."""
        return [e for e in self.events if e.player == player]

    def to_json(self) -> str:
        """Serialise (exact floats)."""
        doc: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "chart": {"id": self.chart_id, "hash": self.chart_hash},
            "settings": {
                "windows_s": {"perfect_s": self.windows.perfect_s,
                              "great_s": self.windows.great_s,
                              "good_s": self.windows.good_s, "miss_s": self.windows.miss_s},
                "accent_velocity": self.accent_velocity,
                "late_input_s": self.late_input_s,
            },
            "players": [
                {"part": p.part, "difficulty": p.difficulty, "layout": p.layout.name,
                 "name": p.name}
                for p in self.players
            ],
            "events": [
                [e.player, e.time_s, e.voice.value if e.voice else None, e.lane, e.velocity,
                 e.source]
                for e in self.events
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
        if doc.get("version") != VERSION:
            raise HitsError(f"unsupported replay version {doc.get('version')!r} "
                            f"(this game reads version {VERSION})", path=path)
        try:
            settings = doc["settings"]
            w = settings["windows_s"]
            windows = HitWindows(float(w["perfect_s"]), float(w["great_s"]), float(w["good_s"]),
                                 float(w["miss_s"]))
            p1, p2 = (PlayerSetup(p["part"], p["difficulty"], layout_named(p["layout"]),
                                  p.get("name", "")) for p in doc["players"])
            events = tuple(
                HitEvent(int(pl), float(t), Voice(v) if v is not None else None,
                         None if lane is None else int(lane), int(vel), str(src))
                for pl, t, v, lane, vel, src in doc["events"]
            )
            return cls(str(doc["chart"]["id"]), str(doc["chart"]["hash"]), (p1, p2), events,
                       windows, int(settings["accent_velocity"]),
                       float(settings.get("late_input_s", 0.0)))
        except (KeyError, TypeError, ValueError) as exc:
            raise HitsError(f"broken replay: {type(exc).__name__}: {exc}", path=path) from None

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write atomically (a temp file renamed over the target)."""
        write_text_atomic(path, self.to_json())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Replay:
        """Read a replay file."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise HitsError(f"cannot read replay: {exc}", path=str(path)) from None
        return cls.from_json(text, path=str(path))

    def rejudge(self, chart: Chart, *, windows: HitWindows | None = None,
                check_hash: bool = True) -> Session:
        """Judge the recorded inputs again on ``chart`` and finish the session.

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
        session = Session(chart, self.players, windows=windows or self.windows,
                          accent_velocity=self.accent_velocity)
        session.feed_many(self.events)
        session.finish()
        return session
