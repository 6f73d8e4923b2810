"""Song select's states for ``tests/screens.py``: listed, scanning, searching, nothing
found, sorted by recently played (on the fixtures of ``tests/screen_support.py``)."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pygame
from screen_support import USER_TITLE, ScreenContext, played, press_key

from game.app.scene import Scene

if TYPE_CHECKING:
    from game.app.scenes.song_select import SongSelectScene


def song_select(ctx: ScreenContext) -> SongSelectScene:
    """Song select on the player's own song (Japanese title), one damaged song listed."""
    from game.app.scenes.song_select import SongSelectScene

    scene = ctx.push(SongSelectScene(ctx.app))
    assert scene.wait_for_scan(), "the library scan did not finish"
    scene.index = next(i for i, e in enumerate(scene.entries) if e["title"] == USER_TITLE)
    return scene


def song_select_scanning(ctx: ScreenContext) -> Scene:
    """Song select while the background scan reads new songs (37 of 120)."""
    from game.store.scan_job import ScanProgress

    scene = song_select(ctx)
    scene.progress = ScanProgress("reading", found=160, to_read=120, read=37)
    return scene


def song_select_search(ctx: ScreenContext) -> Scene:
    """Song select searching: 夜明 typed, an input method composing け."""
    scene = song_select(ctx)
    press_key(scene, pygame.K_SLASH)
    now = time.perf_counter()
    scene.on_event(pygame.event.Event(pygame.TEXTINPUT, text="/"), now)  # the key's own text
    scene.on_event(pygame.event.Event(pygame.TEXTINPUT, text="夜明"), now)
    scene.on_event(pygame.event.Event(pygame.TEXTEDITING, text="け", start=1, length=0), now)
    return scene


def song_select_no_match(ctx: ScreenContext) -> Scene:
    """Song select: a search no song matches."""
    scene = song_select(ctx)
    scene.open_search()
    scene.on_event(pygame.event.Event(pygame.TEXTINPUT, text="존재하지 않는 노래"),
                   time.perf_counter())
    return scene


def song_select_sorted(ctx: ScreenContext) -> Scene:
    """Song select sorted by recently played (First Contact was played, in a score history
    of its own), on the built-in song Skyline Accord."""
    from game.store.scores import ScoreStore

    folder = Path(tempfile.mkdtemp(prefix="drum-diplomacy-scores-"))
    store = ScoreStore(folder / "scores.sqlite3")
    ctx.on_close(lambda: shutil.rmtree(folder, ignore_errors=True))
    ctx.on_close(store.close)
    store.add_play(played()[0])
    ctx.app.context.scores = store
    scene = song_select(ctx)
    while scene.order != "recent":
        press_key(scene, pygame.K_RIGHT)
    scene.jump_to("s")
    return scene
