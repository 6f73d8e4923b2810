"""A song list entry: what song select and ``songs --json`` know of one chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from game.engine.chart import Chart

#: The native beatmap file's suffix.
BEATMAP_SUFFIX = ".beatmap"


def song_entry(chart: Chart, path: Path, *, source: str,
               warnings: tuple[str, ...] | list[str] = ()) -> dict[str, Any]:
    """The song list entry of one chart (what ``songs --json`` prints per song).

    Parameters
    ----------
    chart : Chart
    path : Path
        The song's file or folder; its audio paths are relative to its folder
        (absolute audio paths stay as they are).
    source : str
        ``"builtin"``, ``"beatmap"`` or the importer's format name.
    warnings : sequence of str
        Things the player should know about the song (shown, never fatal).
    """
    from game.engine.reduce import difficulty_rating

    folder = path.parent
    rated: dict[int, float] = {}  # id of a part's notes -> its rating

    def rating(part: str, difficulty: str) -> float:
        """Rated once for both parts when they play the very same notes (a unison
        import); from the notes as the reader gave them (columns make no ``Note``)."""
        notes = chart.parts.given_part((part, difficulty))
        if id(notes) not in rated:
            rated[id(notes)] = round(difficulty_rating(notes), 2)
        return rated[id(notes)]

    bpms = sorted({round(t.bpm, 3) for t in chart.tempo.tempos})
    meters = sorted({f"{m.numerator}/{m.denominator}" for m in chart.tempo.meters})
    audio = chart.meta.audio
    extra = dict(chart.meta.extra)
    stems = {k[5:]: str(folder / v) for k, v in extra.items()
             if k in ("stem_backing", "stem_p1", "stem_p2") and v}
    return {
        "id": chart.meta.id,
        "title": chart.meta.title,
        "artist": chart.meta.artist,
        "beatmap": str(path),
        "source": source,
        "audio": str(folder / audio) if audio else None,
        "stems": stems,
        "preview_s": chart.meta.preview_s,
        "length_s": round(chart.length_s, 3),
        "bpm": bpms[0] if len(bpms) == 1 else bpms,
        "meter": meters[0] if len(meters) == 1 else meters,
        "difficulties": {
            part: {d: rating(part, d) for d in chart.difficulties(part)}
            for part in ("p1", "p2")
        },
        "warnings": list(warnings),
    }
