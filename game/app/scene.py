"""Scenes: one screen each (title, song select, gameplay...), stacked by the App.

A scene handles input events (each with the ``perf_counter`` time it was read
from SDL), updates once per frame and draws. It never owns the loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pygame

if TYPE_CHECKING:
    from game.app.app import App


class Scene:
    """Base class. Override what you need."""

    #: Name used in tests and screenshots.
    name = "scene"

    def __init__(self, app: App) -> None:
        self.app = app

    def enter(self) -> None:
        """Called when the scene becomes the top of the stack."""

    def leave(self) -> None:
        """Called when another scene covers this one."""

    def close(self) -> None:
        """Called once when the scene is removed from the stack (or the app quits)."""

    def on_event(self, event: Any, t_capture: float) -> None:
        """One SDL event, read at ``t_capture`` (perf_counter seconds)."""
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            self.back()

    def on_key_capture(self, name: str, t_capture: float) -> None:
        """A key press stamped by the X11 capture process (see ``input.x11_keys``).

        Only scenes that judge timing use it; menus read SDL events.
        """

    def back(self) -> None:
        """Escape: go back one scene (the title quits)."""
        self.app.pop()

    def update(self, now_perf: float) -> None:
        """Once per frame, before drawing."""

    def draw(self, surface: pygame.Surface) -> None:
        """Draw the whole screen."""

    def resize(self, size: tuple[int, int]) -> None:
        """The window changed size."""
