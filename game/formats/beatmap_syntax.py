"""Pieces of the ``.beatmap`` text format shared by the parser and the writer.

Positions are computed exactly: the beat inside a bar is parsed as a
:class:`~fractions.Fraction`, added to the bar's start and rounded to a float
once. The writer uses the same arithmetic to check that what it writes reads
back to the very same float.
"""

from __future__ import annotations

import re
from fractions import Fraction

from game.engine.chart import ACCENT_VELOCITY, DEFAULT_VELOCITY, GHOST_VELOCITY
from game.engine.tempo import TempoMap
from game.engine.voices import Voice

MAGIC = "drum-diplomacy beatmap"
VERSION = 1
HEADER_LINE = f"{MAGIC} {VERSION}"

#: Grid cells: character -> (accent, ghost) for a hit, None for a rest.
CELLS: dict[str, tuple[bool, bool] | None] = {
    "-": None,
    ".": None,
    "x": (False, False),
    "o": (False, False),
    "X": (True, False),
    "O": (True, False),
    "g": (False, True),
}
VALID_CELLS = " ".join(CELLS)

#: Order of grid rows, top to bottom: cymbals and hats, snare and toms, kick.
ROW_ORDER: tuple[Voice, ...] = (
    Voice.CRASH, Voice.RIDE, Voice.RIDE_BELL, Voice.HIHAT_OPEN, Voice.HIHAT_HALF,
    Voice.HIHAT_CLOSED,
    Voice.HIHAT_PEDAL, Voice.TOM_HIGH, Voice.TOM_MID, Voice.TOM_FLOOR, Voice.SNARE,
    Voice.RIMSHOT, Voice.CROSS_STICK, Voice.KICK,
)
VOICE_CODES = ", ".join(v.code for v in Voice)

#: The last bar a position may name (about five hours of 4/4 at 300 BPM).
MAX_BAR = 100_000
#: Largest magnitude a plain number (BPM, offset_ms, preview_s) may have.
MAX_NUMBER = 10**12

#: Meter denominators a time signature may use.
METER_DENOMINATORS = (1, 2, 4, 8, 16, 32)

_COMMENT = re.compile(r"(?:^|\s)#")
_DEC = r"(?:\d+(?:\.\d*)?|\.\d+)"
_NUMBER = re.compile(rf"^[+-]?{_DEC}(?:[eE][+-]?\d+)?$", re.ASCII)
_BEAT = re.compile(
    rf"^(?:(?P<whole>{_DEC})(?:\+(?P<fn>\d+)/(?P<fd>\d+))?|(?P<n>\d+)/(?P<d>\d+))$", re.ASCII
)
_POSITION = re.compile(r"^(?P<bar>\d+)(?::(?P<beat>.*))?$", re.ASCII)
_SECONDS = re.compile(rf"^(?P<s>{_DEC})s$", re.IGNORECASE | re.ASCII)
_METER = re.compile(r"^(\d+)/(\d+)$", re.ASCII)


class LineError(Exception):
    """A problem on the current line; the parser adds the path and line number."""


# text ------------------------------------------------------------------------
def strip_comment(line: str) -> str:
    """Drop a ``#`` comment (at the start or after whitespace) and surrounding blanks."""
    m = _COMMENT.search(line)
    if m is not None:
        line = line[: m.start()]
    return line.strip()


def writable_text(what: str, value: str) -> str:
    """Check that ``value`` survives a trip through the format, and return it.

    Raises
    ------
    ValueError
        For line breaks, leading/trailing blanks or a ``#`` that would start a comment.
    """
    if "\n" in value or "\r" in value or value != value.strip() or _COMMENT.search(value):
        raise ValueError(
            f"cannot write {what} {value!r}: no line breaks, no leading or trailing blanks "
            "and no '#' at the start or after a blank"
        )
    return value


