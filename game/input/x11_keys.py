"""Keyboard capture straight from the X server, stamped in a separate process.

SDL hands key events to the game only when the main thread pumps its queue;
while a frame is being drawn or flipped (several ms under X), a key press just
waits. So on X11 the keys are also read, and stamped, elsewhere:

1. **Capture process** (:mod:`game.input.x11_capture`, started here): its own
   connection to the X server, KeyPress/KeyRelease selected on the game window
   (core X lets several clients select key events on one window; SDL still
   gets them for the menus). It stamps each event with ``time.perf_counter()``
   as soon as it has read it from the socket, drops auto-repeat, and writes a
   fixed-size record (stamp, keysym, keycode, kind) to a pipe.
2. **The game's main loop** calls :meth:`X11KeyCapture.drain` at every poll
   (~1 kHz): one non-blocking read of the pipe, whole records turned into
   :class:`XKey` (names as pygame's ``key.name`` spells them), any partial
   record kept for the next call. No thread: the stamp is already taken, so
   reading the pipe late changes nothing but when the key is judged.

The clock: on Linux ``perf_counter`` is ``CLOCK_MONOTONIC``, one clock for every
process on the machine, so the child's stamps compare directly with the game's
song clock (tests/test_x11_capture.py checks this).

Why a process, not a thread: a listener thread in the game needs the GIL to
take its stamp, and the main thread holds it while it draws and flips — the
capture error was p99 ~5.6 ms even with a 0.5 ms switch interval. The child has
an interpreter of its own, so nothing the game does delays a stamp (only the
OS scheduler and the X server do; bench/input_latency.py measures it).

The child ends when :meth:`X11KeyCapture.close` terminates it, when the game
dies or closes the pipe (EOF on its stdin), and when the window is destroyed.
The window is destroyed when the game switches to or from fullscreen (SDL makes
a new one); the capture then starts again on the new window.

Needs python-xlib (a dependency on Linux) and an X11 display
(SDL_VIDEODRIVER=x11); without them, or if the process cannot start,
:func:`start_listener` returns None and the game stamps SDL events instead.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from game.input.x11_capture import GONE, PRESS, READY, RECORD, RELEASE
from game.util.helper_process import end_helper

#: How long to wait for the capture process to be watching the window.
READY_TIMEOUT_S = 5.0
_READ_SIZE = 65536


@dataclass(frozen=True, slots=True)
class XKey:
    """A key press or release as the X server delivered it."""

    t_capture: float
    name: str
    pressed: bool


def key_name(keysym: int, xk_name: str | None) -> str:
    """pygame's ``key.name`` spelling for an X keysym (letters, digits, punctuation, names)."""
    if 0x20 < keysym < 0x7F:
        return chr(keysym).lower()
    if keysym == 0x20:
        return "space"
    return (xk_name or f"keysym-{keysym:x}").lower().replace("_", " ")


def _keysym_names() -> dict[int, str]:
    """X's name for each keysym python-xlib knows (the alphabetically first of synonyms)."""
    from Xlib import XK  # type: ignore[import-untyped, unused-ignore]

    names: dict[int, str] = {}
    for attr in sorted(vars(XK)):
        value = getattr(XK, attr)
        if attr.startswith("XK_") and isinstance(value, int):
            names.setdefault(value, attr[3:])
    return names


