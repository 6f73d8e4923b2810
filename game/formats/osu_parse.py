"""Parse the text of an osu! ``.osu`` beatmap (file format v14, and older versions
with the same sections) into plain data; :mod:`game.formats.osu` turns it into a chart.

Read: ``[General]``, ``[Metadata]`` and ``[Difficulty]`` (``Key: value`` lines),
``[TimingPoints]`` and ``[HitObjects]`` (comma-separated). ``[Editor]``,
``[Events]`` and ``[Colours]`` are skipped; unknown sections are skipped with a
warning. ``//`` starts a comment line. A timing point without the
``uninherited`` field (before v6 or so) is uninherited when its beat length
is positive, as osu! reads it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from game.formats.import_common import ImportFormatError, parse_int

HIT_CIRCLE, SLIDER, NEW_COMBO, SPINNER, HOLD = 1, 2, 4, 8, 128
WHISTLE, FINISH, CLAP = 2, 4, 8
MODES = {0: "osu!standard", 1: "osu!taiko", 2: "osu!catch", 3: "osu!mania"}

_HEADER = re.compile(r"^osu file format v(\d+)\s*$")
_KEY_VALUE = ("general", "editor", "metadata", "difficulty", "colours")
_KNOWN = {*_KEY_VALUE, "events", "timingpoints", "hitobjects"}


@dataclass(frozen=True, slots=True)
class TimingPoint:
    """One ``[TimingPoints]`` line (times in ms from the start of the audio)."""

    time_ms: float
    beat_length: float
    meter: int
    uninherited: bool
    line: int


@dataclass(frozen=True, slots=True)
class HitObject:
    """One ``[HitObjects]`` line.

    ``end_ms`` is set for spinners and mania holds; ``length`` (osu! pixels)
    and ``slides`` for sliders.
    """

    x: float
    time_ms: float
    type: int
    hitsound: int
    line: int
    end_ms: float | None = None
    length: float = 0.0
    slides: int = 1


@dataclass(frozen=True, slots=True)
class OsuFile:
    """A parsed ``.osu`` file. Key-value sections map a lower-case key to (value, line)."""

    path: str
    version: int
    general: dict[str, tuple[str, int]]
    metadata: dict[str, tuple[str, int]]
    difficulty: dict[str, tuple[str, int]]
    timing: tuple[TimingPoint, ...]
    objects: tuple[HitObject, ...]

    def text(self, section: str, key: str, default: str = "") -> str:
        """A text value (``section`` is ``"general"``, ``"metadata"`` or ``"difficulty"``)."""
        values: dict[str, tuple[str, int]] = getattr(self, section)
        return values[key.lower()][0] if key.lower() in values else default

    def number(self, section: str, key: str, default: float) -> float:
        """A numeric value, or :class:`ImportFormatError` naming its line."""
        values: dict[str, tuple[str, int]] = getattr(self, section)
        if key.lower() not in values:
            return default
        text, line = values[key.lower()]
        return _number(text, self.path, line, f"{key} value")

    @property
    def mode(self) -> int:
        """0 osu!standard, 1 taiko, 2 catch, 3 mania."""
        return int(self.number("general", "Mode", 0))


def parse_osu(text: str, *, path: str, warnings: list[str]) -> OsuFile:
    """Parse a ``.osu`` text.

    Raises
    ------
    ImportFormatError
        With the line: no ``osu file format vN`` first line, a timing point or
        hit object with missing fields or a bad number.
    """
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    m = _HEADER.match(lines[first].strip().lstrip("\ufeff")) if first is not None else None
    if first is None or m is None:
        raise ImportFormatError("not an osu! beatmap (expected the first line "
                                "'osu file format v14')", path=path, line=(first or 0) + 1)
    kv: dict[str, dict[str, tuple[str, int]]] = {k: {} for k in _KEY_VALUE}
    timing: list[TimingPoint] = []
    objects: list[HitObject] = []
    section = ""
    for number in range(first + 2, len(lines) + 1):
        line = lines[number - 1].strip()
        if not line or line.startswith("//"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            if section not in _KNOWN:
                warnings.append(f"line {number}: skipped unknown section {line}")
            continue
        if section in _KEY_VALUE:
            key, colon, value = line.partition(":")
            if colon:  # a key given twice: the last one counts, as in osu!
                kv[section][key.strip().lower()] = (value.strip(), number)
        elif section == "timingpoints":
            timing.append(_timing_point(line, path, number))
        elif section == "hitobjects":
            objects.append(_hit_object(line, path, number))
    return OsuFile(path=path, version=int(m.group(1)), general=kv["general"],
                   metadata=kv["metadata"], difficulty=kv["difficulty"],
                   timing=tuple(timing), objects=tuple(objects))


def read_mode(text: str) -> int | None:
    """The ``Mode`` of a ``.osu`` text without parsing the rest; None if not a ``.osu``."""
    lines = text.lstrip("\ufeff").lstrip().splitlines()
    if not lines or not _HEADER.match(lines[0].strip()):
        return None
    section = ""
    for raw in lines[1:]:
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            if section == "hitobjects":
                break
        elif section == "general":
            key, _, value = line.partition(":")
            if key.strip().lower() == "mode":
                try:
                    return int(value.strip())
                except ValueError:
                    return None
    return 0


def _number(text: str, path: str, line: int, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ImportFormatError(f"bad {what} {text!r} (expected a number)",
                                path=path, line=line)
    return value


def _timing_point(line: str, path: str, number: int) -> TimingPoint:
    fields = [f.strip() for f in line.split(",")]
    if len(fields) < 2:
        raise ImportFormatError(f"bad timing point {line!r} (expected 'time,beatLength,meter,"
                                "sampleSet,sampleIndex,volume,uninherited,effects')",
                                path=path, line=number)
    time_ms = _number(fields[0], path, number, "timing point time")
    beat_length = _number(fields[1], path, number, "beat length")
    meter = parse_int(fields[2], path, number, "meter") if len(fields) > 2 and fields[2] else 4
    if len(fields) > 6 and fields[6]:
        uninherited = parse_int(fields[6], path, number, "'uninherited' flag") == 1
    else:
        uninherited = beat_length > 0
    if uninherited and beat_length <= 0:
        raise ImportFormatError(f"beat length {fields[1]} of an uninherited timing point "
                                "(expected milliseconds per beat above 0)", path=path, line=number)
    return TimingPoint(time_ms, beat_length, meter, uninherited, number)


def _hit_object(line: str, path: str, number: int) -> HitObject:
    fields = [f.strip() for f in line.split(",")]
    if len(fields) < 4:
        raise ImportFormatError(f"bad hit object {line!r} (expected 'x,y,time,type,hitSound,"
                                "objectParams,hitSample')", path=path, line=number)
    x = _number(fields[0], path, number, "hit object x")
    time_ms = _number(fields[2], path, number, "hit object time")
    kind = parse_int(fields[3], path, number, "hit object type")
    hitsound = (parse_int(fields[4], path, number, "hitSound")
                if len(fields) > 4 and fields[4] else 0)
    if kind & SLIDER:
        if len(fields) < 8:
            raise ImportFormatError(f"bad slider {line!r} (expected 'x,y,time,type,hitSound,"
                                    "curve,slides,length,...')", path=path, line=number)
        slides = parse_int(fields[6], path, number, "slider repeat count")
        length = _number(fields[7], path, number, "slider length")
        return HitObject(x, time_ms, kind, hitsound, number, length=length, slides=max(slides, 1))
    if kind & (SPINNER | HOLD):
        if len(fields) < 6:
            raise ImportFormatError(f"bad {'spinner' if kind & SPINNER else 'hold note'} "
                                    f"{line!r} (expected an end time after the hitSound)",
                                    path=path, line=number)
        end = _number(fields[5].split(":")[0], path, number, "end time")
        return HitObject(x, time_ms, kind, hitsound, number, end_ms=end)
    return HitObject(x, time_ms, kind, hitsound, number)
