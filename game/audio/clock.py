"""The song clock: what song time the players are *hearing*, from ``time.perf_counter``.

Audio playback positions reported by the mixer (``pygame.mixer.music.get_pos``)
measure audio *mixed*, not heard, go wrong after an unpause and drift, so they
are never used as the clock. Instead the clock is anchored to a high-resolution
timer at the moment playback starts, minus a calibrated output latency::

    song_time(t_perf) = anchor_song_s + (t_perf - anchor_perf_s) - audio_latency_s

where ``anchor_song_s`` is the song position handed to the mixer at perf time
``anchor_perf_s``. The result is the song time whose sound reaches the ears at
``t_perf``. This module is pure (no pygame) and takes an injectable time
source, so it is tested headless with a fake clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["SongClock"]


class SongClock:
    """Song time in seconds, anchored to a perf-counter time source.

    Parameters
    ----------
    time_source : callable returning float
        Seconds from an arbitrary origin; ``time.perf_counter`` by default.
        Input timestamps passed to :meth:`to_song_time` must come from the
        same source.
    audio_latency_s : float
        Calibrated output latency in seconds: how long after the mixer starts
        a sample it is heard. Subtracted from every reading.

    Notes
    -----
    Before :meth:`start` the clock is paused at song time 0.0. :meth:`now`
    never goes backwards between two re-anchors (:meth:`start`, :meth:`seek`);
    those may move song time anywhere, backwards included (restart, practice
    loops). :meth:`to_song_time` is a pure function of the current anchor and
    does not clamp.
    """

    __slots__ = ("_anchor_pair", "_frozen_s", "_last_s", "_paused_perf_s",
                 "_time_source", "audio_latency_s")

    def __init__(self, *, time_source: Callable[[], float] = time.perf_counter,
                 audio_latency_s: float = 0.0) -> None:
        self._time_source = time_source
        self.audio_latency_s = float(audio_latency_s)
        # (song s, perf s), replaced as one object: another thread (a kit's reader)
        # converting a stamp never sees one half of a new anchor with the other old
        self._anchor_pair = (0.0, 0.0)
        self._frozen_s: float | None = 0.0
        self._paused_perf_s: float | None = None
        self._last_s = 0.0

    # anchoring ---------------------------------------------------------------
    def start(self, song_time_s: float = 0.0, *, at_perf_s: float | None = None) -> None:
        """Start running: the mixer began song position ``song_time_s`` at ``at_perf_s``.

        Parameters
        ----------
        song_time_s : float
            Song position in seconds handed to the mixer (e.g. the argument of
            ``AudioPlayer.play``).
        at_perf_s : float, optional
            Perf time in seconds at which that position started playing, e.g.
            the value ``AudioPlayer.play`` returns; default: now. Song time
            read at that instant is ``song_time_s - audio_latency_s``.
        """
        self._anchor(song_time_s, at_perf_s)
        self._frozen_s = None
        self._paused_perf_s = None

    def seek(self, song_time_s: float, *, at_perf_s: float | None = None) -> None:
        """Re-anchor at ``song_time_s`` (backwards allowed) keeping the run/pause state.

        Same meaning as :meth:`start`: the mixer (re)starts song position
        ``song_time_s`` at ``at_perf_s`` (default now), so the reading there is
        ``song_time_s - audio_latency_s``. When paused the clock stays paused,
        frozen at that reading, and :meth:`resume` continues from it. The
        monotonic clamp of :meth:`now` restarts from the new position.
        """
        self._anchor(song_time_s, at_perf_s)
        if self._frozen_s is not None:
            self._frozen_s = self._last_s
            self._paused_perf_s = self._anchor_pair[1]

    def pause(self, *, at_perf_s: float | None = None) -> None:
        """Freeze song time at its reading at ``at_perf_s`` (default now). No-op when paused."""
        if self._frozen_s is not None:
            return
        t = self._time_source() if at_perf_s is None else float(at_perf_s)
        self._frozen_s = max(self._mapped(t), self._last_s)
        self._last_s = self._frozen_s
        self._paused_perf_s = t

    def resume(self, *, at_perf_s: float | None = None) -> None:
        """Run again from exactly the frozen song time, from ``at_perf_s`` (default now).

        No-op when running. Resuming a clock that was never started starts it
        at song time 0.0 (heard), i.e. the same as ``start(audio_latency_s)``.
        """
        if self._frozen_s is None:
            return
        t = self._time_source() if at_perf_s is None else float(at_perf_s)
        self._anchor_pair = (self._frozen_s + self.audio_latency_s, t)
        self._last_s = self._frozen_s
        self._frozen_s = None
        self._paused_perf_s = None

    # reading -----------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True between :meth:`start`/:meth:`resume` and :meth:`pause`."""
        return self._frozen_s is None

    def to_song_time(self, t_perf: float) -> float:
        """Song time in seconds heard at perf time ``t_perf`` (seconds, same source).

        Works for timestamps in the past, e.g. an input event's capture time.
        While paused, times after the pause read the frozen song time. Not
        clamped: earlier timestamps give earlier song times.
        """
        mapped = self._mapped(t_perf)
        if self._frozen_s is None:
            return mapped
        if self._paused_perf_s is None:  # never started
            return self._frozen_s
        return min(mapped, self._frozen_s)

    def now(self) -> float:
        """Song time in seconds heard now; never less than the previous reading.

        The clamp covers a time source that steps backwards (jitter); it is
        reset by :meth:`start` and :meth:`seek`.
        """
        if self._frozen_s is not None:
            return self._frozen_s
        value = max(self._mapped(self._time_source()), self._last_s)
        self._last_s = value
        return value

    # internals ---------------------------------------------------------------
    def _mapped(self, t_perf: float) -> float:
        song_s, perf_s = self._anchor_pair
        return song_s + (float(t_perf) - perf_s) - self.audio_latency_s

    def _anchor(self, song_time_s: float, at_perf_s: float | None) -> None:
        t = self._time_source() if at_perf_s is None else float(at_perf_s)
        self._anchor_pair = (float(song_time_s), t)
        self._last_s = self._mapped(t)

    def __repr__(self) -> str:
        state = "running" if self.running else f"paused at {self._frozen_s:.3f}s"
        return f"SongClock({state}, latency={self.audio_latency_s * 1000:.1f}ms)"
