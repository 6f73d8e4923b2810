"""``practice``: loop a section (or sections) of a song, 50-100 % speed, pitch kept."""

from __future__ import annotations

import argparse
import json
from typing import Any

from game.app.practice import PracticeConfig, run_practice
from game.cli.common import add_language_option, add_name_options, player_name
from game.engine.practice import LoopResult, speed_percent
from game.live.practice_loops import NOT_SAVED


def register(sub: Any) -> None:
    """Add the subcommand."""
    p = sub.add_parser(
        "practice", help="loop a section of a song, slowed down",
        description="Practise a section (or sections A to B) in a loop at 50-100 % speed "
                    "(pitch kept): P1 and P2 as in 'play'. Practice plays are not saved as "
                    "scores. In the window, -/+ change the speed between loops and Esc "
                    "pauses.")
    p.add_argument("song", metavar="SONG", help="a song id from 'songs', or a beatmap path")
    p.add_argument("--section", required=True, metavar="NAME",
                   help="the section to practise (a unique start of its name will do)")
    p.add_argument("--to", metavar="NAME", help="practise from --section to this one")
    p.add_argument("--speed", type=float, default=1.0, metavar="X",
                   help="0.5-1.0 in steps of 0.05 (default 1.0); 75 means 0.75")
    p.add_argument("--loops", type=int, metavar="N",
                   help="stop after N loops (headless default 3; the window: until quit)")
    p.add_argument("--p1", default="keyboard", metavar="SRC",
                   help="keyboard (default), midi:PORT, auto or bot:sd=MS,...")
    p.add_argument("--p2", default="keyboard", metavar="SRC", help="as --p1")
    p.add_argument("--difficulty", help="both players' difficulty (default: hardest)")
    p.add_argument("--p1-difficulty")
    p.add_argument("--p2-difficulty")
    p.add_argument("--windows", default="standard", help="casual, standard, strict or P/G/G/M")
    p.add_argument("--kit-map", metavar="MAP", help="kit map for MIDI players (as 'play')")
    p.add_argument("--headless", action="store_true",
                   help="no window, no sound: bots and autoplay only, faster than real time; "
                        "prints each loop")
    p.add_argument("--json", action="store_true", help="print the loops as one JSON object")
    add_name_options(p)
    add_language_option(p, subcommand=True)
    p.set_defaults(func=run)


def loop_line(r: LoopResult) -> str:
    """``loop 1 at 75 %: P1 97.50 % (40/40 hit), P2 ... in sync 85.0 %, team 12,345``."""
    sync = "-" if r.in_sync_rate is None else f"{r.in_sync_rate * 100:.1f} %"
    players = ", ".join(f"P{i + 1} {r.accuracy[i] * 100:.2f} % ({r.hit[i]}/{r.notes[i]} hit)"
                        for i in (0, 1))
    return (f"loop {r.loop} at {speed_percent(r.speed)} %: {players}, in sync {sync}, "
            f"team {r.team_score:,}")


def run(args: argparse.Namespace) -> int:
    """Practise; print each loop as it ends (or all of them as JSON)."""
    speed = args.speed / 100 if args.speed > 1.0 + 1e-9 else args.speed
    cfg = PracticeConfig(args.song, args.section, args.to, speed, args.loops, args.headless,
                         args.p1, args.p2, args.difficulty, args.p1_difficulty,
                         args.p2_difficulty, args.windows, args.kit_map,
                         player_name(args.p1_name, "--p1-name"),
                         player_name(args.p2_name, "--p2-name"), getattr(args, "lang", None))
    on_loop = None if args.json else (lambda r: print(loop_line(r), flush=True))
    results = run_practice(cfg, on_loop=on_loop)
    if args.json:
        print(json.dumps({"song": args.song, "section": args.section, "to": args.to,
                          "saved": False, "loops": [r.as_dict() for r in results]}, indent=2))
    else:
        print(f"{len(results)} loop{'' if len(results) == 1 else 's'}; {NOT_SAVED.lower()}.")
    return 0
