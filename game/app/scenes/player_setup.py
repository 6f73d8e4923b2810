"""Player setup: each player's name (on a jersey), difficulty and input, then Start!"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pygame

from game.app.gameplay_flow import gameplay_scene
from game.app.scenes import player_setup_midi as kit
from game.app.scenes.menu_scene import MenuScene, current_keys, report_error
from game.app.scenes.player_setup_hints import setup_hints
from game.engine.session import PlayerSetup
from game.engine.voices import KEYBOARD_5
from game.formats.library import load_entry
from game.input.midi_ports import MidiStatus
from game.input.midi_ports import midi_status as ports_status
from game.live.sources import SourceSpec, parse_source
from game.ui.i18n import N_, tr
from game.ui.jersey import jersey, name_lines
from game.ui.text_field import DONE, TextField
from game.ui.theme import (
    BLUISH_GREEN,
    PALETTES,
    TEXT,
    TEXT_DIM,
    TEXT_FAINT,
    VERMILLION,
    WHITE,
    rgba,
)
from game.ui.words import difficulty_word

FIELDS = ("name", "difficulty", "input")
#: Field labels (upper case in English), in the order of :data:`FIELDS`.
# TRANSLATORS: player setup, labels of a player's fields: the name, the difficulty, and the
# input (what the player plays on: keyboard, MIDI kit, computer)
FIELD_LABELS = (N_("NAME"), N_("DIFFICULTY"), N_("INPUT"))
#: The buttons along the bottom (ids; translated when drawn).
BUTTONS = (
    # TRANSLATORS: player setup button: test how many keys the keyboard registers at once
    N_("Rollover test"),
    # TRANSLATORS: button (verb): measure the audio and input delay
    N_("Calibrate"),
    # TRANSLATORS: player setup button: start the song
    N_("Start!"),
    # TRANSLATORS: player setup button (noun): practise a section of the song, slowed
    N_("Practice"))
BOT_SD_MS = 18


class PlayerSetupScene(MenuScene):
    """Two columns (P1 left, P2 right); Rollover test / Calibrate / Start! / Practice.

    Up/Down move between fields, Tab switches player, Left/Right change a value,
    Enter on a name types a new one (Enter again to finish, Esc to undo) in a
    :class:`~game.ui.text_field.TextField`: any script, with the player's input
    method (the composition shows underlined until committed), Ctrl+V pastes.
    """

    name = "player_setup"

    def __init__(self, app: Any, entry: dict[str, Any], chart: Any = None) -> None:
        super().__init__(app)
        self.entry = entry
        self.col, self.row, self.button = 0, 0, BUTTONS.index("Start!")
        self.editing: int | None = None
        self.field: TextField | None = None
        self._ime_rect: pygame.Rect | None = None
        self.message, self.message_colour = "", TEXT_DIM
        try:  # song select already loaded it for the preview, usually
            self.chart = chart if chart is not None else load_entry(entry)
        except Exception as exc:  # shown on screen; Start! is refused
            self.chart = None
            self.message = tr("cannot load this song: {error}").format(error=exc)
            self.message_colour = VERMILLION
        prefs = app.context.settings.players
        self.names = [p.name for p in prefs]
        self.diffs: list[list[tuple[str, float]]] = []
        self.diff_index = [0, 0]
        for i, part in enumerate(("p1", "p2")):
            ratings = entry.get("difficulties", {}).get(part, {})
            have = self.chart.difficulties(part) if self.chart else list(ratings)
            self.diffs.append([(d, float(ratings.get(d, 0.0))) for d in have])
            names = [d for d, _ in self.diffs[i]]
            want = prefs[i].difficulty
            self.diff_index[i] = names.index(want) if want in names else max(
                0, min(1, len(names) - 1))
        self.midi_status: MidiStatus = ports_status()
        status = self.midi_status
        saved = [kit.saved_input(app, i) for i in (0, 1)]
        self.inputs = [kit.input_choices(status, saved[i]) for i in (0, 1)]
        self.input_index = [kit.initial_choice(self.inputs[i], saved[i]) for i in (0, 1)]
        self._first_inputs = list(self.input_index)
        self._saved = self._prefs_key()

    @property
    def midi(self) -> str:
        """The line about MIDI kits, in the current language."""
        return kit.midi_line(self.midi_status)

    # values ------------------------------------------------------------------------
    def difficulty(self, player: int) -> str | None:
        """The chosen difficulty of ``player`` (None when the part has no chart)."""
        d = self.diffs[player]
        return d[self.diff_index[player]][0] if d else None

    def input_choice(self, player: int) -> str:
        """``keyboard``, ``bot``, ``auto`` or ``midi:PORT``."""
        return self.inputs[player][self.input_index[player]]

    def input_kind(self, player: int) -> str:
        """``keyboard``, ``bot``, ``auto`` or ``midi``."""
        return kit.kind_of(self.input_choice(player))

    def input_label(self, player: int) -> str:
        """What the input field shows."""
        kind = self.input_kind(player)
        if kind == "keyboard":
            # TRANSLATORS: player setup, a player's input: the left or right half of the keyboard
            return tr("keyboard (left half)") if player == 0 else tr("keyboard (right half)")
        return (kit.kit_label(self.input_choice(player)) if kind == "midi"
                else kit.input_word(kind))

    def spec(self, player: int) -> SourceSpec:
        """The source of ``player``'s hits."""
        kind = self.input_kind(player)
        if kind == "bot":
            return parse_source(f"bot:sd={BOT_SD_MS},seed={int(time.time()) % 100000 + player}")
        return parse_source(self.input_choice(player))

    def play_name(self, player: int) -> str:
        """The name the play is recorded under (a scripted player is not a person)."""
        kind = self.input_kind(player)
        return self.names[player] if kind in kit.LIVE_INPUTS else kind.capitalize()

    def shown_name(self, player: int) -> str:
        """:meth:`play_name` on screen (a scripted player's name translated)."""
        return kit.shown_name(self.input_kind(player), self.play_name(player))

    # input -------------------------------------------------------------------------
    def on_event(self, event: Any, t_capture: float) -> None:
        if self.editing is not None:
            self._edit_event(event)
            return
        if self.mouse(event) or event.type != pygame.KEYDOWN:
            return
        key = event.key
        if key == pygame.K_ESCAPE:
            self.back()
        elif key in (pygame.K_UP, pygame.K_DOWN):
            self.row = (self.row + (1 if key == pygame.K_DOWN else -1)) % (len(FIELDS) + 1)
        elif key == pygame.K_TAB:
            self.col = 1 - self.col
        elif key in (pygame.K_LEFT, pygame.K_RIGHT):
            self.change(1 if key == pygame.K_RIGHT else -1)
        elif key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
            self.activate()
        elif key in (pygame.K_m, pygame.K_l):
            self.open_kit("monitor" if key == pygame.K_m else "learn")

    def open_kit(self, which: str, player: int | None = None) -> None:
        """M / L: the MIDI monitor or MIDI-learn screen of the focused (or only) kit player."""
        kits = [p for p in ((self.col, 1 - self.col) if player is None else (player,))
                if self.input_kind(p) == "midi"]
        if not kits:
            self.say(tr("Choose a MIDI kit as a player's input first"), TEXT_DIM)
            return
        port = kit.kit_port(self.input_choice(kits[0])) or ""
        try:
            kit.open_kit_screen(self.app, which, port, kits[0])
        except Exception as exc:  # a broken screen shows a message, never ends the game
            if which == "monitor":
                self.say(tr("MIDI monitor: {error}").format(error=exc), VERMILLION)
                report_error(self.app, tr("MIDI monitor failed: {error}").format(error=exc))
            else:
                self.say(tr("MIDI learn: {error}").format(error=exc), VERMILLION)
                report_error(self.app, tr("MIDI learn failed: {error}").format(error=exc))

    def change(self, step: int) -> None:
        """Left/Right on the focused row."""
        p = self.col
        if self.row == 0:
            self.col = 0 if step < 0 else 1
        elif self.row == 1 and self.diffs[p]:
            self.diff_index[p] = (self.diff_index[p] + step) % len(self.diffs[p])
        elif self.row == 2:
            self.input_index[p] = (self.input_index[p] + step) % len(self.inputs[p])
        elif self.row == 3:
            self.button = (self.button + step) % len(BUTTONS)

    def activate(self) -> None:
        """Enter on the focused row."""
        if self.row == 0:
            if self.input_kind(self.col) not in kit.LIVE_INPUTS:
                self.say(tr("Scripted players play under their own name"), TEXT_DIM)
                return
            self.editing, self.field = self.col, TextField(self.names[self.col])
            self.field.start(self._name_rect(self.col))
        elif self.row in (1, 2):
            self.change(1)
        else:
            self.press(BUTTONS[self.button])

    def _edit_event(self, event: Any) -> None:
        p, field = self.editing, self.field
        assert p is not None and field is not None
        result = field.on_event(event)
        if result is None:
            return
        if result == DONE and field.value:
            self.names[p] = field.value
        field.stop()
        self.editing, self.field = None, None

    def _name_rect(self, p: int) -> pygame.Rect:
        """Player ``p``'s name field in pixels (where an IME opens its candidates)."""
        col_w = (self.width_units - 160) / 2
        fx = 60 + p * (col_w + 40) + 240
        return self.rect(fx, 170, col_w - 262, 68)

    def on_hotspot(self, target: Any, *, click: bool) -> None:
        kind, value = target
        if kind == "kit":
            if click:
                self.open_kit(value[1], value[0])
            return
        if kind == "button":
            self.row, self.button = 3, value
        else:
            self.col, self.row = value
        if click:
            self.activate()

    def say(self, message: str, colour: Any = TEXT_DIM) -> None:
        """Show one line above the hints."""
        self.message, self.message_colour = message, colour

    # buttons -----------------------------------------------------------------------
    def press(self, button: str) -> None:
        """Rollover test, Calibrate, Start! or Practice."""
        try:
            if button == "Rollover test":
                from game.app.scenes.rollover import RolloverScene

                self.app.push(RolloverScene(self.app))
            elif button == "Calibrate":
                from game.app.scenes.calibration import CalibrationScene

                self.app.push(CalibrationScene(self.app))
            else:
                self.start(practice=button == "Practice")
        except Exception as exc:  # a broken screen shows a message, never ends the game
            # TRANSLATORS: a button of player setup could not open its screen (the error)
            self.say(tr("{button}: {error}").format(button=tr(button), error=exc), VERMILLION)
            report_error(self.app,
                         # TRANSLATORS: the same, as a notice on the title screen
                         tr("{button} failed: {error}").format(button=tr(button), error=exc))

    def start(self, *, practice: bool = False) -> None:
        """Save the choices and push the gameplay scene (or practice setup)."""
        if self.chart is None or None in (self.difficulty(0), self.difficulty(1)):
            self.say(tr("This song cannot be played (see above)"), VERMILLION)
            return
        self.save_prefs()
        setups = tuple(PlayerSetup(part, self.difficulty(i) or "", KEYBOARD_5,
                                   name=self.play_name(i))
                       for i, part in enumerate(("p1", "p2")))
        folder = Path(self.entry["beatmap"]).parent
        if practice:
            from game.app.scenes.practice_setup import PracticeSetupScene

            self.app.push(PracticeSetupScene(self.app, self.chart, (setups[0], setups[1]),
                                             (self.spec(0), self.spec(1)), folder=folder))
            return
        self.app.push(gameplay_scene(self.app, self.chart, (setups[0], setups[1]),
                                     (self.spec(0), self.spec(1)), folder=folder))

    # settings ----------------------------------------------------------------------
    def _prefs_key(self) -> tuple[Any, ...]:
        return (tuple(self.names), tuple(self.difficulty(i) for i in (0, 1)),
                tuple(self.input_index))

    def save_prefs(self) -> None:
        """Write names and difficulties back to the settings file (if there is a store)."""
        settings = self.app.context.settings
        if self._prefs_key() == self._saved:
            return
        try:
            for i in (0, 1):
                changes: dict[str, Any] = {"name": self.names[i] or f"P{i + 1}"}
                if self.difficulty(i):
                    changes["difficulty"] = self.difficulty(i)
                if (self.input_index[i] != self._first_inputs[i]
                        and self.input_kind(i) in kit.LIVE_INPUTS):
                    changes["input"] = self.input_choice(i)  # a person's seat, not a bot
                settings = settings.with_player(i, **changes)
            self._saved = self._prefs_key()
            self.app.context.commit_settings(settings)
        except Exception as exc:  # kept in memory; the player is told
            report_error(self.app, tr("settings not saved: {error}").format(error=exc))

    def close(self) -> None:
        if self.field is not None:
            self.field.stop()
        self.save_prefs()

    # drawing -----------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        self.begin(surface)
        e = self.entry
        # TRANSLATORS: title of the player setup screen
        self.header(surface, tr("Players"), e.get("title", ""))
        W = self.width_units
        col_w = (W - 160) / 2
        for p in (0, 1):
            self._draw_column(surface, p, 60 + p * (col_w + 40), col_w)
        kit.draw_midi_line(self, surface, self.midi, W / 2, 498, W - 160)
        widths = (210.0, 170.0, 210.0, 170.0)
        x = W / 2 - (sum(widths) + 60) / 2
        for i, (label, bw) in enumerate(zip(BUTTONS, widths, strict=True)):
            r = self.rect(x, 536, bw, 60)
            focused = self.row == 3 and self.button == i
            colour = BLUISH_GREEN if label == "Start!" else PALETTES[0].light
            if focused:
                self.focus_panel(surface, r, colour, radius=30)
            else:
                self.focus_panel(surface, r, colour, strong=False, radius=30)
            self.text(surface, tr(label), 34 if label == "Start!" else 28,
                      TEXT if focused else TEXT_DIM, x + bw / 2, 566, max_w=bw - 24)
            self.hotspot(r, ("button", i))
            x += bw + 20
        if self.message:
            self.text(surface, self.message, 22, self.message_colour, W / 2, 630,
                      max_w=W - 120, shadow=False)
        self.hints(surface, self._hints())

    def _hints(self) -> list[tuple[str, str]]:
        """Keycap labels (the keys' printed names) and what the keys do."""
        with_kit = "midi" in (self.input_kind(0), self.input_kind(1))
        return setup_hints(editing=self.field is not None, with_kit=with_kit)

    def _draw_column(self, surface: pygame.Surface, p: int, x: float, w: float) -> None:
        pal = PALETTES[p]
        self.panel(surface, self.rect(x, 120, w, 356), fill=rgba(pal.deep, 110),
                   edge=rgba(pal.primary, 150), radius=18)
        # TRANSLATORS: player setup, a column's title (upper case in English)
        self.text(surface, tr("PLAYER {n}").format(n=p + 1), 24, pal.light, x + 24, 146,
                  "midleft", max_w=w / 2 - 34)
        # TRANSLATORS: player setup: which side of the screen (and keyboard) the player has
        side = tr("LEFT SIDE") if p == 0 else tr("RIGHT SIDE")
        self.text(surface, side, 18, TEXT_FAINT, x + w - 24, 146, "midright",
                  max_w=w / 2 - 34, shadow=False)
        jr = self.rect(x + 20, 170, 196, 226)
        key = ("jersey", jr.size, p)
        img = self._panels.get(key)
        if img is None:
            img = self._panels[key] = jersey(jr.size, p)
        surface.blit(img, jr.topleft)
        typing = self.field if self.editing == p else None
        name = typing.shown if typing else self.shown_name(p)  # as typed
        caret = "_" if typing and int(self.t * 2) % 2 == 0 else ""
        lines = name_lines(name, lambda s: self.text_width(s, 26), 118)
        for k, line in enumerate(lines):  # a long name (often a CJK one) on two smaller lines
            last = k == len(lines) - 1
            self.text(surface, line + (caret if last else ""), 26 if len(lines) == 1 else 21,
                      WHITE, x + 118, 252 + 24 * k - 12 * (len(lines) - 1), max_w=118)
        self.text(surface, str(p + 1), 96, WHITE, x + 118, 325)
        self.hotspot(jr, ("field", (p, 0)))
        fx, fw = x + 240, w - 262
        values = (typing.shown + caret if typing else self.shown_name(p),
                  self._diff_text(p), self.input_label(p))
        for r_i, (label, value) in enumerate(zip(FIELD_LABELS, values, strict=True)):
            top = 170 + r_i * 78
            r = self.rect(fx, top, fw, 68)
            focused = self.row == r_i and self.col == p
            if focused:
                self.focus_panel(surface, r, pal.light)
            if self.editing == p and r_i == 0:
                # TRANSLATORS: player setup, the name field's label while a name is typed
                label = N_("NAME  ·  TYPING")
            self.hotspot(r, ("field", (p, r_i)))
            self.text(surface, tr(label), 17, pal.light if focused else TEXT_FAINT, fx + 16,
                      top + 18, "midleft", max_w=fw - 32, shadow=False)
            colour = TEXT if focused else TEXT_DIM
            drawn = self.text(surface, value, 28, colour, fx + 16, top + 46, "midleft",
                              max_w=fw - 60)
            if typing and r_i == 0:
                self._underline_composition(surface, typing, value, drawn, r)
            if r_i > 0 and focused:
                self.arrow(surface, fx + fw - 40, top + 46, 12, pal.light, -1)
                self.arrow(surface, fx + fw - 18, top + 46, 12, pal.light, 1)
        self._draw_input_info(surface, p, fx, fw)

    def _underline_composition(self, surface: pygame.Surface, field: TextField, value: str,
                               drawn: pygame.Rect, box: pygame.Rect) -> None:
        """Underline what the IME is composing, and keep its candidates by the field."""
        if field.composition:
            full = self.text_width(value, 28) or 1.0
            x0 = drawn.x + drawn.w * self.text_width(field.text, 28) / full
            x1 = drawn.x + drawn.w * self.text_width(field.text + field.composition, 28) / full
            y = drawn.bottom - self.px(2)
            pygame.draw.line(surface, TEXT, (round(x0), y), (round(x1), y), max(1, self.px(2)))
        if box != self._ime_rect:
            self._ime_rect = box
            field.set_rect(box)

    def _diff_text(self, p: int) -> str:
        if not self.diffs[p]:
            # TRANSLATORS: player setup, difficulty field: the song has no part for this player
            return tr("no chart")
        d, rating = self.diffs[p][self.diff_index[p]]
        return f"{difficulty_word(d)}  ·  {rating:.1f}"

    def _draw_input_info(self, surface: pygame.Surface, p: int, x: float, w: float) -> None:
        kind = self.input_kind(p)
        y = 428
        if kind == "midi":
            kit.draw_kit_info(self, surface, p, x, y, w)
        elif kind == "keyboard":
            keys = current_keys(self.app)[p]
            # TRANSLATORS: player setup: label before the player's five keyboard keys
            self.text(surface, tr("KEYS"), 17, TEXT_FAINT, x + 16, y, "midleft", max_w=50,
                      shadow=False)
            kx = x + 70
            for k in keys:
                label = k.upper() if len(k) == 1 else k
                kw = max(34.0, self.text_width(label, 20) + 16)
                self.panel(surface, self.rect(kx, y - 17, kw, 34), fill=(255, 255, 255, 22),
                           edge=rgba(PALETTES[p].light, 120), radius=6, edge_w=1)
                self.text(surface, label, 20, TEXT, kx + kw / 2, y, shadow=False)
                kx += kw + 8
        else:
            about = (tr("computer drummer, timing spread {ms} ms").format(ms=BOT_SD_MS)
                     if kind == "bot" else tr("plays every note perfectly"))
            self.text(surface, about, 20, TEXT_FAINT, x + 16, y, "midleft", max_w=w - 20,
                      shadow=False)
