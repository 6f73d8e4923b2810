"""``score`` and ``simulate``: judge whole performances headless."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from game.cli.common import format_report, player_setups, print_json, windows_from
from game.engine.chart import Chart
from game.engine.events import HitEvent
from game.engine.judging import JudgeSettings
from game.engine.replay import Replay
from game.engine.report import session_report
from game.engine.session import Session, checked_difficulty, judge_performance
from game.engine.voices import layout_named
from game.formats.performance import load_performance
from game.formats.replay_file import load_replay, save_replay
from game.store.song_library import load_song
from game.util.errors import GameError

HITS_HELP = ("a replay (.ddreplay), a MIDI performance (.mid, mapped with --kit), a CSV of "
             "time_s,note[,velocity] (General MIDI drum notes), 'auto' or 'bot:sd=MS,bias=MS,"
             "drift=MS,miss=P,stray=P,seed=N'")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("beatmap", metavar="BEATMAP", help="a .beatmap file or a song id")
    p.add_argument("--difficulty", help="difficulty for both players (default: hardest)")
    p.add_argument("--p1-difficulty", help="P1's difficulty")
    p.add_argument("--p2-difficulty", help="P2's difficulty")
    p.add_argument("--windows",
                   help="hit windows: casual, standard, strict, or P/G/G/M in ms "
                        "(default: standard = 25/50/90/135; a replay's own)")
    p.add_argument("--layout", choices=["kit9", "keyboard5"],
                   help="lane layout hits are judged in (default kit9; replays keep theirs)")
    p.add_argument("--kit", default="default",
                   help="kit map for .mid/.csv hits: default, gm, roland, alesis, yamaha, "
                        "or a .toml file")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--record", metavar="FILE", help="also save the inputs as a replay")


def register(sub: Any) -> None:
    """Add the subcommands."""
    p = sub.add_parser("score", help="score two players' performances on a beatmap",
                       description="Score both players' performances on one beatmap and "
                                   "report each player and the duet.")
    _common(p)
    p.add_argument("--p1", metavar="HITS", help="P1's performance: " + HITS_HELP)
    p.add_argument("--p2", metavar="HITS", help="P2's performance: " + HITS_HELP)
    p.add_argument("--replay", metavar="FILE", help="a duet replay: both players' streams")
    p.set_defaults(func=run_score)

    s = sub.add_parser("simulate", help="run bots through the engine",
                       description="Run a bot for each player through the engine and print "
                                   "the same report as 'score'.")
    _common(s)
    s.add_argument("--p1", metavar="BOT", default="auto", help="'auto' or 'bot:...'")
    s.add_argument("--p2", metavar="BOT", default="auto", help="'auto' or 'bot:...'")
    s.set_defaults(func=run_score, replay=None)


def run_score(args: argparse.Namespace) -> int:
    """Judge, then print the report (and save a replay if asked)."""
    chart = load_song(args.beatmap)
    if args.replay and args.p1 is None and args.p2 is None:
        session, events, fed_at_s = _rejudge(chart, args)
    else:
        setups = list(player_setups(chart, args))
        specs = [args.p1, args.p2]
        if args.replay:
            specs = [s or args.replay for s in specs]
        events = []
        for i, spec in enumerate(specs):
            if spec is None:
                raise GameError(f"no performance for P{i + 1}: give --p{i + 1} HITS or "
                                "--replay")
            evs, setups[i] = load_performance(spec, player=i, chart=chart, setup=setups[i],
                                              kit=args.kit)
            events.extend(evs)
        fed_at_s = None
        session = judge_performance(chart, (setups[0], setups[1]), events,
                                    JudgeSettings(windows_from(args)))
        events = sorted(events, key=lambda e: e.time_s)
    report = session_report(session)
    if args.record:
        save_replay(Replay.of_session(session, events, fed_at_s), args.record)
    if args.json:
        print_json(report)
    else:
        print(format_report(report))
    return 0


def _rejudge(chart: Chart, args: argparse.Namespace,
             ) -> tuple[Session, list[HitEvent], tuple[float, ...] | None]:
    """The whole duet of ``--replay``, judged exactly as it was recorded: its players'
    parts, difficulties and layouts, its windows, accent velocity, late margins and
    feeding order (``--windows``, ``--difficulty`` and ``--layout`` given here win)."""
    replay = load_replay(args.replay)
    setups = list(replay.players)
    for i, asked in enumerate((args.p1_difficulty or args.difficulty,
                               args.p2_difficulty or args.difficulty)):
        s = setups[i]
        setups[i] = dataclasses.replace(
            s, difficulty=checked_difficulty(chart, s.part, asked or s.difficulty))
    if args.layout is not None:
        setups = [dataclasses.replace(s, layout=layout_named(args.layout)) for s in setups]
    replay = dataclasses.replace(replay, players=(setups[0], setups[1]))
    session = replay.rejudge(chart, windows=None if args.windows is None else windows_from(args))
    return session, list(replay.events), replay.fed_at_s
