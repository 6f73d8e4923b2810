"""The events of one MIDI track chunk, read tolerantly (see :mod:`game.formats.smf`).

:func:`parse_track` reads a track's bytes into an :class:`SmfTrack` and counts
in a :class:`Quirks` what it had to overlook; :mod:`game.formats.smf` finds the
chunks and turns the counts into one warning. Every loop consumes at least one
byte per turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Meta event type -> the kind of text it holds, as mido names them.
TEXT_KINDS: dict[int, str] = {0x01: "text", 0x02: "copyright", 0x05: "lyrics",
                              0x06: "marker", 0x07: "cue_marker"}
_TRACK_NAME = 0x03
_END_OF_TRACK = 0x2F
_SET_TEMPO = 0x51
_TIME_SIGNATURE = 0x58
#: Data bytes after a system message that has no place in a file (F1-F6, F8-FE).
_SYSTEM_LENGTHS = {0xF1: 1, 0xF2: 2, 0xF3: 1}

Note = tuple[int, int, int, int]
"""(tick, note number, velocity (0 for a note off), channel 0-15)."""
Text = tuple[int, str, str]
"""(tick, kind (a value of :data:`TEXT_KINDS`), text)."""


@dataclass(frozen=True, slots=True)
class SmfTrack:
    """One track chunk, its events at absolute ticks in file order.

    Attributes
    ----------
    name : str
        The first track-name event, trimmed, each run of white space (line breaks
        too) one blank ("" without one).
    notes : tuple of (tick, note, velocity, channel)
        Note ons and offs; a note off has velocity 0. Channel 0-15.
    texts : tuple of (tick, kind, text)
        Text, copyright, lyric, marker and cue events; ``kind`` is ``"text"``,
        ``"copyright"``, ``"lyrics"``, ``"marker"`` or ``"cue_marker"``.
    tempos : tuple of (tick, microseconds per quarter note)
        Each above 0.
    meters : tuple of (tick, numerator, denominator)
        Numerator above 0; the denominator a power of two (not checked further).
    end_tick : int
        Tick of the last event.
    """

    name: str
    notes: tuple[Note, ...]
    texts: tuple[Text, ...]
    tempos: tuple[tuple[int, int], ...]
    meters: tuple[tuple[int, int, int], ...]
    end_tick: int


@dataclass
class Quirks:
    """What one file had wrong, counted while reading."""

    high_data: int = 0
    stray: int = 0
    odd_system: int = 0
    bad_meta: int = 0
    no_end: int = 0
    cut: int = 0
    wrong_length: int = 0
    past_end: int = 0
    skipped: int = 0
    chunks: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)

    def phrases(self) -> tuple[str, ...]:
        out = list(self.other)
        if self.chunks:
            out.append("skipped unknown chunk(s) "
                       + ", ".join(repr(c) for c in dict.fromkeys(self.chunks)))
        for count, what in (
                (self.wrong_length, "track chunk(s) whose length is wrong (read up to the "
                                    "end-of-track event or the next track)"),
                (self.past_end, "track(s) cut short by the end of the file (it may be "
                                "truncated), read up to there"),
                (self.no_end, "track(s) without an end-of-track event"),
                (self.cut, "event(s) cut short at the end of a track"),
                (self.high_data, "note(s) with a data byte above 127 read as 7 bits"),
                (self.stray, "stray data byte(s) with no status byte before them skipped"),
                (self.odd_system, "system message(s) that do not belong in a file skipped"),
                (self.bad_meta, "tempo or time signature event(s) of the wrong length or "
                                "value ignored"),
                (self.skipped, "byte(s) outside the tracks skipped")):
            if count:
                out.append(f"{count} {what}")
        return tuple(out)


def _text(raw: bytes) -> str:
    """A text event's bytes as text: UTF-8, else Latin-1; NUL bytes dropped."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.replace("\x00", "")


