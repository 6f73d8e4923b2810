"""Run things on a virtual X screen and send real X key events (XTest) at known times.

Shared by bench/input_latency.py and the real-window tests. Needs Debian's
``xvfb`` and PyPI's ``python-xlib``.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator


@contextlib.contextmanager
def virtual_display(*, size: str = "1280x720x24", display: str | None = ":97",
                    timeout_s: float = 60.0) -> Iterator[str]:
    """Start Xvfb on ``display`` for the duration; yields the DISPLAY value.

    ``display=None`` lets Xvfb take the first free display number (tests that
    may run next to others). Yields once Xvfb says it accepts connections (it
    writes its display number to a pipe, ``-displayfd``), however long it took.
    """
    if shutil.which("Xvfb") is None:
        raise RuntimeError("Xvfb is not installed (apt-get install xvfb)")
    if display is not None:
        lock = f"/tmp/.X{display.lstrip(':')}-lock"
        if os.path.exists(lock):
            with contextlib.suppress(OSError):
                os.unlink(lock)
    ready_r, ready_w = os.pipe()
    where = [display] if display is not None else []
    try:
        proc = subprocess.Popen(["Xvfb", *where, "-displayfd", str(ready_w), "-screen", "0",
                                 size, "-nolisten", "tcp"], pass_fds=(ready_w,),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        os.close(ready_w)
    try:
        number = _read_line(ready_r, timeout_s)
        if not number.isdigit():
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        os.close(ready_r)
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)


def _read_line(fd: int, timeout_s: float) -> str:
    """The first line written to the pipe ``fd`` ("" if it closed first or ``timeout_s``
    passed)."""
    got = b""
    deadline = time.monotonic() + timeout_s
    while b"\n" not in got:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return ""
        chunk = os.read(fd, 64)
        if not chunk:
            break
        got += chunk
    return got.decode(errors="replace").split("\n")[0].strip()


class KeySender:
    """Sends real X key events through XTest and notes when each reached the server."""

    def __init__(self, display: str) -> None:
        from Xlib import XK, X
        from Xlib import display as xdisplay
        from Xlib.ext import xtest

        self._X, self._XK, self._xtest = X, XK, xtest
        self.dpy = xdisplay.Display(display)
        #: The keycode given to each character by :meth:`map_text`.
        self._text_codes: dict[str, int] = {}

    def find_window(self, title_part: str, *, timeout_s: float = 60.0) -> int:
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

    def focus(self, window_id: int, *, timeout_s: float = 30.0) -> None:
        """Give the window the keyboard focus; returns once the server says it has it.

        Key events sent after this go to the window (the server orders its
        FocusIn before them), however late the application reads them.
        """
        win = self.dpy.create_resource_object("window", window_id)
        deadline = time.monotonic() + timeout_s
        while True:
            win.set_input_focus(self._X.RevertToParent, self._X.CurrentTime)
            self.dpy.sync()
            focus = self.dpy.get_input_focus().focus
            if getattr(focus, "id", focus) == window_id:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"window {window_id:#x} never got the keyboard focus")
            time.sleep(0.05)

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

    def map_text(self, text: str) -> None:
        """Give each character of ``text`` not mapped yet a keycode of its own.

        Like ``xdotool type``: a keycode that had no symbol is mapped to the
        character's Unicode keysym (``0x01000000 + code point``), so the
        application receives it as text input (no input method involved). The
        mappings are left in place (the display is a test's own). Called before
        the application connects, it reads them with its first keymap: nothing
        to wait for when :meth:`type_text` types them.
        """
        codes = self._text_codes
        chars = [ch for ch in dict.fromkeys(text) if ch not in codes]
        if not chars:
            return
        info = self.dpy.display.info
        first, count = info.min_keycode, info.max_keycode - info.min_keycode + 1
        mapping = self.dpy.get_keyboard_mapping(first, count)
        used = set(codes.values())
        free = [first + k for k in range(count - 1, -1, -1)
                if not any(mapping[k]) and first + k not in used]
        if len(chars) > len(free):
            raise RuntimeError(f"{len(chars)} distinct characters, {len(free)} free keycodes")
        per = len(mapping[0])
        for ch, code in zip(chars, free, strict=False):
            sym = 0x01000000 + ord(ch) if ord(ch) > 0xFF else ord(ch)
            self.dpy.change_keyboard_mapping(code, [(sym,) * per])
            codes[ch] = code
        self.dpy.sync()

    def type_text(self, text: str, *, pause_s: float = 0.08) -> None:
        """Type ``text`` (any script) with real key events, one character at a time.

        Characters not mapped by :meth:`map_text` before the application started
        are mapped now; the application then has to take the keymap change
        (MappingNotify) before the first key, which this can only give time
        for (0.2 s): tests map their text first.
        """
        if any(ch not in self._text_codes for ch in text):
            self.map_text(text)
            time.sleep(0.2)  # the application gets MappingNotify before the first key
        for ch in text:
            code = self._text_codes[ch]
            self._xtest.fake_input(self.dpy, self._X.KeyPress, code)
            self._xtest.fake_input(self.dpy, self._X.KeyRelease, code)
            self.dpy.sync()
            time.sleep(pause_s)

    def close(self) -> None:
        """Close the X connection."""
        self.dpy.close()
