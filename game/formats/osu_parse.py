"""Parse the text of an osu! ``.osu`` beatmap (file format v3-v14 and later) into plain data;
:mod:`game.formats.osu` turns it into a chart.

Read: ``[General]``, ``[Metadata]`` and ``[Difficulty]`` (``Key: value`` lines),
``[TimingPoints]`` and ``[HitObjects]`` (comma-separated). ``[Editor]``,
``[Events]`` and ``[Colours]`` are skipped; unknown sections are skipped with a
warning. ``//`` starts a comment (outside ``[Metadata]``, also after a value).

Read as osu! (lazer) reads them:

* a file without the ``osu file format vN`` first line (or with a broken one)
  is read as the latest format, v14 (with a warning);
* files older than v5 have every time moved 24 ms later;
* a timing point without the ``uninherited`` field (before v6 or so) is
  uninherited when its beat length is positive;
* a timing point or hit object line that does not parse, or holds a number
  beyond +-2,147,483,647, is skipped (counted in one warning per section);
* ``[Difficulty]`` values are clamped: ``CircleSize`` (the mania key count)
  to 1-18, ``SliderMultiplier`` to 0.4-3.6 (see :meth:`OsuFile.difficulty_value`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from game.formats.import_common import ImportFormatError

HIT_CIRCLE, SLIDER, NEW_COMBO, SPINNER, HOLD = 1, 2, 4, 8, 128
WHISTLE, FINISH, CLAP = 2, 4, 8
MODES = {0: "osu!standard", 1: "osu!taiko", 2: "osu!catch", 3: "osu!mania"}
#: The version a file without a version line is read as.
LATEST_VERSION = 14
#: Files older than this version have every time moved :data:`EARLY_OFFSET_MS` later.
EARLY_VERSION = 5
EARLY_OFFSET_MS = 24.0
#: The largest number osu! parses (int.MaxValue).
MAX_VALUE = 2_147_483_647.0
#: ``[Difficulty]`` key -> (lowest, highest) as osu! clamps them (mania's CircleSize).
DIFFICULTY_RANGES: dict[str, tuple[float, float]] = {
    "hpdrainrate": (0.0, 10.0), "overalldifficulty": (0.0, 10.0),
    "approachrate": (0.0, 10.0), "slidermultiplier": (0.4, 3.6),
    "slidertickrate": (0.5, 8.0), "circlesize": (1.0, 18.0)}

_HEADER = re.compile(r"^osu file format v(\d+)\s*$")
_KEY_VALUE = ("general", "editor", "metadata", "difficulty", "colours")
_KNOWN = {*_KEY_VALUE, "events", "timingpoints", "hitobjects"}
_TIMING_FORMAT = "'time,beatLength,meter,sampleSet,sampleIndex,volume,uninherited,effects'"
_OBJECT_FORMAT = "'x,y,time,type,hitSound,objectParams,hitSample'"
#: The common hit-object line, read without the general path: whole numbers (at most
#: 9 digits, so within :data:`MAX_VALUE`) for x, y, time, type and hitSound.
_PLAIN_OBJECT = re.compile(r"(\d{1,9}),-?\d{1,9},(\d{1,9}),(\d{1,9}),(\d{1,9})(?:,|$)", re.ASCII)


@dataclass(frozen=True, slots=True)
class TimingPoint:
    """One ``[TimingPoints]`` line (times in ms from the start of the audio).

    ``beat_length`` is as written: ms per beat on an uninherited point (which
    may be broken: 0, negative or NaN), ``-100 / speed`` on an inherited one.
    """

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
        value = _float(text)
        if value is None:
            raise ImportFormatError(f"bad {key} value {text!r} (expected a number)",
                                    path=self.path, line=line)
        return value

    def difficulty_value(self, key: str, default: float, warnings: list[str]) -> float:
        """A ``[Difficulty]`` value clamped as osu! clamps it (:data:`DIFFICULTY_RANGES`);
        a value that is not a number is the default. Both with a warning."""
        if key.lower() not in self.difficulty:
            return default
        text, line = self.difficulty[key.lower()]
        value = _float(text)
        if value is None:
            warnings.append(f"line {line}: {key} {text!r} is not a number; read as {default:g}")
            return default
        low, high = DIFFICULTY_RANGES.get(key.lower(), (-math.inf, math.inf))
        if not low <= value <= high:
            clamped = min(max(value, low), high)
            warnings.append(f"line {line}: {key} {text} is out of range; read as {clamped:g}, "
                            "as osu! does")
            return clamped
        return value

    @property
    def mode(self) -> int:
        """0 osu!standard, 1 taiko, 2 catch, 3 mania (anything else: 0)."""
        values = self.general
        value = _float(values["mode"][0]) if "mode" in values else 0.0
        return int(value) if value is not None and value in (0, 1, 2, 3) else 0


def parse_osu(text: str, *, path: str, warnings: list[str]) -> OsuFile:
    """Parse a ``.osu`` text (see the module docstring for what is tolerated).

    Raises
    ------
    ImportFormatError
        The text has neither an ``osu file format vN`` line nor any osu! section.
    """
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    head = lines[first].strip().lstrip("\ufeff").strip() if first is not None else ""
    m = _HEADER.match(head)
    if m is not None and first is not None:
        version, start = int(m.group(1)), first + 1
    elif any(line.strip().lower()[1:-1] in _KNOWN for line in lines
             if line.strip().startswith("[")):
        version, start = LATEST_VERSION, 0
        warnings.append(f"no 'osu file format vN' first line (found {head[:40]!r}); read as "
                        f"v{LATEST_VERSION}, as osu! does")
    else:
        raise ImportFormatError("not an osu! beatmap (expected the first line "
                                "'osu file format v14' and sections like [HitObjects])",
                                path=path, line=(first or 0) + 1)
    offset = EARLY_OFFSET_MS if version < EARLY_VERSION else 0.0
    kv: dict[str, dict[str, tuple[str, int]]] = {k: {} for k in _KEY_VALUE}
    timing: list[TimingPoint] = []
    objects: list[HitObject] = []
    bad: dict[str, list[tuple[int, str]]] = {"timingpoints": [], "hitobjects": []}
    section = ""
    for index in range(start, len(lines)):
        line = lines[index].strip()
        if not line or line.startswith("//"):
            continue
        if line[0] == "[" and line[-1] == "]":
            section = line[1:-1].strip().lower()
            if section not in _KNOWN:
                warnings.append(f"line {index + 1}: skipped unknown section {line}")
            continue
        if section != "metadata" and "//" in line:
            line = line[:line.index("//")].rstrip()
        if section == "hitobjects":
            obj = _hit_object(line, index + 1, offset)
            if obj is None:
                bad[section].append((index + 1, line))
            else:
                objects.append(obj)
        elif section == "timingpoints":
            point = _timing_point(line, index + 1, offset)
            if point is None:
                bad[section].append((index + 1, line))
            else:
                timing.append(point)
        elif section in kv:
            key, colon, value = line.partition(":")
            if colon:  # a key given twice: the last one counts, as in osu!
                kv[section][key.strip().lower()] = (value.strip(), index + 1)
    for name, expected in (("timingpoints", _TIMING_FORMAT), ("hitobjects", _OBJECT_FORMAT)):
        if bad[name]:
            number, line = bad[name][0]
            title = "[TimingPoints]" if name == "timingpoints" else "[HitObjects]"
            warnings.append(f"{title}: skipped {len(bad[name])} line(s) that do not parse, as "
                            f"osu! does (first: line {number}: {line[:60]!r}; expected "
                            f"{expected})")
    if offset:
        warnings.append(f"format v{version} (before v{EARLY_VERSION}): every time is "
                        f"{EARLY_OFFSET_MS:g} ms later, as osu! plays it")
        if "previewtime" in kv["general"]:
            text_value, number = kv["general"]["previewtime"]
            preview = _float(text_value)
            if preview is not None and preview >= 0:
                kv["general"]["previewtime"] = (f"{preview + offset:g}", number)
    objects.sort(key=lambda o: o.time_ms)  # osu! sorts them (stably) too
    return OsuFile(path=path, version=version, general=kv["general"],
                   metadata=kv["metadata"], difficulty=kv["difficulty"],
                   timing=tuple(timing), objects=tuple(objects))


def read_mode(text: str) -> int | None:
    """The ``Mode`` of a ``.osu`` text without parsing the rest; None if not a ``.osu``.

    A text with no version line is a ``.osu`` when it has an osu! section, as
    :func:`parse_osu` reads it.
    """
    lines = text.lstrip("\ufeff").lstrip().splitlines()
    if not lines:
        return None
    if not _HEADER.match(lines[0].strip()) and not any(
            line.strip().lower()[1:-1] in _KNOWN for line in lines
            if line.strip().startswith("[")):
        return None
    section = ""
    for raw in lines:
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            if section == "hitobjects":
                break
        elif section == "general":
            key, _, value = line.partition(":")
            if key.strip().lower() == "mode":
                number = _float(value.strip())
                return int(number) if number is not None and number in (0, 1, 2, 3) else 0
    return 0


def _float(text: str, *, nan: bool = False) -> float | None:
    """A number as osu! parses it: finite and within +-:data:`MAX_VALUE` (NaN when
    ``nan``), else None."""
    try:
        value = float(text)
    except ValueError:
        return None
    if value != value:
        return value if nan else None
    return value if -MAX_VALUE <= value <= MAX_VALUE else None


def _int(text: str) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return value if -MAX_VALUE <= value <= MAX_VALUE else None


def _timing_point(line: str, number: int, offset: float) -> TimingPoint | None:
    fields = line.split(",")
    if len(fields) < 2:
        return None
    time_ms = _float(fields[0].strip())
    beat_length = _float(fields[1].strip(), nan=True)
    if time_ms is None or beat_length is None:
        return None
    meter = _int(fields[2].strip()) if len(fields) > 2 and fields[2].strip() else 4
    if meter is None:
        return None
    if len(fields) > 6 and fields[6].strip():
        uninherited = fields[6].strip()[0] == "1"
    else:
        uninherited = beat_length > 0
    if uninherited and beat_length != beat_length:  # NaN: osu! refuses this line
        return None
    return TimingPoint(time_ms + offset, beat_length, meter, uninherited, number)


def _hit_object(line: str, number: int, offset: float) -> HitObject | None:
    plain = _PLAIN_OBJECT.match(line)
    if plain is not None and not int(plain[3]) & (SLIDER | SPINNER | HOLD):
        # a circle or a mania note: what the general path below gives, sooner
        return HitObject(float(plain[1]), float(plain[2]) + offset, int(plain[3]),
                         int(plain[4]), number)
    fields = line.split(",")
    if len(fields) < 4:
        return None
    x = _float(fields[0])
    time_ms = _float(fields[2])
    kind = _int(fields[3])
    hitsound = _int(fields[4]) if len(fields) > 4 and fields[4].strip() else 0
    if x is None or time_ms is None or kind is None or hitsound is None:
        return None
    time_ms += offset
    if kind & SLIDER:
        if len(fields) < 8:
            return None
        slides = _int(fields[6])
        length = _float(fields[7])
        if slides is None or length is None:
            return None
        return HitObject(x, time_ms, kind, hitsound, number, length=length, slides=max(slides, 1))
    if kind & (SPINNER | HOLD):
        end = _float(fields[5].split(":")[0]) if len(fields) > 5 else None
        if end is None:
            return None
        return HitObject(x, time_ms, kind, hitsound, number, end_ms=end + offset)
    return HitObject(x, time_ms, kind, hitsound, number)
