"""Ending a headless play cleanly when the process is asked to stop."""

from __future__ import annotations

import signal
from typing import Any


class StopFlag:
    """SIGTERM sets a flag so the loop ends cleanly and every file is flushed."""

    def __init__(self) -> None:
        self.requested = False
        self._old: Any = None

    def _handler(self, signum: int, frame: Any) -> None:
        self.requested = True

    def __enter__(self) -> StopFlag:
        try:
            self._old = signal.signal(signal.SIGTERM, self._handler)
        except ValueError:  # not the main thread
            self._old = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._old is not None:
            signal.signal(signal.SIGTERM, self._old)
