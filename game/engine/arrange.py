"""Arrange one drum part for two players: unison sections and split-kit sections.

Used by auto-charting (one transcribed drum part, two players). In a *unison*
section both players get every note; in a *split* section P1 plays the hands
(hi-hats, cymbals, snare, toms) and P2 the feet and the accents: every kick,
plus every accented note and every crash -- which P1 also has, so the two
still meet on the strong beats and the duet sync metrics have notes to measure.

Pure standard library: this module is part of the headless engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from game.engine.chart import Note, sort_notes
from game.engine.voices import Voice

__all__ = ["SPLIT", "UNISON", "SectionRole", "arrange_duet"]

UNISON = "unison"
SPLIT = "split"

#: Voices P2 gets in a split section besides the accents.
_FEET_AND_CRASHES = frozenset({Voice.KICK, Voice.HIHAT_PEDAL, Voice.CRASH})


@dataclass(frozen=True, slots=True)
class SectionRole:
    """How a stretch of the song, from ``start_s``, is shared out."""

    start_s: float
    role: str  # UNISON or SPLIT


def _role_at(roles: tuple[SectionRole, ...], time_s: float) -> str:
    role = roles[0].role if roles else UNISON
    for r in roles:
        if r.start_s <= time_s + 1e-9:
            role = r.role
        else:
            break
    return role


def arrange_duet(notes: tuple[Note, ...] | list[Note], roles: tuple[SectionRole, ...] | list[
        SectionRole]) -> tuple[tuple[Note, ...], tuple[Note, ...]]:
    """P1's and P2's Expert parts from one drum part.

    Parameters
    ----------
    notes : sequence of Note
        The whole drum part.
    roles : sequence of SectionRole
        In time order; before the first, the first role holds.

    Returns
    -------
    p1, p2 : tuple of Note
        Sorted; together they hold every note, and neither is empty when
        ``notes`` is not (a split section without kicks or accents is played in
        unison).

    Raises
    ------
    ValueError
        For a role other than :data:`UNISON` or :data:`SPLIT`.
    """
    ordered = tuple(sorted(roles, key=lambda r: r.start_s))
    for r in ordered:
        if r.role not in (UNISON, SPLIT):
            raise ValueError(f"unknown section role {r.role!r}; expected {UNISON!r} or {SPLIT!r}")
    p1: list[Note] = []
    p2: list[Note] = []
    for n in notes:
        if _role_at(ordered, n.time_s) == UNISON:
            p1.append(n)
            p2.append(n)
            continue
        feet = n.voice in _FEET_AND_CRASHES
        if not feet or n.voice is Voice.CRASH:
            p1.append(n)
        if feet or n.accent:
            p2.append(n)
    if notes and not p2:
        p2 = list(notes)
    if notes and not p1:
        p1 = list(notes)
    return sort_notes(p1), sort_notes(p2)
