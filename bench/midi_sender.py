"""Play MIDI messages from a mido socket server at set times: a kit on "another computer".

Used by the MIDI tests and ``bench/midi_latency.py``, in its own process so
its precise waiting never competes with the game for Python's GIL, as a real
kit (or ``mido-serve`` on another machine) would not.

Input is a JSON file ``{"start_perf_s": S, "messages": [[t_s, "90 26 64"], ...]}``
with ``t_s`` relative to ``start_perf_s`` on the shared ``perf_counter``
clock (``CLOCK_MONOTONIC`` on Linux, the same in every process), or
``"start_perf_s": null`` to start 0.5 s after the first client connects and
write that start time first; or ``"start_file": PATH`` to wait until PATH
holds the start time (the game prints its song clock's zero; a test writes it).
The server listens on 127.0.0.1:PORT, waits for one client, sends, and
writes ``{"start_perf_s": S, "sent_perf_s": [...]}``
(the time each message was handed to the socket; messages at one time go in
one write, as a kit sends a chord) to the output file.

Usage: python bench/midi_sender.py PORT IN.json OUT.json
"""

from __future__ import annotations

import json
import socket
import sys
import time
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str]) -> int:
    port, src, out = int(argv[0]), argv[1], argv[2]
    job = json.loads(Path(src).read_text(encoding="utf-8"))
    import mido
    from mido.sockets import PortServer

    # raw bytes, grouped by time: a kit sends a chord's messages back to back
    groups: list[tuple[float, bytes, int]] = []
    for t, h in job["messages"]:
        data = bytes(mido.Message.from_hex(h).bin())
        if groups and groups[-1][0] == float(t):
            groups[-1] = (groups[-1][0], groups[-1][1] + data, groups[-1][2] + 1)
        else:
            groups.append((float(t), data, 1))
    server = PortServer("127.0.0.1", port)
    print("listening", flush=True)
    conn = server.accept()
    conn._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    start = job.get("start_perf_s")
    start_file = job.get("start_file")
    if start_file:  # someone else learns the song clock and writes its zero here
        while True:
            try:
                start = float(Path(start_file).read_text(encoding="utf-8"))
                break
            except (OSError, ValueError):
                time.sleep(0.001)
    elif start is None:
        start = time.perf_counter() + 0.5
    sent: list[float] = []
    perf = time.perf_counter
    sock = conn._socket
    for t_s, data, count in groups:
        target = start + t_s
        # sleep to within 0.4 ms, then spin: a 1 kHz flood must not keep a core busy
        while perf() < target - 0.0004:
            time.sleep(0.0001)
        while perf() < target:
            pass
        now = perf()
        sock.sendall(data)
        sent.extend([now] * count)
    time.sleep(0.2)
    Path(out).write_text(json.dumps({"start_perf_s": start, "sent_perf_s": sent}),
                         encoding="utf-8")
    conn.close()
    server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
