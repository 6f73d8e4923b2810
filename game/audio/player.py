"""Song and hit-sound playback through ``pygame.mixer``, with a silent fallback.

The player never serves as the clock: :meth:`AudioPlayer.play` and
:meth:`AudioPlayer.resume` return the ``time.perf_counter`` time taken right
after the mixer was told to start, and the caller anchors a
:class:`game.audio.clock.SongClock` with it.

Whole songs are loaded as ``pygame.mixer.Sound`` (not streamed with
``mixer.music``) so that a backing track and one drum stem per player start in
the same call on their own reserved channels and can be muted separately.
``Sound`` cannot seek, so starting mid-song slices the decoded array (cached);
fine for songs of a few minutes. Starting before the song (negative song time,
a lead-in) prepends silence.

If there is no audio device, :meth:`AudioPlayer.open` returns False, sets
``unavailable_reason``, and every other method becomes a silent no-op, so the
game keeps running (``play`` still returns a perf time to anchor the clock).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pygame

from game.audio import synth
from game.engine.chart import Chart
from game.engine.voices import Voice

__all__ = ["AudioPlayer"]

#: Channels reserved for song tracks (backing + up to 3 drum stems); hits use the rest.
_TRACK_CHANNELS = 4
_TOTAL_CHANNELS = 32
_BACKING = "backing"


class AudioPlayer:
    """Plays the song (or stems, or a click track) and live drum hits.

    Parameters
    ----------
    buffer_samples : int
        Mixer buffer size in sample frames; small for low latency (256 frames
        = 5.8 ms at 44.1 kHz). SDL rounds it to a power of two.
    frequency : int
        Requested sample rate in Hz; the device may choose another, which
        :attr:`frequency` reports after :meth:`open`.

    Attributes
    ----------
    unavailable_reason : str or None
        Why :meth:`open` failed (no device, bad driver...), else None.
    hit_pan : dict
        ``player -> (left, right)`` channel gains for that player's hit sounds;
        player 0 leans left and player 1 right so the pair can tell them apart.
    """

    def __init__(self, *, buffer_samples: int = 256, frequency: int = 44100) -> None:
        self.buffer_samples = int(buffer_samples)
        self.frequency = int(frequency)
        self.unavailable_reason: str | None = None
        self.hit_pan: dict[int, tuple[float, float]] = {0: (1.0, 0.6), 1: (0.6, 1.0)}
        self._open = False
        self._tracks: dict[str, pygame.mixer.Sound] = {}
        self._track_channel: dict[str, int] = {}
        self._sliced: dict[tuple[str, int], pygame.mixer.Sound] = {}
        self._audible: dict[str, bool] = {}
        self._hits: dict[Voice, pygame.mixer.Sound] = {}
        self._master = 1.0
        self._music = 1.0
        self._hit_volume = 1.0

    # lifecycle ---------------------------------------------------------------
    @property
    def available(self) -> bool:
        """True once :meth:`open` succeeded and until :meth:`close`."""
        return self._open

    @property
    def output_latency_s(self) -> float:
        """One mixer buffer in seconds: a floor for the output latency (calibrate the rest)."""
        return self.buffer_samples / self.frequency

    def open(self) -> bool:
        """Initialise ``pygame.mixer`` with a small buffer, 16-bit stereo.

        An already initialised mixer is shut down and reopened with these
        settings, so open the player before creating other ``Sound`` objects.

        Returns
        -------
        bool
            False (with :attr:`unavailable_reason` set) when there is no usable
            audio device; the player then stays silent.
        """
        if self._open:
            return True
        try:
            if pygame.mixer.get_init() is not None:
                pygame.mixer.quit()
            pygame.mixer.pre_init(self.frequency, -16, 2, self.buffer_samples,
                                  allowedchanges=pygame.AUDIO_ALLOW_FREQUENCY_CHANGE)
            pygame.mixer.init()
            init = pygame.mixer.get_init()
            if init is None:
                raise pygame.error("mixer did not initialise")
            self.frequency = int(init[0])
            pygame.mixer.set_num_channels(_TOTAL_CHANNELS)
            pygame.mixer.set_reserved(_TRACK_CHANNELS)
        except (pygame.error, OSError) as exc:
            self.unavailable_reason = str(exc) or type(exc).__name__
            return False
        self.unavailable_reason = None
        self._open = True
        return True

    def close(self) -> None:
        """Stop everything, drop loaded sounds and shut the mixer down."""
        if not self._open:
            return
        pygame.mixer.stop()
        self._tracks.clear()
        self._track_channel.clear()
        self._sliced.clear()
        self._hits.clear()
        pygame.mixer.quit()
        self._open = False

    # loading ------------------------------------------------------------------
    def load_song(self, path: str | None, *, chart: Chart | None = None) -> None:
        """Load the song: an audio file, or (``path`` None) a click track for ``chart``.

        Replaces any loaded song or stems.

        Raises
        ------
        ValueError
            If both ``path`` and ``chart`` are None.
        pygame.error
            If the file cannot be decoded.
        """
        if path is None and chart is None:
            raise ValueError("load_song needs an audio path or a chart for the click track")
        if not self._open:
            return
        if path is not None:
            sound = pygame.mixer.Sound(path)
        else:
            assert chart is not None
            sound = pygame.sndarray.make_sound(synth.click_track(chart, sr=self.frequency))
        self._set_tracks({_BACKING: sound})

    def load_stems(self, backing: str | None, drums: dict[int, str]) -> None:
        """Load a backing track and one drum stem per player, each on its own channel.

        Parameters
        ----------
        backing : str or None
            Audio file with everything but the players' drums.
        drums : dict
            ``player -> audio file`` of that player's drum part (at most 3).
        """
        if len(drums) > _TRACK_CHANNELS - 1:
            raise ValueError(f"at most {_TRACK_CHANNELS - 1} drum stems")
        if not self._open:
            return
        tracks: dict[str, pygame.mixer.Sound] = {}
        if backing is not None:
            tracks[_BACKING] = pygame.mixer.Sound(backing)
        for player, path in sorted(drums.items()):
            tracks[_drums_key(player)] = pygame.mixer.Sound(path)
        self._set_tracks(tracks)

    def _set_tracks(self, tracks: dict[str, pygame.mixer.Sound]) -> None:
        self.stop()
        self._tracks = tracks
        self._sliced.clear()
        self._audible = dict.fromkeys(tracks, True)
        self._track_channel = {key: i for i, key in enumerate(tracks)}

    # song transport ------------------------------------------------------------
    def play(self, song_time_s: float = 0.0) -> float:
        """Start every loaded track at song position ``song_time_s`` seconds.

        All tracks are started back to back in this one call (microseconds
        apart). Negative positions start with silence (a lead-in).

        Returns
        -------
        float
            ``time.perf_counter()`` right after starting, in seconds: pass it
            to ``SongClock.start(song_time_s, at_perf_s=...)``.
        """
        if not self._open:
            return time.perf_counter()
        self.stop()
        start = round(song_time_s * self.frequency)
        sounds = [(key, self._from(key, start)) for key in self._tracks]
        for key, sound in sounds:
            channel = pygame.mixer.Channel(self._track_channel[key])
            channel.set_volume(self._track_volume(key))
            channel.play(sound)
        return time.perf_counter()

    def _from(self, key: str, start: int) -> pygame.mixer.Sound:
        """Track ``key`` starting at sample frame ``start`` (sliced or padded, cached)."""
        if start == 0:
            return self._tracks[key]
        cached = self._sliced.get((key, start))
        if cached is None:
            whole = pygame.sndarray.array(self._tracks[key])
            if start > 0:
                part = whole[start:] if start < len(whole) else whole[:0]
            else:
                pad = np.zeros((-start, *whole.shape[1:]), dtype=whole.dtype)
                part = np.concatenate((pad, whole))
            if len(part) == 0:
                part = np.zeros((1, *whole.shape[1:]), dtype=whole.dtype)
            cached = pygame.sndarray.make_sound(np.ascontiguousarray(part))
            self._sliced = {k: v for k, v in self._sliced.items() if k[0] != key}
            self._sliced[(key, start)] = cached
        return cached

    def pause(self) -> None:
        """Pause all playback (song and hits)."""
        if self._open:
            pygame.mixer.pause()

    def resume(self) -> float:
        """Resume after :meth:`pause`; returns ``time.perf_counter()`` right after, seconds."""
        if self._open:
            pygame.mixer.unpause()
        return time.perf_counter()

    def stop(self) -> None:
        """Stop all playback."""
        if self._open:
            pygame.mixer.stop()

    @property
    def busy(self) -> bool:
        """True while any song track is playing (or paused mid-track)."""
        if not self._open:
            return False
        return any(pygame.mixer.Channel(i).get_busy() for i in self._track_channel.values())

    # volumes ------------------------------------------------------------------------
    def set_player_drums_audible(self, player: int, audible: bool) -> None:
        """Mute (volume 0) or unmute ``player``'s drum stem, e.g. while they miss."""
        key = _drums_key(player)
        if key not in self._audible:
            return
        self._audible[key] = bool(audible)
        if self._open:
            self.track_channel(key).set_volume(self._track_volume(key))

    def set_volumes(self, master: float, music: float, hits: float) -> None:
        """Set the master, song and hit-sound volumes, each 0-1 (clamped)."""
        self._master, self._music, self._hit_volume = (_unit(master), _unit(music), _unit(hits))
        if self._open:
            for key in self._tracks:
                self.track_channel(key).set_volume(self._track_volume(key))

    def track_channel(self, key: str) -> pygame.mixer.Channel:
        """The mixer channel of a loaded track: ``"backing"`` or ``"drums:<player>"``."""
        return pygame.mixer.Channel(self._track_channel[key])

    def _track_volume(self, key: str) -> float:
        return self._master * self._music * (1.0 if self._audible.get(key, True) else 0.0)

    # hits ---------------------------------------------------------------------------
    def play_hit(self, voice: Voice, *, player: int, velocity: int = 100) -> None:
        """Play a synthesised ``voice`` hit for ``player`` at MIDI ``velocity`` (1-127).

        Uses a free channel (stealing the oldest hit if all are busy); volume
        scales with velocity, panned by :attr:`hit_pan`.
        """
        if not self._open:
            return
        sound = self._hits.get(voice)
        if sound is None:
            sound = pygame.sndarray.make_sound(
                synth.drum_hit(voice, sr=self.frequency, velocity=127))
            self._hits[voice] = sound
        channel = pygame.mixer.find_channel(True)
        if channel is None:
            return
        gain = self._master * self._hit_volume * min(max(int(velocity), 1), 127) / 127.0
        left, right = self.hit_pan.get(player, (1.0, 1.0))
        channel.set_volume(gain * left, gain * right)
        channel.play(sound)

    def __enter__(self) -> AudioPlayer:
        self.open()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _drums_key(player: int) -> str:
    return f"drums:{player}"


def _unit(x: float) -> float:
    return min(max(float(x), 0.0), 1.0)
