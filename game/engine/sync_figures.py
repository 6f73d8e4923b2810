"""The duet's figures: how well the two players stay together, and how each is computed.

:class:`~game.engine.sync.DuetTracker` gathers the hits these figures are
computed from (over the whole song, or a rolling window of it).

Definitions (see the README's "How the duet is scored"):

* A *shared note time* is a chart time where both players' parts have a note.
  At each one, a player's time is the mean of their hit times on the notes
  there (kick and hi-hat struck together count once); when both have hit,
  ``d = t_P1 - t_P2`` (positive: P2 was earlier).
* mean asynchrony = mean(d); sync spread = population SD of d; in-sync rate =
  share of those times with ``|d| <= 20 ms``.
* Each such time gets a sync grade: locked <= 10 ms, tight <= 25, loose <= 50,
  flam beyond.
* Phase lock R per player: each hit's error as a phase of the local beat,
  ``phi = 2 pi (hit - note) / beat_s``; ``R = |mean exp(i phi)|``, corrected for
  small N as the pairwise phase consistency ``sqrt(max(0, (N R^2 - 1)/(N - 1)))``.
* Leader: lag +1 / -1 cross-correlations of the two players' inter-onset-interval
  deviations from the chart on the shared times (joint-tapping research): P2
  following P1's last interval means P1 leads, and the reverse; both alike
  (within 0.1) is "mutual"; fewer than 30 intervals, or no correlation above
  0.2, gives None.
* Team score (0 - 1,000,000) = 1e6 × (0.5 × mean accuracy + 0.5 × sync quality),
  where sync quality is the mean grade weight over the shared times (locked 1,
  tight 0.8, loose 0.5, flam 0.2, not hit by both 0), or, for a chart with no
  shared times, the mean of the two phase-lock values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import repeat
from operator import mul

IN_SYNC_S = 0.020
SYNC_GRADES: tuple[tuple[str, float, float], ...] = (
    ("locked", 0.010, 1.0),
    ("tight", 0.025, 0.8),
    ("loose", 0.050, 0.5),
    ("flam", math.inf, 0.2),
)
MIN_LEADER_INTERVALS = 30
LEADER_MIN_R = 0.2
MUTUAL_MARGIN = 0.1
AHEAD_EVEN_MS = 2.0
TWO_PI = 2.0 * math.pi


def sync_grade(d_s: float) -> str:
    """Grade of one asynchrony ``d`` in seconds: locked, tight, loose or flam."""
    a = abs(d_s)
    for name, limit, _ in SYNC_GRADES:
        if a <= limit:
            return name
    return "flam"  # pragma: no cover


def grade_weight(d_s: float) -> float:
    a = abs(d_s)
    for _, limit, weight in SYNC_GRADES:
        if a <= limit:
            return weight
    return 0.0  # pragma: no cover


def corrected_phase_lock(cos_sum: float, sin_sum: float, n: int) -> float | None:
    """Bias-corrected phase-locking value from summed cos/sin of N phases."""
    if n < 2:
        return None
    r2 = (cos_sum * cos_sum + sin_sum * sin_sum) / (n * n)
    ppc = (n * r2 - 1.0) / (n - 1.0)
    return math.sqrt(ppc) if ppc > 0 else 0.0


def _corr(x: list[float], y: list[float]) -> float:
    n = len(x)
    mx = sum(x) / n
    my = sum(y) / n
    sxy = sxx = syy = 0.0
    for a, b in zip(x, y, strict=True):
        da, db = a - mx, b - my
        sxy += da * db
        sxx += da * da
        syy += db * db
    if sxx <= 0 or syy <= 0:
        return 0.0
    return sxy / math.sqrt(sxx * syy)


def _remove_microtiming(t: list[float], chart: list[float], positions: list[int]) -> list[float]:
    """Hit times minus the player's mean deviation at each metric position.

    Drummers play some grid positions consistently early or late (swing, a
    laid-back backbeat). Two drummers sharing that feel would otherwise look
    coupled; only the deviations left after it are evidence of adaptation.
    """
    sums: dict[int, float] = {}
    counts: dict[int, int] = {}
    for ti, ci, pos in zip(t, chart, positions, strict=True):
        sums[pos] = sums.get(pos, 0.0) + (ti - ci)
        counts[pos] = counts.get(pos, 0) + 1
    return [ti - (sums[pos] / counts[pos] if counts[pos] >= 3 else 0.0)
            for ti, pos in zip(t, positions, strict=True)]


def leader_from(t1: list[float], t2: list[float], chart: list[float],
                positions: list[int] | None = None) -> tuple[str | None, float | None,
                                                             float | None]:
    """Who leads, from hit times of both players at the same chart times.

    Parameters
    ----------
    t1, t2 : list of float
        Each player's time at each shared chart time, seconds.
    chart : list of float
        The chart times, seconds, increasing.
    positions : list of int, optional
        Metric position of each chart time (e.g. 48ths of a beat); when given,
        each player's mean deviation per position is removed first.

    Returns
    -------
    leader : {"p1", "p2", "mutual"} or None
    r_p1_leads, r_p2_leads : float or None
        Lag +1 correlation (P2's interval follows P1's previous one) and lag -1.
    """
    if len(chart) - 1 < MIN_LEADER_INTERVALS:
        return None, None, None
    if positions is not None:
        t1 = _remove_microtiming(t1, chart, positions)
        t2 = _remove_microtiming(t2, chart, positions)
    a = [(t1[k + 1] - t1[k]) - (chart[k + 1] - chart[k]) for k in range(len(chart) - 1)]
    b = [(t2[k + 1] - t2[k]) - (chart[k + 1] - chart[k]) for k in range(len(chart) - 1)]
    r_plus = _corr(a[:-1], b[1:])
    r_minus = _corr(b[:-1], a[1:])
    if max(r_plus, r_minus) < LEADER_MIN_R:
        return None, r_plus, r_minus
    if abs(r_plus - r_minus) < MUTUAL_MARGIN:
        return "mutual", r_plus, r_minus
    return ("p1" if r_plus > r_minus else "p2"), r_plus, r_minus


def _mean_spread(d_list: list[float]) -> tuple[float | None, float | None]:
    """Mean and population SD of the asynchronies ``d_list`` (s); None for none."""
    n = len(d_list)
    if not n:
        return None, None
    mean_d = sum(d_list) / n
    return mean_d, math.sqrt(sum((d - mean_d) ** 2 for d in d_list) / n)


@dataclass(frozen=True, slots=True)
class DuetStats:
    """The pair's figures, over the whole song so far or over a window."""

    shared_times: int
    shared_notes: int
    mean_asynchrony_ms: float | None
    sync_spread_ms: float | None
    in_sync_rate: float | None
    phase_lock: tuple[float | None, float | None]
    leader: str | None
    ahead: str | None
    grades: tuple[tuple[str, int], ...]
    accent_pairs: int
    accent_agreement: float | None
    sync_quality: float | None
    team_score: int
    asynchronies: tuple[tuple[float, float], ...]


