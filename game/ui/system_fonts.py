"""The fonts installed on this computer: where to look, and which to try first.

The font chain (:mod:`game.ui.fonts`) looks here only for a character none of
the bundled fonts has.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: At most this many system font files are considered.
SYSTEM_FONT_LIMIT = 400
_FONT_SUFFIXES = (".ttf", ".otf", ".ttc")


def system_font_files(limit: int = SYSTEM_FONT_LIMIT) -> list[str]:
    """Font files in the usual system and user font folders (at most ``limit``)."""
    home = Path.home()
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR", r"C:\Windows")
        roots = [Path(windir) / "Fonts",
                 Path(os.environ.get("LOCALAPPDATA", "")) / "Microsoft" / "Windows" / "Fonts"]
    elif sys.platform == "darwin":
        roots = [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library/Fonts"]
    else:
        roots = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
                 home / ".local/share/fonts", home / ".fonts"]
    found: list[str] = []
    for root in roots:
        if not root.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(root):
            for name in sorted(files):
                if name.lower().endswith(_FONT_SUFFIXES):
                    found.append(os.path.join(dirpath, name))
                    if len(found) >= limit:
                        return found
    return found


def preference(path: str) -> tuple[int, str]:
    """Bold sans faces first (the game's look), then other sans, then the rest."""
    name = Path(path).name.lower()
    sans = "sans" in name and "serif" not in name and "mono" not in name
    bold = "bold" in name and "italic" not in name and "oblique" not in name
    return (0 if sans and bold else 1 if sans else 2), name
