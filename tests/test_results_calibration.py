"""The results screen, the calibration screen and the calibration maths behind them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pygame
import pytest

from game.engine.calibration import (
    MIN_TAPS,
    click_times,
    median_offset_ms,
    suggest_offset_ms,
    tap_offsets,
)

# --------------------------------------------------------------------------- pure maths


def test_median_offset_of_late_taps() -> None:
    assert median_offset_ms([0.020] * 8) == pytest.approx(20.0)
    assert median_offset_ms([-0.012, -0.010, -0.011] * 3) == pytest.approx(-11.0)


def test_median_needs_eight_taps() -> None:
    assert median_offset_ms([0.020] * (MIN_TAPS - 1)) is None
    assert median_offset_ms([]) is None


def test_tap_offsets_match_nearest_click_and_ignore_outliers() -> None:
    clicks = click_times(100, 20)
    taps = [c + 0.020 for c in clicks[:16]]
    taps += [clicks[3] + 0.3, clicks[5] - 0.28, 100.0]  # between clicks / far after
    taps.append(clicks[7] - 0.030)  # early: matched to the click it precedes
    got = tap_offsets(taps, clicks)
    assert len(got) == 17
    assert got[:16] == pytest.approx([0.020] * 16)
    assert got[-1] == pytest.approx(-0.030)
    assert median_offset_ms(got) == pytest.approx(20.0)
    assert tap_offsets([1.0], []) == []
    assert tap_offsets([clicks[2] + 0.1], clicks, max_distance_s=0.05) == []


def test_median_is_robust_to_a_few_wild_taps() -> None:
    offsets = [0.020] * 13 + [0.2, -0.2, 0.24]
    assert median_offset_ms(offsets) == pytest.approx(20.0)


def test_suggest_offset() -> None:
    assert suggest_offset_ms([0.014] * 30) == -14.0
    assert suggest_offset_ms([-0.0216] * 30) == 22.0
    assert suggest_offset_ms([0.014] * 19) is None  # too few hits
    assert suggest_offset_ms([0.014] * 5, min_hits=5) == -14.0
    assert suggest_offset_ms([0.002, -0.001] * 20) is None  # no change needed
    assert str(suggest_offset_ms([0.0034] * 25)) == "-3.0"


def test_click_times() -> None:
    assert click_times(100, 3, start_s=1.0) == pytest.approx([1.0, 1.6, 2.2])
    with pytest.raises(ValueError):
        click_times(0, 4)


# --------------------------------------------------------------------------- scenes


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def app(home: Path) -> Any:
    from game.app.app import App
    from game.app.context import AppContext

    a = App(size=(1280, 720), context=AppContext(settings_path=home / "settings.toml"))
    yield a
    pygame.display.quit()


def _key(key: int) -> pygame.event.Event:
    return pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode="")


@pytest.fixture(scope="module")
def played() -> tuple[dict[str, Any], Any]:
    from game.engine.bot import HumanBot
    from game.engine.report import session_report
    from game.engine.session import Session
    from game.formats.library import load_song

    session = Session(load_song("first-contact"))
    bot = HumanBot(sd_ms=20, bias_ms=15, seed=1)
    session.feed_many([e for p in (0, 1) for e in bot.play(session.notes[p], player=p)])
    session.finish()
    return session_report(session), session


def test_results_draws_at_hd_and_4k(app: Any, played: tuple[dict[str, Any], Any]) -> None:
    from game.app.scenes.results import ResultsScene

    report, session = played
    scene = ResultsScene(app, report, session)
    app.push(scene)
    scene.draw(app.screen)
    assert app.screen.get_at((640, 130))[:3] != app.screen.get_at((2, 700))[:3]
    big = pygame.Surface((3840, 2160))
    scene.resize(big.get_size())
    scene.draw(big)
    assert big.get_size() == (3840, 2160)
    assert len({tuple(big.get_at((x, 1500))) for x in range(0, 3840, 40)}) > 3


def test_results_texts(app: Any, played: tuple[dict[str, Any], Any]) -> None:
    from game.app.scenes.results import ResultsScene

    report, session = played
    scene = ResultsScene(app, report, session)
    assert "P1" in scene.player_name(0)
    assert scene.lead_text()
    assert scene.ahead_text()
    duet = dict(report["duet"], leader="mutual", ahead="p2", mean_asynchrony_ms=7.4)
    other = ResultsScene(app, dict(report, duet=duet), None)
    assert other.lead_text() == "You followed each other"
    assert other.ahead_text().startswith("P2")
    assert other.suggestions == [None, None]
    other.draw(app.screen)  # no session: empty pictures still draw


def test_results_suggests_and_applies_offset(app: Any, home: Path,
                                             played: tuple[dict[str, Any], Any]) -> None:
    from game.app.scenes.results import ResultsScene
    from game.store.settings import Settings, load_settings

    report, session = played
    app.context.settings = Settings()
    scene = ResultsScene(app, report, session)
    app.push(scene)
    s1 = scene.suggestions[0]
    assert s1 is not None and abs(s1 - -15.0) <= 3.0
    assert "late" in scene.suggestion_text(0) and "press 1" in scene.suggestion_text(0)
    scene.on_event(_key(pygame.K_1), 0.0)
    new = app.context.settings.players[0].input_offset_ms
    assert new == pytest.approx(-s1)  # hits were late: the input offset grows
    assert app.context.settings.players[1].input_offset_ms == 0.0
    assert "applied" in scene.suggestion_text(0)
    saved, warnings = load_settings(home / "settings.toml")
    assert not warnings and saved.players[0].input_offset_ms == pytest.approx(new)
    scene.on_event(_key(pygame.K_1), 0.0)  # only once
    assert app.context.settings.players[0].input_offset_ms == pytest.approx(new)
    scene.draw(app.screen)


def test_results_screenshot_and_back(app: Any, home: Path,
                                     played: tuple[dict[str, Any], Any]) -> None:
    from game.app.scenes.results import ResultsScene

    report, session = played
    scene = ResultsScene(app, report, session)
    app.push(scene)
    scene.on_event(_key(pygame.K_s), 0.0)
    path = scene.last_screenshot
    assert path is not None and path.parent == home / "screenshots"
    assert pygame.image.load(str(path)).get_size() == (1280, 720)
    assert str(path) in scene.message
    app.context.screenshots_dir = home / "shots"
    scene.on_event(_key(pygame.K_F12), 0.0)
    assert scene.last_screenshot is not None and scene.last_screenshot.parent == home / "shots"
    assert scene.last_screenshot != path
    scene.on_event(_key(pygame.K_RETURN), 0.0)
    assert app.scenes == [] and not app.running


def _tap_all(scene: Any, key: int, ks: range, late_s: float) -> None:
    for k in ks:
        scene.on_event(_key(key), scene.click_perf_s(k) + late_s)


def test_calibration_audio_offset(app: Any, home: Path) -> None:
    from game.app.scenes.calibration import TARGET_TAPS, CalibrationScene
    from game.store.settings import load_settings

    scene = CalibrationScene(app)
    app.push(scene)
    scene.on_event(_key(pygame.K_RETURN), 0.0)  # first item: audio offset
    assert scene.mode == "audio"
    first = scene.click_perf_s(0)
    assert scene.clock.to_song_time(first) == pytest.approx(0.0, abs=1e-9)
    _tap_all(scene, pygame.K_SPACE, range(2, 2 + TARGET_TAPS), 0.020)
    scene.on_event(_key(pygame.K_SPACE), scene.click_perf_s(4) + 0.3)  # stray: ignored
    scene.update(scene.click_perf_s(20))
    scene.draw(app.screen)
    assert scene.done
    assert scene.measured_ms() == pytest.approx(20.0, abs=0.5)
    scene.on_event(_key(pygame.K_RETURN), 0.0)
    assert scene.mode == "menu"
    assert app.context.settings.audio.audio_offset_ms == pytest.approx(20.0, abs=0.5)
    saved, _ = load_settings(home / "settings.toml")
    assert saved.audio.audio_offset_ms == pytest.approx(20.0, abs=0.5)


def test_calibration_input_offsets(app: Any, home: Path) -> None:
    from game.app.scenes.calibration import TARGET_TAPS, CalibrationScene

    scene = CalibrationScene(app)
    app.push(scene)
    scene.on_event(_key(pygame.K_DOWN), 0.0)
    scene.on_event(_key(pygame.K_RETURN), 0.0)
    assert scene.mode == "input" and scene.player == 0
    scene.on_event(_key(pygame.K_k), scene.click_perf_s(1))  # P2's key: not P1's turn
    _tap_all(scene, pygame.K_f, range(1, 1 + TARGET_TAPS), 0.020)
    assert scene.player == 1  # P1 done: the click restarts for P2
    _tap_all(scene, pygame.K_k, range(1, 1 + TARGET_TAPS), -0.010)
    assert scene.done
    assert scene.measured_ms(0) == pytest.approx(20.0, abs=0.5)
    assert scene.measured_ms(1) == pytest.approx(-10.0, abs=0.5)
    scene.draw(app.screen)
    scene.on_event(_key(pygame.K_RETURN), 0.0)
    players = app.context.settings.players
    assert players[0].input_offset_ms == pytest.approx(20.0, abs=0.5)
    assert players[1].input_offset_ms == pytest.approx(-10.0, abs=0.5)
    assert (home / "settings.toml").is_file()


def test_calibration_escape_cancels_without_saving(app: Any, home: Path) -> None:
    from game.app.scenes.calibration import CalibrationScene
    from game.store.settings import Settings

    app.context.settings = before = Settings()
    scene = CalibrationScene(app)
    app.push(scene)
    scene.on_event(_key(pygame.K_RETURN), 0.0)
    _tap_all(scene, pygame.K_SPACE, range(0, 12), 0.030)
    assert scene.measured_ms() is not None
    scene.on_event(_key(pygame.K_ESCAPE), 0.0)
    assert scene.mode == "menu"
    assert app.context.settings is before
    assert not (home / "settings.toml").exists()
    scene.draw(app.screen)
    scene.on_event(_key(pygame.K_ESCAPE), 0.0)  # Esc in the menu leaves the screen
    assert app.scenes == []


def test_calibration_with_audio_player(app: Any) -> None:
    from game.app.scenes.calibration import CalibrationScene
    from game.audio.player import AudioPlayer

    audio = AudioPlayer()
    if not audio.open():
        pytest.skip(f"no audio device: {audio.unavailable_reason}")
    try:
        app.context.audio = audio
        scene = CalibrationScene(app)
        app.push(scene)
        scene.start_test("audio")
        _tap_all(scene, pygame.K_SPACE, range(0, 10), 0.015)
        assert scene.measured_ms() == pytest.approx(15.0, abs=0.5)
        scene.cancel()
    finally:
        audio.close()


def test_results_picture_keeps_names_in_any_script(app: Any, home: Path,
                                                   played: tuple[dict[str, Any], Any]) -> None:
    from game.app.scenes.results import ResultsScene
    from game.ui.png_text import read_text_chunks

    report, session = played
    report = {**report, "players": [{**report["players"][0], "name": "김민수"},
                                    {**report["players"][1], "name": "山田はなこ"}]}
    scene = ResultsScene(app, report, session)
    app.push(scene)
    scene.on_event(_key(pygame.K_s), 0.0)
    path = scene.last_screenshot
    assert path is not None
    texts = read_text_chunks(path)
    assert (texts["Drum Diplomacy P1"], texts["Drum Diplomacy P2"]) == ("김민수", "山田はなこ")
    assert pygame.image.load(str(path)).get_size() == (1280, 720)
