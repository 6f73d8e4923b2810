"""A tolerant, fast reader of Standard MIDI Files, for the charts players have.

Rock Band and Clone Hero charts break the MIDI file spec in ways the games
read anyway; this reader reads them too, and says what it had to overlook in
one warning (:attr:`SmfFile.quirks`):

* data bytes above 127 in SysEx events (skipped whole: their contents are never
  needed) and in text events (decoded as UTF-8, else Latin-1); in channel
  messages they are read as 7-bit values, as Clone Hero and YARG read them;
* running status that continues across meta and SysEx events, and stray data
  bytes with no status before them (skipped);
* a missing end-of-track event, a chunk length that runs past the end of the
  file or over the next track, unknown chunks, garbage between chunks, system
  messages that have no place in a file, and (silently, as the games do) a
  track count in the header that does not match the tracks;
* a header that says type 0 or type 2 whatever the file holds: every track
  chunk is read; a RIFF (``.rmi``) wrapper.

It refuses, with one line, only what cannot be read at all: no ``MThd``
header, a header cut short, SMPTE time or 0 ticks per beat, no track.

Only what a chart needs is kept: notes (on and off, with channel), text-like
meta events, tempos, time signatures and the track name. Every loop runs over
the bytes of the file, each step consuming at least one byte.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from game.engine.errors import FormatError

#: Meta event types kept as text: text, copyright, lyric, marker, cue point.
TEXT_TYPES: frozenset[int] = frozenset({0x01, 0x02, 0x05, 0x06, 0x07})
#: Data bytes after a system message that has no place in a file (F1-F6, F8-FE).
_SYSTEM_LENGTHS = {0xF1: 1, 0xF2: 2, 0xF3: 1}

Note = tuple[int, int, int, int]
"""(tick, note number, velocity (0 for a note off), channel 0-15)."""


@dataclass(frozen=True, slots=True)
class SmfTrack:
    """One track chunk.

    Attributes
    ----------
    name : str
        The first track-name event, trimmed ("" without one).
    notes : tuple of (tick, note, velocity, channel)
        Note ons and offs in file order; a note off has velocity 0.
    texts : tuple of (tick, text)
        Text, lyric, marker and cue events.
    tempos : tuple of (tick, microseconds per quarter note)
    meters : tuple of (tick, numerator, denominator)
    end_tick : int
        Tick of the last event.
    """

    name: str
    notes: tuple[Note, ...]
    texts: tuple[tuple[int, str], ...]
    tempos: tuple[tuple[int, int], ...]
    meters: tuple[tuple[int, int, int], ...]
    end_tick: int


@dataclass(frozen=True, slots=True)
class SmfFile:
    """A MIDI file as read.

    Attributes
    ----------
    format : int
        The type the header gives (0, 1 or 2); every track chunk is read anyway.
    ticks_per_beat : int
    tracks : tuple of SmfTrack
    quirks : tuple of str
        What was overlooked, one short phrase each (empty for a clean file).
    """

    format: int
    ticks_per_beat: int
    tracks: tuple[SmfTrack, ...]
    quirks: tuple[str, ...] = ()


@dataclass
class _Quirks:
    high_data: int = 0
    stray: int = 0
    no_end: int = 0
    odd_system: int = 0
    cut: int = 0
    other: list[str] = field(default_factory=list)

    def phrases(self) -> tuple[str, ...]:
        out = list(self.other)
        for count, what in ((self.high_data, "data byte(s) above 127 read as 7 bits"),
                            (self.stray, "stray data byte(s) without a status skipped"),
                            (self.no_end, "track(s) without an end-of-track event"),
                            (self.odd_system, "system message(s) that do not belong in a "
                                              "file skipped"),
                            (self.cut, "track(s) cut short mid-event")):
            if count:
                out.append(f"{count} {what}")
        return tuple(out)


def read_smf(path: Path, error: Callable[..., FormatError] = FormatError) -> SmfFile:
    """Read the MIDI file at ``path``.

    Parameters
    ----------
    path : Path
    error : callable
        The :class:`FormatError` subclass to raise (called with the message and ``path=``).

    Raises
    ------
    FormatError (or ``error``)
        Unreadable file, no ``MThd`` header, SMPTE or zero time division, no track.
    """
    p = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise error("file not found (expected a MIDI file)", path=p) from None
    except IsADirectoryError:
        raise error("is a folder (expected a MIDI file)", path=p) from None
    except OSError as exc:
        raise error(f"cannot read the file: {exc.strerror or exc}", path=p) from None
    return parse_smf(data, p, error)


def parse_smf(data: bytes, path: str = "", error: Callable[..., FormatError] = FormatError,
              ) -> SmfFile:
    """Parse the bytes of a MIDI file (see :func:`read_smf`)."""
    if not data:
        raise error("file is empty (expected a Standard MIDI File)", path=path)
    quirks = _Quirks()
    start = data.find(b"MThd", 0, 1024)
    if start < 0:
        raise error("not a Standard MIDI File (no 'MThd' header)", path=path)
    if start and not data.startswith(b"RIFF"):
        quirks.other.append(f"{start} byte(s) before the header skipped")
    if len(data) < start + 14:
        raise error("MIDI file is truncated (it ends inside its header)", path=path)
    header_len = int.from_bytes(data[start + 4:start + 8], "big")
    fmt = int.from_bytes(data[start + 8:start + 10], "big")
    division = int.from_bytes(data[start + 12:start + 14], "big")
    if division & 0x8000:
        raise error("SMPTE time division is not supported (expected ticks per beat)", path=path)
    if division == 0:
        raise error("0 ticks per beat in the header (expected 24-960 or so)", path=path)
    if fmt > 2:
        quirks.other.append(f"unknown MIDI type {fmt} read as type 1")
    pos = start + 8 + (header_len if 6 <= header_len <= len(data) else 6)
    size = len(data)
    tracks: list[SmfTrack] = []
    first = _next_chunk(data, pos - 1)
    skipped = first - pos if first < size else 0
    mismatched = 0
    pos = first
    while pos + 8 <= size:  # pos is at an 'MTrk' tag
        body = pos + 8
        declared_end = body + int.from_bytes(data[pos + 4:body], "big")
        if _chunk_ends_at(data, declared_end):
            limit = declared_end
        else:  # a wrong length: read up to the end-of-track event, or the next chunk
            mismatched += 1
            limit = _next_chunk(data, body)
        track, stop, ended = _parse_track(data, body, limit, quirks)
        tracks.append(track)
        if limit == size:
            break
        nxt = _next_chunk(data, limit if data[limit:limit + 4] != b"MTrk" else limit - 1)
        if data.find(b"MThd", limit, nxt) >= 0:  # another MIDI file appended to this one
            quirks.other.append(f"{size - limit} byte(s) after the file (a second "
                                "'MThd' header) ignored")
            break
        skipped += nxt - limit + (limit - stop if ended else 0)
        pos = nxt
    if mismatched:
        quirks.other.append(f"{mismatched} track chunk length(s) that do not match the track")
    if skipped:
        quirks.other.append(f"{skipped} byte(s) outside the tracks skipped")
    if not tracks:
        raise error("no track in the MIDI file (expected 'MTrk' chunks after the header)",
                    path=path)
    return SmfFile(format=fmt, ticks_per_beat=division, tracks=tuple(tracks),
                   quirks=quirks.phrases())


def _chunk_ends_at(data: bytes, end: int) -> bool:
    """Whether a chunk can end at ``end``: the end of the file, or where another
    chunk starts (a four-letter id)."""
    if end == len(data):
        return True
    return end + 8 <= len(data) and all(0x20 <= c < 0x7F for c in data[end:end + 4])


def _next_chunk(data: bytes, after: int) -> int:
    """The first 'MTrk' tag after ``after`` with a plausible length (one that does not
    run past the end of the file: four bytes of note data that happen to spell
    'MTrk' are followed by a random, far too large one), or the end."""
    at = data.find(b"MTrk", after + 1)
    while at >= 0:
        length = int.from_bytes(data[at + 4:at + 8], "big")
        if at + 8 <= len(data) and at + 8 + length <= len(data):
            return at
        at = data.find(b"MTrk", at + 1)
    return len(data)


def _text(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.replace("\x00", "")


def _parse_track(data: bytes, pos: int, end: int, quirks: _Quirks,
                 ) -> tuple[SmfTrack, int, bool]:
    """Events of one track in ``data[pos:end]``; also where reading stopped (just after
    the end-of-track event, or ``end``) and whether there was an end-of-track event."""
    notes: list[Note] = []
    texts: list[tuple[int, str]] = []
    tempos: list[tuple[int, int]] = []
    meters: list[tuple[int, int, int]] = []
    name: str | None = None
    tick = 0
    status = 0
    ended = False
    while pos < end:
        b = data[pos]
        pos += 1
        delta = b & 0x7F
        n = 1
        while b & 0x80 and pos < end and n < 4:
            b = data[pos]
            pos += 1
            n += 1
            delta = (delta << 7) | (b & 0x7F)
        tick += delta
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
        if kind < 0xF0:
            size = 1 if 0xC0 <= kind < 0xE0 else 2
            if pos + size > end:
                quirks.cut += 1
                pos = end
                break
            d1 = data[pos]
            d2 = data[pos + 1] if size == 2 else 0
            if (d1 | d2) & 0x80:
                quirks.high_data += 1
                d1 &= 0x7F
                d2 &= 0x7F
            pos += size
            status = kind
            high = kind & 0xF0
            if high == 0x90:
                notes.append((tick, d1, d2, kind & 0x0F))
            elif high == 0x80:
                notes.append((tick, d1, 0, kind & 0x0F))
        elif kind == 0xFF:
            if pos >= end:
                quirks.cut += 1
                break
            meta = data[pos]
            pos += 1
            length, pos = _vlq(data, pos, end)
            if pos + length > end:
                quirks.cut += 1
                pos = end
                break
            body = data[pos:pos + length]
            pos += length
            if meta == 0x2F:
                ended = True
                break
            if meta == 0x03 and name is None:
                name = _text(body).strip()
            elif meta in TEXT_TYPES:
                texts.append((tick, _text(body)))
            elif meta == 0x51 and length >= 3:
                us = (body[0] << 16) | (body[1] << 8) | body[2]
                if us > 0:
                    tempos.append((tick, us))
            elif meta == 0x58 and length >= 2:
                meters.append((tick, body[0], 1 << min(body[1], 30)))
        elif kind in (0xF0, 0xF7):
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
