"""Drum transcription: where the kicks, snares, hi-hats, cymbals and toms are in audio.

The method, on one CPU core and with no downloaded model:

1. **Onsets.** A magnitude STFT (``n_fft`` 1024, hop 128 at 22.05 kHz: 5.8 ms
   frames) is folded into 128 mel bands and split by median-filter HPSS
   (:func:`librosa.decompose.hpss`); on the log-compressed percussive part a
   SuperFlux-style spectral flux (rise over the frame two back, against a
   3-band maximum) is peak-picked (:func:`librosa.util.peak_pick`). This finds
   a stroke of any drum, alone or with others, and ignores held notes.
2. **What was struck.** For each onset, the rise of the percussive power in
   :data:`N_BANDS` mel bands (a 46 ms window after it against a 64 ms window
   before it) gives the spectral *shape* of what just started, its level, and
   its contrast over what was already sounding. A small multi-label network
   (one hidden layer, :data:`MODEL_FILE`) says, per class, whether that class
   is part of the stroke -- so a hi-hat struck with a snare is still a hi-hat.
   The network was trained by ``tools/train_drum_model.py`` on FluidSynth
   renders of random grooves (half of them with ghost notes) with random
   accompaniment (never on the songs or performances ``bench/autochart_eval.py``
   measures on).
3. The onset's frame time, minus the detector's delay (:data:`ONSET_DELAY_S`,
   measured on renders of known hit times), is the hit's time.

librosa is imported inside the functions: importing this module is cheap.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from game.util.errors import GameError

__all__ = [
    "CLASSES",
    "DrumHit",
    "TranscribeError",
    "Transcription",
    "load_audio",
    "onset_features",
    "transcribe",
]

Float = NDArray[np.float64]
Progress = Callable[[str, float], None]

#: Analysis sample rate (Hz), STFT size and hop (samples): 5.8 ms frames.
SR = 22050
N_FFT = 1024
HOP = 128
#: Mel bands of the per-onset features.
N_BANDS = 64
FMIN_HZ = 30.0
FMAX_HZ = 11000.0
#: The drum classes the model tells apart, in its output order.
CLASSES: tuple[str, ...] = ("kick", "snare", "hat", "cymbal", "tom")
#: The detector reports a hit this much after it was struck (s), subtracted. It is
#: negative: a centred STFT frame already holds the hit's start, so the flux
#: rises a little before the hit. Measured by ``bench/autochart_eval.py --delay``
#: (median over every matched hit of the three songs' renders: -3.4 ms).
ONSET_DELAY_S = -0.0034
#: Peak-picking threshold on the flux normalised to its 99th percentile.
ONSET_DELTA = 0.04
#: The model's weights, packaged beside this module.
MODEL_FILE = "drum_model.npz"
#: A class is present when the model's probability reaches this.
PRESENT = 0.5
#: ... per class, where it differs. Chosen on ``bench/autochart_eval.py``'s songs (so
#: those figures are not quite unseen): 0.65 for hats trades a little recall on
#: soft hats for fewer false hats on snares.
PRESENT_BY_CLASS: dict[str, float] = {"hat": 0.65}


class TranscribeError(GameError):
    """The audio cannot be read, or holds nothing to transcribe."""


@dataclass(frozen=True, slots=True)
class DrumHit:
    """One detected stroke of one class.

    Attributes
    ----------
    time_s : float
        When it was struck, on the audio's timeline (s).
    kind : str
        One of :data:`CLASSES`.
    strength : float
        Loudness of the stroke relative to the song's loud strokes (1 = loud).
    confidence : float
        The model's probability that this class was struck, 0-1.
    pitch_hz : float
        Where the stroke's low end (below 1 kHz) centres, in Hz: tells the
        toms apart.
    """

    time_s: float
    kind: str
    strength: float
    confidence: float
    pitch_hz: float = 0.0


@dataclass(frozen=True, slots=True)
class Transcription:
    """What :func:`transcribe` found.

    Attributes
    ----------
    hits : tuple of DrumHit
        In time order.
    duration_s : float
        Length of the audio (s).
    envelope : ndarray, shape (frames,)
        Percussive onset strength (for beat tracking), one value per frame.
    frame_s : float
        Seconds per envelope frame.
    rms : ndarray, shape (frames,)
        Loudness of the whole signal per frame (for finding choruses).
    """

    hits: tuple[DrumHit, ...]
    duration_s: float
    envelope: Float
    frame_s: float
    rms: Float

    def times(self, kind: str) -> Float:
        """Hit times of one class, in seconds."""
        return np.array([h.time_s for h in self.hits if h.kind == kind], dtype=np.float64)


def numba_cache() -> None:
    """Point numba's cache at the game's cache folder, as practice mode does (so
    librosa's code compiles once per machine, not once per run); an already set
    ``NUMBA_CACHE_DIR`` wins."""
    from game.audio.practice_cache import default_cache_dir

    os.environ.setdefault("NUMBA_CACHE_DIR", str(default_cache_dir().parent / "numba"))


def load_audio(path: str | os.PathLike[str], *, sr: int = SR) -> Float:
    """Mono float samples of an audio file at ``sr`` Hz.

    Raises
    ------
    TranscribeError
        When the file is missing or no decoder can read it.
    """
    p = Path(path)
    if not p.is_file():
        raise TranscribeError(f"{p}: no such audio file")
    numba_cache()
    import librosa

    try:
        y, _ = librosa.load(str(p), sr=sr, mono=True)
    except Exception as exc:  # soundfile and audioread raise many kinds
        raise TranscribeError(f"{p}: cannot read this audio ({type(exc).__name__}: {exc})"
                              ) from None
    if y.size < sr // 2:
        raise TranscribeError(f"{p}: the audio is shorter than half a second")
    return np.asarray(y, dtype=np.float64)


def _analyse(y: Float, progress: Progress | None) -> tuple[Float, NDArray[np.int64], Float,
                                                            Float]:
    """Feature bands (power), onset frames, onset envelope and per-frame RMS."""
    import librosa
    from scipy.ndimage import maximum_filter1d

    stft = np.abs(librosa.stft(y.astype(np.float32), n_fft=N_FFT, hop_length=HOP))
    if progress:
        progress("spectrogram", 0.2)
    mel = librosa.filters.mel(sr=SR, n_fft=N_FFT, n_mels=2 * N_BANDS, fmin=FMIN_HZ,
                              fmax=FMAX_HZ) @ stft
    _harm, perc = librosa.decompose.hpss(mel, kernel_size=(17, 17), margin=1.0)
    # the features see only the percussive part: a bass note is not a kick
    bands = (perc ** 2).reshape(N_BANDS, 2, -1).sum(axis=1)
    if progress:
        progress("percussive part", 0.45)
    log_p = np.log1p(100.0 * perc / (float(np.median(perc)) + 1e-9))
    widened = maximum_filter1d(log_p, 3, axis=0)
    flux = np.zeros(log_p.shape[1])
    flux[2:] = np.maximum(0.0, log_p[:, 2:] - widened[:, :-2]).sum(axis=0)
    flux /= float(np.percentile(flux, 99)) + 1e-9
    onsets = librosa.util.peak_pick(flux, pre_max=3, post_max=3, pre_avg=17, post_avg=17,
                                    delta=ONSET_DELTA, wait=5)
    rms = np.sqrt(np.mean(stft ** 2, axis=0))
    return (np.asarray(bands, dtype=np.float64), np.asarray(onsets, dtype=np.int64),
            flux, np.asarray(rms, dtype=np.float64))


def onset_features(bands: Float, onsets: NDArray[np.int64]) -> Float:
    """Per-onset features for the model.

    Parameters
    ----------
    bands : ndarray, shape (N_BANDS, frames)
        Mel band power.
    onsets : ndarray of int, shape (n,)
        Onset frames.

    Returns
    -------
    ndarray, shape (n, 2 * N_BANDS + 1)
        The rise's spectral shape (log, peak band = 0, scaled), its level
        relative to the song's loud onsets, and each band's after/before
        contrast (dB / 20).
    """
    from scipy.ndimage import maximum_filter1d

    n = bands.shape[1]
    if onsets.size == 0:
        return np.zeros((0, 2 * N_BANDS + 1))
    after = maximum_filter1d(bands, 8, axis=1, origin=-3)[:, onsets]
    cum = np.cumsum(np.pad(bands, ((0, 0), (1, 0))), axis=1)
    lo, hi = np.clip(onsets - 14, 0, n), np.clip(onsets - 3, 1, n)
    before = (cum[:, hi] - cum[:, lo]) / np.maximum(1, hi - lo)
    log_rise = np.log10(np.maximum(after - before, 0.0) + 1e-12)
    peak = log_rise.max(axis=0)
    shape = np.maximum(log_rise - peak, -6.0) / 3.0
    level = (peak - float(np.percentile(peak, 95)))[None, :] / 2.0
    contrast = np.clip(10.0 * np.log10((after + 1e-12) / (before + 1e-12)), -10.0, 40.0) / 20.0
    return np.asarray(np.concatenate([shape, level, contrast], axis=0).T)


def load_model(path: str | os.PathLike[str] | None = None) -> dict[str, Float]:
    """The classifier's weights (``W1 b1 W2 b2``) from ``path`` or the packaged file."""
    if path is None:
        with resources.as_file(resources.files("game.audio") / MODEL_FILE) as p, \
                np.load(p) as data:
            return {k: np.asarray(data[k], dtype=np.float64) for k in data.files}
    with np.load(path) as data:
        return {k: np.asarray(data[k], dtype=np.float64) for k in data.files}


def predict(model: dict[str, Any], features: Float) -> Float:
    """Per-class probabilities, shape (n, len(CLASSES))."""
    hidden = np.maximum(0.0, features @ model["W1"] + model["b1"])
    out = hidden @ model["W2"] + model["b2"]
    return np.asarray(1.0 / (1.0 + np.exp(-out)))


def _low_centroid_hz(shape: Float) -> Float:
    """Centroid (Hz) of each onset's rise below 1 kHz, from the log-shape features."""
    import librosa

    centres = np.asarray(librosa.mel_frequencies(N_BANDS + 2, fmin=FMIN_HZ,
                                                 fmax=FMAX_HZ))[1:-1]
    low = centres < 1000.0
    power = 10.0 ** (3.0 * shape[:, low])
    return np.asarray((power @ centres[low]) / np.maximum(power.sum(axis=1), 1e-12))


def transcribe(y: Float, *, progress: Progress | None = None,
               model: dict[str, Any] | None = None) -> Transcription:
    """Find the drum hits in mono audio ``y`` sampled at :data:`SR`.

    Parameters
    ----------
    y : ndarray, shape (samples,)
    progress : callable, optional
        ``progress(stage, fraction)`` as the work goes on.
    model : dict, optional
        Classifier weights (default: the packaged model).

    Raises
    ------
    TranscribeError
        When the audio is silent or no drum hit stands out.
    """
    numba_cache()
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak < 10 ** (-60 / 20):
        raise TranscribeError("the audio is silent (its peak is below -60 dBFS)")
    bands, onsets, flux, rms = _analyse(y, progress)
    if onsets.size < 4:
        raise TranscribeError("no drum hits found: the audio has no percussive attacks")
    feats = onset_features(bands, onsets)
    prob = predict(model if model is not None else load_model(), feats)
    loudness = 10.0 ** (2.0 * feats[:, N_BANDS])  # the level feature, back to a ratio
    if progress:
        progress("drum classes", 0.7)
    frame_s = HOP / SR
    pitch = _low_centroid_hz(feats[:, :N_BANDS])
    hits = [DrumHit(max(0.0, float(f * frame_s - ONSET_DELAY_S)), name,
                    float(min(2.0, np.sqrt(loudness[i]))), float(prob[i, c]),
                    float(pitch[i]))
            for i, f in enumerate(onsets) for c, name in enumerate(CLASSES)
            if prob[i, c] >= PRESENT_BY_CLASS.get(name, PRESENT)]
    if not hits:
        raise TranscribeError("no drum hits found: nothing in the audio sounds like a drum")
    return Transcription(tuple(hits), y.size / SR, flux, frame_s, rms)
