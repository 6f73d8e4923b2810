"""``align``: measure (and fix) how far a song's audio is from its chart."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from game.cli.common import print_json
from game.engine.chart import Chart, PartTable
from game.engine.tempo import TempoMap
from game.formats.library import BEATMAP_SUFFIX
from game.store.song_library import resolve_song
from game.util.errors import GameError

#: Note values named when an alternative offset is that far from the best, in beats.
_SUBDIVISIONS = ((1.0, "a beat"), (0.5, "an 8th note"), (1 / 3, "an 8th-note triplet"),
                 (0.25, "a 16th note"), (1 / 6, "a 16th-note triplet"),
                 (0.125, "a 32nd note"))


def register(sub: Any) -> None:
    """Add the subcommand."""
    p = sub.add_parser("align", help="measure how far the audio is from the chart",
                       description="Find the offset between a song's drums (its P1+P2 stems, "
                                   "else its audio) and its chart notes by onset analysis. "
                                   "--write adds it to the beatmap's offset_ms.")
    p.add_argument("beatmap", metavar="BEATMAP", help="a .beatmap file or a song id")
    p.add_argument("--write", action="store_true",
                   help="add the measured offset to offset_ms and save the beatmap")
    p.add_argument("--force", action="store_true",
                   help="with --write: write even when the result is ambiguous")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--search-ms", type=float, default=250.0, metavar="MS",
                   help="largest offset tried either way, in ms (default 250)")
    p.set_defaults(func=run_align)


def describe_interval(chart: Chart, delta_ms: float) -> str | None:
    """Name the note value ``delta_ms`` (ms) is at the chart's opening tempo, if any."""
    beat_ms = 60_000.0 / chart.tempo.tempos[0].bpm
    for beats, name in _SUBDIVISIONS:
        if abs(abs(delta_ms) - beats * beat_ms) <= max(0.06 * beats * beat_ms, 3.0):
            return name
    return None


def shifted_chart(chart: Chart, delta_s: float) -> Chart:
    """``chart`` with ``offset_ms`` moved by ``delta_s`` seconds (notes retimed)."""
    old = chart.tempo
    new_offset_ms = round((old.offset_s + delta_s) * 1000, 1)
    tempo = TempoMap(old.tempos, old.meters, offset_s=new_offset_ms / 1000)
    parts = {key: tuple(dataclasses.replace(n, time_s=tempo.seconds_at(n.beat)) for n in ns)
             for key, ns in chart.parts.items()}
    sections = tuple(dataclasses.replace(s, time_s=tempo.seconds_at(s.beat))
                     for s in chart.sections)
    return dataclasses.replace(chart, tempo=tempo, parts=PartTable(parts), sections=sections)


def run_align(args: argparse.Namespace) -> int:
    """Measure the offset; print it; optionally write it into the beatmap."""
    from game.audio.align import align_chart
    from game.formats.beatmap import load_beatmap

    path = resolve_song(args.beatmap)
    if path.suffix != BEATMAP_SUFFIX:
        raise GameError(f"{path}: align reads .beatmap songs; bring this one in with "
                        "'drum-diplomacy import' first")
    chart = load_beatmap(path)
    result = align_chart(chart, path, search_ms=args.search_ms)
    if args.write and result.ambiguous and not args.force:
        raise GameError(f"{path}: the offset is ambiguous ({_alternatives(chart, result)}); "
                        "not written (check by ear, then use --write --force)")
    written = None
    if args.write:
        from game.formats.beatmap_writer import save_beatmap

        fixed = shifted_chart(chart, result.offset_ms / 1000)
        try:
            save_beatmap(fixed, path)
        except (OSError, ValueError) as exc:
            raise GameError(f"{path}: cannot write the beatmap ({exc})") from None
        written = fixed.tempo.offset_s * 1000
    if args.json:
        doc: dict[str, Any] = {"song": chart.meta.id, "beatmap": str(path), **result.to_dict()}
        doc["written_offset_ms"] = written
        print_json(doc)
        return 0
    line = (f"{chart.meta.id}: audio is {_signed(result.offset_ms)} ms after the chart "
            f"(confidence {result.confidence:.2f}, {result.matched * 100:.1f} % of notes "
            f"matched, {result.source})")
    if result.ambiguous:
        line += f" — ambiguous: also {_alternatives(chart, result)} — check by ear before --write"
    print(line)
    if written is not None:
        print(f"wrote {path}: offset_ms {chart.tempo.offset_s * 1000:g} -> {written:g}")
    return 0


def _signed(ms: float) -> str:
    text = f"{ms:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text


def _alternatives(chart: Chart, result: Any) -> str:
    out = []
    for alt in result.alternatives_ms:
        name = describe_interval(chart, alt - result.offset_ms)
        out.append(f"{_signed(alt)} ms" + (f" ({name})" if name else ""))
    return ", ".join(out)


__all__ = ["describe_interval", "register", "run_align", "shifted_chart"]
