"""Start the game: settings, score history, audio, the window and the title screen.

Nothing a person's files contain can stop the game from starting: a damaged
settings file or score database is reported (on stderr, and the store moves
it aside) and defaults are used; no audio device means a silent game with a
one-line notice on the title screen. Notices are shown on screen, so they
are made in the player's language: :func:`build_services` chooses it (``--lang``,
else the settings' choice, else the system's) right after reading the settings;
what goes to stderr stays in English.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from game.app.app import App
from game.app.outputs import PlayOutputs
from game.app.sources import SourceSpec
from game.engine.chart import Chart
from game.engine.session import PlayerSetup
from game.engine.windows import windows_named
from game.input.keyboard import KeyMap
from game.ui.i18n import AUTO, choose_language, set_language, tr


def _warn(message: str) -> None:
    print(f"drum-diplomacy: {message}", file=sys.stderr)


def _load_settings(path: Path | None) -> tuple[Any, Path | None, list[str]]:
    """(settings, the path they are saved to, notices); defaults on any failure."""
    try:
        from game.store.paths import settings_path
        from game.store.settings import Settings, load_settings
    except ImportError as exc:
        return None, path, [tr("settings are not saved in this version: {error}").format(
            error=exc)]
    try:
        target = path if path is not None else settings_path()
    except Exception as exc:  # no data folder: settings live in memory only
        _warn(f"settings folder unavailable: {exc}")
        return Settings(), None, [tr("settings will not be saved: {error}").format(error=exc)]
    settings, warnings = load_settings(target)
    for w in warnings:
        _warn(w)
    notes = [tr("some settings were reset (details on the console)")] if warnings else []
    return settings, target, notes


def _open_scores(settings_file: Path | None) -> tuple[Any, list[str]]:
    """The score store next to the settings file (or in the data folder), or None."""
    try:
        from game.store.scores import ScoreStore

        path = settings_file.with_name("scores.sqlite3") if settings_file is not None else None
        store = ScoreStore(path)
    except Exception as exc:  # play on without a history
        _warn(f"score history unavailable: {exc}")
        return None, [tr("scores will not be saved: {error}").format(error=exc)]
    for w in store.warnings:
        _warn(w)
    return store, [tr("the score history was damaged and a new one was started")] if (
        store.warnings) else []


def _open_audio(settings: Any) -> tuple[Any, list[str]]:
    """An open AudioPlayer with the settings' volumes, or None (and why)."""
    try:
        from game.audio.player import AudioPlayer

        buffer = getattr(getattr(settings, "audio", None), "buffer_samples", 256)
        audio = AudioPlayer(buffer_samples=buffer)
        if not audio.open():
            reason = audio.unavailable_reason or tr("no audio device")
            return None, [tr("Sound is off: {reason}").format(reason=reason)]
        a = getattr(settings, "audio", None)
        if a is not None:
            audio.set_volumes(a.master_volume, a.music_volume, a.hit_volume)
        return audio, []
    except Exception as exc:  # silent game rather than no game
        return None, [tr("Sound is off: {reason}").format(reason=exc)]


def build_services(settings_path: str | os.PathLike[str] | None = None, *,
                   lang: str | None = None) -> dict[str, Any]:
    """Everything the scenes share: settings, their path, scores, audio and notices.

    Also sets the language of the screens: ``lang`` (``--lang``) if given, else
    the one chosen in the settings, else the system's (:func:`choose_language`).
    """
    path = Path(settings_path) if settings_path is not None else None
    settings, path, notices = _load_settings(path)
    set_language(choose_language(lang, getattr(getattr(settings, "display", None),
                                                "language", AUTO)))
    store, more = _open_scores(path)
    notices += more
    audio, more = _open_audio(settings)
    notices += more
    return {"settings": settings, "settings_path": path, "scores": store, "audio": audio,
            "notices": notices}


def close_services(services: dict[str, Any]) -> None:
    """Close the score store and the audio player (each only if it was opened)."""
    for key in ("scores", "audio"):
        thing = services.get(key)
        if thing is not None:
            try:
                thing.close()
            except Exception as exc:  # closing must not hide the game's exit code
                _warn(f"closing {key}: {exc}")


