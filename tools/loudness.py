"""Integrated loudness (ITU-R BS.1770-4): K-weighting, 400 ms blocks, two gates.

A small implementation for the song tools and the asset tests (no extra
dependency): the K filter is the usual two biquads (a +4 dB high shelf at
1.5 kHz and a 38 Hz high-pass) designed for any sample rate.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import lfilter


def _k_filters(sr: int) -> list[tuple[np.ndarray, np.ndarray]]:
    # stage 1: high shelf, +4 dB above ~1.5 kHz (the head's acoustic effect)
    g_db, q, fc = 4.0, 1 / math.sqrt(2), 1500.0
    a_ = 10 ** (g_db / 40)
    w0 = 2 * math.pi * fc / sr
    alpha = math.sin(w0) / (2 * q)
    cw, sa = math.cos(w0), 2 * math.sqrt(a_) * alpha
    b = [a_ * ((a_ + 1) + (a_ - 1) * cw + sa), -2 * a_ * ((a_ - 1) + (a_ + 1) * cw),
         a_ * ((a_ + 1) + (a_ - 1) * cw - sa)]
    a = [(a_ + 1) - (a_ - 1) * cw + sa, 2 * ((a_ - 1) - (a_ + 1) * cw),
         (a_ + 1) - (a_ - 1) * cw - sa]
    shelf = (np.array(b) / a[0], np.array(a) / a[0])
    # stage 2: high-pass at 38 Hz (the "RLB" weighting)
    q, fc = 0.5, 38.0
    w0 = 2 * math.pi * fc / sr
    alpha = math.sin(w0) / (2 * q)
    cw = math.cos(w0)
    b = [(1 + cw) / 2, -(1 + cw), (1 + cw) / 2]
    a = [1 + alpha, -2 * cw, 1 - alpha]
    return [shelf, (np.array(b) / a[0], np.array(a) / a[0])]


def integrated_lufs(audio: np.ndarray, sr: int) -> float:
    """Integrated loudness in LUFS of ``audio``, shape (n,) or (n, channels).

    Returns -inf for silence.
    """
    x = np.asarray(audio, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    for b, a in _k_filters(sr):
        x = lfilter(b, a, x, axis=0)
    block, step = int(0.4 * sr), int(0.1 * sr)
    if len(x) < block:
        return -math.inf
    sq = np.cumsum(np.concatenate([np.zeros((1, x.shape[1])), x ** 2]), axis=0)
    starts = np.arange(0, len(x) - block + 1, step)
    z = (sq[starts + block] - sq[starts]) / block  # mean square per block and channel
    power = z.sum(axis=1)
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(power)
    gated = power[loud > -70.0]
    if gated.size == 0:
        return -math.inf
    rel = -0.691 + 10 * math.log10(float(gated.mean())) - 10.0
    final = power[(loud > -70.0) & (loud > rel)]
    return -0.691 + 10 * math.log10(float(final.mean()))
