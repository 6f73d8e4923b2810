"""The App: one window, a stack of scenes, and the input-first main loop.

Loop: read SDL events at ~1 kHz (each batch stamped with ``perf_counter`` as it
is read) until the next frame is due, then update and draw the top scene at
the display's rate. Drawing never delays input stamping by more than one draw.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pygame

from game.app.context import AppContext
from game.app.scene import Scene

POLL_SLEEP_S = 0.0005


def display_refresh_hz() -> float:
    """The desktop refresh rate, 60 when SDL does not know."""
    try:
        rates = pygame.display.get_desktop_refresh_rates()
        if rates and rates[0] > 0:
            return float(rates[0])
    except (pygame.error, AttributeError):
        pass
    return 60.0


class App:
    """Owns the window and the scene stack; runs the loop.

    Parameters
    ----------
    size : (int, int)
        Initial window size in pixels.
    fullscreen : bool
    context : AppContext
        What the scenes share (settings, score store, audio, test hooks...);
        a fresh default one if not given.
    """

    def __init__(self, *, size: tuple[int, int] = (1280, 720), fullscreen: bool = False,
                 context: AppContext | None = None, title: str = "Drum Diplomacy",
                 collect_stats: bool = False) -> None:
        pygame.display.init()
        pygame.font.init()
        self.fullscreen = fullscreen
        self._windowed_size = size
        self.screen = self._open_window(size, fullscreen)
        pygame.display.set_caption(title)
        self.context = context if context is not None else AppContext()
        hooks = self.context.hooks
        self.key_listener = self._start_key_listener() if hooks.x11_keys else None
        self.scenes: list[Scene] = []
        self.running = True
        self.frame_dt_s = 1.0 / display_refresh_hz()
        #: Keep per-frame and per-poll timings (for ``--stats-json``); off by default
        #: so a long session in the menus does not grow lists at 1 kHz.
        self.collect_stats = collect_stats
        self.frame_times_s: list[float] = []
        self.draw_times_s: list[float] = []
        self.flip_times_s: list[float] = []
        self.poll_intervals_s: list[float] = []
        self.frames = 0
        self.on_frame: Callable[[App], None] | None = None
        #: When set, each scene's screen is saved there (for tests and the README).
        self.screenshots_dir = hooks.screenshots_dir
        self._shot_frames: dict[str, int] = {}
        self._last_shot_scene: str | None = None
        #: The scene last reported shown (the state-log test hook).
        self._state_scene: Scene | None = None

    @staticmethod
    def _start_key_listener() -> Any:
        """Capture keys from the X server when on X11 (see input.x11_keys)."""
        if pygame.display.get_driver() != "x11":
            return None
        from game.input.x11_keys import start_listener

        return start_listener(pygame.display.get_wm_info(), os.environ.get("DISPLAY"))

    @staticmethod
    def _open_window(size: tuple[int, int], fullscreen: bool) -> pygame.Surface:
        if fullscreen:
            return pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        return pygame.display.set_mode(size, pygame.RESIZABLE)

    def toggle_fullscreen(self) -> None:
        """Switch between a window and full screen; scenes are told the new size."""
        self.fullscreen = not self.fullscreen
        self.screen = self._open_window(self._windowed_size, self.fullscreen)
        for s in self.scenes:
            s.resize(self.screen.get_size())

    # scene stack ---------------------------------------------------------------
    @property
    def top(self) -> Scene | None:
        """The scene on screen."""
        return self.scenes[-1] if self.scenes else None

    def push(self, scene: Scene) -> None:
        """Show ``scene`` on top."""
        if self.top:
            self.top.leave()
        self.scenes.append(scene)
        scene.resize(self.screen.get_size())
        scene.enter()

    def pop(self) -> None:
        """Close the top scene; closing the last one quits."""
        if self.scenes:
            self.scenes.pop().close()
        if self.scenes:
            self.scenes[-1].resize(self.screen.get_size())
            self.scenes[-1].enter()
        else:
            self.running = False

    def replace(self, scene: Scene) -> None:
        """Swap the top scene for ``scene``."""
        if self.scenes:
            self.scenes.pop().close()
        self.scenes.append(scene)
        scene.resize(self.screen.get_size())
        scene.enter()

    def quit(self) -> None:
        """End the loop after this frame."""
        self.running = False

    def _startup_probe(self) -> None:
        """With the start-up probe hook set: note the first frame's time and quit.

        Writes ``perf_counter()`` (CLOCK_MONOTONIC, comparable across processes)
        and whether any heavy audio-analysis module was imported on the way.
        """
        probe = self.context.hooks.startup_probe
        if probe is None:
            return
        import json
        import sys

        heavy = sorted(m for m in ("librosa", "numba", "scipy", "sklearn") if m in sys.modules)
        Path(probe).write_text(json.dumps({"first_frame_perf_s": time.perf_counter(),
                                           "heavy_modules": heavy}))
        self.quit()

    def _log_state(self, top: Scene, path: Path) -> None:
        """State-log test hook: ``top`` is on screen (one JSON line to ``path``, flushed
        at once)."""
        import contextlib
        import json

        self._state_scene = top
        with contextlib.suppress(OSError), open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"scene": top.name, "frame": self.frames}) + "\n")

    def _save_shot(self, file_stem: str) -> None:
        assert self.screenshots_dir is not None
        self.screenshots_dir.mkdir(parents=True, exist_ok=True)
        pygame.image.save(self.screen, str(self.screenshots_dir / f"{file_stem}.png"))

    def _screenshot(self, name: str) -> None:
        """Save a scene's 10th frame, and gameplay's every 300th, as PNG.

        A scene left before its 10th frame (a slow machine, a quick key) is saved
        from its last frame when the next scene is about to draw over it.
        """
        n = self._shot_frames.get(name, 0) + 1
        self._shot_frames[name] = n
        self._last_shot_scene = name
        if n == 10:
            self._save_shot(name)
        elif name == "gameplay" and n % 300 == 0:
            self._save_shot(f"{name}-{n}")

    def _shot_leaving(self, next_name: str) -> None:
        """Before ``next_name`` draws: keep the previous scene's frame if it has no shot."""
        last = self._last_shot_scene
        if last is not None and last != next_name and 0 < self._shot_frames.get(last, 0) < 10:
            self._save_shot(last)

    # loop ----------------------------------------------------------------------
    def poll(self) -> None:
        """Read every pending SDL event now, stamped with one ``perf_counter`` read.

        Keys the X11 capture process stamped (as the X server delivered them) go
        first. Should that process end for good, SDL's key events take over.
        """
        listener = self.key_listener
        if listener is not None and self.top is not None:
            for key in listener.drain():
                if key.pressed:
                    self.top.on_key_capture(key.name, key.t_capture)
            if listener.pid is None:  # ended, and no new window to follow
                listener.close()
                self.key_listener = None
        events = pygame.event.get()
        if not events:
            return
        t = time.perf_counter()
        for ev in events:
            if ev.type == pygame.QUIT:
                self.running = False
            elif ev.type in (pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED):
                if not self.fullscreen:
                    self._windowed_size = self.screen.get_size()
                for s in self.scenes:
                    s.resize(self.screen.get_size())
            elif self.top is not None:
                self.top.on_event(ev, t)

    def run(self, first: Scene | None = None) -> None:
        """Run until the last scene closes, the window closes, or SIGTERM."""
        if first is not None:
            self.push(first)
        old = None
        try:
            old = signal.signal(signal.SIGTERM, lambda *_: self.quit())
        except ValueError:
            old = None
        next_frame = time.perf_counter()
        last_poll = next_frame
        try:
            while self.running and self.top is not None:
                while True:
                    self.poll()
                    now = time.perf_counter()
                    if self.collect_stats:
                        self.poll_intervals_s.append(now - last_poll)
                    last_poll = now
                    if now >= next_frame or not self.running:
                        break
                    if next_frame - now > 2 * POLL_SLEEP_S:
                        time.sleep(POLL_SLEEP_S)
                top = self.top
                if top is None or not self.running:
                    break
                t0 = time.perf_counter()
                top.update(t0)
                if self.top is top:
                    if self.screenshots_dir is not None:
                        self._shot_leaving(top.name)
                    top.draw(self.screen)
                    t1 = time.perf_counter()
                    self.poll()  # inputs that came in while drawing
                    pygame.display.flip()
                    t2 = time.perf_counter()
                    if self.collect_stats:
                        self.frame_times_s.append(t2 - t0)
                        self.draw_times_s.append(t1 - t0)
                        self.flip_times_s.append(t2 - t1)
                    self.frames += 1
                    if self.screenshots_dir is not None:
                        self._screenshot(top.name)
                    if self.frames == 1:
                        self._startup_probe()
                    state_log = self.context.hooks.state_log
                    if state_log is not None and top is not self._state_scene:
                        self._log_state(top, state_log)
                if self.on_frame is not None:
                    self.on_frame(self)
                next_frame += self.frame_dt_s
                now = time.perf_counter()
                if next_frame < now:
                    next_frame = now + self.frame_dt_s
        finally:
            while self.scenes:
                self.scenes.pop().close()
            if self.key_listener is not None:
                self.key_listener.close()
            if old is not None:
                signal.signal(signal.SIGTERM, old)
