"""Settings: key bindings, volumes, offsets, scroll speed, full screen, hit sounds, language.

Changes apply at once (volumes reach the audio player, full screen switches
the window, every screen speaks the chosen language) and are written
atomically to the settings file when the screen is left. If the file cannot be
written the values stay in memory and a notice says why.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pygame

from game.app.scenes.menu_scene import MenuScene, report_error
from game.engine.voices import KEYBOARD_5
from game.store.settings import MAX_OFFSET_MS, KeyBindings, Settings
from game.ui import i18n
from game.ui.i18n import N_, tr
from game.ui.theme import (
    BLUISH_GREEN,
    PALETTES,
    TEXT,
    TEXT_DIM,
    TEXT_FAINT,
    VERMILLION,
    player_tag,
    rgba,
)
from game.ui.words import lane_word

LANE_NAMES: tuple[str, ...] = tuple(lane.name for lane in KEYBOARD_5.lanes)
#: The right-hand rows: (id, label); labels are translated when drawn.
ROWS: tuple[tuple[str, str], ...] = (
    ("master_volume", N_("Master volume")),
    ("music_volume", N_("Music volume")),
    ("hit_volume", N_("Hit sound volume")),
    # TRANSLATORS: setting: how late the game's sound reaches your ears (calibration)
    ("audio_offset_ms", N_("Audio offset")),
    # TRANSLATORS: setting: player 1's key delay correction; "P1" is player 1
    ("p1_offset", N_("P1 input offset")),
    # TRANSLATORS: setting: player 2's key delay correction; "P2" is player 2
    ("p2_offset", N_("P2 input offset")),
    # TRANSLATORS: setting: how fast notes move down the highway
    ("scroll_speed", N_("Scroll speed")),
    # TRANSLATORS: setting: the window fills the whole screen
    ("fullscreen", N_("Fullscreen")),
    # TRANSLATORS: setting: play a drum sound when player 1 hits a key
    ("p1_sounds", N_("P1 hit sounds")),
    # TRANSLATORS: setting: play a drum sound when player 2 hits a key
    ("p2_sounds", N_("P2 hit sounds")),
    # TRANSLATORS: setting: the language of the game's screens
    ("language", N_("Language")),
)
#: The on/off rows (drawn as a switch).
TOGGLES = ("fullscreen", "p1_sounds", "p2_sounds")
#: The language row's choices, in order: the system's, then each language the game speaks.
LANGUAGE_CHOICES: tuple[str, ...] = (i18n.AUTO, *i18n.LANGUAGES)
#: Vertical distance between the right-hand rows (720p units).
ROW_STEP = 40.0


def _clamp(v: float, lo: float, hi: float) -> float:
    return min(max(v, lo), hi)


class SettingsScene(MenuScene):
    """Two panels: the key grid (left) and the other settings (right); Tab switches."""

    name = "settings"

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.settings: Settings = app.context.settings
        self._original = self.settings
        self.panel_i = 0  # 0 keys, 1 the rest
        self.krow, self.kcol, self.orow = 0, 0, 0
        self.waiting: tuple[int, int] | None = None
        self.message, self.message_colour = "", TEXT_DIM

    # values ------------------------------------------------------------------------
    def key_of(self, player: int, lane: int) -> str:
        """The key bound to ``player``'s ``lane``."""
        return self.settings.keys.for_player(player)[lane]

    def _set(self, **changes: Any) -> None:
        self.settings = dataclasses.replace(self.settings, **changes)
        self.app.context.settings = self.settings

    def rebind(self, player: int, lane: int, name: str) -> bool:
        """Bind ``name`` to ``player``'s ``lane``; False (with a message) if it is taken."""
        for p in (0, 1):
            for ln in range(len(LANE_NAMES)):
                if (p, ln) != (player, lane) and self.key_of(p, ln) == name:
                    # TRANSLATORS: {key} is a key name ("d", "space"), {player} "P1" or
                    # "P2", {lane} a drum lane ("Snare")
                    self.say(tr("'{key}' is already {player} {lane}: press another key, or "
                                "Esc to cancel").format(key=name, player=player_tag(p),
                                                        lane=lane_word(LANE_NAMES[ln])),
                             VERMILLION)
                    return False
        keys = [list(self.settings.keys.p1), list(self.settings.keys.p2)]
        keys[player][lane] = name
        self._set(keys=KeyBindings(p1=tuple(keys[0]), p2=tuple(keys[1])))
        # TRANSLATORS: {player} "P1" or "P2", {lane} a drum lane, {key} a key name ("d")
        self.say(tr("{player} {lane} is now '{key}'").format(
            player=player_tag(player), lane=lane_word(LANE_NAMES[lane]), key=name),
            BLUISH_GREEN)
        return True

    def adjust(self, row: str, step: int, *, big: bool = False) -> None:
        """Left/Right (``step`` -1/+1) on a row; ``big`` is Shift held."""
        s = self.settings
        if row in ("master_volume", "music_volume", "hit_volume"):
            value = round(_clamp(getattr(s.audio, row) + 0.1 * step, 0.0, 1.0), 2)
            volumes: dict[str, Any] = {row: value}
            self._set(audio=dataclasses.replace(s.audio, **volumes))
            self._apply_volumes()
        elif row == "audio_offset_ms":
            value = _clamp(s.audio.audio_offset_ms + step * (10 if big else 1), -MAX_OFFSET_MS,
                           MAX_OFFSET_MS)
            self._set(audio=dataclasses.replace(s.audio, audio_offset_ms=value))
        elif row in ("p1_offset", "p2_offset", "p1_sounds", "p2_sounds"):
            i = int(row[1]) - 1
            prefs = s.players[i]
            if row.endswith("offset"):
                change: dict[str, Any] = {"input_offset_ms": _clamp(
                    prefs.input_offset_ms + step * (10 if big else 1),
                    -MAX_OFFSET_MS, MAX_OFFSET_MS)}
            else:
                change = {"hit_sounds": not prefs.hit_sounds}
            self._set(players=s.with_player(i, **change).players)
        elif row == "scroll_speed":
            value = round(_clamp(s.display.scroll_speed + step * (0.5 if big else 0.1), 0.5,
                                 3.0), 2)
            self._set(display=dataclasses.replace(s.display, scroll_speed=value))
        elif row == "fullscreen":
            self.app.toggle_fullscreen()
            self._set(display=dataclasses.replace(s.display, fullscreen=self.app.fullscreen))
        elif row == "language":
            now = s.display.language
            k = LANGUAGE_CHOICES.index(now) if now in LANGUAGE_CHOICES else 0
            self.set_language(LANGUAGE_CHOICES[(k + step) % len(LANGUAGE_CHOICES)])

    def set_language(self, value: str) -> None:
        """Speak ``value`` (``"auto"`` or a language code) from now on; saved on leaving."""
        i18n.set_language(i18n.choose_language(None, value))
        self._set(display=dataclasses.replace(self.settings.display, language=value))
        self.say("")  # a message in the old language would be out of place

    def _apply_volumes(self) -> None:
        audio = self.app.context.audio
        if audio is not None:
            a = self.settings.audio
            audio.set_volumes(a.master_volume, a.music_volume, a.hit_volume)

    def is_on(self, row: str) -> bool:
        """Whether an on/off row (one of :data:`TOGGLES`) is on."""
        if row == "fullscreen":
            return bool(self.settings.display.fullscreen)
        return bool(self.settings.players[int(row[1]) - 1].hit_sounds)

    def value_text(self, row: str) -> str:
        """What a row shows (translated)."""
        s = self.settings
        if row in ("master_volume", "music_volume", "hit_volume"):
            # TRANSLATORS: a volume in percent; keep {percent}
            return tr("{percent} %").format(percent=round(getattr(s.audio, row) * 100))
        if row in ("audio_offset_ms", "p1_offset", "p2_offset"):
            ms = (s.audio.audio_offset_ms if row == "audio_offset_ms"
                  else s.players[int(row[1]) - 1].input_offset_ms)
            # TRANSLATORS: a delay in milliseconds with its sign, e.g. "+12 ms"
            return tr("{ms} ms").format(ms=f"{ms:+g}")
        if row == "scroll_speed":
            # TRANSLATORS: a speed multiplier, e.g. "1.5x" (one and a half times as fast)
            return tr("{speed}x").format(speed=f"{s.display.scroll_speed:.1f}")
        if row == "language":
            value = s.display.language
            if value in i18n.LANGUAGES:
                return i18n.LANGUAGES[value]  # each language in its own name, never translated
            # TRANSLATORS: the language setting's value that follows the computer's language
            return tr("Auto (system)")
        # TRANSLATORS: a switch's state (fullscreen, hit sounds)
        return tr("On") if self.is_on(row) else tr("Off")

    def say(self, message: str, colour: Any = TEXT_DIM) -> None:
        """Show one line above the hints."""
        self.message, self.message_colour = message, colour

    # input -------------------------------------------------------------------------
    def on_event(self, event: Any, t_capture: float) -> None:
        if event.type != pygame.KEYDOWN:
            if self.waiting is None:
                self.mouse(event)
            return
        key = event.key
        if self.waiting is not None:
            player, lane = self.waiting
            if key == pygame.K_ESCAPE:
                self.waiting = None
                self.say(tr("Rebinding cancelled"))
                return
            name = pygame.key.name(key)
            if not name:
                self.say(tr("That key has no name the game can store; try another"),
                         VERMILLION)
            elif self.rebind(player, lane, name):
                self.waiting = None
            return
        big = bool(getattr(event, "mod", 0) & pygame.KMOD_SHIFT)
        if key == pygame.K_ESCAPE:
            self.back()
        elif key == pygame.K_TAB:
            self.panel_i = 1 - self.panel_i
        elif key in (pygame.K_UP, pygame.K_DOWN):
            step = 1 if key == pygame.K_DOWN else -1
            if self.panel_i == 0:
                self.krow = (self.krow + step) % len(LANE_NAMES)
            else:
                self.orow = (self.orow + step) % len(ROWS)
        elif key in (pygame.K_LEFT, pygame.K_RIGHT):
            step = 1 if key == pygame.K_RIGHT else -1
            if self.panel_i == 0:
                self.kcol = 0 if step < 0 else 1
            else:
                self.adjust(ROWS[self.orow][0], step, big=big)
        elif key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
            self.activate()

    def activate(self) -> None:
        """Enter: rebind the focused key, or toggle / step the focused row."""
        if self.panel_i == 0:
            self.waiting = (self.kcol, self.krow)
            # TRANSLATORS: {player} "P1" or "P2", {lane} a drum lane ("Snare")
            self.say(tr("Press the new key for {player} {lane} (Esc cancels)").format(
                player=player_tag(self.kcol), lane=lane_word(LANE_NAMES[self.krow])),
                PALETTES[self.kcol].light)
        else:
            self.adjust(ROWS[self.orow][0], 1)

    def on_hotspot(self, target: Any, *, click: bool) -> None:
        kind, a, b = target
        if kind == "key":
            self.panel_i, self.kcol, self.krow = 0, a, b
        else:
            self.panel_i, self.orow = 1, a
        if click:
            self.activate()

    def close(self) -> None:
        if self.settings == self._original:
            return
        try:
            self.app.context.commit_settings(self.settings)
            self._original = self.settings
        except Exception as exc:  # kept in memory for this run
            report_error(self.app, tr("settings not saved: {error}").format(error=exc))

    # drawing -----------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        self.begin(surface)
        W = self.width_units
        self.header(surface, tr("Settings"), tr("saved when you leave this screen"))
        left_w = min(560.0, (W - 150) * 0.46)
        self._draw_keys(surface, 60, 122, left_w)
        self._draw_rows(surface, 60 + left_w + 30, 122, W - 150 - left_w)
        if self.message:
            self.text(surface, self.message, 22, self.message_colour, W / 2, 646,
                      max_w=W - 120, shadow=False)
        self.hints(surface, self._hints())

    def _hints(self) -> list[tuple[str, str]]:
        """The key hints of the current state, translated."""
        if self.waiting is not None:
            return [
                # TRANSLATORS: in the keycap of a key hint: press whichever key you want
                (tr("any key"),
                 # TRANSLATORS: key hint: the pressed key is bound to the lane
                 tr("bind it")),
                # TRANSLATORS: keycap label; keep the key's printed name
                (tr("Esc"),
                 # TRANSLATORS: key hint, what the key does: stop rebinding
                 tr("cancel")),
            ]
        # TRANSLATORS: keycap label; keep the key's printed name (the arrow keys)
        up_down = tr("Up/Down")
        # TRANSLATORS: keycap label; keep the key's printed name (the arrow keys)
        left_right = tr("Left/Right")
        # TRANSLATORS: keycap label; keep the key's printed name
        tab = tr("Tab")
        # TRANSLATORS: keycap label; keep the key's printed name
        esc = tr("Esc")
        # TRANSLATORS: key hint, what Esc does: leave the screen, saving the settings
        save = tr("save & back")
        if self.panel_i == 0:
            return [
                # TRANSLATORS: key hint, what Up/Down does: choose a drum lane
                (up_down, tr("lane")),
                # TRANSLATORS: key hint, what Left/Right does: choose player 1 or 2
                (left_right, tr("player")),
                # TRANSLATORS: keycap label; keep the key's printed name
                (tr("Enter"),
                 # TRANSLATORS: key hint, what the key does: bind a new key to the lane
                 tr("rebind")),
                # TRANSLATORS: key hint, what Tab does: go to the other panel of settings
                (tab, tr("other settings")),
                (esc, save),
            ]
        return [
            # TRANSLATORS: key hint, what Up/Down does: choose a setting
            (up_down, tr("setting")),
            # TRANSLATORS: key hint, what Left/Right does: change the setting's value
            (left_right, tr("change")),
            # TRANSLATORS: keycap label; keep the key's printed name
            (tr("Shift"),
             # TRANSLATORS: key hint, what holding Shift does: change values in bigger steps
             tr("big steps")),
            # TRANSLATORS: key hint, what Tab does: go to the key bindings panel
            (tab, tr("keys")),
            (esc, save),
        ]

    def _draw_keys(self, surface: pygame.Surface, x: float, y: float, w: float) -> None:
        self.panel(surface, self.rect(x, y, w, 500), radius=18)
        # TRANSLATORS: heading of the key bindings panel
        self.text(surface, tr("KEYS"), 22, TEXT_DIM, x + 28, y + 34, "midleft", max_w=130)
        cell_w = (w - 200) / 2
        for p in (0, 1):
            cx = x + 170 + p * (cell_w + 14) + cell_w / 2
            self.text(surface, player_tag(p), 26, PALETTES[p].light, cx, y + 34)
        for lane, lane_name in enumerate(LANE_NAMES):
            ry = y + 96 + lane * 80
            self.text(surface, lane_word(lane_name), 28, TEXT_DIM, x + 28, ry, "midleft",
                      max_w=130)
            for p in (0, 1):
                pal = PALETTES[p]
                cx = x + 170 + p * (cell_w + 14)
                r = self.rect(cx, ry - 28, cell_w, 56)
                focused = self.panel_i == 0 and (self.krow, self.kcol) == (lane, p)
                waiting = self.waiting == (p, lane)
                key = self.key_of(p, lane)  # a key name: never translated
                label = key.upper() if len(key) == 1 else key
                if waiting:
                    pulse = 120 + int(100 * abs((self.t * 2) % 2 - 1))
                    self.panel(surface, r, fill=rgba(pal.light, 60), edge=rgba(pal.light, pulse),
                               radius=10, edge_w=3)
                    label = tr("press a key")
                elif focused:
                    self.focus_panel(surface, r, pal.light, radius=10)
                else:
                    self.panel(surface, r, fill=(255, 255, 255, 14),
                               edge=rgba(pal.primary, 120), radius=10)
                self.text(surface, label, 22 if waiting else 32,
                          TEXT if focused or waiting else TEXT_DIM, cx + cell_w / 2, ry,
                          max_w=cell_w - 16)
                self.hotspot(r, ("key", p, lane))

    def _draw_rows(self, surface: pygame.Surface, x: float, y: float, w: float) -> None:
        self.panel(surface, self.rect(x, y, w, 500), radius=18)
        # TRANSLATORS: heading of the panel with volumes, offsets, speed, window, language
        self.text(surface, tr("AUDIO & DISPLAY"), 22, TEXT_DIM, x + 28, y + 34, "midleft",
                  max_w=w - 56)
        label_w = w * 0.5  # the label's room; the value has the rest of the row
        # the volume bars (one width) give way to long labels, down to 80 units
        widest = max(self.text_width(tr(label), 24) for row, label in ROWS
                     if row.endswith("volume"))
        bar_w = min(150.0, max(80.0, w - 196 - widest))
        for i, (row, label) in enumerate(ROWS):
            ry = y + 76 + i * ROW_STEP
            r = self.rect(x + 12, ry - 18, w - 24, 36)
            focused = self.panel_i == 1 and self.orow == i
            if focused:
                self.focus_panel(surface, r, radius=10)
            self.hotspot(r, ("row", i, 0))
            colour = PALETTES[int(row[1]) - 1].light if row[:2] in ("p1", "p2") else TEXT
            vx = x + w - 56
            value = self.value_text(row)
            room = label_w
            if row.endswith("volume"):
                bar = self.rect(vx - 100 - bar_w, ry - 4, bar_w, 8)
                room = min(label_w, w - 196 - bar_w)
                pygame.draw.rect(surface, (40, 44, 62), bar, border_radius=self.px(4))
                part = bar.copy()
                part.width = round(bar.width * getattr(self.settings.audio, row))
                if part.width:
                    pygame.draw.rect(surface, PALETTES[0].light, part, border_radius=self.px(4))
                self.text(surface, value, 26, TEXT if focused else TEXT_DIM, vx, ry,
                          "midright", max_w=90)
            elif row in TOGGLES:
                on = self.is_on(row)
                pill = self.rect(vx - 60, ry - 14, 60, 28)
                pygame.draw.rect(surface, BLUISH_GREEN if on else (74, 80, 108), pill,
                                 border_radius=self.px(14))
                knob_x = vx - 14 if on else vx - 46
                pygame.draw.circle(surface, TEXT, (self.px(knob_x), self.px(ry)),
                                   self.px(10))
                self.text(surface, value, 22, TEXT if focused else TEXT_FAINT, vx - 72, ry,
                          "midright", max_w=max(30.0, w - 56 - 72 - 28 - label_w - 12),
                          shadow=False)
            else:
                self.text(surface, value, 26, TEXT if focused else TEXT_DIM, vx, ry,
                          "midright", max_w=max(40.0, w - 56 - 28 - label_w - 12))
            self.text(surface, tr(label), 24, colour if focused else TEXT_DIM, x + 28, ry,
                      "midleft", max_w=room)
            if focused:
                self.arrow(surface, x + w - 40, ry, 11, TEXT_DIM, -1)
                self.arrow(surface, x + w - 22, ry, 11, TEXT_DIM, 1)
