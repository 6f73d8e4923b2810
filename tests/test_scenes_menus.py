"""Menu scenes: title, song select, player setup, rollover test, settings, and launching.

Events are fed straight to ``scene.on_event`` (no main loop); every scene is
drawn at 720p and 4K, and a screenshot of each goes to /tmp/scene_shots.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pygame
import pytest

from game.app.app import App
from game.app.context import AppContext
from game.app.scenes.player_setup import PlayerSetupScene
from game.app.scenes.player_setup_midi import midi_line
from game.app.scenes.rollover import RolloverScene
from game.app.scenes.settings_scene import ROWS, SettingsScene
from game.app.scenes.song_select import SongSelectScene, fmt_bpm, fmt_length
from game.app.scenes.title import TitleScene
from game.input.midi_ports import midi_status
from game.store.scores import ScoreStore
from game.store.settings import Settings, load_settings

SHOTS = Path("/tmp/scene_shots")


class FakeAudio:
    """Records what the scenes ask of the audio player."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> float:
            self.calls.append((name, args))
            return time.perf_counter()
        return record


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path))
    store = ScoreStore(tmp_path / "scores.sqlite3")
    context = AppContext(settings=Settings(), settings_path=tmp_path / "settings.toml",
                         scores=store, audio=None, notices=[])
    a = App(size=(1280, 720), context=context)
    a.push(TitleScene(a))
    yield a
    while a.scenes:
        a.scenes.pop().close()
    store.close()


def press(app: Any, key: int, *, unicode: str = "", mod: int = 0) -> None:
    ev = pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode=unicode, scancode=0)
    app.top.on_event(ev, time.perf_counter())


def release(app: Any, key: int) -> None:
    ev = pygame.event.Event(pygame.KEYUP, key=key, mod=0, unicode="", scancode=0)
    app.top.on_event(ev, time.perf_counter())


def type_text(app: Any, text: str) -> None:
    app.top.on_event(pygame.event.Event(pygame.TEXTINPUT, text=text), time.perf_counter())


def frame(app: Any, *, later_s: float = 0.0) -> None:
    app.top.update(time.perf_counter() + later_s)
    app.top.draw(app.screen)


def shot(app: Any, name: str) -> None:
    frame(app)
    SHOTS.mkdir(parents=True, exist_ok=True)
    pygame.image.save(app.screen, str(SHOTS / f"{name}.png"))


def to_setup(app: Any) -> PlayerSetupScene:
    press(app, pygame.K_RETURN)  # Play
    assert app.top.name == "song_select"
    press(app, pygame.K_RETURN)
    assert app.top.name == "player_setup"
    return app.top


def test_formatting() -> None:
    assert fmt_length(34.286) == "0:34"
    assert fmt_length(125) == "2:05"
    assert fmt_bpm(112.0) == "112"
    assert fmt_bpm([90.0, 140.0]) == "90-140"


def test_title_to_gameplay(app: Any) -> None:
    shot(app, "title")
    press(app, pygame.K_RETURN)
    select = app.top
    assert select.name == "song_select"
    assert "first-contact" in [e["id"] for e in select.entries]
    shot(app, "song_select")
    press(app, pygame.K_RETURN)
    setup = app.top
    assert setup.name == "player_setup"
    before = setup.difficulty(0)
    press(app, pygame.K_DOWN)
    press(app, pygame.K_RIGHT)
    assert setup.difficulty(0) != before
    press(app, pygame.K_DOWN)
    press(app, pygame.K_RIGHT)
    assert setup.input_kind(0) == "bot"
    assert setup.spec(0).kind == "bot" and setup.spec(0).arg.startswith("bot:sd=18,seed=")
    press(app, pygame.K_LEFT)
    assert setup.input_kind(0) == "keyboard"
    press(app, pygame.K_TAB)
    press(app, pygame.K_UP)
    press(app, pygame.K_UP)
    press(app, pygame.K_RETURN)  # edit P2's name
    assert setup.editing == 1
    for _ in range(5):
        press(app, pygame.K_BACKSPACE)
    type_text(app, "Ben")
    type_text(app, "x")
    press(app, pygame.K_BACKSPACE)
    shot(app, "player_setup_editing")
    press(app, pygame.K_RETURN)
    assert setup.editing is None and setup.names[1] == "Ben"
    press(app, pygame.K_RIGHT)  # on P2's name row: stays right
    press(app, pygame.K_DOWN)
    press(app, pygame.K_DOWN)
    press(app, pygame.K_RIGHT)
    press(app, pygame.K_RIGHT)
    assert setup.input_kind(1) == "auto"
    shot(app, "player_setup")
    press(app, pygame.K_DOWN)
    assert setup.row == 3 and setup.button == 2
    press(app, pygame.K_RETURN)  # Start!
    assert app.top.name == "gameplay", setup.message
    play = app.top
    assert play.setups[1].name == "Auto" and play.setups[0].name == "P1"
    assert [s.kind for s in play.specs] == ["keyboard", "auto"]
    frame(app)
    saved, warnings = load_settings(app.context.settings_path)
    assert not warnings
    assert saved.players[1].name == "Ben"
    assert saved.players[0].difficulty == setup.difficulty(0)


