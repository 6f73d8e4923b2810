"""Where the game keeps a person's files, and how a damaged file is put aside.

Everything lives under one folder, :func:`data_dir`: ``$DRUM_DIPLOMACY_HOME``
when that is set (tests and portable installs use it), otherwise the
platform's per-user data folder (``~/.local/share/drum-diplomacy`` on Linux,
``%LOCALAPPDATA%\\drum-diplomacy`` on Windows, ``~/Library/Application
Support/drum-diplomacy`` on macOS).
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime
from pathlib import Path

import platformdirs

from game.util.errors import GameError

#: Environment variable that overrides the data folder.
HOME_ENV = "DRUM_DIPLOMACY_HOME"
#: Application name used for the platform data folder.
APP_NAME = "drum-diplomacy"


class StoreError(GameError):
    """A file of the player's cannot be read or written (permissions, full disk, locks)."""


def data_dir() -> Path:
    """The folder holding settings, scores, replays and user songs; created if missing.

    Returns
    -------
    Path
        ``$DRUM_DIPLOMACY_HOME`` (``~`` expanded) if set and non-empty, else
        ``platformdirs.user_data_dir("drum-diplomacy", appauthor=False)``.

    Raises
    ------
    StoreError
        When the folder cannot be created.
    """
    env = os.environ.get(HOME_ENV, "").strip()
    folder = Path(env).expanduser() if env else Path(
        platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return _ensure_dir(folder)


def settings_path() -> Path:
    """``settings.toml`` in :func:`data_dir`."""
    return data_dir() / "settings.toml"


def scores_path() -> Path:
    """``scores.sqlite3`` in :func:`data_dir`."""
    return data_dir() / "scores.sqlite3"


def replays_dir() -> Path:
    """``replays/`` in :func:`data_dir`; created if missing."""
    return _ensure_dir(data_dir() / "replays")


def songs_dir() -> Path:
    """``songs/`` in :func:`data_dir`, for a person's own beatmaps; created if missing."""
    return _ensure_dir(data_dir() / "songs")


def _ensure_dir(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"cannot create folder {folder}: {e.strerror or e}") from e
    return folder


def aside_name(path: Path, *, now: datetime | None = None) -> Path:
    """A free name ``<name>.corrupt-YYYYmmdd-HHMMSS`` (``-1``, ``-2``... if taken) next to ``path``.

    Parameters
    ----------
    path : Path
        The damaged file.
    now : datetime or None
        The time stamp (local time); defaults to now.
    """
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = path.with_name(f"{path.name}.corrupt-{stamp}")
    target, n = base, 1
    while target.exists():
        target = base.with_name(f"{base.name}-{n}")
        n += 1
    return target


def move_aside(path: Path, *, companions: tuple[str, ...] = (), now: datetime | None = None,
               ) -> Path:
    """Rename a damaged file out of the way so a fresh one can take its place.

    Nothing is deleted: earlier damaged copies keep their own names.

    Parameters
    ----------
    path : Path
        The damaged file.
    companions : tuple of str
        Suffixes of files that belong to it (``("-wal", "-shm")`` for SQLite);
        each that exists is moved to the new name plus that suffix.
    now : datetime or None
        Time stamp for the name; defaults to now.

    Returns
    -------
    Path
        Where the file now is.

    Raises
    ------
    OSError
        When the file cannot be renamed.
    """
    target = aside_name(path, now=now)
    os.replace(path, target)
    for suffix in companions:
        extra = path.with_name(path.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            os.replace(extra, target.with_name(target.name + suffix))
    return target
