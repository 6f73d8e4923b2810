"""MIDI input ports: which exist, and opening one by the name a player gives.

A port is named as mido names it (``"TD-17:TD-17 MIDI 1 20:0"``), or as
``tcp:HOST:PORT`` for a kit whose messages come from a mido socket server
(:class:`mido.sockets.PortServer`, e.g. ``mido-serve`` on another computer).
Device ports need the python-rtmidi backend (the ``[midi]`` extra) and a MIDI
system (ALSA on Linux); socket ports need neither.
"""

from __future__ import annotations

import os
import re
import struct
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from game.util.errors import GameError

_fcntl: ModuleType | None
_termios: ModuleType | None
try:  # POSIX: a socket can say how many bytes wait (TcpKitPort.available)
    import fcntl as _fcntl
    import termios as _termios
except ImportError:  # Windows
    _fcntl = _termios = None

INSTALL_COMMAND = "pip install 'drum-diplomacy[midi]'"
TCP_PREFIX = "tcp:"


class MidiUnavailable(GameError):
    """No MIDI backend, or the MIDI system cannot be opened."""


@dataclass(frozen=True, slots=True)
class MidiStatus:
    """What the MIDI layer can do on this machine.

    Attributes
    ----------
    available : bool
        True when device ports can be listed and opened.
    reason : str
        When not available, one plain sentence saying why and what to do.
    ports : tuple of str
        Input port names (empty when not available).
    """

    available: bool
    reason: str
    ports: tuple[str, ...]


def midi_status() -> MidiStatus:
    """List the input ports, or say in one sentence why there are none.

    Never raises: a missing backend or MIDI system is a status, not an error.
    """
    try:
        import rtmidi  # noqa: F401  (python-rtmidi, mido's default backend)
    except ImportError:
        return MidiStatus(False, "MIDI kits need the python-rtmidi backend, which is not "
                          f"installed: run {INSTALL_COMMAND} (tcp:HOST:PORT kits work "
                          "without it).", ())
    if sys.platform.startswith("linux") and not os.path.exists("/dev/snd/seq"):
        # (asking rtmidi would print ALSA errors on stderr and fail the same way)
        return MidiStatus(False, "MIDI ports are unavailable: this computer has no ALSA "
                          "sequencer (/dev/snd/seq); load it with 'sudo modprobe snd-seq' "
                          "(kits on another computer still work as tcp:HOST:PORT).", ())
    try:
        import mido

        names = tuple(mido.get_input_names())
    except Exception as exc:  # rtmidi raises SystemError without an ALSA sequencer
        return MidiStatus(False, "The MIDI system could not be opened "
                          f"({_short(exc)}); on Linux load the ALSA sequencer "
                          "(modprobe snd-seq) — tcp:HOST:PORT kits still work.", ())
    return MidiStatus(True, "", names)


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:120]


def parse_tcp(spec: str) -> tuple[str, int] | None:
    """``("HOST", PORT)`` for ``"tcp:HOST:PORT"``; None for a device port name.

    Raises
    ------
    GameError
        For a ``tcp:`` name without a valid host and port number.
    """
    if not spec.startswith(TCP_PREFIX):
        return None
    rest = spec[len(TCP_PREFIX):]
    host, sep, port = rest.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise GameError(f"bad MIDI socket address {spec!r}: expected tcp:HOST:PORT, "
                        "e.g. tcp:127.0.0.1:8080")
    return host, int(port)


def open_port(spec: str) -> Any:
    """Open input port ``spec`` (a device name or ``tcp:HOST:PORT``).

    Returns
    -------
    port
        A :class:`TcpKitPort` for ``tcp:``, else a mido input.

    Raises
    ------
    MidiUnavailable
        No backend or MIDI system (message from :func:`midi_status`).
    GameError
        No such port (the message lists the ports there are), or the socket
        server refused the connection.
    """
    address = parse_tcp(spec)
    if address is not None:
        try:
            return TcpKitPort(*address)
        except OSError as exc:
            raise GameError(f"cannot connect to the MIDI socket server at {spec[4:]}: "
                            f"{exc.strerror or exc}") from None
    status = midi_status()
    if not status.available:
        raise MidiUnavailable(status.reason)
    name = _match_name(spec, status.ports)
    import mido

    try:
        return mido.open_input(name)
    except Exception as exc:
        raise GameError(f"cannot open MIDI port {name!r}: {_short(exc)}") from None


