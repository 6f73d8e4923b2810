"""Export a chart as a type-1 Standard MIDI File that lines up with its audio.

Time 0 of the file is time 0 of the audio: a chart whose beat 0 sits at
``offset_s`` on the audio starts with a lead-in (a pickup bar at its own tempo,
then the chart's bars continued back before bar 1), laid out by
:func:`game.formats.midi_lead.plan_lead_in`, so every note's time in the file
(through the file's own tempo map) is its time on the audio.

Layout (:data:`TICKS_PER_BEAT` ticks per quarter note):

* track 0, the conductor: ``track_name`` = song title; the pickup's
  ``time_signature`` and ``set_tempo`` at tick 0 when there is one; at the
  start bar the start tag (a ``text`` event), the chart's meter and tempo
  there; then a ``time_signature`` at each meter change's bar, a ``set_tempo``
  at each tempo change (and every 64 beats where whole microseconds need
  nudging to stay on the audio; with a BPM tag when the microseconds do not
  give the BPM back) and a ``marker`` per section;
* one track per charted part x difficulty, named ``"P1 expert"``,
  ``"P2 hard"``..., with each note as a ``note_on`` on channel 10 (mido
  channel 9), note number :attr:`Voice.gm_note <game.engine.voices.Voice.gm_note>`,
  the note's velocity, and a ``note_off`` :data:`NOTE_LENGTH_TICKS` later
  (earlier if the same note sounds again before that).

From the start bar on, a note at chart beat ``b`` is at tick
``beat0_tick + round(b * TICKS_PER_BEAT)``; inside the pickup, at its audio time.
:func:`game.formats.midi_import.import_midi` reads the track names and tags
back, so a round trip keeps every difficulty, the tempo map and the offset.
"""

from __future__ import annotations

import io
import math
import os
import struct

import mido

from game.engine.chart import DIFFICULTIES, PARTS, Chart, Note
from game.engine.tempo import TempoMap
from game.formats.import_common import bpm_of_us
from game.formats.midi_lead import (
    DRIFT_CHUNK_BEATS,
    EPS_BEATS,
    MAX_NUMERATOR,
    MAX_TEMPO_US,
    LeadIn,
    StartTag,
    format_bpm_tag,
    format_start_tag,
    plan_lead_in,
    tag_tolerance_us,
    us_from_bpm,
)
from game.util.errors import FormatError

#: Ticks per quarter note written (a multiple of 8: the pickup counts 32nd notes).
TICKS_PER_BEAT = 960
#: Length of each exported note: a 64th note.
NOTE_LENGTH_TICKS = TICKS_PER_BEAT // 16
#: MIDI channel of drums, 0-based (General MIDI channel 10).
DRUM_CHANNEL = 9

_Event = tuple[int, int, bytes]  # tick, order on the tick, the event's bytes
_TEXT, _TRACK_NAME, _MARKER = 0x01, 0x03, 0x06
_END_OF_TRACK, _SET_TEMPO, _TIME_SIGNATURE = 0x2F, 0x51, 0x58


def export_midi(chart: Chart, path: str | os.PathLike[str]) -> list[str]:
    """Write ``chart`` to ``path`` as a type-1 MIDI file.

    Parameters
    ----------
    chart : Chart
    path : str or path-like
        Overwritten if it exists.

    Returns
    -------
    list of str
        What could not be written: things before the audio starts (a chart
        with a negative offset). Empty for every chart whose notes, sections
        and tempo changes come after the audio's start.

    Raises
    ------
    FormatError
        If the file cannot be written, or the chart has a tempo or meter MIDI
        cannot hold.
    """
    try:
        data, warnings = chart_to_smf(chart)
    except FormatError as exc:
        raise FormatError(exc.message, path=str(path)) from None
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise FormatError(f"cannot write MIDI file: {exc.strerror or exc}",
                          path=str(path)) from None
    return warnings


def chart_to_midi(chart: Chart) -> mido.MidiFile:
    """The file :func:`export_midi` writes, read back as a :class:`mido.MidiFile`."""
    return mido.MidiFile(file=io.BytesIO(chart_to_smf(chart)[0]))


def chart_to_smf(chart: Chart) -> tuple[bytes, list[str]]:
    """The bytes :func:`export_midi` writes, and what could not be written.

    Raises
    ------
    FormatError
        A tempo outside 3.58-60,000,000 BPM, a meter numerator above 255, or a
        lead-in too long for one pickup bar.
    """
    _check_midi_limits(chart.tempo)
    try:
        lead = plan_lead_in(chart.tempo, TICKS_PER_BEAT)
    except ValueError as exc:
        raise FormatError(f"cannot export: {exc}") from None
    warnings = _losses(chart, lead)
    tracks = [_conductor(chart, lead, warnings)]
    for part in PARTS:
        for diff in DIFFICULTIES:
            notes = chart.parts.get((part, diff))
            if notes is not None:
                tracks.append(_note_track(f"{part.upper()} {diff}", notes, lead, warnings))
    header = b"MThd" + struct.pack(">LHHH", 6, 1, len(tracks), TICKS_PER_BEAT)
    return header + b"".join(tracks), warnings


