"""Bars of a tempo map in exact integers, and positions written as ``BAR:BEAT``.

A position in a beatmap is a bar and an exact offset into it. The beat a note
gets is the bar's start (a float, as :meth:`TempoMap.bar_start_beat` gives it)
plus that offset, computed exactly as an integer ratio and rounded to a float
once: ``(start_num * den + num * start_den) / (start_den * den)``. Python
divides integers with correct rounding, so the float is the same as exact
rational arithmetic gives, with no :class:`~fractions.Fraction` on the way.

:class:`BarTable` answers "where does bar N start" and "which bar holds this
beat" by binary search over the meter changes (the tempo map itself searches
them one by one), so a chart of thousands of bars costs nothing per note.
"""

from __future__ import annotations

import bisect
import itertools
import math

import numpy as np
from numpy.typing import NDArray

from game.engine.tempo import TempoMap
from game.formats.beatmap_syntax import (
    MAX_BAR,
    LineError,
    Ratio,
    exact_decimal,
    fmt_ratio,
    parse_beat_text,
    round_ratio,
)

#: Denominators tried, in order, for the shortest BEAT text of a position.
BEAT_DENOMINATORS = (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128)


class BarTable:
    """Where each bar of ``tempo`` starts and how long it is, found in O(log meters).

    The bar starts are the very floats :meth:`TempoMap.bar_start_beat` returns
    (the same sums in the same order), checked against it in the tests.
    """

    __slots__ = ("_arrays", "_exact", "_first_bars", "_meters", "_seg_beats", "_seg_starts",
                 "end", "tempo")

    def __init__(self, tempo: TempoMap) -> None:
        self.tempo = tempo
        meters = tempo.meters
        self._first_bars = [m.bar for m in meters]
        self._meters = [(m.numerator, m.denominator) for m in meters]
        self._seg_beats = [m.bar_beats for m in meters]
        starts = [0.0]
        for prev, m in itertools.pairwise(meters):
            starts.append(starts[-1] + (m.bar - prev.bar) * prev.bar_beats)
        self._seg_starts = starts
        self._exact: dict[int, tuple[int, int, int, int]] = {}
        self._arrays: tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64],
                            NDArray[np.int64], NDArray[np.int64]] | None = None
        #: The beat where bar MAX_BAR + 1 starts: no position may reach it.
        self.end = self.start(MAX_BAR + 1)

    def _segment(self, bar: int) -> int:
        return max(bisect.bisect_right(self._first_bars, bar) - 1, 0)

    def start(self, bar: int) -> float:
        """Beat of the downbeat of ``bar`` (1-based), as ``TempoMap.bar_start_beat``."""
        i = self._segment(bar)
        return self._seg_starts[i] + (bar - self._first_bars[i]) * self._seg_beats[i]

    def length(self, bar: int) -> Ratio:
        """Exact length of ``bar`` in quarter notes, as ``(4 * numerator, denominator)``."""
        n, d = self._meters[self._segment(bar)]
        return 4 * n, d

    def exact(self, bar: int) -> tuple[int, int, int, int]:
        """``(sn, sd, ln, ld)``: the bar starts at beat sn/sd and is ln/ld beats long."""
        got = self._exact.get(bar)
        if got is None:
            got = self._exact[bar] = (*self.start(bar).as_integer_ratio(), *self.length(bar))
        return got

    def arrays(self, count: int) -> tuple[NDArray[np.float64], NDArray[np.int64],
                                          NDArray[np.int64], NDArray[np.int64],
                                          NDArray[np.int64]]:
        """Bars 1 to ``count`` (index 0 is bar 1) as arrays: start (float), and the exact
        ``sn, sd, ln, ld`` of :meth:`exact`. Only for bars whose numbers fit in 64 bits."""
        if self._arrays is None or len(self._arrays[0]) < count:
            table = [self.exact(bar) for bar in range(1, count + 1)]
            starts = np.array([self.start(bar) for bar in range(1, count + 1)],
                              dtype=np.float64)
            sn, sd, ln, ld = (np.array(col, dtype=np.int64) for col in zip(*table, strict=True))
            self._arrays = (starts, sn, sd, ln, ld)
        starts, sn, sd, ln, ld = self._arrays
        return starts[:count], sn[:count], sd[:count], ln[:count], ld[:count]

    def guess_bar(self, beat: float) -> int:
        """The bar holding ``beat`` by float arithmetic (as ``TempoMap.bar_at_beat``)."""
        i = max(bisect.bisect_right(self._seg_starts, beat) - 1, 0)
        into = beat - self._seg_starts[i]
        n = int(into // self._seg_beats[i]) if into >= 0 else 0
        return max(self._first_bars[i] + n, 1)

    def split(self, beat: float) -> tuple[int, int, int]:
        """Exactly split a beat (>= 0) into (bar, offset numerator, offset denominator).

        Raises
        ------
        ValueError
            If the beat lies past bar :data:`MAX_BAR`.
        """
        if beat >= self.end:
            raise ValueError(f"beat {float(beat)} is past bar {MAX_BAR}, the last this game "
                             "reads")
        bar = self.guess_bar(beat)
        while bar > 1 and beat < self.start(bar):
            bar -= 1
        bn, bd = beat.as_integer_ratio()
        while True:
            sn, sd = self.start(bar).as_integer_ratio()
            num, den = bn * sd - sn * bd, bd * sd
            ln, ld = self.length(bar)
            if num * ld < ln * den:
                return bar, num, den
            bar += 1


def position_beat(start: Ratio, offset: Ratio) -> float:
    """The float beat the parser gives a note ``offset`` beats into a bar at ``start``."""
    sn, sd = start
    on, od = offset
    return (sn * od + on * sd) / (sd * od)


def check_beat_in_bar(bars: BarTable, bar: int, beat: Ratio, text: str) -> Ratio:
    """Return the offset (beats after the downbeat) of 1-based ``beat`` in ``bar``.

    Raises
    ------
    LineError
        If the beat lies past the end of the bar.
    """
    ln, ld = bars.length(bar)
    bn, bd = beat
    if bn * ld >= (ld + ln) * bd:
        raise LineError(
            f"bad position '{text}': bar {bar} is {fmt_ratio(ln, ld)} beats long "
            f"(expected a beat from 1 to below {fmt_ratio(ld + ln, ld)})"
        )
    return bn - bd, bd


def format_position(bars: BarTable, beat: float, *, always_beat: bool = False) -> str:
    """Write ``beat`` (>= 0) as ``BAR`` or ``BAR:BEAT`` that parses back to exactly ``beat``."""
    bar, num, den = bars.split(beat)
    if num == 0 and not always_beat:
        return str(bar)
    start = bars.start(bar).as_integer_ratio()
    return f"{bar}:{format_beat_in_bar(start, (num, den), beat)}"


def format_beat_in_bar(start: Ratio, offset: Ratio, beat: float) -> str:
    """Shortest BEAT text (1-based) for ``offset`` that reads back to exactly ``beat``.

    Tries, in order: the nearest whole beat, the nearest multiple of 1/2, 1/3,
    1/4 ... 1/128 of a beat, the shortest decimal of the float, and finally the
    exact decimal of the offset (a float offset always has one).
    """
    on, od = offset
    one_num, one_den = on + od, od  # the 1-based beat

    def reads_back(value: Ratio) -> bool:
        return position_beat(start, (value[0] - value[1], value[1])) == beat

    whole = round_ratio(one_num, one_den)
    if reads_back((whole, 1)):
        return str(whole)
    for den in BEAT_DENOMINATORS:
        num = round_ratio(one_num * den, one_den)
        if reads_back((num, den)):
            return _beat_text(num, den)
    text = repr(one_num / one_den)
    value = parse_beat_text(text)
    if value is not None and reads_back(value):
        return text
    exact = exact_decimal(one_num, one_den)
    assert exact is not None  # a float offset is a dyadic fraction
    return exact


def _beat_text(num: int, den: int) -> str:
    """``num/den`` as BEAT text: an exact decimal, else ``WHOLE+N/D`` (or ``N/D`` below 1)."""
    text = exact_decimal(num, den)
    if text is not None:
        return text
    g = math.gcd(num, den)
    num, den = num // g, den // g
    whole, rest = divmod(num, den)
    return f"{whole}+{rest}/{den}" if whole else f"{num}/{den}"
