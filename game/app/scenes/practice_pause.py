"""Practice's pause menu, and the keys that change the practice speed.

Esc in practice (:class:`~game.app.scenes.practice.PracticeScene`) opens
:class:`PracticePauseScene` over the paused song: resume, restart the loop, the
speed (Left/Right on its item, or ``-``/``+`` as while practising), change
section, quit. :func:`speed_key` reads ``-``/``+`` for both screens.
"""

from __future__ import annotations

from typing import Any

import pygame

from game.app.scene import Scene
from game.ui.i18n import N_, tr
from game.ui.menu import MenuList, draw_dimmed_title


def speed_key(event: Any) -> int:
    """+1 for ``+``/``=``, -1 for ``-``, else 0."""
    if event.key in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS):
        return 1
    if event.key in (pygame.K_MINUS, pygame.K_KP_MINUS):
        return -1
    return 0


class PracticePauseScene(Scene):
    """Esc in practice: resume, restart the loop, speed, change section, quit.

    Parameters
    ----------
    app : App
    practice : PracticeScene
        The practice paused (drawn under the menu; its speed changed from here).
    count_in_s : float
        The silence before the loop when it is restarted from here (the first loop's).
    """

    name = "practice_pause"
    #: Item ids (translated when drawn; "Speed" is drawn as the speed line).
    ITEMS = (
        # TRANSLATORS: practice pause menu: go on practising
        N_("Resume"),
        # TRANSLATORS: practice pause menu: start the current loop again
        N_("Restart loop"),
        "Speed",
        # TRANSLATORS: practice pause menu: back to practice setup to choose other sections
        N_("Change section"),
        # TRANSLATORS: practice pause menu: leave practice (back before the practice setup)
        N_("Quit practice"))

    def __init__(self, app: Any, practice: Any, *, count_in_s: float) -> None:
        super().__init__(app)
        self.practice = practice
        self.count_in_s = count_in_s
        self.menu = MenuList(list(self.ITEMS))
        self._label()

    def _label(self) -> None:
        """The items in the current language (the speed item shows the speed)."""
        self.menu.items = [tr(item) for item in self.ITEMS]
        # TRANSLATORS: practice pause menu: the speed, changed with Left/Right
        self.menu.items[2] = tr("Speed  < {speed} >").format(speed=self.practice.speed_text())

    def on_event(self, event: Any, t_capture: float) -> None:
        if event.type != pygame.KEYDOWN:
            return
        if event.key == pygame.K_ESCAPE:
            self.app.pop()
            return
        step = speed_key(event) or (
            (1 if event.key == pygame.K_RIGHT else -1 if event.key == pygame.K_LEFT else 0)
            if self.menu.index == 2 else 0)
        if step:
            self.practice.change_speed(step)
            self._label()
            return
        chosen = self.menu.on_key(event.key)  # a translated label: act on the item's id
        choice = self.ITEMS[self.menu.index] if chosen is not None else None
        if choice == "Resume":
            self.app.pop()
        elif choice == "Restart loop":
            self.app.pop()
            self.practice.restart_loop(gap_s=self.count_in_s)
        elif choice == "Change section":  # back to the practice setup screen
            self.app.pop()
            self.app.pop()
        elif choice == "Quit practice":
            self.app.pop()
            self.app.pop()
            if self.app.top is not None and self.app.top.name == "practice_setup":
                self.app.pop()

    def update(self, now_perf: float) -> None:
        self.practice.harvest()
        self._label()

    def draw(self, surface: pygame.Surface) -> None:
        self.practice.draw(surface)
        self._label()
        # TRANSLATORS: title of the practice pause menu
        draw_dimmed_title(surface, tr("Practice paused"))
        self.menu.draw(surface, centre_y=0.62, size=0.055)
