"""Practice loops without a window: scripted players loop a section as fast as the
engine judges (``practice --headless``), and what each loop's players are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from game.engine.chart import Chart
from game.engine.judging import JudgeSettings
from game.engine.practice import LoopResult, PracticePlan, loop_result, practice_chart
from game.engine.session import PlayerSetup, judge_performance
from game.engine.windows import HitWindows
from game.live.sources import SourceSpec, parse_source, scripted_events
from game.ui.i18n import N_
from game.util.errors import GameError

#: Shown wherever practice is: on the setup screen, over the highways, on the command line
#: (marked for translation: screens draw ``tr(NOT_SAVED)``, the command line prints it as is).
NOT_SAVED = N_("Practice plays are not saved as scores")


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
        events = [e for i in (0, 1) for e in scripted_events(
            loop_spec(specs[i], n), player=i, chart=pchart, setup=setups[i])]
        session = judge_performance(pchart, setups, events, JudgeSettings(windows))
        result = loop_result(session, loop=n, speed=plan.speed)
        results.append(result)
        if on_loop is not None:
            on_loop(result)
    return results
