"""Reading songs in helper processes: ``python -m game.store.scan_worker``.

Reading a song is Python parsing; on a thread of the game it holds the
interpreter lock most of the time, and song select's frames wait for it (and
the scan itself slows down to share the lock with the frames). So a scan with
many songs to read hands them to :class:`SongReaders`: one to four helper
processes (one fewer than the machine has cores) at a lower priority, each
reading one song at a time with :func:`game.formats.user_library.read_song`.
The scan's thread only sends each song's path and waits for its reading, which
costs the window nothing.

Protocol: JSON lines. In on stdin: ``{"key", "kind", "stamp", "source",
"extract_root"}`` (a :class:`~game.formats.user_library.Candidate`); out on
stdout, in the same order: ``{"key", "stamp", "entry", "error"}`` (a
:class:`~game.formats.user_library.CachedSong`, as the song cache keeps it).
End of stdin ends the process.

Falling back: a helper that cannot be started, ends, or answers what cannot be
read leaves the song it had to the scan's own thread, and is not asked again;
with no helper left every song is read in the scan's thread (the results are
the same, only slower for the window).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TextIO

import game
from game.formats.user_library import CachedSong, Candidate, read_song
from game.util.helper_process import end_helper, serve_as_helper

__all__ = ["SongReaders", "default_processes", "serve"]

#: At most this many helper processes.
MAX_PROCESSES = 4


def default_processes() -> int:
    """Helper processes for a scan: one fewer than the cores (the window keeps one), 1-4."""
    return max(1, min(MAX_PROCESSES, (os.cpu_count() or 2) - 1))


def _request(c: Candidate, extract_root: Path | None) -> str:
    return json.dumps({"key": c.key, "kind": c.kind, "stamp": c.stamp, "source": c.source,
                       "extract_root": None if extract_root is None else str(extract_root)})


def serve(stdin: TextIO, stdout: TextIO) -> None:
    """Read the songs asked for on ``stdin``, answering on ``stdout``, until ``stdin`` ends."""
    for line in stdin:
        msg = json.loads(line)
        root = msg.get("extract_root")
        song = read_song(Candidate(str(msg["key"]), str(msg["kind"]), msg.get("stamp"),
                                   str(msg.get("source", "beatmap"))),
                         extract_root=None if root is None else Path(root))
        stdout.write(json.dumps({"key": msg["key"], "stamp": song.stamp, "entry": song.entry,
                                 "error": song.error}) + "\n")
        stdout.flush()


class _Helper:
    """One helper process."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.alive = True

    def send(self, line: str) -> bool:
        stdin: IO[str] | None = self.proc.stdin
        try:
            assert stdin is not None
            stdin.write(line + "\n")
            stdin.flush()
            return True
        except (OSError, ValueError, AssertionError):
            self.alive = False
            return False

    def receive(self, key: str) -> CachedSong | None:
        """The reading of ``key`` (the next answer), or None if the helper failed."""
        if not self.alive:
            return None
        stdout = self.proc.stdout
        try:
            assert stdout is not None
            msg = json.loads(stdout.readline())
            if msg["key"] != key:
                raise ValueError(f"answer for {msg['key']!r}, not {key!r}")
            return CachedSong(str(msg["stamp"]), msg["entry"], msg["error"])
        except (OSError, ValueError, TypeError, KeyError, AssertionError):
            self.alive = False  # ended, or out of step: not asked again
            return None

    def close(self) -> None:
        """End the helper (it exits when its input closes)."""
        end_helper(self.proc)


class SongReaders:
    """Helper processes reading songs in order (use as a context manager).

    Parameters
    ----------
    processes : int
        How many to start (fewer if some cannot start; none at all is fine).
    extract_root : Path or None
        Where ``.osz`` audio is extracted (see :func:`~game.formats.user_library.read_song`).

    Attributes
    ----------
    read_by_helpers : int
        Songs the helpers read (the rest were read in the calling thread).
    """

    def __init__(self, processes: int, *, extract_root: Path | None = None) -> None:
        self.extract_root = extract_root
        self.read_by_helpers = 0
        self._helpers = [h for h in (self._start() for _ in range(processes)) if h is not None]

    @staticmethod
    def _start() -> _Helper | None:
        env = dict(os.environ)
        root = str(Path(game.__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        try:
            proc = subprocess.Popen([sys.executable, "-m", "game.store.scan_worker"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                    encoding="utf-8", bufsize=1, env=env)
        except (OSError, ValueError, TypeError):  # no interpreter to start (an embedded one)
            return None
        return _Helper(proc)

    @property
    def helpers(self) -> int:
        """Helper processes still working."""
        return sum(h.alive for h in self._helpers)

    def read(self, todo: Iterable[Candidate]) -> Iterator[tuple[Candidate, CachedSong]]:
        """Each song of ``todo`` with its reading, in order; the helpers work ahead (one
        song each), so stopping the iteration early leaves at most that many read for
        nothing."""
        waiting: deque[tuple[Candidate, _Helper | None]] = deque()
        songs = iter(todo)
        turn = 0

        def ask() -> bool:
            nonlocal turn
            c = next(songs, None)
            if c is None:
                return False
            alive = [h for h in self._helpers if h.alive]
            helper = alive[turn % len(alive)] if alive else None
            turn += 1
            if helper is not None and not helper.send(_request(c, self.extract_root)):
                helper = None
            waiting.append((c, helper))
            return True

        for _ in range(max(1, len(self._helpers))):
            if not ask():
                break
        while waiting:
            c, helper = waiting.popleft()
            song = helper.receive(c.key) if helper is not None else None
            if song is None:
                song = read_song(c, extract_root=self.extract_root)
            else:
                self.read_by_helpers += 1
            ask()
            yield c, song

    def close(self) -> None:
        """End the helpers (each exits when its input closes)."""
        for h in self._helpers:
            h.close()
        self._helpers.clear()

    def __enter__(self) -> SongReaders:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main() -> None:
    """Run as a helper: lower priority, the protocol on the real stdout only."""
    serve_as_helper(serve)


if __name__ == "__main__":
    main()
