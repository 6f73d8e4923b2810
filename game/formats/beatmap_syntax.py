"""Pieces of the ``.beatmap`` text format shared by the parser and the writer.

Numbers are exact: a number read from the text is kept as an integer ratio
``(numerator, denominator)`` (:data:`Ratio`, denominator above 0, not
necessarily reduced), and turned into a float only once, by integer division
(which Python rounds correctly). No :class:`~fractions.Fraction` is built on
the way, so reading and writing stay fast on charts of an hour or more.
"""

from __future__ import annotations

import math
import re

from game.engine.chart import ACCENT_VELOCITY, DEFAULT_VELOCITY, GHOST_VELOCITY
from game.engine.voices import Voice

MAGIC = "drum-diplomacy beatmap"
VERSION = 1
HEADER_LINE = f"{MAGIC} {VERSION}"

#: An exact number: (numerator, denominator), denominator > 0.
Ratio = tuple[int, int]

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
#: All cell characters in one string (for ``str.strip``).
CELL_CHARS = "".join(CELLS)

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
#: Most digits read in one number: enough for the exact decimal of any float
#: (at most 767 significant digits), few enough that a hostile file's huge
#: numbers cannot take minutes to convert.
MAX_DIGITS = 2000

#: Meter denominators a time signature may use.
METER_DENOMINATORS = (1, 2, 4, 8, 16, 32)

_COMMENT = re.compile(r"(?:^|\s)#")
_DEC = r"(?:\d+(?:\.\d*)?|\.\d+)"
_NUMBER = re.compile(r"^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$", re.ASCII)
_NUMBER_CHECK = re.compile(rf"^[+-]?{_DEC}(?:[eE][+-]?\d+)?$", re.ASCII)
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
    if "#" in line:
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
def decimal_ratio(text: str) -> Ratio | None:
    """The exact value of decimal text (``12``, ``-2.5``, ``1e-3``, ``.5``), or None.

    None also for numbers of more than :data:`MAX_DIGITS` digits. A value far
    below any float (exponent under -:data:`MAX_DIGITS`) becomes the tiniest
    ratio of its sign, which still rounds to a zero of that sign.
    """
    m = _NUMBER.match(text)
    if m is None or not _NUMBER_CHECK.match(text):
        return None
    sign, whole, frac, exp_text = m.groups()
    frac = frac or ""
    digits = (whole + frac).lstrip("0")
    if len(digits) > MAX_DIGITS or (exp_text is not None and len(exp_text) > 12):
        return None
    num = int(digits) if digits else 0
    if sign == "-":
        num = -num
    if num == 0:
        return 0, 1
    exp = (int(exp_text) if exp_text is not None else 0) - len(frac)
    if exp + len(digits) > MAX_DIGITS:  # at least 10**MAX_DIGITS: far past any bound
        return num * 10**MAX_DIGITS, 1
    if exp + len(digits) < -MAX_DIGITS:  # below 10**-MAX_DIGITS: rounds to a signed zero
        return (1 if num > 0 else -1), 10 ** (2 * MAX_DIGITS)
    return (num * 10**exp, 1) if exp >= 0 else (num, 10**-exp)


def parse_number(text: str, what: str) -> Ratio:
    """Parse a plain decimal number (``120``, ``-12.5``, ``1e-3``) exactly."""
    value = decimal_ratio(text)
    if value is None or abs(value[0]) > MAX_NUMBER * value[1]:
        raise LineError(f"bad {what} '{text}' (expected a number, e.g. 120 or 12.5)")
    return value


