"""``songs``: list the built-in songs and the player's own."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from game.cli.common import print_json
from game.store.song_library import scan_library

#: How each source is named in the list.
SOURCE_NAMES = {"builtin": "built-in", "beatmap": "your beatmap",
                "clonehero-mid": "Clone Hero (MIDI)", "clonehero-chart": "Clone Hero (.chart)",
                "osu-taiko": "osu!taiko", "osu-mania": "osu!mania"}


def register(sub: Any) -> None:
    """Add the subcommand."""
    p = sub.add_parser("songs", help="list the songs",
                       description="List the songs: the built-in ones, then yours (everything "
                                   "in the songs folder of your data folder: .beatmap files, "
                                   "Clone Hero and osu! songs). Id, title, artist, length, "
                                   "tempo and difficulties per part; broken songs last.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_songs)


def run_songs(args: argparse.Namespace) -> int:
    """Print the list; exit 1 when a song cannot be read."""
    lib = scan_library()
    for note in lib.notices:
        print(f"drum-diplomacy songs: {note}", file=sys.stderr)
    if args.json:
        print_json({"songs": list(lib.songs), "errors": list(lib.errors),
                    "folder": str(lib.folder) if lib.folder else None})
    else:
        for s in lib.songs:
            diffs = "; ".join(f"{p}: " + ", ".join(f"{d} {r}" for d, r in ds.items())
                              for p, ds in s["difficulties"].items())
            source = "" if s["source"] == "builtin" else (
                f"  ({SOURCE_NAMES.get(s['source'], s['source'])})")
            print(f"{s['id']:<24} {s['title']} — {s['artist']}  {s['length_s']:.0f} s, "
                  f"{s['bpm']} BPM  [{diffs}]{source}")
            for w in s.get("warnings", ()):
                print(f"{'':<24} warning: {w}")
        for e in lib.errors:
            print(f"broken: {e}")
        if lib.folder is not None:
            print(f"your songs folder: {lib.folder}")
    return 1 if lib.errors else 0
