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
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pygame

from game.app.scenes.menu_scene import MenuScene
from game.engine.voices import KEYBOARD_5
from game.formats.kitmap import KitMap
from game.input.kit import (
    HIT,
    IGNORED,
    NOTE_OFF,
    PEDAL,
    SUPPRESSED,
    UNMAPPED,
    KitInterpreter,
    PadMessage,
    VelocityCurve,
)
from game.input.midi_ports import midi_status, without_alsa_numbers
from game.input.midi_reader import CONNECTED, CONNECTING, KitReader
from game.ui import theme
from game.ui.i18n import N_, ptr, tr
from game.ui.midi_words import reason_text, unavailable_line
from game.ui.theme import PALETTES, TEXT, TEXT_DIM, TEXT_FAINT, rgba
from game.ui.words import lane_word, voice_word

#: Rows of the message list.
SHOWN = 14
#: How long a lane tile stays lit after a hit, seconds.
FLASH_S = 0.35
#: The lanes' engine names (shown with :func:`~game.ui.words.lane_word`).
LANE_NAMES: tuple[str, ...] = tuple(lane.name for lane in KEYBOARD_5.lanes)
#: Chip text (translated when drawn) and colour of each kind of message.
KIND_LOOK: dict[str, tuple[str, tuple[int, int, int]]] = {
    # TRANSLATORS: MIDI monitor chip: a stroke the game plays
    HIT: (N_("HIT"), theme.BLUISH_GREEN),
    # TRANSLATORS: MIDI monitor chip: a stroke dropped as a double trigger
    SUPPRESSED: (N_("DROPPED"), theme.ORANGE),
    # TRANSLATORS: MIDI monitor chip: a note the kit map does not know
    UNMAPPED: (N_("UNMAPPED"), theme.VERMILLION),
    # TRANSLATORS: MIDI monitor chip: the hi-hat pedal moved
    PEDAL: (N_("PEDAL"), theme.SKY_BLUE),
    # TRANSLATORS: MIDI monitor chip: a MIDI "note off" message
    NOTE_OFF: (N_("NOTE OFF"), TEXT_FAINT),
    # TRANSLATORS: MIDI monitor chip: a message the game does not use (clock, ...)
    IGNORED: (N_("IGNORED"), theme.REDDISH_PURPLE),
}


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
    from game.app.kit_player import kit_setup_for
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


def _repeats(before: PadMessage, pad: PadMessage) -> bool:
    """Whether ``pad`` only repeats ``before`` (clock ticks, a pedal moving): one row."""
    if pad.kind != before.kind:
        return False
    return pad.kind == PEDAL or (pad.kind == IGNORED and pad.reason == before.reason
                                 and pad.facts == before.facts)


def draw_mapping(scene: MenuScene, surface: pygame.Surface, left: str, right: str, x: float,
                 y: float, size: float, colour: tuple[int, int, int]) -> float:
    """Draw "left ▸ right" (a raw value and what it becomes) from (x, y); returns the end x."""
    r = scene.text(surface, left, size, colour, x, y, "midleft", shadow=False)
    ax = r.right / scene.u + size * 0.55
    scene.arrow(surface, ax, y, size * 0.4, TEXT_FAINT, 1)
    r = scene.text(surface, right, size, colour, ax + size * 0.55, y, "midleft", shadow=False)
    return r.right / scene.u


