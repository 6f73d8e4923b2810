"""``import``, ``export`` and ``validate``: beatmaps in and out."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from game.engine.errors import GameError
from game.formats.library import BEATMAP_SUFFIX, beatmap_paths, resolve_beatmap


def register(sub: Any) -> None:
    """Add the subcommands."""
    p = sub.add_parser("import", help="import a MIDI drum file as a beatmap",
                       description="Import a Standard MIDI File with drums on channel 10. One "
                                   "drum track: both players play it (unison). Tracks named "
                                   "P1/P2, or two drum tracks: separate parts. Easier "
                                   "difficulties are generated from the notes.")
    p.add_argument("file", metavar="FILE", help="a .mid file")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="the .beatmap file to write, or a song folder to create")
    p.add_argument("--quantize", metavar="GRID", help="snap notes to 1/4, 1/8, 1/12, 1/16, "
                                                      "1/24 or 1/32")
    p.add_argument("--keep-velocity", action="store_true",
                   help="keep every note's exact velocity (default: accent/normal/ghost "
                        "marks only, so the beatmap reads as a clean grid)")
    p.add_argument("--id", dest="song_id", help="song id (default: from the file name)")
    p.add_argument("--title", help="song title (default: the file name)")
    p.set_defaults(func=run_import)

    e = sub.add_parser("export", help="export a beatmap to a MIDI file",
                       description="Write both parts at every difficulty as MIDI tracks.")
    e.add_argument("beatmap", metavar="BEATMAP", help="a .beatmap file or a song id")
    e.add_argument("-o", "--output", required=True, metavar="FILE.mid")
    e.set_defaults(func=run_export)

    v = sub.add_parser("validate", help="check beatmaps; exit 1 on any problem",
                       description="Check beatmap files, folders of them, or song ids.")
    v.add_argument("paths", nargs="+", metavar="PATH")
    v.set_defaults(func=run_validate)


def run_import(args: argparse.Namespace) -> int:
    """Import a MIDI file and write a beatmap."""
    from game.formats.beatmap_writer import save_beatmap
    from game.formats.midi_import import import_midi_with_report

    chart, warnings = import_midi_with_report(args.file, quantize=args.quantize,
                                              song_id=args.song_id, title=args.title,
                                              marks_only=not args.keep_velocity)
    out = Path(args.output)
    if out.suffix != BEATMAP_SUFFIX:
        out = out / f"{chart.meta.id}{BEATMAP_SUFFIX}"
    save_beatmap(chart, out)
    for w in warnings:
        print(f"warning: {w}")
    counts = ", ".join(f"{p} {d} {len(ns)}" for (p, d), ns in sorted(chart.parts.items()))
    print(f"wrote {out} ({counts} notes)")
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Export a beatmap to MIDI."""
    from game.formats.beatmap import load_beatmap
    from game.formats.midi_export import export_midi

    chart = load_beatmap(resolve_beatmap(args.beatmap))
    export_midi(chart, args.output)
    print(f"wrote {args.output} ({len(chart.parts)} tracks of notes)")
    return 0


def check_chart(chart: Any, path: Path) -> list[str]:
    """Problems a chart can have beyond its syntax."""
    problems = []
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", chart.meta.id):
        problems.append(f"song id {chart.meta.id!r} should be lower-case letters, digits, '-'")
    for part in ("p1", "p2"):
        if not chart.difficulties(part):
            problems.append(f"part {part} has no difficulty charted")
        for diff in chart.difficulties(part):
            notes = chart.notes(part, diff)
            if not notes:
                problems.append(f"{part} {diff} has no notes")
            elif notes[0].time_s < 0:
                problems.append(f"{part} {diff} has a note before the audio starts "
                                f"({notes[0].time_s:.3f} s)")
    if chart.meta.audio and not (path.parent / chart.meta.audio).is_file():
        problems.append(f"audio file {chart.meta.audio!r} not found next to the beatmap")
    return problems


def run_validate(args: argparse.Namespace) -> int:
    """Validate each beatmap; one line per file."""
    from game.formats.beatmap import load_beatmap

    files: list[Path] = []
    for arg in args.paths:
        path = Path(arg)
        if path.is_dir():
            found = beatmap_paths(path)
            if not found:
                print(f"FAIL {arg}: no {BEATMAP_SUFFIX} files in this folder")
                files.append(path)
            files.extend(found)
        else:
            try:
                files.append(resolve_beatmap(arg))
            except GameError as exc:
                print(f"FAIL {exc}")
                files.append(path)
    bad = 0
    for f in files:
        if f.is_dir() or not f.is_file():
            bad += 1
            continue
        try:
            chart = load_beatmap(f)
        except GameError as exc:
            print(f"FAIL {exc}")
            bad += 1
            continue
        problems = check_chart(chart, f)
        for msg in problems:
            print(f"FAIL {f}: {msg}")
        if problems:
            bad += 1
            continue
        notes = sum(len(ns) for ns in chart.parts.values())
        print(f"ok   {f}: {chart.meta.title}, {len(chart.parts)} charts, {notes} notes")
    print(f"{len(files) - bad} ok, {bad} with problems")
    return 1 if bad else 0
