"""Mixing audio stems into the tracks the game plays: a song, its backing and drum stems.

Everything is streamed in blocks (a song's stems never sit in memory whole)
and written as OGG Vorbis in blocks too (one long write crashes libvorbis).
Each output track is a weighted sum of the inputs; all of them share one gain,
lowered only when the loudest track would clip, so the sums still hold after
it (backing + P1 drums + P2 drums = the song). Stems at another sample rate
are resampled (soxr) in memory; mono stems are spread to both channels.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from game.util.errors import GameError

#: Frames per block read and written.
BLOCK = 32768
#: libsndfile's Vorbis quality, 0-1 (0.4: about 110 kbit/s stereo).
OGG_QUALITY = 0.4
#: The loudest sample any track may reach; above it every track is turned down alike.
PEAK_CEILING = 0.98


@dataclass(frozen=True, slots=True)
class MixReport:
    """What :func:`mix_tracks` wrote.

    Attributes
    ----------
    files : tuple of Path
        The tracks written, in the order asked.
    gain : float
        The gain applied to every track (1.0 unless the mix would clip).
    peak : float
        The loudest sample of any track before that gain.
    samplerate : int
    channels : int
    seconds : float
        Length of every track.
    resampled : tuple of Path
        Inputs that were at another sample rate.
    """

    files: tuple[Path, ...]
    gain: float
    peak: float
    samplerate: int
    channels: int
    seconds: float
    resampled: tuple[Path, ...] = ()


class _Source:
    """One input file, read block by block as float32 with the output's channel count."""

    def __init__(self, path: Path, samplerate: int, channels: int) -> None:
        self.path = path
        self.channels = channels
        self.file: Any = _open(path)
        self.data: np.ndarray | None = None
        self.pos = 0
        self.frames = int(self.file.frames)
        if self.file.samplerate != samplerate:
            import soxr

            rate = self.file.samplerate
            try:
                with _decoding(path):
                    whole = self.file.read(dtype="float32", always_2d=True)
            finally:
                self.file.close()
            self.data = np.asarray(soxr.resample(whole, rate, samplerate), dtype=np.float32)
            self.frames = len(self.data)

    def rewind(self) -> None:
        self.pos = 0
        if self.data is None:
            with _decoding(self.path):
                self.file.seek(0)

    def read(self, n: int) -> np.ndarray:
        if self.data is not None:
            block = self.data[self.pos:self.pos + n]
        else:
            with _decoding(self.path):
                block = self.file.read(n, dtype="float32", always_2d=True)
        self.pos += len(block)
        if block.shape[1] != self.channels:
            block = (np.repeat(block, self.channels, axis=1) if block.shape[1] == 1
                     else block[:, :self.channels])
        if len(block) < n:
            block = np.concatenate([block, np.zeros((n - len(block), self.channels),
                                                    np.float32)])
        return block

    def close(self) -> None:
        if not self.file.closed:
            self.file.close()


@contextlib.contextmanager
def _decoding(path: Path) -> Any:
    """Turn soundfile's decode errors (LibsndfileError is a RuntimeError) into GameError."""
    try:
        yield
    except (RuntimeError, OSError) as exc:
        raise GameError(f"{path}: cannot read this audio file ({_line(exc)})") from None


@contextlib.contextmanager
def _encoding(path: Path) -> Any:
    """Turn soundfile's encode and write errors into GameError."""
    try:
        yield
    except (RuntimeError, OSError) as exc:
        raise GameError(f"{path}: cannot write audio ({_line(exc)})") from None


def _open(path: Path) -> Any:
    try:
        return sf.SoundFile(str(path))
    except (RuntimeError, OSError, TypeError) as exc:
        raise GameError(f"{path}: cannot read this audio file ({_line(exc)})") from None


def probe(paths: Sequence[Path]) -> tuple[int, int]:
    """The sample rate (the most common) and channel count (1 or 2) of the inputs."""
    rates: dict[int, int] = {}
    channels = 1
    for p in paths:
        info = _open(p)
        try:
            rates[info.samplerate] = rates.get(info.samplerate, 0) + 1
            channels = max(channels, min(2, info.channels))
        finally:
            info.close()
    return max(rates, key=lambda r: (rates[r], r)), channels


def mix_tracks(inputs: Sequence[Path], outputs: Mapping[Path, Sequence[float]], *,
               same_as: Mapping[Path, Path] | None = None) -> MixReport:
    """Write each output as a weighted sum of the inputs, all with one anti-clip gain.

    Parameters
    ----------
    inputs : sequence of Path
        Audio files soundfile reads (OGG, Opus, FLAC, WAV, MP3...).
    outputs : mapping of Path to sequence of float
        Each output file (``.ogg``) and one weight per input.
    same_as : mapping of Path to Path, optional
        Outputs that are copies of another output (identical weights): copied,
        not encoded twice.

    Raises
    ------
    GameError
        If an input cannot be read or an output written.
    """
    if not inputs:
        raise GameError("nothing to mix: no audio files")
    weights = {out: np.asarray(w, dtype=np.float32) for out, w in outputs.items()}
    for out, w in weights.items():
        if len(w) != len(inputs):
            raise ValueError(f"{out}: {len(w)} weights for {len(inputs)} inputs")
    rate, channels = probe(inputs)
    with contextlib.ExitStack() as opened:  # every file is closed, whatever fails
        sources: list[_Source] = []
        for p in inputs:
            sources.append(_Source(Path(p), rate, channels))
            opened.callback(sources[-1].close)
        frames = max(s.frames for s in sources)
        peak = 0.0
        for _start, blocks in _blocks(sources, frames):
            for w in weights.values():
                mixed = np.tensordot(w, blocks, axes=1)
                peak = max(peak, float(np.max(np.abs(mixed), initial=0.0)))
        gain = min(1.0, PEAK_CEILING / peak) if peak > 0 else 1.0
        for s in sources:
            s.rewind()
        with contextlib.ExitStack() as written:
            writers = {}
            for out in weights:
                writers[out] = _writer(out, rate, channels)
                written.callback(_close_writer, out, writers[out])
            for _start, blocks in _blocks(sources, frames):
                for out, w in weights.items():
                    mixed = np.tensordot(w * np.float32(gain), blocks, axes=1)
                    with _encoding(out):
                        writers[out].write(np.ascontiguousarray(mixed, dtype=np.float32))
    copies = dict(same_as or {})
    for copy, original in copies.items():
        with _encoding(copy):
            shutil.copyfile(original, copy)
    return MixReport(tuple([*outputs, *copies]), gain, peak, rate, channels, frames / rate,
                     tuple(s.path for s in sources if s.data is not None))


def _blocks(sources: list[_Source], frames: int) -> Any:
    for start in range(0, frames, BLOCK):
        n = min(BLOCK, frames - start)
        yield start, np.stack([s.read(n) for s in sources])


def _line(exc: BaseException) -> str:
    """An exception's message on one line."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _close_writer(path: Path, writer: Any) -> None:
    if not writer.closed:
        with _encoding(path):  # closing flushes the last pages
            writer.close()


def _writer(path: Path, rate: int, channels: int) -> Any:
    try:
        return sf.SoundFile(str(path), "w", rate, channels, format="OGG", subtype="VORBIS",
                            compression_level=1.0 - OGG_QUALITY)
    except (RuntimeError, OSError) as exc:
        raise GameError(f"{path}: cannot write audio ({_line(exc)})") from None
