"""Where a chart sits in an exported MIDI file: time 0 of the file is time 0 of the audio.

A chart's beat 0 (the downbeat of bar 1) sits at ``offset_s`` on the audio. An
exported file starts at the audio's start, so that it lines up with the audio
in any DAW:

* The file's first full bar is the *start bar*: the first bar line of the
  chart at or after the audio's start. Before bar 1 the chart's bars are
  continued backwards at its first tempo and meter (a 3 s lead-in at 120 BPM
  4/4 starts the file at bar 0, two beats before bar 1).
* The audio before the start bar (a partial bar) is one *pickup bar* of
  ``j/32`` (reduced: ``8/32`` is written ``2/8``), ``j`` being the gap in
  32nd notes at the chart's tempo, rounded up. Its tempo is chosen so that it
  lasts exactly the gap (to the microsecond MIDI tempos allow): the start bar
  falls at its audio time and the file's bar lines stay on the chart's bar
  lines. The pickup is at most twice as fast as the chart: a gap shorter
  than a 64th note would need a faster one, so the pickup then takes in the
  next bar too (when that bar has no tempo or meter change of its own).
  Anything inside the pickup is placed by its audio time; its ticks are no
  longer than the chart's, so the importer gets back the chart's beat by
  rounding to the nearest tick of the chart's grid.
* A negative offset (the audio starts after beat 0): the start bar is the
  first bar line after the audio's start; whatever comes before the audio
  starts (notes, sections, tempo or meter changes) cannot be in the file and
  is reported.

A text meta event at the start bar, the *start tag*, lets
:mod:`game.formats.midi_timeline` rebuild the chart exactly::

    drum-diplomacy start beat=-2.0 offset_s=1.0
    drum-diplomacy start beat=4.0 offset_s=-0.25 bpm_before=120.0 meter_before=4/4

``beat`` is the chart beat (quarter notes from bar 1) at that tick,
``offset_s`` the chart's offset; ``bpm_before`` and ``meter_before`` (only
when the start bar is after bar 1) are the tempo and meter just before it. A
``set_tempo`` whose whole microseconds per quarter note do not give the
chart's BPM back (126.5 BPM is 474,308.33 us) gets a *BPM tag* beside it,
``drum-diplomacy bpm=126.5``, which names its tempo when they are within
:func:`tag_tolerance_us`. Other programs ignore these text events.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from game.engine.tempo import TempoMap

#: First word of every text event this module writes.
TAG_PREFIX = "drum-diplomacy"
#: Largest MIDI tempo: microseconds per quarter note in 3 bytes.
MAX_TEMPO_US = 0xFFFFFF
#: Largest time-signature numerator a MIDI file can hold (one byte).
MAX_NUMERATOR = 255
#: Two beats closer than this (quarter notes) are the same position.
EPS_BEATS = 1e-9
#: A note this far before the audio's start (s) is still at its start (float rounding).
EPS_SECONDS = 1e-6
#: A tempo is written in pieces of this many quarter notes, each at the whole
#: microsecond per beat that keeps the file on the chart's time.
DRIFT_CHUNK_BEATS = 64
#: A BPM tag names the tempo of a ``set_tempo`` this close to it (us per beat), or
#: 0.01 % of it when that is less (very fast tempos).
BPM_TAG_TOLERANCE_US = 30


def tag_tolerance_us(us_per_beat: float) -> float:
    """How far (us per beat) a ``set_tempo`` may be from a BPM tag beside it."""
    return max(1.0, min(BPM_TAG_TOLERANCE_US, us_per_beat * 1e-4))


def us_from_bpm(bpm: float) -> int:
    """Microseconds per quarter note of ``bpm``, rounded."""
    return round(60e6 / bpm)


@dataclass(frozen=True, slots=True)
class LeadIn:
    """Where chart beats fall in an exported file.

    Attributes
    ----------
    ticks_per_beat : int
        A multiple of 8 (the pickup is counted in 32nd notes).
    pickup_ticks : int
        Length of the pickup bar (the audio before the start bar), ticks; 0
        when the audio starts on a bar line.
    pickup_tempo_us : int
        The pickup's tempo, microseconds per quarter note (0 without a pickup).
    pickup_meter : tuple of int
        Its time signature, (numerator, denominator).
    start_beat : float
        Chart beat at tick ``pickup_ticks`` (quarter notes from bar 1; 0 or
        below when the audio starts before bar 1).
    start_bar : int
        Number of that bar (0 or below: before bar 1).
    """

    ticks_per_beat: int
    pickup_ticks: int
    pickup_tempo_us: int
    pickup_meter: tuple[int, int]
    start_beat: float
    start_bar: int

    @property
    def beat0_tick(self) -> int:
        """Tick of the chart's beat 0 (negative when the file starts after it)."""
        return self.pickup_ticks - round(self.start_beat * self.ticks_per_beat)

    def grid_tick(self, beat: float) -> int:
        """Tick of a chart beat at or after :attr:`start_beat`."""
        return self.beat0_tick + round(beat * self.ticks_per_beat)

    def tick_at(self, beat: float, time_s: float) -> int | None:
        """Tick of something at chart ``beat`` and audio time ``time_s`` (s).

        On the chart's grid from the start bar on; inside the pickup, by its
        audio time; None before the audio starts.
        """
        if beat >= self.start_beat - EPS_BEATS:
            return self.grid_tick(beat)
        if time_s < -EPS_SECONDS:
            return None
        if not self.pickup_ticks:
            return 0
        tick = round(time_s * 1e6 * self.ticks_per_beat / self.pickup_tempo_us)
        return min(self.pickup_ticks, max(0, tick))


