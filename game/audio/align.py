"""Measure how far a song's audio is from its chart: the ``align`` command's engine.

The method: an onset strength envelope of the audio (librosa, hop 128), made
zero-mean and unit-variance, is sampled at every chart note time shifted by a
candidate lag; each lag in ``±search_ms`` (1 ms steps) scores the mean of those
samples. The best lag is refined to sub-millisecond by a parabola through its
neighbours, and the detector's own delay (:data:`ONSET_BIAS_S`) is subtracted.

Repetitive grooves score almost as well one subdivision away, so the
second-best local maximum (at least :data:`MIN_SEPARATION_S` from the best) is
compared with the best: within :data:`AMBIGUOUS_RATIO` of it, the result is
ambiguous and its confidence is lowered.

librosa is imported inside the functions: importing this module is cheap and
the game's start-up never loads librosa.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from game.audio.transcribe import numba_cache
from game.engine.chart import Chart
from game.util.errors import GameError

__all__ = [
    "AMBIGUOUS_RATIO",
    "HOP_LENGTH",
    "MATCH_WINDOW_S",
    "ONSET_BIAS_S",
    "AlignError",
    "AlignResult",
    "chart_audio",
    "chart_note_times",
    "estimate_offset",
]

#: Hop of the onset strength envelope, in samples.
HOP_LENGTH = 128
#: Delay of the onset envelope's peak after a drum hit, in seconds, for hop 128
#: at 44.1 kHz. Measured with :func:`estimate_offset` (``onset_bias_s=0``) on
#: ``tests/data/onset-calibration.ogg`` (a render of the known hit times in
#: ``tests/data/onset-calibration.json``); ``tests/test_align.py`` re-checks it.
ONSET_BIAS_S = 0.0124
#: A note counts as matched when an onset lies within this many seconds of it.
MATCH_WINDOW_S = 0.020
#: A runner-up peak this close to the best score (above the median) is ambiguous.
AMBIGUOUS_RATIO = 0.9
#: Runner-up peaks nearer than this to the best (in seconds) are the same peak.
MIN_SEPARATION_S = 0.020

#: Voices whose hits are quiet in the onset envelope, weighted by :data:`LIGHT_WEIGHT`.
LIGHT_VOICES = frozenset({"HH", "HP", "HF", "XS", "RD", "RB"})
LIGHT_WEIGHT = 0.5

Float = NDArray[np.float64]


class AlignError(GameError):
    """The audio cannot be aligned: missing, unreadable, silent or no notes."""


@dataclass(frozen=True, slots=True)
class AlignResult:
    """How far the audio's drums are from the chart's notes.

    Attributes
    ----------
    offset_ms : float
        Milliseconds the audio's drums are later than the chart's notes; add it
        to the beatmap's ``offset_ms`` to line them up.
    confidence : float
        0-1, from how far the best lag stands out from the other lags and from
        the runner-up peak.
    ambiguous : bool
        A runner-up peak scores at least :data:`AMBIGUOUS_RATIO` of the best.
    alternatives_ms : tuple of float
        Other candidate offsets (ms) scoring nearly as well, best first.
    matched : float
        Fraction (0-1) of note times with a detected onset within 20 ms after
        the correction.
    onset_bias_ms : float
        Detector delay subtracted, in milliseconds.
    source : str
        What was analysed: ``"stems p1+p2"``, ``"mix"`` or ``"audio"``.
    notes : int
        Distinct note times scored.
    """

    offset_ms: float
    confidence: float
    ambiguous: bool
    alternatives_ms: tuple[float, ...]
    matched: float
    onset_bias_ms: float
    source: str = "audio"
    notes: int = 0

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict, times rounded to 0.01 ms."""
        return {"offset_ms": round(self.offset_ms, 2), "confidence": round(self.confidence, 3),
                "ambiguous": self.ambiguous,
                "alternatives_ms": [round(a, 2) for a in self.alternatives_ms],
                "matched": round(self.matched, 4), "onset_bias_ms": round(self.onset_bias_ms, 2),
                "source": self.source, "notes": self.notes}


