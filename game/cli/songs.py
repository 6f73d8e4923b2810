"""``songs``: list the built-in songs."""

from __future__ import annotations

import argparse
from typing import Any

from game.cli.common import print_json
from game.formats.library import song_entries


def register(sub: Any) -> None:
    """Add the subcommand."""
    p = sub.add_parser("songs", help="list the songs",
                       description="List the songs: id, title, artist, audio, length, tempo "
                                   "and difficulties per part.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_songs)


def run_songs(args: argparse.Namespace) -> int:
    """Print the list."""
    songs, errors = song_entries()
    if args.json:
        print_json({"songs": songs, "errors": errors})
    else:
        for s in songs:
            diffs = "; ".join(f"{p}: " + ", ".join(f"{d} {r}" for d, r in ds.items())
                              for p, ds in s["difficulties"].items())
            print(f"{s['id']:<24} {s['title']} — {s['artist']}  {s['length_s']:.0f} s, "
                  f"{s['bpm']} BPM  [{diffs}]")
        for e in errors:
            print(f"broken: {e}")
    return 1 if errors else 0