# numbers ---------------------------------------------------------------------
def parse_number(text: str, what: str) -> Fraction:
    """Parse a plain decimal number (``120``, ``-12.5``, ``1e-3``) exactly."""
    if not _NUMBER.match(text) or abs(value := Fraction(text)) > MAX_NUMBER:
        raise LineError(f"bad {what} '{text}' (expected a number, e.g. 120 or 12.5)")
    return value


def fmt_number(x: float) -> str:
    """Shortest text that reads back as ``x`` with ``float()`` (``120`` not ``120.0``)."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def fmt_fraction(x: Fraction) -> str:
    """A short human form of an exact number, for messages (``3.5``, ``7/3``)."""
    if x.denominator == 1:
        return str(x.numerator)
    as_float = float(x)
    if Fraction(repr(as_float)) == x:
        return repr(as_float)
    return f"{x.numerator}/{x.denominator}"


def exact_decimal(x: Fraction) -> str | None:
    """The exact decimal expansion of ``x``, or None if it has none (thirds...)."""
    den = x.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return None
    k = max(twos, fives)
    digits = abs(x.numerator) * (10**k // x.denominator)
    s = str(digits).rjust(k + 1, "0")
    whole, frac = (s[:-k], s[-k:].rstrip("0")) if k else (s, "")
    sign = "-" if x < 0 else ""
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


# meters ----------------------------------------------------------------------
def parse_meter(text: str) -> tuple[int, int]:
    """Parse ``N/D`` (``4/4``, ``7/8``)."""
    m = _METER.match(text)
    if m is None or int(m.group(1)) < 1 or int(m.group(2)) not in METER_DENOMINATORS:
        dens = ", ".join(str(d) for d in METER_DENOMINATORS)
        raise LineError(
            f"bad meter '{text}' (expected N/D with N at least 1 and D one of {dens}, "
            "e.g. 4/4 or 7/8)"
        )
    return int(m.group(1)), int(m.group(2))


# positions -------------------------------------------------------------------
def _position_help(allow_seconds: bool) -> str:
    extra = ", or seconds like 12.5s" if allow_seconds else ""
    return f"expected BAR or BAR:BEAT, e.g. 9:3 or 9:2.5 or 9:3+1/3{extra}"


def parse_beat_text(text: str) -> Fraction | None:
    """Parse the BEAT of ``BAR:BEAT`` (``3``, ``2.5``, ``7/3``, ``3+1/3``); None if malformed."""
    m = _BEAT.match(text)
    if m is None:
        return None
    if m.group("n") is not None:
        if int(m.group("d")) == 0:
            return None
        return Fraction(int(m.group("n")), int(m.group("d")))
    value = Fraction(m.group("whole"))
    if m.group("fn") is not None:
        if int(m.group("fd")) == 0:
            return None
        value += Fraction(int(m.group("fn")), int(m.group("fd")))
    return value


def parse_position(text: str, *, allow_seconds: bool = False) -> tuple[int, Fraction] | Fraction:
    """Parse a position.

    Returns
    -------
    (bar, beat) or Fraction
        ``BAR[:BEAT]`` gives the 1-based bar and the 1-based beat in it (not yet
        checked against the bar's length); ``Ns`` gives song seconds.
    """
    if allow_seconds:
        s = _SECONDS.match(text)
        if s is not None:
            return Fraction(s.group("s"))
    m = _POSITION.match(text)
    beat: Fraction | None = Fraction(1)
    if m is not None and m.group("beat") is not None:
        beat = parse_beat_text(m.group("beat"))
    if m is None or beat is None:
        raise LineError(f"bad position '{text}' ({_position_help(allow_seconds)})")
    bar = int(m.group("bar"))
    check_bar(bar, f"position '{text}'")
    if beat < 1:
        raise LineError(
            f"bad position '{text}': beat {fmt_fraction(beat)} is before the bar "
            "(beat 1 is the downbeat)"
        )
    return bar, beat


def check_bar(bar: int, what: str) -> None:
    """Raise a LineError unless ``bar`` is between 1 and :data:`MAX_BAR`."""
    if bar < 1:
        raise LineError(f"bad {what}: there is no bar {bar} (bars count from 1)")
    if bar > MAX_BAR:
        raise LineError(f"bad {what}: bar {bar} is past the last bar this game reads, "
                        f"{MAX_BAR}")


def bar_start(tempo: TempoMap, bar: int) -> Fraction:
    """Exact beat of the downbeat of ``bar``."""
    return Fraction(tempo.bar_start_beat(bar))


def bar_length(tempo: TempoMap, bar: int) -> Fraction:
    """Exact length of ``bar`` in quarter notes."""
    m = tempo.meter_at_bar(bar)
    return Fraction(4 * m.numerator, m.denominator)


def check_beat_in_bar(tempo: TempoMap, bar: int, beat: Fraction, text: str) -> Fraction:
    """Return the offset (beats after the downbeat) of 1-based ``beat`` in ``bar``.

    Raises
    ------
    LineError
        If the beat lies past the end of the bar.
    """
    length = bar_length(tempo, bar)
    if beat >= 1 + length:
        raise LineError(
            f"bad position '{text}': bar {bar} is {fmt_fraction(length)} beats long "
            f"(expected a beat from 1 to below {fmt_fraction(1 + length)})"
        )
    return beat - 1


def split_beat(tempo: TempoMap, beat: Fraction) -> tuple[int, Fraction]:
    """Exactly split a beat (>= 0) into (bar, offset into that bar).

    Raises
    ------
    ValueError
        If the beat lies past bar :data:`MAX_BAR`.
    """
    if beat >= bar_start(tempo, MAX_BAR + 1):
        raise ValueError(f"beat {float(beat)} is past bar {MAX_BAR}, the last this game reads")
    bar, _ = tempo.bar_at_beat(float(beat))
    bar = max(bar, 1)
    while bar > 1 and beat < bar_start(tempo, bar):
        bar -= 1
    while beat >= bar_start(tempo, bar) + bar_length(tempo, bar):
        bar += 1
    return bar, beat - bar_start(tempo, bar)


def position_beat(start: Fraction, offset: Fraction) -> float:
    """The float beat the parser gives a note ``offset`` beats into a bar at ``start``."""
    return float(start + offset)


def format_position(tempo: TempoMap, beat: float, *, always_beat: bool = False) -> str:
    """Write ``beat`` (>= 0) as ``BAR`` or ``BAR:BEAT`` that parses back to exactly ``beat``."""
    bar, offset = split_beat(tempo, Fraction(beat))
    if offset == 0 and not always_beat:
        return str(bar)
    return f"{bar}:{format_beat_in_bar(bar_start(tempo, bar), offset, beat)}"


def format_beat_in_bar(start: Fraction, offset: Fraction, beat: float) -> str:
    """Shortest BEAT text (1-based) for ``offset`` that reads back to exactly ``beat``."""

    def ok(text: str) -> bool:
        value = parse_beat_text(text)
        return value is not None and position_beat(start, value - 1) == beat

    one_based = offset + 1
    candidates = [str(round(one_based))]
    for den in (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128):
        num = round(one_based * den)
        frac = Fraction(num, den)
        whole, rest = divmod(frac, 1)
        text = exact_decimal(frac)
        if text is None:
            text = f"{whole}+{rest.numerator}/{rest.denominator}" if whole else f"{frac}"
        candidates.append(text)
    candidates.append(repr(float(one_based)))
    for text in candidates:
        if ok(text):
            return text
    text = exact_decimal(one_based)
    assert text is not None  # a float offset is a dyadic fraction
    return text


# notes -----------------------------------------------------------------------
def default_velocity(accent: bool, ghost: bool) -> int:
    """The velocity a note gets when the chart gives none (as in ``make_note``)."""
    return ACCENT_VELOCITY if accent else GHOST_VELOCITY if ghost else DEFAULT_VELOCITY


def parse_voice(code: str) -> Voice:
    """A voice from its code or name, or a LineError listing the codes."""
    try:
        return Voice.from_name(code)
    except KeyError:
        raise LineError(f"unknown voice '{code}' (expected one of {VOICE_CODES})") from None
