"""A person's files: settings, score history, and where replays and own songs go.

Nothing here is needed by the timing engine; the UI and the command line use
it. Every write is crash-safe (atomic rename for text, one SQLite transaction
per play) and a damaged file is moved aside, never deleted.
"""

from __future__ import annotations

from game.store.paths import (
    StoreError,
    data_dir,
    move_aside,
    replays_dir,
    scores_path,
    settings_path,
    songs_dir,
)
from game.store.scores import SCHEMA_VERSION, ScoreStore
from game.store.settings import (
    LANES,
    PALETTE_SIZE,
    Audio,
    Display,
    KeyBindings,
    PlayerPrefs,
    Settings,
    load_settings,
    save_settings,
)

__all__ = [
    "LANES", "PALETTE_SIZE", "SCHEMA_VERSION", "Audio", "Display", "KeyBindings", "PlayerPrefs",
    "ScoreStore", "Settings", "StoreError", "data_dir", "load_settings", "move_aside",
    "replays_dir", "save_settings", "scores_path", "settings_path", "songs_dir",
]
