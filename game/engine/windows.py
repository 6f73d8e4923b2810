"""Hit windows as pure data, with presets.

A hit judges the nearest unjudged note in its lane. With ``|offset|`` the
distance in seconds:

* ``<= perfect_s`` -> Perfect, ``<= great_s`` -> Great, ``<= good_s`` -> Good;
* ``<= miss_s`` -> that note is a Miss (the hit was too far off to count);
* farther from every unjudged note in the lane -> a stray (breaks no note).

A note nobody hit is a Miss once the song is more than ``miss_s`` past it.
Boundaries are inclusive, as in osu!.
"""

from __future__ import annotations

from dataclasses import dataclass

from game.engine.events import GOOD, GREAT, MISS, PERFECT, STRAY, Grade


@dataclass(frozen=True, slots=True)
class HitWindows:
    """Half-widths of the judgement windows, in seconds."""

    perfect_s: float = 0.025
    great_s: float = 0.050
    good_s: float = 0.090
    miss_s: float = 0.135

    def __post_init__(self) -> None:
        if not 0 < self.perfect_s <= self.great_s <= self.good_s <= self.miss_s:
            raise ValueError(
                "hit windows must satisfy 0 < perfect <= great <= good <= miss, got "
                f"{self.perfect_s * 1e3:g}/{self.great_s * 1e3:g}/{self.good_s * 1e3:g}/"
                f"{self.miss_s * 1e3:g} ms"
            )

    def grade_for(self, offset_s: float) -> Grade:
        """Judge an offset (``hit - note``, seconds). STRAY beyond ``miss_s``."""
        a = -offset_s if offset_s < 0 else offset_s
        if a <= self.perfect_s:
            return PERFECT
        if a <= self.great_s:
            return GREAT
        if a <= self.good_s:
            return GOOD
        if a <= self.miss_s:
            return MISS
        return STRAY

    def as_ms(self) -> dict[str, float]:
        """The windows in milliseconds, keyed ``perfect_ms`` ... ``miss_ms``."""
        return {
            "perfect_ms": self.perfect_s * 1e3,
            "great_ms": self.great_s * 1e3,
            "good_ms": self.good_s * 1e3,
            "miss_ms": self.miss_s * 1e3,
        }

    @classmethod
    def from_ms(cls, *, perfect_ms: float, great_ms: float, good_ms: float,
                miss_ms: float) -> HitWindows:
        """Build windows from milliseconds."""
        return cls(perfect_ms / 1e3, great_ms / 1e3, good_ms / 1e3, miss_ms / 1e3)


STANDARD = HitWindows()
CASUAL = HitWindows(0.035, 0.070, 0.120, 0.170)
STRICT = HitWindows(0.016, 0.035, 0.065, 0.110)

PRESETS: dict[str, HitWindows] = {"casual": CASUAL, "standard": STANDARD, "strict": STRICT}


def windows_named(name: str) -> HitWindows:
    """A preset by name, or ``"P/G/G/M"`` milliseconds such as ``"20/40/80/120"``.

    Raises
    ------
    ValueError
        Naming the presets, if ``name`` is neither.
    """
    if name in PRESETS:
        return PRESETS[name]
    parts = name.split("/")
    if len(parts) == 4:
        try:
            p, g, o, m = (float(x) for x in parts)
        except ValueError:
            pass
        else:
            return HitWindows.from_ms(perfect_ms=p, great_ms=g, good_ms=o, miss_ms=m)
    raise ValueError(
        f"unknown hit windows {name!r}: expected one of {', '.join(PRESETS)} "
        "or PERFECT/GREAT/GOOD/MISS in ms (e.g. 25/50/90/135)"
    )
