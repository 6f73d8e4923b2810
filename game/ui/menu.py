"""Keyboard-driven menu widgets shared by the menu scenes (no mouse needed).

A :class:`MenuList`'s items are untranslated ids (mark them with ``N_``); the
scene compares the chosen item with the English id and :meth:`MenuList.draw`
shows each item translated. Labels and titles shrink to fit the window width.
"""

from __future__ import annotations

from collections.abc import Sequence

import pygame

from game.ui.fonts import ChainFont, chain_font
from game.ui.i18n import tr
from game.ui.text import TextCache

BG_DIM = (8, 10, 20, 190)
TEXT = (235, 238, 245)
TEXT_DIM = (140, 148, 170)
ACCENT = (86, 180, 233)  # Okabe-Ito sky blue
#: Share of the window width a menu label or title may take.
MAX_WIDTH = 0.9
#: Measures labels for :func:`fitting_font` (the text is rendered with :func:`font`).
_MEASURE = TextCache(max_entries=1)


def font(px: int) -> ChainFont:
    """The game's font chain at a pixel size (every script; see :mod:`game.ui.fonts`)."""
    return chain_font(max(8, int(px)))


def fitting_font(text: str, px: int, max_width: int, *, min_px: int = 8) -> ChainFont:
    """The font chain at the largest size <= ``px`` at which ``text`` is <= ``max_width`` wide."""
    return font(_MEASURE.fit(text, max(min_px, int(px)), max_width, min_size=min_px))


def draw_dimmed_title(surface: pygame.Surface, title: str) -> None:
    """Dim what is on screen and write a big title above the middle.

    ``title`` is drawn as given (translate it first); it shrinks to fit the width.
    """
    w, h = surface.get_size()
    veil = pygame.Surface((w, h), pygame.SRCALPHA)
    veil.fill(BG_DIM)
    surface.blit(veil, (0, 0))
    img = fitting_font(title, h // 8, int(w * MAX_WIDTH)).render(title, True, TEXT)
    surface.blit(img, img.get_rect(center=(w // 2, int(h * 0.35))))


class MenuList:
    """A vertical list: Up/Down move, Enter/Space choose.

    ``on_key`` returns the chosen item on Enter, else None. Items are ids in
    English (marked with ``N_``), translated only when drawn.
    """

    def __init__(self, items: Sequence[str], *, index: int = 0) -> None:
        self.items = list(items)
        self.index = index

    @property
    def current(self) -> str:
        """The highlighted item."""
        return self.items[self.index]

    def on_key(self, key: int) -> str | None:
        """Move or choose."""
        if not self.items:
            return None
        if key in (pygame.K_UP, pygame.K_w):
            self.index = (self.index - 1) % len(self.items)
        elif key in (pygame.K_DOWN, pygame.K_s):
            self.index = (self.index + 1) % len(self.items)
        elif key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
            return self.items[self.index]
        return None

    def draw(self, surface: pygame.Surface, *, centre_y: float = 0.5,
             size: float = 0.06) -> None:
        """Draw centred; ``centre_y`` and ``size`` are fractions of the height.

        Each item is shown translated; a long one shrinks to fit the width.
        """
        w, h = surface.get_size()
        px = int(h * size)
        top = int(h * centre_y) - (len(self.items) * px * 13 // 10) // 2
        for i, item in enumerate(self.items):
            selected = i == self.index
            label = ("> " if selected else "") + tr(item)
            img = fitting_font(label, px, int(w * MAX_WIDTH)).render(
                label, True, ACCENT if selected else TEXT_DIM)
            surface.blit(img, img.get_rect(center=(w // 2, top + i * px * 13 // 10)))
