"""Latency calibration maths: tap offsets against a click, medians, offset suggestions.

Pure functions (standard library and numpy only), used by the calibration
screen and the results screen.

Sign convention: an *offset* is ``tap time - click (or note) time``; positive
means late. The game's latency settings are subtracted from what they
correct, so a measured median offset of ``+m`` ms is a latency of ``+m`` ms:

* audio calibration: ``Audio.audio_offset_ms = m`` (the clock then reads
  song time ``m`` ms behind the mixer, i.e. what is *heard*);
* input calibration: ``PlayerPrefs.input_offset_ms = m`` (taken off each of
  that player's hit times).

:func:`suggest_offset_ms` instead returns the *correction* for the player's
hits, ``-m`` rounded; applying it means ``input_offset_ms -= suggestion``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

import numpy as np

__all__ = [
    "MIN_HITS",
    "MIN_TAPS",
    "NO_CHANGE_MS",
    "click_times",
    "median_offset_ms",
    "suggest_offset_ms",
    "tap_offsets",
]

#: Fewest taps whose median is trusted.
MIN_TAPS = 8
#: Fewest hits in a song before the results screen suggests an offset.
MIN_HITS = 20
#: A median offset smaller than this (ms, either way) needs no correction.
NO_CHANGE_MS = 3.0


def click_times(bpm: float, count: int, *, start_s: float = 0.0) -> list[float]:
    """Song times in seconds of ``count`` metronome clicks at ``bpm``, the first at ``start_s``.

    Raises
    ------
    ValueError
        If ``bpm`` is not positive or ``count`` is negative.
    """
    if bpm <= 0 or count < 0:
        raise ValueError(f"need bpm > 0 and count >= 0, got bpm={bpm}, count={count}")
    beat_s = 60.0 / bpm
    return [start_s + k * beat_s for k in range(count)]


def median_offset_ms(offsets_s: Sequence[float]) -> float | None:
    """The signed median of tap offsets, in milliseconds (positive: late).

    Parameters
    ----------
    offsets_s : sequence of float
        Offsets ``tap - click`` in seconds, e.g. from :func:`tap_offsets`.

    Returns
    -------
    float or None
        Median in ms; None when there are fewer than :data:`MIN_TAPS` offsets.
    """
    if len(offsets_s) < MIN_TAPS:
        return None
    return float(np.median(np.asarray(offsets_s, dtype=np.float64))) * 1e3


def tap_offsets(tap_times_s: Sequence[float], click_times_s: Sequence[float], *,
                max_distance_s: float = 0.25) -> list[float]:
    """Each tap's offset from its nearest click, in seconds (positive: late).

    Parameters
    ----------
    tap_times_s : sequence of float
        When the taps happened, song time in seconds (any order).
    click_times_s : sequence of float
        When the clicks sounded, song time in seconds (any order).
    max_distance_s : float
        Taps farther than this (seconds) from every click are ignored: stray
        presses, double taps, a tap during a pause.

    Returns
    -------
    list of float
        One offset per kept tap, in the taps' order. Empty without clicks.
    """
    clicks = sorted(click_times_s)
    if not clicks:
        return []
    out: list[float] = []
    for tap in tap_times_s:
        i = bisect_left(clicks, tap)
        nearest = min((clicks[j] for j in (i - 1, i) if 0 <= j < len(clicks)),
                      key=lambda c: abs(tap - c))
        d = tap - nearest
        if abs(d) <= max_distance_s:
            out.append(d)
    return out


def suggest_offset_ms(report_player_offsets_s: Sequence[float], *,
                      min_hits: int = MIN_HITS) -> float | None:
    """The timing correction one player's hits in a song suggest, in whole ms.

    Parameters
    ----------
    report_player_offsets_s : sequence of float
        That player's hit offsets ``hit - note`` in seconds (positive: late), e.g.
        the second items of ``Session.scores[p].offsets``.
    min_hits : int
        Fewer hits than this give no suggestion.

    Returns
    -------
    float or None
        ``-median`` in ms rounded to 1 ms (hits 14 ms late on average give
        ``-14.0``): add it to the hits, i.e. *subtract* it from the player's
        ``input_offset_ms``. None with fewer than ``min_hits`` hits, or when
        ``|median| < NO_CHANGE_MS`` (no change needed).
    """
    if len(report_player_offsets_s) < max(1, min_hits):
        return None
    median = float(np.median(np.asarray(report_player_offsets_s, dtype=np.float64))) * 1e3
    if abs(median) < NO_CHANGE_MS:
        return None
    return float(round(-median)) + 0.0  # + 0.0: never "-0.0"
