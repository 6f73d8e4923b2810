"""The key capture process (game.input.x11_capture) on a virtual X screen, fed real
X key events (XTest) at known times.

Skipped when Xvfb or python-xlib is missing (CI installs both); all but the
clock test are marked ``xvfb``. No timing is asserted tightly (a busy CI box
delays processes by tens of ms): stamps must be after their key was sent and
within a generous bound of it. Tests wait for state (keys drained, processes
gone), polling with a generous timeout, never for a fixed time.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from game.input.x11_keys import X11KeyCapture, XKey, start_listener

BENCH = Path(__file__).resolve().parents[1] / "bench"
#: A stamp may come this long after its key was sent (the capture takes well under 1 ms
#: on an idle machine; this only catches a wrong clock or a stamp taken much later).
LATE_S = 0.25
TIMEOUT_S = 20.0


def test_perf_counter_is_one_clock_for_every_process() -> None:
    """A child's perf_counter reads between two of the parent's: stamps compare directly."""
    if sys.platform.startswith("linux"):
        info = time.get_clock_info("perf_counter")
        assert "CLOCK_MONOTONIC" in info.implementation, info
    for _ in range(3):
        before = time.perf_counter()
        code = "import time; print(repr(time.perf_counter()))"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout
        after = time.perf_counter()
        assert before < float(out) < after, (before, out, after)


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb not installed")
    pytest.importorskip("Xlib")
    sys.path.insert(0, str(BENCH))
    from Xlib import display as xdisplay
    from xvfb import virtual_display

    with virtual_display(display=None) as name:  # the first free display number
        # Xvfb resets (drops every window, refuses connections for a moment) when its
        # last client leaves; this connection stays open so that never happens mid-module
        keeper = xdisplay.Display(name)
        yield name
        keeper.close()


class Screen:
    """A test's own connection: plain windows, XTest keys, and a witness of what X sends."""

    def __init__(self, display: str) -> None:
        from Xlib import XK, X
        from Xlib import display as xdisplay
        from Xlib.ext import xtest
        from xvfb import KeySender

        self.X, self.XK, self.xtest = X, XK, xtest
        self.dpy = xdisplay.Display(display)
        self.sender = KeySender(display)

    def window(self, *, witness: bool = False) -> Any:
        """A mapped window with the keyboard focus (``witness``: this connection sees its keys)."""
        X = self.X
        scr = self.dpy.screen()
        mask = X.KeyPressMask | X.KeyReleaseMask if witness else 0
        win = scr.root.create_window(0, 0, 320, 200, 0, scr.root_depth, event_mask=mask)
        win.map()
        self.dpy.sync()
        self.sender.focus(win.id)
        return win

    def send(self, key: str, pressed: bool) -> float:
        """One XTest key event; returns ``perf_counter`` right before it was sent."""
        return self.send_code(self.sender.keycode(key), pressed)

    def send_code(self, code: int, pressed: bool) -> float:
        """:meth:`send` by keycode."""
        t = time.perf_counter()
        self.xtest.fake_input(self.sender.dpy, self.X.KeyPress if pressed else self.X.KeyRelease,
                              code)
        self.sender.dpy.sync()
        return t

    def witnessed(self) -> list[tuple[int, int]]:
        """(type, keycode) of each key event this connection has received so far."""
        out = []
        while self.dpy.pending_events():
            ev = self.dpy.next_event()
            if ev.type in (self.X.KeyPress, self.X.KeyRelease):
                out.append((ev.type, ev.detail))
        return out

    def close(self) -> None:
        self.sender.close()
        self.dpy.close()


@pytest.fixture
def screen(display: str) -> Iterator[Screen]:
    s = Screen(display)
    yield s
    s.close()