def chart_note_times(chart: Chart) -> tuple[Float, Float]:
    """Note times and weights of both parts at each part's hardest difficulty.

    Returns
    -------
    times : ndarray
        Distinct note times in seconds, sorted.
    weights : ndarray
        Per time, the summed expected loudness of its notes: velocity / 127,
        halved for the quiet voices (:data:`LIGHT_VOICES`). Weighting lets a
        kick or snare outvote the hi-hat an 8th note away.
    """
    by_time: dict[float, float] = {}
    for part in ("p1", "p2"):
        diffs = chart.difficulties(part)
        for n in chart.notes(part, diffs[-1]) if diffs else ():
            w = n.velocity / 127 * (LIGHT_WEIGHT if n.voice.code in LIGHT_VOICES else 1.0)
            key = round(n.time_s, 5)
            by_time[key] = by_time.get(key, 0.0) + w
    times = np.array(sorted(by_time), dtype=np.float64)
    return times, np.array([by_time[t] for t in sorted(by_time)], dtype=np.float64)


def chart_audio(chart: Chart, beatmap_path: str | os.PathLike[str]) -> tuple[list[Path], str]:
    """The audio files to analyse for ``chart`` and a label saying which.

    The P1 and P2 drum stems (``stem_p1``/``stem_p2`` in ``[song]``) are preferred,
    summed; otherwise the ``audio`` file.

    Raises
    ------
    AlignError
        If the beatmap names no audio.
    """
    folder = Path(beatmap_path).parent
    extra = dict(chart.meta.extra)
    stems = [extra.get("stem_p1"), extra.get("stem_p2")]
    if all(stems):
        return [folder / str(s) for s in stems], "stems p1+p2"
    if chart.meta.audio:
        return [folder / chart.meta.audio], "mix"
    raise AlignError(f"{beatmap_path}: the beatmap names no audio (expected 'audio = FILE' "
                     "in [song])")


def _load_mono(paths: Sequence[Path]) -> tuple[Float, int]:
    """Sum the files to one mono signal at the first file's sample rate (Hz)."""
    numba_cache()
    import librosa

    total: Float | None = None
    rate = 0
    for path in paths:
        if not path.is_file():
            raise AlignError(f"{path}: audio file not found")
        try:
            y, sr = librosa.load(str(path), sr=rate or None, mono=True)
        except Exception as exc:
            raise AlignError(f"{path}: cannot read the audio ({type(exc).__name__}: "
                             f"{exc})") from None
        rate = int(sr)
        y = np.asarray(y, dtype=np.float64)
        if total is None:
            total = y
        else:
            n = max(len(total), len(y))
            total = np.pad(total, (0, n - len(total))) + np.pad(y, (0, n - len(y)))
    assert total is not None
    return total, rate


def _envelope(y: Float, sr: int, hop_length: int) -> Float:
    numba_cache()
    import librosa

    return np.asarray(librosa.onset.onset_strength(y=y.astype(np.float32), sr=sr,
                                                   hop_length=hop_length), dtype=np.float64)


def _local_maxima(scores: Float) -> NDArray[np.int64]:
    inner = np.flatnonzero((scores[1:-1] > scores[:-2]) & (scores[1:-1] >= scores[2:])) + 1
    edges = [i for i in (0, len(scores) - 1)
             if len(scores) > 1 and scores[i] > scores[1 if i == 0 else i - 1]]
    return np.sort(np.concatenate([inner, np.asarray(edges, dtype=np.int64)]))


def _parabolic(scores: Float, i: int) -> float:
    """Sub-sample position of the peak at index ``i`` (in index units)."""
    if i <= 0 or i >= len(scores) - 1:
        return float(i)
    a, b, c = scores[i - 1], scores[i], scores[i + 1]
    denom = a - 2 * b + c
    return float(i) if denom >= 0 else float(i + 0.5 * (a - c) / denom)


