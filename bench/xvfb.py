"""Run things on a virtual X screen and send real X key events (XTest) at known times.

Shared by bench/input_latency.py and the real-window tests. Needs Debian's
``xvfb`` and PyPI's ``python-xlib``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator


@contextlib.contextmanager
def virtual_display(*, size: str = "1280x720x24", display: str = ":97") -> Iterator[str]:
    """Start Xvfb on ``display`` for the duration; yields the DISPLAY value."""
    if shutil.which("Xvfb") is None:
        raise RuntimeError("Xvfb is not installed (apt-get install xvfb)")
    lock = f"/tmp/.X{display.lstrip(':')}-lock"
    if os.path.exists(lock):
        with contextlib.suppress(OSError):
            os.unlink(lock)
    proc = subprocess.Popen(["Xvfb", display, "-screen", "0", size, "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        sock = f"/tmp/.X11-unix/X{display.lstrip(':')}"
        while not os.path.exists(sock):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Xvfb did not start")
            time.sleep(0.05)
        yield display
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)


class KeySender:
    """Sends real X key events through XTest and notes when each reached the server."""

    def __init__(self, display: str) -> None:
        from Xlib import XK, X
        from Xlib import display as xdisplay
        from Xlib.ext import xtest

        self._X, self._XK, self._xtest = X, XK, xtest
        self.dpy = xdisplay.Display(display)

    def find_window(self, title_part: str, *, timeout_s: float = 20.0) -> int:
        """Wait for a top-level window whose name contains ``title_part``; returns its id."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            root = self.dpy.screen().root
            net_name = self.dpy.intern_atom("_NET_WM_NAME")
            for w in root.query_tree().children:
                with contextlib.suppress(Exception):
                    prop = w.get_full_property(net_name, self._X.AnyPropertyType)
                    name = prop.value if prop is not None else w.get_wm_name()
                    if isinstance(name, bytes):
                        name = name.decode(errors="replace")
                    if title_part in (name or "") and (
                            w.get_attributes().map_state == self._X.IsViewable):
                        return int(w.id)
            time.sleep(0.1)
        raise RuntimeError(f"no window named like {title_part!r} appeared")

    def focus(self, window_id: int) -> None:
        """Give the window the keyboard focus."""
        win = self.dpy.create_resource_object("window", window_id)
        win.set_input_focus(self._X.RevertToParent, self._X.CurrentTime)
        self.dpy.sync()

    def keycode(self, key: str) -> int:
        """The X keycode for a key name such as ``"d"``, ``"Escape"``, ``"Return"``."""
        sym = self._XK.string_to_keysym(key)
        return int(self.dpy.keysym_to_keycode(sym))

    def tap(self, key: str, *, hold_s: float = 0.02) -> tuple[float, float]:
        """Press and release ``key``.

        Returns
        -------
        t_sent, t_synced : float
            ``perf_counter`` right before the XTest request, and right after
            ``display.sync()`` returned (the server has processed it and handed
            the event to the window's client). ``perf_counter`` is
            CLOCK_MONOTONIC on Linux, comparable across processes.
        """
        code = self.keycode(key)
        t_sent = time.perf_counter()
        self._xtest.fake_input(self.dpy, self._X.KeyPress, code)
        self.dpy.sync()
        t_synced = time.perf_counter()
        time.sleep(hold_s)
        self._xtest.fake_input(self.dpy, self._X.KeyRelease, code)
        self.dpy.sync()
        return t_sent, t_synced

    def type_text(self, text: str, *, pause_s: float = 0.08) -> None:
        """Type ``text`` (any script) with real key events, one character at a time.

        Like ``xdotool type``: each distinct character gets a keycode that had
        no symbol, mapped to the character's Unicode keysym (``0x01000000 +
        code point``), so the application receives it as text input (no input
        method involved). The mappings are made before the first keystroke and
        left in place (the display is a test's own): a busy application that
        reads its events late still sees every key as the character sent.
        """
        info = self.dpy.display.info
        first, count = info.min_keycode, info.max_keycode - info.min_keycode + 1
        mapping = self.dpy.get_keyboard_mapping(first, count)
        free = [first + k for k in range(count - 1, -1, -1) if not any(mapping[k])]
        chars = list(dict.fromkeys(text))
        if len(chars) > len(free):
            raise RuntimeError(f"{len(chars)} distinct characters, {len(free)} free keycodes")
        codes = dict(zip(chars, free, strict=False))
        per = len(mapping[0])
        for ch, code in codes.items():
            sym = 0x01000000 + ord(ch) if ord(ch) > 0xFF else ord(ch)
            self.dpy.change_keyboard_mapping(code, [(sym,) * per])
        self.dpy.sync()
        time.sleep(0.2)  # the application gets MappingNotify before the first key
        for ch in text:
            self._xtest.fake_input(self.dpy, self._X.KeyPress, codes[ch])
            self._xtest.fake_input(self.dpy, self._X.KeyRelease, codes[ch])
            self.dpy.sync()
            time.sleep(pause_s)

    def close(self) -> None:
        """Close the X connection."""
        self.dpy.close()
