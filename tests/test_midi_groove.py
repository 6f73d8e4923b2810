"""Real TD-11 performances replayed through a real port, in real time.

Every performance of ``../shared/data/groove`` (40 takes, CC BY 4.0) is sent
message by message — notes, note-offs and the CC4 hi-hat pedal — at its own
times from a mido socket server, and read by the game's kit layer (a
:class:`KitPlayer` on ``tcp:127.0.0.1:PORT`` with the Roland map). Up to 16
takes play at once, each on its own MIDI channel, so a batch is a dense
stream (hundreds of messages a second) and CI replays the first
:data:`SECONDS` of every take in three batches. ``bench/midi_latency.py
--groove-seconds 0`` replays them whole.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import mido
import pytest
from groove_data import groove_files, needs_groove
from mido.sockets import PortServer

from game.engine.voices import KEYBOARD_5, Voice
from game.formats.kitmap import load_kitmap
from game.input.virtual_kit import VirtualCable, play_messages
from game.live.kit_player import KitPlayer, KitSetup

pytestmark = [pytest.mark.groove, pytest.mark.slow, needs_groove]

SECONDS = 9.0
BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))
from midi_sender import free_port as _free_port  # noqa: E402

V = Voice

#: The TD-11/TD-17 factory note map, written out here independently of the
#: game's kit map file (head/edge, head/rim pairs).
ROLAND = {
    35: V.KICK, 36: V.KICK, 38: V.SNARE, 40: V.RIMSHOT, 37: V.CROSS_STICK,
    42: V.HIHAT_CLOSED, 22: V.HIHAT_CLOSED, 46: V.HIHAT_OPEN, 26: V.HIHAT_OPEN,
    44: V.HIHAT_PEDAL, 48: V.TOM_HIGH, 50: V.TOM_HIGH, 45: V.TOM_MID, 47: V.TOM_MID,
    43: V.TOM_FLOOR, 58: V.TOM_FLOOR, 41: V.TOM_FLOOR, 49: V.CRASH, 55: V.CRASH,
    57: V.CRASH, 52: V.CRASH, 51: V.RIDE, 59: V.RIDE, 53: V.RIDE_BELL,
}
#: An open hi-hat (46/26) with the pedal at least this far down is half-open.
HALF_FROM = 30


def _take(path, channel: int) -> list[tuple[float, mido.Message]]:
    """The take's channel messages, moved to ``channel``, up to SECONDS."""
    out, t = [], 0.0
    for msg in mido.MidiFile(path):
        t += msg.time
        if t > SECONDS:
            break
        if msg.is_meta or not hasattr(msg, "channel"):
            continue
        out.append((t, msg.copy(channel=channel)))
    return out


def _expected(timed: list[tuple[float, mido.Message]]) -> list[tuple[float, int, int, Voice]]:
    """(time, channel, note, voice) of every stroke, by the Roland table and the pedal."""
    pedal: dict[int, int] = {}
    out = []
    for t, msg in timed:
        if msg.type == "control_change" and msg.control == 4:
            pedal[msg.channel] = msg.value
        elif msg.type == "note_on" and msg.velocity > 0:
            voice = ROLAND[msg.note]
            p = pedal.get(msg.channel)
            if voice is V.HIHAT_OPEN and p is not None and p >= HALF_FROM:
                voice = V.HIHAT_HALF
            out.append((t, msg.channel, msg.note, voice))
    return out


