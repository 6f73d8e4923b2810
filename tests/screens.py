"""Every screen of the game in a representative state, built headless, for layout checks.

:data:`SCREENS` maps a screen's name to a function that builds it on a
:class:`~screen_support.ScreenContext` (an App with fake services in a
temporary data folder) and returns the scene to draw. :func:`draw_screen`
draws one in a language at a window size under a
:class:`~game.ui.probe.LayoutProbe` and returns the surface and the probe
filled with the last frame's texts and panels.

The fixtures are two players named 김민수 and 山田はなこ, a song of the
player's own with a Japanese title and a Korean artist, a damaged song file,
bots that play the built-in song First Contact, and a virtual MIDI kit. They,
the surface the screens are drawn on and how the probe sees a screen are in
``tests/screen_support.py``; :class:`ScreenSurface`, :class:`ScreenContext`,
:func:`fixture_latin` and :func:`rendered_strings` are importable from here too.

Used by ``tests/test_layout_languages.py`` and ``tools/screens.py``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import pygame
from screen_support import (
    GAME_SONG,
    KIT_PORT,
    SETUP_KIT,
    USER_TITLE,
    S,
    ScreenContext,
    ScreenSurface,
    bot_sources,
    clear_text_caches,
    data_folder,
    fixture_home,
    fixture_latin,
    fixture_settings,
    make_context,
    played,
    player_setups,
    press_key,
    rendered_strings,
)
from screens_song_select import (
    song_select,
    song_select_no_match,
    song_select_scanning,
    song_select_search,
    song_select_sorted,
)

from game.app.scene import Scene
from game.ui.i18n import current_language, set_language
from game.ui.probe import LayoutProbe

if TYPE_CHECKING:
    from game.app.scenes.calibration import CalibrationScene
    from game.app.scenes.gameplay import GameplayScene
    from game.app.scenes.midi_learn import MidiLearnScene
    from game.app.scenes.player_setup import PlayerSetupScene
    from game.app.scenes.practice import PracticeScene
    from game.app.scenes.practice_setup import PracticeSetupScene

__all__ = ["FRAMES", "SCREENS", "ScreenContext", "ScreenSurface", "draw_screen", "fixture_latin",
           "rendered_strings"]

#: Frames drawn per screen (the probe keeps the last).
FRAMES = 3
#: Song time the gameplay screens are frozen at (mid-song, notes being judged).
MID_SONG_S = 20.0


# the screens ------------------------------------------------------------------------------
def title(ctx: ScreenContext) -> Scene:
    """The title screen with the notice of a damaged settings file."""
    from game.app.scenes.title import TitleScene

    return ctx.push(TitleScene(ctx.app))


def player_setup(ctx: ScreenContext) -> PlayerSetupScene:
    """Player setup for the player's own song, P2's input focused."""
    from game.app.scenes.player_setup import PlayerSetupScene

    scene = ctx.push(PlayerSetupScene(ctx.app, ctx.entry(USER_TITLE)))
    scene.col, scene.row = 1, 2
    return scene


def player_setup_editing(ctx: ScreenContext) -> Scene:
    """Player setup while P2 types a name."""
    scene = player_setup(ctx)
    scene.row = 0
    scene.activate()
    press_key(scene, pygame.K_BACKSPACE)
    scene.on_event(pygame.event.Event(pygame.TEXTINPUT, text="花子"), time.perf_counter())
    return scene


def player_setup_kit(ctx: ScreenContext) -> Scene:
    """Player setup with a MIDI kit as P2's input (its M / L keys shown)."""
    ctx.app.context.settings = fixture_settings(p2_input=SETUP_KIT)
    return player_setup(ctx)


def rollover(ctx: ScreenContext) -> Scene:
    """Rollover test: keys held, a pair pressed but never seen together."""
    from game.app.scenes.rollover import RolloverScene

    scene = ctx.push(RolloverScene(ctx.app))
    p1, p2 = scene.keys[:5], scene.keys[5:]
    for _, _, k in (p1[0], p1[1], p2[0], p1[4]):
        press_key(scene, k)
    press_key(scene, p1[1][2], pygame.KEYUP)
    press_key(scene, p2[1][2])
    return scene


def settings(ctx: ScreenContext) -> Scene:
    """Settings, a row of the right panel focused."""
    from game.app.scenes.settings_scene import SettingsScene

    scene = ctx.push(SettingsScene(ctx.app))
    scene.panel_i, scene.orow = 1, 3
    return scene


def settings_rebinding(ctx: ScreenContext) -> Scene:
    """Settings waiting for a new key for P1's snare."""
    from game.app.scenes.settings_scene import SettingsScene

    scene = ctx.push(SettingsScene(ctx.app))
    scene.krow = 1
    press_key(scene, pygame.K_RETURN)
    return scene


