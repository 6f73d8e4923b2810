"""Preparing practice audio in the background, so the game keeps drawing and stamping inputs.

:class:`PrepareTask` hands the job to the worker process
(:mod:`game.audio.stretch_worker`, one per game, started on first use and kept
for every later speed): the stretch then never competes with the game's
threads for the interpreter lock. A thread here only reads the worker's
replies. :func:`warm_up` starts the worker early.

Falling back: the task prepares the audio in this process instead, on a
thread of its own at a lower priority, when

* the worker process cannot be started (``Popen`` fails), or the job cannot
  be sent to it: that task only;
* the worker ends before it has finished any job (say an ImportError inside
  it), or two workers in a row end (with no job finished in between): the
  tasks it had are prepared in this process, and so is every later task for
  the rest of the session (no new worker is started).

A worker that has finished jobs and then ends (killed, crashed mid-job) fails
the tasks it had with "the audio worker stopped"; the next task starts a new
worker.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

import game
from game.audio.practice_cache import default_cache_dir
from game.audio.stretch import AudioJob, Cancelled, PracticeAudio, prepare
from game.audio.stretch_worker import audio_from_dict, job_to_dict
from game.util.errors import GameError
from game.util.helper_process import end_helper

__all__ = ["PrepareTask", "Worker", "warm_up"]


class PrepareTask:
    """:func:`~game.audio.stretch.prepare` in the background.

    Read :attr:`progress` (0-1) and :attr:`stage` any time; when :attr:`done`,
    :attr:`result` holds the audio or :attr:`error` says why not
    (``"cancelled"`` after :meth:`cancel`).
    """

    def __init__(self, job: AudioJob, *, cache_dir: Path | None = None,
                 in_process: bool = False) -> None:
        self.job = job
        self.cache_dir = cache_dir
        self.progress = 0.0
        self.stage = "waiting"
        self.result: PracticeAudio | None = None
        self.error: str | None = None
        self._in_process = in_process
        self._cancel = False
        self._done = threading.Event()
        self._worker: Worker | None = None
        self._id = -1

    def start(self) -> PrepareTask:
        """Hand the job to the worker (or a thread); returns self."""
        worker = None if self._in_process else Worker.shared()
        if worker is not None and worker.submit(self):
            self._worker = worker
        else:
            self.run_here()
        return self

    def run_here(self) -> None:
        """Prepare on a (lower-priority) thread of this process instead of the worker."""
        self._worker = None
        threading.Thread(target=self._run, name="practice-audio", daemon=True).start()

    @property
    def done(self) -> bool:
        """True once finished, failed or cancelled."""
        return self._done.is_set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until done (tests and the command line); True if done."""
        return self._done.wait(timeout_s)

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._cancel

    def cancel(self) -> None:
        """Drop the task now: it is done (``"cancelled"``) at once, and the worker (or
        thread) stops at its next step; whatever it still sends is ignored."""
        if self._cancel:
            return
        self._cancel = True
        if self._worker is not None:
            self._worker.cancel(self._id)
        if not self._done.is_set():
            self.result, self.error = None, "cancelled"
            self._done.set()

    def message(self, msg: dict[str, Any]) -> None:
        """A reply from the worker (ignored once cancelled: the task is already done)."""
        if self._cancel:
            return
        if "progress" in msg:
            self.progress, self.stage = float(msg["progress"]), str(msg.get("stage", ""))
            return
        if "result" in msg:
            self.result = audio_from_dict(msg["result"])
            self.progress, self.stage = 1.0, "ready"
        else:
            self.error = str(msg.get("error", "the audio worker failed"))
        self._done.set()

    def _run(self) -> None:
        _lower_priority()
        result: PracticeAudio | None = None
        error: str | None = None
        try:
            result = prepare(self.job, cache_dir=self.cache_dir, progress=self._report,
                             cancelled=lambda: self._cancel)
        except Cancelled:
            error = "cancelled"
        except GameError as exc:
            error = str(exc)
        except Exception as exc:  # a failed stretch must not take the game down
            error = f"{type(exc).__name__}: {exc}"
        finally:
            if not self._cancel:  # (a cancelled task was finished by cancel())
                self.result, self.error = result, error
                self._done.set()

    def _report(self, fraction: float, stage: str) -> None:
        self.progress, self.stage = fraction, stage


