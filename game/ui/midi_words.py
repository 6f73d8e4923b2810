"""Words of the MIDI screens that come from the kit layer: why a message was ignored, and
why MIDI is unavailable.

The input layer (which cannot import the UI) explains itself in English:
:class:`~game.input.kit.PadMessage` carries a reason and its facts, and
:func:`~game.input.midi_ports.midi_status` one sentence. These tables hold the
same English templates as msgids, so the screens show them translated (a test
checks the templates agree with the input layer's).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from game.ui.i18n import N_, tr

#: Why a kit message is not a plain stroke (the kit interpreter's reasons; the English
#: templates are the interpreter's own, ``game.input.kit.REASONS``, checked by a test).
REASON_WORDS: dict[str, str] = {
    # TRANSLATORS: MIDI monitor, why a message is ignored: a note-on with velocity 0 (a note-off)
    "velocity_zero": N_("note-on at velocity 0"),
    # TRANSLATORS: MIDI monitor: the hi-hat pedal's position, 0 (open) to 127 (closed)
    "pedal": N_("hi-hat pedal {value}"),
    # TRANSLATORS: MIDI monitor: a MIDI control change (CC) the game does not use
    "controller": N_("controller {number}"),
    # TRANSLATORS: MIDI monitor: a cymbal grabbed to stop it ringing (aftertouch)
    "choke": N_("choke"),
    "unknown": N_("unknown message {type}"),
    # TRANSLATORS: MIDI monitor: the kit sent a note number the kit map does not know
    "unmapped": N_("note {note} is not in the {map} map"),
    # TRANSLATORS: MIDI monitor: a second, softer trigger of one pad right after a stroke,
    # dropped; {velocity} is the first stroke's velocity, {pad} the pad (snare, kick...)
    "double_trigger": N_("double trigger {gap_ms} ms after a {velocity} on the {pad}"),
    # TRANSLATORS: MIDI monitor: a hi-hat pedal and an open hi-hat sent for one stroke
    "same_stroke": N_("same stroke as the {pad} {gap_ms} ms before"),
    # TRANSLATORS: MIDI monitor: a soft trigger on a pad caused by a hard stroke on another
    # pad a few ms before (vibration through the rack), dropped
    "crosstalk": N_("cross-talk {gap_ms} ms after a {velocity} on the {pad}"),
    # TRANSLATORS: MIDI monitor: kinds of MIDI messages a drum game ignores (MIDI terms)
    "clock": N_("clock"), "active_sensing": N_("active sensing"), "sysex": N_("sysex"),
    "transport": N_("transport"), "tune_request": N_("tune request"), "reset": N_("reset"),
    "timecode": N_("timecode"), "program_change": N_("program change"),
    "pitch_bend": N_("pitch bend"), "aftertouch": N_("aftertouch"),
}

#: The kit interpreter's pad families, as a drummer calls them (lower case in English).
PAD_WORDS: dict[str, str] = {
    "kick": N_("kick"), "snare": N_("snare"), "hihat": N_("hi-hat"),
    "pedal": N_("hi-hat pedal"), "tom1": N_("tom 1"), "tom2": N_("tom 2"),
    "tom3": N_("floor tom"), "crash": N_("crash"), "ride": N_("ride"),
    "open hi-hat": N_("open hi-hat"),
}


def reason_text(reason: str, facts: Iterable[tuple[str, str | int]]) -> str:
    """Why a kit message was not a stroke, in the current language ("" for none)."""
    template = REASON_WORDS.get(reason)
    if not template:
        return ""
    values = dict(facts)
    if "pad" in values:
        pad = str(values["pad"])
        values["pad"] = tr(PAD_WORDS[pad]) if pad in PAD_WORDS else pad
    return tr(template).format(**values)


#: The sentences of :func:`game.input.midi_ports.midi_status` when MIDI is unavailable
#: (the input layer writes them in English); each is shown translated when the status's
#: reason is exactly it, ``{command}`` and ``{detail}`` kept from the reason.
UNAVAILABLE: tuple[str, ...] = (
    # TRANSLATORS: player setup, MIDI status. Keep {command}, tcp:HOST:PORT and
    # python-rtmidi as they are (a shell command, an address form, a package name).
    N_("MIDI kits need the python-rtmidi backend, which is not installed: run {command} "
       "(tcp:HOST:PORT kits work without it)."),
    # TRANSLATORS: player setup, MIDI status. Keep /dev/snd/seq, the command in quotes and
    # tcp:HOST:PORT as they are; ALSA is the Linux sound system.
    N_("MIDI ports are unavailable: this computer has no ALSA sequencer (/dev/snd/seq); "
       "load it with 'sudo modprobe snd-seq' (kits on another computer still work as "
       "tcp:HOST:PORT)."),
    # TRANSLATORS: player setup, MIDI status; {detail} is the system's error message (English).
    # Keep the command and tcp:HOST:PORT as they are.
    N_("The MIDI system could not be opened ({detail}); on Linux load the ALSA sequencer "
       "(modprobe snd-seq) — tcp:HOST:PORT kits still work."),
)


@cache
def _pattern(template: str) -> re.Pattern[str]:
    """A regular expression matching ``template`` with each ``{field}`` as a named group."""
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile("".join(f"(?P<{part}>.+?)" if k % 2 else re.escape(part)
                              for k, part in enumerate(parts)), re.DOTALL)


def unavailable_line(reason: str) -> str:
    """``reason`` (why MIDI is unavailable) in the current language; as is if unknown."""
    for template in UNAVAILABLE:
        found = _pattern(template).fullmatch(reason)
        if found:
            return tr(template).format(**found.groupdict())
    return reason  # a sentence this table does not know yet: shown in English
