"""Export a chart as a type-1 Standard MIDI File.

Layout (480 ticks per quarter note):

* track 0, the conductor: ``track_name`` = song title, a ``time_signature``
  at each meter change's bar, a ``set_tempo`` at each tempo change and a
  ``marker`` per section;
* one track per charted part x difficulty, named ``"P1 expert"``,
  ``"P2 hard"``..., with each note as a ``note_on`` on channel 10 (mido
  channel 9) at ``round(beat * 480)`` ticks, note number
  :attr:`Voice.gm_note <game.engine.voices.Voice.gm_note>`, the note's
  velocity, and a ``note_off`` :data:`NOTE_LENGTH_TICKS` later (earlier if the
  same note sounds again before that).

:func:`game.formats.midi_import.import_midi` reads the track names back, so a
round trip keeps every difficulty.
"""

from __future__ import annotations

import os

import mido

from game.engine.chart import DIFFICULTIES, PARTS, Chart, Note
from game.engine.errors import FormatError

#: Ticks per quarter note written.
TICKS_PER_BEAT = 480
#: Length of each exported note: a 64th note at 480 ticks per beat.
NOTE_LENGTH_TICKS = 30
#: MIDI channel of drums, 0-based (General MIDI channel 10).
DRUM_CHANNEL = 9


def export_midi(chart: Chart, path: str | os.PathLike[str]) -> None:
    """Write ``chart`` to ``path`` as a type-1 MIDI file.

    Parameters
    ----------
    chart : Chart
    path : str or path-like
        Overwritten if it exists.

    Raises
    ------
    FormatError
        If the file cannot be written.
    """
    mid = chart_to_midi(chart)
    try:
        mid.save(str(path))
    except OSError as exc:
        raise FormatError(f"cannot write MIDI file: {exc.strerror or exc}",
                          path=str(path)) from None


def chart_to_midi(chart: Chart) -> mido.MidiFile:
    """Build (without saving) the :class:`mido.MidiFile` that :func:`export_midi` writes."""
    mid = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    mid.tracks.append(_conductor(chart))
    for part in PARTS:
        for diff in DIFFICULTIES:
            notes = chart.parts.get((part, diff))
            if notes is not None:
                mid.tracks.append(_note_track(f"{part.upper()} {diff}", notes))
    return mid


def _tick(beat: float) -> int:
    return max(0, round(beat * TICKS_PER_BEAT))


def _text(text: str) -> str:
    """Meta-message text as MIDI stores it (Latin-1; other characters become '?')."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _to_track(events: list[tuple[int, int, mido.Message | mido.MetaMessage]]) -> mido.MidiTrack:
    """Sort ``(tick, order, message)`` and turn absolute ticks into delta times."""
    track = mido.MidiTrack()
    now = 0
    for tick, _, msg in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(msg.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def _conductor(chart: Chart) -> mido.MidiTrack:
    tempo = chart.tempo
    events: list[tuple[int, int, mido.Message | mido.MetaMessage]] = [
        (0, 0, mido.MetaMessage("track_name", name=_text(chart.meta.title))),
    ]
    for m in tempo.meters:
        events.append((_tick(tempo.bar_start_beat(m.bar)), 1, mido.MetaMessage(
            "time_signature", numerator=m.numerator, denominator=m.denominator,
            clocks_per_click=24, notated_32nd_notes_per_beat=8)))
    for t in tempo.tempos:
        events.append((_tick(t.beat), 2,
                       mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(t.bpm))))
    for s in chart.sections:
        events.append((_tick(s.beat), 3, mido.MetaMessage("marker", text=_text(s.name))))
    return _to_track(events)


def _note_track(name: str, notes: tuple[Note, ...]) -> mido.MidiTrack:
    # (tick, number) -> velocity; two notes of one voice on one tick keep the louder
    ons: dict[tuple[int, int], int] = {}
    for n in notes:
        key = (_tick(n.beat), n.voice.gm_note)
        ons[key] = max(ons.get(key, 0), min(127, max(1, n.velocity)))
    by_number: dict[int, list[int]] = {}
    for tick, number in sorted(ons):
        by_number.setdefault(number, []).append(tick)
    events: list[tuple[int, int, mido.Message | mido.MetaMessage]] = [
        (0, 0, mido.MetaMessage("track_name", name=name)),
    ]
    for number, ticks in by_number.items():
        for i, tick in enumerate(ticks):
            off = tick + NOTE_LENGTH_TICKS
            if i + 1 < len(ticks):
                off = min(off, ticks[i + 1])
            events.append((tick, 2, mido.Message(
                "note_on", channel=DRUM_CHANNEL, note=number, velocity=ons[(tick, number)])))
            # note_offs sort before note_ons on the same tick (order 1 < 2)
            events.append((off, 1, mido.Message(
                "note_off", channel=DRUM_CHANNEL, note=number, velocity=64)))
    return _to_track(events)
