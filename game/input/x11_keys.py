"""Keyboard capture straight from the X server, on its own thread.

SDL hands key events to the game only when the main thread pumps its queue;
while a frame is being drawn or flipped (several ms under X), a key press just
waits. This listener opens a second connection to the X server, asks for the
game window's key events (core X lets several clients select KeyPress on one
window) and stamps each with ``time.perf_counter()`` the moment it arrives —
independent of drawing. The main thread drains the stamped keys at every poll.

Optional: needs python-xlib and an X11 display (SDL_VIDEODRIVER=x11); without
them :func:`start_listener` returns None and the game stamps SDL events instead.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

#: Let a waiting thread take the GIL within 0.5 ms (CPython's default is 5 ms).
SWITCH_INTERVAL_S = 0.0005


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


class X11KeyListener:
    """Reads a window's key events from the X server on a daemon thread."""

    def __init__(self, display_name: str | None, window_id: int) -> None:
        from Xlib import XK, X
        from Xlib import display as xdisplay

        self._X = X
        self._XK = XK
        self.dpy = xdisplay.Display(display_name)
        self.window = self.dpy.create_resource_object("window", window_id)
        self.window.change_attributes(event_mask=X.KeyPressMask | X.KeyReleaseMask)
        self.dpy.sync()
        self._names: dict[int, str] = {}
        self.keys: deque[XKey] = deque()
        self._stop = False
        self._held: set[int] = set()
        self._thread = threading.Thread(target=self._run, name="x11-keys", daemon=True)
        self._old_switch = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        self._thread.start()

    def _name(self, keycode: int) -> str:
        name = self._names.get(keycode)
        if name is None:
            sym = self.dpy.keycode_to_keysym(keycode, 0)
            name = key_name(sym, _xk_name(self._XK, sym))
            self._names[keycode] = name
        return name

    def _run(self) -> None:
        X = self._X
        while not self._stop:
            try:
                ev = self.dpy.next_event()
            except Exception:  # connection closed
                return
            t = time.perf_counter()
            if ev.type == X.KeyPress:
                code = ev.detail
                if code in self._held:  # auto-repeat
                    continue
                self._held.add(code)
                self.keys.append(XKey(t, self._name(code), True))
            elif ev.type == X.KeyRelease:
                self._held.discard(ev.detail)
                self.keys.append(XKey(t, self._name(ev.detail), False))

    def drain(self) -> list[XKey]:
        """Every key captured since the last call, oldest first."""
        out = []
        while self.keys:
            out.append(self.keys.popleft())
        return out

    def close(self) -> None:
        """Stop the thread and close the connection."""
        self._stop = True
        sys.setswitchinterval(self._old_switch)
        with contextlib.suppress(Exception):
            self.dpy.close()


def _xk_name(xk: Any, sym: int) -> str | None:
    for name in dir(xk):
        if name.startswith("XK_") and getattr(xk, name) == sym:
            return str(name[3:])
    return None


def start_listener(wm_info: dict[str, Any], display_name: str | None) -> X11KeyListener | None:
    """A listener for the pygame window described by ``pygame.display.get_wm_info()``.

    Returns None (and the caller uses SDL events) when this is not X11 or
    python-xlib is missing.
    """
    window = wm_info.get("window")
    if not isinstance(window, int) or not display_name:
        return None
    try:
        return X11KeyListener(display_name, window)
    except Exception:
        return None
