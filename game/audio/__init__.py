"""Audio: the song clock, synthesised sounds and the pygame mixer player.

:mod:`game.audio.clock` and :mod:`game.audio.synth` are pure (numpy only);
:mod:`game.audio.player` is the only module here that imports pygame, so it is
not imported by this package's ``__init__``.
"""

from __future__ import annotations

from game.audio.clock import SongClock

__all__ = ["SongClock"]
