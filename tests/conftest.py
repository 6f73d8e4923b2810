"""Shared fixtures: where the real groove performances are, and the demo chart."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
# tests never touch the real user's data folder (scores, settings, the song cache):
# one fresh folder per run, unless a test points DRUM_DIPLOMACY_HOME elsewhere itself
os.environ.setdefault("DRUM_DIPLOMACY_HOME", tempfile.mkdtemp(prefix="drum-diplomacy-home-"))

from groove_data import groove_dir


@pytest.fixture
def groove() -> Path:
    """Path to the groove data; skips the test when it is not there."""
    path = groove_dir()
    if not (path / "info.csv").is_file():
        pytest.skip(f"groove data not found at {path}")
    return path
