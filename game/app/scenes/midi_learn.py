"""MIDI learn: teach the game which pad is which, and calibrate the velocity curve.

The screen lists the voices grouped by lane. Up/Down picks one; hitting a pad
gives that pad's note to the voice (taking it from any other voice) and moves
to the next voice. V (or the "Velocity curve" row) asks for five soft then
five hard strokes and fits the kit's :class:`~game.input.kit.VelocityCurve`.
"Save" writes the map as one of the person's own kit maps, named after the
port, and makes it (with the curve) the port's profile. The map starts from a
base map, so pads never hit here keep working.

Messages arrive on the port reader's thread and wait in a deque; the scene
reads them in :meth:`MidiLearnScene.update`, so keys and pads never race.
"""

from __future__ import annotations

import dataclasses
import re
from collections import deque
from collections.abc import Callable
from typing import Any

import pygame

from game.app.scenes.menu_scene import MenuScene
from game.app.scenes.midi_curve import Calibration, draw_curve_panel
from game.app.scenes.midi_monitor import (
    device_kit,
    no_backend_reason,
    port_name,
    short_port,
)
from game.engine.voices import Voice
from game.formats.kitmap import KitMap, builtin_kitmap_names
from game.input.midi_reader import CONNECTED, KitReader
from game.store.paths import StoreError
from game.ui.i18n import N_, tr
from game.ui.midi_words import unavailable_line
from game.ui.theme import (
    BLUISH_GREEN,
    PALETTES,
    TEXT,
    TEXT_DIM,
    TEXT_FAINT,
    VERMILLION,
    YELLOW,
    rgba,
)
from game.ui.words import lane_word, voice_word
from game.util.errors import FormatError

V = Voice
#: The voices, grouped by lane, in two columns: (heading, voices) per group. A heading
#: is a lane's engine name (shown with :func:`~game.ui.words.lane_word`) or a key of
#: :data:`HEADINGS`.
GROUPS: tuple[tuple[tuple[str, tuple[Voice, ...]], ...], ...] = (
    (("kick", (V.KICK,)), ("snare", (V.SNARE, V.RIMSHOT, V.CROSS_STICK)),
     ("hi-hat", (V.HIHAT_CLOSED, V.HIHAT_OPEN, V.HIHAT_HALF, V.HIHAT_PEDAL))),
    (("toms", (V.TOM_HIGH, V.TOM_MID, V.TOM_FLOOR)),
     ("cymbals", (V.CRASH, V.RIDE, V.RIDE_BELL))),
)
#: Group headings that are not a lane's name (several drums of one lane).
HEADINGS: dict[str, str] = {
    # TRANSLATORS: MIDI learn: heading over the tom voices (shown in capitals in English)
    "toms": N_("Toms"),
    # TRANSLATORS: MIDI learn: heading over the cymbal voices (shown in capitals in English)
    "cymbals": N_("Cymbals"),
}
VOICES: tuple[Voice, ...] = tuple(v for col in GROUPS for _, vs in col for v in vs)
#: The two buttons under the voices (ids; translated when drawn).
CURVE_ITEM, SAVE_ITEM = N_("Velocity curve"), N_("Save")
ITEMS: tuple[Voice | str, ...] = (*VOICES, CURVE_ITEM, SAVE_ITEM)
#: After a pad is learned, other notes are ignored this long (cross-talk, a second zone).
HOLD_S = 0.25
#: The pad just learned, hit again this soon, is not given to the next voice too.
REPEAT_S = 1.0
_HATS = frozenset({V.HIHAT_CLOSED, V.HIHAT_OPEN, V.HIHAT_HALF})
_ROW_H, _HEAD_H = 40.0, 30.0


def kitmap_name_for(port: str) -> str:
    """A kit map name from a port name: ``"TD-17:TD-17 MIDI 1 20:0"`` -> ``"TD-17 MIDI 1"``.

    ALSA's client:port numbers are dropped, a repeated client name is kept
    once, other characters than ``[A-Za-z0-9 _.-]`` become ``-``, and a name
    that would hide a built-in map gets ``-learned`` added.
    """
    name = re.sub(r"[^A-Za-z0-9 _.-]+", "-", short_port(port))
    name = re.sub(r"-{2,}", "-", name).strip(" _.-")[:34].rstrip(" _.-")
    if name.lower().endswith(".toml"):
        name = name[:-5].rstrip(" _.-")
    if not name:
        return "my-kit"
    if name.lower() in builtin_kitmap_names():
        name += "-learned"
    return name


def heading_word(heading: str) -> str:
    """A group heading on screen, in capitals (upper-casing leaves Korean and Japanese be)."""
    word = HEADINGS.get(heading)
    return (tr(word) if word else lane_word(heading)).upper()


