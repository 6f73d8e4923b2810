"""The one tolerant, fast reader of Standard MIDI Files, for the files players have.

Both MIDI importers read through it: Rock Band / Clone Hero charts
(:mod:`game.formats.clonehero_mid`) and plain drum MIDI files
(:mod:`game.formats.midi_import`). Files in the wild break the spec in ways
the games and DAWs read anyway; this reader reads them too, and lists what it
had to overlook in :attr:`SmfFile.quirks` (one short phrase each), which an
importer turns into one warning naming the file
(:meth:`SmfFile.quirks_warning`).

What is overlooked, and how (where the two games' readers disagree with the
spec, this reader does what they do, so a chart plays as its author heard it):

* data bytes above 127: in SysEx events the event is skipped whole (its
  contents are never needed); in text events the text is decoded as UTF-8,
  else as Latin-1 (every byte a character), as YARG does; in channel messages
  only the lower seven bits are read, as Clone Hero and YARG do (YARG reads
  with DryWetMidi's ``ReadValid`` policy), so a velocity of 228 is 100, not
  127. Only notes are kept, so only notes are counted as quirks;
* running status that continues across meta and SysEx events, stray data
  bytes with no status before them (skipped), system messages that have no
  place in a file (skipped, with their data bytes);
* a missing end-of-track event; a chunk length that is too long or too short
  (the track is read up to its end-of-track event, or up to the next track
  chunk); a last track that runs past the end of the file (read up to there:
  the file may be truncated); a delta time or event cut by the end of its
  chunk;
* unknown chunks (skipped, named), garbage before, between and after the
  chunks, a RIFF (``.rmi``) wrapper or up to 1 KiB of anything before the
  ``MThd`` header (a MacBinary header), a second MIDI file appended to the
  first (ignored), a header length other than 6 that cannot be right (read
  as 6);
* any header type: every track chunk is read, as the games read them, and a
  type above 2 is read as type 1. A type 2 file (independent sequences) is
  read too and its :attr:`SmfFile.format` says 2: importing its tracks as
  parts of one song is the importer's decision (the plain-MIDI importer
  refuses it; Clone Hero charts with a wrong type are read);
* a header that promises more tracks than the file has is said (tracks may be
  missing); more tracks than it promises are read silently, as the games do;
* tempo and time-signature events too short to hold their values, a tempo of
  0 and a time signature of 0 beats (ignored). Other values (a denominator of
  64) are kept for the importer to judge.

It refuses, with one line (a :class:`~game.util.errors.FormatError`, or the
subclass the caller gives), only what cannot be read at all: an empty file, no
``MThd`` header, a header cut short, SMPTE time or 0 ticks per beat, no track.

Only what a chart needs is kept, as plain tuples at absolute ticks: notes (on
and off, with channel), text events with their kind, tempos, time signatures
and the track name. Every loop runs over the bytes of the file, each step
consuming at least one byte, so any file is read in time proportional to its
size.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from game.formats.smf_track import TEXT_KINDS, Quirks, SmfTrack, parse_track
from game.util.errors import FormatError

__all__ = ["TEXT_KINDS", "SmfFile", "SmfTrack", "parse_smf", "read_smf"]

#: How far into the file the ``MThd`` header is looked for.
_HEADER_SEARCH = 1024

@dataclass(frozen=True, slots=True)
class SmfFile:
    """A MIDI file as read.

    Attributes
    ----------
    format : int
        The type the header gives: 0, 1 or 2 (an unknown type is 1). Every
        track chunk is read whatever it says.
    ticks_per_beat : int
    tracks : tuple of SmfTrack
    quirks : tuple of str
        What was overlooked, one short phrase each (empty for a clean file).
    """

    format: int
    ticks_per_beat: int
    tracks: tuple[SmfTrack, ...]
    quirks: tuple[str, ...] = ()

    def quirks_warning(self, name: str) -> list[str]:
        """The warning an importer gives for this file: none for a clean file.

        Parameters
        ----------
        name : str
            The file's name, as the warning names it.

        Returns
        -------
        list of str
            One line naming the file and what was overlooked, or no line.
        """
        if not self.quirks:
            return []
        return [f"{name} breaks the MIDI file rules; read anyway: {'; '.join(self.quirks)}"]


def read_smf(path: str | os.PathLike[str],
             error: Callable[..., FormatError] = FormatError) -> SmfFile:
    """Read the MIDI file at ``path``, accepting what real files do (module description).

    Parameters
    ----------
    path : str or path-like
    error : callable
        The :class:`FormatError` subclass to raise (called with the message and ``path=``).

    Returns
    -------
    SmfFile

    Raises
    ------
    FormatError (or ``error``)
        With the path: unreadable file, or one that cannot be read at all.
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
    """Parse the bytes of a MIDI file (see :func:`read_smf`).

    Parameters
    ----------
    data : bytes
    path : str
        Names the file in the error.
    error : callable
        As for :func:`read_smf`.

    Returns
    -------
    SmfFile
    """
    if not data:
        raise error("file is empty (expected a Standard MIDI File)", path=path)
    data = _unwrap_riff(data)
    quirks = Quirks()
    start = data.find(b"MThd", 0, _HEADER_SEARCH)
    if start < 0:
        raise error("not a Standard MIDI File (no 'MThd' header)", path=path)
    if start:
        quirks.other.append(f"{start} byte(s) before the header skipped")
    size = len(data)
    if size < start + 14:
        raise error("MIDI file is truncated (it ends inside its header)", path=path)
    header_len = int.from_bytes(data[start + 4:start + 8], "big")
    fmt = int.from_bytes(data[start + 8:start + 10], "big")
    declared = int.from_bytes(data[start + 10:start + 12], "big")
    division = int.from_bytes(data[start + 12:start + 14], "big")
    if division & 0x8000:
        raise error("SMPTE time division is not supported (expected ticks per beat)", path=path)
    if division == 0:
        raise error("0 ticks per beat in the header (expected 24-960 or so)", path=path)
    if fmt > 2:
        quirks.other.append(f"unknown MIDI type {fmt} read as type 1")
        fmt = 1
    pos = start + 8 + header_len
    broken_header = header_len != 6 and (header_len < 6 or pos > size
                                         or data.startswith(b"MTrk", start + 14))
    if broken_header:
        quirks.other.append(f"header length {header_len} read as 6")
        pos = start + 14
    tracks = _read_chunks(data, pos, quirks)
    if not tracks:
        after = (f"after a broken MIDI header (length {header_len}, expected 6)"
                 if broken_header else "(expected 'MTrk' chunks after the header)")
        raise error(f"no tracks in the MIDI file {after}", path=path)
    if declared > len(tracks):
        quirks.other.append(f"the header says {declared} track(s), the file has "
                            f"{len(tracks)}")
    return SmfFile(format=fmt, ticks_per_beat=division, tracks=tuple(tracks),
                   quirks=quirks.phrases())


