"""Auto-charting: a playable duet beatmap from any audio file librosa can read.

Steps (each reports progress): load the audio (mono, 22.05 kHz); transcribe
the drums (:mod:`game.audio.transcribe`); track the beat and fit a tempo map
with bar phase and audio offset (:mod:`game.audio.beatgrid`); put each hit on
the beat grid (16ths, or 8th- or 16th-note triplets where a beat's hits sit on
those better) when it lies within :data:`SNAP_TOLERANCE_S` of a grid line, else on the
nearest 1/24 beat; voice it (kick, snare, hi-hat, crash or ride, three toms by
pitch) with a velocity from its loudness; cut the song into 8-bar sections and
call the loudest ones choruses; arrange the duet (choruses, the first and the
last section in unison, the rest split: P1 the hands, P2 the kick and the
accents -- :func:`game.engine.arrange.arrange_duet`); reduce both Expert parts
to Hard, Normal and Easy (:func:`game.engine.reduce.reduce_notes`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from game.audio.beatgrid import Grid, beat_times, fit_grid
from game.audio.transcribe import (
    DrumHit,
    Progress,
    TranscribeError,
    Transcription,
    load_audio,
    transcribe,
)
from game.engine.arrange import SPLIT, UNISON, SectionRole, arrange_duet
from game.engine.chart import (
    DIFFICULTIES,
    Chart,
    Note,
    PartTable,
    Section,
    SongMeta,
    sort_notes,
)
from game.engine.reduce import reduce_notes
from game.engine.tempo import TempoMap
from game.engine.voices import Voice

__all__ = ["AutochartResult", "autochart", "build_chart"]

#: A hit this close to a 16th or triplet grid line goes on it (s); farther, a swung
#: or pushed stroke keeps its feel on the 1/24-beat grid (at most ~10 ms off).
SNAP_TOLERANCE_S = 0.020
#: Off the grid, hits go to the nearest 1/FINE_GRID beat.
FINE_GRID = 24
#: Bars per section.
SECTION_BARS = 8
#: Sections at or above this quantile of loudness are choruses.
CHORUS_QUANTILE = 0.67
#: Loudness (relative to the song's loud strokes) of accents and ghost notes.
ACCENT_STRENGTH = 1.0
GHOST_STRENGTH = 0.3


@dataclass(frozen=True, slots=True)
class AutochartResult:
    """A chart and how it was made.

    Attributes
    ----------
    chart : Chart
    transcription : Transcription
    grid : Grid
    on_grid : int
        Notes of the Expert transcription that went on a 16th or triplet line.
    seconds : dict of str to float
        Wall time per stage, and ``"audio"``: the audio's length.
    """

    chart: Chart
    transcription: Transcription
    grid: Grid
    on_grid: int
    seconds: dict[str, float] = field(default_factory=dict)


def _snap(beat: float, tempo: TempoMap, div: int) -> tuple[float, bool]:
    """Grid position for a hit at ``beat`` on a ``1/div`` beat grid, and whether it
    went on that grid (else it goes on the 1/:data:`FINE_GRID` one)."""
    snapped = round(beat * div) / div
    err_s = abs(tempo.seconds_at(snapped) - tempo.seconds_at(beat))
    if err_s <= SNAP_TOLERANCE_S:
        return snapped, True
    return round(beat * FINE_GRID) / FINE_GRID, False


def _beat_grids(beats: np.ndarray) -> dict[int, int]:
    """Per whole beat, the subdivision its hits sit on: 4 (16ths), 3 (8th-note
    triplets) or 6 (16th triplets: swung 16ths), 16ths unless another fits
    clearly better."""
    out: dict[int, int] = {}
    for b in np.unique(np.floor(beats).astype(int)):
        inside = beats[(beats >= b) & (beats < b + 1)] - b
        if inside.size < 2:
            continue
        err = {d: float(np.abs(inside * d - np.round(inside * d)).mean() / d) for d in (4, 3, 6)}
        if err[3] < 0.5 * err[4]:
            out[int(b)] = 3
        elif err[6] < 0.5 * min(err[4], err[3]):
            out[int(b)] = 6
    return out


def _tom_voices(hits: list[DrumHit]) -> dict[int, Voice]:
    """High, mid and floor tom by each tom hit's pitch (terciles of this song's toms)."""
    toms = [(i, h.pitch_hz) for i, h in enumerate(hits) if h.kind == "tom"]
    if not toms:
        return {}
    pitches = np.array([p for _, p in toms])
    lo, hi = np.quantile(pitches, [1 / 3, 2 / 3])
    if pitches.max() < 1.15 * max(pitches.min(), 1.0):
        return {i: Voice.TOM_MID for i, _ in toms}
    return {i: (Voice.TOM_HIGH if p > hi else Voice.TOM_FLOOR if p < lo else Voice.TOM_MID)
            for i, p in toms}


def _voice(hit: DrumHit, on_bar: bool) -> Voice:
    if hit.kind == "kick":
        return Voice.KICK
    if hit.kind == "snare":
        return Voice.SNARE
    if hit.kind == "hat":
        return Voice.HIHAT_CLOSED
    if hit.kind == "cymbal":
        return Voice.CRASH if on_bar or hit.strength >= 0.9 else Voice.RIDE
    return Voice.TOM_MID


def _notes(tr: Transcription, tempo: TempoMap) -> tuple[list[Note], int]:
    hits = list(tr.hits)
    raw = np.array([tempo.beat_at(h.time_s) for h in hits])
    grids = _beat_grids(raw)
    toms = _tom_voices(hits)
    best: dict[tuple[float, Voice], Note] = {}
    on_grid = 0
    for i, (h, b) in enumerate(zip(hits, raw, strict=True)):
        beat, snapped = _snap(float(b), tempo, grids.get(int(np.floor(b)), 4))
        if beat < 0:
            continue
        _bar, into = tempo.bar_at_beat(beat)
        voice = toms.get(i) or _voice(h, on_bar=abs(into) < 1e-9)
        velocity = int(np.clip(round(30 + 90 * min(h.strength, 1.1) / 1.1), 1, 127))
        accent = h.strength >= ACCENT_STRENGTH and voice in (Voice.SNARE, Voice.CRASH,
                                                             Voice.KICK)
        ghost = voice is Voice.SNARE and h.strength < GHOST_STRENGTH
        note = Note(tempo.seconds_at(beat), beat, voice, 127 if accent else velocity, accent,
                    ghost and not accent)
        key = (beat, voice)
        if key not in best or best[key].velocity < note.velocity:
            on_grid += snapped and key not in best
            best[key] = note
    return list(best.values()), on_grid


def _sections(tr: Transcription, tempo: TempoMap, last_s: float
              ) -> tuple[tuple[Section, ...], tuple[SectionRole, ...]]:
    """8-bar sections named by loudness (Intro, Verse n, Chorus n, Outro) and their roles."""
    bars_total = tempo.bar_at_beat(tempo.beat_at(last_s))[0]
    size = SECTION_BARS if bars_total >= 3 * SECTION_BARS else 4
    starts = list(range(1, bars_total + 1, size))
    spans = []
    for bar in starts:
        b0 = tempo.bar_start_beat(bar)
        t0, t1 = tempo.seconds_at(b0), tempo.seconds_at(b0 + size * 4)
        f0 = max(0, int(t0 / tr.frame_s))
        f1 = max(f0 + 1, int(t1 / tr.frame_s))
        spans.append((b0, t0, float(np.mean(tr.rms[f0:f1])) if f0 < tr.rms.size else 0.0))
    energy = np.array([e for _, _, e in spans])
    chorus_at = float(np.quantile(energy, CHORUS_QUANTILE)) if energy.size else 0.0
    sections, roles = [], []
    counts = {"Verse": 0, "Chorus": 0}
    for i, (b0, t0, e) in enumerate(spans):
        if i == 0 and len(spans) > 2 and e < chorus_at:
            name, role = "Intro", UNISON
        elif e >= chorus_at and len(spans) > 1:
            counts["Chorus"] += 1
            name, role = f"Chorus {counts['Chorus']}", UNISON
        elif i == len(spans) - 1 and len(spans) > 2:
            name, role = "Outro", UNISON
        else:
            counts["Verse"] += 1
            name, role = f"Verse {counts['Verse']}", SPLIT
        sections.append(Section(name, b0, t0))
        roles.append(SectionRole(t0, role))
    return tuple(sections), tuple(roles)


def build_chart(tr: Transcription, grid: Grid, *, title: str, artist: str = "",
                audio: str | None = None) -> tuple[Chart, int]:
    """The duet chart for a transcription on a grid; also the count of on-grid notes."""
    from game.formats.song_ids import slugify

    tempo = grid.tempo
    notes, on_grid = _notes(tr, tempo)
    if not notes:
        raise TranscribeError("no drum hits landed on the song's beat grid")
    expert = sort_notes(notes)
    sections, roles = _sections(tr, tempo, expert[-1].time_s)
    p1, p2 = arrange_duet(expert, roles)
    parts: dict[tuple[str, str], tuple[Note, ...]] = {}
    for part, ns in (("p1", p1), ("p2", p2)):
        for d in DIFFICULTIES:
            parts[(part, d)] = reduce_notes(ns, tempo, d)
    chorus = next((s.time_s for s in sections if s.name.startswith("Chorus")), 0.0)
    meta = SongMeta(id=slugify(title), title=title, artist=artist,
                    charter="drum-diplomacy autochart", audio=audio,
                    preview_s=round(max(0.0, chorus), 3))
    return Chart(meta, tempo, sections, PartTable(parts)), on_grid


def autochart(audio_path: str | os.PathLike[str], *, title: str | None = None,
              artist: str = "", audio_name: str | None = None,
              progress: Progress | None = None) -> AutochartResult:
    """Transcribe ``audio_path`` and chart it as a duet.

    Parameters
    ----------
    audio_path : path
        Any file librosa can read.
    title, artist : str
        Song metadata (title defaults to the file name).
    audio_name : str, optional
        What the beatmap's ``audio`` field should say (default: the file name).
    progress : callable, optional
        ``progress(stage, fraction 0-1)``.

    Raises
    ------
    TranscribeError
        Unreadable or silent audio, no drums, no beat.
    """
    path = Path(audio_path)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()

    def stage(name: str, frac: float) -> None:
        if progress:
            progress(name, frac)

    stage("loading audio", 0.02)
    y = load_audio(path)
    seconds["load"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    tr = transcribe(y, progress=progress)
    seconds["transcribe"] = time.perf_counter() - t1
    stage("tracking the beat", 0.8)
    t2 = time.perf_counter()
    _bpm, beats = beat_times(tr.envelope, frame_s=tr.frame_s)
    if beats.size < 4:
        raise TranscribeError(f"{path}: no steady beat found in the audio")
    by_kind = {k: tr.times(k) for k in ("kick", "snare", "hat", "cymbal", "tom")}
    grid = fit_grid(beats, by_kind, duration_s=tr.duration_s)
    seconds["beat"] = time.perf_counter() - t2
    stage("writing the chart", 0.92)
    t3 = time.perf_counter()
    chart, on_grid = build_chart(tr, grid, title=title or path.stem.replace("_", " "),
                                 artist=artist, audio=audio_name or path.name)
    seconds["chart"] = time.perf_counter() - t3
    seconds["audio"] = tr.duration_s
    stage("done", 1.0)
    return AutochartResult(chart, tr, grid, on_grid, seconds)