def test_finished_song_is_saved_and_shows_results(app: Any) -> None:
    setup = to_setup(app)
    setup.row = 3
    press(app, pygame.K_RETURN)
    play = app.top
    assert play.name == "gameplay"
    play.session.finish()
    play._finish(complete=True)
    assert app.top.name == "results"
    assert app.context.scores.count() == 1
    press(app, pygame.K_ESCAPE)
    assert app.top is setup
    press(app, pygame.K_ESCAPE)
    select = app.top
    assert select.name == "song_select"
    assert select.best(select.current) is not None


def test_escape_goes_back_from_every_scene(app: Any) -> None:
    title = app.top
    for make in (SongSelectScene, SettingsScene, RolloverScene):
        app.push(make(app))
        frame(app)
        press(app, pygame.K_ESCAPE)
        assert app.top is title
    to_setup(app)
    press(app, pygame.K_ESCAPE)
    press(app, pygame.K_ESCAPE)
    assert app.top is title
    press(app, pygame.K_ESCAPE)
    assert not app.running


def test_setup_buttons_open_rollover_and_calibration(app: Any) -> None:
    setup = to_setup(app)
    setup.row, setup.button = 3, 0
    press(app, pygame.K_RETURN)
    assert app.top.name == "rollover"
    press(app, pygame.K_ESCAPE)
    setup.button = 1
    press(app, pygame.K_RETURN)
    assert app.top.name == "calibration" or setup.message


def test_settings_rebinding(app: Any) -> None:
    app.push(SettingsScene(app))
    scene = app.top
    press(app, pygame.K_RETURN)
    assert scene.waiting == (0, 0)
    press(app, pygame.K_q)
    assert scene.settings.keys.p1[0] == "q" and scene.waiting is None
    press(app, pygame.K_DOWN)
    press(app, pygame.K_RETURN)
    press(app, pygame.K_j)  # P2's hi-hat: refused
    assert scene.waiting == (0, 1) and "already" in scene.message
    assert scene.settings.keys.p1[1] == "f"
    shot(app, "settings_rebinding")
    press(app, pygame.K_ESCAPE)  # cancels the rebinding only
    assert scene.waiting is None and app.top is scene
    press(app, pygame.K_TAB)
    press(app, pygame.K_LEFT)  # master volume -10 %
    assert scene.settings.audio.master_volume == pytest.approx(0.9)
    for _ in range(3):
        press(app, pygame.K_DOWN)
    press(app, pygame.K_RIGHT, mod=pygame.KMOD_SHIFT)  # audio offset +10 ms
    assert scene.settings.audio.audio_offset_ms == 10
    for _ in range(3):
        press(app, pygame.K_DOWN)
    press(app, pygame.K_RIGHT)
    assert scene.settings.display.scroll_speed == pytest.approx(1.1)
    for _ in range(2):
        press(app, pygame.K_DOWN)
    press(app, pygame.K_RETURN)  # P1 hit sounds off
    assert scene.settings.players[0].hit_sounds is False
    shot(app, "settings")
    press(app, pygame.K_ESCAPE)
    saved, _ = load_settings(app.context.settings_path)
    assert saved.keys.p1[0] == "q"
    assert saved.audio.master_volume == pytest.approx(0.9)
    assert app.context.settings == saved


