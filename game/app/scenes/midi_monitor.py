"""MIDI monitor: what the game hears from a kit, message by message, and why.

A player whose pad does nothing opens this screen from player setup and hits
the pad. Each message the kit sends shows up at the top of the list: its
note, the voice the kit map gives it, its velocity before and after the kit's
velocity curve and the lane it lands in, or, for a message that plays
nothing, the reason ("note 60 is not in the Roland TD map", "double trigger
..", "clock"). The port's status, the kit map and the hi-hat pedal position
are shown beside it.

Messages arrive on the port reader's thread; they are interpreted there and
put in a lock-guarded deque that drawing copies from.

The list's rows are in :mod:`game.app.scenes.midi_message_rows`, the panels
drawn in :mod:`game.app.scenes.midi_monitor_panels`.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

import pygame

from game.app.scenes.menu_scene import MenuScene
from game.app.scenes.midi_message_rows import LANE_NAMES, SHOWN, Row, repeats
from game.app.scenes.midi_monitor_panels import draw_kit, draw_lanes, draw_pedal, draw_rows
from game.engine.voices import KEYBOARD_5
from game.formats.kitmap import KitMap
from game.input.kit import HIT, PEDAL, SUPPRESSED, KitInterpreter, VelocityCurve
from game.input.midi_ports import midi_status, without_alsa_numbers
from game.input.midi_reader import CONNECTED, CONNECTING, KitReader
from game.ui import theme
from game.ui.i18n import tr
from game.ui.midi_words import unavailable_line


def port_name(port: str) -> str:
    """``port`` without a ``midi:`` prefix (settings write inputs as ``midi:PORT``)."""
    return port[5:] if port.startswith("midi:") else port


def short_port(port: str) -> str:
    """A port's name without ALSA's client:port numbers or a repeated client name.

    ``"TD-17:TD-17 MIDI 1 20:0"`` -> ``"TD-17 MIDI 1"``; ``tcp:`` names are kept.
    """
    name = port_name(port).strip()
    if name.startswith("tcp:"):
        return name
    name = without_alsa_numbers(name)
    client, sep, rest = name.partition(":")
    return rest if sep and rest.startswith(client) else name


def device_kit(port: str, kitmap_name: str | None = None
               ) -> tuple[KitMap, VelocityCurve, str]:
    """The kit map and velocity curve saved for ``port``, and a warning ("" if none).

    ``kitmap_name`` overrides the profile's map. A map that cannot be loaded
    falls back to the default one, and the warning says so.
    """
    from game.live.kit_player import kit_setup_for
    from game.store.kits import load_profiles

    warnings: list[str] = []
    try:
        profiles, warnings = load_profiles()
    except Exception as exc:  # no data folder: defaults
        profiles, warnings = {}, [tr("kit profiles unavailable: {error}").format(error=exc)]
    try:
        setup = kit_setup_for(port, profiles, kitmap=kitmap_name, warnings=warnings)
    except Exception as exc:  # the map asked for cannot be loaded: read with the profile's
        warnings.append(tr("kit map {name}: {error}; using the default").format(
            name=repr(kitmap_name), error=exc))
        setup = kit_setup_for(port, profiles, warnings=warnings)
    return setup.kitmap, setup.curve, "; ".join(warnings)


def no_backend_reason(port: str, opener: Any) -> str:
    """The one sentence saying why a device port cannot open here ("" when it can)."""
    if opener is not None:
        return ""
    if port.startswith("tcp:"):
        return ""  # sockets need no backend (a bad address: the reader says so)
    status = midi_status()
    return "" if status.available else status.reason




class MidiMonitorScene(MenuScene):
    """Live view of one kit's messages. Backspace clears, Esc goes back.

    Parameters
    ----------
    app : App
    port : str
        Port name or ``tcp:HOST:PORT`` (a ``midi:`` prefix is dropped).
    kitmap_name : str, optional
        Read with this kit map instead of the one saved for the port.
    opener : callable, optional
        Opens the port instead of its name (a virtual kit in tests).
    player : int
        Whose colours the lane tiles use.
    """

    name = "midi_monitor"

    def __init__(self, app: Any, port: str, *, kitmap_name: str | None = None,
                 opener: Callable[[], Any] | None = None, player: int = 0) -> None:
        super().__init__(app)
        self.port = port_name(port)
        self.player = player
        self.kitmap, self.curve, self.warning = device_kit(self.port, kitmap_name)
        self.interpreter = KitInterpreter(self.kitmap, curve=self.curve)
        self.unavailable = no_backend_reason(self.port, opener)
        self.rows: deque[Row] = deque(maxlen=SHOWN)
        self.pedal: int | None = None
        self.received = 0
        self.lane_hits: list[tuple[float, int]] = [(-1e9, 0)] * len(LANE_NAMES)
        self._lock = threading.Lock()
        self.reader = KitReader(self.port, self._on_message, opener=opener).start()

    # reader thread -----------------------------------------------------------------
    def _on_message(self, msg: Any, t_capture: float) -> None:
        pad = self.interpreter.interpret(msg, t_capture)
        lane = ""
        if pad.voice is not None and pad.kind in (HIT, SUPPRESSED):
            index = KEYBOARD_5.lane_of(pad.voice)
            lane = LANE_NAMES[index]
            if pad.kind == HIT:
                self.lane_hits[index] = (t_capture, pad.out_velocity)
        if pad.kind == PEDAL:
            self.pedal = pad.velocity
        with self._lock:
            self.received += 1
            last = self.rows[-1] if self.rows else None
            if last is not None and repeats(last.pad, pad):
                last.pad, last.count = pad, last.count + 1  # a clock flood is one row
            else:
                self.rows.append(Row(pad, lane))

    def snapshot(self) -> list[Row]:
        """The rows, newest first (a copy, safe while messages arrive)."""
        with self._lock:
            return [Row(r.pad, r.lane, r.count) for r in reversed(self.rows)]

    # input -------------------------------------------------------------------------
    def on_event(self, event: Any, t_capture: float) -> None:
        if self.mouse(event) or event.type != pygame.KEYDOWN:
            return
        if event.key == pygame.K_ESCAPE:
            self.back()
        elif event.key in (pygame.K_BACKSPACE, pygame.K_DELETE):
            with self._lock:
                self.rows.clear()

    def close(self) -> None:
        self.reader.close()

    # drawing -----------------------------------------------------------------------
    def status_text(self) -> tuple[str, tuple[int, int, int]]:
        """The port's status in words, and its colour."""
        status, why = self.reader.status, self.reader.why
        if status == CONNECTED:
            # TRANSLATORS: a MIDI kit's port status
            return tr("connected"), theme.BLUISH_GREEN
        if self.unavailable:
            return unavailable_line(self.unavailable), theme.VERMILLION
        if status == CONNECTING:
            # TRANSLATORS: a MIDI kit's port status
            return tr("connecting…"), theme.YELLOW
        if why:
            return tr("not connected: {reason}").format(reason=unavailable_line(why)), (
                theme.VERMILLION)
        # TRANSLATORS: a MIDI kit's port status
        return tr("not connected"), theme.VERMILLION

    def draw(self, surface: pygame.Surface) -> None:
        self.begin(surface)
        self.header(surface, tr("MIDI monitor"), tr("Hit a pad to see what the game hears"))
        W = self.width_units
        draw_kit(self, surface, 60, 120, 360, 232)
        draw_pedal(self, surface, 60, 368, 360, 112)
        draw_lanes(self, surface, 60, 496, 360, 150)
        draw_rows(self, surface, 444, 120, W - 504, 526)
        # TRANSLATORS: key hints: "hit a pad" stands where a keycap would (hit a drum pad)
        pad = tr("hit a pad")
        # TRANSLATORS: key hint: a pad hit shows up in the message list
        see = tr("see it here")
        # TRANSLATORS: keycap label; keep the key's printed name
        backspace = tr("Backspace")
        # TRANSLATORS: key hint: Backspace empties the message list
        clear = tr("clear")
        # TRANSLATORS: keycap label; keep the key's printed name
        esc = tr("Esc")
        self.hints(surface, [(pad, see), (backspace, clear), (esc, tr("back"))])
