"""A kit without hardware: a real mido input port fed from another thread.

:class:`ThreadKit` is a :class:`mido.ports.BaseInput` subclass that behaves
like mido's rtmidi inputs: whoever feeds it runs on their own thread, and a
``callback`` set on the port is called there, as RtMidi's thread would. A
:class:`VirtualCable` stands for the USB cable: unplugging closes the port
and makes opening fail until it is plugged back in. Tests, the MIDI bench and
demos use it on machines with no MIDI system.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

import mido
from mido.ports import BaseInput


class ThreadKit(BaseInput):  # type: ignore[misc]  # mido is untyped
    """An input port whose messages come from :meth:`feed`, called on any thread."""

    def _open(self, **kwargs: Any) -> None:
        self.callback = kwargs.get("callback")

    def _receive(self, block: bool = True) -> None:
        return None  # messages arrive through feed(); receive() reads _messages

    def feed(self, msg: mido.Message) -> None:
        """Deliver ``msg`` now, as the kit's driver would.

        Raises
        ------
        OSError
            When the port is closed (the kit is unplugged).
        """
        if self.closed:
            raise OSError("port closed")
        callback = self.callback
        if callback is not None:
            callback(msg)
        else:
            with self._lock:
                self._messages.append(msg)


class VirtualCable:
    """A kit's cable that a test can pull out and plug back in.

    ``opener`` is what :class:`~game.input.midi_reader.KitReader` calls to
    open the kit: it fails while the cable is out.
    """

    def __init__(self, name: str = "Virtual Kit") -> None:
        self.name = name
        self.plugged = True
        self.port: ThreadKit | None = None
        self._lock = threading.Lock()

    def opener(self) -> ThreadKit:
        with self._lock:
            if not self.plugged:
                raise OSError(f"{self.name} is not connected")
            self.port = ThreadKit(self.name)
            return self.port

    def unplug(self) -> None:
        """Pull the cable: the open port closes; messages sent now are lost."""
        with self._lock:
            self.plugged = False
            port, self.port = self.port, None
        if port is not None:
            port.close()

    def plug(self) -> None:
        """Plug it back in: the next open succeeds."""
        with self._lock:
            self.plugged = True

    def send(self, msg: mido.Message) -> bool:
        """Send ``msg`` down the cable; False when nothing is there to receive it."""
        port = self.port
        if port is None or port.closed:
            return False
        try:
            port.feed(msg)
        except OSError:
            return False
        return True


def play_messages(send: Any, timed: Iterable[tuple[float, mido.Message]], *,
                  start_perf_s: float) -> list[float]:
    """Send each ``(t_s, msg)`` at ``start_perf_s + t_s`` on the perf clock.

    Sleeps until 2 ms before each message, then spins, so sends land within
    tens of microseconds of their times on an idle machine.

    Returns
    -------
    list of float
        The ``perf_counter()`` time each message was actually sent.
    """
    sent: list[float] = []
    perf = time.perf_counter
    for t_s, msg in timed:
        target = start_perf_s + t_s
        while perf() < target - 0.002:
            time.sleep(0.001)
        while perf() < target:
            pass
        sent.append(perf())
        send(msg)
    return sent
