"""Replay files (``.ddreplay``) on disk: written atomically, read with one clear error."""

from __future__ import annotations

import os
from pathlib import Path

from game.engine.replay import Replay
from game.util.errors import HitsError
from game.util.fileio import write_text_atomic

REPLAY_SUFFIX = ".ddreplay"


def save_replay(replay: Replay, path: str | os.PathLike[str]) -> None:
    """Write ``replay`` atomically (a temp file renamed over the target)."""
    write_text_atomic(path, replay.to_json())


def load_replay(path: str | os.PathLike[str]) -> Replay:
    """Read a replay file.

    Raises
    ------
    HitsError
        The file cannot be read, or is not a replay (naming what is wrong).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise HitsError(f"cannot read replay: {exc}", path=str(path)) from None
    return Replay.from_json(text, path=str(path))
