"""Who plays each part: keyboard, a MIDI kit, autoplay, a bot or a replay."""

from __future__ import annotations

from dataclasses import dataclass

from game.engine.chart import Chart
from game.engine.errors import GameError
from game.engine.events import HitEvent
from game.engine.session import PlayerSetup
from game.formats.performance import load_performance

LIVE_KINDS = ("keyboard", "midi")


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A parsed ``--p1``/``--p2`` value."""

    kind: str  # keyboard | midi | auto | bot | replay
    arg: str = ""

    @property
    def live(self) -> bool:
        """True for a person playing now (needs a window or a port)."""
        return self.kind in LIVE_KINDS


def parse_source(text: str) -> SourceSpec:
    """Parse ``keyboard``, ``midi:PORT``, ``auto``, ``bot:...`` or ``replay:FILE``.

    Raises
    ------
    GameError
        Naming the accepted forms.
    """
    t = text.strip()
    if t == "keyboard":
        return SourceSpec("keyboard")
    if t == "auto" or t == "bot:auto":
        return SourceSpec("auto", "auto")
    if t.startswith("bot:"):
        return SourceSpec("bot", t)
    if t.startswith("replay:") and len(t) > 7:
        return SourceSpec("replay", t[7:])
    if t.startswith("midi:") and len(t) > 5:
        return SourceSpec("midi", t[5:])
    raise GameError(f"unknown input source {text!r}: expected keyboard, midi:PORT, auto, "
                    "bot:KEY=VALUE,... or replay:FILE")


def scripted_events(spec: SourceSpec, *, player: int, chart: Chart, setup: PlayerSetup
                    ) -> list[HitEvent]:
    """The whole performance of a non-live source (autoplay, bot, replay), in time order."""
    if spec.live:
        raise GameError(f"{spec.kind} input is live; it has no scripted events")
    events, _ = load_performance(spec.arg, player=player, chart=chart, setup=setup, kit="default")
    return sorted(events, key=lambda e: e.time_s)
