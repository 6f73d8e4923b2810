"""The game's own vocabulary on screen: lanes, drum voices, difficulties, judgements, sync grades.

The engine names things in plain English identifiers (``"hi-hat"``,
``"expert"``, ``Grade.PERFECT``, ``"locked"``); these tables give each its
on-screen word, translated when drawn. One table per kind of word, so every
screen says "snare" the same way in every language.

Judgement and sync words are shown in capitals in English (PERFECT, LOCKED);
the translations follow each language's rhythm-game conventions (see the
catalogs' translator comments).
"""

from __future__ import annotations

from game.engine.events import Grade
from game.engine.voices import Voice
from game.ui.i18n import N_, tr

#: Lane names of the engine's layouts (``Lane.name``).
LANE_WORDS: dict[str, str] = {
    "hi-hat": N_("Hi-hat"), "snare": N_("Snare"), "tom": N_("Tom"), "cymbal": N_("Cymbal"),
    "kick": N_("Kick"), "pedal": N_("Pedal"), "tom 1": N_("Tom 1"), "tom 2": N_("Tom 2"),
    "tom 3": N_("Tom 3"), "crash": N_("Crash"), "ride": N_("Ride"),
}

#: Each drum voice, as a drummer calls it.
VOICE_WORDS: dict[Voice, str] = {
    Voice.KICK: N_("Kick"), Voice.SNARE: N_("Snare"), Voice.CROSS_STICK: N_("Cross-stick"),
    Voice.RIMSHOT: N_("Rimshot"), Voice.HIHAT_CLOSED: N_("Hi-hat closed"),
    Voice.HIHAT_OPEN: N_("Hi-hat open"), Voice.HIHAT_PEDAL: N_("Hi-hat pedal"),
    Voice.HIHAT_HALF: N_("Hi-hat half-open"), Voice.TOM_HIGH: N_("Tom 1"),
    Voice.TOM_MID: N_("Tom 2"), Voice.TOM_FLOOR: N_("Floor tom"), Voice.CRASH: N_("Crash"),
    Voice.RIDE: N_("Ride"), Voice.RIDE_BELL: N_("Ride bell"),
}

#: Difficulty names (``game.engine.chart.DIFFICULTIES``).
DIFFICULTY_WORDS: dict[str, str] = {
    "easy": N_("Easy"), "normal": N_("Normal"), "hard": N_("Hard"), "expert": N_("Expert"),
}

#: Judgement words shown on the highway and in results (English in capitals).
GRADE_WORDS: dict[Grade, str] = {
    Grade.PERFECT: N_("PERFECT"), Grade.GREAT: N_("GREAT"), Grade.GOOD: N_("GOOD"),
    Grade.MISS: N_("MISS"), Grade.STRAY: "",
}

#: The duet's sync grades (``game.engine.sync_figures``), English in capitals.
SYNC_WORDS: dict[str, str] = {
    "locked": N_("LOCKED"), "tight": N_("TIGHT"), "loose": N_("LOOSE"), "flam": N_("FLAM"),
}


def lane_word(name: str) -> str:
    """A lane's on-screen name (the engine's name itself if it has none)."""
    word = LANE_WORDS.get(name)
    return tr(word) if word else name


def voice_word(voice: Voice) -> str:
    """A drum voice's on-screen name."""
    return tr(VOICE_WORDS[voice])


def difficulty_word(name: str) -> str:
    """A difficulty's on-screen name (capitalised engine name if unknown)."""
    word = DIFFICULTY_WORDS.get(name)
    return tr(word) if word else name.capitalize()


def grade_word(grade: Grade) -> str:
    """A judgement's on-screen word ("" for a stray)."""
    word = GRADE_WORDS.get(grade, "")
    return tr(word) if word else ""


def sync_word(grade: str) -> str:
    """A sync grade's on-screen word."""
    word = SYNC_WORDS.get(grade)
    return tr(word) if word else grade.upper()

