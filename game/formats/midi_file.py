"""Read a Standard MIDI File the way real files are, not only as the spec says.

Files in the wild break the spec in many ways that other games and DAWs
accept, and so does this reader (:func:`read_midi_data`), with a warning where
something was dropped or guessed:

* data bytes above 127 in SysEx and text events (SysEx is skipped; text is
  Latin-1, where every byte is a character); a data byte above 127 in a note
  is clipped to 127;
* tracks without an end-of-track event, tracks whose chunk length is too long
  (they end at their end-of-track event, or at the end of the file) or too
  short (reading goes on to the end-of-track event or the next track);
* running status kept across meta and SysEx events, a stray data byte with no
  status before it (skipped), system messages that have no place in a file;
* chunks other than ``MTrk`` (skipped), a track count in the header that is
  wrong, garbage between or after tracks, an ``RMID`` (RIFF) wrapper;
* type 0 and 1 files at any ticks per quarter note.

It keeps what a chart needs, as plain tuples at absolute ticks (no message
objects: a 1.5 MB one-hour file reads in about half a second): notes, tempos, time
signatures, track names, text, lyrics and markers. Every loop reads at least
one byte per turn, so any file is read in time proportional to its size.

Only a file that cannot be used at all is refused, with one
:class:`~game.engine.errors.FormatError` line: empty, not MIDI, cut inside its
header, type 2, SMPTE time, 0 ticks per beat, or no track.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from game.engine.errors import FormatError

#: Meta event type -> the kind of text it holds (as mido names them).
TEXT_METAS: dict[int, str] = {0x01: "text", 0x05: "lyrics", 0x06: "marker"}
_TRACK_NAME = 0x03
_END_OF_TRACK = 0x2F
_SET_TEMPO = 0x51
_TIME_SIGNATURE = 0x58
#: Data bytes after a system common status (0xF1-0xF3); others have none.
_SYSTEM_DATA = {0xF1: 1, 0xF2: 2, 0xF3: 1}


@dataclass(frozen=True, slots=True)
class MidiTrackData:
    """One track, events at absolute ticks in file order.

    Attributes
    ----------
    name : str
        Its first track name, trimmed ("" without one).
    notes : tuple of (tick, note, velocity, channel)
        Note-ons; a note-off is a note-on at velocity 0. Channel 0-15.
    texts : tuple of (tick, kind, text)
        ``kind`` is ``"text"``, ``"lyrics"`` or ``"marker"``; Latin-1.
    tempos : tuple of (tick, microseconds per quarter note)
    meters : tuple of (tick, numerator, denominator)
    """

    name: str
    notes: tuple[tuple[int, int, int, int], ...]
    texts: tuple[tuple[int, str, str], ...]
    tempos: tuple[tuple[int, int], ...]
    meters: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True, slots=True)
class MidiData:
    """A MIDI file as read: type 0 or 1, ticks per quarter note, its tracks."""

    type: int
    ticks_per_beat: int
    tracks: tuple[MidiTrackData, ...]


def read_midi_data(path: str | os.PathLike[str], error: type[FormatError] = FormatError,
             ) -> tuple[MidiData, list[str]]:
    """Read a Standard MIDI File, accepting what real files do (module description).

    Parameters
    ----------
    path : str or path-like
    error : FormatError subclass
        Raised (with the path) when the file cannot be used.

    Returns
    -------
    midi : MidiData
    warnings : list of str
        What was dropped, clipped or guessed.
    """
    p = str(path)
    try:
        with open(p, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise error("file not found", path=p) from None
    except OSError as exc:
        raise error(f"cannot read MIDI file: {exc.strerror or exc}", path=p) from None
    return parse_midi_data(data, path=p, error=error)


class _Unusable(Exception):
    """The file cannot be used; the message says why."""


def parse_midi_data(data: bytes, *, path: str = "<input>",
              error: type[FormatError] = FormatError) -> tuple[MidiData, list[str]]:
    """:func:`read_midi_data` on the file's bytes; ``path`` names it in the error."""
    try:
        return _parse(data)
    except _Unusable as exc:
        raise error(str(exc), path=path) from None


