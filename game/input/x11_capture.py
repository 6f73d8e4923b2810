"""The key capture process: stamps a window's key events the moment the X server sends them.

Run by :mod:`game.input.x11_keys` (``python -m game.input.x11_capture DISPLAY WINDOW_ID``);
by hand it needs its stdin kept open (a terminal is fine), since EOF there means "stop".

It opens its own connection to the X server and selects KeyPress and KeyRelease
on the window (core X lets several clients select key events on one window, so
the game's own SDL connection still gets them). From then on it reads the
connection's bytes itself and takes ``time.perf_counter()`` right after each
read, before anything is parsed: python-xlib's event parsing costs ~0.2 ms a
key (more when the process is preempted halfway), which would be added to
every stamp. Each key goes to stdout as one fixed-size :data:`RECORD` (stamp,
keysym, keycode, kind), one ``write`` per record, so the parent sees it as soon
as it reads the pipe. python-xlib still opens the connection, turns on XKB's
detectable auto-repeat and fetches the keymap.

Why a process and not a thread: this loop is the only Python code that runs
between the X server writing an event and the stamp being taken, so the stamp
waits neither for the game's GIL (a frame's draw or flip holds it for
milliseconds) nor for its garbage collector. It starts in ~75 ms (the
interpreter, python-xlib and one connection; nothing from pygame) and sleeps in
``poll`` between keys. Where allowed it runs at real-time priority (else at
nice -10; see :func:`raise_priority`), so that a busy machine does not keep it
waiting for a core when a key arrives.

The process ends by itself when:

* its stdin reaches EOF: the parent closed the pipe or died (the kernel closes
  a dead process's descriptors, SIGKILL included);
* its parent changed (checked at least once a second): the parent died while
  a process it forked still holds the pipe open;
* writing a record fails (the parent closed its end);
* the window is destroyed (a :data:`GONE` record is written first) or the X
  connection is lost.

Only the standard library and python-xlib are imported here; the parent imports
this module for :data:`RECORD` and the kinds without loading python-xlib.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import struct
import sys
import time
from collections import deque
from typing import Any

#: One record: perf_counter stamp (s), keysym (unshifted, 0 if none), X keycode, kind.
#: Native byte order: the reader is the parent, on the same machine.
RECORD = struct.Struct("=dIIB")

RELEASE = 0
PRESS = 1
#: First record: the window's key events are selected; keys from here on are caught.
READY = 2
#: Last record: the window was destroyed.
GONE = 3

#: XKB: "the core keyboard", the ``PerClientFlags`` bit for detectable auto-repeat,
#: the events that announce a new keymap, and the keymap part they are asked for.
_XKB_USE_CORE_KBD = 0x0100
_XKB_DETECTABLE_AUTOREPEAT = 1 << 0
_XKB_NEW_KEYBOARD_NOTIFY_MASK, _XKB_MAP_NOTIFY_MASK = 1 << 0, 1 << 1
_XKB_KEY_SYMS_MASK = 1 << 1

#: How often (s) the loop wakes with nothing to do, to check that its parent is alive.
_PARENT_CHECK_S = 1.0

#: The real-time priority asked for (the lowest; audio servers' threads run above it),
#: else the nice value.
_RT_PRIORITY = 1
_NICE = -10

# The X protocol as this loop speaks it (python-xlib asks for the machine's byte
# order, so "=" is the connection's): what the server sends is 32-byte units,
# replies and generic events longer by 4 * their length field.
_ERROR, _REPLY, _KEY_PRESS, _KEY_RELEASE, _FOCUS_OUT, _DESTROY_NOTIFY = 0, 1, 2, 3, 10, 17
_MAPPING_NOTIFY, _GENERIC_EVENT = 34, 35
_MAPPING_KEYBOARD = 1
_XKB_NEW_KEYBOARD_NOTIFY, _XKB_MAP_NOTIFY = 0, 1  # XKB event subtypes (second byte)
_CHANGE_WINDOW_ATTRIBUTES, _GET_INPUT_FOCUS, _GET_KEYBOARD_MAPPING = 2, 43, 101
_CW_EVENT_MASK = 1 << 11
_KEY_PRESS_MASK, _KEY_RELEASE_MASK, _STRUCTURE_NOTIFY_MASK = 1 << 0, 1 << 1, 1 << 17
_FOCUS_CHANGE_MASK = 1 << 21
_U32 = struct.Struct("=I")


class SetupError(Exception):
    """The window cannot be watched (it does not exist, or the server refused)."""


def xkb_setup(dpy: Any) -> int | None:
    """Detectable auto-repeat and keymap change events from XKB; returns XKB's event code.

    By default X sends each repeat of a held key as a KeyRelease/KeyPress pair,
    which looks like a real re-strike; with XKB's detectable auto-repeat it
    sends KeyPress events only. The flag is per client: it changes nothing for
    the game's own connection. A client that uses XKB no longer gets core
    MappingNotify events, so XKB's NewKeyboardNotify and MapNotify (keysyms)
    are asked for instead. python-xlib has no XKB module, so the requests are
    declared here. Returns None when the server has no XKB (then core
    MappingNotify events come, and repeats are recognised by their pairs).
    """
    from Xlib.protocol import rq  # type: ignore[import-untyped, unused-ignore]

    info = dpy.query_extension("XKEYBOARD")
    if info is None or not info.present:
        return None

    class UseExtension(rq.ReplyRequest):  # type: ignore[misc, unused-ignore]
        _request = rq.Struct(rq.Card8("opcode"), rq.Opcode(0), rq.RequestLength(),
                             rq.Card16("wanted_major"), rq.Card16("wanted_minor"))
        _reply = rq.Struct(rq.Pad(1), rq.Bool("supported"), rq.Card16("sequence_number"),
                           rq.Pad(4), rq.Card16("server_major"), rq.Card16("server_minor"),
                           rq.Pad(20))

    class SelectEvents(rq.Request):  # type: ignore[misc, unused-ignore]
        _request = rq.Struct(rq.Card8("opcode"), rq.Opcode(1), rq.RequestLength(),
                             rq.Card16("device_spec"), rq.Card16("affect_which"),
                             rq.Card16("clear"), rq.Card16("select_all"),
                             rq.Card16("affect_map"), rq.Card16("map"))

    class PerClientFlags(rq.ReplyRequest):  # type: ignore[misc, unused-ignore]
        _request = rq.Struct(rq.Card8("opcode"), rq.Opcode(21), rq.RequestLength(),
                             rq.Card16("device_spec"), rq.Pad(2), rq.Card32("change"),
                             rq.Card32("value"), rq.Card32("ctrls_to_change"),
                             rq.Card32("auto_ctrls"), rq.Card32("auto_ctrls_values"))
        _reply = rq.Struct(rq.Pad(1), rq.Card8("device_id"), rq.Card16("sequence_number"),
                           rq.Pad(4), rq.Card32("supported"), rq.Card32("value"),
                           rq.Card32("auto_ctrls"), rq.Card32("auto_ctrls_values"), rq.Pad(8))

    opcode = info.major_opcode
    if not UseExtension(display=dpy.display, opcode=opcode, wanted_major=1,
                        wanted_minor=0).supported:
        return None
    flags = PerClientFlags(display=dpy.display, opcode=opcode, device_spec=_XKB_USE_CORE_KBD,
                           change=_XKB_DETECTABLE_AUTOREPEAT, value=_XKB_DETECTABLE_AUTOREPEAT,
                           ctrls_to_change=0, auto_ctrls=0, auto_ctrls_values=0)
    if not flags.value & _XKB_DETECTABLE_AUTOREPEAT:
        return None
    events = _XKB_NEW_KEYBOARD_NOTIFY_MASK | _XKB_MAP_NOTIFY_MASK
    SelectEvents(display=dpy.display, opcode=opcode, device_spec=_XKB_USE_CORE_KBD,
                 affect_which=events, clear=0, select_all=events,
                 affect_map=_XKB_KEY_SYMS_MASK, map=_XKB_KEY_SYMS_MASK)
    return int(info.first_event)


def raise_priority() -> str:
    """Run ahead of the game and the X server when a key wakes this process, if allowed.

    On a machine whose cores are busy (the game drawing, the X server taking
    its frames), a woken process at normal priority may wait milliseconds for
    a core before it can take its stamp; bench/input_latency.py measured the
    capture's own share of the error at p99 ~3 ms on 2 cores at normal
    priority, ~0.6 ms at nice -10 and ~0.1 ms with SCHED_FIFO. Asked for only
    when permitted (root, CAP_SYS_NICE, or an rtprio/nice limit such as the
    "audio" group's); otherwise this changes nothing. Harmless: the loop does
    a few microseconds of work per key and sleeps in ``poll`` otherwise, every
    way out of it ends the process, and Linux caps real-time tasks at 95 % of
    each CPU anyway. No CPU affinity: pinned to one of few cores, it would wait
    whenever that core is busy instead of taking whichever is free.

    Returns ``"fifo"``, ``"nice"`` or ``"normal"``.
    """
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(_RT_PRIORITY))
        return "fifo"
    except (OSError, AttributeError):
        pass
    try:
        if os.getpriority(os.PRIO_PROCESS, 0) > _NICE:
            os.setpriority(os.PRIO_PROCESS, 0, _NICE)
        return "nice"
    except (OSError, AttributeError):
        return "normal"


def _stdin_closed() -> bool:
    """Read what poll says is on stdin (the parent sends nothing); True at EOF.

    Only called when poll reported stdin, so the read does not block; stdin is
    not made non-blocking, since a terminal's flags are shared with the shell.
    """
    try:
        return os.read(0, 4096) == b""
    except OSError:
        return True


class KeyStream:
    """A window's key events, framed straight from the X connection's bytes.

    Writes :data:`READY` once the server has processed the event selection,
    then a record per key. Requests it sends itself (raw, in sequence): the
    selection, a round trip to know it took effect, and ``GetKeyboardMapping``
    whenever the keymap changes (XKB's NewKeyboardNotify or MapNotify, or a
    core MappingNotify without XKB). Records wait while a reply is due (a
    round trip, well under a millisecond), so every key is named with the
    keymap it was typed with; their stamps are already taken.

    Parameters
    ----------
    fd : int
        The X connection's socket, set up (python-xlib no longer uses it).
    window_id : int
    keysyms : dict
        Keycode to keysym (unshifted), for every keycode of the server.
    xkb_event : int or None
        XKB's event code with detectable auto-repeat on, else None.
    """

    def __init__(self, fd: int, window_id: int, keysyms: dict[int, int],
                 xkb_event: int | None) -> None:
        self.fd = fd
        self.window_id = window_id
        self.keysyms = keysyms
        self.first_keycode = min(keysyms)
        self.keycodes = max(keysyms) - self.first_keycode + 1
        self.xkb_event = xkb_event
        self.buf = bytearray()
        self.replies: deque[int] = deque()  # the opcodes of requests whose reply is due
        self.waiting: list[tuple[int, float, int]] = []  # (kind, stamp, keycode) to write
        self.held: set[int] = set()
        self.released: dict[int, int] = {}  # keycode: X time of its last release (no XKB)
        self.ready = False
        self.gone = False

    def _request(self, data: bytes, opcode: int) -> None:
        os.write(self.fd, data)
        if opcode != _CHANGE_WINDOW_ATTRIBUTES:
            self.replies.append(opcode)

    def select(self) -> None:
        """Ask for the window's key and structure events, then for a round trip."""
        mask = (_KEY_PRESS_MASK | _KEY_RELEASE_MASK | _STRUCTURE_NOTIFY_MASK
                | _FOCUS_CHANGE_MASK)
        self._request(struct.pack("=BxHIII", _CHANGE_WINDOW_ATTRIBUTES, 4, self.window_id,
                                  _CW_EVENT_MASK, mask), _CHANGE_WINDOW_ATTRIBUTES)
        self._request(struct.pack("=BxH", _GET_INPUT_FOCUS, 1), _GET_INPUT_FOCUS)

    def read(self) -> bool:
        """Read what the socket has (poll said it has something); False when it closed."""
        data = os.read(self.fd, 65536)
        # The stamp: after the read that brought these bytes (so never before
        # they arrived), before any of them is looked at.
        t = time.perf_counter()
        if not data:
            return False
        buf = self.buf
        buf += data
        off = 0
        while len(buf) - off >= 32:
            kind = buf[off] & 0x7F  # the high bit marks a SendEvent
            size = 32
            if kind in (_REPLY, _GENERIC_EVENT):
                size += 4 * _U32.unpack_from(buf, off + 4)[0]
                if len(buf) - off < size:
                    break
            self._unit(kind, off, t)
            off += size
            if self.gone:
                return True
        del buf[:off]
        return True

    def _unit(self, kind: int, off: int, t: float) -> None:
        buf = self.buf
        if kind == _KEY_PRESS:
            code = buf[off + 1]
            if code in self.held:  # auto-repeat (detectable: presses only)
                return
            self.held.add(code)
            if self.xkb_event is None and self.released.get(code) == _U32.unpack_from(
                    buf, off + 4)[0]:
                return  # auto-repeat without XKB: a release and a press at one X time
            self._key(PRESS, t, code)
        elif kind == _KEY_RELEASE:
            code = buf[off + 1]
            if code not in self.held:  # pressed before the capture started
                return
            self.held.discard(code)
            self.released[code] = _U32.unpack_from(buf, off + 4)[0]
            self._key(RELEASE, t, code)
        elif kind == _FOCUS_OUT:
            # keys still down are released elsewhere: their next press is a real one
            self.held.clear()
        elif kind == _DESTROY_NOTIFY:
            if _U32.unpack_from(buf, off + 8)[0] == self.window_id:
                self._flush()
                _write(GONE, t)
                self.gone = True
        elif kind == self.xkb_event:
            if buf[off + 1] in (_XKB_NEW_KEYBOARD_NOTIFY, _XKB_MAP_NOTIFY):
                self._ask_keymap()
        elif kind == _MAPPING_NOTIFY:
            if buf[off + 4] == _MAPPING_KEYBOARD:
                self._ask_keymap()
        elif kind in (_REPLY, _ERROR):
            if kind == _ERROR and buf[off + 10] == _CHANGE_WINDOW_ATTRIBUTES:
                raise SetupError(f"window {self.window_id:#x}: X error {buf[off + 1]}")
            if not self.replies:
                return
            opcode = self.replies.popleft()
            if kind == _REPLY and opcode == _GET_KEYBOARD_MAPPING:
                per = buf[off + 1]
                count = _U32.unpack_from(buf, off + 4)[0] // max(per, 1)
                for i in range(count):
                    self.keysyms[self.first_keycode + i] = _U32.unpack_from(
                        buf, off + 32 + 4 * i * per)[0]
            elif opcode == _GET_INPUT_FOCUS and not self.ready:
                self.ready = True
                _write(READY, t)
            if not self.replies:
                self._flush()

    def _ask_keymap(self) -> None:
        """Ask for the whole keymap again (one ~7 kB reply; keymaps change rarely)."""
        self._request(struct.pack("=BxHBBxx", _GET_KEYBOARD_MAPPING, 2, self.first_keycode,
                                  self.keycodes), _GET_KEYBOARD_MAPPING)

    def _key(self, kind: int, t: float, code: int) -> None:
        if self.replies:  # not ready yet, or a new keymap is on its way
            self.waiting.append((kind, t, code))
        else:
            _write(kind, t, self.keysyms.get(code, 0), code)

    def _flush(self) -> None:
        for kind, t, code in self.waiting:
            _write(kind, t, self.keysyms.get(code, 0), code)
        self.waiting.clear()


def _write(kind: int, stamp: float, keysym: int = 0, keycode: int = 0) -> None:
    # os.write, not sys.stdout: unbuffered, one system call per record, and a
    # write of less than PIPE_BUF bytes is never split by the pipe.
    os.write(1, RECORD.pack(stamp, keysym, keycode, kind))


def capture(display_name: str, window_id: int, *, xkb: bool = True) -> int:
    """Capture the window's keys until told to stop; returns the exit status."""
    from Xlib import display as xdisplay  # type: ignore[import-untyped, unused-ignore]

    parent = os.getppid()
    try:
        dpy = xdisplay.Display(display_name)
    except Exception as e:  # no display: the parent falls back
        print(f"x11_capture: cannot open display {display_name}: {e}", file=sys.stderr)
        return 1
    try:
        try:
            xkb_event = xkb_setup(dpy) if xkb else None
            info = dpy.display.info
            keysyms = {code: int(dpy.keycode_to_keysym(code, 0))
                       for code in range(info.min_keycode, info.max_keycode + 1)}
            dpy.sync()
        except Exception as e:  # an X error (python-xlib raises many kinds)
            raise SetupError(f"window {window_id:#x} on {display_name}: {e}") from e
        # From here on python-xlib neither reads nor writes this connection.
        stream = KeyStream(dpy.fileno(), window_id, keysyms, xkb_event)
        stream.select()
        raise_priority()
        poller = select.poll()
        poller.register(stream.fd, select.POLLIN)
        poller.register(0, select.POLLIN)  # EOF (or POLLHUP): the parent is gone or said stop
        while not stream.gone:
            for fd, _ in poller.poll(_PARENT_CHECK_S * 1000):
                if fd == stream.fd:
                    if not stream.read():
                        return 0  # the X server went away
                elif _stdin_closed():
                    return 0
            if os.getppid() != parent:
                return 0
        return 0
    except SetupError as e:
        print(f"x11_capture: cannot watch {e}", file=sys.stderr)
        return 1
    except (BrokenPipeError, ConnectionError):
        return 0  # the parent stopped reading, or the X server went away
    finally:
        with contextlib.suppress(Exception):
            dpy.close()


def main(argv: list[str] | None = None) -> int:
    """``DISPLAY WINDOW_ID [--no-xkb]``: capture until stdin closes or the window goes."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        print("usage: python -m game.input.x11_capture DISPLAY WINDOW_ID [--no-xkb]",
              file=sys.stderr)
        return 2
    # Ctrl+C in the game's terminal reaches this process too: the game handles
    # it and then closes the pipe, which ends this loop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return capture(args[0], int(args[1], 0), xkb="--no-xkb" not in args[2:])


if __name__ == "__main__":
    sys.exit(main())
