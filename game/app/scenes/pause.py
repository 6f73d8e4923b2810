"""Pause: Esc during play. Resume, restart or quit."""

from __future__ import annotations

from typing import Any

import pygame

from game.app.scene import Scene
from game.ui.i18n import N_, tr
from game.ui.menu import MenuList, draw_dimmed_title

#: The pause menu (ids in English; shown translated).
ITEMS = (
    # TRANSLATORS: pause menu: go on playing the song
    N_("Resume"),
    # TRANSLATORS: pause menu: play the song again from its start
    N_("Restart"),
    # TRANSLATORS: pause menu: stop this song and go back to player setup
    N_("Quit song"),
)


class PauseScene(Scene):
    """A menu over the frozen gameplay."""

    name = "pause"

    def __init__(self, app: Any, gameplay: Any) -> None:
        super().__init__(app)
        self.gameplay = gameplay
        self.menu = MenuList(list(ITEMS))

    def on_event(self, event: Any, t_capture: float) -> None:
        if event.type != pygame.KEYDOWN:
            return
        if event.key == pygame.K_ESCAPE:
            self.app.pop()  # resume
            return
        choice = self.menu.on_key(event.key)
        if choice == "Resume":
            self.app.pop()
        elif choice == "Restart":
            self.app.pop()
            self.gameplay.restart()
        elif choice == "Quit song":
            self.app.pop()
            self.app.pop()

    def draw(self, surface: pygame.Surface) -> None:
        self.gameplay.draw(surface)
        # TRANSLATORS: big title over the frozen game
        draw_dimmed_title(surface, tr("Paused"))
        self.menu.draw(surface, centre_y=0.55)