def calibration(ctx: ScreenContext) -> CalibrationScene:
    """The calibration menu."""
    from game.app.scenes.calibration import CalibrationScene

    return ctx.push(CalibrationScene(ctx.app))


def calibration_audio(ctx: ScreenContext) -> Scene:
    """The audio-offset test after ten taps, 20 ms late."""
    scene = calibration(ctx)
    scene.start_test("audio")
    for k in range(10):
        scene.tap(scene.click_perf_s(k) + 0.02)
    return scene


def calibration_input(ctx: ScreenContext) -> Scene:
    """The input-offset test: P1 done, P2 tapping."""
    from game.app.scenes.calibration import TARGET_TAPS

    scene = calibration(ctx)
    scene.start_test("input")
    for k in range(TARGET_TAPS):
        scene.tap(scene.click_perf_s(k) + 0.015)
    for k in range(9):
        scene.tap(scene.click_perf_s(k) - 0.01)
    return scene


def gameplay(ctx: ScreenContext) -> GameplayScene:
    """Mid-song: two bots playing First Contact, judgements popping, the sync meter live."""
    from game.app.gameplay_flow import gameplay_scene
    from game.formats.library import load_song, resolve_beatmap

    scene: GameplayScene = gameplay_scene(ctx.app, load_song(GAME_SONG), player_setups(),
                                          bot_sources(), folder=resolve_beatmap(GAME_SONG).parent)
    ctx.push(scene)
    scene.clock.start(MID_SONG_S)
    return scene


def gameplay_countdown(ctx: ScreenContext) -> Scene:
    """The count-in before bar 1 ("2", GET READY)."""
    scene = gameplay(ctx)
    scene.clock.start(-1.6)
    return scene


def pause(ctx: ScreenContext) -> Scene:
    """The pause menu over the song."""
    scene = gameplay(ctx)
    scene.update(time.perf_counter())
    scene.pause()
    return ctx.app.scenes[-1]


def results(ctx: ScreenContext) -> Scene:
    """Results after the bots' play.

    Drawn with ``render`` (what ``draw`` caches in a surface of its own, then
    blits whole), so the probe sees each string.
    """
    from game.app.scenes.results import ResultsScene

    class ResultsOnScreen(ResultsScene):
        def draw(self, surface: pygame.Surface) -> None:
            self.render(surface)

    report, session = played()
    return ctx.push(ResultsOnScreen(ctx.app, report, session))


def practice_setup(ctx: ScreenContext) -> PracticeSetupScene:
    """Practice setup: Groove to Trade at 60 %, the speed row focused."""
    from game.app.scenes.practice_setup import PracticeSetupScene
    from game.formats.library import load_song, resolve_beatmap
    from game.live.sources import parse_source

    scene = ctx.push(PracticeSetupScene(
        ctx.app, load_song(GAME_SONG), player_setups(), (parse_source("auto"), bot_sources()[1]),
        folder=resolve_beatmap(GAME_SONG).parent, cache_dir=ctx.home / "cache"))
    scene.first, scene.last, scene.speed, scene.row = 1, 2, 0.6, 2
    return scene


def practice(ctx: ScreenContext) -> PracticeScene:
    """Practice after three loops (their accuracy listed), mid-way through the fourth."""
    setup = practice_setup(ctx)
    setup.start()
    scene = cast("PracticeScene", ctx.app.scenes[-1])
    scene.update(time.perf_counter())
    for _ in range(3):
        scene.gameplay.clock.start(scene.plan.loop_s + 0.01)
        scene.update(time.perf_counter())
    scene.gameplay.clock.start(scene.plan.lead_s + 3.0)
    return scene


def practice_pause(ctx: ScreenContext) -> Scene:
    """The practice pause menu."""
    scene = practice(ctx)
    press_key(scene, pygame.K_ESCAPE)
    return ctx.app.scenes[-1]


def practice_preparing(ctx: ScreenContext) -> Scene:
    """Practice while the slowed audio is being prepared (a stand-in task at 40 %)."""
    from game.app.scenes.practice import PracticeScene
    from game.engine.practice import plan_practice

    class Preparing:
        done = cancelled = False
        progress, stage, error, result = 0.4, "stretching", None, None

        def cancel(self) -> None:
            """Nothing runs."""

    setup = practice_setup(ctx)
    plan = plan_practice(setup.chart, 1, 2, speed=0.6)
    scene = ctx.push(PracticeScene(ctx.app, setup.chart, plan, setup.setups, setup.specs,
                                   folder=setup.folder, cache_dir=setup.cache_dir))
    scene._ready.clear()
    scene._tasks[plan.speed] = Preparing()  # type: ignore[assignment]
    return scene