def fmt_number(x: float) -> str:
    """Shortest text that reads back as ``x`` with ``float()`` (``120`` not ``120.0``)."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def fmt_ratio(num: int, den: int) -> str:
    """A short human form of an exact number, for messages (``3.5``, ``7/3``)."""
    g = math.gcd(num, den)
    num, den = num // g, den // g
    if den == 1:
        return str(num)
    as_float = num / den
    short = decimal_ratio(repr(as_float))
    if short is not None and short[0] * den == num * short[1]:
        return repr(as_float)
    return f"{num}/{den}"


def exact_decimal(num: int, den: int) -> str | None:
    """The exact decimal expansion of ``num/den``, or None if it has none (thirds...)."""
    g = math.gcd(num, den)
    num, den = num // g, den // g
    rest = den
    twos = fives = 0
    while rest % 2 == 0:
        rest //= 2
        twos += 1
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest != 1:
        return None
    k = max(twos, fives)
    digits = abs(num) * (10**k // den)
    s = str(digits).rjust(k + 1, "0")
    whole, frac = (s[:-k], s[-k:].rstrip("0")) if k else (s, "")
    sign = "-" if num < 0 else ""
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def round_ratio(num: int, den: int) -> int:
    """``num/den`` rounded to the nearest integer, halves to even (as ``round``)."""
    floor, rem = divmod(num, den)
    twice = 2 * rem
    if twice < den:
        return floor
    if twice > den:
        return floor + 1
    return floor + (floor & 1)


# meters ----------------------------------------------------------------------
def parse_meter(text: str) -> tuple[int, int]:
    """Parse ``N/D`` (``4/4``, ``7/8``)."""
    m = _METER.match(text)
    if (m is None or len(m.group(1)) > 9 or len(m.group(2)) > 9 or int(m.group(1)) < 1
            or int(m.group(2)) not in METER_DENOMINATORS):
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


def parse_beat_text(text: str) -> Ratio | None:
    """Parse the BEAT of ``BAR:BEAT`` (``3``, ``2.5``, ``7/3``, ``3+1/3``); None if malformed."""
    m = _BEAT.match(text)
    if m is None or len(text) > MAX_DIGITS:
        return None
    if m.group("n") is not None:
        d = int(m.group("d"))
        return None if d == 0 else (int(m.group("n")), d)
    value = decimal_ratio(m.group("whole"))
    assert value is not None  # the pattern admits only plain decimals
    if m.group("fn") is not None:
        fd = int(m.group("fd"))
        if fd == 0:
            return None
        return value[0] * fd + int(m.group("fn")) * value[1], value[1] * fd
    return value


def parse_position(text: str, *, allow_seconds: bool = False) -> tuple[int, Ratio] | float:
    """Parse a position.

    Returns
    -------
    (bar, beat) or float
        ``BAR[:BEAT]`` gives the 1-based bar and the exact 1-based beat in it
        (not yet checked against the bar's length); ``Ns`` gives song seconds.
    """
    if allow_seconds:
        s = _SECONDS.match(text)
        if s is not None and len(text) <= MAX_DIGITS:
            return float(s.group("s"))
    m = _POSITION.match(text)
    beat: Ratio | None = (1, 1)
    if m is not None and m.group("beat") is not None:
        beat = parse_beat_text(m.group("beat"))
    if m is None or beat is None:
        raise LineError(f"bad position '{text}' ({_position_help(allow_seconds)})")
    bar = parse_bar(m.group("bar"), f"position '{text}'")
    if beat[0] < beat[1]:
        raise LineError(
            f"bad position '{text}': beat {fmt_ratio(*beat)} is before the bar "
            "(beat 1 is the downbeat)"
        )
    return bar, beat


def parse_bar(digits: str, what: str) -> int:
    """A bar number from its digits, checked by :func:`check_bar`."""
    if len(digits.lstrip("0")) > 9:
        raise LineError(f"bad {what}: bar {digits} is past the last bar this game reads, "
                        f"{MAX_BAR}")
    bar = int(digits)
    check_bar(bar, what)
    return bar


def check_bar(bar: int, what: str) -> None:
    """Raise a LineError unless ``bar`` is between 1 and :data:`MAX_BAR`."""
    if bar < 1:
        raise LineError(f"bad {what}: there is no bar {bar} (bars count from 1)")
    if bar > MAX_BAR:
        raise LineError(f"bad {what}: bar {bar} is past the last bar this game reads, "
                        f"{MAX_BAR}")


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
