"""What the scenes share, opened at start: settings, score history, audio, notices.

Nothing a person's files contain can stop the game from starting: a damaged
settings file or score database is reported (on stderr, and the store moves
it aside) and defaults are used; no audio device means a silent game with a
one-line notice on the title screen. Notices are shown on screen, so they
are made in the player's language: :func:`build_context` chooses it (``--lang``,
else the settings' choice, else the system's) right after reading the settings;
what goes to stderr stays in English.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from game.app.app import App
from game.app.context import AppContext, TestHooks
from game.audio.player import AudioPlayer
from game.store.paths import settings_path
from game.store.scores import ScoreStore
from game.store.settings import Settings, load_settings
from game.ui.i18n import choose_language, set_language, tr


def _warn(message: str) -> None:
    print(f"drum-diplomacy: {message}", file=sys.stderr)


def _load_settings(path: Path | None) -> tuple[Settings, Path | None, list[str]]:
    """(settings, the path they are saved to, notices); defaults on any failure."""
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


def _open_scores(settings_file: Path | None) -> tuple[ScoreStore | None, list[str]]:
    """The score store next to the settings file (or in the data folder), or None."""
    try:
        path = settings_file.with_name("scores.sqlite3") if settings_file is not None else None
        store = ScoreStore(path)
    except Exception as exc:  # play on without a history
        _warn(f"score history unavailable: {exc}")
        return None, [tr("scores will not be saved: {error}").format(error=exc)]
    for w in store.warnings:
        _warn(w)
    return store, [tr("the score history was damaged and a new one was started")] if (
        store.warnings) else []


def _open_audio(settings: Settings) -> tuple[AudioPlayer | None, list[str]]:
    """An open AudioPlayer with the settings' volumes, or None (and why)."""
    try:
        a = settings.audio
        audio = AudioPlayer(buffer_samples=a.buffer_samples)
        if not audio.open():
            reason = audio.unavailable_reason or tr("no audio device")
            return None, [tr("Sound is off: {reason}").format(reason=reason)]
        audio.set_volumes(a.master_volume, a.music_volume, a.hit_volume)
        return audio, []
    except Exception as exc:  # silent game rather than no game
        return None, [tr("Sound is off: {reason}").format(reason=exc)]


def build_context(settings_path: str | os.PathLike[str] | None = None, *,
                  lang: str | None = None, hooks: TestHooks | None = None) -> AppContext:
    """Everything the scenes share: settings, their path, scores, audio and notices.

    Also sets the language of the screens: ``lang`` (``--lang``) if given, else
    the one chosen in the settings, else the system's (:func:`choose_language`).
    ``hooks`` default to the ones set in the environment
    (:meth:`TestHooks.from_environment`, the one place they are read).
    """
    path = Path(settings_path) if settings_path is not None else None
    settings, path, notices = _load_settings(path)
    set_language(choose_language(lang, settings.display.language))
    store, more = _open_scores(path)
    notices += more
    audio, more = _open_audio(settings)
    notices += more
    return AppContext(settings=settings, settings_path=path, scores=store, audio=audio,
                      notices=notices,
                      hooks=hooks if hooks is not None else TestHooks.from_environment())


def close_context(context: AppContext) -> None:
    """Stop the library scan; close the score store and the audio player (each if open)."""
    scan, context.library_scan = context.library_scan, None
    closers = [("library scan", scan.stop if scan is not None else None),
               ("scores", context.scores.close if context.scores is not None else None),
               ("audio", context.audio.close if context.audio is not None else None)]
    for name, close in closers:
        if close is None:
            continue
        try:
            close()
        except Exception as exc:  # closing must not hide the game's exit code
            _warn(f"closing {name}: {exc}")


@contextmanager
def game_window(settings_path: str | os.PathLike[str] | None = None, *,
                lang: str | None = None, size: tuple[int, int] | None = None,
                collect_stats: bool = False) -> Iterator[App]:
    """The game's window with its context: built (:func:`build_context`), the window
    sized and made full screen as the settings say (``size`` wins), and the context
    closed however the block ends, the window failing to open included."""
    context = build_context(settings_path, lang=lang)
    try:
        display = context.settings.display
        yield App(size=size or (display.width, display.height),
                  fullscreen=display.fullscreen, context=context,
                  collect_stats=collect_stats)
    finally:
        close_context(context)