def parse_track(data: bytes, pos: int, end: int, quirks: Quirks,
                 ) -> tuple[SmfTrack, int, bool]:
    """Events of one track in ``data[pos:end]``; also where reading stopped (just after
    the end-of-track event, or ``end``) and whether there was an end-of-track event."""
    # one loop over local names: the hot path of a big file is a note in running status
    notes: list[Note] = []
    add_note = notes.append
    texts: list[Text] = []
    tempos: list[tuple[int, int]] = []
    meters: list[tuple[int, int, int]] = []
    name: str | None = None
    tick = 0
    status = 0
    ended = False
    while pos < end:  # each turn reads at least one byte
        b = data[pos]
        pos += 1
        if b & 0x80:  # a delta time of more bytes (at most 4)
            delta = b & 0x7F
            n = 1
            while b & 0x80 and pos < end and n < 4:
                b = data[pos]
                pos += 1
                n += 1
                delta = (delta << 7) | (b & 0x7F)
            tick += delta
        else:
            tick += b
        if pos >= end:
            break
        b = data[pos]
        if b < 0x80:  # running status
            if not status:
                quirks.stray += 1
                pos += 1
                continue
            kind = status
        else:
            kind = b
            pos += 1
        if kind < 0xF0:  # a channel message
            status = kind
            high = kind & 0xF0
            if high == 0x90 or high == 0x80:
                if pos + 2 > end:
                    quirks.cut += 1
                    pos = end
                    break
                d1 = data[pos]
                d2 = data[pos + 1]
                pos += 2
                if (d1 | d2) & 0x80:
                    quirks.high_data += 1
                    d1 &= 0x7F
                    d2 &= 0x7F
                add_note((tick, d1, d2 if high == 0x90 else 0, kind & 0x0F))
            else:  # not kept: only its length matters
                pos += 1 if high == 0xC0 or high == 0xD0 else 2
                if pos > end:
                    quirks.cut += 1
                    pos = end
                    break
        elif kind == 0xFF:
            if pos >= end:
                quirks.cut += 1
                break
            meta = data[pos]
            length, pos = _vlq(data, pos + 1, end)
            if pos + length > end:
                quirks.cut += 1
                pos = end
                break
            body = data[pos:pos + length]
            pos += length
            if meta == _END_OF_TRACK:
                ended = True
                break
            text_kind = TEXT_KINDS.get(meta)
            if text_kind is not None:
                texts.append((tick, text_kind, _text(body)))
            elif meta == _TRACK_NAME:
                if name is None:
                    name = " ".join(_text(body).split())
            elif meta == _SET_TEMPO:
                us = int.from_bytes(body[:3], "big") if length >= 3 else 0
                if us:
                    tempos.append((tick, us))
                else:
                    quirks.bad_meta += 1
            elif meta == _TIME_SIGNATURE:
                if length >= 2 and body[0]:
                    meters.append((tick, body[0], 1 << min(body[1], 30)))
                else:
                    quirks.bad_meta += 1
        elif kind == 0xF0 or kind == 0xF7:  # SysEx: skipped, whatever its bytes
            length, pos = _vlq(data, pos, end)
            if pos + length > end:
                quirks.cut += 1
                pos = end
                break
            pos += length
        else:
            quirks.odd_system += 1
            pos += _SYSTEM_LENGTHS.get(kind, 0)
    if not ended:
        quirks.no_end += 1
    track = SmfTrack(name=name or "", notes=tuple(notes), texts=tuple(texts),
                     tempos=tuple(tempos), meters=tuple(meters), end_tick=tick)
    return track, min(pos, end), ended


def _vlq(data: bytes, pos: int, end: int) -> tuple[int, int]:
    """A variable-length quantity (at most 4 bytes) at ``pos``, and the position after it."""
    value = 0
    for _ in range(4):
        if pos >= end:
            break
        b = data[pos]
        pos += 1
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            break
    return value, pos
