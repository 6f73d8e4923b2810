"""Where the real TD-11 performances are (../shared/data/groove, CC BY 4.0).

Groove MIDI Dataset v1.0.0, Gillick, Roberts, Engel, Eck, Bamman, "Learning to
Groove with Inverse Sequence Transformations", ICML 2019 — CC BY 4.0.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def groove_dir() -> Path:
    """The data folder beside the repository, or ``$DRUM_DIPLOMACY_GROOVE_DIR``."""
    env = os.environ.get("DRUM_DIPLOMACY_GROOVE_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data" / "groove"


GROOVE_DIR = groove_dir()
needs_groove = pytest.mark.skipif(not GROOVE_DIR.is_dir(), reason=f"no {GROOVE_DIR}")


def groove_files() -> list[Path]:
    """All 40 performances, sorted."""
    return sorted(GROOVE_DIR.glob("drummer*/eval_session/*.mid"))
