"""One small exception tree for the whole game.

Every error a player or chart author can cause is a :class:`GameError`; the
command line prints its message (never a traceback) and exits with status 1.
"""

from __future__ import annotations


class GameError(Exception):
    """Base class of every error the game reports to a person."""


class FormatError(GameError, ValueError):
    """A file does not follow its format.

    Parameters
    ----------
    message : str
        What was wrong and, where it helps, what was expected.
    path : str or None
        The file, when there is one.
    line : int or None
        1-based line number in that file, when the format is line oriented.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        where = path or "<input>"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {message}")


class BeatmapError(FormatError):
    """A beatmap cannot be loaded: names the file, the line and what was expected."""


class HitsError(FormatError):
    """A performance file (CSV, MIDI or replay) cannot be read."""


class ReplayMismatchError(GameError):
    """A replay was recorded on a different chart than the one given."""
