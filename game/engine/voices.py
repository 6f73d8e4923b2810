"""Drum voices (General MIDI percussion) and lane layouts.

A *voice* is what a drummer strikes (kick, snare head, closed hi-hat ...). A
*lane layout* groups voices into the lanes one player sees and hits: a keyboard
player gets five lanes, a kit player gets one lane per pad family.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Voice(enum.Enum):
    """A drum voice. The value is its short code used in beatmaps."""

    KICK = "BD"
    SNARE = "SD"
    CROSS_STICK = "XS"
    RIMSHOT = "RS"
    HIHAT_CLOSED = "HH"
    HIHAT_OPEN = "OH"
    HIHAT_PEDAL = "HP"
    HIHAT_HALF = "HF"
    TOM_HIGH = "T1"
    TOM_MID = "T2"
    TOM_FLOOR = "T3"
    CRASH = "CR"
    RIDE = "RD"
    RIDE_BELL = "RB"

    @property
    def code(self) -> str:
        """Two-letter code, as written in beatmaps (``"BD"``)."""
        return self.value

    @property
    def gm_note(self) -> int:
        """The General MIDI percussion note this voice is written as."""
        return _GM_NOTE[self]

    @classmethod
    def from_name(cls, text: str) -> Voice:
        """Parse a code (``"SD"``) or a name (``"snare"``, ``"hihat_closed"``).

        Raises
        ------
        KeyError
            If the text names no voice.
        """
        key = text.strip()
        by_code = _BY_CODE.get(key.upper())
        if by_code is not None:
            return by_code
        return cls[key.upper().replace("-", "_")]


_BY_CODE = {v.value: v for v in Voice}

_GM_NOTE: dict[Voice, int] = {
    Voice.KICK: 36,
    Voice.SNARE: 38,
    Voice.CROSS_STICK: 37,
    Voice.RIMSHOT: 40,
    Voice.HIHAT_CLOSED: 42,
    Voice.HIHAT_OPEN: 46,
    Voice.HIHAT_PEDAL: 44,
    Voice.HIHAT_HALF: 23,  # not in GM; Alesis' half-open note
    Voice.TOM_HIGH: 48,
    Voice.TOM_MID: 45,
    Voice.TOM_FLOOR: 43,
    Voice.CRASH: 49,
    Voice.RIDE: 51,
    Voice.RIDE_BELL: 53,
}


@dataclass(frozen=True, slots=True)
class Lane:
    """One lane of a layout: a name shown to the player and the voices it takes."""

    name: str
    voices: tuple[Voice, ...]


@dataclass(frozen=True, slots=True)
class LaneLayout:
    """How one player's voices map to the lanes they see and hit.

    Every voice maps to exactly one lane, so a hit on any voice and a note of
    any voice both land in a lane; judging happens per lane.
    """

    name: str
    lanes: tuple[Lane, ...]

    def __post_init__(self) -> None:
        seen: set[Voice] = set()
        for lane in self.lanes:
            for voice in lane.voices:
                if voice in seen:
                    raise ValueError(f"layout {self.name}: {voice.name} is in two lanes")
                seen.add(voice)
        missing = set(Voice) - seen
        if missing:
            names = ", ".join(sorted(v.name for v in missing))
            raise ValueError(f"layout {self.name}: no lane for {names}")

    def lane_of(self, voice: Voice) -> int:
        """Index of the lane that takes ``voice``."""
        return _lane_index(self)[voice]

    @property
    def size(self) -> int:
        """Number of lanes."""
        return len(self.lanes)


_LANE_INDEX_CACHE: dict[LaneLayout, dict[Voice, int]] = {}


def _lane_index(layout: LaneLayout) -> dict[Voice, int]:
    index = _LANE_INDEX_CACHE.get(layout)
    if index is None:
        index = {v: i for i, lane in enumerate(layout.lanes) for v in lane.voices}
        _LANE_INDEX_CACHE[layout] = index
    return index


V = Voice

#: Five lanes for a keyboard half: hi-hat, snare, toms, cymbals, kick.
KEYBOARD_5 = LaneLayout(
    "keyboard5",
    (
        Lane("hi-hat", (V.HIHAT_CLOSED, V.HIHAT_OPEN, V.HIHAT_HALF, V.HIHAT_PEDAL)),
        Lane("snare", (V.SNARE, V.CROSS_STICK, V.RIMSHOT)),
        Lane("tom", (V.TOM_HIGH, V.TOM_MID, V.TOM_FLOOR)),
        Lane("cymbal", (V.CRASH, V.RIDE, V.RIDE_BELL)),
        Lane("kick", (V.KICK,)),
    ),
)

#: A lane per pad family, for e-drum kits.
KIT_9 = LaneLayout(
    "kit9",
    (
        Lane("hi-hat", (V.HIHAT_CLOSED, V.HIHAT_OPEN, V.HIHAT_HALF)),
        Lane("pedal", (V.HIHAT_PEDAL,)),
        Lane("snare", (V.SNARE, V.CROSS_STICK, V.RIMSHOT)),
        Lane("tom 1", (V.TOM_HIGH,)),
        Lane("tom 2", (V.TOM_MID,)),
        Lane("tom 3", (V.TOM_FLOOR,)),
        Lane("crash", (V.CRASH,)),
        Lane("ride", (V.RIDE, V.RIDE_BELL)),
        Lane("kick", (V.KICK,)),
    ),
)

LAYOUTS: dict[str, LaneLayout] = {KEYBOARD_5.name: KEYBOARD_5, KIT_9.name: KIT_9}


def layout_named(name: str) -> LaneLayout:
    """Look up a built-in layout by name (``"keyboard5"`` or ``"kit9"``)."""
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(
            f"unknown lane layout {name!r}; expected one of {sorted(LAYOUTS)}") from None
