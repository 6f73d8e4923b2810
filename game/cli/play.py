"""``play``: play a song in the window, or headless with bots and replays."""

from __future__ import annotations

import argparse
from typing import Any

from game.app.play import PlayConfig, run_play
from game.cli.common import add_language_option, add_name_options, player_name


def register(sub: Any) -> None:
    """Add the subcommand."""
    p = sub.add_parser("play", help="play a song",
                       description="Play a song: two players on one keyboard (P1 left half, "
                                   "P2 right half), a bot, autoplay or a replay.")
    p.add_argument("song", metavar="SONG", help="a song id from 'songs', or a beatmap path")
    p.add_argument("--p1", default="keyboard", metavar="SRC",
                   help="keyboard (default), midi:PORT (a kit; PORT from 'devices', or "
                        "tcp:HOST:PORT), auto, bot:sd=MS,..., replay:FILE")
    p.add_argument("--p2", default="keyboard", metavar="SRC", help="as --p1")
    p.add_argument("--difficulty", help="both players' difficulty (default: hardest)")
    p.add_argument("--p1-difficulty")
    p.add_argument("--p2-difficulty")
    p.add_argument("--windows", default="standard", help="casual, standard, strict or P/G/G/M")
    p.add_argument("--headless", action="store_true",
                   help="no window, no sound; with bots and replays only, faster than real "
                        "time; with a MIDI kit, in real time")
    p.add_argument("--kit-map", metavar="MAP",
                   help="kit map for MIDI players: default, gm, roland, alesis, yamaha, one "
                        "of yours, or a .toml path (default: each kit's saved profile)")
    p.add_argument("--results-json", metavar="FILE", help="write the report (as score --json)")
    p.add_argument("--record", metavar="FILE", help="save a replay")
    p.add_argument("--stats-json", metavar="FILE",
                   help="frame time and input polling interval p50/p99/max (ms), frames")
    p.add_argument("--input-log", metavar="FILE",
                   help="one JSON line per captured input: t_capture, t_song, source, key, "
                        "player, lane")
    p.add_argument("--lead-in", type=float, default=3.0, metavar="S", help="countdown seconds")
    p.add_argument("--max-seconds", type=float, metavar="S", help="stop after S seconds")
    p.add_argument("--no-results", action="store_true",
                   help="close the window when the song ends instead of showing results")
    add_name_options(p)
    add_language_option(p, subcommand=True)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Play and print a one-line summary."""
    cfg = PlayConfig(args.song, args.p1, args.p2, args.difficulty, args.p1_difficulty,
                     args.p2_difficulty, args.windows, args.headless, args.results_json,
                     args.record, args.stats_json, args.input_log, args.lead_in,
                     args.max_seconds, not args.no_results, args.kit_map,
                     player_name(args.p1_name, "--p1-name"),
                     player_name(args.p2_name, "--p2-name"), getattr(args, "lang", None))
    report = run_play(cfg)
    if not report:
        print("stopped before any result")
        return 0
    p1, p2 = report["players"]
    print(f"{report['song']['title']}: P1 {p1['accuracy'] * 100:.2f} %, "
          f"P2 {p2['accuracy'] * 100:.2f} %, team score {report['duet']['team_score']:,}")
    return 0
