"""One player's performance from a command-line source: a bot, a replay, a file."""

from __future__ import annotations

from pathlib import Path

from game.engine.bot import bot_events
from game.engine.chart import Chart
from game.engine.events import HitEvent
from game.engine.session import PlayerSetup
from game.formats.replay_file import REPLAY_SUFFIX, load_replay
from game.util.errors import GameError, HitsError


def load_performance(spec: str, *, player: int, chart: Chart, setup: PlayerSetup,
                     kit: str) -> tuple[list[HitEvent], PlayerSetup]:
    """One player's hit events from a HITS argument.

    ``spec`` is ``auto``, ``bot:...``, a replay (``.ddreplay``), a MIDI
    performance (``.mid``) or a CSV of ``time_s,note[,velocity]``. Returns the
    events (stamped for ``player``) and the setup to judge them with (a replay
    brings its own lane layout).
    """
    if spec == "auto" or spec.startswith("bot"):
        try:
            return bot_events(spec, chart.notes(setup.part, setup.difficulty),
                              player=player), setup
        except ValueError as exc:
            raise GameError(str(exc)) from None
    path = Path(spec)
    if not path.is_file():
        raise HitsError("no such file (expected a .ddreplay, .mid or .csv file, 'auto' or "
                        "'bot:...')", path=spec)
    suffix = path.suffix.lower()
    if suffix == REPLAY_SUFFIX:
        replay = load_replay(path)
        recorded = replay.players[player]
        events = [HitEvent(player, e.time_s, e.voice, e.lane, e.velocity, e.source)
                  for e in replay.events_of(player)]
        return events, PlayerSetup(setup.part, setup.difficulty, recorded.layout,
                                   recorded.name or setup.name)
    from game.formats.hits import load_hits_csv, load_hits_midi
    from game.formats.kitmap import load_kitmap

    kitmap = load_kitmap(kit)
    if suffix in (".mid", ".midi"):
        return load_hits_midi(path, player=player, kitmap=kitmap), setup
    return load_hits_csv(path, player=player, kitmap=kitmap), setup