_ALSA_NUMBERS = re.compile(r"\s+\d+:\d+$")


def without_alsa_numbers(name: str) -> str:
    """A port name without ALSA's trailing ``client:port`` numbers (they change
    with the USB socket and the boot)."""
    return _ALSA_NUMBERS.sub("", name.strip())


def _bare(name: str) -> str:
    """:func:`without_alsa_numbers`, lower case: the name two ports are compared by."""
    return without_alsa_numbers(name).lower()


def _match_name(spec: str, names: tuple[str, ...]) -> str:
    """The port called ``spec``, or the one port whose name contains it.

    ALSA's ``client:port`` numbers at the end of a name change when the kit is
    plugged into another socket or the computer restarts, so they are ignored.
    """
    if spec in names:
        return spec
    hits = [n for n in names if _bare(spec) in _bare(n)]
    if len(hits) == 1:
        return hits[0]
    there = ", ".join(repr(n) for n in names) or "none"
    if hits:
        raise GameError(f"MIDI port {spec!r} matches several ports: "
                        f"{', '.join(map(repr, hits))}")
    raise GameError(f"no MIDI input port {spec!r}; the ports are: {there}")


def same_port(a: str, b: str) -> bool:
    """Whether two port names name the same kit (ALSA's numbers aside)."""
    return a == b or (not a.startswith(TCP_PREFIX) and _bare(a) == _bare(b))


def resolve_port_name(spec: str) -> str:
    """The full name of device port ``spec`` if it is plugged in, else ``spec``."""
    if parse_tcp(spec) is not None:
        return spec
    status = midi_status()
    if status.available:
        try:
            return _match_name(spec, status.ports)
        except GameError:
            pass
    return spec


def port_present(spec: str) -> bool:
    """Whether device port ``spec`` is still listed (a kit can be unplugged)."""
    status = midi_status()
    if not status.available:
        return False
    try:
        _match_name(spec, status.ports)
    except GameError:
        return False
    return True


class TcpKitPort:
    """A connection to a mido socket server (:class:`mido.sockets.PortServer`).

    The server sends raw MIDI bytes; they are parsed with :class:`mido.Parser`.
    Unlike :class:`mido.sockets.SocketPort`, which reads a byte at a time with
    a ``select`` per byte, this reads whatever has arrived in one ``recv``, so
    a flood of messages costs one system call per burst.
    """

    def __init__(self, host: str, port: int, *, timeout_s: float = 3.0) -> None:
        import socket

        import mido

        self.name = f"tcp:{host}:{port}"
        self.closed = False
        self.sock = socket.create_connection((host, port), timeout=timeout_s)
        self.sock.settimeout(None)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # a peer that vanishes (Wi-Fi gone, computer asleep) is noticed in ~5 s
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for name, value in (("TCP_KEEPIDLE", 2), ("TCP_KEEPINTVL", 1), ("TCP_KEEPCNT", 3),
                            ("TCP_USER_TIMEOUT", 5000)):
            if hasattr(socket, name):
                self.sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)
        self._parser = mido.Parser()

    def fileno(self) -> int:
        return self.sock.fileno()

    def available(self) -> int:
        """Bytes that have arrived and not been read (65536 where that cannot be asked)."""
        if _fcntl is None or _termios is None:
            return 65536
        try:
            raw = _fcntl.ioctl(self.sock.fileno(), _termios.FIONREAD, b"\0\0\0\0")
            return int(struct.unpack("i", raw)[0])
        except OSError:
            return 65536

    def read_pending(self, max_bytes: int = 65536) -> list[Any]:
        """The messages in up to ``max_bytes`` of what has arrived (when readable).

        An empty read means the server closed the connection: the port closes.
        """
        try:
            data = self.sock.recv(max(1, max_bytes))
        except OSError:
            data = b""
        if not data:
            self.close()
            return []
        self._parser.feed(data)
        out = []
        while (msg := self._parser.get_message()) is not None:
            out.append(msg)
        return out

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.sock.close()
