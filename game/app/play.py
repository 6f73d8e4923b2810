"""Playing a song: headless (bots and replays, faster than real time) or in the window."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from game.app.player_names import player_names
from game.engine.chart import Chart
from game.engine.judging import JudgeSettings
from game.engine.session import PlayerSetup, Session, player_setups
from game.engine.windows import windows_named
from game.live.outputs import PlayOutputs
from game.live.sources import SourceSpec, parse_source, scripted_events
from game.live.stop import StopFlag
from game.store.song_library import open_song
from game.util.errors import GameError


@dataclass(frozen=True, slots=True)
class PlayConfig:
    """Everything ``drum-diplomacy play`` was asked."""

    song: str
    p1: str = "keyboard"
    p2: str = "keyboard"
    difficulty: str | None = None
    p1_difficulty: str | None = None
    p2_difficulty: str | None = None
    windows: str = "standard"
    headless: bool = False
    results_json: str | None = None
    record: str | None = None
    stats_json: str | None = None
    input_log: str | None = None
    lead_in_s: float = 3.0
    max_seconds: float | None = None
    show_results: bool = True
    kitmap: str | None = None
    #: ``--p1-name`` / ``--p2-name`` (None: the saved names).
    p1_name: str | None = None
    p2_name: str | None = None
    #: ``--lang`` (None: the settings' language, else the system's).
    lang: str | None = None


def setups_for(chart: Chart, cfg: PlayConfig) -> tuple[PlayerSetup, PlayerSetup]:
    """Each player's part and difficulty, in the keyboard5 layout the game shows."""
    return player_setups(chart, (cfg.p1_difficulty or cfg.difficulty,
                                 cfg.p2_difficulty or cfg.difficulty),
                         names=player_names(cfg.p1_name, cfg.p2_name))


def run_play(cfg: PlayConfig) -> dict[str, Any]:
    """Play one song as configured; returns the results report."""
    chart, where = open_song(cfg.song)
    setups = setups_for(chart, cfg)
    specs = (parse_source(cfg.p1), parse_source(cfg.p2))
    try:
        windows = windows_named(cfg.windows)
    except ValueError as exc:
        raise GameError(str(exc)) from None
    outputs = PlayOutputs(cfg.results_json, cfg.record, cfg.stats_json, cfg.input_log)
    if cfg.headless and any(s.kind == "keyboard" for s in specs):
        raise GameError("--headless plays without a window: keyboard input needs one; "
                        "use midi:PORT, auto, bot:... or replay:FILE")
    if cfg.headless and any(s.kind == "midi" for s in specs):
        from game.live.headless import play_live_headless

        return play_live_headless(chart, setups, specs, windows, outputs, cfg)
    if cfg.headless:
        return _play_headless(chart, setups, specs, windows, outputs)
    return _play_in_window(chart, setups, specs, windows, outputs, cfg, where.parent)


def _play_in_window(chart: Chart, setups: tuple[PlayerSetup, PlayerSetup],
                    specs: tuple[SourceSpec, SourceSpec], windows: Any,
                    outputs: PlayOutputs, cfg: PlayConfig, folder: Path) -> dict[str, Any]:
    """The real window: settings (keys, offsets) apply and a played song is saved.
    ``folder`` is the song's folder (its audio is relative to it)."""
    from game.app.gameplay_flow import gameplay_scene
    from game.app.services import game_window

    with game_window(lang=cfg.lang, collect_stats=bool(cfg.stats_json)) as app:
        outputs.open()
        scene = gameplay_scene(app, chart, setups, specs, outputs=outputs,
                               windows=cfg.windows, lead_in_s=cfg.lead_in_s,
                               max_seconds=cfg.max_seconds, show_results=cfg.show_results,
                               folder=folder, kitmap=cfg.kitmap)
        try:
            app.run(scene)
        finally:
            if cfg.stats_json:
                outputs.frames = app.frames
                outputs.frame_times_s = app.frame_times_s
                outputs.draw_times_s = app.draw_times_s
                outputs.flip_times_s = app.flip_times_s
                outputs.poll_intervals_s = app.poll_intervals_s
                outputs.write_stats()
    return outputs.last_report


def _play_headless(chart: Chart, setups: tuple[PlayerSetup, PlayerSetup],
                   specs: tuple[SourceSpec, SourceSpec], windows: Any,
                   outputs: PlayOutputs) -> dict[str, Any]:
    live = [s.kind for s in specs if s.live]
    if live:
        raise GameError(f"--headless plays without a window: {live[0]} input needs one; "
                        "use midi:PORT, auto, bot:... or replay:FILE")
    session = Session(chart, setups, JudgeSettings(windows))
    outputs.open()
    stop = StopFlag()
    events = [e for i in (0, 1)
              for e in scripted_events(specs[i], player=i, chart=chart, setup=setups[i])]
    with stop:
        # No live input: judge as fast as the engine goes, in song-time order (as
        # judge_performance does, one stroke at a time so SIGTERM can stop it)
        for e in sorted(events, key=lambda e: e.time_s):
            if stop.requested:
                break
            outputs.fed(e, session.now_s)
            session.feed(e)
        if not stop.requested:
            session.finish()
    report = outputs.close(session)
    outputs.write_stats()  # no window: no frames, no polling
    return report