def _worker_command() -> list[str]:
    """The command that runs the worker."""
    return [sys.executable, "-m", "game.audio.stretch_worker"]


class Worker:
    """The worker process and the thread that reads its replies."""

    _shared: Worker | None = None
    _lock = threading.Lock()
    #: Set once workers proved unable to run: every task stays in this process from then on.
    disabled = False
    #: Workers that ended in a row (reset when any job finishes).
    _deaths_in_row = 0

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.tasks: dict[int, PrepareTask] = {}
        self.finished = 0  # jobs answered (a result or an error)
        self._next = 0
        self._write = threading.Lock()
        self._closing = False
        self.alive = True
        threading.Thread(target=self._read, name="practice-audio-replies", daemon=True).start()

    @classmethod
    def shared(cls) -> Worker | None:
        """The running worker, started if need be; None when it cannot start (or ran badly)."""
        with cls._lock:
            w = cls._shared
            if w is not None and w.alive:
                return w
            cls._shared = None
            if cls.disabled:
                return None
            env = dict(os.environ)
            env.setdefault("NUMBA_CACHE_DIR", str(default_cache_dir().parent / "numba"))
            root = str(Path(game.__file__).resolve().parents[1])
            env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
            try:
                proc = subprocess.Popen(
                    _worker_command(), stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, text=True, bufsize=1, env=env)
            except OSError:
                return None
            cls._shared = cls(proc)
            atexit.register(cls._shared.close)
            return cls._shared

    def submit(self, task: PrepareTask) -> bool:
        """Send ``task``'s job; False if the worker is gone."""
        with self._write:
            if not self.alive:
                return False
            n = self._next
            self._next += 1
            task._id = n
            self.tasks[n] = task
            cache = str(task.cache_dir) if task.cache_dir is not None else None
            if self._send({"id": n, "job": job_to_dict(task.job), "cache_dir": cache}):
                return True
            del self.tasks[n]
            return False

    def cancel(self, n: int) -> None:
        """Ask the worker to drop job ``n``."""
        with self._write:
            self._send({"cancel": n})

    def _send(self, msg: dict[str, Any]) -> bool:
        stdin: IO[str] | None = self.proc.stdin
        try:
            assert stdin is not None
            stdin.write(json.dumps(msg) + "\n")
            stdin.flush()
            return True
        except (OSError, ValueError, AssertionError):
            self.alive = False
            return False

    def _read(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        for line in stdout:
            with contextlib.suppress(ValueError, TypeError, KeyError):
                msg = json.loads(line)
                task = self.tasks.get(int(msg["id"]))
                if "progress" not in msg:
                    self.finished += 1
                    Worker._deaths_in_row = 0
                if task is not None:
                    task.message(msg)
                    if task.done:
                        self.tasks.pop(int(msg["id"]), None)
        with self._write:  # the worker ended: no more submits; whatever it had is lost
            self.alive = False
            tasks = list(self.tasks.values())
            self.tasks.clear()
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            self.proc.wait(timeout=5.0)
        if self._closing:
            return
        Worker._deaths_in_row += 1
        if self.finished == 0 or Worker._deaths_in_row >= 2:
            Worker.disabled = True  # it cannot run here: this process does the work from now
            for task in tasks:
                task.run_here()
            return
        for task in tasks:
            task.message({"error": "the audio worker stopped"})

    def close(self) -> None:
        """End the worker (it exits when its input closes)."""
        self._closing = True
        self.alive = False
        end_helper(self.proc)


def warm_up() -> None:
    """Start the worker now: it loads librosa while the player is still choosing."""
    threading.Thread(target=Worker.shared, name="practice-warm-up", daemon=True).start()


def _lower_priority() -> None:
    """Run this thread at a lower priority where the OS allows it (the game's frames first)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
