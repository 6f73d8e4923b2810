"""A one-line text field that works with input methods: names in any script.

A Korean or Japanese player types through an IME: while they compose, SDL
sends ``TEXTEDITING`` events with the composition (jamo being assembled into
a syllable, kana waiting for kanji conversion) and, when they commit,
``TEXTINPUT`` with the final text. The field shows the composition after the
committed text, underlined, and tells SDL where the field is
(``set_text_input_rect``) so the IME's candidate window opens beside it.

Editing is by grapheme cluster (Backspace removes what the reader sees as one
character); the text is kept in NFC and at most ``max_clusters`` clusters.
Ctrl+V (Cmd+V, Shift+Insert) pastes the clipboard's text, tabs and line breaks
turned into spaces.

Lifecycle: :meth:`start` when the field gets focus, :meth:`on_event` for each
SDL event while it has it (returns :data:`DONE` on Enter, :data:`CANCEL` on
Esc, else None), :meth:`stop` when it loses focus. Keys pressed while an IME
is composing belong to the IME: Enter and Esc then do not end the edit.
"""

from __future__ import annotations

from typing import Any

import pygame

from game.engine.names import (
    NAME_MAX_CLUSTERS,
    clean_typed,
    drop_last_cluster,
    normalize_name,
)

#: :meth:`TextField.on_event` results.
DONE = "done"
CANCEL = "cancel"

_PASTE_MODS = pygame.KMOD_CTRL | pygame.KMOD_META


class TextField:
    """The state of one text field being edited.

    Parameters
    ----------
    text : str
        What the field starts with.
    max_clusters : int
        The longest text, in grapheme clusters.

    Attributes
    ----------
    text : str
        The committed text (NFC).
    composition : str
        What the IME is composing (not part of :attr:`text` yet).
    composition_cursor : int
        The IME's cursor inside :attr:`composition`, in code points.
    """

    def __init__(self, text: str = "", max_clusters: int = NAME_MAX_CLUSTERS) -> None:
        self.max_clusters = max_clusters
        self.text = clean_typed(text, max_clusters)
        self.composition = ""
        self.composition_cursor = 0
        self.active = False

    # focus ------------------------------------------------------------------------
    def start(self, rect: pygame.Rect | None = None) -> None:
        """Take keyboard text input (IME on) with the candidate window near ``rect``."""
        self.active = True
        self.composition, self.composition_cursor = "", 0
        if rect is not None:
            self.set_rect(rect)
        pygame.key.start_text_input()

    def stop(self) -> None:
        """Give up text input (IME off); a composition not committed is dropped."""
        self.active = False
        self.composition, self.composition_cursor = "", 0
        pygame.key.stop_text_input()

    @staticmethod
    def set_rect(rect: pygame.Rect) -> None:
        """Where the field is on screen (pixels), for the IME's candidate window."""
        pygame.key.set_text_input_rect(rect)

    # editing ----------------------------------------------------------------------
    def insert(self, text: str) -> None:
        """Add ``text`` at the end (NFC, clipped to the limit)."""
        self.text = clean_typed(self.text + text, self.max_clusters)

    def backspace(self) -> None:
        """Remove the last grapheme cluster."""
        self.text = drop_last_cluster(self.text)

    def paste(self) -> None:
        """Insert the clipboard's text, if there is any."""
        try:
            pasted = pygame.scrap.get_text()
        except pygame.error:
            return
        if pasted:
            self.insert(pasted)

    def on_event(self, event: Any) -> str | None:
        """Handle one SDL event; :data:`DONE`, :data:`CANCEL` or None."""
        if event.type == pygame.TEXTEDITING:
            self.composition = str(event.text)
            self.composition_cursor = int(getattr(event, "start", len(self.composition)))
            return None
        if event.type == pygame.TEXTINPUT:
            self.composition, self.composition_cursor = "", 0
            self.insert(str(event.text))
            return None
        if event.type != pygame.KEYDOWN or self.composition:
            return None
        key, mods = event.key, getattr(event, "mod", 0)
        if key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            return DONE
        if key == pygame.K_ESCAPE:
            return CANCEL
        if key == pygame.K_BACKSPACE:
            self.backspace()
        elif (key == pygame.K_v and mods & _PASTE_MODS) or (
                key == pygame.K_INSERT and mods & pygame.KMOD_SHIFT):
            self.paste()
        return None

    @property
    def shown(self) -> str:
        """What the field shows: the text, then the composition."""
        return self.text + self.composition

    @property
    def value(self) -> str:
        """The text as it is stored (trimmed; "" when nothing visible was typed)."""
        return normalize_name(self.text, self.max_clusters)