def test_settings_language_applies_at_once_and_is_saved(
        app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from game.ui import i18n

    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    app.push(SettingsScene(app))
    scene = app.top
    try:
        press(app, pygame.K_TAB)
        press(app, pygame.K_UP)  # from the first row up to the last one: Language
        assert ROWS[scene.orow][0] == "language"
        assert scene.value_text("language") == "Auto (system)"
        press(app, pygame.K_RIGHT)  # English
        press(app, pygame.K_RIGHT)  # 한국어
        assert scene.settings.display.language == "ko"
        assert i18n.current_language() == "ko"
        assert scene.value_text("language") == "한국어"  # each language in its own name
        shot(app, "settings_language_ko")
        press(app, pygame.K_LEFT)
        press(app, pygame.K_LEFT)  # back to Auto: the system's language (LANG above)
        assert scene.settings.display.language == "auto"
        assert i18n.current_language() == "ja"
        press(app, pygame.K_RIGHT)
        press(app, pygame.K_RIGHT)
        press(app, pygame.K_ESCAPE)  # leaving the screen saves
        assert app.top is not scene
        saved, _ = load_settings(app.context.settings_path)
        assert saved.display.language == "ko"
        assert app.context.settings == saved
        assert i18n.current_language() == "ko"
    finally:
        i18n.set_language("en")


def test_rollover_shows_held_keys(app: Any) -> None:
    app.push(RolloverScene(app))
    scene = app.top
    for k in (pygame.K_d, pygame.K_f, pygame.K_j, pygame.K_v):
        press(app, k)
    release(app, pygame.K_f)
    press(app, pygame.K_k)
    assert scene.held == {"d", "j", "v", "k"}
    assert scene.max_held == 4
    assert frozenset(("d", "f")) in scene.seen and frozenset(("f", "k")) not in scene.seen
    assert frozenset(("f", "k")) in scene.missing
    assert len(scene.expected) == 45
    shot(app, "rollover")
    press(app, pygame.K_BACKSPACE)
    assert not scene.held and scene.max_held == 0


def test_song_preview_starts_and_stops(app: Any) -> None:
    audio = FakeAudio()
    app.context.audio = audio
    press(app, pygame.K_RETURN)
    frame(app, later_s=1.0)
    assert ("play", (8.5,)) in audio.calls
    press(app, pygame.K_RETURN)  # to player setup: the preview stops
    assert audio.calls[-1][0] == "stop"


def test_midi_status_without_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rtmidi", None)
    line = midi_line(midi_status())
    assert "pip install 'drum-diplomacy[midi]'" in line
    assert line.count(". ") == 0  # one plain sentence


@pytest.mark.parametrize("size", [(1280, 720), (3840, 2160)])
def test_every_scene_draws(app: Any, size: tuple[int, int]) -> None:
    app.screen = pygame.display.set_mode(size)
    app.top.resize(size)
    app.context.notices.append("Sound is off: no audio device (test)")
    tag = f"{size[1]}p"
    shot(app, f"title_{tag}")
    select = SongSelectScene(app)
    app.push(select)
    shot(app, f"song_select_{tag}")
    app.push(PlayerSetupScene(app, select.entries[0]))
    shot(app, f"player_setup_{tag}")
    app.push(RolloverScene(app))
    shot(app, f"rollover_{tag}")
    app.push(SettingsScene(app))
    shot(app, f"settings_{tag}")
    assert app.screen.get_size() == size


def test_build_context_survives_damaged_files(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from game.app.context import TestHooks
    from game.app.services import build_context, close_context

    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path))
    path = tmp_path / "settings.toml"
    path.write_text("[audio\nmaster_volume = ", encoding="utf-8")
    (tmp_path / "scores.sqlite3").write_bytes(b"not a database at all" * 100)
    monkeypatch.setenv("DRUM_DIPLOMACY_SCREENSHOTS", str(tmp_path / "shots"))
    context = build_context(path)
    try:
        assert isinstance(context.settings, Settings)
        assert context.scores is not None and context.scores.count() == 0
        assert context.notices
        assert "settings" in capsys.readouterr().err
        # the test hooks come from the environment, read here and nowhere else
        assert context.hooks == TestHooks(screenshots_dir=tmp_path / "shots")
    finally:
        close_context(context)


