"""Practice audio: the song's audio cut to a practice range, slowed with its pitch kept, cached.

Each track (the backing and the two drum stems, or the mix when a song has no
stems) is cut to the same clip of song time, ``plan.clip_start_s`` to
``plan.clip_end_s`` (silence where that lies before the file starts or after
it ends), so every track has the same sample count; each channel is then
time-stretched with ``librosa.effects.time_stretch`` (a phase vocoder: pitch
kept, output length ``round(n / speed)``), so the tracks stay sample-aligned.
At 100 % nothing is stretched (only cut). The drum tracks and the mix use a
short STFT (512 samples, hop 128) so attacks stay where the chart puts them
(the default 2048 smears a hit up to ~20 ms early); the backing, which has
no drums, keeps the default for a cleaner tone.

Results are 16-bit WAV files in the user cache folder, one folder per key (a
hash of each source file's path, size and mtime, the clip, the speed, the
sample rate and this module's settings) with a manifest holding every file's
size and digest, written last. An entry is built in a temporary folder and
renamed to its key when complete, so processes sharing the cache never see
(or delete) each other's half-written work. A second request reads and
checks them; a complete entry with a truncated or damaged file is deleted
and recomputed.

librosa (and numba, with ``NUMBA_CACHE_DIR`` in the cache folder) is imported
only when a clip has to be stretched, never at game start-up.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from game.audio.practice_cache import (
    default_cache_dir,
    file_record,
    key_of,
    prune,
    publish,
    read_entry,
    temp_entry,
    write_manifest,
)
from game.engine.chart import Chart
from game.engine.practice import PracticePlan
from game.util.errors import GameError

__all__ = ["AudioJob", "Cancelled", "PracticeAudio", "audio_job", "cached", "chart_tracks",
           "default_cache_dir", "has_cache", "prepare", "stretch_channel",
           "with_practice_audio"]

#: Bump when the output of :func:`prepare` changes, so old cache entries are not used.
CACHE_VERSION = 1
#: (n_fft, hop) for tracks with drums in them, and for tonal tracks (the backing).
DRUM_STFT = (512, 128)
TONAL_STFT = (2048, 512)
#: Fade at the start of every clip, seconds (no click when a loop starts mid-note).
FADE_IN_S = 0.005
_STEMS = (("backing", "stem_backing"), ("p1", "stem_p1"), ("p2", "stem_p2"))
Float = NDArray[np.float32]
Progress = Callable[[float, str], None]


class Cancelled(Exception):
    """The preparation was cancelled (another speed or section was chosen)."""


@dataclass(frozen=True, slots=True)
class AudioJob:
    """What to prepare.

    Attributes
    ----------
    tracks : tuple of (name, path)
        ``backing``/``p1``/``p2`` stems or one ``mix``.
    start_s, end_s : float
        The clip in song seconds (``start_s`` may be negative: silence first).
    speed : float
        Playback rate, 0.5-1.0 (1.0: cut only).
    fade_out_s : float
        Real seconds of fade-out at the end of the stretched clip.
    sample_rate : int or None
        Output rate in Hz; None keeps the first track's.
    """

    tracks: tuple[tuple[str, str], ...]
    start_s: float
    end_s: float
    speed: float
    fade_out_s: float = 0.0
    sample_rate: int | None = None


@dataclass(frozen=True, slots=True)
class PracticeAudio:
    """Prepared practice audio: one WAV per track, all ``frames`` long at ``sample_rate``."""

    files: tuple[tuple[str, str], ...]
    sample_rate: int
    frames: int
    from_cache: bool

    @property
    def seconds(self) -> float:
        """Length in (real, practice) seconds."""
        return self.frames / self.sample_rate

    def file(self, name: str) -> str | None:
        """The WAV of track ``name``, or None."""
        return dict(self.files).get(name)


# the chart's audio -------------------------------------------------------------------
def chart_tracks(chart: Chart, folder: Path | None) -> tuple[tuple[str, str], ...]:
    """The tracks gameplay plays for ``chart``: its stems, else its audio, else none."""
    extra = dict(chart.meta.extra)

    def path(name: str) -> str:
        return str(folder / name) if folder is not None else name

    if extra.get("stem_p1") or extra.get("stem_p2"):
        return tuple((track, path(extra[key])) for track, key in _STEMS if extra.get(key))
    return (("mix", path(chart.meta.audio)),) if chart.meta.audio else ()


def audio_job(chart: Chart, folder: Path | None, plan: PracticePlan, *,
              sample_rate: int | None = None) -> AudioJob:
    """The job that prepares ``plan``'s audio from ``chart``'s files (relative to ``folder``)."""
    return AudioJob(chart_tracks(chart, folder), plan.clip_start_s, plan.clip_end_s,
                    plan.speed, fade_out_s=plan.tail_s, sample_rate=sample_rate)


def with_practice_audio(chart: Chart, audio: PracticeAudio | None) -> Chart:
    """``chart`` playing the prepared WAVs (absolute paths); None: no audio (a click track)."""
    extra = [(k, v) for k, v in chart.meta.extra if not k.startswith("stem_")]
    mix = None
    if audio is not None:
        mix = audio.file("mix")
        extra += [(key, f) for track, key in _STEMS if (f := audio.file(track))]
    return replace(chart, meta=replace(chart.meta, audio=mix, extra=tuple(extra)))


# the cache ---------------------------------------------------------------------------
def cache_key(job: AudioJob) -> str:
    """Hex key of everything that changes the result (source files by path, size, mtime).

    Raises
    ------
    GameError
        A source file is missing.
    """
    sources = []
    for name, path in job.tracks:
        try:
            st = os.stat(path)
        except OSError as exc:
            raise GameError(f"{path}: cannot read the audio ({exc.strerror or exc})") from None
        sources.append([name, str(Path(path).resolve()), st.st_size, st.st_mtime_ns])
    return key_of({"v": CACHE_VERSION, "tracks": sources, "start": round(job.start_s, 6),
                   "end": round(job.end_s, 6), "speed": round(job.speed, 4),
                   "fade": round(job.fade_out_s, 4), "sr": job.sample_rate,
                   "stft": [DRUM_STFT, TONAL_STFT], "fade_in": FADE_IN_S})


def cached(job: AudioJob, cache_dir: Path | None = None) -> PracticeAudio | None:
    """The cached result of ``job`` if every file is there and intact, else None."""
    try:
        entry = (cache_dir or default_cache_dir()) / cache_key(job)
    except GameError:
        return None
    found = read_entry(entry, [name for name, _ in job.tracks])
    if found is None:
        return None
    doc, paths = found
    try:
        return PracticeAudio(tuple((name, str(p)) for (name, _), p in zip(
            job.tracks, paths, strict=True)), int(doc["sample_rate"]), int(doc["frames"]), True)
    except (KeyError, TypeError, ValueError):
        return None


def has_cache(job: AudioJob, cache_dir: Path | None = None) -> bool:
    """Whether ``job`` looks cached (its manifest exists; cheap, files not checked)."""
    try:
        return ((cache_dir or default_cache_dir()) / cache_key(job) / "manifest.json").is_file()
    except GameError:
        return False


# the work ----------------------------------------------------------------------------
def librosa_module() -> Any:
    """librosa, imported now (numba caches its compiled code in the cache folder)."""
    os.environ.setdefault("NUMBA_CACHE_DIR", str(default_cache_dir().parent / "numba"))
    import librosa

    return librosa


def _read_clip(path: str, start_s: float, end_s: float) -> tuple[Float, int]:
    """Song time ``start_s``-``end_s`` of one file as float32 (channels, frames), rate (Hz).

    Reads only that part where the decoder can seek (soundfile); outside the
    file is silence.
    """
    import soundfile as sf

    try:
        with sf.SoundFile(path) as f:
            sr = int(f.samplerate)
            a, b = round(start_s * sr), round(end_s * sr)
            a0, b0 = min(max(a, 0), f.frames), min(max(b, 0), f.frames)
            f.seek(a0)
            y = f.read(b0 - a0, dtype="float32", always_2d=True).T
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError):
        try:  # formats libsndfile cannot read: librosa's fallback decoders
            y2, sr = librosa_module().load(path, sr=None, mono=False)
        except Exception as exc:
            raise GameError(f"{path}: cannot read the audio ({type(exc).__name__}: "
                            f"{exc})") from None
        y2 = np.atleast_2d(np.asarray(y2, dtype=np.float32))
        sr = int(sr)
        a, b = round(start_s * sr), round(end_s * sr)
        a0, b0 = min(max(a, 0), y2.shape[1]), min(max(b, 0), y2.shape[1])
        y = y2[:, a0:b0]
    out = np.zeros((y.shape[0], b - a), dtype=np.float32)
    if y.shape[1]:
        out[:, a0 - a:a0 - a + y.shape[1]] = y
    return out, sr


def prepare(job: AudioJob, *, cache_dir: Path | None = None, progress: Progress | None = None,
            cancelled: Callable[[], bool] | None = None) -> PracticeAudio:
    """Cut and stretch ``job``'s tracks into WAVs in the cache; the cached ones if valid.

    Parameters
    ----------
    job : AudioJob
    cache_dir : Path, optional
        Default :func:`default_cache_dir`.
    progress : callable, optional
        ``f(fraction 0-1, stage)`` as the work goes.
    cancelled : callable, optional
        Polled between steps; when it returns True, :class:`Cancelled` is raised.

    Raises
    ------
    GameError
        A source file is missing or unreadable, or the cache cannot be written.
    Cancelled
    """
    if not job.tracks:
        raise GameError("this song has no audio to prepare")
    root = cache_dir or default_cache_dir()
    hit = cached(job, root)
    if hit is not None:
        if progress:
            progress(1.0, "ready")
        return hit
    # built in a folder of our own, renamed to the key when complete (a damaged entry
    # there is replaced then; one another process finished meanwhile is kept)
    key = cache_key(job)
    try:
        work = temp_entry(root, key)
    except OSError as exc:
        raise GameError(f"cannot write the practice audio cache {root}: {exc}") from None
    result: PracticeAudio | None = None
    try:
        result = _build(job, root, root / key, work, progress, cancelled)
        return result
    finally:
        if result is None or Path(result.files[0][1]).parent != work:
            shutil.rmtree(work, ignore_errors=True)  # failed, cancelled or published


def _build(job: AudioJob, root: Path, entry: Path, work: Path, progress: Progress | None,
           cancelled: Callable[[], bool] | None) -> PracticeAudio:
    """Prepare ``job`` into the empty folder ``work``, then publish it as ``entry``."""
    stretch = abs(job.speed - 1.0) > 1e-9
    # work units per track: reading 1, stretching 6 (when slowed), writing 1
    total, done = len(job.tracks) * (8.0 if stretch else 2.0), 0.0

    def step(amount: float, stage: str) -> None:
        nonlocal done
        if cancelled is not None and cancelled():
            raise Cancelled(stage)
        done += amount
        if progress:
            progress(min(done / total, 0.999), stage)

    step(0.0, "reading")
    rate = job.sample_rate
    clips: list[tuple[str, Float]] = []
    for name, path in job.tracks:
        y, sr = _read_clip(path, job.start_s, job.end_s)
        if rate is None:
            rate = sr
        if sr != rate:
            y = np.asarray(librosa_module().resample(y, orig_sr=sr, target_sr=rate),
                           dtype=np.float32)
        clips.append((name, y))
        step(1.0, f"reading {name}")
    assert rate is not None
    n = round((job.end_s - job.start_s) * rate)
    m = round(n / job.speed) if stretch else n
    files: dict[str, dict[str, Any]] = {}
    for name, y in clips:
        y = _fit(y, n)
        if stretch:
            stage = f"stretching {name}"
            y = _stretch(y, job.speed, m, name,
                         lambda f, stage=stage: step(6.0 * f, stage))  # type: ignore[misc]
        files[name] = _write(work, name, _fade(y, rate, job.fade_out_s), rate)
        step(1.0, f"writing {name}")
    try:
        write_manifest(work, {"version": CACHE_VERSION, "sample_rate": rate, "frames": m,
                              "speed": job.speed, "tracks": files})
        entry = publish(work, entry, [name for name, _ in job.tracks])
        prune(root, entry)
    except OSError as exc:
        raise GameError(f"cannot write the practice audio cache {entry}: {exc}") from None
    if progress:
        progress(1.0, "ready")
    return PracticeAudio(tuple((name, str(entry / files[name]["file"])) for name, _ in job.tracks),
                         rate, m, False)


def _fit(y: Float, n: int) -> Float:
    """Exactly ``n`` frames: cut or zero-padded at the end."""
    if y.shape[1] >= n:
        return y[:, :n]
    return np.pad(y, ((0, 0), (0, n - y.shape[1])))


def _stretch(y: Float, speed: float, m: int, name: str,
             advance: Callable[[float], None]) -> Float:
    """Each channel time-stretched to exactly ``m`` frames (pitch kept)."""
    librosa = librosa_module()
    n_fft, hop = TONAL_STFT if name == "backing" else DRUM_STFT
    out = np.zeros((y.shape[0], m), dtype=np.float32)
    for c in range(y.shape[0]):
        s = stretch_channel(y[c], speed, n_fft=n_fft, hop_length=hop, librosa=librosa)
        out[c, :min(m, len(s))] = s[:m]
        advance(1.0 / y.shape[0])
    return out


def stretch_channel(y: Float, speed: float, *, n_fft: int, hop_length: int,
                    librosa: Any) -> Float:
    """One channel through ``librosa.effects.time_stretch`` at ``rate=speed``."""
    if not np.any(y):
        return np.zeros(round(len(y) / speed), dtype=np.float32)
    return np.asarray(librosa.effects.time_stretch(y, rate=speed, n_fft=n_fft,
                                                   hop_length=hop_length), dtype=np.float32)


def _fade(y: Float, rate: int, fade_out_s: float) -> Float:
    """A short fade-in and a ``fade_out_s`` (raised-cosine) fade-out."""
    y = y.copy()
    k = min(round(FADE_IN_S * rate), y.shape[1])
    if k:
        y[:, :k] *= np.linspace(0.0, 1.0, k, dtype=np.float32)
    k = min(round(fade_out_s * rate), y.shape[1])
    if k:
        y[:, -k:] *= (0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, k))).astype(np.float32)
    return y


def _write(entry: Path, name: str, y: Float, rate: int) -> dict[str, Any]:
    import soundfile as sf

    path = entry / f"{name}.wav"
    tmp = entry / f"{name}.wav.tmp"
    try:
        sf.write(str(tmp), np.clip(y, -1.0, 1.0).T, rate, subtype="PCM_16", format="WAV")
        os.replace(tmp, path)
    except (OSError, RuntimeError) as exc:
        raise GameError(f"cannot write the practice audio cache {path}: {exc}") from None
    return file_record(path)