def run_sender(timed: list[tuple[float, mido.Message]], tmp: Path) -> tuple[int, Any]:
    """Start ``bench/midi_sender.py`` (its own process) serving ``timed``; (port, process)."""
    port = _free_port()
    job = tmp / "job.json"
    job.write_text(json.dumps({"start_perf_s": None,
                               "messages": [[t, m.hex()] for t, m in timed]}))
    proc = subprocess.Popen([sys.executable, str(BENCH / "midi_sender.py"), str(port),
                             str(job), str(tmp / "sent.json")], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "listening"
    return port, proc


def sender_result(proc: Any, tmp: Path, timeout_s: float) -> tuple[float, list[float]]:
    """Wait for the sender; (its start time, each message's send time), perf seconds."""
    assert proc.wait(timeout=timeout_s) == 0
    out = json.loads((tmp / "sent.json").read_text())
    return out["start_perf_s"], out["sent_perf_s"]


def _replay(batch: list, tmp: Path) -> tuple[list, list, list[float], list]:
    """Send the batch's takes through a socket port; what the kit player judged."""
    timed = sorted((x for i, path in enumerate(batch) for x in _take(path, i)),
                   key=lambda x: x[0])
    port, proc = run_sender(timed, tmp)
    events, captures = [], []
    lock = threading.Lock()

    def feed(e):
        with lock:
            events.append(e)

    kit = KitPlayer(1, KitSetup(f"tcp:127.0.0.1:{port}", load_kitmap("roland")), KEYBOARD_5,
                    to_song_time=lambda t: t, feed=feed, capture=captures.append)
    kit.start()
    try:
        assert kit.reader.wait_connected(5.0)
        start, sent = sender_result(proc, tmp, SECONDS + 20)
        time.sleep(0.1)
    finally:
        kit.close()
        if proc.poll() is None:
            proc.kill()
    events = [replace(e, time_s=e.time_s - start) for e in events]
    return events, captures, [x - start for x in sent], timed


@pytest.mark.parametrize("batch_no", [0, 1, 2])
def test_groove_takes_through_a_socket_port(batch_no: int, tmp_path: Path) -> None:
    files = groove_files()
    assert len(files) == 40
    batch = files[batch_no * 16:(batch_no + 1) * 16]
    events, captures, sent_s, timed = _replay(batch, tmp_path)
    expected = _expected(timed)
    # every stroke came through, as the voice the Roland map and the pedal say
    assert len(events) == len(expected), (len(events), len(expected))
    note_caps = [c for c in captures if c.note is not None]
    assert len(note_caps) == len(expected)
    got_voices = [e.voice for e in events]
    assert got_voices == [v for _, _, _, v in expected]
    assert all(e.source == "midi" and e.player == 1 for e in events)
    assert all(e.lane == KEYBOARD_5.lane_of(e.voice) for e in events)
    half = sum(v is V.HIHAT_HALF for v in got_voices)
    opened = sum(v is V.HIHAT_OPEN for v in got_voices)
    # judged at arrival: never before the send
    note_sent = [s for s, (_, m) in zip(sent_s, timed, strict=True)
                 if m.type == "note_on" and m.velocity > 0]
    vs_file = [abs(e.time_s - t) * 1e3 for e, (t, *_) in zip(events, expected, strict=True)]
    vs_sent = [(e.time_s - s) * 1e3 for e, s in zip(events, note_sent, strict=True)]
    within = sum(d <= 1.0 for d in vs_file) / len(vs_file)
    print(f"batch {batch_no}: {len(events)} strokes ({opened} open, {half} half-open hats), "
          f"|judged - file| median {statistics.median(vs_file):.3f} ms, "
          f"{within:.1%} within 1 ms; judged - sent median {statistics.median(vs_sent):.3f} ms")
    assert half > 0
    assert min(vs_sent) >= -0.05  # never stamped before it was sent
    # (a sanity bound: how fast a socket wakes a thread is this machine's business,
    # measured in bench/midi_latency.py; the precise timing test is the next one)
    assert statistics.median(vs_sent) <= 5.0


def test_all_takes_at_once_on_forty_kits_judged_within_a_millisecond() -> None:
    """All 40 takes at once, each on its own kit (a real mido port fed from this
    thread, as a driver's thread would): judged time = the file's time, to 1 ms.

    The voices must be right every time; the timing is given a second try when the
    first was spoiled by the machine (a 2-core VM whose host steals the CPU for tens
    of milliseconds at a time starves the sending thread, not the layer).
    """
    for attempt in (1, 2):
        try:
            _forty_kits()
            return
        except _TimingSpoiled as exc:
            if attempt == 2:
                raise AssertionError(str(exc)) from None
            print(f"timing spoiled ({exc}); once more")


class _TimingSpoiled(Exception):
    pass


def _forty_kits() -> None:
    files = groove_files()
    cables = [VirtualCable(f"kit {i}") for i in range(len(files))]
    events: list[list] = [[] for _ in files]
    t0 = [0.0]
    kits = [KitPlayer(1, KitSetup(f"kit {i}", load_kitmap("roland")), KEYBOARD_5,
                      to_song_time=lambda t: t - t0[0], feed=events[i].append,
                      opener=cables[i].opener) for i in range(len(files))]
    timed = sorted(((t, i, m) for i, path in enumerate(files) for t, m in _take(path, 9)),
                   key=lambda x: x[0])
    for kit in kits:
        kit.start()
    gc.collect()
    gc.freeze()  # as the game does before a song (app.realtime.settle_for_realtime)
    try:
        assert all(kit.reader.wait_connected(5.0) for kit in kits)
        t0[0] = time.perf_counter() + 0.2
        sent = play_messages(lambda im: cables[im[0]].send(im[1]),
                             [(t, (i, m)) for t, i, m in timed], start_perf_s=t0[0])
    finally:
        gc.unfreeze()
        for kit in kits:
            kit.close()
    vs_sent, vs_file, on_time = [], [], []
    for i in range(len(files)):
        mine = [(t, m, s) for (t, j, m), s in zip(timed, sent, strict=True) if j == i]
        expected = _expected([(t, m) for t, m, _ in mine])
        assert [e.voice for e in events[i]] == [v for *_, v in expected]
        strokes = [(t, s) for t, m, s in mine if m.type == "note_on" and m.velocity > 0]
        for e, (t, s) in zip(events[i], strokes, strict=True):
            vs_sent.append(abs(e.time_s - (s - t0[0])) * 1e3)
            vs_file.append(abs(e.time_s - t) * 1e3)
            if abs(s - t0[0] - t) <= 0.5e-3:  # this stroke was sent on time
                on_time.append(vs_file[-1])
    vs_sent.sort()
    p99 = vs_sent[int(0.99 * len(vs_sent))]
    within = sum(d <= 1.0 for d in vs_file) / len(vs_file)
    print(f"40 kits: {len(vs_sent)} strokes, |judged - sent| median "
          f"{statistics.median(vs_sent):.4f} ms, p99 {p99:.4f} ms; |judged - file| median "
          f"{statistics.median(vs_file):.4f} ms, {within:.1%} within 1 ms; of the "
          f"{len(on_time)} sent on time, worst {max(on_time):.4f} ms")
    # the layer adds next to nothing between a message entering the port and its judged
    # time; every stroke the sender got out on time is judged at the file's time within
    # 1 ms (the rest were late leaving this test's sending thread on a loaded VM)
    timing_ok = (p99 <= 1.0 and statistics.median(vs_file) <= 0.5
                 and len(on_time) >= 0.5 * len(vs_file)
                 and sum(d <= 1.0 for d in on_time) >= 0.99 * len(on_time))
    if not timing_ok:
        raise _TimingSpoiled(f"p99 {p99:.3f} ms, median vs file "
                             f"{statistics.median(vs_file):.3f} ms, on time {len(on_time)}")


def test_pedal_decides_open_or_half_open() -> None:
    """The same note 46 is open or half-open by the CC4 sent just before it."""
    port = _free_port()
    server = PortServer("127.0.0.1", port)
    events: list = []
    kit = KitPlayer(0, KitSetup(f"tcp:127.0.0.1:{port}", load_kitmap("roland")), KEYBOARD_5,
                    to_song_time=lambda t: t, feed=events.append)
    kit.start()
    conn = server.accept()
    try:
        assert kit.reader.wait_connected(5.0)
        for pedal in (0, 10, 29, 30, 60, 90):
            conn.send(mido.Message("control_change", control=4, value=pedal, channel=9))
            conn.send(mido.Message("note_on", note=46, velocity=80, channel=9))
            time.sleep(0.03)
        time.sleep(0.2)
    finally:
        kit.close()
        conn.close()
        server.close()
    assert [e.voice for e in events] == [V.HIHAT_OPEN] * 3 + [V.HIHAT_HALF] * 3
