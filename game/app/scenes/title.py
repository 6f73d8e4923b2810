"""The title screen: the game's name, the tagline and Play / Settings / Calibrate / Quit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pygame

from game.app.scenes.menu_scene import TEXTS, MenuScene, notices, report_error
from game.ui.i18n import N_, tr
from game.ui.menu import MenuList
from game.ui.theme import PALETTES, TEXT, TEXT_DIM, YELLOW, rgba

__all__ = ["TitleScene"]


class TitleScene(MenuScene):
    """The game's name, the tagline and Play / Settings / Calibrate / Quit. Esc quits."""

    name = "title"
    ITEMS = (
        # TRANSLATORS: title menu item: choose a song and play it
        N_("Play"),
        # TRANSLATORS: title menu item: open the settings screen
        N_("Settings"),
        # TRANSLATORS: title menu item: measure audio and input delays (verb)
        N_("Calibrate"),
        # TRANSLATORS: title menu item: close the game
        N_("Quit"),
    )

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.menu = MenuList(list(self.ITEMS))
        self.bpm = 112.0

    def back(self) -> None:
        self.app.quit()

    def on_event(self, event: Any, t_capture: float) -> None:
        if self.mouse(event):
            return
        if event.type != pygame.KEYDOWN:
            return
        if event.key == pygame.K_ESCAPE:
            self.back()
            return
        choice = self.menu.on_key(event.key)
        if choice is not None:
            self.choose(choice)

    def choose(self, item: str) -> None:
        """Act on a menu item."""
        if item == "Play":
            from game.app.scenes.song_select import SongSelectScene

            self.app.push(SongSelectScene(self.app))
        elif item == "Settings":
            from game.app.scenes.settings_scene import SettingsScene

            self.app.push(SettingsScene(self.app))
        elif item == "Calibrate":
            try:
                from game.app.scenes.calibration import CalibrationScene

                self.app.push(CalibrationScene(self.app))
            except Exception as exc:  # a missing or broken screen must not end the game
                report_error(self.app, tr("Calibration is not available: {error}").format(
                    error=exc))
        elif item == "Quit":
            self.app.quit()

    def on_hotspot(self, target: Any, *, click: bool) -> None:
        self.menu.index = self.ITEMS.index(target)
        if click:
            self.choose(target)

    def draw(self, surface: pygame.Surface) -> None:
        self.begin(surface)
        cx = self.width_units / 2
        p1, p2 = PALETTES
        left, right = "DRUM ", "DIPLOMACY"
        size = self.px(124)
        lw = TEXTS.size_of(left, size)[0] / self.u
        rw = TEXTS.size_of(right, size)[0] / self.u
        x0 = cx - (lw + rw) / 2
        self.text(surface, left, 124, p1.light, x0, 190, "midleft")
        self.text(surface, right, 124, p2.light, x0 + lw, 190, "midleft")
        self.text(surface, tr("Two drummers. One rhythm."), 36, TEXT_DIM, cx, 262,
                  max_w=self.width_units - 80)
        self._beat_dots(surface, cx, 312)
        item_h, top = 62.0, 370.0
        for i, item in enumerate(self.ITEMS):
            y = top + i * item_h
            r = self.rect(cx - 150, y - 25, 300, 50)
            selected = i == self.menu.index
            if selected:
                self.focus_panel(surface, r, radius=25)
            self.text(surface, tr(item), 40, TEXT if selected else TEXT_DIM, cx, y, max_w=280)
            self.hotspot(r, item)
        lines = notices(self.app)[-3:]
        for k, line in enumerate(lines):
            self.text(surface, line, 22, YELLOW, cx, 630 - (len(lines) - 1 - k) * 24,
                      max_w=self.width_units - 80, shadow=False)
        self.hints(surface, [
            # TRANSLATORS: keycap label; keep the key's printed name (the arrow keys)
            (tr("Up/Down"),
             # TRANSLATORS: key hint, what the key does: move through the menu
             tr("choose")),
            # TRANSLATORS: keycap label; keep the key's printed name
            (tr("Enter"),
             # TRANSLATORS: key hint, what the key does: pick the highlighted item
             tr("select")),
            # TRANSLATORS: keycap label; keep the key's printed name
            (tr("Esc"),
             # TRANSLATORS: key hint, what the key does: close the game
             tr("quit")),
        ])

    def _beat_dots(self, surface: pygame.Surface, cx: float, y: float) -> None:
        """Eight dots ticking at 112 BPM, alternating the players' colours."""
        beat = int(self.t * self.bpm / 60.0) % 8
        phase = (self.t * self.bpm / 60.0) % 1.0
        for k in range(8):
            colour = PALETTES[k % 2].light
            x = cx + (k - 3.5) * 26
            lit = k == beat
            r = 7 if lit else 4
            if lit:
                glow_r = self.px(7 + 8 * (1 - phase))
                halo = pygame.Surface((glow_r * 2, glow_r * 2), pygame.SRCALPHA)
                pygame.draw.circle(halo, rgba(colour, round(90 * (1 - phase))),
                                   (glow_r, glow_r), glow_r)
                surface.blit(halo, (self.px(x) - glow_r, self.px(y) - glow_r))
            pygame.draw.circle(surface, colour if lit else _dim(colour),
                               (self.px(x), self.px(y)), max(1, self.px(r)))


def _dim(colour: Sequence[int]) -> tuple[int, int, int]:
    return (colour[0] // 3 + 10, colour[1] // 3 + 10, colour[2] // 3 + 14)

