"""One way to judge a performance: the settings, and the one function every path uses.

Live play, ``play --headless``, practice loops, ``score``, ``simulate`` and
re-judging a replay all build a :class:`~game.engine.session.Session` from one
:class:`JudgeSettings` and judge with :func:`~game.engine.session.judge_performance`
(live play makes the same ``advance`` / ``feed`` calls as they happen). A replay carries the
settings and, for every stroke, the song clock the session had reached when
the stroke was fed, so judging it again repeats the live run step for step.

The ordering rules (the tests draw them as timelines):

1. A stroke stamped ``t`` first misses its player's notes whose window closed
   before ``t``: those are counted before the stroke, as on the song's timeline.
2. The song clock passing ``now`` misses a player's notes whose window closed
   before ``now - late_input_s[player]``: a live stroke may reach the engine up
   to that late and still find its note open.
3. A stroke that reaches the engine later than its margin finds those notes
   already missed (counted, in ``stats``, as strokes fed late).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from game.engine.judge import ACCENT_HIT_VELOCITY
from game.engine.windows import STANDARD, HitWindows


@dataclass(frozen=True, slots=True)
class JudgeSettings:
    """How strokes are judged.

    Attributes
    ----------
    windows : HitWindows
        The grade windows.
    accent_velocity : int
        Minimum stroke velocity (MIDI 1-127) that earns an accented note's bonus.
    late_input_s : (float, float)
        Per player, seconds on the song clock: how late a stroke may reach the
        engine and still find its note open (0 for scripted players; live play
        sets the live margin plus the player's device latency).
    """

    windows: HitWindows = STANDARD
    accent_velocity: int = ACCENT_HIT_VELOCITY
    late_input_s: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        if len(self.late_input_s) != 2 or not all(
                0.0 <= m < math.inf for m in self.late_input_s):
            raise ValueError(f"late_input_s must be two margins >= 0 s, not "
                             f"{self.late_input_s!r}")
        if not 1 <= self.accent_velocity <= 127:
            raise ValueError(f"accent_velocity must be 1-127, not {self.accent_velocity}")


#: Standard windows, the standard accent velocity, no late margins (scripted players).
DEFAULT_SETTINGS = JudgeSettings()
