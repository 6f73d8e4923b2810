"""Start the game: shared services, the window and the title screen."""

from __future__ import annotations

import os

from game.app.scenes.title import TitleScene
from game.app.services import game_window


def run_game(*, settings_path: str | os.PathLike[str] | None = None,
             size: tuple[int, int] | None = None, lang: str | None = None) -> int:
    """Open the window on the title screen and run until the players quit.

    Parameters
    ----------
    settings_path : path-like or None
        The settings file (default: ``settings.toml`` in the data folder); the
        score database lives next to it.
    size : (int, int) or None
        Window size; default from the settings (1280x720).
    lang : str or None
        The screens' language for this run (``--lang``); default from the settings.

    Returns
    -------
    int
        The process exit code (0).
    """
    with game_window(settings_path, lang=lang, size=size) as app:
        app.run(TitleScene(app))
    return 0
