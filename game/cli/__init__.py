"""The ``drum-diplomacy`` command line.

Every subcommand is headless; errors a person can cause print one clear line
(file, line, what was expected) and exit with status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from game import __version__
from game.util.errors import GameError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    from game.cli import (
        align,
        autochart,
        charts,
        devices,
        importing,
        play,
        practice,
        scoring,
        songs,
    )
    from game.cli.common import add_language_option

    parser = argparse.ArgumentParser(
        prog="drum-diplomacy",
        description="Drum Diplomacy: a two-player drum rhythm game scored as a duet.",
    )
    parser.add_argument("--version", action="version", version=f"drum-diplomacy {__version__}")
    add_language_option(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    play.register(sub)
    practice.register(sub)
    scoring.register(sub)
    importing.register(sub)
    charts.register(sub)
    songs.register(sub)
    devices.register(sub)
    align.register(sub)
    autochart.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        from game.app.launch import run_game

        try:
            return run_game(lang=args.lang)
        except GameError as exc:
            print(f"drum-diplomacy: error: {exc}", file=sys.stderr)
            return 1
    try:
        return int(args.func(args) or 0)
    except GameError as exc:
        print(f"drum-diplomacy {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