def _spawn(display_name: str, window_id: int, extra: Sequence[str]) -> subprocess.Popen[bytes]:
    # A fresh interpreter (not a multiprocessing fork of this pygame process,
    # which would copy SDL's state and threads): starts in ~50 ms and imports
    # only python-xlib. The same game package as this one is put first on its path.
    import game

    env = dict(os.environ)
    root = str(Path(game.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return subprocess.Popen(
        [sys.executable, "-m", "game.input.x11_capture", display_name, str(window_id), *extra],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0, env=env)


class X11KeyCapture:
    """The capture process for one window, and the keys it has stamped.

    Parameters
    ----------
    display_name : str
        The X display (``$DISPLAY``).
    window_id : int
        The window whose keys are captured.
    current_window : callable, optional
        Returns the window to follow when this one is destroyed (None: stop).
    xkb : bool
        Drop auto-repeat with XKB's detectable auto-repeat. False (for tests):
        drop a press at the same X server time as the key's last release, so
        presses are still exact but each repeat shows as an extra release.

    Raises
    ------
    OSError
        The process could not start, or did not get to watching the window.
    """

    def __init__(self, display_name: str, window_id: int, *,
                 current_window: Callable[[], int | None] | None = None,
                 xkb: bool = True) -> None:
        self.display_name = display_name
        self.window_id = window_id
        self._current_window = current_window
        self._extra = () if xkb else ("--no-xkb",)
        self._buf = bytearray()
        proc = self._start(window_id)
        try:
            self._names = _keysym_names()  # while the child starts
            self._wait_ready(proc)
        except BaseException:
            self._stop(proc)
            raise
        self._proc: subprocess.Popen[bytes] | None = proc

    @property
    def pid(self) -> int | None:
        """The capture process's id (None once it has ended)."""
        return self._proc.pid if self._proc is not None else None

    def _start(self, window_id: int) -> subprocess.Popen[bytes]:
        proc = _spawn(self.display_name, window_id, self._extra)
        assert proc.stdout is not None
        os.set_blocking(proc.stdout.fileno(), False)
        self.window_id = window_id
        self._buf.clear()
        return proc

    def _wait_ready(self, proc: subprocess.Popen[bytes]) -> None:
        """Wait for the READY record (the caller stops ``proc`` if this raises)."""
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while len(self._buf) < RECORD.size:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise OSError("the key capture process did not start in time")
            chunk = os.read(fd, _READ_SIZE)
            if not chunk:
                raise OSError(f"the key capture process ended (status {proc.poll()})")
            self._buf += chunk
        if RECORD.unpack_from(self._buf)[3] != READY:
            raise OSError("the key capture process is out of step")

    def drain(self) -> list[XKey]:
        """Every key captured since the last call, oldest first (never blocks)."""
        proc = self._proc
        if proc is None:
            return []
        assert proc.stdout is not None
        ended = False
        try:
            while True:
                chunk = os.read(proc.stdout.fileno(), _READ_SIZE)
                if not chunk:
                    ended = True
                    break
                self._buf += chunk
                if len(chunk) < _READ_SIZE:
                    break  # the pipe is empty now; spare the read that would say so
        except BlockingIOError:
            pass
        keys: list[XKey] = []
        gone = False
        whole = len(self._buf) - len(self._buf) % RECORD.size
        if whole:
            for stamp, keysym, _code, kind in RECORD.iter_unpack(self._buf[:whole]):
                if kind in (PRESS, RELEASE):
                    keys.append(XKey(stamp, self._name(keysym), kind == PRESS))
                elif kind == GONE:
                    gone = True
            del self._buf[:whole]
        if ended or gone:  # GONE is its last record; EOF may only come at the next read
            self._ended(proc, gone)
        return keys

    def _name(self, keysym: int) -> str:
        return key_name(keysym, self._names.get(keysym))

    def _ended(self, proc: subprocess.Popen[bytes], window_gone: bool) -> None:
        """The capture process has ended: follow the game to its new window, if any."""
        self._stop(proc)
        self._proc = None
        if not window_gone or self._current_window is None:
            return
        new = self._current_window()
        if new is None or new == self.window_id:
            return
        # Not waited for (drain never blocks): keys in the ~50 ms the new process
        # takes to start are missed, as they would be while SDL remakes the window.
        with contextlib.suppress(OSError, ValueError):
            self._proc = self._start(new)

    @staticmethod
    def _stop(proc: subprocess.Popen[bytes]) -> int | None:
        """End and reap ``proc`` (it exits when its input closes); returns its exit status."""
        if proc.stdout is not None:
            with contextlib.suppress(OSError):
                proc.stdout.close()
        end_helper(proc)
        return proc.returncode

    def close(self) -> None:
        """End the capture process (and reap it)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            self._stop(proc)


def _pygame_window() -> int | None:
    """The pygame window's X id now (a switch to fullscreen makes a new window)."""
    import pygame

    if not pygame.display.get_init():
        return None
    window = pygame.display.get_wm_info().get("window")
    return window if isinstance(window, int) else None


def start_listener(wm_info: dict[str, Any], display_name: str | None) -> X11KeyCapture | None:
    """Capture for the pygame window described by ``pygame.display.get_wm_info()``.

    Returns None (and the caller uses SDL events) when this is not X11,
    python-xlib is missing, or the capture process cannot start.
    """
    window = wm_info.get("window")
    if not isinstance(window, int) or not display_name:
        return None
    if importlib.util.find_spec("Xlib") is None:
        return None
    try:
        return X11KeyCapture(display_name, window, current_window=_pygame_window)
    except (OSError, ValueError, ImportError):
        return None
