"""Read a kit's port on its own thread, stamping each message as it arrives.

:class:`KitReader` keeps one kit connected for a whole song: it opens the
port, hands every message to ``on_message(msg, t_capture)`` with
``t_capture = time.perf_counter()`` read first thing on arrival, notices when
the kit goes away (cable pulled, socket closed, port no longer listed) and
opens it again when it comes back, without the game doing anything.

Two kinds of port are read:

* ports that call back (mido's rtmidi inputs, or any
  :class:`mido.ports.BaseInput` with a ``callback`` attribute): the callback
  runs on the port's own thread and stamps there;
* socket ports (:class:`~game.input.midi_ports.TcpKitPort`, a connection to
  a mido socket server): this thread waits in ``select`` on the socket,
  stamps when bytes arrive, then parses them.
"""

from __future__ import annotations

import contextlib
import select
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from game.input.midi_ports import TCP_PREFIX, open_port, port_present

CONNECTING = "connecting"
CONNECTED = "connected"
DISCONNECTED = "disconnected"
CLOSED = "closed"

#: How often a lost kit is looked for again, and a device port's presence checked.
RETRY_S = 0.5
#: Longest wait in ``select`` before checking for close (a socket port).
SELECT_S = 0.1

OnMessage = Callable[[Any, float], None]
OnStatus = Callable[[str, str], None]


class KitReader:
    """One kit's port, read on a thread, reconnected when it comes back.

    Parameters
    ----------
    spec : str
        Port name or ``tcp:HOST:PORT``.
    on_message : callable
        ``f(msg, t_capture)`` for every message, on the reading thread. It
        must be quick (a flood of 1,000 messages a second must not back up).
    on_status : callable, optional
        ``f(status, why)`` when the status changes (connected, disconnected...).
    opener : callable, optional
        ``f() -> port`` instead of :func:`open_port` (a test kit, a virtual cable).
    retry_s : float
        Seconds between attempts to find a lost kit.
    """

    def __init__(self, spec: str, on_message: OnMessage, *, on_status: OnStatus | None = None,
                 opener: Callable[[], Any] | None = None, retry_s: float = RETRY_S) -> None:
        self.spec = spec
        self.on_message = on_message
        self.on_status = on_status
        self.retry_s = retry_s
        self._opener = opener or (lambda: open_port(spec))
        # (a bad tcp: address is no device either: opening fails and says why, every retry)
        self._is_device = opener is None and not spec.startswith(TCP_PREFIX)
        self.handler_errors = 0
        self.status = CONNECTING
        self.why = ""
        self.connects = 0
        self.received = 0
        self._stop = threading.Event()
        self._port: Any = None
        self._thread = threading.Thread(target=self._run, name=f"kit {spec}", daemon=True)

    # public --------------------------------------------------------------------
    def start(self) -> KitReader:
        """Start reading (returns self)."""
        self._thread.start()
        return self

    def wait_connected(self, timeout_s: float) -> bool:
        """Block until connected (True) or ``timeout_s`` passed (False)."""
        deadline = time.monotonic() + timeout_s
        while self.status != CONNECTED and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.status == CONNECTED

    def close(self) -> None:
        """Stop reading and close the port."""
        self._stop.set()
        port = self._port
        if port is not None and hasattr(port, "callback"):
            with contextlib.suppress(Exception):
                port.callback = None
        self._thread.join(timeout=2.0)
        self._set(CLOSED, "")

    @property
    def connected(self) -> bool:
        return self.status == CONNECTED

    # thread --------------------------------------------------------------------
    def _set(self, status: str, why: str) -> None:
        if status == self.status and why == self.why:
            return
        self.status, self.why = status, why
        if self.on_status is not None:
            with contextlib.suppress(Exception):
                self.on_status(status, why)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                port = self._opener()
            except Exception as exc:
                self._set(DISCONNECTED, str(exc) or type(exc).__name__)
                self._stop.wait(self.retry_s)
                continue
            self._port = port
            self.connects += 1
            try:
                if hasattr(port, "read_pending"):
                    why = self._pump_socket(port)
                else:
                    why = self._pump_callback(port)
            except Exception as exc:  # a broken port is an unplugged kit
                why = f"the kit stopped answering ({exc or type(exc).__name__})"
            finally:
                self._port = None
                with contextlib.suppress(Exception):
                    port.close()
            if not self._stop.is_set():
                self._set(DISCONNECTED, why)
                self._stop.wait(self.retry_s)

    def _deliver(self, msg: Any, t: float) -> None:
        """Hand one message on; a failing handler costs that message, not the kit."""
        try:
            self.on_message(msg, t)
        except Exception as exc:
            self.handler_errors += 1
            if self.handler_errors <= 3:
                print(f"drum-diplomacy: kit {self.spec}: a message was lost: {exc!r}",
                      file=sys.stderr)

    def _pump_socket(self, port: Any) -> str:
        fd = port.fileno()
        deliver = self._deliver
        perf = time.perf_counter
        self._set(CONNECTED, "")
        while not self._stop.is_set():
            ready, _, _ = select.select([fd], [], [], SELECT_S)
            if not ready:
                continue
            # count what has arrived, then stamp: every byte read was there before
            # the stamp (bytes that come in meanwhile wait for the next stamp)
            n = port.available()
            t = perf()
            for msg in port.read_pending(n):
                self.received += 1
                deliver(msg, t)
            if port.closed:
                return "the kit's connection closed"
        return ""

    def _pump_callback(self, port: Any) -> str:
        deliver = self._deliver
        perf = time.perf_counter

        def on_raw(msg: Any) -> None:
            t = perf()
            self.received += 1
            deliver(msg, t)

        port.callback = on_raw
        # only now: a stroke sent once "connected" is reported must be heard
        self._set(CONNECTED, "")
        while not self._stop.wait(self.retry_s if self._is_device else 0.02):
            if port.closed:
                return "the kit's port closed"
            if self._is_device and not port_present(self.spec):
                return "the kit was unplugged"
        return ""
