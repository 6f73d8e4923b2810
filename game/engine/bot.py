"""Bots: perfect autoplay and a humanised drummer, for tests and demos.

Both produce the same :class:`~game.engine.events.HitEvent` stream a keyboard
or a kit would.

Bot specs, as the command line takes them (``--p1 bot:sd=15,bias=-5``):

``auto`` / ``bot:auto``
    Every note exactly on time, accents hit hard.
``bot:sd=MS,bias=MS,drift=MS,miss=P,stray=P,seed=N``
    Gaussian timing noise with SD ``sd`` ms, constant offset ``bias`` ms
    (positive = late), a slow random walk of the timing centre with step SD
    ``drift`` ms per second, a probability ``miss`` of skipping a note, a
    probability ``stray`` of adding an extra hit near a note, and a seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from game.engine.chart import Note
from game.engine.events import HitEvent

AUTO_VELOCITY = 100
AUTO_ACCENT_VELOCITY = 120
AUTO_GHOST_VELOCITY = 40


def _velocity(note: Note) -> int:
    if note.accent:
        return AUTO_ACCENT_VELOCITY
    if note.ghost:
        return AUTO_GHOST_VELOCITY
    return AUTO_VELOCITY


def autoplay(notes: tuple[Note, ...] | list[Note], *, player: int) -> list[HitEvent]:
    """Hit every note exactly on time (perfect autoplay)."""
    return [HitEvent(player, n.time_s, n.voice, None, _velocity(n), "bot") for n in notes]


@dataclass(frozen=True, slots=True)
class HumanBot:
    """A humanised drummer.

    Attributes
    ----------
    sd_ms : float
        SD of Gaussian timing noise, ms.
    bias_ms : float
        Constant timing offset, ms (positive = late).
    drift_ms : float
        Step SD of a random walk of the timing centre, ms per sqrt(second).
    miss_rate : float
        Probability of not playing a note, in [0, 1].
    stray_rate : float
        Probability per note of an extra stray hit 200-400 ms after it.
    seed : int
    """

    sd_ms: float = 15.0
    bias_ms: float = 0.0
    drift_ms: float = 0.0
    miss_rate: float = 0.0
    stray_rate: float = 0.0
    seed: int = 0

    def play(self, notes: tuple[Note, ...] | list[Note], *, player: int) -> list[HitEvent]:
        """Hit events for ``notes``, sorted by time."""
        rng = np.random.default_rng(self.seed)
        n = len(notes)
        if n == 0:
            return []
        times = np.array([x.time_s for x in notes])
        noise = rng.normal(0.0, self.sd_ms / 1e3, n) if self.sd_ms > 0 else np.zeros(n)
        drift = np.zeros(n)
        if self.drift_ms > 0:
            dt = np.diff(times, prepend=times[0])
            steps = rng.normal(0.0, 1.0, n) * (self.drift_ms / 1e3) * np.sqrt(np.maximum(dt, 0))
            drift = np.cumsum(steps)
        skip = rng.random(n) < self.miss_rate
        stray = rng.random(n) < self.stray_rate
        stray_dt = rng.uniform(0.2, 0.4, n)
        offsets = noise + drift + self.bias_ms / 1e3
        out: list[HitEvent] = []
        for i, note in enumerate(notes):
            if not skip[i]:
                out.append(HitEvent(player, float(times[i] + offsets[i]), note.voice, None,
                                    _velocity(note), "bot"))
            if stray[i]:
                out.append(HitEvent(player, float(times[i] + stray_dt[i]), note.voice, None,
                                    AUTO_VELOCITY, "bot"))
        out.sort(key=lambda e: e.time_s)
        return out


_KEYS = {"sd": "sd_ms", "bias": "bias_ms", "drift": "drift_ms", "miss": "miss_rate",
         "stray": "stray_rate", "seed": "seed"}


def parse_bot_spec(spec: str) -> HumanBot | None:
    """Parse ``auto`` (returns None: perfect autoplay) or ``bot:k=v,...``.

    Raises
    ------
    ValueError
        Naming the bad part and the keys that are understood.
    """
    text = spec.strip()
    if text in ("auto", "bot", "bot:auto", "bot:"):
        return None
    if not text.startswith("bot:"):
        raise ValueError(f"bot spec {spec!r} must be 'auto' or 'bot:KEY=VALUE,...'")
    kwargs: dict[str, float | int] = {}
    for item in text[4:].split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in _KEYS:
            raise ValueError(f"bot spec {spec!r}: bad item {item!r}; expected KEY=VALUE with "
                             f"KEY one of {', '.join(_KEYS)}")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"bot spec {spec!r}: {key} must be a number, got {value!r}") \
                from None
        if not math.isfinite(number):
            raise ValueError(f"bot spec {spec!r}: {key} must be finite")
        kwargs[_KEYS[key]] = int(number) if key == "seed" else number
    for rate in ("miss_rate", "stray_rate"):
        if not 0 <= float(kwargs.get(rate, 0.0)) <= 1:
            raise ValueError(f"bot spec {spec!r}: {rate.split('_')[0]} must be in [0, 1]")
    if float(kwargs.get("sd_ms", 0.0)) < 0 or float(kwargs.get("drift_ms", 0.0)) < 0:
        raise ValueError(f"bot spec {spec!r}: sd and drift must be >= 0")
    return HumanBot(**kwargs)  # type: ignore[arg-type]


def bot_events(spec: str, notes: tuple[Note, ...], *, player: int) -> list[HitEvent]:
    """Events for a bot spec string (``auto`` or ``bot:...``)."""
    bot = parse_bot_spec(spec)
    if bot is None:
        return autoplay(notes, player=player)
    return bot.play(notes, player=player)
