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
        Sorted; together they hold every note. A split section where one of
        the two would have nothing to play (no kicks or accents, or nothing
        but them) is played in unison.

    Raises
    ------
    ValueError
        For a role other than :data:`UNISON` or :data:`SPLIT`.
    """
    ordered = tuple(sorted(roles, key=lambda r: r.start_s))
    for r in ordered:
        if r.role not in (UNISON, SPLIT):
            raise ValueError(f"unknown section role {r.role!r}; expected {UNISON!r} or {SPLIT!r}")
    # notes by section (index into ``ordered``; -1 before the first)
    by_section: dict[int, list[Note]] = {}
    for n in notes:
        i = max((k for k, r in enumerate(ordered) if r.start_s <= n.time_s + 1e-9), default=-1)
        by_section.setdefault(i, []).append(n)
    p1: list[Note] = []
    p2: list[Note] = []
    for i, section in by_section.items():
        role = ordered[max(i, 0)].role if ordered else UNISON
        hands = [n for n in section if n.voice not in _FEET_AND_CRASHES
                 or n.voice is Voice.CRASH]
        feet = [n for n in section if n.voice in _FEET_AND_CRASHES or n.accent]
        if role == UNISON or not hands or not feet:
            p1 += section  # unison, or a split that would leave one player nothing
            p2 += section
        else:
            p1 += hands
            p2 += feet
    return sort_notes(p1), sort_notes(p2)
