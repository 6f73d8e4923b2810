"""The song library scanned on a worker thread, so song select never waits for it.

:class:`BackgroundScan` reads the built-in songs at once (from the cache, or
four small files read on the spot the first time), then runs a
:class:`~game.store.scan_job.ScanJob` on a worker thread. Song select shows
the songs found so far and the scan's progress each frame
(:meth:`BackgroundScan.snapshot`) and never blocks on it.

Why a thread. The scan's own work is small and mostly waiting: listing
folders, one query of the song cache, a ``stat`` per song, writing the cache,
handing out ids. A thread does that with no start-up, shares the scan code as
it is, and keeps the cache's SQLite connection to itself. What is heavy is
reading new songs (parsing): on the scan's thread it holds the interpreter
lock most of the time, and song select's frames wait for it. Measured with
``bench/library_scan.py`` (a first scan of 150 songs, 2 busy cores): songs read
on the thread, frames took a median 7 ms and 40 ms at the 99th percentile
(3 and 7 ms with nothing scanning); read by a helper process, 3 and 17 ms.
So, from :data:`~game.store.scan_job.HELPERS_FROM` songs to read, the thread
hands the reading to helper processes (:mod:`game.store.scan_worker`) and only
waits for their answers, which costs the window nothing; fewer songs, or
helpers that cannot run, are read on the thread itself. While the thread
runs, the interpreter's switch interval is at most :data:`SWITCH_S` (1 ms
instead of Python's 5 ms; restored when the scan ends), so the window's thread
gets the lock back quickly when the thread does read. Nothing should compete
with a song being played, so the scan goes on only while song select is on
screen (:meth:`pause` when it is covered or closed, :meth:`resume` when it is
back): a paused scan finishes the songs it had asked for (one per helper) and
waits.

What is shared, and what guards it. The worker and the window's thread share
only the published state: the latest :class:`~game.store.scan_job.Library`
(immutable: tuples of song entries that are never changed once published),
the latest :class:`~game.store.scan_job.ScanProgress`, a version counter and
the error that ended the scan, if any. ``_lock`` (a :class:`threading.Lock`)
guards those four: the worker replaces them together under it, the window's
thread reads them together under it; it is held only to swap or read the
references, never while reading a song. Pausing and stopping go through two
:class:`threading.Event` (thread-safe themselves). Everything else (the
:class:`ScanJob`, its SQLite connection, the songs being read) belongs to the
worker thread alone once :meth:`start` is called.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from game.store.scan_job import Library, ScanJob, ScanProgress
from game.store.scan_worker import default_processes

#: The interpreter's switch interval while a scan runs (seconds; Python's default is 5 ms).
SWITCH_S = 0.001


class BackgroundScan:
    """A library scan on a worker thread (see the module docstring).

    Parameters
    ----------
    folder, cache : Path or None
        As :func:`game.store.song_library.scan_library`.
    seed : Library or None
        What to show until the scan has found more (a previous scan's result);
        None reads the built-in songs now (in the calling thread).
    processes : int or None
        Helper processes reading the songs (see :mod:`game.store.scan_worker`);
        None: :func:`~game.store.scan_worker.default_processes`; 0: none, the
        worker thread reads them.
    """

    def __init__(self, *, folder: Path | None = None, cache: Path | None = None,
                 seed: Library | None = None, processes: int | None = None) -> None:
        self._job = ScanJob(folder=folder, cache=cache, processes=default_processes()
                            if processes is None else processes)
        first = self._job.read_builtins() if seed is None else seed
        self._lock = threading.Lock()
        # guarded by _lock: the four published values
        self._library = first
        self._progress = ScanProgress()
        self._version = 0
        self._error: str | None = None
        # thread-safe on their own
        self._running = threading.Event()  # clear: paused
        self._running.set()
        self._stop = threading.Event()
        self._done = threading.Event()
        self._published = threading.Event()  # the cached songs are checked (or it is over)
        self._thread = threading.Thread(target=self._work, name="song-library-scan",
                                        daemon=True)

    # control (any thread) -----------------------------------------------------------
    def start(self) -> BackgroundScan:
        """Start the worker; returns self."""
        self._thread.start()
        return self

    def pause(self) -> None:
        """Stop reading after the song being read (the scan waits until :meth:`resume`)."""
        self._running.clear()

    def resume(self) -> None:
        """Go on reading."""
        self._running.set()

    def stop(self) -> None:
        """End the scan after the song being read (what was read stays cached)."""
        self._stop.set()
        self._running.set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the scan is over (at most ``timeout_s``); whether it is."""
        return self._done.wait(timeout_s)

    def wait_for_cached(self, timeout_s: float) -> bool:
        """Block (at most ``timeout_s``) until the songs the cache still holds are listed:
        the first publication, before any song is read. Whether they are."""
        return self._published.wait(timeout_s)

    @property
    def paused(self) -> bool:
        """Whether the scan is paused."""
        return not self._running.is_set()

    @property
    def done(self) -> bool:
        """Whether the worker has finished (done, stopped or failed)."""
        return self._done.is_set()

    # what was found (any thread) -------------------------------------------------------
    def snapshot(self) -> tuple[int, Library, ScanProgress, str | None]:
        """``(version, library, progress, error)`` as last published; version goes up
        with every publication, so a screen redoes its list only when it changed."""
        with self._lock:
            return self._version, self._library, self._progress, self._error

    @property
    def library(self) -> Library:
        """The songs found so far (all of them once :attr:`done`)."""
        with self._lock:
            return self._library

    # the worker thread -----------------------------------------------------------------
    def _work(self) -> None:
        switch_s = sys.getswitchinterval()
        sys.setswitchinterval(min(switch_s, SWITCH_S))
        try:
            self._job.run(publish=self._publish, checkpoint=self._checkpoint)
        except Exception as exc:  # a bug must not leave the list empty: keep what was found
            with self._lock:
                self._error = f"the song library scan failed ({type(exc).__name__}: {exc})"
                self._progress = ScanProgress("stopped", self._progress.found,
                                              self._progress.to_read, self._progress.read)
                self._version += 1
        finally:
            if abs(sys.getswitchinterval() - min(switch_s, SWITCH_S)) < 1e-7:
                sys.setswitchinterval(switch_s)  # unless someone else changed it meanwhile
            self._done.set()
            self._published.set()

    def _checkpoint(self) -> bool:
        time.sleep(0)  # give the interpreter lock to the window's thread if it waits
        self._running.wait()
        return not self._stop.is_set()

    def _publish(self, library: Library, progress: ScanProgress) -> None:
        with self._lock:
            self._library, self._progress = library, progress
            self._version += 1
        self._published.set()