def test_run_game_opens_title_and_closes_its_context(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from game.app import launch

    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path))
    seen: dict[str, Any] = {}

    def fake_run(self: App, first: Any = None) -> None:
        self.push(first)
        frame(self)
        seen["top"] = self.top.name
        seen["context"] = self.context

    monkeypatch.setattr(App, "run", fake_run)
    assert launch.run_game(settings_path=tmp_path / "settings.toml", size=(960, 540)) == 0
    assert seen["top"] == "title"
    store = seen["context"].scores
    with pytest.raises(Exception, match="closed"):
        store.count()


def test_mouse_is_optional_but_works(app: Any) -> None:
    frame(app)
    title = app.top
    target = next(r for r, item in title._hotspots if item == "Settings")
    now = time.perf_counter()
    title.on_event(pygame.event.Event(pygame.MOUSEMOTION, pos=target.center, rel=(0, 0),
                                      buttons=(0, 0, 0)), now)
    assert title.menu.current == "Settings"
    title.on_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=target.center, button=1),
                   now)
    assert app.top.name == "settings"


def test_typing_a_korean_name_with_an_ime_then_a_japanese_one(app: Any,
                                                               tmp_path: Path) -> None:
    setup = to_setup(app)
    setup.col, setup.row = 0, 0
    press(app, pygame.K_RETURN)  # edit P1's name
    assert setup.field is not None and setup.field.text == setup.names[0]
    for _ in range(len(setup.names[0])):
        press(app, pygame.K_BACKSPACE)
    # A Korean IME composes 김 from jamo: the composition is drawn (underlined), not stored.
    for partial in ("ㄱ", "기", "김"):
        app.top.on_event(pygame.event.Event(pygame.TEXTEDITING, text=partial, start=1,
                                            length=0), time.perf_counter())
    frame(app)
    assert setup.field.shown == "김" and setup.field.text == ""
    shot(app, "player_setup_ime_composing")
    type_text(app, "김")
    type_text(app, "민수")
    press(app, pygame.K_RETURN)
    assert setup.editing is None and setup.names[0] == "김민수"
    setup.col = 1
    press(app, pygame.K_RETURN)
    for _ in range(len(setup.names[1])):
        press(app, pygame.K_BACKSPACE)
    type_text(app, "山田はなこ")
    press(app, pygame.K_RETURN)
    assert setup.names == ["김민수", "山田はなこ"]
    shot(app, "player_setup_cjk_names")
    setup.save_prefs()
    saved, _ = load_settings(tmp_path / "settings.toml")
    assert [p.name for p in saved.players] == ["김민수", "山田はなこ"]


def test_sdl_keys_take_over_when_the_capture_process_ends(app: App) -> None:
    """The X11 capture process gone for good (no window to follow): the App drops it,
    and gameplay reads SDL's key events again instead of losing keys."""

    class EndedCapture:
        pid = None
        closed = False

        def drain(self) -> list[Any]:
            return []

        def close(self) -> None:
            self.closed = True

    capture = EndedCapture()
    app.key_listener = capture
    app.poll()
    assert app.key_listener is None and capture.closed


def test_settings_without_a_file_stay_in_memory(app: Any, tmp_path: Path) -> None:
    """A context whose settings have no file (``settings_path`` None) keeps a change for
    the run and writes nothing: not the data folder's settings file either."""
    app.context.settings_path = None
    app.push(SettingsScene(app))
    scene = app.top
    press(app, pygame.K_TAB)
    press(app, pygame.K_LEFT)  # master volume -10 %
    app.pop()  # closing the settings commits them
    assert app.context.settings.audio.master_volume == pytest.approx(0.9)
    assert not (tmp_path / "settings.toml").exists()
    assert scene.settings is app.context.settings
