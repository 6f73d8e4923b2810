"""The per-frame read model: what the gameplay screen draws, copied out of a session.

Kit threads judge strokes while the main thread draws. The view never reads the
session's changing state (scores, judged flags, offsets) directly: once per
frame the main thread takes a :class:`LiveFrame` with :func:`take_frame` under
``LivePlay.lock`` (:meth:`game.live.live_play.LivePlay.frame`) — a few small
copies, tens of microseconds — and draws from it, so every figure on one frame
comes from the same moment. (Here in the engine, plain data, so the drawing
layer can read it without knowing about threads.)
"""

from __future__ import annotations

from dataclasses import dataclass

from game.engine.scoring import PlayerStats
from game.engine.session import Session
from game.engine.sync_figures import DuetStats


@dataclass(frozen=True, slots=True)
class PlayerFrame:
    """One player's figures at one moment.

    Attributes
    ----------
    stats : PlayerStats
        Score, combo, accuracy, counts.
    judged_notes : int
        Notes judged so far (hit or missed).
    recent_offsets : tuple of (note time s, offset s)
        The latest hits, oldest first (at most the number asked for).
    judged : bytes
        Per note of the player's part: 1 once judged (the highway hides it).
    """

    stats: PlayerStats
    judged_notes: int
    recent_offsets: tuple[tuple[float, float], ...]
    judged: bytes


@dataclass(frozen=True, slots=True)
class LiveFrame:
    """Both players and the duet at one moment of the song.

    Attributes
    ----------
    now_s : float
        The song clock the session had reached (s).
    players : (PlayerFrame, PlayerFrame)
    duet : DuetStats
        The rolling duet figures over the last beats (the sync meter).
    """

    now_s: float
    players: tuple[PlayerFrame, PlayerFrame]
    duet: DuetStats


def take_frame(session: Session, *, recent_offsets: int) -> LiveFrame:
    """Copy what a frame draws out of ``session`` (the caller holds its lock).

    Parameters
    ----------
    session : Session
    recent_offsets : int
        How many of each player's latest hit offsets to keep (the error bar's ticks).
    """

    def player(p: int) -> PlayerFrame:
        scores = session.scores[p]
        offsets = scores.offsets
        return PlayerFrame(scores.snapshot(), sum(scores.counts),
                           tuple(offsets[-recent_offsets:]) if recent_offsets > 0 else (),
                           bytes(session.judges[p].judged))

    return LiveFrame(session.now_s, (player(0), player(1)), session.live_duet())