def _until(cond: Callable[[], bool], what: str, timeout_s: float = TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def _collect(cap: X11KeyCapture, n: int) -> list[XKey]:
    """Drain until ``n`` keys have come (or time out)."""
    got: list[XKey] = []

    def enough() -> bool:
        got.extend(cap.drain())
        return len(got) >= n

    _until(enough, f"{n} keys (have {got})")
    return got


def _ended(pid: int) -> bool:
    """The process has exited (gone, or a zombie nobody reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] in ("Z", "X")
    except OSError:
        return True


@contextlib.contextmanager
def capture(display: str, window: int, **kw: Any) -> Iterator[X11KeyCapture]:
    cap = X11KeyCapture(display, window, **kw)
    try:
        yield cap
    finally:
        cap.close()


@pytest.mark.xvfb
def test_names_order_and_stamps(display: str, screen: Screen) -> None:
    win = screen.window()
    with capture(display, win.id) as cap:
        assert cap.drain() == []
        sent = []
        for key in ("d", "space", "Return", "k"):
            sent.append(screen.send(key, True))
            sent.append(screen.send(key, False))
        got = _collect(cap, 8)
        assert [(k.name, k.pressed) for k in got] == [
            ("d", True), ("d", False), ("space", True), ("space", False),
            ("return", True), ("return", False), ("k", True), ("k", False)]
        for key, t_sent in zip(got, sent, strict=True):
            assert t_sent < key.t_capture < t_sent + LATE_S, (key, t_sent)
        assert [k.t_capture for k in got] == sorted(k.t_capture for k in got)
        assert cap.drain() == []


@pytest.mark.xvfb
@pytest.mark.parametrize("xkb", [True, False], ids=["xkb", "no-xkb"])
def test_auto_repeat_is_dropped(display: str, screen: Screen, xkb: bool) -> None:
    """A held key repeats (the witness connection sees the repeats); the capture sees one press.

    ``no-xkb``: without XKB's detectable auto-repeat, X sends each repeat as a
    release/press pair at one server time; the presses are dropped, the
    releases are passed on (the game only reads presses).
    """
    win = screen.window(witness=True)
    with capture(display, win.id, xkb=xkb) as cap:
        code = screen.sender.keycode("f")
        seen: list[tuple[int, int]] = []
        t_press = screen.send("f", True)

        def repeated() -> bool:
            seen.extend(screen.witnessed())
            return sum(t == screen.X.KeyPress and c == code for t, c in seen) >= 4

        _until(repeated, "the X server's auto-repeat")
        t_release = screen.send("f", False)
        got: list[XKey] = []

        def released() -> bool:
            got.extend(cap.drain())
            return any(k.t_capture > t_release for k in got)

        _until(released, "the release")
        _until(lambda: not screen.witnessed(), "the witness to go quiet", timeout_s=5)
        got += cap.drain()
        presses = [k for k in got if k.pressed]
        assert [k.name for k in got] == ["f"] * len(got), got
        assert len(presses) == 1 and got[0] == presses[0], got
        assert t_press < presses[0].t_capture < t_press + LATE_S
        assert not got[-1].pressed and t_release < got[-1].t_capture < t_release + LATE_S
        if xkb:
            assert len(got) == 2, got


@pytest.mark.xvfb
def test_a_key_released_in_another_window_presses_anew(display: str, screen: Screen) -> None:
    """Focus leaves while a key is down (its release goes elsewhere): the next press counts."""
    win = screen.window()
    with capture(display, win.id) as cap:
        screen.send("d", True)
        assert _collect(cap, 1)[0].name == "d"
        screen.window()  # takes the focus
        screen.send("d", False)
        screen.sender.focus(win.id)
        t_sent = screen.send("d", True)
        screen.send("d", False)
        got = _collect(cap, 2)
        assert [(k.name, k.pressed) for k in got] == [("d", True), ("d", False)], got
        assert t_sent < got[0].t_capture < t_sent + LATE_S


@pytest.mark.xvfb
def test_a_changed_keymap_names_keys_anew(display: str, screen: Screen) -> None:
    """The keyboard mapping changes while capturing (a layout switch): keys get the new names."""
    win = screen.window()
    dpy = screen.dpy
    code = screen.sender.keycode("q")
    old = dpy.get_keyboard_mapping(code, 1)[0]
    with capture(display, win.id) as cap:
        try:
            dpy.change_keyboard_mapping(code, [(screen.XK.XK_eacute,) * len(old)])
            dpy.sync()
            t_sent = screen.send_code(code, True)
            screen.send_code(code, False)
            got = _collect(cap, 2)
        finally:
            dpy.change_keyboard_mapping(code, [tuple(old)])
            dpy.sync()
        assert [(k.name, k.pressed) for k in got] == [("eacute", True), ("eacute", False)]
        assert t_sent < got[0].t_capture < t_sent + LATE_S
        screen.send("q", True)
        screen.send("q", False)
        assert [(k.name, k.pressed) for k in _collect(cap, 2)] == [("q", True), ("q", False)]


@pytest.mark.xvfb
def test_close_ends_the_process(display: str, screen: Screen) -> None:
    win = screen.window()
    cap = X11KeyCapture(display, win.id)
    pid = cap.pid
    assert pid is not None and not _ended(pid)
    cap.close()
    assert cap.pid is None and _ended(pid)
    assert not Path(f"/proc/{pid}").exists()  # reaped, not left a zombie
    assert cap.drain() == []
    cap.close()  # twice is fine


@pytest.mark.xvfb
def test_process_ends_when_the_pipe_closes(display: str, screen: Screen) -> None:
    win = screen.window()
    with capture(display, win.id) as cap:
        proc = cap._proc
        assert proc is not None and proc.stdin is not None
        proc.stdin.close()  # what the kernel does when the game dies
        _until(lambda: proc.poll() is not None, "the capture process to exit")
        assert proc.returncode == 0
        _until(lambda: cap.drain() == [] and cap.pid is None, "drain to notice")


@pytest.mark.xvfb
def test_process_ends_when_the_game_is_killed(display: str, screen: Screen) -> None:
    """SIGKILL the process that started the capture: the capture process exits by itself."""
    win = screen.window()
    code = ("import sys, time\n"
            "from game.input.x11_keys import start_listener\n"
            "cap = start_listener({'window': int(sys.argv[2])}, sys.argv[1])\n"
            "print(cap.pid, flush=True)\n"
            "time.sleep(600)\n")
    game = subprocess.Popen([sys.executable, "-c", code, display, str(win.id)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert game.stdout is not None
        pid = int(game.stdout.readline())
        assert not _ended(pid)
        os.kill(game.pid, signal.SIGKILL)
        game.wait()
        _until(lambda: _ended(pid), "the orphaned capture process to exit")
    finally:
        if game.poll() is None:
            game.kill()
            game.wait()


@pytest.mark.xvfb
def test_window_destroyed_ends_it_and_a_new_window_is_followed(display: str,
                                                               screen: Screen) -> None:
    """SDL makes a new window when the game goes fullscreen: the capture moves to it."""
    first = screen.window()
    windows = [first.id]
    with capture(display, first.id, current_window=lambda: windows[-1]) as cap:
        old_pid = cap.pid
        assert old_pid is not None
        second = screen.window()
        windows.append(second.id)
        first.destroy()
        screen.dpy.sync()
        _until(lambda: cap.drain() == [] and cap.pid != old_pid, "the capture to restart")
        assert _ended(old_pid)
        assert cap.window_id == second.id
        # the new process announces itself when it watches the window; until then a key
        # could be missed, so tap until one arrives
        got: list[XKey] = []

        def caught() -> bool:
            screen.send("j", True)
            screen.send("j", False)
            got.extend(cap.drain())
            time.sleep(0.02)
            got.extend(cap.drain())
            return bool(got)

        _until(caught, "a key on the new window")
        assert got[0] == XKey(got[0].t_capture, "j", True)
        second.destroy()
        screen.dpy.sync()
        _until(lambda: cap.drain() == [] and cap.pid is None, "the capture to stop")


@pytest.mark.xvfb
def test_start_listener_falls_back_to_none(display: str, screen: Screen) -> None:
    assert start_listener({}, display) is None  # not X11 (no window id)
    assert start_listener({"window": 1}, None) is None  # no display
    win = screen.window()
    win.destroy()
    screen.dpy.sync()
    assert start_listener({"window": win.id}, display) is None  # the process cannot watch it
    win = screen.window()
    cap = start_listener({"window": win.id}, display)
    assert cap is not None
    cap.close()
