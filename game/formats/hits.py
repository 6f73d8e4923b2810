"""Load a player's recorded performance ("hits") from CSV or MIDI.

CSV format, one stroke per line::

    # optional comments; an optional header line such as the next one
    time_s,note,velocity
    0.512,36,110
    0.750,42

``time_s`` is song time in seconds, ``note`` a General MIDI drum note number
mapped to a voice through a kit map, ``velocity`` 1-127 (default 100). Blank
lines and ``#`` comments are skipped. A note the kit map does not know is an
error in a CSV file (it was written by hand or by a tool, so it is a mistake),
but is skipped and counted in a MIDI file (real kits send extra notes).

MIDI: every ``note_on`` with velocity > 0 on channel 10 (mido channel 9) in any
track; times are absolute seconds from the file's own tempo map, tick 0 being
song time 0 s.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from game.engine.events import DEFAULT_HIT_VELOCITY, HitEvent
from game.formats.kitmap import KitMap, load_kitmap
from game.formats.midi_import import DRUM_CHANNEL, read_midi_file
from game.util.errors import HitsError

CSV_SHAPE = "time_s,note[,velocity]"


def _resolve_kitmap(kitmap: KitMap | str | None) -> KitMap:
    if isinstance(kitmap, KitMap):
        return kitmap
    return load_kitmap(kitmap or "default")


def _check_player(player: int) -> None:
    if player not in (0, 1):
        raise ValueError(f"player must be 0 (P1) or 1 (P2), got {player!r}")


def load_hits(path: str | os.PathLike[str], *, player: int,
              kitmap: KitMap | str | None = None) -> list[HitEvent]:
    """Load hits from a ``.csv`` or ``.mid``/``.midi`` file, chosen by extension.

    Raises
    ------
    HitsError
        For any other extension, or as the loader it calls.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return load_hits_csv(path, player=player, kitmap=kitmap)
    if suffix in (".mid", ".midi", ".smf"):
        return load_hits_midi(path, player=player, kitmap=kitmap)
    raise HitsError(f"unknown performance file type {suffix or '(none)'!r}; "
                    "expected .csv, .mid or .midi", path=str(path))


def load_hits_csv(path: str | os.PathLike[str], *, player: int,
                  kitmap: KitMap | str | None = None) -> list[HitEvent]:
    """Load a CSV performance (``time_s,note[,velocity]`` per line).

    Parameters
    ----------
    path : str or path-like
    player : int
        0 for P1, 1 for P2.
    kitmap : KitMap or str, optional
        Maps note numbers to voices (default ``"default"``).

    Returns
    -------
    list of HitEvent
        Sorted by time (seconds), ``source="csv"``.

    Raises
    ------
    HitsError
        With the path, the 1-based line and what was expected.
    """
    _check_player(player)
    km = _resolve_kitmap(kitmap)
    p = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise HitsError("file not found", path=p) from None
    except OSError as exc:
        raise HitsError(f"cannot read file: {exc.strerror or exc}", path=p) from None
    except UnicodeDecodeError:
        raise HitsError(f"not a text file (expected UTF-8 CSV lines {CSV_SHAPE})",
                        path=p) from None

    hits: list[HitEvent] = []
    seen_data = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = [f.strip() for f in line.split(",")]
        if not seen_data:
            seen_data = True
            if _number(fields[0]) is None:
                continue  # header line
        hits.append(_csv_hit(fields, line, km, player, p, number))
    hits.sort(key=lambda h: h.time_s)
    return hits


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _csv_hit(fields: list[str], line: str, km: KitMap, player: int, path: str,
             number: int) -> HitEvent:
    def fail(message: str) -> HitsError:
        return HitsError(message, path=path, line=number)

    values = [_number(f) for f in fields]
    if len(fields) not in (2, 3) or any(v is None for v in values):
        raise fail(f"expected {CSV_SHAPE} with numbers, got {line!r}")
    time_s, note_f = values[0], values[1]
    assert time_s is not None and note_f is not None
    if not note_f.is_integer():
        raise fail(f"note must be a whole MIDI note number 0-127, got {fields[1]!r}")
    note = int(note_f)
    if not 0 <= note <= 127:
        raise fail(f"note {note} out of range 0-127")
    velocity = DEFAULT_HIT_VELOCITY
    if len(values) == 3:
        vel_f = values[2]
        assert vel_f is not None
        if not vel_f.is_integer():
            raise fail(f"velocity must be a whole number 1-127, got {fields[2]!r}")
        velocity = int(vel_f)
        if not 1 <= velocity <= 127:
            raise fail(f"velocity {velocity} out of range 1-127")
    voice = km.voice_for(note)
    if voice is None:
        raise fail(f"note {note} is not a drum in kit map {km.name!r} "
                   f"(known notes: {km.describe_notes()})")
    return HitEvent(player=player, time_s=time_s, voice=voice, velocity=velocity,
                    source="csv")


def load_hits_midi(path: str | os.PathLike[str], *, player: int,
                   kitmap: KitMap | str | None = None) -> list[HitEvent]:
    """Load a MIDI performance (see :func:`load_hits_midi_with_report`)."""
    hits, _ = load_hits_midi_with_report(path, player=player, kitmap=kitmap)
    return hits


def load_hits_midi_with_report(path: str | os.PathLike[str], *, player: int,
                               kitmap: KitMap | str | None = None,
                               ) -> tuple[list[HitEvent], dict[int, int]]:
    """Load a MIDI performance and count the notes the kit map does not know.

    Parameters
    ----------
    path : str or path-like
        A type 0 or type 1 Standard MIDI File.
    player : int
        0 for P1, 1 for P2.
    kitmap : KitMap or str, optional
        Maps note numbers to voices (default ``"default"``).

    Returns
    -------
    hits : list of HitEvent
        Sorted by time (seconds from tick 0, through the file's tempo changes,
        exactly as mido plays the merged tracks), ``source="midi"``.
    skipped : dict of int to int
        Unmapped note number -> how many strokes were skipped.

    Raises
    ------
    HitsError
        If the file is missing, not MIDI, truncated or otherwise broken.
    """
    _check_player(player)
    km = _resolve_kitmap(kitmap)
    mid = read_midi_file(path, HitsError)
    hits: list[HitEvent] = []
    skipped: dict[int, int] = {}
    now = 0.0
    try:
        for msg in mid:  # merged tracks, msg.time = delta seconds
            now += msg.time
            if msg.type != "note_on" or msg.channel != DRUM_CHANNEL or msg.velocity == 0:
                continue
            voice = km.voice_for(msg.note)
            if voice is None:
                skipped[msg.note] = skipped.get(msg.note, 0) + 1
                continue
            hits.append(HitEvent(player=player, time_s=now, voice=voice,
                                 velocity=msg.velocity, source="midi"))
    except Exception as exc:  # mido can fail late on odd files
        raise HitsError(f"broken MIDI file: {exc or type(exc).__name__}", path=str(path)) from None
    hits.sort(key=lambda h: h.time_s)
    return hits, skipped
