"""The gameplay scene: two highways, live judging, lead-in countdown, pause.

Everything on screen reads the engine's state; judging happens in the engine,
at each input's capture time converted to song time.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pygame

from game.app.scene import Scene
from game.audio.clock import SongClock
from game.engine.chart import Chart
from game.engine.events import MISS, HitEvent, Judgement
from game.engine.session import PlayerSetup
from game.engine.windows import HitWindows
from game.input.capture import Capture
from game.input.keyboard import KeyMap
from game.live.kit_player import KitSetup
from game.live.live_play import LivePlay
from game.live.outputs import PlayOutputs
from game.live.sources import SourceSpec
from game.ui import theme
from game.ui.gameplay_view import GameplayView, PlayerLook
from game.ui.i18n import tr

__all__ = ["GameplayScene"]

RECENT_KEEP = 48
#: A kit's "connected" / "is back" notice shows this long.
NOTICE_S = 3.0


class GameplayScene(Scene):
    """Play one chart with two players.

    Parameters
    ----------
    app : App
    chart : Chart
    setups : pair of PlayerSetup
    specs : pair of SourceSpec
        Who plays each part (keyboard, midi, auto, bot, replay).
    windows : HitWindows
    outputs : PlayOutputs
        Files to write when the song ends or play stops.
    on_finished : callable, optional
        ``f(scene, report)`` when the song ends; default: close the scene.
    lead_in_s : float
        Countdown before bar 1.
    input_offsets_s : pair of float
        Each player's calibrated input latency, taken off their hits' times.
    audio_offset_s : float
        Calibrated audio output latency.
    folder : Path, optional
        The beatmap's folder: its ``audio`` and stem files are relative to it.
        Stems are ``stem_backing``, ``stem_p1``, ``stem_p2`` in the ``[song]``
        block; with them, a player's drum stem is muted while they miss.
    kits : dict of int to KitSetup, optional
        How each ``midi`` player's kit is read. A kit player whose kit is
        unplugged plays on their keyboard keys until it is back.
    kit_openers : dict of int to callable, optional
        Open a kit another way than by its port name (a virtual kit).
    end_s : float, optional
        Song time at which the play ends; default 1 s after the last note.
    countdown_to_s : float
        Song time the lead-in countdown counts down to (a practice loop: its range).
    """

    name = "gameplay"

    def __init__(self, app: Any, chart: Chart, setups: tuple[PlayerSetup, PlayerSetup],
                 specs: tuple[SourceSpec, SourceSpec], windows: HitWindows,
                 outputs: PlayOutputs, *, on_finished: Callable[[GameplayScene, dict[str, Any]],
                                                                None] | None = None,
                 lead_in_s: float = 3.0, bindings: KeyMap | None = None,
                 input_offsets_s: tuple[float, float] = (0.0, 0.0),
                 audio_offset_s: float = 0.0, scroll_speed: float = 1.0,
                 hit_sounds: tuple[bool, bool] = (True, True),
                 max_seconds: float | None = None, folder: Path | None = None,
                 kits: dict[int, KitSetup] | None = None,
                 kit_openers: dict[int, Callable[[], Any]] | None = None,
                 end_s: float | None = None, countdown_to_s: float = 0.0) -> None:
        super().__init__(app)
        self.chart = chart
        self.setups = setups
        self.specs = specs
        self.outputs = outputs
        self.on_finished = on_finished
        self.lead_in_s = lead_in_s
        if bindings is None:
            from game.store.settings import KeyBindings as DefaultKeys

            keys = DefaultKeys()
            bindings = KeyMap(keys.p1, keys.p2)
        self.bindings = bindings
        self.input_offsets_s = input_offsets_s
        self.audio_offset_s = audio_offset_s
        self.scroll_speed = scroll_speed
        self.hit_sounds = hit_sounds
        self.max_seconds = max_seconds
        self.folder = folder
        self.end_s = end_s
        self.countdown_to_s = countdown_to_s
        self.audio = app.context.audio
        self._keymap = self.bindings.lookup()
        self.finished = False
        self._closed = False
        self.clock = SongClock(audio_latency_s=self.audio_offset_s)
        # judgements arrive on any thread (kits judge on theirs); the frame takes them
        self._judged_q: deque[Judgement] = deque()
        self.live = LivePlay(chart, setups, specs, windows, outputs,
                             to_song_time=lambda t: self.clock.to_song_time(t),
                             kits=kits, openers=kit_openers, on_judged=self._judged_q.append)
        self._start(first=True)
        self.live.start()

    # lifecycle -----------------------------------------------------------------
    def _start(self, first: bool = False) -> None:
        chart, setups = self.chart, self.setups
        self.live.accepting = False
        if not first:
            self.live.reset()
        self.session = self.live.session
        # a player's name as typed (no name: the view shows "P1" / "P2" in the language)
        looks = tuple(PlayerLook(setups[i].name or "", i, self.bindings.labels(i))
                      for i in (0, 1))
        self.view = GameplayView(self.session, players=(looks[0], looks[1]),
                                 scroll_speed=self.scroll_speed)
        self.view.resize(self.app.screen.get_size())
        self.recent: list[Judgement] = []
        self._judged_q.clear()
        self._audio_started = False
        self._paused = False
        self.finished = False
        self._end_s = chart.length_s + 1.0 if self.end_s is None else self.end_s
        if self.audio is not None:
            self.audio.stop()
            self._load_audio()
        self.clock.start(-self.lead_in_s)
        self._wall_start = time.perf_counter()
        self.live.begin()

    def _file(self, name: str | None) -> str | None:
        if not name:
            return None
        return str(self.folder / name) if self.folder is not None else name

    def _load_audio(self) -> None:
        """The song's stems if it has them, else its audio, else a click track."""
        extra = dict(self.chart.meta.extra)
        drums = {p: self._file(extra.get(f"stem_p{p + 1}")) for p in (0, 1)}
        stems = {p: f for p, f in drums.items() if f}
        try:
            if stems:
                self.audio.load_stems(self._file(extra.get("stem_backing")), stems)
            else:
                self.audio.load_song(self._file(self.chart.meta.audio), chart=self.chart)
        except (pygame.error, OSError, ValueError) as exc:
            from game.app.scenes.menu_scene import report_error

            # TRANSLATORS: a notice; {error} is the system's message (English)
            report_error(self.app, tr("cannot play this song's audio ({error}); using a click")
                         .format(error=exc))
            self.audio.load_song(None, chart=self.chart)

    def restart(self, chart: Chart | None = None) -> None:
        """Start the song again from the countdown (a new session), on ``chart`` if given."""
        if chart is not None:
            self.chart = self.live.chart = chart
        self._start()

    def enter(self) -> None:
        if self._paused:
            self._paused = False
            self.live.accepting = True
            self.clock.resume()
            if self.audio is not None and self._audio_started:
                self.audio.resume()

    def pause(self, menu: Scene | None = None) -> None:
        """Freeze the song clock and the audio and show ``menu`` (default: the pause menu)."""
        from game.app.scenes.pause import PauseScene

        self._paused = True
        self.live.accepting = False
        self.clock.pause()
        if self.audio is not None:
            self.audio.pause()
        self.app.push(menu if menu is not None else PauseScene(self.app, self))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.live.close()
        if self.audio is not None:
            self.audio.stop()
        if not self.finished:
            self.outputs.close(self.session)

    # input ---------------------------------------------------------------------
    def on_event(self, event: Any, t_capture: float) -> None:
        if event.type != pygame.KEYDOWN:
            return
        if event.key == pygame.K_ESCAPE:
            self.pause()
            return
        if self.app.key_listener is None:  # else the capture process stamped this key
            self._key(pygame.key.name(event.key), t_capture)

    def on_key_capture(self, name: str, t_capture: float) -> None:
        if name != "escape":
            self._key(name, t_capture)

    def _key(self, name: str, t_capture: float) -> None:
        """A key press at ``t_capture``: log it; if bound to a live player, judge it."""
        bound = self._keymap.get(name)
        player, lane = bound if bound and self.live.keyboard_plays(bound[0]) else (None, None)
        offset = self.input_offsets_s[player] if player is not None else 0.0
        t_song = self.clock.to_song_time(t_capture) - offset
        self.outputs.captured(Capture(t_capture, t_song, "keyboard", key=name, player=player,
                                      lane=lane))
        if player is None or lane is None or self._paused:
            return
        self.live.feed(HitEvent(player, t_song, None, lane, 100, "keyboard"))
        if self.audio is not None and self.hit_sounds[player]:
            voice = self.setups[player].layout.lanes[lane].voices[0]
            self.audio.play_hit(voice, player=player, velocity=100)

    def _take_judgements(self) -> None:
        """Account for the judgements made since the last frame (main thread only)."""
        q = self._judged_q
        while q:
            self._judged(q.popleft())

    def _judged(self, j: Judgement) -> None:
        self.recent.append(j)
        if self.audio is not None and j.note_index >= 0:
            self.audio.set_player_drums_audible(j.player, j.grade is not MISS)

    # frame ---------------------------------------------------------------------
    def update(self, now_perf: float) -> None:
        if self.finished:
            return
        now_s = self.clock.now()
        if (self.audio is not None and not self._audio_started
                and now_s >= -1.5 * self.app.frame_dt_s - self.audio_offset_s):
            self._start_audio_on_time()
            now_s = self.clock.now()
        self.live.pump(now_s)
        self._take_judgements()
        if len(self.recent) > RECENT_KEEP:
            del self.recent[:-RECENT_KEEP]
        self.now_s = now_s
        over_time = (self.max_seconds is not None
                     and now_perf - self._wall_start >= self.max_seconds)
        if now_s >= self._end_s or over_time:
            self._finish(complete=not over_time)

    def _start_audio_on_time(self) -> None:
        """Start the song exactly when the lead-in clock reaches 0.

        Waits (still reading inputs) for that moment rather than starting at the
        first frame past it, so re-anchoring the clock to the audio start moves
        song time by the length of the ``play()`` call, not by up to a frame.
        """
        # The clock reads what is *heard* (start time minus the output latency),
        # so the audio must start when the lead-in clock reads -latency.
        t = time.perf_counter()
        start_perf = t - self.clock.to_song_time(t) - self.audio_offset_s
        while time.perf_counter() < start_perf:
            self.app.poll()
            if self._paused or self.finished or not self.app.running:
                # Esc (or the window closing) while waiting: the pause froze the
                # lead-in clock; the audio starts on time after the resume instead
                return
        # On time, the mixer starts at 0. A frame that came late (a stalled machine)
        # starts it where the song already is instead, so song time never jumps back.
        pos = max(0.0, self.clock.to_song_time(time.perf_counter()) + self.audio_offset_s)
        pos = 0.0 if pos < 0.002 else pos
        t_play = self.audio.play(pos)
        self.clock.start(pos, at_perf_s=t_play)
        self._audio_started = True

    def _finish(self, *, complete: bool) -> None:
        if complete:
            self.live.finish()
        self.live.accepting = False
        self._take_judgements()
        self.finished = True
        report = self.outputs.close(self.session)
        if self.on_finished is not None:
            self.on_finished(self, report)
        else:
            self.app.pop()

    def draw(self, surface: pygame.Surface) -> None:
        now_s = getattr(self, "now_s", self.clock.now())
        countdown = self.countdown_to_s - now_s if now_s < self.countdown_to_s else None
        # one copy of the session's state, under its lock: kit threads judge meanwhile
        frame = self.live.frame(recent_offsets=theme.ERROR_TICKS)
        self.view.draw(surface, now_s, frame=frame, recent=self.recent,
                       countdown=countdown, banners=self._banners())

    def _banners(self) -> list[tuple[int, str, bool]]:
        """A notice over each kit player's highway: kit lost (keys take over) or back."""
        out: list[tuple[int, str, bool]] = []
        now = time.perf_counter()
        for player, kit in self.live.kits.items():
            if not kit.connected:
                keys = " ".join(self.bindings.labels(player))  # key names: not translated
                # TRANSLATORS: banner over a player's highway when their drum kit is unplugged
                # (capitals in English); the next line says the keyboard plays instead
                title = tr("KIT NOT CONNECTED")
                # TRANSLATORS: second line of that banner; {keys} are the player's keys
                detail = tr("playing on the keys {keys}").format(keys=keys)
                out.append((player, f"{title}\n{detail}", True))
            elif kit.notices and now - kit.notices[-1][0] < NOTICE_S:
                out.append((player, kit.notices[-1][1], False))  # worded by the kit player
        return out

    def resize(self, size: tuple[int, int]) -> None:
        self.view.resize(size)
