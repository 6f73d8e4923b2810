"""A player on a MIDI kit: port reader, kit interpreter, song clock and engine, joined.

Each stroke is stamped on arrival (by :class:`~game.input.midi_reader.KitReader`),
read by the kit map, converted to song time minus the device's calibrated
latency, and fed to the engine on the reading thread — under the session's
lock, so a stroke never waits for a frame to be drawn.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from game.engine.events import HitEvent
from game.engine.voices import LaneLayout
from game.formats.kitmap import KitMap, load_kitmap
from game.input.capture import Capture
from game.input.kit import HIT, SUPPRESSED, UNMAPPED, KitInterpreter, PadMessage, VelocityCurve
from game.input.midi_reader import CONNECTED, KitReader
from game.ui.i18n import tr

MONITOR_KEEP = 64
_NOTE_KINDS = (HIT, SUPPRESSED, UNMAPPED)


@dataclass(frozen=True, slots=True)
class KitSetup:
    """How one player's kit is read (from settings, or defaults).

    Attributes
    ----------
    port : str
        Port name or ``tcp:HOST:PORT``.
    kitmap : KitMap
    curve : VelocityCurve
    latency_s : float
        The device's calibrated latency, taken off every stroke's time.
    """

    port: str
    kitmap: KitMap
    curve: VelocityCurve = field(default_factory=VelocityCurve)
    latency_s: float = 0.0


class KitPlayer:
    """One player's kit, live.

    Parameters
    ----------
    player : int
        0 or 1.
    setup : KitSetup
    layout : LaneLayout
        The player's lanes (a voice's lane is where its stroke lands).
    to_song_time : callable
        ``f(perf_s) -> song seconds`` (the song clock's conversion).
    feed : callable
        ``f(HitEvent)``: judge a stroke (the owner takes its lock).
    capture : callable, optional
        ``f(Capture)`` for the input log.
    opener : callable, optional
        Opens the port instead of the port name (a virtual kit).
    """

    def __init__(self, player: int, setup: KitSetup, layout: LaneLayout, *,
                 to_song_time: Callable[[float], float], feed: Callable[[HitEvent], Any],
                 capture: Callable[[Capture], None] | None = None,
                 opener: Callable[[], Any] | None = None) -> None:
        self.player = player
        self.setup = setup
        self.layout = layout
        self.to_song_time = to_song_time
        self.feed = feed
        self.capture = capture
        self.interpreter = KitInterpreter(setup.kitmap, curve=setup.curve)
        self.monitor: deque[PadMessage] = deque(maxlen=MONITOR_KEEP)
        self.notices: list[tuple[float, str]] = []  #: (perf_s, text), oldest first
        self.engine_delays_s: list[float] | None = None
        self._notified = ""
        self.reader = KitReader(setup.port, self._on_message, on_status=self._on_status,
                                opener=opener)

    def start(self) -> KitPlayer:
        self.reader.start()
        return self

    def close(self) -> None:
        self.reader.close()

    @property
    def connected(self) -> bool:
        """Whether the kit's port is open."""
        return self.reader.status == CONNECTED

    @property
    def latency_s(self) -> float:
        """The kit's calibrated latency (s): its strokes may reach the engine this late."""
        return self.setup.latency_s

    def _on_status(self, status: str, why: str) -> None:
        """A notice when the kit comes or goes (not for each failed retry).

        Shown over the player's highway, so in the player's language.
        """
        who = self.player + 1
        if status == CONNECTED:
            text = (tr("P{player} kit connected") if self.reader.connects <= 1
                    else tr("P{player} kit is back")).format(player=who)
        elif status == "disconnected" and self._notified != "disconnected":
            text = (tr("P{player} kit lost: {reason}").format(player=who, reason=why) if why
                    else tr("P{player} kit lost").format(player=who))
        else:
            return
        self._notified = status
        self.notices.append((time.perf_counter(), text))

    def _on_message(self, msg: Any, t_capture: float) -> None:
        pad = self.interpreter.interpret(msg, t_capture)
        if pad.kind not in _NOTE_KINDS:
            self.monitor.append(pad)
            return
        t_song = self.to_song_time(t_capture) - self.setup.latency_s
        lane = None
        if pad.kind == HIT and pad.voice is not None:
            lane = self.layout.lane_of(pad.voice)
            judged = self.feed(HitEvent(self.player, t_song, pad.voice, lane, pad.out_velocity,
                                        "midi"))
            if judged is not None and self.engine_delays_s is not None:  # not when paused
                self.engine_delays_s.append(time.perf_counter() - t_capture)
        self.monitor.append(pad)
        if self.capture is not None:
            self.capture(Capture(t_capture, t_song, "midi", note=pad.note,
                                 player=self.player if lane is not None else None, lane=lane,
                                 velocity=pad.velocity or 0))


def kit_setups(specs: tuple[Any, Any], *, settings: Any = None, kitmap: str | None = None
               ) -> tuple[dict[int, KitSetup], list[str]]:
    """How each ``midi`` player's kit is read, from the person's kit profiles.

    Parameters
    ----------
    specs : pair of SourceSpec
    settings : Settings, optional
        For each device's calibrated latency (``device_offsets_ms["midi:PORT"]``).
    kitmap : str, optional
        Use this kit map for every kit (``--kit-map``) instead of the profiles'.

    Returns
    -------
    setups : dict of int to KitSetup
    warnings : list of str
        A profile naming a kit map that cannot be loaded (the default is used);
        shown on screen, so in the player's language.

    Raises
    ------
    FormatError
        When ``kitmap`` itself cannot be loaded.
    """
    from game.store.kits import load_profiles

    warnings: list[str] = []
    try:
        profiles, warnings = load_profiles()
    except Exception as exc:  # no data folder: defaults
        profiles, warnings = {}, [tr("kit profiles unavailable: {error}").format(error=exc)]
    setups: dict[int, KitSetup] = {}
    for player, spec in enumerate(specs):
        if spec.kind == "midi":
            setups[player] = kit_setup_for(spec.arg, profiles, settings=settings,
                                           kitmap=kitmap, warnings=warnings)
    return setups, warnings


def kit_setup_for(port: str, profiles: dict[str, Any], *, settings: Any = None,
                  kitmap: str | None = None, warnings: list[str] | None = None) -> KitSetup:
    """How the kit on ``port`` is read: its saved profile (found by a partial port
    name too), its calibrated latency, or ``kitmap`` instead of the profile's map.

    A profile's map that cannot be loaded falls back to the default map, with a
    line in ``warnings``; an explicit ``kitmap`` that cannot be loaded raises.
    """
    from game.input.midi_ports import resolve_port_name, same_port
    from game.store.kits import KitProfile, resolve_kitmap

    # profiles are saved under the full port name; "--p2 midi:TD-17" finds them too
    full = resolve_port_name(port)
    profile = next((v for k, v in profiles.items() if same_port(k, full)),
                   profiles.get(port, KitProfile()))
    if kitmap is not None:
        km = resolve_kitmap(kitmap)
    else:
        try:
            km = resolve_kitmap(profile.kitmap)
        except Exception as exc:
            if warnings is not None:
                warnings.append(tr("kit map {name} for {port}: {error}; using the default "
                                   "map").format(name=repr(profile.kitmap), port=port,
                                                 error=exc))
            km = load_kitmap("default")
    latency_ms = 0.0
    if settings is not None:
        latency_ms = next((ms for dev, ms in settings.device_offsets_ms
                           if dev.startswith("midi:") and same_port(dev[5:], full)),
                          settings.device_offset(f"midi:{port}"))
    return KitSetup(port, km, VelocityCurve(profile.velocity_gain, profile.velocity_gamma),
                    latency_ms / 1e3)
