"""``songs``: list the built-in songs."""

from __future__ import annotations

import argparse
from typing import Any

from game.cli.common import print_json
from game.engine.errors import GameError
from game.formats.library import beatmap_paths


def register(sub: Any) -> None:
    """Add the subcommand."""
    p = sub.add_parser("songs", help="list the songs",
                       description="List the songs: id, title, artist, audio, length, tempo "
                                   "and difficulties per part.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_songs)


def song_entries() -> tuple[list[dict[str, Any]], list[str]]:
    """One dict per loadable song, and an error line per broken one."""
    from game.engine.reduce import difficulty_rating
    from game.formats.beatmap import load_beatmap

    songs: list[dict[str, Any]] = []
    errors: list[str] = []
    for path in beatmap_paths():
        try:
            chart = load_beatmap(path)
        except GameError as exc:
            errors.append(str(exc))
            continue
        bpms = sorted({round(t.bpm, 3) for t in chart.tempo.tempos})
        audio = chart.meta.audio
        songs.append({
            "id": chart.meta.id,
            "title": chart.meta.title,
            "artist": chart.meta.artist,
            "beatmap": str(path),
            "audio": str(path.parent / audio) if audio else None,
            "length_s": round(chart.length_s, 3),
            "bpm": bpms[0] if len(bpms) == 1 else bpms,
            "difficulties": {
                part: {d: round(difficulty_rating(chart.notes(part, d)), 2)
                       for d in chart.difficulties(part)}
                for part in ("p1", "p2")
            },
        })
    return songs, errors


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
