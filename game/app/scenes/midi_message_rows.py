"""The MIDI monitor's message list: its rows, the look of each kind of message, the lanes.

:class:`Row` is one line of the list (a message, the lane it lands in, how
many times in a row it came); :func:`repeats` tells a message that only
repeats the row above (clock ticks, a pedal moving), which then counts on that
row instead of taking a new one; :data:`KIND_LOOK` is the chip each kind of
message is shown with. Used by :class:`~game.app.scenes.midi_monitor.MidiMonitorScene`
and its panels (:mod:`game.app.scenes.midi_monitor_panels`).
"""

from __future__ import annotations

from dataclasses import dataclass

from game.engine.voices import KEYBOARD_5
from game.input.kit import HIT, IGNORED, NOTE_OFF, PEDAL, SUPPRESSED, UNMAPPED, PadMessage
from game.ui import theme
from game.ui.i18n import N_
from game.ui.theme import TEXT_FAINT

#: Rows of the message list.
SHOWN = 14
#: The lanes' engine names (shown with :func:`~game.ui.words.lane_word`).
LANE_NAMES: tuple[str, ...] = tuple(lane.name for lane in KEYBOARD_5.lanes)
#: Chip text (translated when drawn) and colour of each kind of message.
KIND_LOOK: dict[str, tuple[str, tuple[int, int, int]]] = {
    # TRANSLATORS: MIDI monitor chip: a stroke the game plays
    HIT: (N_("HIT"), theme.BLUISH_GREEN),
    # TRANSLATORS: MIDI monitor chip: a stroke dropped as a double trigger
    SUPPRESSED: (N_("DROPPED"), theme.ORANGE),
    # TRANSLATORS: MIDI monitor chip: a note the kit map does not know
    UNMAPPED: (N_("UNMAPPED"), theme.VERMILLION),
    # TRANSLATORS: MIDI monitor chip: the hi-hat pedal moved
    PEDAL: (N_("PEDAL"), theme.SKY_BLUE),
    # TRANSLATORS: MIDI monitor chip: a MIDI "note off" message
    NOTE_OFF: (N_("NOTE OFF"), TEXT_FAINT),
    # TRANSLATORS: MIDI monitor chip: a message the game does not use (clock, ...)
    IGNORED: (N_("IGNORED"), theme.REDDISH_PURPLE),
}


def repeats(before: PadMessage, pad: PadMessage) -> bool:
    """Whether ``pad`` only repeats ``before`` (clock ticks, a pedal moving): one row."""
    if pad.kind != before.kind:
        return False
    return pad.kind == PEDAL or (pad.kind == IGNORED and pad.reason == before.reason
                                 and pad.facts == before.facts)


@dataclass(slots=True)
class Row:
    """One line of the list: a message, the lane it lands in, how many times in a row."""

    pad: PadMessage
    lane: str = ""
    count: int = 1