def estimate_offset(audio_path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                    note_times_s: Sequence[float] | Float, *,
                    weights: Sequence[float] | Float | None = None, search_ms: float = 250.0,
                    hop_length: int = HOP_LENGTH, onset_bias_s: float | None = None,
                    source: str = "audio") -> AlignResult:
    """Estimate how much later the audio's drums are than ``note_times_s``.

    Parameters
    ----------
    audio_path : path or sequence of paths
        The audio; several files (e.g. drum stems) are summed.
    note_times_s : sequence of float
        Chart note times in seconds on the song clock.
    weights : sequence of float or None
        Expected loudness of each note time (unitless); None weighs all alike.
    search_ms : float
        Lags tried, ``-search_ms .. +search_ms`` in 1 ms steps (milliseconds).
    hop_length : int
        Onset envelope hop in samples.
    onset_bias_s : float or None
        Detector delay (s) to subtract; None means :data:`ONSET_BIAS_S`.
    source : str
        Label stored in the result.

    Returns
    -------
    AlignResult

    Raises
    ------
    AlignError
        If a file is missing or unreadable, there are no notes within the
        audio, or the audio holds no onsets (silence).
    """
    paths = ([Path(audio_path)] if isinstance(audio_path, (str, os.PathLike))
             else [Path(p) for p in audio_path])
    names = " + ".join(str(p) for p in paths)
    bias = ONSET_BIAS_S if onset_bias_s is None else float(onset_bias_s)
    y, sr = _load_mono(paths)
    env = _envelope(y, sr, hop_length)
    spread = float(np.std(env))
    if len(env) < 3 or spread <= 1e-9 * max(float(np.max(np.abs(env))), 1.0) or not np.any(y):
        raise AlignError(f"no drum onsets found in {names}")
    onsets = _onset_times(env, sr, hop_length)
    if len(onsets) == 0:
        raise AlignError(f"no drum onsets found in {names}")
    z = (env - float(np.mean(env))) / spread
    frame_t = np.arange(len(z)) * hop_length / sr
    duration = len(y) / sr
    notes = np.asarray(note_times_s, dtype=np.float64)
    w = np.ones_like(notes) if weights is None else np.asarray(weights, dtype=np.float64)
    inside = (notes >= 0) & (notes <= duration)
    notes, w = notes[inside], w[inside]
    if len(notes) == 0:
        raise AlignError(f"{names}: no chart notes fall within the audio "
                         f"({duration:.1f} s long)")
    step = 0.001
    n_lags = round(search_ms)
    lags = np.arange(-n_lags, n_lags + 1) * step
    w = w / max(float(np.sum(w)), 1e-12)
    scores = np.array([float(np.dot(w, np.interp(notes + lag, frame_t, z, left=0.0, right=0.0)))
                       for lag in lags])
    best = int(np.argmax(scores))
    peak_lag = lags[0] + _parabolic(scores, best) * step
    baseline = float(np.median(scores))
    height = float(scores[best]) - baseline
    runners = [(float(scores[i]), float(lags[i])) for i in _local_maxima(scores)
               if abs(lags[i] - lags[best]) >= MIN_SEPARATION_S]
    runners.sort(reverse=True)
    ratio = (runners[0][0] - baseline) / height if runners and height > 0 else 0.0
    ambiguous = ratio >= AMBIGUOUS_RATIO
    alternatives = tuple((lag + _sub_step(scores, lags, lag, step) - bias) * 1e3
                         for s, lag in runners if height > 0
                         and (s - baseline) / height >= AMBIGUOUS_RATIO)
    mad = float(np.median(np.abs(scores - baseline))) * 1.4826 or 1e-12
    prominence = height / mad
    confidence = (1.0 - float(np.exp(-prominence / 4.0))) * min(1.0, max(0.0, 1.0 - ratio)
                                                                  / (1.0 - 0.5))
    if ambiguous:
        confidence = min(confidence, 0.5 * (1.0 - ratio) / (1.0 - AMBIGUOUS_RATIO))
    offset_s = peak_lag - bias
    gaps = np.min(np.abs((notes + offset_s)[:, None] - (onsets - bias)[None, :]), axis=1)
    matched = float(np.mean(gaps <= MATCH_WINDOW_S))
    return AlignResult(offset_ms=float(offset_s * 1e3),
                       confidence=float(np.clip(confidence, 0, 1)),
                       ambiguous=ambiguous, alternatives_ms=alternatives, matched=matched,
                       onset_bias_ms=bias * 1e3, source=source, notes=len(notes))


def _sub_step(scores: Float, lags: NDArray[np.floating[Any]], lag: float, step: float,
              ) -> float:
    i = int(np.argmin(np.abs(lags - lag)))
    return (_parabolic(scores, i) - i) * step


def _onset_times(env: Float, sr: int, hop_length: int) -> Float:
    """Detected onset times (s, detector delay not removed) from the envelope."""
    numba_cache()
    import librosa

    frames = librosa.onset.onset_detect(onset_envelope=env, sr=sr, hop_length=hop_length,
                                        backtrack=False)
    return np.asarray(frames, dtype=np.float64) * hop_length / sr


def align_chart(chart: Chart, beatmap_path: str | os.PathLike[str], *,
                search_ms: float = 250.0) -> AlignResult:
    """:func:`estimate_offset` on ``chart``'s drum stems (or mix) and note times."""
    paths, source = chart_audio(chart, beatmap_path)
    times, weights = chart_note_times(chart)
    if len(times) == 0:
        raise AlignError(f"{beatmap_path}: the chart has no notes to align")
    return estimate_offset(paths, times, weights=weights, search_ms=search_ms, source=source)