def _parse(data: bytes) -> tuple[MidiData, list[str]]:
    if not data:
        raise _Unusable("file is empty (expected a Standard MIDI File)")
    data = _unwrap_riff(data)
    if data[:4] != b"MThd":
        raise _Unusable("not a Standard MIDI File (no 'MThd' header)")
    if len(data) < 14:
        raise _Unusable("MIDI file is truncated (it ends inside its header)")
    header_len = struct.unpack(">L", data[4:8])[0]
    if header_len < 6:
        raise _Unusable(f"broken MIDI header (length {header_len}, expected 6)")
    fmt, declared, division = struct.unpack(">HHH", data[8:14])
    if fmt == 2:
        raise _Unusable("MIDI type 2 (independent sequences) is not supported; "
                        "save as type 0 or 1")
    if division & 0x8000:
        raise _Unusable("SMPTE time division is not supported; save with ticks per beat")
    if division == 0:
        raise _Unusable("broken MIDI header: 0 ticks per beat")
    warnings: list[str] = []
    if fmt > 2:
        warnings.append(f"unknown MIDI format {fmt}; read as type 1")
    tracks = _read_chunks(data, min(len(data), 8 + header_len), warnings)
    if not tracks:
        raise _Unusable("no tracks (no 'MTrk' chunk after the header)")
    if len(tracks) != declared:
        warnings.append(f"the header says {declared} track(s), the file has {len(tracks)}")
    return MidiData(1 if fmt != 0 else 0, division, tuple(tracks)), warnings


def _unwrap_riff(data: bytes) -> bytes:
    """The SMF inside an RMID (RIFF) file; other data unchanged."""
    if data[:4] != b"RIFF" or data[8:12] != b"RMID":
        return data
    pos = 12
    while pos + 8 <= len(data):  # each turn moves on by at least 8 bytes
        cid, size = data[pos:pos + 4], struct.unpack("<L", data[pos + 4:pos + 8])[0]
        if cid == b"data":
            return data[pos + 8:pos + 8 + size]
        pos += 8 + size + (size & 1)
    return data


def _is_chunk_id(raw: bytes) -> bool:
    return len(raw) == 4 and all(0x20 <= b < 0x7F for b in raw)


def _read_chunks(data: bytes, pos: int, warnings: list[str]) -> list[MidiTrackData]:
    tracks: list[MidiTrackData] = []
    size = len(data)
    while pos + 8 <= size:  # each turn moves pos forward
        cid = data[pos:pos + 4]
        length = struct.unpack(">L", data[pos + 4:pos + 8])[0]
        start, end = pos + 8, pos + 8 + length
        if cid != b"MTrk":
            if _is_chunk_id(cid):
                warnings.append(f"skipped a {cid.decode('ascii')!r} chunk")
                pos = end
                continue
            found = data.find(b"MTrk", pos + 1)
            warnings.append(f"skipped {(found if found >= 0 else size) - pos} unreadable "
                            f"byte(s) at byte {pos}")
            if found < 0:
                break
            pos = found
            continue
        number = len(tracks)
        if end > size:
            warnings.append(f"track {number} is cut short ({size - start} of {length} bytes): "
                            f"the file may be truncated; read what is there")
            end = size
        reader = _TrackReader(data, start, end)
        if not reader.ended and end < size and not _is_chunk_id(data[end:end + 4]):
            # the chunk length is too short: read on to the end-of-track or the next track
            later = data.find(b"MTrk", end)
            reader = _TrackReader(data, start, later if later >= 0 else size)
            end = max(end, reader.pos)
            warnings.append(f"track {number}: its length is wrong; read on to byte {end}")
        elif reader.ended and reader.pos < end and not _is_chunk_id(data[end:end + 4]):
            nxt = data.find(b"MTrk", reader.pos)  # the length is too long
            if nxt >= 0:
                end = nxt
        warnings += [f"track {number}: {w}" for w in reader.problems()]
        tracks.append(reader.track())
        pos = max(end, pos + 8)
    return tracks


