"""Original sounds synthesised with numpy: metronome clicks, drum hits, click tracks.

No sample files are shipped; everything here is computed. All outputs are
``int16`` arrays of shape ``(n_samples, 2)`` (interleaved-ready stereo), the
format ``pygame.sndarray.make_sound`` takes for a 16-bit stereo mixer. Peaks
stay below full scale, so nothing clips. Noise is seeded, so every call gives
the same sound.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from game.engine.chart import Chart
from game.engine.tempo import TempoMap
from game.engine.voices import Voice

__all__ = ["HIT_MAX_S", "PEAK", "SAMPLE_RATE", "click", "click_track", "drum_hit"]

#: Default sample rate in Hz (pygame.mixer's default).
SAMPLE_RATE = 44100
#: Peak level of the loudest sound, as a fraction of full scale (about -1 dBFS).
PEAK = 0.89
#: Longest drum hit in seconds.
HIT_MAX_S = 0.49
_FULL_SCALE = 32767
_FADE_S = 0.008

Float = NDArray[np.float64]
Int16 = NDArray[np.int16]


# building blocks -------------------------------------------------------------
def _times(duration_s: float, sr: int) -> Float:
    return np.arange(max(round(duration_s * sr), 1), dtype=np.float64) / sr


def _decay(t: Float, tau_s: float) -> Float:
    """Exponential decay envelope with time constant ``tau_s`` seconds."""
    env: Float = np.exp(-t / tau_s)
    return env


def _sine(t: Float, freq_hz: float | Float, sr: int) -> Float:
    """A sine whose (possibly time-varying) frequency is ``freq_hz`` Hz, starting at phase 0."""
    freq = np.broadcast_to(np.asarray(freq_hz, dtype=np.float64), t.shape)
    phase = 2.0 * np.pi * (np.cumsum(freq) - freq[0]) / sr
    out: Float = np.sin(phase)
    return out


def _noise(n: int, seed: int) -> Float:
    out: Float = np.random.default_rng(seed).standard_normal(n)
    return out


def _band(x: Float, sr: int, low_hz: float = 0.0, high_hz: float | None = None) -> Float:
    """Keep only the ``[low_hz, high_hz]`` band of ``x`` (brick-wall FFT filter)."""
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(x.size, 1.0 / sr)
    keep = freqs >= low_hz
    if high_hz is not None:
        keep &= freqs <= high_hz
    out: Float = np.fft.irfft(spectrum * keep, n=x.size)
    return out


def _finish(mono: Float, sr: int, level: float) -> Int16:
    """Fade the tail, normalise the peak to ``level`` x :data:`PEAK`, make int16 stereo."""
    x = mono.copy()
    fade = min(int(_FADE_S * sr), x.size)
    if fade > 0:
        x[-fade:] *= np.linspace(1.0, 0.0, fade)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if peak > 0.0:
        x *= level * PEAK / peak
    samples = np.round(x * _FULL_SCALE).astype(np.int16)
    stereo: Int16 = np.column_stack((samples, samples))
    return stereo


# public sounds ---------------------------------------------------------------
def click(*, accent: bool, sr: int = SAMPLE_RATE) -> Int16:
    """One metronome click: a 25 ms decaying sine blip.

    Parameters
    ----------
    accent : bool
        Bar downbeat: higher pitch (1600 Hz instead of 1000 Hz) and louder.
    sr : int
        Sample rate in Hz.

    Returns
    -------
    ndarray of int16, shape (n, 2)
        Starts at its first sample (no lead-in silence).
    """
    t = _times(0.025, sr)
    freq = 1600.0 if accent else 1000.0
    mono = _sine(t, freq, sr) * _decay(t, 0.007)
    return _finish(mono, sr, 0.8 if accent else 0.55)


def _kick(t: Float, sr: int) -> Float:
    freq = 48.0 + 110.0 * np.exp(-t / 0.03)
    return _sine(t, freq, sr) * _decay(t, 0.11)


def _snare(t: Float, sr: int, *, ring: bool = False) -> Float:
    rattle = _band(_noise(t.size, 38) * _decay(t, 0.055), sr, 1200.0, 9000.0)
    rattle /= max(float(np.max(np.abs(rattle))), 1e-12)
    body = (_sine(t, 185.0, sr) + 0.5 * _sine(t, 330.0, sr)) * _decay(t, 0.04)
    out = 0.75 * rattle + 0.6 * body
    if ring:
        out += 0.5 * _sine(t, 910.0, sr) * _decay(t, 0.07)
    return out


def _cross_stick(t: Float, sr: int) -> Float:
    tone = (_sine(t, 1750.0, sr) + 0.7 * _sine(t, 820.0, sr)) * _decay(t, 0.012)
    tick = _band(_noise(t.size, 37) * _decay(t, 0.004), sr, 2000.0)
    return tone + 0.4 * tick / max(float(np.max(np.abs(tick))), 1e-12)


def _metal(t: Float, sr: int, *, seed: int, low_hz: float, tau_s: float) -> Float:
    """High-passed noise under a decay envelope (hi-hats, crash)."""
    return _band(_noise(t.size, seed) * _decay(t, tau_s), sr, low_hz)


def _partials(t: Float, sr: int, freqs: tuple[float, ...], tau_s: float) -> Float:
    out = np.zeros_like(t)
    for i, f in enumerate(freqs):
        out += _sine(t, f, sr) / (1.0 + 0.4 * i)
    return out * _decay(t, tau_s)


def _tom(t: Float, sr: int, pitch_hz: float, tau_s: float) -> Float:
    freq = pitch_hz * (0.8 + 0.2 * np.exp(-t / 0.08))
    thump = _sine(t, freq, sr) * _decay(t, tau_s)
    stick = _band(_noise(t.size, int(pitch_hz)) * _decay(t, 0.006), sr, 500.0, 6000.0)
    return thump + 0.15 * stick / max(float(np.max(np.abs(stick))), 1e-12)


def drum_hit(voice: Voice, *, sr: int = SAMPLE_RATE, velocity: int = 100) -> Int16:
    """A synthesised drum sound for ``voice``.

    Parameters
    ----------
    voice : Voice
        Kick: pitch-dropping sine (~160 -> 48 Hz). Snare / rimshot: band-passed
        noise plus a 185 Hz tone. Cross-stick: short woody tones. Hi-hats:
        noise high-passed at 6-7 kHz (closed 70 ms, pedal 50 ms, open 0.4 s).
        Toms: sines at 220 / 160 / 110 Hz sagging 20 %. Crash: long noise
        above 3 kHz. Ride: noise above 5 kHz plus inharmonic partials; bell:
        partials only.
    sr : int
        Sample rate in Hz.
    velocity : int
        MIDI velocity 1-127 (clamped); the peak scales linearly with it.

    Returns
    -------
    ndarray of int16, shape (n, 2)
        At most :data:`HIT_MAX_S` seconds long, peak at most :data:`PEAK` of
        full scale.
    """
    v = Voice
    durations = {
        v.KICK: 0.35, v.SNARE: 0.22, v.RIMSHOT: 0.25, v.CROSS_STICK: 0.08,
        v.HIHAT_CLOSED: 0.07, v.HIHAT_PEDAL: 0.05, v.HIHAT_OPEN: 0.40, v.HIHAT_HALF: 0.2,
        v.TOM_HIGH: 0.35, v.TOM_MID: 0.40, v.TOM_FLOOR: 0.45,
        v.CRASH: HIT_MAX_S, v.RIDE: 0.45, v.RIDE_BELL: 0.45,
    }
    t = _times(durations[voice], sr)
    level = 1.0
    if voice is v.KICK:
        mono = _kick(t, sr)
    elif voice is v.SNARE:
        mono = _snare(t, sr)
    elif voice is v.RIMSHOT:
        mono = _snare(t, sr, ring=True)
    elif voice is v.CROSS_STICK:
        mono, level = _cross_stick(t, sr), 0.7
    elif voice is v.HIHAT_CLOSED:
        mono, level = _metal(t, sr, seed=42, low_hz=7000.0, tau_s=0.018), 0.6
    elif voice is v.HIHAT_PEDAL:
        mono, level = _metal(t, sr, seed=44, low_hz=6000.0, tau_s=0.012), 0.45
    elif voice is v.HIHAT_OPEN:
        mono, level = _metal(t, sr, seed=46, low_hz=6000.0, tau_s=0.13), 0.6
    elif voice is v.HIHAT_HALF:
        mono, level = _metal(t, sr, seed=23, low_hz=6500.0, tau_s=0.05), 0.6
    elif voice is v.TOM_HIGH:
        mono = _tom(t, sr, 220.0, 0.14)
    elif voice is v.TOM_MID:
        mono = _tom(t, sr, 160.0, 0.17)
    elif voice is v.TOM_FLOOR:
        mono = _tom(t, sr, 110.0, 0.2)
    elif voice is v.CRASH:
        mono, level = _metal(t, sr, seed=49, low_hz=3000.0, tau_s=0.22), 0.7
    elif voice is v.RIDE:
        wash = _metal(t, sr, seed=51, low_hz=5000.0, tau_s=0.2)
        wash /= max(float(np.max(np.abs(wash))), 1e-12)
        ping = _partials(t, sr, (3120.0, 4370.0, 5230.0), 0.25)
        mono, level = 0.6 * wash + 0.4 * ping / max(float(np.max(np.abs(ping))), 1e-12), 0.55
    else:  # RIDE_BELL
        mono, level = _partials(t, sr, (850.0, 1270.0, 2150.0, 3120.0), 0.22), 0.6
    gain = min(max(int(velocity), 1), 127) / 127.0
    return _finish(mono, sr, level * gain)


def click_track(chart_or_tempo: Chart | TempoMap, length_s: float | None = None, *,
                sr: int = SAMPLE_RATE) -> Int16:
    """A metronome for a beatmap without audio: a click on every beat, downbeats accented.

    A "beat" is one note of the time signature's denominator (quarter notes in
    4/4, eighth notes in 7/8, half notes in 2/2), counted from each bar's
    downbeat, so tempo and time-signature changes are followed. Each click
    starts exactly at sample ``round(tempo.seconds_at(beat) * sr)``.

    Parameters
    ----------
    chart_or_tempo : Chart or TempoMap
        Where the beats are.
    length_s : float, optional
        Length of the track in seconds. Default for a chart: its last note
        plus 2 s; required for a bare tempo map.
    sr : int
        Sample rate in Hz.

    Returns
    -------
    ndarray of int16, shape (round(length_s * sr), 2)
    """
    if isinstance(chart_or_tempo, Chart):
        tempo = chart_or_tempo.tempo
        if length_s is None:
            length_s = max(chart_or_tempo.length_s, tempo.offset_s, 0.0) + 2.0
    else:
        tempo = chart_or_tempo
        if length_s is None:
            raise ValueError("click_track needs length_s when given a bare tempo map")
    n = max(round(length_s * sr), 0)
    out = np.zeros(n, dtype=np.int32)
    sounds = {True: click(accent=True, sr=sr)[:, 0].astype(np.int32),
              False: click(accent=False, sr=sr)[:, 0].astype(np.int32)}
    bar = 1
    while n and tempo.seconds_at(tempo.bar_start_beat(bar)) * sr < n:
        first = tempo.bar_start_beat(bar)
        meter = tempo.meter_at_bar(bar)
        pulse = 4.0 / meter.denominator
        for k in range(math.ceil(meter.bar_beats / pulse - 1e-9)):
            index = round(tempo.seconds_at(first + k * pulse) * sr)
            if index < 0:
                continue
            if index >= n:
                break
            blip = sounds[k == 0]
            end = min(index + blip.size, n)
            out[index:end] += blip[: end - index]
        bar += 1
    mono = np.clip(out, -_FULL_SCALE, _FULL_SCALE).astype(np.int16)
    stereo: Int16 = np.column_stack((mono, mono))
    return stereo.reshape(n, 2)
