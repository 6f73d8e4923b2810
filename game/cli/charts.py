"""``export`` and ``validate``: beatmaps out, and checked."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from game.formats.library import BEATMAP_SUFFIX, beatmap_paths
from game.store.song_library import load_song, resolve_song
from game.util.errors import GameError


def register(sub: Any) -> None:
    """Add the subcommands (``import`` is in :mod:`game.cli.importing`)."""
    e = sub.add_parser("export", help="export a beatmap to a MIDI file",
                       description="Write both parts at every difficulty as MIDI tracks. The "
                                   "file starts at the audio's start (a lead-in before bar 1 "
                                   "when the chart has an offset), so it lines up with the "
                                   "audio in any DAW; import gives the same chart back.")
    e.add_argument("beatmap", metavar="BEATMAP", help="a .beatmap file or a song id")
    e.add_argument("-o", "--output", required=True, metavar="FILE.mid")
    e.set_defaults(func=run_export)

    v = sub.add_parser("validate", help="check beatmaps; exit 1 on any problem",
                       description="Check beatmap files, folders of them, or song ids.")
    v.add_argument("paths", nargs="+", metavar="PATH")
    v.set_defaults(func=run_validate)


def run_export(args: argparse.Namespace) -> int:
    """Export a beatmap to MIDI."""
    from game.formats.midi_export import export_midi

    chart = load_song(args.beatmap)
    warnings = export_midi(chart, args.output)
    for w in warnings:
        print(f"warning: {w}")
    print(f"wrote {args.output} ({len(chart.parts)} tracks of notes; time 0 is the audio's "
          f"start, bar 1 at {chart.tempo.offset_s:.3f} s)")
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
    """Validate each beatmap (or song of another game); one line per song."""
    from game.formats.user_library import foreign_kind

    files: list[Path] = []
    for arg in args.paths:
        path = Path(arg)
        if path.is_dir():
            found = beatmap_paths(path)
            if not found and foreign_kind(path) is None:
                print(f"FAIL {arg}: no {BEATMAP_SUFFIX} files (nor a song of another game) "
                      "in this folder")
            files.extend(found or [path])
        else:
            try:
                files.append(resolve_song(arg))
            except GameError as exc:
                print(f"FAIL {exc}")
                files.append(path)
    bad = 0
    for f in files:
        try:
            chart = _load_checked(f)
        except GameError as exc:
            print(f"FAIL {exc}")
            bad += 1
            continue
        if chart is None:
            bad += 1
            continue
        problems = check_chart(chart, f)
        for msg in problems:
            print(f"FAIL {f}: {msg}")
        if problems:
            bad += 1
            continue
        notes = sum(chart.parts.count(key) for key in chart.parts)
        print(f"ok   {f}: {chart.meta.title}, {len(chart.parts)} charts, {notes} notes")
    print(f"{len(files) - bad} ok, {bad} with problems")
    return 1 if bad else 0


def _load_checked(path: Path) -> Any:
    """The chart at ``path`` (a beatmap or a foreign song), or None when it is not a song."""
    from game.formats.beatmap import load_beatmap
    from game.formats.user_library import foreign_kind, load_foreign

    if path.is_file() and path.suffix == BEATMAP_SUFFIX:
        return load_beatmap(path)
    if path.exists() and foreign_kind(path) is not None:
        return load_foreign(path)
    return None