class _TrackReader:
    """One track's events, read from ``data[start:end]`` as tolerantly as the module says."""

    def __init__(self, data: bytes, start: int, end: int) -> None:
        self.data, self.pos, self.end = data, start, end
        self.ended = False
        self.name: str | None = None
        self.notes: list[tuple[int, int, int, int]] = []
        self.texts: list[tuple[int, str, str]] = []
        self.tempos: list[tuple[int, int]] = []
        self.meters: list[tuple[int, int, int]] = []
        self.clipped = self.stray = self.system = self.bad_meta = 0
        self.cut = False
        self._read()

    def _vlq(self) -> int | None:
        """A variable-length number (at most 4 bytes), or None past the end."""
        value = 0
        for _ in range(4):
            if self.pos >= self.end:
                return None
            byte = self.data[self.pos]
            self.pos += 1
            value = (value << 7) | (byte & 0x7F)
            if byte < 0x80:
                return value
        return value

    def _read(self) -> None:
        # one loop with locals: the hot path of a big file is a note in running status
        data, end, notes = self.data, self.end, self.notes
        pos, tick, status = self.pos, 0, 0
        while pos < end:  # each turn reads at least one byte
            byte = data[pos]
            pos += 1
            delta = byte & 0x7F
            for _ in range(3):  # a delta time has at most 4 bytes
                if byte < 0x80 or pos >= end:
                    break
                byte = data[pos]
                pos += 1
                delta = (delta << 7) | (byte & 0x7F)
            if byte >= 0x80 or pos >= end:  # cut inside the delta, or nothing after it
                self.cut = True
                break
            tick += delta
            byte = data[pos]
            if byte < 0xF0 and (byte >= 0x80 or status):  # a channel message
                if byte >= 0x80:
                    status = byte
                    pos += 1
                kind = status & 0xF0
                size = 1 if kind in (0xC0, 0xD0) else 2
                if pos + size > end:
                    self.cut = True
                    pos = end
                    break
                if kind == 0x90 or kind == 0x80:
                    note, velocity = data[pos], data[pos + 1]
                    if note > 127 or velocity > 127:
                        self.clipped += 1
                        note, velocity = min(note, 127), min(velocity, 127)
                    notes.append((tick, note, velocity if kind == 0x90 else 0, status & 0x0F))
                pos += size
            elif byte < 0x80:  # a data byte with no status before it
                self.stray += 1
                pos += 1
            elif byte == 0xFF:
                self.pos = pos + 1
                if not self._meta(tick):
                    return
                pos = self.pos
            elif byte in (0xF0, 0xF7):  # SysEx: skipped, whatever its bytes
                self.pos = pos + 1
                length = self._vlq()
                if length is None or self.pos + length > end:
                    self.cut = True
                    return
                pos = self.pos + length
            else:
                self.system += 1
                pos += 1 + _SYSTEM_DATA.get(byte, 0)
        self.pos = min(pos, end)

    def _meta(self, tick: int) -> bool:
        """Read one meta event (after its 0xFF); False when the track ends here."""
        if self.pos >= self.end:
            self.cut = True
            return False
        kind = self.data[self.pos]
        self.pos += 1
        length = self._vlq()
        if length is None:
            self.cut = True
            return False
        body = self.data[self.pos:min(self.pos + length, self.end)]
        self.pos += length
        if kind == _END_OF_TRACK:
            self.ended = True
            self.pos = min(self.pos, self.end)
            return False
        if self.pos > self.end:
            self.cut = True
            return False
        self._keep_meta(tick, kind, body)
        return True

    def _keep_meta(self, tick: int, kind: int, body: bytes) -> None:
        if kind in TEXT_METAS:
            self.texts.append((tick, TEXT_METAS[kind], body.decode("latin-1")))
        elif kind == _TRACK_NAME:
            if self.name is None:
                self.name = body.decode("latin-1").strip()
        elif kind == _SET_TEMPO:
            if len(body) != 3 or not any(body):
                self.bad_meta += 1
            else:
                self.tempos.append((tick, int.from_bytes(body, "big")))
        elif kind == _TIME_SIGNATURE:
            if len(body) < 2 or body[1] > 5 or not body[0]:
                self.bad_meta += 1
            else:
                self.meters.append((tick, body[0], 2 ** body[1]))

    def problems(self) -> list[str]:
        """What this track had wrong, one line each."""
        out = []
        if self.cut:
            out.append("ends inside an event (the file may be truncated); read what is there")
        if self.clipped:
            out.append(f"clipped {self.clipped} note(s) with a data byte above 127")
        if self.stray:
            out.append(f"skipped {self.stray} data byte(s) with no status byte before them")
        if self.system:
            out.append(f"skipped {self.system} system message(s) that do not belong in a file")
        if self.bad_meta:
            out.append(f"ignored {self.bad_meta} tempo or time signature event(s) of the "
                       f"wrong length or value")
        return out

    def track(self) -> MidiTrackData:
        """What was read."""
        return MidiTrackData(self.name or "", tuple(self.notes), tuple(self.texts),
                        tuple(self.tempos), tuple(self.meters))
