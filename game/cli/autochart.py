"""``autochart``: a playable duet beatmap from an audio file."""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from game.cli.common import print_json
from game.formats.library import BEATMAP_SUFFIX
from game.util.errors import GameError

_BAR_WIDTH = 30


def register(sub: Any) -> None:
    """Add the subcommand."""
    p = sub.add_parser(
        "autochart", help="chart any song's drums as a duet beatmap (librosa)",
        description="Transcribe the drums of AUDIO (kick, snare, hi-hat, cymbals, toms), fit a "
                    "tempo map and bar lines, and write a duet beatmap with all four "
                    "difficulties. The audio is copied next to the beatmap (or linked with "
                    "--link). Takes seconds to a minute; the first run compiles librosa's "
                    "numba code (30-45 s), later runs use the cache.")
    p.add_argument("audio", metavar="AUDIO", help="an audio file (OGG, WAV, FLAC, MP3 ...)")
    p.add_argument("-o", "--out", required=True, metavar="OUT",
                   help="the .beatmap to write, or a folder to write <id>.beatmap into")
    p.add_argument("--title", help="song title (default: from the file name)")
    p.add_argument("--artist", default="", help="artist")
    p.add_argument("--link", action="store_true",
                   help="refer to the audio where it is instead of copying it")
    p.add_argument("--force", action="store_true",
                   help="overwrite an existing beatmap (and a different audio file of the name)")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(func=run_autochart)


class _Bar:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = ""

    def __call__(self, stage: str, fraction: float) -> None:
        filled = round(_BAR_WIDTH * min(max(fraction, 0.0), 1.0))
        line = f"[{'#' * filled}{'.' * (_BAR_WIDTH - filled)}] {100 * fraction:3.0f}% {stage}"
        if self.tty:
            sys.stderr.write("\r" + line.ljust(len(self.last)))
            if fraction >= 1.0:
                sys.stderr.write("\n")
        elif stage != self.last:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()
        self.last = stage if not self.tty else line


def _targets(audio: Path, out: Path, song_id: str) -> tuple[Path, Path]:
    """(beatmap path, folder) for ``-o OUT``."""
    if out.suffix == BEATMAP_SUFFIX:
        return out, out.parent
    return out / f"{song_id}{BEATMAP_SUFFIX}", out


def run_autochart(args: argparse.Namespace) -> int:
    from game.audio.autochart import autochart
    from game.formats.beatmap_writer import save_beatmap
    from game.formats.song_ids import slugify

    audio = Path(args.audio)
    if not audio.is_file():
        raise GameError(f"{audio}: no such audio file")
    title = args.title or audio.stem.replace("_", " ")
    beatmap, folder = _targets(audio, Path(args.out), slugify(title))
    if beatmap.exists() and not args.force:
        raise GameError(f"{beatmap} exists; use --force to overwrite it")
    copied = folder / audio.name
    copy = not args.link and not (copied.exists() and filecmp.cmp(audio, copied, shallow=False))
    if copy and copied.exists() and not args.force:
        raise GameError(f"{copied} exists and is a different file; use --force to replace it, "
                        "or --link to leave the audio where it is")
    folder.mkdir(parents=True, exist_ok=True)
    if args.link:
        try:
            audio_name = str(audio.resolve().relative_to(  # type: ignore[call-arg,unused-ignore]
                folder.resolve(), walk_up=True))
        except (TypeError, ValueError):  # walk_up needs Python 3.12; other drives
            audio_name = str(audio.resolve())
    else:
        audio_name = audio.name
    started = time.perf_counter()
    result = autochart(audio, title=title, artist=args.artist, audio_name=audio_name,
                       progress=_Bar())
    if copy:
        shutil.copy2(audio, copied)
    save_beatmap(result.chart, beatmap)
    took = time.perf_counter() - started
    summary = _summary(result, beatmap, took)
    if args.json:
        print_json(summary)
    else:
        tempo = summary["tempo"]
        print(f"wrote {beatmap}")
        print(f"  tempo {tempo['bpm']} BPM"
              + ("" if tempo["steady"] else f" ({tempo['changes']} tempo changes)")
              + f", first downbeat at {tempo['offset_ms']} ms")
        print("  hits: " + ", ".join(f"{k} {v}" for k, v in summary["hits"].items()))
        print(f"  {summary['on_grid_pct']}% of the notes on 16th/triplet lines; sections: "
              + ", ".join(summary["sections"]))
        print("  notes per part: " + ", ".join(
            f"{p} {d} {n}" for p, ds in summary["notes"].items() for d, n in ds.items()))
        print(f"  {summary['audio_s']} s of audio in {summary['took_s']} s "
              f"({summary['x_realtime']}x real time)")
    return 0


def _summary(result: Any, beatmap: Path, took: float) -> dict[str, Any]:
    chart = result.chart
    tempo = chart.tempo
    expert = {(n.time_s, n.voice) for p in ("p1", "p2") for n in chart.notes(p, "expert")}
    counts: dict[str, int] = {}
    for h in result.transcription.hits:
        counts[h.kind] = counts.get(h.kind, 0) + 1
    audio_s = result.seconds.get("audio", 0.0)
    return {
        "beatmap": str(beatmap),
        "id": chart.meta.id,
        "tempo": {"bpm": tempo.tempos[0].bpm, "steady": result.grid.steady,
                  "changes": len(tempo.tempos) - 1, "offset_ms": round(1000 * tempo.offset_s, 1)},
        "hits": counts,
        "on_grid_pct": round(100.0 * result.on_grid / max(1, len(expert)), 1),
        "sections": [s.name for s in chart.sections],
        "notes": {p: {d: len(chart.notes(p, d)) for d in chart.difficulties(p)}
                  for p in ("p1", "p2")},
        "audio_s": round(audio_s, 2),
        "took_s": round(took, 2),
        "x_realtime": round(audio_s / took, 1) if took > 0 else None,
        "stage_s": {k: round(v, 3) for k, v in result.seconds.items() if k != "audio"},
    }