def _check_midi_limits(tempo: TempoMap) -> None:
    for t in tempo.tempos:
        if not 1 <= us_from_bpm(t.bpm) <= MAX_TEMPO_US:
            raise FormatError(f"cannot export tempo {t.bpm:g} BPM at beat {t.beat:g}: "
                              f"MIDI holds 3.58 to 60,000,000 BPM")
    for m in tempo.meters:
        if m.numerator > MAX_NUMERATOR:
            raise FormatError(f"cannot export meter {m.numerator}/{m.denominator} at bar "
                              f"{m.bar}: MIDI holds numerators up to {MAX_NUMERATOR}")


def _vlq(value: int) -> bytes:
    """A MIDI variable-length number."""
    out = bytearray([value & 0x7F])
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _meta(kind: int, body: bytes) -> bytes:
    return bytes([0xFF, kind]) + _vlq(len(body)) + body


def _text(kind: int, text: str) -> bytes:
    """A text meta event (Latin-1 as MIDI stores it; other characters become '?')."""
    return _meta(kind, text.encode("latin-1", "replace"))


def _to_track(events: list[_Event]) -> bytes:
    """An ``MTrk`` chunk of ``(tick, order, event bytes)``, sorted, with delta times and
    running status, ending with an end-of-track."""
    body = bytearray()
    now, running = 0, 0
    for tick, _, raw in sorted(events, key=lambda e: (e[0], e[1])):
        body += _vlq(tick - now)
        now = tick
        if raw[0] < 0xF0:  # a channel message: drop a repeated status byte
            body += raw[1:] if raw[0] == running else raw
            running = raw[0]
        else:  # meta events cancel running status (the spec's rule)
            body += raw
            running = 0
    body += b"\x00" + _meta(_END_OF_TRACK, b"")
    return b"MTrk" + struct.pack(">L", len(body)) + body


def _losses(chart: Chart, lead: LeadIn) -> list[str]:
    """Warnings for tempo and meter changes before a start bar after bar 1."""
    if lead.start_beat <= EPS_BEATS:
        return []
    tempo = chart.tempo
    where = (f"the audio starts {-tempo.offset_s:.3f} s after bar 1, so the file starts "
             f"at bar {lead.start_bar}")
    out = []
    lost = [t for t in tempo.tempos[1:] if t.beat < lead.start_beat - EPS_BEATS]
    if lost:
        out.append(f"{where}: {len(lost)} tempo change(s) before it are not in the file "
                   f"(the notes keep their times)")
    before = tempo.meter_at_bar(lead.start_bar - 1)
    if abs((lead.start_bar - 1) * before.bar_beats - lead.start_beat) > EPS_BEATS:
        out.append(f"{where}: the meter changes before it are not in the file "
                   f"(bars are counted again from it)")
    return out


def _tempo_events(chart: Chart, lead: LeadIn) -> list[_Event]:
    """``set_tempo`` events from the start bar on, kept on the audio to the microsecond.

    A MIDI tempo is a whole number of microseconds per quarter note, so 126.5 BPM
    (474,308.3 us) cannot be written exactly and the file would drift from the
    chart by 0.3 us a beat. Each tempo's stretch is written in pieces of
    :data:`~game.formats.midi_lead.DRIFT_CHUNK_BEATS`, each at the whole
    microsecond that brings the file back to the chart's time (at most
    :func:`~game.formats.midi_lead.tag_tolerance_us` from the exact tempo), with a
    BPM tag wherever the microseconds alone do not give the chart's BPM back.
    """
    tempo = chart.tempo
    in_force = [t for t in tempo.tempos if t.beat <= lead.start_beat + EPS_BEATS]
    segments = [(lead.start_beat, (in_force or tempo.tempos[:1])[-1].bpm)]
    segments += [(t.beat, t.bpm) for t in tempo.tempos[1:]
                 if t.beat > lead.start_beat + EPS_BEATS]
    last_beat = max([n.beat for ns in chart.parts.values() for n in ns]
                    + [s.beat for s in chart.sections] + [segments[-1][0]])
    # file time minus chart time at the start bar: the pickup's rounding, us
    error_us = (lead.pickup_tempo_us * lead.pickup_ticks / lead.ticks_per_beat
                - tempo.seconds_at(lead.start_beat) * 1e6)
    events: list[_Event] = []
    for i, (beat, bpm) in enumerate(segments):
        end = segments[i + 1][0] if i + 1 < len(segments) else max(last_beat, beat) + 1
        exact_us = 60e6 / bpm
        tolerance = tag_tolerance_us(exact_us)
        written = None
        while beat < end - EPS_BEATS:  # chunks of a fixed length: bounded by the chart
            span = min(DRIFT_CHUNK_BEATS, end - beat)
            us = round(exact_us - error_us / span)
            us = max(math.ceil(exact_us - tolerance), min(math.floor(exact_us + tolerance), us))
            us = max(1, min(MAX_TEMPO_US, us))
            if us != written:
                tick = lead.grid_tick(beat)
                events.append((tick, 2, _meta(_SET_TEMPO, us.to_bytes(3, "big"))))
                if bpm_of_us(us) != bpm:
                    events.append((tick, 3, _text(_TEXT, format_bpm_tag(bpm))))
                written = us
            error_us += span * (us - exact_us)
            beat += span
    return events


