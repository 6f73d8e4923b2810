"""The events that flow through the engine: hits in, judgements out."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from game.engine.voices import Voice

#: Velocity a keyboard key or a bot hit reports when it has no dynamics.
DEFAULT_HIT_VELOCITY = 100


@dataclass(frozen=True, slots=True)
class HitEvent:
    """One stroke by one player, from any source.

    Keyboard, MIDI kit, replay and bot all produce exactly this.

    Attributes
    ----------
    player : int
        0 for P1, 1 for P2.
    time_s : float
        Song-clock time of the stroke in seconds, after the device's calibrated
        latency has been taken off.
    voice : Voice or None
        What was struck, when the source knows (a kit pad, a MIDI file).
    lane : int or None
        The lane hit, when the source knows it directly (a keyboard key).
        When None, the player's lane layout maps ``voice`` to a lane.
    velocity : int
        1-127.
    source : str
        ``"keyboard"``, ``"midi"``, ``"replay"``, ``"bot"``, ``"csv"``...
    """

    player: int
    time_s: float
    voice: Voice | None = None
    lane: int | None = None
    velocity: int = DEFAULT_HIT_VELOCITY
    source: str = ""


class Grade(enum.IntEnum):
    """A judgement. Higher is better; STRAY judges no note."""

    STRAY = -1
    MISS = 0
    GOOD = 1
    GREAT = 2
    PERFECT = 3

    @property
    def label(self) -> str:
        """Lower-case name, as used in reports (``"perfect"``)."""
        return self.name.lower()


# Module-level aliases: an enum attribute lookup costs ~100 ns on Python 3.11,
# a global ~10 ns, and the hit path makes several per event.
STRAY, MISS, GOOD, GREAT, PERFECT = (Grade.STRAY, Grade.MISS, Grade.GOOD, Grade.GREAT,
                                     Grade.PERFECT)


@dataclass(slots=True)
class Judgement:
    """The engine's verdict on one note (or one stray hit).

    Treat as read-only. (Not ``frozen``: a frozen dataclass costs 1.4 us to
    build against 0.2 us, and one is built per hit on the live path.)

    Attributes
    ----------
    player : int
    grade : Grade
    note_index : int
        Index into the player's note list; -1 for a stray.
    note_time_s : float or None
        The note's time; None for a stray.
    hit_time_s : float or None
        The hit's time; None for a note that passed unhit.
    lane : int
    velocity : int
        Hit velocity (0 when unhit).
    accent_hit : bool
        The note is accented and the hit was hard enough to earn the bonus.
    """

    player: int
    grade: Grade
    note_index: int
    note_time_s: float | None
    hit_time_s: float | None
    lane: int
    velocity: int = 0
    accent_hit: bool = False

    @property
    def offset_s(self) -> float | None:
        """``hit - note`` in seconds (positive = late); None if either is missing."""
        if self.hit_time_s is None or self.note_time_s is None:
            return None
        return self.hit_time_s - self.note_time_s

    @property
    def is_hit(self) -> bool:
        """True for Perfect, Great and Good: the note was played in time."""
        return self.grade >= GOOD
