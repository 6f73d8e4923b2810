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
from game.ui.i18n import N_, ntr, tr
from game.ui.midi_words import unavailable_line
from game.ui.theme import PALETTES, TEXT, TEXT_FAINT, rgba

#: The inputs every player can choose, before the kits.
BASE_INPUTS = ("keyboard", "bot", "auto")
#: Inputs played by a person (they keep the person's name).
LIVE_INPUTS = ("keyboard", "midi")
#: What the input field shows for a scripted input (a keyboard and a kit say more).
INPUT_WORDS: dict[str, str] = {
    # TRANSLATORS: player setup, a player's input: a computer drummer with human-like timing
    "bot": N_("bot"),
    # TRANSLATORS: player setup, a player's input: the computer plays every note perfectly
    "auto": N_("auto"),
}
#: The names scripted players play under (recorded in English; shown translated).
SCRIPTED_NAMES: dict[str, str] = {
    # TRANSLATORS: the name shown for a player played by the computer drummer ("bot" input)
    "bot": N_("Bot"),
    # TRANSLATORS: the name shown for a player played by autoplay ("auto" input)
    "auto": N_("Auto"),
}
#: The kit screens a player on a kit can open: key cap (the letter key itself, not
#: translated), what it does, which screen.
KIT_KEYS: tuple[tuple[str, str, str], ...] = (
    # TRANSLATORS: beside the M key in player setup: opens the MIDI monitor of the kit
    ("M", N_("monitor"), "monitor"),
    # TRANSLATORS: beside the L key in player setup: MIDI-learn (pads) and velocity settings
    ("L", N_("learn · velocity"), "learn")
)

def midi_line(status: MidiStatus) -> str:
    """The one line player setup shows about MIDI kits (translated: call it when drawing)."""
    if not status.available:
        return unavailable_line(status.reason)
    if not status.ports:
        # TRANSLATORS: player setup, MIDI status; keep tcp:HOST:PORT as it is
        return tr("MIDI kit: no MIDI input port found (plug the kit in, or use tcp:HOST:PORT "
                  "for a kit on another computer)")
    if len(status.ports) == 1:
        return tr("MIDI kit: {port} found; choose it as a player's input").format(
            port=short_port(status.ports[0]))
    n = len(status.ports)
    return ntr("MIDI kits: {n} port found; choose one as a player's input",
               "MIDI kits: {n} ports found; choose one as a player's input", n).format(n=n)


def input_word(kind: str) -> str:
    """What the input field shows for ``bot`` or ``auto`` (the kind itself otherwise)."""
    word = INPUT_WORDS.get(kind)
    return tr(word) if word else kind


def shown_name(kind: str, name: str) -> str:
    """A player's name on screen: ``name``, or the translated name of a scripted input."""
    word = SCRIPTED_NAMES.get(kind)
    return tr(word) if word else name


def draw_midi_line(scene: Any, surface: pygame.Surface, line: str, cx: float, y: float,
                   w: float) -> None:
    """The MIDI line centred at (cx, y), wrapped onto two lines when it is long."""
    lines = scene.wrap(line, 19, w)
    if len(lines) > 2:  # the rest on the second line, shrunk to fit (no space added: CJK)
        lines = [lines[0], line[len(lines[0]):].strip()]
    for k, text in enumerate(lines):
        scene.text(surface, text, 19, TEXT_FAINT, cx, y + (k - (len(lines) - 1) / 2) * 22,
                   max_w=w, shadow=False)


def saved_input(app: Any, player: int) -> str:
    """``player``'s input in the settings (``keyboard``, ``midi`` or ``midi:PORT``)."""
    return str(app.context.settings.players[player].input)


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
    # TRANSLATORS: player setup, a player's input: a MIDI drum kit, then the port's name
    return tr("kit · {port}").format(port=short_port(kit_port(choice) or ""))


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
    for cap, word, which in KIT_KEYS:
        what = tr(word)
        kw = max(30.0, scene.text_width(cap, 20) + 16)
        ww = min(scene.text_width(what, 19), x + w - (kx + kw + 8))  # shrunk to the column
        if ww < 40:
            break
        r = scene.rect(kx, y - 17, kw + 8 + ww + 8, 34)
        scene.panel(surface, scene.rect(kx, y - 15, kw, 30), fill=(255, 255, 255, 22),
                    edge=rgba(pal.light, 120), radius=6, edge_w=1)
        scene.text(surface, cap, 20, TEXT, kx + kw / 2, y, shadow=False)
        scene.text(surface, what, 19, TEXT_FAINT, kx + kw + 8, y, "midleft", max_w=ww,
                   shadow=False)
        scene.hotspot(r, ("kit", (player, which)))
        kx += kw + 8 + ww + 22
