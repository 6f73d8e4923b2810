"""The MIDI kit part of player setup: port choices, the status line, the kit screens' keys.

Each player's input choices are keyboard, bot, autoplay, then every MIDI
input port as ``midi:PORT`` (and a ``midi:PORT`` saved in that player's
settings, e.g. a ``tcp:`` one, even when it is not listed). A player on a kit
gets two keys: M opens the MIDI monitor, L the MIDI-learn screen.
"""

from __future__ import annotations

from typing import Any

import pygame

from game.app.scenes.midi_monitor import short_port
from game.input.midi_ports import MidiStatus
from game.ui.theme import PALETTES, TEXT, TEXT_FAINT, rgba

#: The inputs every player can choose, before the kits.
BASE_INPUTS = ("keyboard", "bot", "auto")
#: Inputs played by a person (they keep the person's name).
LIVE_INPUTS = ("keyboard", "midi")
#: The kit screens a player on a kit can open: key cap, what it does, which screen.
KIT_KEYS: tuple[tuple[str, str, str], ...] = (
    ("M", "monitor", "monitor"), ("L", "learn · velocity", "learn"))


def midi_line(status: MidiStatus) -> str:
    """The one line player setup shows about MIDI kits."""
    if not status.available:
        return status.reason
    if not status.ports:
        return ("MIDI kit: no MIDI input port found (plug the kit in, or use tcp:HOST:PORT "
                "for a kit on another computer)")
    if len(status.ports) == 1:
        return f"MIDI kit: {short_port(status.ports[0])} found; choose it as a player's input"
    return f"MIDI kits: {len(status.ports)} ports found; choose one as a player's input"


def draw_midi_line(scene: Any, surface: pygame.Surface, line: str, cx: float, y: float,
                   w: float) -> None:
    """The MIDI line centred at (cx, y), wrapped onto two lines when it is long."""
    lines = scene.wrap(line, 19, w)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    for k, text in enumerate(lines):
        scene.text(surface, text, 19, TEXT_FAINT, cx, y + (k - (len(lines) - 1) / 2) * 22,
                   max_w=w, shadow=False)


def saved_input(app: Any, player: int) -> str:
    """``player``'s input in the settings (``keyboard``, ``midi`` or ``midi:PORT``)."""
    prefs = getattr(app.services.get("settings"), "players", None)
    return str(getattr(prefs[player], "input", "keyboard")) if prefs else "keyboard"


def input_choices(status: MidiStatus, saved: str) -> list[str]:
    """Keyboard, bot, auto, ``midi:PORT`` per port, and ``saved`` if it is a kit not listed."""
    choices = [*BASE_INPUTS, *(f"midi:{p}" for p in status.ports)]
    if saved.startswith("midi:") and saved not in choices:
        choices.append(saved)
    return choices


def initial_choice(choices: list[str], saved: str) -> int:
    """Index of the saved input in ``choices`` (plain ``midi``: the first kit), else 0."""
    if saved == "midi":
        return next((i for i, c in enumerate(choices) if c.startswith("midi:")), 0)
    return choices.index(saved) if saved in choices else 0


def kind_of(choice: str) -> str:
    """``keyboard``, ``bot``, ``auto`` or ``midi``."""
    return "midi" if choice.startswith("midi:") else choice


def kit_port(choice: str) -> str | None:
    """The port of a ``midi:PORT`` choice, else None."""
    return choice[5:] if choice.startswith("midi:") else None


def kit_label(choice: str) -> str:
    """What the input field shows for a kit."""
    return f"kit · {short_port(kit_port(choice) or '')}"


def open_kit_screen(app: Any, which: str, port: str, player: int) -> None:
    """Push the MIDI monitor (``"monitor"``) or the MIDI-learn screen (``"learn"``)."""
    if which == "monitor":
        from game.app.scenes.midi_monitor import MidiMonitorScene

        app.push(MidiMonitorScene(app, port, player=player))
    else:
        from game.app.scenes.midi_learn import MidiLearnScene
        from game.store.kits import KitProfile, load_profiles

        try:  # learning starts from the kit's map as it is now
            base = load_profiles()[0].get(port, KitProfile()).kitmap
        except Exception:  # no data folder: the default map
            base = "default"
        app.push(MidiLearnScene(app, port, base_kitmap=base, player=player))


def draw_kit_info(scene: Any, surface: pygame.Surface, player: int, x: float, y: float,
                  w: float) -> None:
    """Under a kit player's input field: the M and L keys (clickable) for the kit screens."""
    pal = PALETTES[player]
    kx = x + 16
    for cap, what, which in KIT_KEYS:
        kw = max(30.0, scene.text_width(cap, 20) + 16)
        ww = scene.text_width(what, 19)
        if kx + kw + 8 + ww > x + w:
            break
        r = scene.rect(kx, y - 17, kw + 8 + ww + 8, 34)
        scene.panel(surface, scene.rect(kx, y - 15, kw, 30), fill=(255, 255, 255, 22),
                    edge=rgba(pal.light, 120), radius=6, edge_w=1)
        scene.text(surface, cap, 20, TEXT, kx + kw / 2, y, shadow=False)
        scene.text(surface, what, 19, TEXT_FAINT, kx + kw + 8, y, "midleft", shadow=False)
        scene.hotspot(r, ("kit", (player, which)))
        kx += kw + 8 + ww + 22
