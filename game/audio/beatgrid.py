"""A tempo map for transcribed drums: beats, tempo (steady or drifting), bar phase.

1. :func:`librosa.beat.beat_track` on the percussive onset envelope gives
   beat times (it has a known late bias, so they are only a start).
2. The beats are cut into runs of steady tempo: a run grows while one straight
   line (beat index -> time) still fits every beat in it within
   :data:`STEADY_TOLERANCE_S`; a song played to a click is one run, a song
   that speeds up is several.
3. Each run's period and phase are refined on the drum hits themselves: the
   period that best lines the kicks and snares up with its 16th-note grid
   (within ±2 % of the run's), and the phase from their circular mean -- so
   the tracker's bias is gone and the tempo comes out to a fraction of a per
   cent.
4. Bar phase (which beat is the downbeat, 4/4 assumed): the one where kicks and
   crashes land on beat 1 and snares on 2 and 4 the most.

Pure numpy but for the beat tracker, imported inside :func:`beat_times`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from game.engine.tempo import MeterChange, TempoChange, TempoMap

__all__ = ["Grid", "beat_times", "fit_grid"]

Float = NDArray[np.float64]

#: A run of steady tempo fits all its beats within this (s).
STEADY_TOLERANCE_S = 0.035
#: Shortest run that may get its own tempo, in beats.
MIN_RUN_BEATS = 8
#: Tempo changes smaller than this fraction are not worth a new tempo.
MIN_TEMPO_CHANGE = 0.01


@dataclass(frozen=True, slots=True)
class Grid:
    """The fitted grid.

    Attributes
    ----------
    tempo : TempoMap
        Beat 0 is the downbeat of bar 1, at ``tempo.offset_s`` (may be before 0
        when the music starts on a pick-up).
    beats_s : ndarray
        Every beat time the grid puts on the audio, in seconds.
    steady : bool
        One tempo for the whole song.
    """

    tempo: TempoMap
    beats_s: Float
    steady: bool


def beat_times(envelope: Float, *, frame_s: float) -> tuple[float, Float]:
    """Tempo (BPM) and beat times (s) from :func:`librosa.beat.beat_track`."""
    import librosa

    sr = 22050
    hop = round(frame_s * sr)
    tempo, beats = librosa.beat.beat_track(onset_envelope=envelope, sr=sr, hop_length=hop,
                                           units="time", tightness=100)
    bpm = float(np.atleast_1d(tempo)[0])
    return bpm, np.asarray(beats, dtype=np.float64)


def _runs(beats: Float) -> list[tuple[int, int]]:
    """Index ranges ``[a, b)`` of beats that keep one steady tempo."""
    runs: list[tuple[int, int]] = []
    a = 0
    n = len(beats)
    while a < n:
        b = min(n, a + MIN_RUN_BEATS)
        while b < n and _line_fits(beats[a:b + 1]):
            b += 1
        runs.append((a, b))
        a = b
    # a short tail joins the run before it
    if len(runs) > 1 and runs[-1][1] - runs[-1][0] < MIN_RUN_BEATS:
        runs[-2:] = [(runs[-2][0], runs[-1][1])]
    return runs


def _line_fits(beats: Float) -> bool:
    idx = np.arange(len(beats), dtype=np.float64)
    slope, icpt = np.polyfit(idx, beats, 1)
    return bool(np.max(np.abs(beats - (icpt + slope * idx))) <= STEADY_TOLERANCE_S)


def _refine(period: float, t0: float, hits: Float, weights: Float, t_lo: float,
            t_hi: float) -> tuple[float, float]:
    """Period and phase that line ``hits`` in ``[t_lo, t_hi)`` up with a 16th grid."""
    sel = (hits >= t_lo - 0.05) & (hits < t_hi + 0.05)
    h, w = hits[sel], weights[sel]
    if h.size < 8:
        return period, t0
    centre = 0.5 * (t_lo + t_hi)

    def score(p: float) -> tuple[float, float]:
        step = p / 4.0
        phase = 2.0 * np.pi * (h - centre) / step
        z = np.sum(w * np.exp(1j * phase))
        return float(np.abs(z)), float(np.angle(z))

    candidates = period * (1.0 + np.linspace(-0.02, 0.02, 161))
    scores = [score(p)[0] for p in candidates]
    best = float(candidates[int(np.argmax(scores))])
    fine = best * (1.0 + np.linspace(-0.0004, 0.0004, 41))
    best = float(fine[int(np.argmax([score(p)[0] for p in fine]))])
    _mag, ang = score(best)
    grid_at_centre = centre + ang / (2.0 * np.pi) * best / 4.0
    # the tracker's beat nearest the centre picks which 16th is the beat
    k = np.round((grid_at_centre - (t0 + np.round((centre - t0) / period) * period))
                 / (best / 4.0))
    beat_at_centre = grid_at_centre - k * best / 4.0
    return best, float(beat_at_centre - np.round((beat_at_centre - t0) / best) * best)


def _steady(grid: tuple[float, float], hits: Float, duration_s: float) -> bool:
    """Whether one grid (period, a beat time) fits the hits all through the song:
    in every 16-beat window with enough hits, their mean 16th-grid phase stays
    within :data:`STEADY_TOLERANCE_S` / 2."""
    period, t0 = grid
    step = period / 4.0
    span = 16 * period
    start = 0.0
    while start < duration_s:
        h = hits[(hits >= start) & (hits < start + span)]
        if h.size >= 8:
            z = np.mean(np.exp(2j * np.pi * (h - t0) / step))
            if abs(np.angle(z)) / (2 * np.pi) * step > STEADY_TOLERANCE_S / 2:
                return False
        start += span
    return True


def _bar_phase(beats: Float, hits: dict[str, Float]) -> int:
    """Which of the first four beats is a downbeat (0-3)."""
    def near(kind: str) -> NDArray[np.int64]:
        t = hits.get(kind, np.zeros(0))
        if t.size == 0 or beats.size < 2:
            return np.zeros(0, dtype=np.int64)
        i = np.clip(np.searchsorted(beats, t), 1, beats.size - 1)
        i = np.where(np.abs(beats[i - 1] - t) < np.abs(beats[i] - t), i - 1, i)
        tol = 0.15 * float(np.median(np.diff(beats)))
        return np.asarray(i[np.abs(beats[i] - t) <= tol], dtype=np.int64)

    kicks, snares, crashes = near("kick"), near("snare"), near("cymbal")
    scores = []
    for p in range(4):
        s = float(np.sum((kicks - p) % 4 == 0)) + 0.5 * float(np.sum((kicks - p) % 4 == 2))
        s += float(np.sum((snares - p) % 2 == 1)) + 2.0 * float(np.sum((crashes - p) % 4 == 0))
        scores.append(s)
    return int(np.argmax(scores))


def fit_grid(beats: Float, hits: dict[str, Float], *, duration_s: float) -> Grid:
    """Fit a tempo map to tracked ``beats`` and the transcribed ``hits`` by class.

    Parameters
    ----------
    beats : ndarray
        Beat times from the tracker (s), at least 4.
    hits : dict of str to ndarray
        Hit times per class (``"kick"``, ``"snare"``, ``"cymbal"`` ...), in s.
    duration_s : float
        Length of the audio (s).

    Raises
    ------
    ValueError
        With fewer than 4 beats.
    """
    if beats.size < 4:
        raise ValueError("too few beats to find a tempo")
    anchor = np.concatenate([hits.get("kick", np.zeros(0)), hits.get("snare", np.zeros(0))])
    weight = np.ones(anchor.size)
    order = np.argsort(anchor)
    anchor, weight = anchor[order], weight[order]
    runs = _runs(beats)
    # first try one tempo for the whole song: the longest steady run's, refined on all hits
    a, b = max(runs, key=lambda r: r[1] - r[0])
    period, t0 = np.polyfit(np.arange(b - a, dtype=np.float64), beats[a:b], 1)
    whole = _refine(float(period), float(t0), anchor, weight, float(beats[0]),
                    float(duration_s))
    if _steady(whole, anchor, duration_s):
        merged: list[tuple[float, float, float]] = [(whole[0], whole[1], -np.inf)]
    else:
        merged = []
        for a, b in runs:
            if b - a < 2 * MIN_RUN_BEATS and merged:
                continue  # a short stretch where the tracker wavered: the last tempo holds
            idx = np.arange(b - a, dtype=np.float64)
            period, t0 = np.polyfit(idx, beats[a:b], 1)
            t_hi = beats[b] if b < beats.size else duration_s
            seg = _refine(float(period), float(t0), anchor, weight, float(beats[a]),
                          float(t_hi))
            if merged and abs(seg[0] / merged[-1][0] - 1.0) < MIN_TEMPO_CHANGE:
                continue
            merged.append((seg[0], seg[1], float(beats[a]) if merged else -np.inf))
    beat_arr = _grid_beats(merged, duration_s)
    # reach back far enough for any pick-up, then start at a downbeat
    first_hit = min((float(v.min()) for v in hits.values() if v.size), default=0.0)
    p0 = merged[0][0]
    n_back = int(np.ceil(max(0.0, beat_arr[0] - first_hit) / p0)) + 4
    beat_arr = np.concatenate([beat_arr[0] - p0 * np.arange(n_back, 0, -1), beat_arr])
    phase = _bar_phase(beat_arr, hits)
    # the beat the first hit belongs to (it may be a little early)
    first = int(np.searchsorted(beat_arr, first_hit + 0.3 * p0, side="right")) - 1
    start = first - ((first - phase) % 4)
    beat_arr = beat_arr[start:]
    changes = [TempoChange(0.0, round(60.0 / float(beat_arr[1] - beat_arr[0]), 3))]
    for i in range(1, beat_arr.size - 1):
        bpm = 60.0 / float(beat_arr[i + 1] - beat_arr[i])
        if abs(bpm / changes[-1].bpm - 1.0) >= 1e-4:  # the walk's own steps only
            changes.append(TempoChange(float(i), round(bpm, 3)))
    tempo = TempoMap(changes, [MeterChange(1, 4, 4)], offset_s=round(float(beat_arr[0]), 4))
    return Grid(tempo, beat_arr, steady=len(changes) == 1)


def _grid_beats(segments: list[tuple[float, float, float]], duration_s: float) -> Float:
    """Beat times from about 0 to past ``duration_s``, walking beat by beat: each step
    takes the tempo of the segment it lands in and, on entering a segment, that
    segment's own beat line (when one lies within a third of a beat)."""
    period, t0, _start = segments[0]
    t = t0 - np.floor(t0 / period) * period
    out = [float(t)]
    current = 0
    while t < duration_s + period:
        guess = t + segments[current][0]
        nxt = current
        while nxt + 1 < len(segments) and segments[nxt + 1][2] <= guess:
            nxt += 1
        period, t0, _start = segments[nxt]
        if nxt != current:
            guess = t + period
            line = t0 + np.round((guess - t0) / period) * period
            if abs(line - guess) <= period / 3 and line - t > 0.5 * period:
                guess = float(line)
            current = nxt
        t = guess
        out.append(float(t))
    return np.asarray(out)
