"""The gameplay flow: a song set up from the settings, played, recorded, then the results.

Used by every way into a song (song select's player setup, practice loops,
``play`` with a window): :func:`gameplay_scene` builds the scene, and when the
song ends :func:`finish_play` records the play in the score history (if a
person played) and shows the results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from game.app.app import App
from game.app.scenes.gameplay import GameplayScene
from game.app.scenes.menu_scene import report_error
from game.app.scenes.results import ResultsScene
from game.engine.chart import Chart
from game.engine.session import PlayerSetup
from game.engine.windows import windows_named
from game.input.keyboard import KeyMap
from game.live.kit_player import kit_setups
from game.live.outputs import PlayOutputs
from game.live.sources import SourceSpec
from game.ui.i18n import tr


def gameplay_scene(app: App, chart: Chart, setups: tuple[PlayerSetup, PlayerSetup],
                   specs: tuple[SourceSpec, SourceSpec], *, outputs: PlayOutputs | None = None,
                   windows: str | None = None, lead_in_s: float = 3.0,
                   max_seconds: float | None = None, show_results: bool = True,
                   folder: Path | None = None, kitmap: str | None = None,
                   on_finished: Any = None, end_s: float | None = None,
                   countdown_to_s: float = 0.0) -> GameplayScene:
    """A GameplayScene set up from the settings (keys, offsets, scroll speed, hit sounds).

    When the song ends, :func:`finish_play` records it and shows the results
    (or, with ``show_results=False``, records it and closes the scene);
    ``on_finished(scene, report)`` replaces that (practice loops).
    """
    settings = app.context.settings
    prefs = settings.players
    kits, warnings = kit_setups(specs, settings=settings, kitmap=kitmap)
    for w in warnings:
        report_error(app, w)
    return GameplayScene(
        app, chart, setups, specs, windows_named(windows or "standard"),
        outputs or _hooked_outputs(app),
        on_finished=on_finished or (lambda scene, report: finish_play(
            app, scene, report, show_results=show_results)),
        end_s=end_s, countdown_to_s=countdown_to_s,
        lead_in_s=lead_in_s, max_seconds=max_seconds, folder=folder,
        bindings=KeyMap(tuple(settings.keys.p1), tuple(settings.keys.p2)),
        input_offsets_s=(prefs[0].input_offset_ms / 1e3, prefs[1].input_offset_ms / 1e3),
        audio_offset_s=settings.audio.audio_offset_ms / 1e3,
        scroll_speed=settings.display.scroll_speed,
        hit_sounds=(prefs[0].hit_sounds, prefs[1].hit_sounds), kits=kits)


def _hooked_outputs(app: App) -> PlayOutputs:
    """No files, unless the input-log test hook names one."""
    log = app.context.hooks.input_log
    outputs = PlayOutputs(input_log=None if log is None else str(log))
    outputs.open()
    return outputs


def finish_play(app: App, scene: GameplayScene, report: dict[str, Any], *,
                show_results: bool = True) -> None:
    """A song ended: record it in the score store (if a person played) and show the results.

    A failure to save is reported as a notice; it never ends the game.
    """

    store = app.context.scores
    if store is not None and any(s.live for s in scene.specs):
        try:
            store.add_play(report)
        except Exception as exc:  # the results still show; the notice says why
            report_error(app, tr("this play's score was not saved: {error}").format(error=exc))
    if not show_results:
        app.pop()
        return
    try:
        app.replace(ResultsScene(app, report, scene.session))
    except Exception as exc:
        report_error(app, tr("cannot show the results: {error}").format(error=exc))
        if app.top is scene:
            app.pop()
