"""Per-player score processor: score, combo, accuracy, offsets, unstable rate.

Scoring rules (documented for players):

* Base points: Perfect 300, Great 200, Good 100, Miss 0.
* Combo counts consecutive Perfect/Great/Good; a Miss resets it, a stray does not.
* Multiplier: x1, rising by one every 10 combo up to x4 (combo counted after
  the note, so the 10th note of a streak is the first at x2).
* An accented note hit hard enough earns +50 % of its base points.
* Accuracy = (300·Perfect + 200·Great + 100·Good) / (300 · judged notes), in
  [0, 1]; 1.0 before any note is judged.
* Unstable rate as osu!: 10 × population SD of hit offsets in ms (misses
  excluded); mean offset in ms (positive = late).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from game.engine.events import MISS, STRAY, Grade, Judgement

BASE_POINTS: dict[Grade, int] = {Grade.PERFECT: 300, Grade.GREAT: 200, Grade.GOOD: 100,
                                 Grade.MISS: 0}
ACCENT_BONUS = 0.5
MULTIPLIER_STEP = 10
MAX_MULTIPLIER = 4
# Lookup tables for the hit path (see events.py on enum lookups).
_POINTS = tuple(BASE_POINTS[Grade(g)] for g in range(4))
_MULT_TOP = MULTIPLIER_STEP * MAX_MULTIPLIER
_MULT = tuple(min(1 + c // MULTIPLIER_STEP, MAX_MULTIPLIER) for c in range(_MULT_TOP))


def multiplier_for(combo: int) -> int:
    """Score multiplier at a combo (1..4)."""
    return min(1 + combo // MULTIPLIER_STEP, MAX_MULTIPLIER)


@dataclass(frozen=True, slots=True)
class PlayerStats:
    """A snapshot of one player's scoring."""

    perfect: int
    great: int
    good: int
    miss: int
    strays: int
    score: int
    combo: int
    max_combo: int
    accuracy: float
    mean_offset_ms: float | None
    unstable_rate: float | None
    accent_hits: int
    accent_notes: int

    @property
    def judged(self) -> int:
        """Notes judged so far."""
        return self.perfect + self.great + self.good + self.miss


class ScoreProcessor:
    """Accumulates one player's judgements. Cheap per judgement."""

    __slots__ = ("_m2", "_mean", "accent_hits", "accent_notes", "combo", "counts", "max_combo",
                 "n_hits", "offsets", "score", "strays")

    def __init__(self) -> None:
        self.counts = [0, 0, 0, 0]  # indexed by Grade MISS..PERFECT
        self.strays = 0
        self.score = 0
        self.combo = 0
        self.max_combo = 0
        self.accent_hits = 0
        self.accent_notes = 0
        self.n_hits = 0
        self._mean = 0.0
        self._m2 = 0.0
        #: (note time s, offset s) of every hit, for the results graphs.
        self.offsets: list[tuple[float, float]] = []

    def apply(self, j: Judgement, accent_note: bool = False) -> None:
        """Add one judgement. ``accent_note``: the judged note is accented."""
        grade = j.grade
        if grade is STRAY:
            self.strays += 1
            return
        self.counts[grade] += 1
        if accent_note:
            self.accent_notes += 1
        if grade is MISS:
            self.combo = 0
            return
        self.combo += 1
        if self.combo > self.max_combo:
            self.max_combo = self.combo
        base = _POINTS[grade]
        if j.accent_hit:
            self.accent_hits += 1
            base = int(base * (1 + ACCENT_BONUS))
        combo = self.combo
        self.score += base * (_MULT[combo] if combo < _MULT_TOP else MAX_MULTIPLIER)
        # Welford's running mean and variance of the offsets (seconds).
        off = j.hit_time_s - j.note_time_s  # type: ignore[operator]
        self.n_hits += 1
        delta = off - self._mean
        self._mean += delta / self.n_hits
        self._m2 += delta * (off - self._mean)
        self.offsets.append((j.note_time_s, off))  # type: ignore[arg-type]

    @property
    def accuracy(self) -> float:
        """Accuracy in [0, 1]; 1.0 before anything is judged."""
        miss, good, great, perfect = self.counts
        judged = miss + good + great + perfect
        if judged == 0:
            return 1.0
        return (300 * perfect + 200 * great + 100 * good) / (300 * judged)

    @property
    def mean_offset_ms(self) -> float | None:
        """Mean hit offset in ms (positive = late), None before any hit."""
        return self._mean * 1e3 if self.n_hits else None

    @property
    def unstable_rate(self) -> float | None:
        """osu!'s unstable rate: 10 × population SD of offsets in ms."""
        if not self.n_hits:
            return None
        return 10.0 * math.sqrt(max(self._m2, 0.0) / self.n_hits) * 1e3

    def snapshot(self) -> PlayerStats:
        """The current figures as plain data."""
        miss, good, great, perfect = self.counts
        return PlayerStats(perfect, great, good, miss, self.strays, self.score, self.combo,
                           self.max_combo, self.accuracy, self.mean_offset_ms,
                           self.unstable_rate, self.accent_hits, self.accent_notes)
