"""From a kit's raw MIDI messages to drum strokes.

:class:`KitInterpreter` reads each message a kit sends (already stamped with
its arrival time) and says what it is: a stroke on a voice, a hi-hat pedal
move, a double trigger or cross-talk that is dropped, a note-off, or
something a drum game ignores (clock, active sensing, sysex, aftertouch).
Every message gets a :class:`PadMessage`, so the MIDI monitor can show why a
pad does nothing. It holds no port and reads no clock: the caller stamps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from game.engine.voices import Voice
from game.formats.kitmap import KitMap, KitRules

V = Voice
_HATS = frozenset({V.HIHAT_CLOSED, V.HIHAT_OPEN, V.HIHAT_HALF})

#: Voices that come from one physical pad (a double trigger may change voice:
#: a snare head stroke re-triggering as its rim).
_PAD: dict[Voice, str] = {
    V.KICK: "kick", V.SNARE: "snare", V.CROSS_STICK: "snare", V.RIMSHOT: "snare",
    V.HIHAT_CLOSED: "hihat", V.HIHAT_OPEN: "hihat", V.HIHAT_HALF: "hihat",
    V.HIHAT_PEDAL: "pedal", V.TOM_HIGH: "tom1", V.TOM_MID: "tom2", V.TOM_FLOOR: "tom3",
    V.CRASH: "crash", V.RIDE: "ride", V.RIDE_BELL: "ride",
}

#: Message types a drum game has no use for, with the reason the monitor gives.
_IGNORED = {
    "clock": "clock", "active_sensing": "active_sensing", "sysex": "sysex",
    "start": "transport", "stop": "transport", "continue": "transport",
    "songpos": "transport", "song_select": "transport", "tune_request": "tune_request",
    "reset": "reset", "quarter_frame": "timecode", "program_change": "program_change",
    "pitchwheel": "pitch_bend", "aftertouch": "aftertouch",
}

#: Why a message is not a plain stroke: reason -> English template of its facts.
#: :attr:`PadMessage.detail` is the English; the MIDI monitor translates the same
#: templates. ``{pad}`` is a pad family of :data:`_PAD` (or ``"open hi-hat"``).
REASONS: dict[str, str] = {
    "velocity_zero": "note-on at velocity 0",
    "pedal": "hi-hat pedal {value}",
    "controller": "controller {number}",
    "choke": "choke",
    "unknown": "unknown message {type}",
    "unmapped": "note {note} is not in the {map} map",
    "double_trigger": "double trigger {gap_ms} ms after a {velocity} on the {pad}",
    "same_stroke": "same stroke as the {pad} {gap_ms} ms before",
    "crosstalk": "cross-talk {gap_ms} ms after a {velocity} on the {pad}",
    "clock": "clock", "active_sensing": "active sensing", "sysex": "sysex",
    "transport": "transport", "tune_request": "tune request", "reset": "reset",
    "timecode": "timecode", "program_change": "program change", "pitch_bend": "pitch bend",
    "aftertouch": "aftertouch",
}

#: The pad families (:data:`_PAD`) as ``{pad}`` reads in :data:`REASONS`.
PAD_NAMES: dict[str, str] = {
    "kick": "kick", "snare": "snare", "hihat": "hi-hat", "pedal": "hi-hat pedal",
    "tom1": "tom 1", "tom2": "tom 2", "tom3": "floor tom", "crash": "crash", "ride": "ride",
    "open hi-hat": "open hi-hat",
}

#: A reason's fields, as (name, value) pairs.
Facts = tuple[tuple[str, str | int], ...]

#: Key of the last open hi-hat stroke among a channel's pads (for pedal merges).
_OPEN_HAT = "open hi-hat"

HIT = "hit"
PEDAL = "pedal"
SUPPRESSED = "suppressed"
UNMAPPED = "unmapped"
NOTE_OFF = "note-off"
IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class VelocityCurve:
    """A kit's velocity response: ``out = 127 * gain * (v / 127) ** gamma``, 1-127.

    Calibrated in setup with :meth:`fit` from a few soft and a few hard strokes.
    """

    gain: float = 1.0
    gamma: float = 1.0

    def apply(self, velocity: int) -> int:
        """The game's velocity (1-127) for a kit's raw velocity (1-127)."""
        v = min(max(int(velocity), 1), 127)
        out = 127.0 * self.gain * (v / 127.0) ** self.gamma
        return min(max(round(float(out)), 1), 127)

    @classmethod
    def fit(cls, soft: list[int], hard: list[int], *, soft_target: int = 40,
            hard_target: int = 115) -> VelocityCurve:
        """The curve that maps the median soft stroke to ``soft_target`` and the
        median hard stroke to ``hard_target`` (so accents need a real accent).

        Raises
        ------
        ValueError
            With no strokes, or when the hard strokes are not louder than the soft.
        """
        if not soft or not hard:
            raise ValueError("hit the pad softly and hard a few times each")
        s = sorted(soft)[len(soft) // 2] / 127.0
        h = sorted(hard)[len(hard) // 2] / 127.0
        if h <= s:
            raise ValueError("the hard strokes were not louder than the soft ones; try again")
        gamma = math.log(hard_target / soft_target) / math.log(h / s)
        gamma = min(max(gamma, 0.25), 4.0)
        gain = hard_target / 127.0 / h ** gamma
        return cls(gain=round(gain, 4), gamma=round(gamma, 4))


@dataclass(frozen=True, slots=True)
class PadMessage:
    """What one received message meant.

    Attributes
    ----------
    t_capture : float
        ``perf_counter()`` seconds when it arrived (stamped by the port reader).
    kind : str
        ``"hit"``, ``"pedal"``, ``"suppressed"``, ``"unmapped"``, ``"note-off"``
        or ``"ignored"``.
    note : int or None
        Note number (or controller number for a control change).
    velocity : int or None
        Raw velocity (or controller value).
    voice : Voice or None
        For a hit (or a suppressed one), what was struck.
    out_velocity : int
        For a hit, the velocity after the kit's curve.
    channel : int or None
        0-15.
    reason : str
        Why it is not a plain stroke: a key of :data:`REASONS` ("" for a stroke).
    facts : tuple of (str, str or int) pairs
        The reason's fields (``(("gap_ms", 4), ("velocity", 96), ("pad", "snare"))``).
    """

    t_capture: float
    kind: str
    note: int | None = None
    velocity: int | None = None
    voice: Voice | None = None
    out_velocity: int = 0
    channel: int | None = None
    reason: str = ""
    facts: Facts = ()

    @property
    def detail(self) -> str:
        """Why, in a few English words (``"double trigger 4 ms after a 96 on the snare"``)."""
        template = REASONS.get(self.reason)
        if not template:
            return ""
        facts = dict(self.facts)
        if "pad" in facts:
            facts["pad"] = PAD_NAMES.get(str(facts["pad"]), str(facts["pad"]))
        return template.format(**facts)


class KitInterpreter:
    """Turns one kit's stamped messages into :class:`PadMessage` values.

    Parameters
    ----------
    kitmap : KitMap
        Note numbers to voices, and the kit's :class:`KitRules`.
    curve : VelocityCurve, optional

    Notes
    -----
    State (pedal position, last strokes) is kept per MIDI channel, as a kit
    sends on one channel. Not thread-safe: one reader thread calls it.
    """

    def __init__(self, kitmap: KitMap, *, curve: VelocityCurve | None = None) -> None:
        self.kitmap = kitmap
        self.rules: KitRules = kitmap.rules
        self.curve = curve or VelocityCurve()
        self._notes = kitmap.notes
        self._pedal: dict[int, int] = {}
        # per channel: pad -> (t, velocity) of its last kept stroke
        self._last_pad: dict[int, dict[str, tuple[float, int]]] = {}
        # per channel: (t, velocity, pad) of the last kept stroke on any pad
        self._last_any: dict[int, tuple[float, int, str]] = {}

    def pedal_position(self, channel: int = 9) -> int | None:
        """The latest hi-hat pedal value on ``channel`` (None before any)."""
        return self._pedal.get(channel)

    def interpret(self, msg: Any, t_capture: float) -> PadMessage:
        """What ``msg`` (a ``mido.Message``) received at ``t_capture`` means."""
        kind = msg.type
        if kind == "note_on":
            if msg.velocity == 0:
                return PadMessage(t_capture, NOTE_OFF, msg.note, 0, channel=msg.channel,
                                  reason="velocity_zero")
            return self._note(msg.note, msg.velocity, msg.channel, t_capture)
        if kind == "note_off":
            return PadMessage(t_capture, NOTE_OFF, msg.note, msg.velocity, channel=msg.channel)
        if kind == "control_change":
            if msg.control == self.rules.pedal_cc:
                self._pedal[msg.channel] = msg.value
                return PadMessage(t_capture, PEDAL, msg.control, msg.value, channel=msg.channel,
                                  reason="pedal", facts=(("value", msg.value),))
            return PadMessage(t_capture, IGNORED, msg.control, msg.value, channel=msg.channel,
                              reason="controller", facts=(("number", msg.control),))
        if kind == "polytouch":
            return PadMessage(t_capture, IGNORED, msg.note, msg.value, channel=msg.channel,
                              voice=self._notes.get(msg.note), reason="choke")
        channel = getattr(msg, "channel", None)
        if kind in _IGNORED:
            return PadMessage(t_capture, IGNORED, channel=channel, reason=_IGNORED[kind])
        return PadMessage(t_capture, IGNORED, channel=channel, reason="unknown",
                          facts=(("type", str(kind)),))

    def _note(self, note: int, velocity: int, channel: int, t: float) -> PadMessage:
        voice = self._notes.get(note)
        if voice is None:
            return PadMessage(t, UNMAPPED, note, velocity, channel=channel, reason="unmapped",
                              facts=(("note", note), ("map", self.kitmap.name)))
        rules = self.rules
        if note in rules.pedal_notes and voice in _HATS:
            voice = self._hat_from_pedal(channel, voice)
        pad = _PAD[voice]
        pads = self._last_pad.setdefault(channel, {})
        why = self._suppressed(pads, self._last_any.get(channel), pad, voice, velocity, t)
        if why:
            return PadMessage(t, SUPPRESSED, note, velocity, voice, channel=channel,
                              reason=why[0], facts=why[1])
        pads[pad] = (t, velocity)
        if voice is V.HIHAT_OPEN:
            pads[_OPEN_HAT] = (t, velocity)
        self._last_any[channel] = (t, velocity, pad)
        return PadMessage(t, HIT, note, velocity, voice, self.curve.apply(velocity), channel)

    def _hat_from_pedal(self, channel: int, voice: Voice) -> Voice:
        pos = self._pedal.get(channel)
        if pos is None:
            return voice
        if pos >= self.rules.closed_from:
            return V.HIHAT_CLOSED
        if pos < self.rules.open_below:
            return V.HIHAT_OPEN
        return V.HIHAT_HALF

    def _suppressed(self, pads: dict[str, tuple[float, int]],
                    last_any: tuple[float, int, str] | None, pad: str, voice: Voice,
                    velocity: int, t: float) -> tuple[str, Facts] | None:
        """Why this stroke is dropped: (reason, facts), or None for a real stroke."""
        r = self.rules
        prev = pads.get(pad)
        if prev is not None:
            gap_ms = (t - prev[0]) * 1e3
            if gap_ms < r.retrigger_ms and velocity < r.retrigger_ratio * prev[1]:
                return "double_trigger", (("gap_ms", round(gap_ms)), ("velocity", prev[1]),
                                          ("pad", pad))
        if r.pedal_merge_ms > 0 and (pad == "pedal" or voice is V.HIHAT_OPEN):
            # only a pedal and an OPEN hat merge: a closed hat struck as the foot
            # closes (the disco "tss-chick") is a stroke of its own
            other = _OPEN_HAT if pad == "pedal" else "pedal"
            before = pads.get(other)
            if before is not None and (t - before[0]) * 1e3 < r.pedal_merge_ms:
                return "same_stroke", (("pad", other), ("gap_ms", round((t - before[0]) * 1e3)))
        if last_any is not None and last_any[2] != pad:
            gap_ms = (t - last_any[0]) * 1e3
            if gap_ms < r.crosstalk_ms and velocity < r.crosstalk_ratio * last_any[1]:
                return "crosstalk", (("gap_ms", round(gap_ms)), ("velocity", last_any[1]),
                                     ("pad", last_any[2]))
        return None
