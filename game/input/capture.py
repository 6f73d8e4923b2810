"""A captured input, as logged: every key or pad stroke, bound or not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Capture:
    """One input as it was read from its device.

    Attributes
    ----------
    t_capture : float
        ``time.perf_counter()`` seconds when the input was read from SDL (or
        received from MIDI) — never the time of the frame that draws it.
    t_song : float
        Song-clock time the engine judges it at (capture time converted by the
        song clock, minus the device's calibrated offset).
    source : str
        ``"keyboard"`` or ``"midi"``.
    key : str or None
        pygame's key name (``"d"``), for keyboard input.
    note : int or None
        MIDI note number, for kit input.
    player : int or None
        0 or 1 when the input is bound to a player, else None.
    lane : int or None
        The lane it is bound to, else None.
    velocity : int
    """

    t_capture: float
    t_song: float
    source: str
    key: str | None = None
    note: int | None = None
    player: int | None = None
    lane: int | None = None
    velocity: int = 100

    def as_log(self) -> dict[str, Any]:
        """One JSON-able line of the input log."""
        out: dict[str, Any] = {"t_capture": self.t_capture, "t_song": self.t_song,
                               "source": self.source}
        if self.key is not None:
            out["key"] = self.key
        if self.note is not None:
            out["note"] = self.note
        out["player"] = self.player
        out["lane"] = self.lane
        out["velocity"] = self.velocity
        return out