@dataclass(slots=True)
class Row:
    """One line of the list: a message, the lane it lands in, how many times in a row."""

    pad: PadMessage
    lane: str = ""
    count: int = 1


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
            if last is not None and _repeats(last.pad, pad):
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
        self._draw_kit(surface, 60, 120, 360, 232)
        self._draw_pedal(surface, 60, 368, 360, 112)
        self._draw_lanes(surface, 60, 496, 360, 150)
        self._draw_rows(surface, 444, 120, W - 504, 526)
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

    def _label(self, surface: pygame.Surface, s: str, x: float, y: float,
               max_w: float | None = None, anchor: str = "midleft") -> None:
        self.text(surface, s, 17, TEXT_FAINT, x, y, anchor, max_w=max_w, shadow=False)

    def _draw_kit(self, surface: pygame.Surface, x: float, y: float, w: float,
                  h: float) -> None:
        pal = PALETTES[self.player]
        self.panel(surface, self.rect(x, y, w, h), fill=rgba(pal.deep, 110),
                   edge=rgba(pal.primary, 150), radius=18)
        # TRANSLATORS: caption: the MIDI port's name is shown below
        self._label(surface, tr("PORT"), x + 22, y + 26, w - 44)
        self.text(surface, self.port, 26, TEXT, x + 22, y + 54, "midleft", max_w=w - 44)
        text, colour = self.status_text()
        lines = self.wrap(text, 19, w - 64)
        if len(lines) > 3:  # the whole sentence is shown in the empty message list
            lines = [tr("MIDI not available") if self.unavailable else tr("not connected")]
        dot = (self.px(x + 30), self.px(y + 88))
        pygame.draw.circle(surface, colour, dot, max(2, self.px(6)))
        for k, line in enumerate(lines):
            self.text(surface, line, 19, colour if k == 0 and len(lines) == 1 else TEXT_DIM,
                      x + 46, y + 88 + k * 22, "midleft", max_w=w - 64, shadow=False)
        top = y + max(126, 100 + 22 * len(lines))
        if top + 60 > y + h:
            return
        # TRANSLATORS: caption: the name of the kit map (MIDI note -> drum) in use
        self._label(surface, tr("KIT MAP"), x + 22, top, w * 0.55)
        self.text(surface, self.kitmap.name, 22, TEXT, x + 22, top + 26, "midleft",
                  max_w=w * 0.55)
        # TRANSLATORS: caption: how many MIDI messages arrived
        self._label(surface, tr("RECEIVED"), x + w - 22, top, w * 0.45 - 44, "midright")
        self.text(surface, f"{self.received}", 22, TEXT, x + w - 22, top + 26, "midright")
        if top + 96 <= y + h:
            c = self.curve
            # TRANSLATORS: velocity curve left as is: velocities as the kit sends them
            curve = (tr("as played") if (c.gain, c.gamma) == (1.0, 1.0)
                     else tr("gain {gain}  ·  gamma {gamma}").format(gain=f"{c.gain:.2f}",
                                                                      gamma=f"{c.gamma:.2f}"))
            # TRANSLATORS: caption: how the kit's stroke velocities are scaled
            self._label(surface, tr("VELOCITY CURVE"), x + 22, top + 58, w - 44)
            self.text(surface, curve, 20, TEXT_DIM, x + 22, top + 82, "midleft", max_w=w - 44,
                      shadow=False)
        if self.warning:
            self.text(surface, self.warning, 16, theme.YELLOW, x + 22, y + h - 16, "midleft",
                      max_w=w - 44, shadow=False)

    def _draw_pedal(self, surface: pygame.Surface, x: float, y: float, w: float,
                    h: float) -> None:
        self.panel(surface, self.rect(x, y, w, h))
        rules = self.kitmap.rules
        pos = self.pedal
        # TRANSLATORS: caption; CC is a MIDI control change number
        self._label(surface, tr("HI-HAT PEDAL  ·  CC{cc}").format(cc=rules.pedal_cc), x + 22,
                    y + 24, w * 0.58 - 22)
        if pos is None:
            zone = tr("not moved yet")
        elif pos >= rules.closed_from:
            zone = tr("{position}  closed").format(position=pos)
        elif pos < rules.open_below:
            zone = tr("{position}  open").format(position=pos)
        else:
            zone = tr("{position}  half-open").format(position=pos)
        self.text(surface, zone, 20, TEXT if pos is not None else TEXT_FAINT, x + w - 22,
                  y + 24, "midright", max_w=w * 0.42 - 30, shadow=False)
        bx, bw, by = x + 22, w - 44, y + 48
        bar = self.rect(bx, by, bw, 22)
        pygame.draw.rect(surface, (34, 38, 58), bar, border_radius=self.px(6))
        if pos is not None:
            fill = self.rect(bx, by, bw * pos / 127, 22)
            pygame.draw.rect(surface, theme.SKY_BLUE, fill, border_radius=self.px(6))
        for edge in (rules.open_below, rules.closed_from):
            if 0 < edge <= 127:
                ex = self.px(bx + bw * edge / 127)
                pygame.draw.line(surface, TEXT_DIM, (ex, self.px(by - 4)),
                                 (ex, self.px(by + 26)), max(1, self.px(2)))
        # TRANSLATORS: hi-hat pedal position (the left end of its bar)
        self.text(surface, ptr("hi-hat pedal", "open"), 17, TEXT_FAINT, bx, by + 42, "midleft",
                  max_w=bw / 2 - 8, shadow=False)
        # TRANSLATORS: hi-hat pedal position (the right end of its bar)
        self.text(surface, ptr("hi-hat pedal", "closed"), 17, TEXT_FAINT, bx + bw, by + 42,
                  "midright", max_w=bw / 2 - 8, shadow=False)

    def _draw_lanes(self, surface: pygame.Surface, x: float, y: float, w: float,
                    h: float) -> None:
        pal = PALETTES[self.player]
        self.panel(surface, self.rect(x, y, w, h))
        # TRANSLATORS: caption over the five lane tiles (which lane a stroke lands in)
        self._label(surface, tr("LANES"), x + 22, y + 24, w - 44)
        n = len(LANE_NAMES)
        gap = 8.0
        tw = (w - 44 - gap * (n - 1)) / n
        for i, lane in enumerate(LANE_NAMES):
            t, vel = self.lane_hits[i]
            glow = max(0.0, 1.0 - (self.t - t) / FLASH_S) if self.t else 0.0
            tx = x + 22 + i * (tw + gap)
            r = self.rect(tx, y + 44, tw, 64)
            if glow > 0:
                self.panel(surface, r, fill=rgba(pal.light, round(60 + 170 * glow)),
                           edge=rgba(pal.light, 230), radius=10, edge_w=2)
            else:
                self.panel(surface, r, fill=(255, 255, 255, 12), edge=rgba(pal.light, 70),
                           radius=10, edge_w=1.5)
            if glow > 0:
                self.text(surface, str(vel), 24, (10, 12, 20), tx + tw / 2, y + 76,
                          shadow=False)
            self.text(surface, lane_word(lane), 16, TEXT_DIM, tx + tw / 2, y + 126, max_w=tw,
                      shadow=False)

    def _draw_rows(self, surface: pygame.Surface, x: float, y: float, w: float,
                   h: float) -> None:
        self.panel(surface, self.rect(x, y, w, h))
        cols = {"kind": x + 20, "note": x + 140, "voice": x + 210, "vel": x + 390,
                "lane": x + 520}
        ends = {"kind": cols["note"], "note": cols["voice"], "voice": cols["vel"],
                "vel": cols["lane"], "lane": x + w - 20}
        heads = {
            # TRANSLATORS: column header: the kind of MIDI message (hit, dropped...)
            "kind": tr("MESSAGE"),
            # TRANSLATORS: column header: the MIDI note number
            "note": tr("NOTE"),
            # TRANSLATORS: column header: the drum voice a note plays
            "voice": tr("VOICE"),
            # TRANSLATORS: column header: how hard a pad was hit (MIDI velocity)
            "vel": tr("VELOCITY"),
            # TRANSLATORS: column header: the lane a stroke lands in
            "lane": tr("LANE")}
        for key, label in heads.items():
            self._label(surface, label, cols[key], y + 26, ends[key] - cols[key] - 8)
        rows = self.snapshot()
        top, row_h = y + 48, (h - 58) / SHOWN
        if not rows:
            text, colour = self.status_text()
            if colour != theme.VERMILLION:  # no problem to explain
                text, colour = (tr("Every message the kit sends appears here, newest first"),
                                TEXT_FAINT)
            self.text(surface, tr("Nothing received yet: hit a pad"), 26, TEXT_DIM, x + w / 2,
                      y + h / 2 - 30, max_w=w - 40)
            for k, line in enumerate(self.wrap(text, 21, w - 120)[:5]):
                self.text(surface, line, 21, colour, x + w / 2, y + h / 2 + 8 + k * 26,
                          max_w=w - 40, shadow=False)
            return
        for k, row in enumerate(rows[:SHOWN]):
            self._draw_row(surface, row, cols, x, top + k * row_h, w, row_h, fresh=k == 0)

    def _draw_row(self, surface: pygame.Surface, row: Row, cols: dict[str, float],
                  x: float, top: float, w: float, row_h: float, *, fresh: bool) -> None:
        pad = row.pad
        chip, colour = KIND_LOOK.get(pad.kind, ("", TEXT_DIM))
        cy = top + row_h / 2
        age = self.t - pad.t_capture if self.t else 99.0
        if fresh and age < 0.6:
            self.panel(surface, self.rect(x + 8, top + 1, w - 16, row_h - 2),
                       fill=rgba(colour, round(50 * (1 - age / 0.6))), edge=None, radius=8)
        cr = self.rect(cols["kind"], cy - 11, 104, 22)
        self.panel(surface, cr, fill=rgba(colour, 40), edge=rgba(colour, 170), radius=11,
                   edge_w=1)
        light = theme.mix(colour, (255, 255, 255), 0.35)
        self.text(surface, tr(chip) if chip else "?", 15, light, cols["kind"] + 52, cy,
                  max_w=96, shadow=False)
        if pad.kind == PEDAL or (pad.kind == IGNORED and pad.reason == "controller"):
            note = f"CC{pad.note}"
        else:
            note = "" if pad.note is None else str(pad.note)
        self.text(surface, note, 21, TEXT, cols["note"], cy, "midleft",
                  max_w=cols["voice"] - cols["note"] - 6, shadow=False)
        dim = pad.kind in (NOTE_OFF, IGNORED)
        if pad.kind == HIT and pad.voice is not None:
            self.text(surface, voice_word(pad.voice), 21, TEXT, cols["voice"], cy, "midleft",
                      max_w=cols["vel"] - cols["voice"] - 10, shadow=False)
            draw_mapping(self, surface, str(pad.velocity), str(pad.out_velocity), cols["vel"],
                         cy, 21, TEXT)
            self.text(surface, lane_word(row.lane), 21, PALETTES[self.player].light,
                      cols["lane"], cy, "midleft", max_w=x + w - 20 - cols["lane"],
                      shadow=False)
            return
        # TRANSLATORS: a MIDI "note off" message (a pad released)
        detail = reason_text(pad.reason, pad.facts) or (
            tr("note off") if pad.kind == NOTE_OFF else "")
        start = cols["voice"]
        if pad.kind == SUPPRESSED and pad.voice is not None:
            self.text(surface, voice_word(pad.voice), 21, TEXT_DIM, start, cy, "midleft",
                      max_w=cols["vel"] - start - 10, shadow=False)
            detail = tr("velocity {velocity}: {reason}").format(velocity=pad.velocity,
                                                                reason=detail)
            start = cols["vel"]
        if row.count > 1:
            # TRANSLATORS: a message repeated {count} times in a row
            detail = tr("{message}  ×{count}").format(message=detail, count=row.count)
        self.text(surface, detail, 20, TEXT_FAINT if dim else TEXT_DIM, start, cy, "midleft",
                  max_w=x + w - 20 - start, shadow=False)
