"""Song select over a library being scanned: songs fill in while it shows, search (typed
through an input method), letter jumps, the orders, the mouse, and the scan pausing while
a song is set up. Screenshots go to /tmp/scene_shots."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pygame
import pytest
from library_files import clonehero_chart, osu_taiko, write_beatmap

import game.app.scenes.song_select as song_select
import game.store.background_scan as background_scan
import game.store.scan_worker as scan_worker
from game.app.app import App
from game.app.context import AppContext
from game.app.scenes.song_select import SongSelectScene
from game.app.scenes.song_select_view import scan_line
from game.formats.library import song_entries as builtin_entries
from game.store.paths import songs_dir
from game.store.scores import ScoreStore
from game.store.settings import Settings

SHOTS = Path("/tmp/scene_shots")
#: The player's songs of these tests, with their artists and tempi.
MINE = {"Neon Drift": ("The Rivets", 140), "Paper Signal": ("Neon Lights", 92),
        "夜明けのビート": ("서울 드럼 클럽", 118), "Zebra Crossing": ("Kite Season", 176)}


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path / "home"))
    songs = songs_dir()
    for k, (title, (artist, bpm)) in enumerate(MINE.items()):
        path = write_beatmap(songs / f"m{k}" / f"m{k}.beatmap", f"m{k}", title=title, bpm=bpm)
        text = path.read_text(encoding="utf-8").replace("artist = Tester", f"artist = {artist}")
        path.write_text(text, encoding="utf-8")
    clonehero_chart(songs / "ch", "Clone Hero Tune", artist="The Importers")
    osu_taiko(songs / "osu", "Taiko Drift")
    store = ScoreStore(tmp_path / "scores.sqlite3")
    a = App(size=(1280, 720), context=AppContext(settings=Settings(), scores=store,
                                        audio=None, notices=[]))
    yield a
    while a.scenes:
        a.scenes.pop().close()
    scan = a.context.library_scan
    if scan is not None:
        scan.stop()
        scan.wait(30)
    store.close()


def key(scene: Any, code: int, mod: int = 0) -> None:
    scene.on_event(pygame.event.Event(pygame.KEYDOWN, key=code, mod=mod, unicode="",
                                      scancode=0), time.perf_counter())


def text(scene: Any, typed: str) -> None:
    scene.on_event(pygame.event.Event(pygame.TEXTINPUT, text=typed), time.perf_counter())


def frame(app: App, name: str | None = None) -> None:
    app.top.update(time.perf_counter())
    app.top.draw(app.screen)
    if name:
        SHOTS.mkdir(parents=True, exist_ok=True)
        pygame.image.save(app.screen, str(SHOTS / f"{name}.png"))


def titles(scene: SongSelectScene) -> list[str]:
    return [e["title"] for e in scene.entries]


def opened(app: App) -> SongSelectScene:
    scene = SongSelectScene(app)
    app.push(scene)
    assert scene.wait_for_scan(60)
    return scene


def gate_the_reading(monkeypatch: pytest.MonkeyPatch, gated: Any) -> None:
    """Songs read on the scan's thread (no helper processes), through ``gated``."""
    monkeypatch.setattr(background_scan, "default_processes", lambda: 0)
    monkeypatch.setattr(scan_worker, "read_song", gated)


