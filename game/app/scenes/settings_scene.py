"""Settings: key bindings, volumes, offsets, scroll speed, full screen, hit sounds.

Changes apply at once (volumes reach the audio player, full screen switches
the window) and are written atomically to the settings file when the screen
is left. If the file cannot be written the values stay in memory and a notice
says why.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pygame

from game.app.scenes.title import MenuScene, report_error
from game.engine.voices import KEYBOARD_5
from game.store.settings import MAX_OFFSET_MS, KeyBindings, Settings, save_settings
from game.ui.theme import BLUISH_GREEN, PALETTES, TEXT, TEXT_DIM, TEXT_FAINT, VERMILLION, rgba

LANE_NAMES: tuple[str, ...] = tuple(lane.name for lane in KEYBOARD_5.lanes)
#: The right-hand rows: (id, label).
ROWS: tuple[tuple[str, str], ...] = (
    ("master_volume", "Master volume"), ("music_volume", "Music volume"),
    ("hit_volume", "Hit sound volume"), ("audio_offset_ms", "Audio offset"),
    ("p1_offset", "P1 input offset"), ("p2_offset", "P2 input offset"),
    ("scroll_speed", "Scroll speed"), ("fullscreen", "Fullscreen"),
    ("p1_sounds", "P1 hit sounds"), ("p2_sounds", "P2 hit sounds"),
)


def _clamp(v: float, lo: float, hi: float) -> float:
    return min(max(v, lo), hi)


class SettingsScene(MenuScene):
    """Two panels: the key grid (left) and the other settings (right); Tab switches."""

    name = "settings"

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        current = app.services.get("settings")
        self.settings: Settings = current if isinstance(current, Settings) else Settings()
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
        self.app.services["settings"] = self.settings

    def rebind(self, player: int, lane: int, name: str) -> bool:
        """Bind ``name`` to ``player``'s ``lane``; False (with a message) if it is taken."""
        for p in (0, 1):
            for ln in range(len(LANE_NAMES)):
                if (p, ln) != (player, lane) and self.key_of(p, ln) == name:
                    self.say(f"'{name}' is already P{p + 1} {LANE_NAMES[ln]}: press another "
                             "key, or Esc to cancel", VERMILLION)
                    return False
        keys = [list(self.settings.keys.p1), list(self.settings.keys.p2)]
        keys[player][lane] = name
        self._set(keys=KeyBindings(p1=tuple(keys[0]), p2=tuple(keys[1])))
        self.say(f"P{player + 1} {LANE_NAMES[lane]} is now '{name}'", BLUISH_GREEN)
        return True

    def adjust(self, row: str, step: int, *, big: bool = False) -> None:
        """Left/Right (``step`` -1/+1) on a row; ``big`` is Shift held."""
        s = self.settings
        if row in ("master_volume", "music_volume", "hit_volume"):
            value = round(_clamp(getattr(s.audio, row) + 0.1 * step, 0.0, 1.0), 2)
            self._set(audio=dataclasses.replace(s.audio, **{row: value}))
            self._apply_volumes()
        elif row == "audio_offset_ms":
            value = _clamp(s.audio.audio_offset_ms + step * (10 if big else 1), -MAX_OFFSET_MS,
                           MAX_OFFSET_MS)
            self._set(audio=dataclasses.replace(s.audio, audio_offset_ms=value))
        elif row in ("p1_offset", "p2_offset", "p1_sounds", "p2_sounds"):
            i = int(row[1]) - 1
            prefs = s.players[i]
            if row.endswith("offset"):
                value = _clamp(prefs.input_offset_ms + step * (10 if big else 1),
                               -MAX_OFFSET_MS, MAX_OFFSET_MS)
                prefs = dataclasses.replace(prefs, input_offset_ms=value)
            else:
                prefs = dataclasses.replace(prefs, hit_sounds=not prefs.hit_sounds)
            players = list(s.players)
            players[i] = prefs
            self._set(players=(players[0], players[1]))
        elif row == "scroll_speed":
            value = round(_clamp(s.display.scroll_speed + step * (0.5 if big else 0.1), 0.5,
                                 3.0), 2)
            self._set(display=dataclasses.replace(s.display, scroll_speed=value))
        elif row == "fullscreen":
            self.app.toggle_fullscreen()
            self._set(display=dataclasses.replace(s.display, fullscreen=self.app.fullscreen))

    def _apply_volumes(self) -> None:
        audio = self.app.services.get("audio")
        if audio is not None:
            a = self.settings.audio
            audio.set_volumes(a.master_volume, a.music_volume, a.hit_volume)

    def value_text(self, row: str) -> str:
        """What a row shows."""
        s = self.settings
        if row in ("master_volume", "music_volume", "hit_volume"):
            return f"{round(getattr(s.audio, row) * 100)} %"
        if row == "audio_offset_ms":
            return f"{s.audio.audio_offset_ms:+g} ms"
        if row in ("p1_offset", "p2_offset"):
            return f"{s.players[int(row[1]) - 1].input_offset_ms:+g} ms"
        if row == "scroll_speed":
            return f"{s.display.scroll_speed:.1f}x"
        if row == "fullscreen":
            return "On" if s.display.fullscreen else "Off"
        return "On" if s.players[int(row[1]) - 1].hit_sounds else "Off"

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
                self.say("Rebinding cancelled")
                return
            name = pygame.key.name(key)
            if not name:
                self.say("That key has no name the game can store; try another", VERMILLION)
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
            self.say(f"Press the new key for P{self.kcol + 1} {LANE_NAMES[self.krow]} "
                     "(Esc cancels)", PALETTES[self.kcol].light)
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
        self.app.services["settings"] = self.settings
        try:
            save_settings(self.settings, self.app.services.get("settings_path"))
            self._original = self.settings
        except Exception as exc:  # kept in memory for this run
            report_error(self.app, f"settings not saved: {exc}")

    # drawing -----------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        self.begin(surface)
        W = self.width_units
        self.header(surface, "Settings", "saved when you leave this screen")
        left_w = min(560.0, (W - 150) * 0.46)
        self._draw_keys(surface, 60, 122, left_w)
        self._draw_rows(surface, 60 + left_w + 30, 122, W - 150 - left_w)
        if self.message:
            self.text(surface, self.message, 22, self.message_colour, W / 2, 646,
                      max_w=W - 120, shadow=False)
        if self.waiting is not None:
            hints = [("any key", "bind it"), ("Esc", "cancel")]
        elif self.panel_i == 0:
            hints = [("Up/Down", "lane"), ("Left/Right", "player"), ("Enter", "rebind"),
                     ("Tab", "other settings"), ("Esc", "save & back")]
        else:
            hints = [("Up/Down", "setting"), ("Left/Right", "change"), ("Shift", "big steps"),
                     ("Tab", "keys"), ("Esc", "save & back")]
        self.hints(surface, hints)

    def _draw_keys(self, surface: pygame.Surface, x: float, y: float, w: float) -> None:
        self.panel(surface, self.rect(x, y, w, 500), radius=18)
        self.text(surface, "KEYS", 22, TEXT_DIM, x + 28, y + 34, "midleft")
        cell_w = (w - 200) / 2
        for p in (0, 1):
            cx = x + 170 + p * (cell_w + 14) + cell_w / 2
            self.text(surface, f"P{p + 1}", 26, PALETTES[p].light, cx, y + 34)
        for lane, lane_name in enumerate(LANE_NAMES):
            ry = y + 96 + lane * 80
            self.text(surface, lane_name.capitalize(), 28, TEXT_DIM, x + 28, ry, "midleft")
            for p in (0, 1):
                pal = PALETTES[p]
                cx = x + 170 + p * (cell_w + 14)
                r = self.rect(cx, ry - 28, cell_w, 56)
                focused = self.panel_i == 0 and (self.krow, self.kcol) == (lane, p)
                waiting = self.waiting == (p, lane)
                if waiting:
                    pulse = 120 + int(100 * abs((self.t * 2) % 2 - 1))
                    self.panel(surface, r, fill=rgba(pal.light, 60), edge=rgba(pal.light, pulse),
                               radius=10, edge_w=3)
                    label = "press a key"
                elif focused:
                    self.focus_panel(surface, r, pal.light, radius=10)
                    label = self.key_of(p, lane)
                else:
                    self.panel(surface, r, fill=(255, 255, 255, 14),
                               edge=rgba(pal.primary, 120), radius=10)
                    label = self.key_of(p, lane)
                label = label.upper() if len(label) == 1 else label
                self.text(surface, label, 22 if waiting else 32,
                          TEXT if focused or waiting else TEXT_DIM, cx + cell_w / 2, ry,
                          max_w=cell_w - 16)
                self.hotspot(r, ("key", p, lane))

    def _draw_rows(self, surface: pygame.Surface, x: float, y: float, w: float) -> None:
        self.panel(surface, self.rect(x, y, w, 500), radius=18)
        self.text(surface, "AUDIO & DISPLAY", 22, TEXT_DIM, x + 28, y + 34, "midleft")
        for i, (row, label) in enumerate(ROWS):
            ry = y + 78 + i * 42
            r = self.rect(x + 12, ry - 19, w - 24, 38)
            focused = self.panel_i == 1 and self.orow == i
            if focused:
                self.focus_panel(surface, r, radius=10)
            self.hotspot(r, ("row", i, 0))
            colour = PALETTES[int(row[1]) - 1].light if row[:2] in ("p1", "p2") else TEXT
            self.text(surface, label, 24, colour if focused else TEXT_DIM, x + 28, ry,
                      "midleft", max_w=w * 0.5)
            vx = x + w - 56
            value = self.value_text(row)
            if row.endswith("volume"):
                bar = self.rect(vx - 250, ry - 4, 150, 8)
                pygame.draw.rect(surface, (40, 44, 62), bar, border_radius=self.px(4))
                part = bar.copy()
                part.width = round(bar.width * getattr(self.settings.audio, row))
                if part.width:
                    pygame.draw.rect(surface, PALETTES[0].light, part, border_radius=self.px(4))
            if value in ("On", "Off"):
                on = value == "On"
                pill = self.rect(vx - 60, ry - 14, 60, 28)
                pygame.draw.rect(surface, BLUISH_GREEN if on else (74, 80, 108), pill,
                                 border_radius=self.px(14))
                knob_x = vx - 14 if on else vx - 46
                pygame.draw.circle(surface, TEXT, (self.px(knob_x), self.px(ry)),
                                   self.px(10))
                self.text(surface, value, 22, TEXT if focused else TEXT_FAINT, vx - 72, ry,
                          "midright", shadow=False)
            else:
                self.text(surface, value, 26, TEXT if focused else TEXT_DIM, vx, ry,
                          "midright")
            if focused:
                self.arrow(surface, x + w - 40, ry, 11, TEXT_DIM, -1)
                self.arrow(surface, x + w - 22, ry, 11, TEXT_DIM, 1)
