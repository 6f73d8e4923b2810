"""Who plays each part: keyboard, a MIDI kit, autoplay, a bot or a replay.

Three kinds of source feed one session (:class:`~game.live.live_play.LivePlay`):

- scripted (autoplay, a bot, a replay): every stroke known in advance, fed by
  the main thread as the song clock reaches it, so its late margin is 0;
- the keyboard: stamped at capture, fed on the main thread at the next poll;
- a :class:`LiveSource`: a person playing now, whose strokes arrive on the
  source's own thread, each already stamped on the song clock, up to
  ``latency_s`` later than the live margin allows for a keyboard. A MIDI kit
  (:class:`~game.live.kit_player.KitPlayer`) is one. A partner playing from
  another computer would be another: their strokes stamped on their machine,
  mapped to this song clock, arriving a network trip later. The session judges
  each player against their own margin (``JudgeSettings.late_input_s``), so
  such a source is an addition (a class with these four members), not a rewrite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from game.engine.chart import Chart
from game.engine.events import HitEvent
from game.engine.session import PlayerSetup
from game.formats.performance import load_performance
from game.util.errors import GameError

LIVE_KINDS = ("keyboard", "midi")
#: Live play: notes are missed only once an input stamped this much earlier
#: can no longer arrive (device latency compensation makes inputs land late);
#: a source adds its own ``latency_s`` on top.
LIVE_LATE_INPUT_S = 0.05


class LiveSource(Protocol):
    """A person's strokes arriving on their own thread (see the module docstring).

    It calls the feed it was given (``LivePlay.feed``, which takes the session's
    lock) with each :class:`~game.engine.events.HitEvent`.
    """

    @property
    def latency_s(self) -> float:
        """How much later than a keyboard stroke (s) its strokes may reach the engine."""
        ...

    @property
    def connected(self) -> bool:
        """Whether strokes can arrive now (a kit plugged in, a partner online)."""
        ...

    def start(self) -> object:
        """Start receiving strokes (on the source's own thread)."""
        ...

    def close(self) -> None:
        """Stop receiving; no stroke is fed after this returns."""
        ...


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
