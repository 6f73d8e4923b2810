"""``import``: bring a song into your library, or convert a MIDI drum file to a beatmap."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from game.formats.library import BEATMAP_SUFFIX
from game.util.errors import GameError


def register(sub: Any) -> None:
    """Add the subcommand."""
    p = sub.add_parser(
        "import", help="import a song into your library (or a MIDI file to a beatmap)",
        description="Without -o: import a Clone Hero song folder (song.ini, notes.mid or "
                    "notes.chart), an osu! .osu/.osz file or folder, a .beatmap with its audio "
                    "or a .mid drum file into your songs folder as SONGS/<id>/<id>.beatmap "
                    "plus its audio; separate stems are mixed into a backing track and a drum "
                    "stem per player (half the drums each). With -o OUT: convert a Standard "
                    "MIDI File with drums on channel 10 to a beatmap at OUT (one drum track: "
                    "both players play it; tracks named P1/P2, or two drum tracks: separate "
                    "parts; easier difficulties generated).")
    p.add_argument("file", metavar="PATH", help="a song folder or file")
    p.add_argument("--id", dest="song_id", help="song id (default: the song's own, or from "
                                                "the file name)")
    p.add_argument("--force", action="store_true",
                   help="replace a song already in your library under this id")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="MIDI only: the .beatmap file to write, or a song folder to create "
                        "(instead of importing into your library)")
    p.add_argument("--quantize", metavar="GRID", help="MIDI: snap notes to 1/4, 1/8, 1/12, "
                                                      "1/16, 1/24 or 1/32")
    p.add_argument("--keep-velocity", action="store_true",
                   help="MIDI with -o: keep every note's exact velocity (default: accent/"
                        "normal/ghost marks only, so the beatmap reads as a clean grid)")
    p.add_argument("--title", help="MIDI with -o: song title (default: the file name)")
    p.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    """Import into the library, or (``-o``) convert a MIDI file."""
    if args.output:
        return _midi_to_beatmap(args)
    from game.app.song_import import import_to_library

    try:
        done = import_to_library(Path(args.file), song_id=args.song_id, force=args.force,
                                 quantize=args.quantize)
    except OSError as exc:
        raise GameError(f"{args.file}: cannot import ({exc.strerror or exc}"
                        f"{': ' + exc.filename if exc.filename else ''})") from None
    for w in done.warnings:
        print(f"warning: {w}")
    what = {"beatmap": "beatmap", "midi": "MIDI file"}.get(done.kind, f"{done.kind} song")
    audio = ", ".join(done.audio) if done.audio else "no audio (click track)"
    verb = "replaced" if done.replaced else "imported"
    print(f"{verb} {what} {args.file} as '{done.song_id}': {done.beatmap} ({audio})")
    return 0


def _midi_to_beatmap(args: argparse.Namespace) -> int:
    from game.formats.beatmap_writer import save_beatmap
    from game.formats.midi_import import import_midi_with_report

    chart, warnings = import_midi_with_report(args.file, quantize=args.quantize,
                                              song_id=args.song_id, title=args.title,
                                              marks_only=not args.keep_velocity)
    out = Path(args.output)
    if out.suffix != BEATMAP_SUFFIX:
        out = out / f"{chart.meta.id}{BEATMAP_SUFFIX}"
    try:
        save_beatmap(chart, out)
    except GameError:
        raise
    except ValueError as exc:  # a note before bar 1 (a chart exported from another game)
        raise GameError(f"{args.file}: cannot write {out}: {exc}") from None
    for w in warnings:
        print(f"warning: {w}")
    counts = ", ".join(f"{p} {d} {chart.parts.count((p, d))}" for p, d in sorted(chart.parts))
    print(f"wrote {out} ({counts} notes)")
    return 0