def _meter_event(tick: int, numerator: int, denominator: int) -> _Event:
    # 24 MIDI clocks per metronome click, 8 32nd notes per quarter note
    body = bytes([numerator, denominator.bit_length() - 1, 24, 8])
    return (tick, 1, _meta(_TIME_SIGNATURE, body))


def _conductor(chart: Chart, lead: LeadIn, warnings: list[str]) -> bytes:
    tempo = chart.tempo
    start = lead.pickup_ticks
    events: list[_Event] = [(0, 0, _text(_TRACK_NAME, chart.meta.title))]
    if start:
        events.append(_meter_event(0, *lead.pickup_meter))
        events.append((0, 2, _meta(_SET_TEMPO, lead.pickup_tempo_us.to_bytes(3, "big"))))
    tag = StartTag(lead.start_beat, tempo.offset_s)
    if lead.start_beat > EPS_BEATS:
        before = tempo.meter_at_bar(lead.start_bar - 1)
        bpm_before = [t for t in tempo.tempos if t.beat < lead.start_beat - EPS_BEATS][-1].bpm
        tag = StartTag(lead.start_beat, tempo.offset_s, bpm_before=bpm_before,
                       meter_before=(before.numerator, before.denominator))
    events.append((start, 3, _text(_TEXT, format_start_tag(tag))))

    first = tempo.meter_at_bar(max(1, lead.start_bar))
    events.append(_meter_event(start, first.numerator, first.denominator))
    for m in tempo.meters:
        if m.bar > lead.start_bar:
            events.append(_meter_event(lead.grid_tick(tempo.bar_start_beat(m.bar)),
                                       m.numerator, m.denominator))
    events += _tempo_events(chart, lead)

    skipped = 0
    for s in chart.sections:
        tick = lead.tick_at(s.beat, s.time_s)
        if tick is None:
            skipped += 1
        else:
            events.append((tick, 4, _text(_MARKER, s.name)))
    if skipped:
        warnings.append(f"skipped {skipped} section(s) before the audio starts")
    return _to_track(events)


def _note_track(name: str, notes: tuple[Note, ...], lead: LeadIn,
                warnings: list[str]) -> bytes:
    # (tick, number) -> velocity; two notes of one voice on one tick keep the louder
    ons: dict[tuple[int, int], int] = {}
    skipped = 0
    for n in notes:
        tick = lead.tick_at(n.beat, n.time_s)
        if tick is None:
            skipped += 1
            continue
        key = (tick, n.voice.gm_note)
        ons[key] = max(ons.get(key, 0), min(127, max(1, n.velocity)))
    if skipped:
        warnings.append(f"{name}: skipped {skipped} note(s) before the audio starts")
    by_number: dict[int, list[int]] = {}
    for tick, number in sorted(ons):
        by_number.setdefault(number, []).append(tick)
    events: list[_Event] = [(0, 0, _text(_TRACK_NAME, name))]
    note_on, note_off = 0x90 | DRUM_CHANNEL, 0x80 | DRUM_CHANNEL
    for number, ticks in by_number.items():
        for i, tick in enumerate(ticks):
            off = tick + NOTE_LENGTH_TICKS
            if i + 1 < len(ticks):
                off = min(off, ticks[i + 1])
            events.append((tick, 2, bytes([note_on, number, ons[(tick, number)]])))
            # note-offs sort before note-ons on the same tick (order 1 < 2)
            events.append((off, 1, bytes([note_off, number, 64])))
    return _to_track(events)
