"""Practice mode outside the scenes: who may practise, bots per loop, the headless loop.

``drum-diplomacy practice`` runs here: headless (bots and autoplay, judged
faster than real time, one fresh session per loop) or in the window (the
practice setup screen with the practice scene on top). Practice plays are
never saved as scores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from game.app.player_names import player_names
from game.engine.chart import Chart
from game.engine.practice import (
    LoopResult,
    PracticePlan,
    plan_practice,
)
from game.engine.session import PlayerSetup, player_setups
from game.engine.windows import windows_named
from game.live.practice_loops import practice_specs, run_loops
from game.live.sources import SourceSpec
from game.util.errors import GameError


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
    from game.app.scenes.practice import PracticeScene
    from game.app.scenes.practice_setup import PracticeSetupScene
    from game.app.services import game_window

    with game_window(lang=cfg.lang) as app:
        setup = PracticeSetupScene(app, chart, setups, specs, folder=folder, plan=plan,
                                   windows=cfg.windows, kitmap=cfg.kitmap)
        scene = PracticeScene(app, chart, plan, setups, specs, folder=folder,
                              windows=cfg.windows, kitmap=cfg.kitmap, max_loops=cfg.loops,
                              on_loop=on_loop)
        app.push(setup)
        app.run(scene)
    return list(scene.results)