def _unwrap_riff(data: bytes) -> bytes:
    """The SMF inside an RMID (RIFF) file (its ``data`` chunk); other data unchanged."""
    if data[:4] != b"RIFF" or data[8:12] != b"RMID":
        return data
    pos = 12
    while pos + 8 <= len(data):  # each turn moves on by at least 8 bytes
        size = int.from_bytes(data[pos + 4:pos + 8], "little")
        if data[pos:pos + 4] == b"data":
            return data[pos + 8:pos + 8 + size]
        pos += 8 + size + (size & 1)
    return data


def _is_chunk_id(raw: bytes) -> bool:
    """Whether four bytes can be a chunk id (printable ASCII)."""
    return len(raw) == 4 and all(0x20 <= c < 0x7F for c in raw)


def _chunk_starts_at(data: bytes, at: int) -> bool:
    """Whether a chunk starts at ``at``: a track or header tag, or another id whose
    length fits in the file (four printable bytes of event data rarely have one)."""
    tag = data[at:at + 4]
    if at + 8 > len(data) or not _is_chunk_id(tag):
        return False
    if tag in (b"MTrk", b"MThd"):
        return True
    return at + 8 + int.from_bytes(data[at + 4:at + 8], "big") <= len(data)


class _TrackTags:
    """Where the file's 'MTrk' tags are, for finding the next track after a wrong
    chunk length or garbage; found on first need (a clean file never asks), in one
    pass, so that any number of broken chunks is read in time linear in the file."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.every: list[int] = []
        self.fitting: list[int] = []
        self.found = False

    def next_track(self, start: int) -> int:
        """Where the first 'MTrk' tag at or after ``start`` is, or the end of the file.

        A tag whose length runs past the end of the file is passed over when a later
        one fits (four bytes of note data can spell 'MTrk', a random length after
        them), and taken when none does (the last track of a truncated file).
        """
        data = self.data
        if not self.found:
            self.found = True
            at = data.find(b"MTrk")
            while at >= 0:  # each turn moves on by at least one byte
                self.every.append(at)
                if at + 8 + int.from_bytes(data[at + 4:at + 8], "big") <= len(data):
                    self.fitting.append(at)
                at = data.find(b"MTrk", at + 1)
        for tags in (self.fitting, self.every):
            i = bisect_left(tags, start)
            if i < len(tags):
                return tags[i]
        return len(data)


def _read_chunks(data: bytes, pos: int, quirks: Quirks) -> list[SmfTrack]:
    """Every track chunk from ``pos`` on, passing over what is not one."""
    size = len(data)
    tags = _TrackTags(data)
    tracks: list[SmfTrack] = []
    while pos + 8 <= size:  # each turn moves pos on by at least one byte
        tag = data[pos:pos + 4]
        length = int.from_bytes(data[pos + 4:pos + 8], "big")
        if tag == b"MTrk":
            body = pos + 8
            declared_end = body + length
            trusted = declared_end == size or (declared_end < size
                                               and _chunk_starts_at(data, declared_end))
            limit = declared_end if trusted else tags.next_track(body)
            track, stop, ended = parse_track(data, body, limit, quirks)
            tracks.append(track)
            if not trusted and not (ended and stop == declared_end):
                if declared_end > size and limit == size:
                    quirks.past_end += 1
                else:
                    quirks.wrong_length += 1
            pos = stop  # after the end-of-track event: what is left is not the track's
        elif tag == b"MThd":
            quirks.other.append(f"{size - pos} byte(s) after the file (a second 'MThd' "
                                "header) ignored")
            return tracks
        elif _is_chunk_id(tag) and pos + 8 + length <= size:
            quirks.chunks.append(tag.decode("ascii"))
            pos += 8 + length
        else:  # garbage: on to the next track, or to a second file appended
            nxt = tags.next_track(pos + 1)
            glued = data.find(b"MThd", pos + 1, nxt)
            nxt = glued if glued >= 0 else nxt
            quirks.skipped += nxt - pos
            pos = nxt
    quirks.skipped += size - pos
    return tracks
