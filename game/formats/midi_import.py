"""Import a Standard MIDI File (type 0 or 1) as a duet chart.

The file is read by the tolerant reader :mod:`game.formats.smf`, so files
other programs accept import too; what it had to overlook is one warning
naming the file. A type 2 file is refused: its tracks are independent
sequences, not parts that play together.

Drum notes are ``note_on`` messages with velocity > 0 on MIDI channel 10
(channel 9 in mido's 0-based numbering), mapped to voices through a kit map
(the ``"default"`` one: General MIDI plus Roland edge/rim notes). Notes the kit
map does not know are skipped and reported.

Parts, in order of precedence:

1. tracks named ``"P1 <difficulty>"`` / ``"P2 <difficulty>"`` (as written by
   :func:`game.formats.midi_export.export_midi`) give those charts directly;
2. tracks whose name starts with ``p1`` / ``p2`` (``"P1"``, ``"p2 drums"``)
   give the Expert chart of that part;
3. otherwise the first two tracks with drum notes are P1 and P2, and a single
   drum track is played by both (unison).

A note is an accent at velocity >= :data:`ACCENT_MIN_VELOCITY` and a ghost
note when it is a snare at velocity <= :data:`GHOST_MAX_VELOCITY`.
Missing easier difficulties are then made by :func:`game.engine.reduce.reduce_chart`.
Beats are ``tick / ticks_per_beat`` (quarter notes from tick 0, which is song
time 0 s); the tempo map comes from every ``set_tempo`` and ``time_signature``
in any track. A file written by :func:`game.formats.midi_export.export_midi`
starts at its audio's start and says where bar 1 is (a start tag): the chart
comes back with its bars, tempo map and offset (see
:mod:`game.formats.midi_timeline`).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import mido

from game.engine.chart import (
    DIFFICULTIES,
    PARTS,
    Chart,
    Note,
    PartTable,
    Section,
    SongMeta,
    make_note,
    sort_notes,
)
from game.engine.reduce import reduce_chart
from game.engine.voices import Voice
from game.formats.kitmap import KitMap, load_kitmap
from game.formats.midi_timeline import Timeline, read_timeline
from game.formats.smf import read_smf
from game.formats.song_ids import slugify
from game.util.errors import FormatError

#: MIDI channel of drums, 0-based as mido numbers them (General MIDI channel 10).
DRUM_CHANNEL = 9
#: A note at or above this velocity is an accent.
ACCENT_MIN_VELOCITY = 112
#: A snare note at or below this velocity is a ghost note.
GHOST_MAX_VELOCITY = 45
#: Voices whose soft notes are ghost notes. Soft kicks and hats are just soft:
#: e-kits report low kick velocities for ordinary strokes.
GHOST_VOICES = frozenset({Voice.SNARE})
#: ``quantize`` values -> notes per whole note; the grid step is ``4 / n`` quarter notes.
QUANTIZE_GRIDS: dict[str, int] = {
    "1/4": 4, "1/8": 8, "1/12": 12, "1/16": 16, "1/24": 24, "1/32": 32,
}

_DIFF_TRACK = re.compile(r"^\s*(p[12])[\s_-]+(" + "|".join(DIFFICULTIES) + r")\s*$", re.I)
_PART_TRACK = re.compile(r"^\s*(p[12])(?![0-9a-z])", re.I)


@dataclass
class _Track:
    index: int
    name: str
    notes: list[tuple[int, int, int]] = field(default_factory=list)  # tick, note, velocity


def read_midi_file(path: str | os.PathLike[str], error: type[FormatError] = FormatError,
                   ) -> mido.MidiFile:
    """Open a Standard MIDI File with mido, strictly, turning every failure into ``error``.

    For files that must be whole (a recorded performance). Charts use
    :func:`game.formats.smf.read_smf`, which accepts what real files do.

    Raises
    ------
    FormatError (or the given subclass)
        If the file cannot be read, is not MIDI, is truncated, is type 2, or
        uses SMPTE time division.
    """
    p = str(path)
    try:
        if os.path.getsize(p) == 0:
            raise error("file is empty (expected a Standard MIDI File)", path=p)
        mid = mido.MidiFile(p)
    except FileNotFoundError:
        raise error("file not found", path=p) from None
    except FormatError:
        raise
    except OSError as exc:
        text = str(exc)
        if "MThd" in text:
            text = "not a Standard MIDI File (no 'MThd' header)"
        raise error(f"cannot read MIDI file: {text}", path=p) from None
    except EOFError:
        raise error("MIDI file is truncated (it ends before its header or a track does)",
                    path=p) from None
    except Exception as exc:  # mido raises ValueError, KeyError, IndexError... on bad data
        raise error(f"broken MIDI file: {exc or type(exc).__name__}", path=p) from None
    if mid.type == 2:
        raise error("MIDI type 2 (independent sequences) is not supported; "
                    "save as type 0 or 1", path=p)
    if not 0 < mid.ticks_per_beat < 0x8000:
        raise error("SMPTE time division is not supported; save with ticks per beat", path=p)
    return mid


def import_midi(path: str | os.PathLike[str], *, quantize: str | None = None,
                song_id: str | None = None, title: str | None = None,
                kitmap: KitMap | str | None = None, marks_only: bool = False) -> Chart:
    """Import a MIDI file as a chart (see :func:`import_midi_with_report`)."""
    chart, _ = import_midi_with_report(path, quantize=quantize, song_id=song_id,
                                       title=title, kitmap=kitmap, marks_only=marks_only)
    return chart


def import_midi_with_report(path: str | os.PathLike[str], *, quantize: str | None = None,
                            song_id: str | None = None, title: str | None = None,
                            kitmap: KitMap | str | None = None,
                            marks_only: bool = False) -> tuple[Chart, list[str]]:
    """Import a MIDI file as a chart and say what was skipped or adjusted.

    Parameters
    ----------
    path : str or path-like
        A type 0 or type 1 Standard MIDI File.
    quantize : str, optional
        Snap each note's beat to a grid: one of ``"1/4"``, ``"1/8"``,
        ``"1/12"`` (8th triplets), ``"1/16"``, ``"1/24"``, ``"1/32"`` (a
        ``"1/16"`` step is 0.25 quarter notes). Two notes of one voice that
        land on the same beat become one, the louder. None keeps exact ticks.
    song_id : str, optional
        Defaults to a slug (``[a-z0-9-]+``) of the file name's stem.
    title : str, optional
        Defaults to the file name's stem.
    kitmap : KitMap or str, optional
        Note map; a name or path is passed to :func:`load_kitmap`. Default
        ``"default"``.
    marks_only : bool
        Keep only the dynamics marks (accent, normal, ghost) and give each note
        its mark's default velocity, so the beatmap reads as a clean grid.
        False keeps every note's exact velocity.

    Returns
    -------
    chart : Chart
    warnings : list of str
        Human-readable notes about skipped notes, moved time signatures, etc.

    Raises
    ------
    FormatError
        With the path: unreadable or broken file, type 2, no drum notes, bad ``quantize``.
    """
    p = str(path)
    grid = _quantize_grid(quantize, p)
    km = _kitmap(kitmap)
    smf = read_smf(path)
    if smf.format == 2:  # read like the others, but its tracks do not play together
        raise FormatError("MIDI type 2 (independent sequences) is not supported; "
                          "save as type 0 or 1", path=p)
    warnings = smf.quirks_warning(Path(p).name)
    tpb = smf.ticks_per_beat
    tempo_events = [e for t in smf.tracks for e in t.tempos]
    meter_events = [e for t in smf.tracks for e in t.meters]
    markers = [(tick, text.strip()) for t in smf.tracks for tick, kind, text in t.texts
               if kind == "marker" and text.strip()]
    texts = [(tick, text) for t in smf.tracks for tick, kind, text in t.texts if kind == "text"]
    tracks = [_Track(index, t.name, [(tick, note, velocity)
                                     for tick, note, velocity, channel in t.notes
                                     if channel == DRUM_CHANNEL and velocity > 0])
              for index, t in enumerate(smf.tracks)]

    timeline = read_timeline(tempo_events, meter_events, texts, tpb, warnings)
    tempo = timeline.tempo
    chosen = _choose_tracks(tracks, warnings)
    if not any(t.notes for t in chosen.values()):
        raise FormatError(
            f"no drum notes: expected note-on messages on MIDI channel {DRUM_CHANNEL + 1}",
            path=p,
        )
    skipped: dict[int, int] = {}
    parts: dict[tuple[str, str], tuple[Note, ...]] = {}
    converted: dict[int, tuple[Note, ...]] = {}
    for key, track in chosen.items():
        if track.index not in converted:
            converted[track.index] = _notes(track, timeline, km, grid, skipped, marks_only)
        parts[key] = converted[track.index]
    for note, count in sorted(skipped.items()):
        warnings.append(f"skipped {count} note(s) with number {note}: "
                        f"not a drum in kit map {km.name!r}")
    if not any(parts.values()):
        raise FormatError(
            f"no drum notes that kit map {km.name!r} knows (it maps notes "
            f"{km.describe_notes()})", path=p,
        )
    stem = Path(p).stem
    meta = SongMeta(id=song_id or slugify(stem), title=title or stem)
    sections = tuple(
        Section(text, beat, tempo.seconds_at(beat))
        for beat, text in sorted((timeline.beat_at_tick(tick), text) for tick, text in markers)
    )
    chart = Chart(meta=meta, tempo=tempo, sections=sections, parts=PartTable(parts))
    return reduce_chart(chart), warnings


def _quantize_grid(quantize: str | None, path: str) -> int | None:
    if quantize is None:
        return None
    grid = QUANTIZE_GRIDS.get(str(quantize).strip())
    if grid is None:
        raise FormatError(
            f"bad quantize value {quantize!r}; expected one of {', '.join(QUANTIZE_GRIDS)}",
            path=path,
        )
    return grid


def _kitmap(kitmap: KitMap | str | None) -> KitMap:
    if isinstance(kitmap, KitMap):
        return kitmap
    return load_kitmap(kitmap or "default")


def _choose_tracks(tracks: list[_Track], warnings: list[str]) -> dict[tuple[str, str], _Track]:
    """(part, difficulty) -> the track that gives its notes."""
    chosen: dict[tuple[str, str], _Track] = {}
    for t in tracks:
        m = _DIFF_TRACK.match(t.name)
        if m:
            key = (m.group(1).lower(), m.group(2).lower())
            if key in chosen:
                warnings.append(f"ignored track {t.index} {t.name!r}: a second {t.name!r}")
            else:
                chosen[key] = t
    if chosen:
        for part, other in (("p1", "p2"), ("p2", "p1")):
            if not any(p == part for p, _ in chosen):
                warnings.append(f"no {part.upper()} tracks; {part.upper()} plays "
                                f"{other.upper()}'s part")
                for (p, d), t in list(chosen.items()):
                    if p == other:
                        chosen[(part, d)] = t
        return chosen

    drum_tracks = [t for t in tracks if t.notes]
    named: dict[str, _Track] = {}
    for t in drum_tracks:
        m = _PART_TRACK.match(t.name)
        if m and m.group(1).lower() not in named:
            named[m.group(1).lower()] = t
    rest = [t for t in drum_tracks if t not in named.values()]
    for part in PARTS:
        if part not in named and rest:
            named[part] = rest.pop(0)
    if "p1" not in named and "p2" in named:
        named["p1"] = named["p2"]
        warnings.append(f"one drum track ({_label(named['p2'])}): both players play it")
    if "p2" not in named and "p1" in named:
        named["p2"] = named["p1"]
        warnings.append(f"one drum track ({_label(named['p1'])}): both players play it")
    for t in rest:
        warnings.append(f"ignored drum track {_label(t)}: only two parts are used")
    return {(part, "expert"): t for part, t in named.items()}


def _label(track: _Track) -> str:
    return f"{track.index} {track.name!r}" if track.name else str(track.index)


def _notes(track: _Track, timeline: Timeline, km: KitMap, grid: int | None,
           skipped: dict[int, int], marks_only: bool) -> tuple[Note, ...]:
    tempo = timeline.tempo
    best: dict[tuple[Voice, float], tuple[int, Note]] = {}
    for tick, number, velocity in track.notes:
        voice = km.voice_for(number)
        if voice is None:
            skipped[number] = skipped.get(number, 0) + 1
            continue
        beat = timeline.beat_at_tick(tick)
        if grid is not None:
            beat = math.floor(beat * grid / 4 + 0.5) * 4 / grid
        key = (voice, beat)
        old = best.get(key)
        if old is not None and old[0] >= velocity:
            continue
        accent = velocity >= ACCENT_MIN_VELOCITY
        ghost = voice in GHOST_VOICES and velocity <= GHOST_MAX_VELOCITY
        if marks_only:
            note = make_note(tempo, beat, voice, accent=accent, ghost=ghost)
        else:
            note = Note(tempo.seconds_at(beat), beat, voice, velocity, accent=accent,
                        ghost=ghost)
        best[key] = (velocity, note)
    return sort_notes([note for _, note in best.values()])
