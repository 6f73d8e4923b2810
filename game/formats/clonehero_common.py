"""What ``notes.mid`` and ``notes.chart`` share: drum lanes -> voices, track type, stems.

Both formats chart the Rock Band / Clone Hero kit: a kick and four pads (red,
yellow, blue, green), or five pads on a Guitar Hero kit (red, yellow, blue,
orange, green). Lane numbers here are those of ``.chart``: 0 kick, 1 red,
2 yellow, 3 blue, 4 green (4-lane) or orange (5-lane), 5 green (5-lane).

Voices (General MIDI, :mod:`game.engine.voices`):

============  ==================  ============  ===================
lane          4-lane pro cymbal   4-lane tom    5-lane
============  ==================  ============  ===================
0 kick        BD                  BD            BD
1 red         SD                  SD            SD
2 yellow      HH (closed hi-hat)  T1 high tom   HH (a cymbal pad)
3 blue        RD (ride)           T2 mid tom    T2 (a tom pad)
4 green/orng  CR (crash)          T3 floor tom  CR (orange cymbal)
5 green       -                   T3            T3 (green tom)
============  ==================  ============  ===================

A lane-5 note in a 4-lane chart is played as the floor tom. Whether a pad note
is a cymbal depends on the format (``notes.mid``: cymbal unless a tom marker
covers it, but only on pro drums; ``notes.chart``: tom unless cymbal-marked).
Non-pro 4-lane charts are all toms.
"""

from __future__ import annotations

import bisect
import enum
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from game.engine.chart import Section
from game.engine.tempo import TempoMap
from game.engine.voices import Voice
from game.formats.import_common import AUDIO_EXTENSIONS, GivenNotes
from game.formats.songini import SongIni

#: Clone Hero difficulty names -> ours.
CH_DIFFICULTIES: dict[str, str] = {
    "easy": "easy", "medium": "normal", "hard": "hard", "expert": "expert",
}

KICK, RED, YELLOW, BLUE, GREEN4, GREEN5 = range(6)


class DrumKind(enum.Enum):
    """The kinds of drum track: the three the two formats share, and YARG's Elite
    Drums (``PART ELITE_DRUMS``), which names every drum and cymbal itself."""

    FOUR_LANE = "4-lane"
    PRO = "4-lane pro"
    FIVE_LANE = "5-lane"
    ELITE = "elite"


_PRO_CYMBAL = {YELLOW: Voice.HIHAT_CLOSED, BLUE: Voice.RIDE, GREEN4: Voice.CRASH}
_TOM = {YELLOW: Voice.TOM_HIGH, BLUE: Voice.TOM_MID, GREEN4: Voice.TOM_FLOOR,
        GREEN5: Voice.TOM_FLOOR}
_FIVE = {YELLOW: Voice.HIHAT_CLOSED, BLUE: Voice.TOM_MID, GREEN4: Voice.CRASH,
         GREEN5: Voice.TOM_FLOOR}


def lane_voice(lane: int, *, kind: DrumKind, cymbal: bool) -> Voice:
    """The voice of a note in ``lane`` (see the module table).

    Parameters
    ----------
    lane : int
        0 kick ... 5 (5-lane green).
    kind : DrumKind
    cymbal : bool
        Whether the note is a cymbal; only used on pro drums, for lanes 2-4.
    """
    if lane == KICK:
        return Voice.KICK
    if lane == RED:
        return Voice.SNARE
    if kind is DrumKind.FIVE_LANE:
        return _FIVE[lane]
    if kind is DrumKind.PRO and cymbal and lane in _PRO_CYMBAL:
        return _PRO_CYMBAL[lane]
    return _TOM[lane]


@functools.cache
def lane_voices(kind: DrumKind) -> tuple[tuple[Voice, Voice], ...]:
    """Per lane (0-5), its voice as a tom / plain note and as a cymbal: the table of
    :func:`lane_voice` for one kind of track (``lane_voices(kind)[lane][cymbal]``)."""
    return tuple((lane_voice(lane, kind=kind, cymbal=False),
                  lane_voice(lane, kind=kind, cymbal=True)) for lane in range(6))


def drum_kind(ini: SongIni | None, *, pro_marks: bool, five_lane_notes: bool,
              warnings: list[str]) -> DrumKind:
    """Decide the track type.

    ``song.ini``'s ``pro_drums`` / ``five_lane_drums`` force it (pro wins if both
    are true). Otherwise pro markers (tom markers in ``.mid``, cymbal markers
    in ``.chart``) make it pro, else notes in the 5-lane green lane make it
    5-lane, else it is a plain 4-lane track.
    """
    pro = ini.pro_drums if ini is not None else None
    five = ini.five_lane_drums if ini is not None else None
    if pro and five:
        warnings.append("song.ini sets both pro_drums and five_lane_drums; read as pro drums")
    if pro:
        return DrumKind.PRO
    if five:
        return DrumKind.FIVE_LANE
    if pro_marks and pro is None:
        return DrumKind.PRO
    if five_lane_notes and five is None:
        return DrumKind.FIVE_LANE
    return DrumKind.FOUR_LANE


_MIX = re.compile(r"^\[?\s*mix[ _]([0-3])[ _]drums([0-5])([a-z]*)\s*\]?$", re.I)
_MIX_DIFFICULTIES = ("easy", "normal", "hard", "expert")


