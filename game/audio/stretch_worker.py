"""The practice-audio worker process: ``python -m game.audio.stretch_worker``.

librosa's phase vocoder loops in Python; on a thread of the game it would hold
the interpreter lock for milliseconds at a time and delay input stamping and
frames. So the game prepares practice audio in this separate process (at a
lower priority), which stays up to serve every speed asked for and loads
librosa once, as soon as it starts.

Protocol: JSON lines. In on stdin: ``{"id": N, "job": {...}, "cache_dir": "..."}``
or ``{"cancel": N}``; out on stdout: ``{"id": N, "progress": F, "stage": S}``,
then ``{"id": N, "result": {...}}`` or ``{"id": N, "error": S}`` (``"cancelled"``
when cancelled). End of stdin ends the process.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from pathlib import Path
from typing import Any, TextIO

from game.audio.stretch import (
    DRUM_STFT,
    AudioJob,
    Cancelled,
    PracticeAudio,
    librosa_module,
    prepare,
    stretch_channel,
)
from game.util.errors import GameError
from game.util.helper_process import serve_as_helper

__all__ = ["audio_from_dict", "audio_to_dict", "job_from_dict", "job_to_dict", "serve"]


def job_to_dict(job: AudioJob) -> dict[str, Any]:
    """A JSON-able job."""
    return {"tracks": [list(t) for t in job.tracks], "start_s": job.start_s,
            "end_s": job.end_s, "speed": job.speed, "fade_out_s": job.fade_out_s,
            "sample_rate": job.sample_rate}


def job_from_dict(d: dict[str, Any]) -> AudioJob:
    """The job back from :func:`job_to_dict`."""
    return AudioJob(tuple((str(n), str(p)) for n, p in d["tracks"]), float(d["start_s"]),
                    float(d["end_s"]), float(d["speed"]), float(d["fade_out_s"]),
                    None if d["sample_rate"] is None else int(d["sample_rate"]))


def audio_to_dict(a: PracticeAudio) -> dict[str, Any]:
    """A JSON-able result."""
    return {"files": [list(f) for f in a.files], "sample_rate": a.sample_rate,
            "frames": a.frames, "from_cache": a.from_cache}


def audio_from_dict(d: dict[str, Any]) -> PracticeAudio:
    """The result back from :func:`audio_to_dict`."""
    return PracticeAudio(tuple((str(n), str(p)) for n, p in d["files"]),
                         int(d["sample_rate"]), int(d["frames"]), bool(d["from_cache"]))


def serve(stdin: TextIO, stdout: TextIO) -> None:
    """Answer jobs from ``stdin`` on ``stdout`` until ``stdin`` ends."""
    lock = threading.Lock()
    cancelled: set[int] = set()
    jobs: queue.Queue[dict[str, Any] | None] = queue.Queue()

    def send(msg: dict[str, Any]) -> None:
        with lock:
            stdout.write(json.dumps(msg) + "\n")
            stdout.flush()

    def read() -> None:
        for line in stdin:
            with contextlib.suppress(ValueError, TypeError):
                msg = json.loads(line)
                if "cancel" in msg:
                    cancelled.add(int(msg["cancel"]))
                else:
                    jobs.put(msg)
        jobs.put(None)

    threading.Thread(target=read, name="requests", daemon=True).start()
    with contextlib.suppress(Exception):  # warm up: librosa's parts load on first use
        stretch_channel(_tiny(), 0.75, n_fft=DRUM_STFT[0], hop_length=DRUM_STFT[1],
                        librosa=librosa_module())
    while (msg := jobs.get()) is not None:
        n = int(msg.get("id", -1))
        try:
            if n in cancelled:
                raise Cancelled("queued")
            cache = Path(msg["cache_dir"]) if msg.get("cache_dir") else None
            result = prepare(job_from_dict(msg["job"]), cache_dir=cache,
                             progress=lambda f, s, n=n: send(  # type: ignore[misc]
                                 {"id": n, "progress": f, "stage": s}),
                             cancelled=lambda n=n: n in cancelled)  # type: ignore[misc]
            send({"id": n, "result": audio_to_dict(result)})
        except Cancelled:
            send({"id": n, "error": "cancelled"})
        except GameError as exc:
            send({"id": n, "error": str(exc)})
        except Exception as exc:  # one bad job must not end the worker
            send({"id": n, "error": f"{type(exc).__name__}: {exc}"})


def _tiny() -> Any:
    import numpy as np

    return np.full(4096, 1e-3, dtype=np.float32)


def main() -> None:
    """Run as the worker: lower priority, protocol on the real stdout only."""
    serve_as_helper(serve)


if __name__ == "__main__":
    main()