#: How long a kit reader's thread may take to connect on a busy machine.
KIT_DEADLINE_S = 30.0


def _kit(ctx: ScreenContext, scene: S) -> S:
    """Wait for ``scene``'s reader to connect to the virtual kit."""
    ctx.push(scene)
    reader = scene.reader  # type: ignore[attr-defined]
    deadline = time.monotonic() + KIT_DEADLINE_S
    while reader.status != "connected":
        if time.monotonic() > deadline:
            raise RuntimeError(f"the virtual kit never connected: {reader.why}")
        time.sleep(0.002)
    return scene


def midi_monitor(ctx: ScreenContext) -> Scene:
    """The MIDI monitor after hits, a pedal, an unmapped note, clock ticks and a double hit."""
    import mido

    from game.app.scenes.midi_monitor import MidiMonitorScene
    from game.input.virtual_kit import VirtualCable

    cable = VirtualCable(KIT_PORT)
    scene = _kit(ctx, MidiMonitorScene(ctx.app, KIT_PORT, opener=cable.opener))
    script = [mido.Message("control_change", channel=9, control=4, value=70)]
    script += [mido.Message("note_on", channel=9, note=n, velocity=v) for n, v in (
        (36, 104), (42, 70), (38, 96), (38, 21), (60, 88), (23, 80), (48, 90), (49, 118))]
    script += [mido.Message("clock")] * 2
    for msg in script:
        if not cable.send(msg):
            raise RuntimeError("the virtual kit took no message")
    deadline = time.monotonic() + KIT_DEADLINE_S
    while scene.received < len(script):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the monitor got {scene.received} of {len(script)} messages")
        time.sleep(0.002)
    return scene


def _learn(ctx: ScreenContext) -> MidiLearnScene:
    from game.app.scenes.midi_learn import MidiLearnScene
    from game.input.virtual_kit import VirtualCable

    return _kit(ctx, MidiLearnScene(ctx.app, KIT_PORT, opener=VirtualCable(KIT_PORT).opener,
                                    base_kitmap="alesis"))


def midi_learn(ctx: ScreenContext) -> Scene:
    """MIDI learn: a pad just given to the snare, the rimshot waiting for its pad."""
    scene = _learn(ctx)
    now = time.perf_counter()
    scene.index = 1
    scene.learn(60, now)
    scene.last_pad = (60, 92, now)
    return scene


def midi_curve(ctx: ScreenContext) -> Scene:
    """MIDI learn calibrating the velocity curve: soft strokes done, two hard ones."""
    scene = _learn(ctx)
    scene.calibration.start()
    t = time.perf_counter()
    for k, v in enumerate((30, 27, 33, 29, 31, 108, 112)):
        scene.stroke(v, t + 0.1 * k)
    return scene


#: Every screen, by name: a function building it on a context, returning the scene to draw.
SCREENS: dict[str, Callable[[ScreenContext], Scene]] = {
    f.__name__: f for f in (
        title, song_select, song_select_scanning, song_select_search, song_select_no_match,
        song_select_sorted, player_setup, player_setup_editing, player_setup_kit, rollover,
        settings, settings_rebinding, calibration, calibration_audio, calibration_input,
        gameplay, gameplay_countdown, pause, results, practice_setup, practice, practice_pause,
        practice_preparing, midi_monitor, midi_learn, midi_curve)}


# drawing ----------------------------------------------------------------------------------
def draw_screen(name: str, language: str = "en", size: tuple[int, int] = (1280, 720)
                ) -> tuple[ScreenSurface, LayoutProbe]:
    """Draw screen ``name`` in ``language`` at ``size``; the surface and the probe.

    The probe holds the last of :data:`FRAMES` frames (``probe.texts`` with
    glyph runs joined, ``probe.frames``); the surface's :meth:`~ScreenSurface.
    layer_texts` gives each text's layer.
    """
    build = SCREENS[name]
    home = fixture_home()
    for var, value in (("SDL_VIDEODRIVER", "dummy"), ("SDL_AUDIODRIVER", "dummy")):
        os.environ.setdefault(var, value)
    before = current_language()
    with data_folder(home):
        set_language(language)
        clear_text_caches()
        try:
            with LayoutProbe() as probe:
                ctx, surface = make_context(home, size, probe)
                try:
                    scene = build(ctx)
                    for k in range(FRAMES):
                        if k == FRAMES - 1:
                            probe.reset()
                            surface.reset()
                        scene.update(time.perf_counter())
                        scene.draw(surface)
                finally:
                    ctx.close()
        finally:
            set_language(before)
            clear_text_caches()
    return surface, probe