def layout() -> list[tuple[float, float, float]]:
    """(x, y, width) in 720p units of each item's row, in :data:`ITEMS` order."""
    out: list[tuple[float, float, float]] = []
    for c, col in enumerate(GROUPS):
        x, y = 84.0 + c * 350.0, 132.0
        for _, voices in col:
            y += _HEAD_H
            for _ in voices:
                out.append((x, y, 326.0))
                y += _ROW_H
            y += 8
    x, y = 84.0 + 350.0, 470.0
    out += [(x, y, 326.0), (x, y + 58, 326.0)]
    return out


class MidiLearnScene(MenuScene):
    """Pad-to-voice learning and velocity calibration for one kit. Esc leaves without saving.

    Parameters
    ----------
    app : App
    port : str
        Port name or ``tcp:HOST:PORT`` (a ``midi:`` prefix is dropped).
    opener : callable, optional
        Opens the port instead of its name (a virtual kit in tests).
    base_kitmap : str
        The map learning starts from.
    player : int
        Whose colours the screen uses.
    """

    name = "midi_learn"

    def __init__(self, app: Any, port: str, *, opener: Callable[[], Any] | None = None,
                 base_kitmap: str = "default", player: int = 0) -> None:
        super().__init__(app)
        self.port = port_name(port)
        self.player = player
        self.base, self.curve, warning = device_kit(self.port, base_kitmap)
        self.notes: dict[int, Voice] = dict(self.base.notes)
        self.index = 0
        self.layout = layout()
        self.unavailable = no_backend_reason(self.port, opener)
        self.pending: deque[tuple[Any, float]] = deque()
        self.last_pad: tuple[int, int, float] | None = None
        self.learned: dict[Voice, float] = {}
        self._last_learned: tuple[int, float] = (-1, -1e9)
        self.calibration = Calibration()
        self.saved_name = ""
        self.message, self.message_colour = (warning, YELLOW) if warning else ("", TEXT_DIM)
        self.reader = KitReader(self.port, self._on_message, opener=opener).start()

    # values ------------------------------------------------------------------------
    @property
    def selected(self) -> Voice | str:
        """The item under the cursor: a voice, ``"Velocity curve"`` or ``"Save"``."""
        return ITEMS[self.index]

    def notes_of(self, voice: Voice) -> list[int]:
        """The notes that play ``voice`` now, ascending."""
        return sorted(n for n, v in self.notes.items() if v is voice)

    def kitmap(self, name: str) -> KitMap:
        """The map as learned so far, called ``name``."""
        rules = self.base.rules
        pedal = frozenset(n for n in rules.pedal_notes if self.notes.get(n) in _HATS)
        return KitMap(name, f"Learned on {self.port}, starting from {self.base.name}",
                      dict(self.notes), dataclasses.replace(rules, pedal_notes=pedal))

    def say(self, message: str, colour: Any = TEXT_DIM) -> None:
        """Show one line above the hints."""
        self.message, self.message_colour = message, colour

    # pads --------------------------------------------------------------------------
    def _on_message(self, msg: Any, t_capture: float) -> None:
        self.pending.append((msg, t_capture))  # reader thread: only queue it

    def update(self, now_perf: float) -> None:
        super().update(now_perf)
        while self.pending:
            msg, t = self.pending.popleft()
            if msg.type == "note_on" and msg.velocity > 0:
                self.last_pad = (msg.note, msg.velocity, t)
                if self.calibration.active:
                    self.stroke(msg.velocity, t)
                else:
                    self.learn(msg.note, t)

    def learn(self, note: int, t: float) -> None:
        """Give ``note`` to the selected voice and move to the next item."""
        voice = self.selected
        if not isinstance(voice, Voice):
            return
        last_note, last_t = self._last_learned
        if t - last_t < HOLD_S or (note == last_note and t - last_t < REPEAT_S):
            return  # the same stroke's second note, or the same pad again
        self.notes[note] = voice
        self.learned[voice] = t
        self._last_learned = (note, t)
        self.saved_name = ""
        self.index += 1

    def stroke(self, velocity: int, t: float) -> None:
        """One calibration stroke; the fitted curve replaces the kit's when it is done."""
        cal = self.calibration
        if cal.stroke(velocity, t) and cal.curve is not None:
            self.curve, self.saved_name = cal.curve, ""
        elif cal.phase == "error":
            self.say(cal.error, VERMILLION)

    # keys --------------------------------------------------------------------------
    def on_event(self, event: Any, t_capture: float) -> None:
        if self.mouse(event) or event.type != pygame.KEYDOWN:
            return
        key = event.key
        if key == pygame.K_ESCAPE:
            if self.calibration.active:
                self.calibration.cancel()
            else:
                self.back()
        elif key in (pygame.K_UP, pygame.K_DOWN):
            self.index = (self.index + (1 if key == pygame.K_DOWN else -1)) % len(ITEMS)
        elif key in (pygame.K_LEFT, pygame.K_RIGHT):
            first_b = sum(len(vs) for _, vs in GROUPS[0])
            col_b = self.index >= first_b
            row = self.index - first_b if col_b else self.index
            self.index = (min(row, first_b - 1) if col_b
                          else first_b + min(row, len(ITEMS) - first_b - 1))
        elif key == pygame.K_v:
            self.calibration.start()
        elif key in (pygame.K_BACKSPACE, pygame.K_DELETE) and isinstance(self.selected, Voice):
            for n in self.notes_of(self.selected):
                del self.notes[n]
        elif key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
            self.activate()

    def activate(self) -> None:
        """Enter on the selected item."""
        if self.selected == CURVE_ITEM:
            self.calibration.start()
        elif self.selected == SAVE_ITEM:
            self.save()

    def on_hotspot(self, target: Any, *, click: bool) -> None:
        self.index = target
        if click:
            self.activate()

    def save(self) -> None:
        """Write the map and the port's profile; say where, or why not."""
        from game.store.kits import KitProfile, save_profile, save_user_kitmap

        name = kitmap_name_for(self.port)
        try:
            save_user_kitmap(self.kitmap(name), name)
            save_profile(self.port, KitProfile(kitmap=name,
                                               velocity_gain=min(self.curve.gain, 10.0),
                                               velocity_gamma=self.curve.gamma))
        except (StoreError, OSError, FormatError, ValueError) as exc:
            self.say(tr("Not saved: {error}").format(error=exc), VERMILLION)
            return
        self.saved_name = name
        self.say(tr("Saved as {name}").format(name=name), BLUISH_GREEN)

    def close(self) -> None:
        self.reader.close()

    # drawing -----------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        self.begin(surface)
        pal = PALETTES[self.player]
        self.header(surface, tr("MIDI learn"), self.port)
        W = self.width_units
        self._draw_status(surface, W - 60, 89)
        self.panel(surface, self.rect(60, 120, 724, 496), fill=rgba(pal.deep, 90),
                   edge=rgba(pal.primary, 130), radius=18)
        for col, groups in enumerate(GROUPS):
            y = 132.0
            for heading, voices in groups:
                self.text(surface, heading_word(heading), 17, TEXT_FAINT, 100 + col * 350,
                          y + 16, "midleft", max_w=310, shadow=False)
                y += _HEAD_H + _ROW_H * len(voices) + 8
        for i, item in enumerate(ITEMS):
            self._draw_item(surface, i, item)
        rx, rw = 808.0, W - 868.0
        self._draw_last_pad(surface, rx, 120, rw, 150)
        draw_curve_panel(self, surface, self.calibration, self.curve, rx, 286, rw, 330,
                         player=self.player, focused=self.selected == CURVE_ITEM,
                         saved=bool(self.saved_name))
        if self.message:
            self.text(surface, self.message, 22, self.message_colour, W / 2, 640,
                      max_w=W - 120, shadow=False)
        # TRANSLATORS: key hints: "hit a pad" stands where a keycap would (hit a drum pad)
        pad = tr("hit a pad")
        # TRANSLATORS: keycap label; keep the key's printed name
        esc = tr("Esc")
        if self.calibration.active:
            # TRANSLATORS: key hint ("V" is the keycap): calibrate the velocity curve afresh
            again = tr("start again")
            # TRANSLATORS: key hint: a pad hit counts as one calibration stroke
            stroke = tr("stroke")
            # TRANSLATORS: key hint: Esc stops the velocity calibration
            stop = tr("stop")
            hints = [(pad, stroke), ("V", again), (esc, stop)]
        else:
            # TRANSLATORS: keycap label; keep the key's printed name
            up_down = tr("Up/Down")
            # TRANSLATORS: keycap label; keep the key's printed name
            backspace = tr("Backspace")
            # TRANSLATORS: keycap label; keep the key's printed name
            enter = tr("Enter")
            # TRANSLATORS: key hint: hitting a pad gives it to the highlighted drum voice
            assign = tr("assign it")
            # TRANSLATORS: key hint: Backspace takes the pads away from the highlighted voice
            unassign = tr("unassign")
            # TRANSLATORS: key hint: V calibrates the kit's velocity curve
            curve = tr("velocity curve")
            # TRANSLATORS: key hint: Esc leaves the screen without saving
            leave = tr("leave")
            hints = [(up_down, tr("choose")), (pad, assign), (backspace, unassign),
                     ("V", curve), (enter, tr("select")), (esc, leave)]
        self.hints(surface, hints)

    def _draw_status(self, surface: pygame.Surface, x: float, y: float) -> None:
        if self.reader.status == CONNECTED:
            # TRANSLATORS: a MIDI kit's port status
            text, colour = tr("connected"), BLUISH_GREEN
        elif self.unavailable:
            text, colour = tr("MIDI not available"), VERMILLION
        else:
            # TRANSLATORS: a MIDI kit's port status
            text, colour = (tr("connecting…"), YELLOW) if not self.reader.why else (
                tr("not connected"), VERMILLION)
        r = self.text(surface, text, 20, colour, x, y, "midright", max_w=300, shadow=False)
        pygame.draw.circle(surface, colour, (r.left - self.px(12), r.centery),
                           max(2, self.px(5)))

    def _draw_item(self, surface: pygame.Surface, i: int, item: Voice | str) -> None:
        pal = PALETTES[self.player]
        x, y, w = self.layout[i]
        focused = i == self.index
        if isinstance(item, str):
            r = self.rect(x, y, w, 48)
            colour = BLUISH_GREEN if item == SAVE_ITEM else pal.light
            self.focus_panel(surface, r, colour, strong=focused, radius=24)
            # TRANSLATORS: the Save button once the kit map is saved
            label = tr("Saved") if item == SAVE_ITEM and self.saved_name else tr(item)
            self.text(surface, label, 26, TEXT if focused else TEXT_DIM, x + w / 2, y + 24,
                      max_w=w - 40)
            self.hotspot(r, i)
            return
        r = self.rect(x, y, w, _ROW_H - 4)
        age = self.t - self.learned.get(item, -1e9)
        if age < 0.8:
            self.panel(surface, r, fill=rgba(BLUISH_GREEN, round(90 * (1 - age / 0.8))),
                       edge=None, radius=10)
        if focused:
            self.focus_panel(surface, r, pal.light, radius=10)
        self.hotspot(r, i)
        cy = y + (_ROW_H - 4) / 2
        self.text(surface, voice_word(item), 22, TEXT if focused else TEXT_DIM, x + 16, cy,
                  "midleft", max_w=w * 0.55 - 24, shadow=False)
        notes = self.notes_of(item)
        if notes:
            text, colour = ", ".join(map(str, notes)), pal.light if focused else TEXT
        else:
            # TRANSLATORS: a voice with no pad yet: "hit a pad" (to give it one) or "none"
            text, colour = (tr("hit a pad") if focused else tr("none")), TEXT_FAINT
        self.text(surface, text, 22, colour, x + w - 16, cy, "midright", max_w=w * 0.45,
                  shadow=False)

    def _draw_last_pad(self, surface: pygame.Surface, x: float, y: float, w: float,
                       h: float) -> None:
        self.panel(surface, self.rect(x, y, w, h))
        # TRANSLATORS: caption: the last pad hit on the kit
        self.text(surface, tr("LAST PAD"), 17, TEXT_FAINT, x + 22, y + 24, "midleft",
                  max_w=w - 44, shadow=False)
        if self.reader.status != CONNECTED:
            why = (unavailable_line(self.unavailable or self.reader.why)
                   if self.unavailable or self.reader.why else tr("waiting for the kit…"))
            for k, line in enumerate(self.wrap(why, 19, w - 44)[:4]):
                self.text(surface, line, 19, VERMILLION if self.reader.why else TEXT_DIM,
                          x + 22, y + 56 + k * 23, "midleft", shadow=False)
            return
        if self.last_pad is None:
            self.text(surface, tr("Nothing yet: hit a pad"), 24, TEXT_DIM, x + 22, y + 64,
                      "midleft", max_w=w - 44)
            return
        note, velocity, t = self.last_pad
        flash = max(0.0, 1.0 - (self.t - t) / 0.5)
        colour = PALETTES[self.player].light if flash > 0 else TEXT
        # TRANSLATORS: a MIDI note number
        r = self.text(surface, tr("note {note}").format(note=note), 40, colour, x + 22, y + 70,
                      "midleft", max_w=w * 0.55)
        vx = r.right / self.u + 18
        # TRANSLATORS: how hard the pad was hit (MIDI velocity, 1-127)
        self.text(surface, tr("velocity {velocity}").format(velocity=velocity), 24, TEXT_DIM,
                  vx, y + 74, "midleft", max_w=x + w - 22 - vx, shadow=False)
        voice = self.notes.get(note)
        plays = (tr("plays {voice}").format(voice=voice_word(voice)) if voice
                 else tr("plays nothing yet"))
        self.text(surface, plays, 22, TEXT if voice else YELLOW, x + 22, y + 118, "midleft",
                  max_w=w - 44, shadow=False)