def waiting_while_paused(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Set when a scan's worker reaches the point before its next song while paused
    (where it waits to be resumed)."""
    waiting = threading.Event()
    checkpoint = background_scan.BackgroundScan._checkpoint

    def watched(self: background_scan.BackgroundScan) -> bool:
        if self.paused:
            waiting.set()
        return checkpoint(self)

    monkeypatch.setattr(background_scan.BackgroundScan, "_checkpoint", watched)
    return waiting


def test_songs_fill_in_while_the_scan_reads_them(app: App,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    builtin = sorted((e["title"] for e in builtin_entries()[0]), key=str.casefold)
    reached, go, first_go = threading.Event(), threading.Event(), threading.Event()
    original, calls = scan_worker.read_song, []

    def gated(candidate: Any, **kw: Any) -> Any:
        calls.append(candidate.key)
        if Path(candidate.key).name == "ch":  # the first song of the folder, by path
            assert first_go.wait(30)  # (not read before the first frame, however fast)
        if "m1" in candidate.key:  # the third song of the folder (ch, m0, m1...)
            reached.set()
            assert go.wait(30)
        return original(candidate, **kw)

    gate_the_reading(monkeypatch, gated)
    scene = SongSelectScene(app)
    app.push(scene)
    assert titles(scene) == builtin  # the first frame lists the built-in songs
    frame(app)
    skyline = titles(scene).index("Skyline Accord")
    scene._select(skyline)
    first_go.set()
    assert reached.wait(30)
    deadline = time.monotonic() + 30
    while "Neon Drift" not in titles(scene):
        assert time.monotonic() < deadline
        time.sleep(0.01)
        frame(app)
    assert set(titles(scene)) == {*builtin, "Clone Hero Tune", "Neon Drift"}
    assert scene.current is not None and scene.current["title"] == "Skyline Accord"
    assert scene.progress.stage == "reading" and scene.progress.read == 2
    assert scan_line(scene.progress) == "Reading new songs: 2 of 6"
    key(scene, pygame.K_DOWN)  # the menu works while the scan goes on
    assert scene.current is not None and scene.current["title"] != "Skyline Accord"
    frame(app, "song_select_scanning")
    go.set()
    assert scene.wait_for_scan(60)
    assert len(titles(scene)) == len(builtin) + 6 and scan_line(scene.progress) == ""
    assert titles(scene) == sorted(titles(scene), key=str.casefold)


def test_search_through_an_input_method_by_title_or_artist(app: App) -> None:
    scene = opened(app)
    everything = titles(scene)
    key(scene, pygame.K_SLASH)
    assert scene.field is not None
    text(scene, "/")  # the text of the key that opened the search is not typed
    assert scene.query == ""
    text(scene, "ＮＥＯＮ")  # full-width, upper case
    assert titles(scene) == ["Neon Drift", "Paper Signal"]  # title, or artist
    key(scene, pygame.K_DOWN)
    assert scene.current is not None and scene.current["title"] == "Paper Signal"
    key(scene, pygame.K_s)  # a letter while searching is typed, not a jump
    assert scene.query == "ＮＥＯＮ" and titles(scene) == ["Neon Drift", "Paper Signal"]
    text(scene, " rivets")
    assert titles(scene) == ["Neon Drift"]
    frame(app, "song_select_search")
    key(scene, pygame.K_ESCAPE)  # clears the search; the highlighted song stays
    assert scene.field is None and titles(scene) == everything
    assert scene.current is not None and scene.current["title"] == "Neon Drift"
    assert app.top is scene
    # Korean: the IME composes 드 then 드럼; the list follows the composition
    key(scene, pygame.K_f, pygame.KMOD_CTRL)
    for partial in ("ㄷ", "드", "드러", "드럼"):
        scene.on_event(pygame.event.Event(pygame.TEXTEDITING, text=partial, start=1,
                                          length=0), time.perf_counter())
    assert scene.field is not None and scene.field.text == ""
    assert titles(scene) == ["夜明けのビート"]
    key(scene, pygame.K_DOWN)  # keys while composing are the IME's
    text(scene, "드럼")
    frame(app, "song_select_search_korean")
    key(scene, pygame.K_BACKSPACE)
    key(scene, pygame.K_BACKSPACE)
    text(scene, "びーと")  # hiragana finds the katakana title
    assert titles(scene) == ["夜明けのビート"]
    text(scene, "zzz")
    assert titles(scene) == [] and scene.current is None
    frame(app, "song_select_no_match")
    key(scene, pygame.K_RETURN)  # nothing to choose
    assert app.top is scene
    key(scene, pygame.K_ESCAPE)
    key(scene, pygame.K_F3)
    text(scene, "taiko")
    key(scene, pygame.K_RETURN)  # Enter picks the highlighted match
    assert app.top.name == "player_setup" and app.top.entry["title"] == "Taiko Drift"


def test_a_slash_that_arrives_only_as_text_opens_the_search(app: App) -> None:
    """On layouts where "/" is a shifted key (Shift+7), only its text says it was typed."""
    scene = opened(app)
    first = scene.index
    key(scene, pygame.K_7, pygame.KMOD_SHIFT)  # no jump to a title starting with 7
    assert scene.index == first and scene.field is None
    text(scene, "/")
    assert scene.field is not None and scene.query == ""
    text(scene, "ﾈｵﾝ")
    assert titles(scene) == []
    key(scene, pygame.K_ESCAPE)
    text(scene, "a")  # text while not searching does nothing
    assert scene.field is None and scene.index == first


def test_letters_jump_to_the_next_title_round_the_end(app: App) -> None:
    scene = opened(app)
    key(scene, pygame.K_t)
    assert scene.current is not None and scene.current["title"] == "Taiko Drift"
    key(scene, pygame.K_z, pygame.KMOD_SHIFT)
    assert scene.current is not None and scene.current["title"] == "Zebra Crossing"
    key(scene, pygame.K_n)
    assert scene.current["title"] == "Neon Drift"
    key(scene, pygame.K_s)
    assert scene.current["title"] == "Skyline Accord"
    key(scene, pygame.K_f)
    assert scene.current["title"] == "First Contact"  # round the end
    key(scene, pygame.K_q)  # no title with Q: stays
    assert scene.current["title"] == "First Contact"
    key(scene, pygame.K_n, pygame.KMOD_CTRL)  # a command, not a jump
    assert scene.current["title"] == "First Contact"
    while scene.order != "artist":
        key(scene, pygame.K_RIGHT)
    key(scene, pygame.K_k)  # by artist in artist order: Kite Season
    assert scene.current["title"] == "Zebra Crossing"


def test_each_order_keeps_the_highlighted_song(app: App) -> None:
    store = app.context.scores
    t0 = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    scene = opened(app)
    ids = {e["title"]: e["id"] for e in scene.entries}
    for k, title in enumerate(("Zebra Crossing", "First Contact")):
        store.add_play(report(ids[title]), played_at=t0 + timedelta(minutes=k))
    scene._select(titles(scene).index("Paper Signal"))
    seen = {}
    for _ in range(5):
        key(scene, pygame.K_RIGHT)
        seen[scene.order] = titles(scene)
        assert scene.current is not None and scene.current["title"] == "Paper Signal"
        frame(app, f"song_select_sorted_by_{scene.order}")
    assert list(seen) == ["artist", "bpm", "length", "recent", "title"]
    bpms = [scene_bpm(e) for e in sorted_entries(scene, "bpm")]
    assert bpms == sorted(bpms)
    assert seen["recent"][:2] == ["First Contact", "Zebra Crossing"]
    assert seen["recent"][2:] == sorted(seen["recent"][2:], key=str.casefold)
    assert seen["artist"] == ["First Contact", "Handshake Groove", "Mirror Ball Summit",
                              "Skyline Accord", "Zebra Crossing", "Paper Signal",
                              "Taiko Drift", "Clone Hero Tune", "Neon Drift", "夜明けのビート"]
    assert seen["length"] == [e["title"] for e in sorted(
        scene.entries, key=lambda e: (e["length_s"], e["title"].casefold()))]
    key(scene, pygame.K_LEFT)
    key(scene, pygame.K_LEFT)  # bpm -> artist -> title, round to recent
    key(scene, pygame.K_LEFT)
    assert scene.order == "recent"
    scene.close()  # the order and the song are remembered for the next visit
    app.scenes.remove(scene)
    again = opened(app)
    assert again.order == "recent" and again.current["title"] == "Paper Signal"


def report(song: str) -> dict[str, Any]:
    player = {"difficulty": "normal", "score": 500, "accuracy": 0.9}
    return {"song": {"id": song, "title": song, "chart_hash": "abc"},
            "players": [{**player, "name": "P1", "player": "p1"},
                        {**player, "name": "P2", "player": "p2"}],
            "duet": {"team_score": 1000, "sync_spread_ms": 12.5, "in_sync_rate": 0.75}}


def sorted_entries(scene: SongSelectScene, order: str) -> list[dict[str, Any]]:
    while scene.order != order:
        key(scene, pygame.K_RIGHT)
    return scene.entries


def scene_bpm(entry: dict[str, Any]) -> float:
    bpm = entry["bpm"]
    return float(min(bpm)) if isinstance(bpm, list) else float(bpm)


def test_the_mouse_searches_sorts_and_scrolls(app: App) -> None:
    scene = opened(app)
    frame(app)
    spots = {target: r for r, target in scene._hotspots}
    now = time.perf_counter()
    click = spots[("sort", 1)].center
    scene.on_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=click, button=1), now)
    assert scene.order == "artist"
    click = spots[("sort", -1)].center
    scene.on_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=click, button=1), now)
    assert scene.order == "title"
    first = scene.index
    scene.on_event(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=-2), now)
    assert scene.index == first + 2
    scene.on_event(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=5), now)
    assert scene.index == 0
    click = spots[("search", 0)].center
    scene.on_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=click, button=1), now)
    assert scene.field is not None
    text(scene, "zebra")
    frame(app)
    card = next(r for r, target in scene._hotspots if target == 0)
    scene.on_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=card.center, button=1), now)
    assert app.top.name == "player_setup" and app.top.entry["title"] == "Zebra Crossing"


def test_the_scan_pauses_while_a_song_is_set_up(app: App,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    reached, go = threading.Event(), threading.Event()
    original = scan_worker.read_song

    def gated(candidate: Any, **kw: Any) -> Any:
        if Path(candidate.key).name == "ch":
            reached.set()
            assert go.wait(30)
        return original(candidate, **kw)

    gate_the_reading(monkeypatch, gated)
    waiting = waiting_while_paused(monkeypatch)
    scene = SongSelectScene(app)
    app.push(scene)
    assert reached.wait(30)
    scene.choose()  # the first built-in song
    assert app.top.name == "player_setup" and scene.scan.paused
    go.set()
    assert waiting.wait(30)  # the song being read is finished; the scan waits
    assert scene.scan.snapshot()[2].read == 1 and not scene.scan.done
    key(app.top, pygame.K_ESCAPE)
    assert app.top is scene and not scene.scan.paused
    assert scene.wait_for_scan(60) and scene.progress.read == 6
    key(scene, pygame.K_ESCAPE)  # back to the title: the next visit starts from these songs
    scan = app.context.library_scan
    again = SongSelectScene(app)
    app.push(again)
    assert again.scan is not scan and len(again.entries) == len(scene.entries)
    assert again.wait_for_scan(60) and again.scan.snapshot()[1].read == 0


def test_an_unchanged_library_is_whole_on_the_first_frame(
        app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    """A later start of the game: song select gives the scan a moment to list what the cache
    holds (here as long as it takes: the mechanism, not the speed, is tested)."""
    everything = titles(opened(app))
    while app.scenes:
        app.scenes.pop().close()
    app.context.library_scan.wait(30)
    app.context.library_scan, app.context.song_select = None, {}  # a new start of the game
    monkeypatch.setattr(song_select, "CACHED_WAIT_S", 30.0)
    scene = SongSelectScene(app)
    assert titles(scene) == everything and scene.index == 0
    assert scene.scan.snapshot()[2].to_read == 0


def test_the_preview_line_follows_the_language_of_the_moment(
        app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview's line is kept untranslated and drawn in the language of each frame:
    a language chosen while a song stays highlighted is not left half in English."""
    from game.ui.i18n import current_language, set_language

    scene = opened(app)
    drawn: list[str] = []
    draw_text = scene.text

    def recorded(surface: Any, line: str, *args: Any, **kwargs: Any) -> Any:
        drawn.append(line)
        return draw_text(surface, line, *args, **kwargs)

    monkeypatch.setattr(scene, "text", recorded)
    scene._start_preview()  # no audio device here
    before = current_language()
    try:
        frame(app)
        assert "Preview off (no audio device)" in drawn
        set_language("ko")
        drawn.clear()
        frame(app)
        assert "미리듣기 꺼짐 (오디오 장치 없음)" in drawn
        assert "Preview off (no audio device)" not in drawn
    finally:
        set_language(before)
