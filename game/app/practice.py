"""Practice mode outside the scenes: who may practise, bots per loop, the headless loop.

``drum-diplomacy practice`` runs here: headless (bots and autoplay, judged
faster than real time, one fresh session per loop) or in the window (the
practice setup screen with the practice scene on top). Practice plays are
never saved as scores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from game.app.player_names import player_names
from game.app.sources import SourceSpec, parse_source, scripted_events
from game.engine.chart import Chart
from game.engine.errors import GameError
from game.engine.practice import (
    LoopResult,
    PracticePlan,
    loop_result,
    plan_practice,
    practice_chart,
)
from game.engine.session import PlayerSetup, Session, player_setups
from game.engine.windows import HitWindows, windows_named
from game.ui.i18n import N_

#: Shown wherever practice is: on the setup screen, over the highways, on the command line
#: (marked for translation: screens draw ``tr(NOT_SAVED)``, the command line prints it as is).
NOT_SAVED = N_("Practice plays are not saved as scores")


@dataclass(frozen=True, slots=True)
class PracticeConfig:
    """Everything ``drum-diplomacy practice`` was asked."""

    song: str
    section: str
    to: str | None = None
    speed: float = 1.0
    loops: int | None = None
    headless: bool = False
    p1: str = "keyboard"
    p2: str = "keyboard"
    difficulty: str | None = None
    p1_difficulty: str | None = None
    p2_difficulty: str | None = None
    windows: str = "standard"
    kitmap: str | None = None
    #: ``--p1-name`` / ``--p2-name`` (None: the saved names).
    p1_name: str | None = None
    p2_name: str | None = None
    #: ``--lang`` (None: the settings' language, else the system's).
    lang: str | None = None


def practice_specs(p1: str, p2: str) -> tuple[SourceSpec, SourceSpec]:
    """Parse both inputs; a replay is refused (it is a whole song, not a loop).

    Raises
    ------
    GameError
    """
    specs = (parse_source(p1), parse_source(p2))
    for i, s in enumerate(specs):
        if s.kind == "replay":
            raise GameError(f"--p{i + 1}: a replay plays a whole song and cannot practise a "
                            "section; use keyboard, midi:PORT, auto or bot:...")
    return specs


def loop_spec(spec: SourceSpec, loop: int) -> SourceSpec:
    """A bot with its seed moved on by ``loop - 1`` (each loop is played afresh)."""
    if spec.kind != "bot" or loop <= 1:
        return spec
    items = [i for i in spec.arg[4:].split(",") if i.strip()]
    seed = 0
    kept = []
    for item in items:
        key, _, value = item.partition("=")
        if key.strip() == "seed":
            try:
                seed = int(float(value))
            except ValueError:
                return spec  # the bot parser will say what is wrong
        else:
            kept.append(item)
    return replace(spec, arg="bot:" + ",".join([*kept, f"seed={seed + loop - 1}"]))


def run_loops(chart: Chart, plan: PracticePlan, setups: tuple[PlayerSetup, PlayerSetup],
              specs: tuple[SourceSpec, SourceSpec], *, windows: HitWindows, loops: int,
              on_loop: Callable[[LoopResult], None] | None = None) -> list[LoopResult]:
    """Play ``loops`` loops of ``plan`` with scripted players, as fast as the engine goes.

    Each loop is a fresh session on the practice chart (bots re-seeded per loop).
    """
    if any(s.live for s in specs):
        live = next(s.kind for s in specs if s.live)
        raise GameError(f"--headless practice plays without a window: {live} input needs "
                        "one; use auto or bot:...")
    pchart = practice_chart(chart, plan)
    results = []
    for n in range(1, loops + 1):
        session = Session(pchart, setups, windows=windows)
        events = sorted((e for i in (0, 1) for e in scripted_events(
            loop_spec(specs[i], n), player=i, chart=pchart, setup=setups[i])),
            key=lambda e: e.time_s)
        for e in events:
            session.feed(e)
            session.advance(e.time_s)
        session.finish()
        result = loop_result(session, loop=n, speed=plan.speed)
        results.append(result)
        if on_loop is not None:
            on_loop(result)
    return results


def run_practice(cfg: PracticeConfig, *,
                 on_loop: Callable[[LoopResult], None] | None = None) -> list[LoopResult]:
    """Practise as configured; returns each loop's result (none are saved as scores)."""
    from game.store.song_library import open_song

    chart, where = open_song(cfg.song)
    plan = plan_practice(chart, cfg.section, cfg.to, speed=cfg.speed)
    setups = player_setups(chart, (cfg.p1_difficulty or cfg.difficulty,
                                   cfg.p2_difficulty or cfg.difficulty),
                           names=player_names(cfg.p1_name, cfg.p2_name))
    specs = practice_specs(cfg.p1, cfg.p2)
    try:
        windows = windows_named(cfg.windows)
    except ValueError as exc:
        raise GameError(str(exc)) from None
    if cfg.loops is not None and cfg.loops < 1:
        raise GameError(f"--loops must be at least 1, got {cfg.loops}")
    if cfg.headless:
        return run_loops(chart, plan, setups, specs, windows=windows, loops=cfg.loops or 3,
                         on_loop=on_loop)
    return _practice_in_window(chart, plan, setups, specs, cfg, where.parent,
                               on_loop)


def _practice_in_window(chart: Chart, plan: PracticePlan,
                        setups: tuple[PlayerSetup, PlayerSetup],
                        specs: tuple[SourceSpec, SourceSpec], cfg: PracticeConfig,
                        folder: Any, on_loop: Callable[[LoopResult], None] | None
                        ) -> list[LoopResult]:
    from game.app.app import App
    from game.app.launch import build_services, close_services
    from game.app.scenes.practice import PracticeScene
    from game.app.scenes.practice_setup import PracticeSetupScene

    services = build_services(lang=cfg.lang)
    display = services["settings"].display
    app = App(size=(display.width, display.height), fullscreen=display.fullscreen,
              services=services)
    setup = PracticeSetupScene(app, chart, setups, specs, folder=folder, plan=plan,
                               windows=cfg.windows, kitmap=cfg.kitmap)
    scene = PracticeScene(app, chart, plan, setups, specs, folder=folder, windows=cfg.windows,
                          kitmap=cfg.kitmap, max_loops=cfg.loops, on_loop=on_loop)
    try:
        app.push(setup)
        app.run(scene)
    finally:
        close_services(services)
    return list(scene.results)
