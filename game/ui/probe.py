"""A layout probe: where every string and every panel landed on a drawn screen.

Tests (and ``tools/screens.py``) check each screen in each language: no text
outside the window, no text running across the edge of the panel it sits in,
no two strings on top of each other, no English left on a translated screen.
To see that without changing how screens draw, the renderers register what
they make while a :class:`LayoutProbe` is active:

- :func:`note_text` — a rendered string's surface (``game.ui.fonts``, ``text``);
- :func:`note_frame` — a panel's surface (``game.ui.theme.rounded_panel``);

and the screen is drawn onto a :class:`ProbeSurface`, whose ``blit`` and
``fblits`` record where each registered surface went. With no probe active
(always, in the game) the hooks cost one global lookup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pygame


@dataclass(frozen=True, slots=True)
class Placed:
    """A registered surface as drawn: its string (None for a panel) and rectangle (pixels)."""

    text: str | None
    rect: pygame.Rect


@dataclass(slots=True)
class LayoutProbe:
    """Collects registered surfaces and where they were drawn; use as a context manager.

    Attributes
    ----------
    texts : list of Placed
        Strings drawn onto a :class:`ProbeSurface`, in drawing order.
    frames : list of Placed
        Panels drawn onto it.
    """

    texts: list[Placed] = field(default_factory=list)
    frames: list[Placed] = field(default_factory=list)
    _known: dict[int, tuple[Any, str | None, pygame.Rect]] = field(default_factory=dict)

    def __enter__(self) -> LayoutProbe:
        global _ACTIVE
        _ACTIVE = self
        return self

    def __exit__(self, *exc: object) -> None:
        global _ACTIVE
        _ACTIVE = None

    def reset(self) -> None:
        """Forget what was drawn (keep what is registered): call before drawing a screen."""
        self.texts.clear()
        self.frames.clear()

    def placed(self, source: Any, topleft: tuple[int, int]) -> None:
        """``source`` was blitted with its top left at ``topleft``; kept if registered.

        A string's rectangle is its ink (visible pixels), not its line box.
        """
        entry = self._known.get(id(source))
        if entry is None or entry[0] is not source:
            return
        rect = entry[2].move(topleft)
        (self.texts if entry[1] is not None else self.frames).append(Placed(entry[1], rect))


_ACTIVE: LayoutProbe | None = None


def note_text(surface: pygame.Surface, text: str) -> pygame.Surface:
    """Register ``surface`` as showing ``text`` (no-op without a probe); returns it."""
    if _ACTIVE is not None and text.strip():
        _ACTIVE._known[id(surface)] = (surface, text, surface.get_bounding_rect())
    return surface


def note_frame(surface: pygame.Surface) -> pygame.Surface:
    """Register ``surface`` as a panel that text must stay inside; returns it."""
    if _ACTIVE is not None:
        _ACTIVE._known[id(surface)] = (surface, None, surface.get_rect())
    return surface


class ProbeSurface(pygame.Surface):
    """A surface that tells the active probe where registered surfaces are blitted."""

    def blit(self, source: Any, dest: Any = (0, 0), area: Any = None,
             special_flags: int = 0) -> pygame.Rect:
        rect = super().blit(source, dest, area, special_flags)
        if _ACTIVE is not None:
            _ACTIVE.placed(source, _topleft(dest))
        return rect

    def fblits(self, blit_sequence: Iterable[Any], special_flags: int = 0, /) -> None:
        seq = list(blit_sequence)
        super().fblits(seq, special_flags)
        if _ACTIVE is not None:
            for source, dest in seq:
                _ACTIVE.placed(source, _topleft(dest))

    def blits(self, blit_sequence: Iterable[Any], doreturn: Any = 1) -> Any:
        seq = list(blit_sequence)
        for item in seq:
            self.blit(*item)
        return [] if doreturn else None


def _topleft(dest: Any) -> tuple[int, int]:
    if isinstance(dest, pygame.Rect):
        return dest.topleft
    return round(dest[0]), round(dest[1])