def plan_lead_in(tempo: TempoMap, ticks_per_beat: int) -> LeadIn:
    """Lay out the start of an exported file (see the module description).

    Parameters
    ----------
    tempo : TempoMap
        The chart's; its ``offset_s`` is where beat 0 sits on the audio.
    ticks_per_beat : int
        A multiple of 8.

    Raises
    ------
    ValueError
        When the pickup would need a bar longer than 255 32nd notes (a gap
        before the start bar of over 9 minutes).
    """
    audio_start = tempo.beat_at(0.0)
    start, bar = _bar_line_at_or_after(tempo, audio_start)
    if 0 < (start - audio_start) * 16 < 1 and _can_take_in(tempo, start, bar):
        start, bar = start + _bar_beats(tempo, bar), bar + 1
    gap_us = round(tempo.seconds_at(start) * 1e6)
    if gap_us <= 0:
        return LeadIn(ticks_per_beat, 0, 0, (4, 4), start, bar)
    n32 = max(1, math.ceil((start - audio_start) * 8 - EPS_BEATS),
              math.ceil(gap_us * 8 / MAX_TEMPO_US))
    if n32 > MAX_NUMERATOR:
        raise ValueError(f"the audio before bar {bar} ({gap_us / 1e6:.1f} s) is too long "
                         f"for one MIDI pickup bar")
    us = max(1, round(gap_us * 8 / n32))
    num, den = n32, 32
    while num % 2 == 0 and den > 4:
        num, den = num // 2, den // 2
    return LeadIn(ticks_per_beat, n32 * ticks_per_beat // 8, us, (num, den), start, bar)


def _bar_beats(tempo: TempoMap, bar: int) -> float:
    return tempo.meter_at_bar(max(1, bar)).bar_beats


def _bar_line_at_or_after(tempo: TempoMap, beat: float) -> tuple[float, int]:
    """(beat, number) of the first bar line at or after ``beat``; bars before bar 1
    continue the first meter backwards (bar 0, -1...)."""
    if beat <= EPS_BEATS:
        q = tempo.meters[0].bar_beats
        back = math.floor(-beat / q + EPS_BEATS)
        return -back * q, 1 - back
    bar, into = tempo.bar_at_beat(beat)
    if into <= EPS_BEATS:
        return tempo.bar_start_beat(bar), bar
    return tempo.bar_start_beat(bar + 1), bar + 1


def _can_take_in(tempo: TempoMap, start: float, bar: int) -> bool:
    """Whether the pickup may take in bar ``bar`` (beat ``start``) without losing a
    tempo or meter change."""
    end = start + _bar_beats(tempo, bar)
    if any(start - EPS_BEATS <= t.beat < end - EPS_BEATS for t in tempo.tempos[1:]):
        return False
    if bar < 2:
        return True
    here, before = tempo.meter_at_bar(bar), tempo.meter_at_bar(bar - 1)
    return (here.numerator, here.denominator) == (before.numerator, before.denominator)


# tags ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StartTag:
    """What the start tag says (see the module description)."""

    beat: float
    offset_s: float
    bpm_before: float | None = None
    meter_before: tuple[int, int] | None = None


def format_start_tag(tag: StartTag) -> str:
    """The text of a start tag (floats written so they read back exactly)."""
    words = [TAG_PREFIX, "start", f"beat={tag.beat!r}", f"offset_s={tag.offset_s!r}"]
    if tag.bpm_before is not None:
        words.append(f"bpm_before={tag.bpm_before!r}")
    if tag.meter_before is not None:
        words.append(f"meter_before={tag.meter_before[0]}/{tag.meter_before[1]}")
    return " ".join(words)


def format_bpm_tag(bpm: float) -> str:
    """The text of a BPM tag."""
    return f"{TAG_PREFIX} bpm={bpm!r}"


def is_tag(text: str) -> bool:
    """Whether a text event is one of ours."""
    return text.split(" ", 1)[0] == TAG_PREFIX


def parse_tag(text: str) -> StartTag | float:
    """A start tag, or a BPM tag's BPM.

    Raises
    ------
    ValueError
        With what is wrong, for a tag this module did not write.
    """
    words = text.split()
    if len(words) >= 2 and words[1].startswith("bpm="):
        if len(words) != 2:
            raise ValueError("a BPM tag holds only bpm=")
        return _positive(words[1][4:], "bpm")
    if len(words) < 2 or words[1] != "start":
        raise ValueError("expected 'start' or 'bpm=' after 'drum-diplomacy'")
    fields: dict[str, str] = {}
    for word in words[2:]:
        key, eq, value = word.partition("=")
        if not eq or key in fields:
            raise ValueError(f"bad or repeated field {word!r}")
        fields[key] = value
    unknown = set(fields) - {"beat", "offset_s", "bpm_before", "meter_before"}
    if unknown or "beat" not in fields or "offset_s" not in fields:
        raise ValueError("a start tag holds beat= and offset_s= "
                         "(and bpm_before=, meter_before=)")
    beat = _finite(fields["beat"], "beat")
    offset_s = _finite(fields["offset_s"], "offset_s")
    if abs(beat) > 1e7 or abs(offset_s) > 1e6:
        raise ValueError("beat or offset_s out of range")
    bpm = _positive(fields["bpm_before"], "bpm_before") if "bpm_before" in fields else None
    meter = _meter(fields["meter_before"]) if "meter_before" in fields else None
    return StartTag(beat, offset_s, bpm, meter)


def _finite(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what}={text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{what}={text!r} is not a finite number")
    return value


def _positive(text: str, what: str) -> float:
    value = _finite(text, what)
    if not 0 < value < 1e7:
        raise ValueError(f"{what}={text!r} is not a tempo")
    return value


def _meter(text: str) -> tuple[int, int]:
    num, slash, den = text.partition("/")
    if not (slash and num.isdigit() and den.isdigit()):
        raise ValueError(f"meter_before={text!r} is not N/D")
    n, d = int(num), int(den)
    if not 0 < n <= MAX_NUMERATOR or d not in (1, 2, 4, 8, 16, 32):
        raise ValueError(f"meter_before={text!r} is not a time signature")
    return n, d
