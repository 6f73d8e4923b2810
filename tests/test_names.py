"""Player names in any script: NFC, grapheme clusters, typing with an IME, every store.

A name typed as Hangul jamo and one typed as whole syllables are the same name;
length is what a reader counts; and the name comes back exactly from settings,
the score database, replays, the results JSON and the results PNG.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pygame
import pytest
from hypothesis import given
from hypothesis import strategies as st

from game.engine.names import (
    NAME_MAX_CLUSTERS,
    clip_clusters,
    cluster_count,
    drop_last_cluster,
    graphemes,
    normalize_name,
)
from game.engine.replay import Replay
from game.engine.report import session_report
from game.engine.session import PlayerSetup, Session, player_setups
from game.formats.beatmap import load_beatmap
from game.formats.replay_file import load_replay, save_replay
from game.store.scores import ScoreStore
from game.store.settings import PlayerPrefs, Settings, load_settings, save_settings
from game.ui.png_text import PngError, add_text_chunks, read_text_chunks
from game.ui.text_field import CANCEL, DONE, TextField

NAMES = ["김민수", "山田はなこ", "Александра", "Zoë Ångström", "Nguyễn Văn Đức", "Ωμέγα",
         "王小明", "José 👍🏽"]
#: "한" typed as conjoining jamo (what some input methods send) and "é" as e + accent.
DECOMPOSED = {"\u1112\u1161\u11ab": "한", "Jose\u0301": "José"}


def test_clusters_are_what_a_reader_counts() -> None:
    assert list(graphemes("김민수")) == ["김", "민", "수"]
    assert list(graphemes("e\u0301cole")) == ["e\u0301", "c", "o", "l", "e"]
    assert list(graphemes("\u1112\u1161\u11ab")) == ["\u1112\u1161\u11ab"]
    assert list(graphemes("👍🏽🇰🇷🇯🇵👨\u200d👩\u200d👧")) == [
        "👍🏽", "🇰🇷", "🇯🇵", "👨\u200d👩\u200d👧"]
    assert cluster_count("山田はなこ") == 5
    assert drop_last_cluster("José👍🏽") == "José"
    assert clip_clusters("e\u0301e\u0301e\u0301", 2) == "e\u0301e\u0301"


@given(st.text(max_size=40))
def test_clusters_join_back_and_normalising_is_stable(text: str) -> None:
    assert "".join(graphemes(text)) == text
    name = normalize_name(text)
    assert normalize_name(name) == name
    assert unicodedata.is_normalized("NFC", name)
    assert cluster_count(name) <= NAME_MAX_CLUSTERS
    assert name == name.strip()


@pytest.mark.parametrize(("typed", "stored"), list(DECOMPOSED.items()))
def test_decomposed_input_is_stored_composed(typed: str, stored: str) -> None:
    assert normalize_name(typed) == stored
    assert PlayerSetup(name=typed).name == stored


def test_a_long_name_is_cut_between_clusters_never_inside_one() -> None:
    long = "가" * 20
    assert normalize_name(long) == "가" * NAME_MAX_CLUSTERS
    flags = "🇰🇷" * 20
    assert normalize_name(flags) == "🇰🇷" * NAME_MAX_CLUSTERS


# -- typing with an input method ------------------------------------------------------------
def _ev(kind: int, **kw: object) -> pygame.event.Event:
    return pygame.event.Event(kind, **kw)


def test_ime_composition_is_shown_then_committed() -> None:
    field = TextField("Kim ")
    # A Korean IME composing 민: ㅁ, then 미, then 민 (TEXTEDITING), then the commit.
    for partial in ("ㅁ", "미", "민"):
        assert field.on_event(_ev(pygame.TEXTEDITING, text=partial, start=1, length=0)) is None
        assert field.composition == partial and field.text == "Kim "
        assert field.shown == "Kim " + partial
    # Enter and Backspace while composing belong to the IME, not to the field.
    assert field.on_event(_ev(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0)) is None
    assert field.on_event(_ev(pygame.KEYDOWN, key=pygame.K_BACKSPACE, mod=0)) is None
    assert field.text == "Kim "
    field.on_event(_ev(pygame.TEXTINPUT, text="민"))
    assert field.composition == "" and field.text == "Kim 민"
    field.on_event(_ev(pygame.TEXTINPUT, text="수"))
    assert field.on_event(_ev(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0)) == DONE
    assert field.value == "Kim 민수"


def test_japanese_conversion_and_backspace_by_cluster() -> None:
    field = TextField()
    field.on_event(_ev(pygame.TEXTEDITING, text="やまだ", start=3, length=0))
    field.on_event(_ev(pygame.TEXTEDITING, text="山田", start=2, length=0))
    field.on_event(_ev(pygame.TEXTINPUT, text="山田"))
    field.on_event(_ev(pygame.TEXTINPUT, text="はなこ👍🏽"))
    assert field.text == "山田はなこ👍🏽"
    field.on_event(_ev(pygame.KEYDOWN, key=pygame.K_BACKSPACE, mod=0))
    assert field.text == "山田はなこ"
    assert field.on_event(_ev(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0)) == CANCEL


def test_typing_stops_at_sixteen_clusters() -> None:
    field = TextField()
    for _ in range(20):
        field.on_event(_ev(pygame.TEXTINPUT, text="한"))
    assert field.text == "한" * NAME_MAX_CLUSTERS


def test_paste(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pygame.scrap, "get_text", lambda: "Ана\nМария\u0000")
    field = TextField()
    field.on_event(_ev(pygame.KEYDOWN, key=pygame.K_v, mod=pygame.KMOD_LCTRL))
    assert field.value == "Ана Мария"


def test_ime_is_started_with_the_field_rect(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, object]] = []
    monkeypatch.setattr(pygame.key, "start_text_input", lambda: calls.append(("start", None)))
    monkeypatch.setattr(pygame.key, "stop_text_input", lambda: calls.append(("stop", None)))
    monkeypatch.setattr(pygame.key, "set_text_input_rect", lambda r: calls.append(("rect", r)))
    field = TextField()
    field.start(pygame.Rect(100, 200, 300, 40))
    field.stop()
    assert calls == [("rect", pygame.Rect(100, 200, 300, 40)), ("start", None),
                     ("stop", None)]


# -- every store --------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES + list(DECOMPOSED))
def test_settings_keep_the_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / "settings.toml"
    settings = Settings(players=(PlayerPrefs(name=name), PlayerPrefs(name="P2", colour=1)))
    save_settings(settings, path)
    loaded, warnings = load_settings(path)
    assert warnings == []
    assert loaded.players[0].name == normalize_name(name)
    assert normalize_name(name) in path.read_text(encoding="utf-8")  # UTF-8, not escaped


def _played(names: tuple[str, str]) -> tuple[Session, Replay]:
    chart = load_beatmap(Path("assets/beatmaps/first-contact.beatmap"))
    setups = tuple(PlayerSetup(s.part, s.difficulty, s.layout, name)
                   for s, name in zip(player_setups(chart, (None, None)), names, strict=True))
    session = Session(chart, setups)  # type: ignore[arg-type]
    session.finish()
    replay = Replay.of_session(session, ())
    return session, replay


def test_scores_replays_and_results_json_keep_the_names(tmp_path: Path) -> None:
    session, replay = _played(("김민수", "山田はなこ"))
    report = session_report(session)
    assert [p["name"] for p in report["players"]] == ["김민수", "山田はなこ"]
    # results JSON as the game writes it
    path = tmp_path / "results.json"
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    assert [p["name"] for p in json.loads(path.read_text("utf-8"))["players"]] == [
        "김민수", "山田はなこ"]
    # replay file
    save_replay(replay, tmp_path / "duet.ddreplay")
    assert "김민수" in (tmp_path / "duet.ddreplay").read_text(encoding="utf-8")
    again = load_replay(tmp_path / "duet.ddreplay")
    assert [p.name for p in again.players] == ["김민수", "山田はなこ"]
    # score database: found by the name however it was typed
    store = ScoreStore(tmp_path / "scores.sqlite3")
    try:
        store.add_play(report)
        best = store.best_for_pair(report["song"]["id"], "\u1100\u1175\u11b7민수", "山田はなこ")
        assert best is not None and (best["p1_name"], best["p2_name"]) == ("김민수", "山田はなこ")
    finally:
        store.close()


def test_png_text_chunks_keep_the_names(tmp_path: Path) -> None:
    surf = pygame.Surface((8, 8))
    path = tmp_path / "results.png"
    pygame.image.save(surf, str(path))
    add_text_chunks(path, {"P1": "김민수", "P2": "山田はなこ"})
    add_text_chunks(path, {"P1": "Александра"})  # replaces, does not duplicate
    assert read_text_chunks(path) == {"P1": "Александра", "P2": "山田はなこ"}
    assert pygame.image.load(str(path)).get_size() == (8, 8)  # still a valid PNG
    (tmp_path / "bad.png").write_bytes(b"not a png")
    with pytest.raises(PngError):
        read_text_chunks(tmp_path / "bad.png")


def test_play_command_names_reach_results_and_replay(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from game.cli import main

    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path / "home"))
    out, rec = tmp_path / "r.json", tmp_path / "r.ddreplay"
    assert main(["play", "first-contact", "--headless", "--p1", "auto", "--p2", "auto",
                 "--p1-name", "Jose\u0301", "--p2-name", "山田はなこ",
                 "--results-json", str(out), "--record", str(rec)]) == 0
    text = out.read_text(encoding="utf-8")
    assert '"José"' in text and '"山田はなこ"' in text  # UTF-8, NFC, not escaped
    assert [p.name for p in load_replay(rec).players] == ["José", "山田はなこ"]
    # without --pN-name: the names saved in player setup
    save_settings(Settings(players=(PlayerPrefs(name="Александра"),
                                    PlayerPrefs(name="김민수", colour=1))))
    assert main(["play", "first-contact", "--headless", "--p1", "auto", "--p2", "auto",
                 "--results-json", str(out)]) == 0
    names = [p["name"] for p in json.loads(out.read_text("utf-8"))["players"]]
    assert names == ["Александра", "김민수"]
    assert main(["play", "first-contact", "--headless", "--p1", "auto", "--p2", "auto",
                 "--p1-name", "가" * 17]) == 1