def disco_flips(events: Iterable[tuple[int, str]]) -> dict[str, list[tuple[int, int]]]:
    """Disco-flip spans from Rock Band mix events (``[mix 3 drums0d]``, ``mix_3_drums0d``).

    In a span whose mix event has the ``d`` flag, a pro drums chart has its red
    and yellow notes swapped (the part is charted flipped so that non-pro
    players can play fast hi-hat patterns); the importer swaps them back, so
    the hi-hat is a hi-hat. A span runs to the next mix event of the same
    difficulty.

    Returns
    -------
    dict
        Our difficulty -> ``[(start_tick, end_tick), ...]`` (end excluded).
    """
    spans: dict[str, list[tuple[int, int]]] = {}
    open_at: dict[str, int | None] = {}
    for tick, text in sorted(events, key=lambda e: e[0]):
        m = _MIX.match(text.strip())
        if m is None:
            continue
        diff = _MIX_DIFFICULTIES[int(m.group(1))]
        start = open_at.get(diff)
        if start is not None:
            spans.setdefault(diff, []).append((start, tick))
        open_at[diff] = tick if m.group(3).lower() == "d" else None
    for diff, start in open_at.items():
        if start is not None:
            spans.setdefault(diff, []).append((start, 2**62))
    return spans


class Spans:
    """Half-open tick spans ``[start, end)``, merged, for quick "is this tick inside?" tests.

    Parameters
    ----------
    spans : iterable of (start_tick, end_tick)
        In any order, overlapping or not; empty spans are dropped.
    """

    __slots__ = ("_ends", "_starts")

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        merged: list[list[int]] = []
        for a, b in sorted(s for s in spans if s[1] > s[0]):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self._starts = [a for a, _ in merged]
        self._ends = [b for _, b in merged]

    def __contains__(self, tick: object) -> bool:
        if not isinstance(tick, int):
            return False
        i = bisect.bisect_right(self._starts, tick) - 1
        return i >= 0 and tick < self._ends[i]

    def __bool__(self) -> bool:
        return bool(self._starts)


def flipped_lane(lane: int, tick: int, spans: Spans) -> int:
    """``lane`` with red and yellow swapped when ``tick`` is inside a disco-flip span."""
    if lane in (RED, YELLOW) and tick in spans:
        return YELLOW if lane == RED else RED
    return lane


@dataclass(frozen=True, slots=True)
class ParsedDrums:
    """A drum chart read from ``notes.mid`` or ``notes.chart``, before arranging.

    Attributes
    ----------
    tempo : TempoMap
        With the chart's offset.
    sections : tuple of Section
    charted : dict
        Our difficulty -> notes, for the difficulties the file has.
    kind : DrumKind
    title, artist, charter : str
        From the chart file itself (song.ini, when there is one, wins).
    preview_s : float or None
    streams : dict
        Audio file names the chart names (``.chart`` ``MusicStream`` ...):
        ``"backing"`` / ``"drums"`` -> names relative to the folder.
    expert_single_kick : tuple of Note, NoteColumns or None
        The Expert chart without its Expert+ double kicks, when it has some:
        what easier difficulties are reduced from.
    """

    tempo: TempoMap
    sections: tuple[Section, ...]
    charted: dict[str, GivenNotes]
    kind: DrumKind
    title: str = ""
    artist: str = ""
    charter: str = ""
    preview_s: float | None = None
    streams: dict[str, tuple[str, ...]] = field(default_factory=dict)
    expert_single_kick: GivenNotes | None = None


# audio stems -------------------------------------------------------------------
#: Stems that are not drums, in the order they are listed.
BACKING_STEMS: tuple[str, ...] = ("song", "guitar", "bass", "rhythm", "keys", "vocals",
                                  "vocals_1", "vocals_2", "vocals_3", "crowd")
DRUM_STEMS: tuple[str, ...] = ("drums", "drums_1", "drums_2", "drums_3", "drums_4")


def find_stems(folder: Path, extra: dict[str, Sequence[str]] | None = None,
               ) -> dict[str, tuple[Path, ...]]:
    """The audio stems in a Clone Hero song folder.

    ``drums`` (or ``vocals``) is left out when numbered stems ``drums_1`` ...
    exist, as the games do. ``extra`` adds file names a chart names itself
    (``"backing"``/``"drums"`` -> names), when they exist.

    Returns
    -------
    dict
        ``{"backing": (...), "drums": (...)}``, each in a fixed order.
    """
    try:
        files = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    except OSError:
        files = {}

    def found(stem: str) -> Path | None:
        for ext in AUDIO_EXTENSIONS:
            if f"{stem}{ext}" in files:
                return files[f"{stem}{ext}"]
        return None

    out: dict[str, list[Path]] = {"backing": [], "drums": []}
    for group, stems in (("backing", BACKING_STEMS), ("drums", DRUM_STEMS)):
        present = {s: p for s in stems if (p := found(s)) is not None}
        for numbered, plain in (("drums_1", "drums"), ("vocals_1", "vocals")):
            if numbered in present:
                present.pop(plain, None)
        out[group].extend(present.values())
    for group, names in (extra or {}).items():
        for name in names:
            p = files.get(Path(name).name.lower())
            if p is not None and p not in out["backing"] and p not in out["drums"]:
                out.setdefault(group, []).append(p)
    return {k: tuple(v) for k, v in out.items()}
