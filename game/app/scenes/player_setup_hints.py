"""Player setup's key hints: keycap labels (the keys' printed names) and what each does."""

from __future__ import annotations

from game.ui.i18n import tr


def setup_hints(*, editing: bool, with_kit: bool) -> list[tuple[str, str]]:
    """The hints while a name is typed (``editing``), or the screen's own (``with_kit``: a
    player is on a MIDI kit, so M and L open its monitor and MIDI-learn)."""
    if editing:
        return [
            # TRANSLATORS: keycap-style label of a key hint, then "a name": type a name
            (tr("type"),
             # TRANSLATORS: key hint while typing a name, after the "type" label
             tr("a name")),
            # TRANSLATORS: keycap label; keep the key's printed name
            (tr("Backspace"),
             # TRANSLATORS: key hint while typing a name: Backspace deletes a letter
             tr("delete")),
            # TRANSLATORS: keycap label; keep the key's printed name
            (tr("Ctrl+V"),
             # TRANSLATORS: key hint while typing a name: Ctrl+V pastes text
             tr("paste")),
            # TRANSLATORS: keycap label; keep the key's printed name
            (tr("Enter"),
             # TRANSLATORS: key hint while typing a name: Enter finishes it
             tr("done")),
            # TRANSLATORS: keycap label; keep the key's printed name
            (tr("Esc"),
             # TRANSLATORS: key hint while typing a name: Esc puts the old name back
             tr("undo"))]
    hints = [
        # TRANSLATORS: keycap label; keep the key's printed name
        (tr("Up/Down"),
         # TRANSLATORS: key hint: Up/Down move to another field (name, difficulty...)
         tr("field")),
        # TRANSLATORS: keycap label; keep the key's printed name
        (tr("Tab"),
         # TRANSLATORS: key hint: Tab moves to the other player's column
         tr("other player")),
        # TRANSLATORS: keycap label; keep the key's printed name
        (tr("Left/Right"),
         # TRANSLATORS: key hint: Left/Right change the focused value
         tr("change")),
        (tr("Enter"),
         # TRANSLATORS: key hint: Enter edits the name or presses the focused button
         tr("edit / select")),
        (tr("Esc"),
         # TRANSLATORS: key hint: Esc goes back to the previous screen
         tr("back"))]
    if with_kit:
        # TRANSLATORS: keycap label (the M and L keys; keep them)
        hints[3:3] = [(tr("M / L"),
                       # TRANSLATORS: key hint: M opens a kit's MIDI monitor, L MIDI-learn
                       tr("kit monitor / learn"))]
    return hints
