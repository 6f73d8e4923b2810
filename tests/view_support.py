"""What the gameplay view tests share: a dummy display, and a frame of a session."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pygame
import pytest

from game.engine.frame import LiveFrame, take_frame
from game.engine.session import Session
from game.engine.sync_figures import DuetStats
from game.ui import theme


@pytest.fixture(scope="module", autouse=True)
def display() -> Iterator[pygame.Surface]:
    """A (dummy) display, so sprites convert to its format as in the game."""
    pygame.display.init()
    pygame.font.init()
    yield pygame.display.set_mode((1280, 720))


def frame_of(session: Session, duet: DuetStats | None = None) -> LiveFrame:
    """What the view draws of ``session`` now (its rolling duet figures, or ``duet``)."""
    frame = take_frame(session, recent_offsets=theme.ERROR_TICKS)
    return frame if duet is None else dataclasses.replace(frame, duet=duet)