def gameplay_scene(app: Any, chart: Chart, setups: tuple[PlayerSetup, PlayerSetup],
                   specs: tuple[SourceSpec, SourceSpec], *, outputs: PlayOutputs | None = None,
                   windows: str | None = None, lead_in_s: float = 3.0,
                   max_seconds: float | None = None, show_results: bool = True,
                   folder: Path | None = None, kitmap: str | None = None,
                   on_finished: Any = None, end_s: float | None = None,
                   countdown_to_s: float = 0.0) -> Any:
    """A GameplayScene set up from the settings (keys, offsets, scroll speed, hit sounds).

    When the song ends, :func:`finish_play` records it and shows the results
    (or, with ``show_results=False``, records it and closes the scene);
    ``on_finished(scene, report)`` replaces that (practice loops).
    """
    from game.app.scenes.gameplay import GameplayScene

    settings = app.services.get("settings")
    prefs = getattr(settings, "players", None)
    offsets = [getattr(prefs[i], "input_offset_ms", 0.0) / 1e3 if prefs else 0.0
               for i in (0, 1)]
    sounds = [bool(getattr(prefs[i], "hit_sounds", True)) if prefs else True for i in (0, 1)]
    keys = getattr(settings, "keys", None)
    bindings = KeyMap(tuple(keys.p1), tuple(keys.p2)) if keys is not None else None
    from game.app.kit_player import kit_setups
    from game.app.scenes.menu_scene import report_error

    kits, warnings = kit_setups(specs, settings=settings, kitmap=kitmap)
    for w in warnings:
        report_error(app, w)
    return GameplayScene(
        app, chart, setups, specs,
        windows_named(windows or getattr(settings, "windows", "standard")),
        outputs or _env_outputs(),
        on_finished=on_finished or (lambda scene, report: finish_play(
            app, scene, report, show_results=show_results)),
        end_s=end_s, countdown_to_s=countdown_to_s,
        lead_in_s=lead_in_s, max_seconds=max_seconds, folder=folder,
        bindings=bindings, input_offsets_s=(offsets[0], offsets[1]),
        audio_offset_s=getattr(getattr(settings, "audio", None), "audio_offset_ms", 0.0) / 1e3,
        scroll_speed=getattr(getattr(settings, "display", None), "scroll_speed", 1.0),
        hit_sounds=(sounds[0], sounds[1]), kits=kits)


def _env_outputs() -> PlayOutputs:
    """No files, unless ``$DRUM_DIPLOMACY_INPUT_LOG`` names an input log (for tests/tools)."""
    outputs = PlayOutputs(input_log=os.environ.get("DRUM_DIPLOMACY_INPUT_LOG") or None)
    outputs.open()
    return outputs


def finish_play(app: Any, scene: Any, report: dict[str, Any], *,
                show_results: bool = True) -> None:
    """A song ended: record it in the score store (if a person played) and show the results.

    A failure to save is reported as a notice; it never ends the game.
    """
    from game.app.scenes.menu_scene import report_error

    store = app.services.get("scores")
    if store is not None and any(s.live for s in scene.specs):
        try:
            store.add_play(report)
        except Exception as exc:  # the results still show; the notice says why
            report_error(app, tr("this play's score was not saved: {error}").format(error=exc))
    if not show_results:
        app.pop()
        return
    try:
        from game.app.scenes.results import ResultsScene

        app.replace(ResultsScene(app, report, scene.session))
    except Exception as exc:
        report_error(app, tr("cannot show the results: {error}").format(error=exc))
        if app.top is scene:
            app.pop()


def run_game(*, settings_path: str | os.PathLike[str] | None = None,
             size: tuple[int, int] | None = None, lang: str | None = None) -> int:
    """Open the window on the title screen and run until the players quit.

    Parameters
    ----------
    settings_path : path-like or None
        The settings file (default: ``settings.toml`` in the data folder); the
        score database lives next to it.
    size : (int, int) or None
        Window size; default from the settings (1280x720).
    lang : str or None
        The screens' language for this run (``--lang``); default from the settings.

    Returns
    -------
    int
        The process exit code (0).
    """
    from game.app.scenes.title import TitleScene

    services = build_services(settings_path, lang=lang)
    display = getattr(services["settings"], "display", None)
    if size is None:
        size = (getattr(display, "width", 1280), getattr(display, "height", 720))
    try:
        app = App(size=size, fullscreen=bool(getattr(display, "fullscreen", False)),
                  services=services)
        app.run(TitleScene(app))
    finally:
        close_services(services)
    return 0
