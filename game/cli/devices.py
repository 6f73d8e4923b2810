"""``devices``: list MIDI input ports, or watch what a kit sends."""

from __future__ import annotations

import argparse
import time
from typing import Any

from game.cli.common import print_json


def register(sub: Any) -> None:
    """Add the subcommand."""
    p = sub.add_parser("devices", help="list MIDI kits (input ports)",
                       description="List the MIDI input ports a kit can be played on "
                                   "(use one as --p1/--p2 midi:PORT). Kits on another "
                                   "computer are played as midi:tcp:HOST:PORT. With "
                                   "--monitor, print what a kit sends and how it is read.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--monitor", metavar="PORT",
                   help="print every message from PORT (a port name or tcp:HOST:PORT)")
    p.add_argument("--kit-map", default=None, metavar="MAP",
                   help="kit map for --monitor (default: the kit's saved profile)")
    p.add_argument("--seconds", type=float, default=None, metavar="S",
                   help="stop monitoring after S seconds (default: until Ctrl+C)")
    p.set_defaults(func=run_devices)


def run_devices(args: argparse.Namespace) -> int:
    """List the ports (always exit 0: no MIDI is a fact, not a failure) or monitor one."""
    from game.input.midi_ports import midi_status

    if args.monitor:
        return _monitor(args.monitor, args.kit_map, args.seconds)
    status = midi_status()
    if args.json:
        print_json({"available": status.available, "reason": status.reason,
                    "ports": list(status.ports)})
        return 0
    if not status.available:
        print(status.reason)
    elif not status.ports:
        print("No MIDI input ports: plug a kit in (USB or a MIDI interface) and run this "
              "again.")
    else:
        for name in status.ports:
            print(name)
    return 0


def _monitor(port: str, kitmap: str | None, seconds: float | None) -> int:
    from game.input.kit import KitInterpreter
    from game.input.midi_reader import KitReader
    from game.live.kit_player import KitSetup, kit_setups
    from game.live.sources import SourceSpec

    setups, warnings = kit_setups((SourceSpec("midi", port), SourceSpec("auto")),
                                  kitmap=kitmap)
    for w in warnings:
        print(f"warning: {w}")
    setup: KitSetup = setups[0]
    interp = KitInterpreter(setup.kitmap, curve=setup.curve)
    t0 = time.perf_counter()

    def show(msg: Any, t: float) -> None:
        pad = interp.interpret(msg, t)
        voice = pad.voice.name.lower() if pad.voice is not None else ""
        vel = f"{pad.velocity}->{pad.out_velocity}" if pad.kind == "hit" else (
            "" if pad.velocity is None else str(pad.velocity))
        note = "" if pad.note is None else str(pad.note)
        print(f"{t - t0:9.4f}  {pad.kind:<10} {note:>4} {voice:<13} {vel:<8} {pad.detail}",
              flush=True)

    def status(state: str, why: str) -> None:
        print(f"[{setup.port}: {state}{': ' + why if why else ''}]", flush=True)

    print(f"monitoring {port} with the {setup.kitmap.name} kit map (Ctrl+C stops)")
    reader = KitReader(port, show, on_status=status).start()
    try:
        deadline = None if seconds is None else time.monotonic() + seconds
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.05)
    except KeyboardInterrupt:
        pass
    finally:
        reader.close()
    return 0