GRADE_NAMES = tuple(g[0] for g in SYNC_GRADES)
GRADE_INDEX = {name: i for i, name in enumerate(GRADE_NAMES)}


def assemble_stats(accuracies: tuple[float, float], resolved: int, d_list: list[float],
              chart: list[float], grades: tuple[tuple[str, int], ...], weight: float,
              in_sync: int, accent_pairs: int, accent_agree: int,
              locks: tuple[float | None, float | None], leader: str | None) -> DuetStats:
    """The figures from what the window holds (shared by both ways of gathering it).

    Parameters
    ----------
    accuracies : (float, float)
    resolved : int
        Shared times both players have judged.
    d_list, chart : list of float
        Asynchrony and chart time (s) of each paired shared time, in time order.
    grades : tuple of (str, int)
        Paired shared times per sync grade.
    weight : float
        Their grade weights summed in time order.
    in_sync : int
        Paired shared times within the in-sync limit.
    accent_pairs, accent_agree : int
    locks : (float or None, float or None)
        Each player's phase lock.
    leader : str or None
    """
    n = len(d_list)
    mean_d, sd_d = _mean_spread(d_list)
    rate = in_sync / n if n else None
    if resolved:
        quality: float | None = weight / resolved
    else:
        known = [x for x in locks if x is not None]
        quality = sum(known) / len(known) if known else None
    ahead = None
    if mean_d is not None:
        ms = mean_d * 1e3
        ahead = "even" if abs(ms) <= AHEAD_EVEN_MS else ("p2" if ms > 0 else "p1")
    team = round(1e6 * (0.5 * (accuracies[0] + accuracies[1]) / 2 + 0.5 * (quality or 0.0)))
    return DuetStats(
        shared_times=resolved,
        shared_notes=n,
        mean_asynchrony_ms=None if mean_d is None else mean_d * 1e3,
        sync_spread_ms=None if sd_d is None else sd_d * 1e3,
        in_sync_rate=rate,
        phase_lock=locks,
        leader=leader,
        ahead=ahead,
        grades=grades,
        accent_pairs=accent_pairs,
        accent_agreement=accent_agree / accent_pairs if accent_pairs else None,
        sync_quality=quality,
        team_score=team,
        asynchronies=tuple(zip(chart, map(mul, d_list, repeat(1e3)), strict=True)),
    )
