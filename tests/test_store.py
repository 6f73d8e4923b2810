"""game.store: settings and score history survive bad files and crashes."""

from __future__ import annotations

import copy
import dataclasses
import os
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from game.store import (
    Audio,
    Display,
    KeyBindings,
    PlayerPrefs,
    ScoreStore,
    Settings,
    StoreError,
    data_dir,
    load_settings,
    replays_dir,
    save_settings,
    scores_path,
    settings_path,
    songs_dir,
)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data folder; nothing touches the real home."""
    folder = tmp_path / "home"
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(folder))
    return folder


@pytest.fixture(scope="module")
def real_report() -> dict[str, Any]:
    """A report made by the engine itself (both players autoplayed)."""
    from game.engine.bot import autoplay
    from game.engine.report import session_report
    from game.engine.session import PlayerSetup, judge_performance
    from game.formats.library import load_song

    chart = load_song("first-contact")
    setups = (PlayerSetup("p1", "normal", name="Ana"), PlayerSetup("p2", "hard", name="Ben"))
    events = (autoplay(chart.notes("p1", "normal"), player=0)
              + autoplay(chart.notes("p2", "hard"), player=1))
    return session_report(judge_performance(chart, setups, sorted(events, key=lambda e: e.time_s)))


def fake_report(song: str = "s1", p1: str = "Ana", p2: str = "Ben", team: int = 1000,
                ) -> dict[str, Any]:
    player = {"difficulty": "normal", "score": team // 2, "accuracy": 0.9}
    return {
        "song": {"id": song, "title": song.title(), "chart_hash": "abc"},
        "players": [{**player, "name": p1, "player": "p1"}, {**player, "name": p2, "player": "p2"}],
        "duet": {"team_score": team, "sync_spread_ms": 12.5, "in_sync_rate": 0.75},
    }


def aside_files(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(f"{name}.corrupt-*"))


# ------------------------------------------------------------------ paths

def test_paths_follow_the_environment(home: Path) -> None:
    assert not home.exists()
    assert data_dir() == home and home.is_dir()
    assert settings_path() == home / "settings.toml"
    assert scores_path() == home / "scores.sqlite3"
    assert replays_dir().is_dir() and songs_dir().is_dir()
    assert replays_dir().parent == songs_dir().parent == home


# ------------------------------------------------------------------ settings

def test_missing_file_gives_defaults_without_warning(home: Path) -> None:
    settings, warnings = load_settings()
    assert settings == Settings() and warnings == []
    assert settings.keys.p1 == ("d", "f", "s", "e", "v")
    assert settings.keys.p2 == ("j", "k", "l", "i", "n")
    assert [p.name for p in settings.players] == ["P1", "P2"]
    assert not settings_path().exists()


def test_round_trip() -> None:
    settings = Settings(
        keys=KeyBindings(p1=("q", "w", "e", "r", "left shift"), p2=("u", "i", "o", "p", "[1]")),
        audio=Audio(master_volume=0.5, music_volume=0.25, hit_volume=1, audio_offset_ms=-12.5,
                    buffer_samples=512),
        players=(PlayerPrefs(name="Ana", difficulty="expert", input="midi:TD-17 MIDI 1",
                             input_offset_ms=3.25, hit_sounds=False, colour=4),
                 PlayerPrefs(name="Ben", difficulty="easy", colour=2)),
        display=Display(fullscreen=True, width=1920, height=1080, scroll_speed=2.5, vsync=False),
        device_offsets_ms=(("midi:TD-17", 7.5), ("keyboard", -3.0)),
    )
    path = save_settings(settings)
    assert path == settings_path()
    loaded, warnings = load_settings()
    assert warnings == []
    assert loaded == settings
    assert loaded.device_offset("midi:TD-17") == 7.5 and loaded.device_offset("nope") == 0.0
    assert loaded.with_device_offset("keyboard", 1).device_offset("keyboard") == 1.0
    assert hash(loaded) == hash(settings)


def test_corrupt_toml_is_moved_aside_with_line(home: Path) -> None:
    path = settings_path()
    text = "[audio]\nmaster_volume = 0.5\nmusic_volume = = 3\n"
    path.write_text(text)
    settings, warnings = load_settings()
    assert settings == Settings()
    assert len(warnings) == 1
    assert str(path) in warnings[0] and "line 3" in warnings[0] and "TOML" in warnings[0]
    assert not path.exists()
    (aside,) = aside_files(home, "settings.toml")
    assert aside.read_text() == text
    assert aside.name in warnings[0]
    # a second damaged file keeps both copies
    path.write_text("[[[\n")
    _, warnings = load_settings()
    assert "line 1" in warnings[0]
    assert len(aside_files(home, "settings.toml")) == 2


def test_not_utf8_is_moved_aside(home: Path) -> None:
    settings_path().write_bytes(b"[audio]\nmaster_volume = 0.5 # \xff\xfe\n")
    settings, warnings = load_settings()
    assert settings == Settings() and "line 2" in warnings[0] and "UTF-8" in warnings[0]
    assert len(aside_files(home, "settings.toml")) == 1


def test_bad_value_falls_back_and_keeps_the_rest(home: Path) -> None:
    path = settings_path()
    path.write_text(textwrap.dedent("""\
        [audio]
        master_volume = 7
        music_volume = 0.25

        [display]
        width = "wide"
        scroll_speed = 2.0
        colour_depth = 32

        [players.p1]
        name = "Ana"
        difficulty = "insane"
        """))
    settings, warnings = load_settings()
    assert settings.audio.master_volume == Audio().master_volume
    assert settings.audio.music_volume == 0.25
    assert settings.display.width == 1280 and settings.display.scroll_speed == 2.0
    assert settings.players[0].name == "Ana" and settings.players[0].difficulty == "normal"
    assert len(warnings) == 4
    volume = next(w for w in warnings if "master_volume" in w)
    assert "line 2" in volume and "from 0 to 1" in volume and str(path) in volume
    assert any("line 6" in w and "width" in w for w in warnings)
    assert any("line 8" in w and "colour_depth" in w and "unknown" in w for w in warnings)
    assert any("line 12" in w and "difficulty" in w and '"expert"' in w for w in warnings)
    assert path.exists() and not aside_files(home, "settings.toml")


def test_section_of_wrong_type_falls_back(home: Path) -> None:
    settings_path().write_text('audio = 3\n[display]\nvsync = false\n')
    settings, warnings = load_settings()
    assert settings.audio == Audio() and settings.display.vsync is False
    assert len(warnings) == 1 and "line 1" in warnings[0] and "table" in warnings[0]


def test_duplicate_key_bindings_fall_back_to_defaults(home: Path) -> None:
    save_settings(Settings())
    path = settings_path()
    text = path.read_text()
    assert 'tom = "l"' in text
    path.write_text(text.replace('tom = "l"', 'tom = "D"').replace("music_volume = 0.8",
                                                                     "music_volume = 0.3"))
    settings, warnings = load_settings()
    assert settings.keys == KeyBindings()
    assert settings.audio.music_volume == 0.3
    assert len(warnings) == 1
    assert '"d"' in warnings[0] and "p1 hi-hat" in warnings[0] and "p2 tom" in warnings[0]
    line = text.splitlines().index('tom = "l"') + 1
    assert f"line {line}" in warnings[0]


def test_bad_key_name_uses_that_lanes_default(home: Path) -> None:
    settings_path().write_text('[keys.p2]\nkick = ""\nsnare = "m"\n')
    settings, warnings = load_settings()
    assert settings.keys.p2 == ("j", "m", "l", "i", "n")
    assert len(warnings) == 1 and "kick" in warnings[0] and "line 2" in warnings[0]


def test_constructors_validate() -> None:
    with pytest.raises(ValueError, match="more than one lane"):
        KeyBindings(p1=("a", "b", "c", "d", "e"), p2=("f", "g", "h", "i", "a"))
    with pytest.raises(ValueError, match="master_volume"):
        Audio(master_volume=7)
    with pytest.raises(ValueError, match="power of two"):
        Audio(buffer_samples=300)
    with pytest.raises(ValueError, match="scroll_speed"):
        Display(scroll_speed=0.1)
    with pytest.raises(ValueError, match="difficulty"):
        PlayerPrefs(difficulty="insane")
    assert dataclasses.replace(Audio(), hit_volume=1).hit_volume == 1.0


def test_atomic_save_leaves_no_temp_files(home: Path) -> None:
    save_settings(Settings())
    save_settings(dataclasses.replace(Settings(), display=Display(width=1600)))
    assert sorted(p.name for p in home.iterdir()) == ["settings.toml"]


def test_crash_during_save_keeps_the_old_file(home: Path, monkeypatch: pytest.MonkeyPatch,
                                              ) -> None:
    assert os.environ["DRUM_DIPLOMACY_HOME"] == str(home)
    save_settings(Settings())
    before = settings_path().read_bytes()

    def crash(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", crash)
        with pytest.raises(StoreError, match="cannot save settings"):
            save_settings(dataclasses.replace(Settings(), audio=Audio(master_volume=0.1)))
    assert settings_path().read_bytes() == before
    assert sorted(p.name for p in home.iterdir()) == ["settings.toml"]
    assert load_settings() == (Settings(), [])


# ------------------------------------------------------------------ scores

def test_scores_add_best_recent(real_report: dict[str, Any]) -> None:
    t0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    with ScoreStore() as store:
        assert store.warnings == [] and store.count() == 0
        assert store.best_for_pair("first-contact", "Ana", "Ben") is None
        first = store.add_play(real_report, played_at=t0)
        better = copy.deepcopy(real_report)
        better["duet"]["team_score"] += 1
        second = store.add_play(better, played_at=t0 + timedelta(minutes=5))
        store.add_play(fake_report("first-contact", "Ben", "Ana", team=10**9),
                       played_at=t0 + timedelta(minutes=10))
        store.add_play(fake_report("other"), played_at=t0 - timedelta(days=1))
        assert store.count() == 4 and first != second
        best = store.best_for_pair("first-contact", "Ana", "Ben")
        assert best is not None and best["id"] == second
        assert best["team_score"] == real_report["duet"]["team_score"] + 1
        assert best["report"] == better
        assert best["p1_difficulty"] == "normal" and best["p2_difficulty"] == "hard"
        assert best["played_at"] == "2024-05-01T12:05:00.000+00:00"
        assert best["chart_hash"] == real_report["song"]["chart_hash"]
        assert store.best_for_pair("first-contact", "Ana", "Ben", chart_hash="x") is None
        recent = store.recent(limit=3)
        assert [r["song_id"] for r in recent] == ["first-contact"] * 3
        assert recent[0]["p1_name"] == "Ben" and recent[-1]["id"] == first
        assert len(store.recent()) == 4
    with ScoreStore() as again:
        assert again.count() == 4 and again.warnings == []
        mode = again._conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_bad_report_writes_nothing() -> None:
    with ScoreStore() as store:
        store.add_play(fake_report())
        broken = fake_report()
        del broken["duet"]["team_score"]
        with pytest.raises(ValueError, match="not a session report"):
            store.add_play(broken)
        assert store.count() == 1


def test_failed_transaction_rolls_back() -> None:
    with ScoreStore() as store:
        store.add_play(fake_report())
        # a failure inside the INSERT's transaction, after the row went in
        store._conn.execute("CREATE TEMP TRIGGER boom AFTER INSERT ON plays "
                            "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
        with pytest.raises(StoreError, match="disk on fire"):
            store.add_play(fake_report(team=5))
        assert store.count() == 1
    with ScoreStore() as store:
        assert store.count() == 1


def test_garbage_scores_file_is_moved_aside(home: Path) -> None:
    home.mkdir()
    garbage = b"this is not a database\n" * 100
    scores_path().write_bytes(garbage)
    with ScoreStore() as store:
        assert len(store.warnings) == 1 and "moved aside" in store.warnings[0]
        store.add_play(fake_report())
        assert store.count() == 1
    (aside,) = aside_files(home, "scores.sqlite3")
    assert aside.read_bytes() == garbage


def test_newer_schema_is_moved_aside(home: Path) -> None:
    home.mkdir()
    conn = sqlite3.connect(scores_path())
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with ScoreStore() as store:
        assert "newer" in store.warnings[0]
        assert store.count() == 0
    assert len(aside_files(home, "scores.sqlite3")) == 1


def test_foreign_database_is_moved_aside(home: Path) -> None:
    home.mkdir()
    with sqlite3.connect(scores_path()) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.close()
    with ScoreStore() as store:
        assert "not a Drum Diplomacy" in store.warnings[0]
    assert len(aside_files(home, "scores.sqlite3")) == 1


KILLED_WRITER = """
import os, sys
from game.store import ScoreStore
store = ScoreStore(sys.argv[1])
store.add_play({"song": {"id": "s1", "chart_hash": "h"},
                "players": [{"name": "Ana", "difficulty": "easy", "score": 1, "accuracy": 1.0},
                            {"name": "Ben", "difficulty": "easy", "score": 2, "accuracy": 0.5}],
                "duet": {"team_score": 3, "sync_spread_ms": None, "in_sync_rate": None}})
os._exit(0)  # no close(), no checkpoint: the play lives only in the WAL
"""


def test_play_survives_a_killed_process(tmp_path: Path) -> None:
    path = tmp_path / "killed.sqlite3"
    ScoreStore(path).close()
    subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], check=True, timeout=60)
    with ScoreStore(path) as store:
        assert store.warnings == []
        (play,) = store.recent()
        assert play["team_score"] == 3 and play["sync_spread_ms"] is None
