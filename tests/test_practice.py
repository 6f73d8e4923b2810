"""Practice mode: the practice chart (engine), the headless loop (CLI), the scenes.

The audio side (cutting, stretching, the cache) is in test_practice_audio.py.
Screenshots of the practice screens go to /tmp/scene_shots.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any

import pygame
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.cli import main
from game.engine.bot import autoplay
from game.engine.chart import Chart, Section, SongMeta, make_note, sort_notes
from game.engine.events import Grade, HitEvent
from game.engine.practice import (
    loop_result,
    plan_practice,
    practice_chart,
    practice_sections,
    snap_speed,
    speeds,
)
from game.engine.session import PlayerSetup, Session, judge_performance
from game.engine.tempo import MeterChange, TempoChange, TempoMap
from game.engine.voices import Voice
from game.formats.library import load_song
from game.util.errors import GameError

# librosa's first call compiles numba code (30-45 s cold): cache it between runs
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "drum-diplomacy-numba"))
SHOTS = Path("/tmp/scene_shots")
SETUPS = (PlayerSetup("p1", "expert", name="P1"), PlayerSetup("p2", "expert", name="P2"))


def toy_chart(tempo: TempoMap, beats: list[float], sections: list[tuple[str, float]]) -> Chart:
    """Both parts at every difficulty: the same beats (P2 only the even ones)."""
    voices = (Voice.KICK, Voice.SNARE, Voice.HIHAT_CLOSED)
    p1 = sort_notes([make_note(tempo, b, voices[i % 3]) for i, b in enumerate(beats)])
    p2 = sort_notes([make_note(tempo, b, Voice.SNARE) for i, b in enumerate(beats) if i % 2 == 0])
    parts = {(p, d): ns for d in ("easy", "expert") for p, ns in (("p1", p1), ("p2", p2))}
    secs = tuple(Section(name, b, tempo.seconds_at(b)) for name, b in sections)
    return Chart(SongMeta("toy", "Toy"), tempo, secs, parts)


# the plan --------------------------------------------------------------------------------
def test_speeds_are_50_to_100_percent_in_5_percent_steps() -> None:
    assert speeds()[0] == 0.5 and speeds()[-1] == 1.0 and len(speeds()) == 11
    assert snap_speed(0.77) == 0.75 and snap_speed(0.3) == 0.5 and snap_speed(2.0) == 1.0
    chart = load_song("first-contact")
    for bad in (0.45, 0.77, 1.05, math.nan):
        with pytest.raises(GameError):
            plan_practice(chart, "Groove", speed=bad)


def test_plan_of_one_section_and_of_a_run() -> None:
    chart = load_song("handshake-groove")  # 95 BPM 4/4, sections Intro, Verse 1, ...
    names = [s.name for s in chart.sections]
    bar = 4 * 60 / 95
    plan = plan_practice(chart, "verse 2", speed=0.75)
    assert plan.names == ("Verse 2",)
    assert plan.start_s == pytest.approx(chart.sections[names.index("Verse 2")].time_s)
    assert plan.end_s == pytest.approx(chart.sections[names.index("Trade")].time_s)
    assert plan.pre_roll_s == pytest.approx(bar)
    assert plan.lead_s == pytest.approx(bar / 0.75)
    assert plan.loop_s == pytest.approx(bar / 0.75 + 8 * bar / 0.75 + plan.tail_s)
    run = plan_practice(chart, "Pre", "Trade", speed=1.0)  # a unique prefix will do
    assert run.names == ("Pre-Chorus", "Chorus", "Verse 2", "Trade")
    assert run.label == "Pre-Chorus - Trade"
    last = plan_practice(chart, "Ending")
    assert last.end_s > max(n.time_s for ns in chart.parts.values() for n in ns)
    assert plan_practice(chart, 0).clip_start_s == pytest.approx(-bar)  # silence before bar 1


def test_bad_ranges_say_what_is_there() -> None:
    chart = load_song("handshake-groove")
    with pytest.raises(GameError, match=r"'Bridge' is not a section.*'Intro'"):
        plan_practice(chart, "Bridge")
    with pytest.raises(GameError, match="comes before"):
        plan_practice(chart, "Chorus", "Intro")
    with pytest.raises(GameError, match="ambiguous"):
        plan_practice(chart, "Verse")  # Verse 1 or Verse 2?
    assert plan_practice(chart, "Fin").names == ("Final Chorus",)


def test_a_chart_without_sections_practises_the_whole_song() -> None:
    tempo = TempoMap.constant(120.0)
    chart = toy_chart(tempo, [0.0, 1.0, 2.0, 7.5], [])
    (only,) = practice_sections(chart)
    plan = plan_practice(chart, "whole song", speed=0.5)
    assert plan.start_s == 0.0 and plan.end_s == pytest.approx(4.0)  # bar 2 ends at 4 s
    assert len(practice_chart(chart, plan).notes("p1", "expert")) == 4
    assert only.name == "Whole song"


def test_practice_chart_maps_notes_tempo_and_sections() -> None:
    chart = load_song("skyline-accord")  # 126 -> 128 BPM with a 2/4 bar
    plan = plan_practice(chart, "Build 2", "Final Chorus", speed=0.6)
    pc = practice_chart(chart, plan)
    assert set(pc.parts) == set(chart.parts)
    for key, notes in pc.parts.items():
        src = [n for n in chart.parts[key] if plan.start_beat <= n.beat < plan.end_beat]
        assert [n.beat for n in notes] == [n.beat for n in src]
        for a, b in zip(src, notes, strict=True):
            assert b.time_s == pytest.approx((a.time_s - plan.start_s) / 0.6 + plan.lead_s)
            assert pc.tempo.seconds_at(b.beat) == pytest.approx(b.time_s, abs=1e-9)
            assert (b.voice, b.velocity, b.accent, b.ghost) == (a.voice, a.velocity, a.accent,
                                                                a.ghost)
    assert [t.bpm for t in pc.tempo.tempos] == pytest.approx(
        [t.bpm * 0.6 for t in chart.tempo.tempos])
    assert pc.tempo.meters == chart.tempo.meters
    assert [s.name for s in pc.sections] == ["Build 2", "Final Chorus"]
    assert pc.sections[0].time_s == pytest.approx(plan.lead_s)


def test_the_engine_runs_unchanged_and_windows_stay_in_real_ms() -> None:
    chart = load_song("mirror-ball-summit")
    for speed in (1.0, 0.5):
        pc = practice_chart(chart, plan_practice(chart, "Chorus", speed=speed))
        s = Session(pc, SETUPS)
        notes = s.notes[0]
        # 40 ms late is a Great and 10 ms a Perfect at any speed: windows are real time
        j1 = s.feed(HitEvent(0, notes[0].time_s + 0.040, notes[0].voice, None, 100, "test"))
        j2 = s.feed(HitEvent(0, notes[4].time_s + 0.010, notes[4].voice, None, 100, "test"))
        assert j1.grade is Grade.GREAT and j1.offset_s == pytest.approx(0.040)
        assert j2.grade is Grade.PERFECT and j2.offset_s == pytest.approx(0.010)

        events = autoplay(pc.notes("p1", "expert"), player=0) + autoplay(
            pc.notes("p2", "expert"), player=1)
        done = judge_performance(pc, SETUPS, events)
        result = loop_result(done, loop=1, speed=speed)
        assert result.accuracy == (1.0, 1.0)
        assert result.hit == result.notes == (len(done.notes[0]), len(done.notes[1]))


# properties --------------------------------------------------------------------------------
@st.composite
def charts(draw: Any) -> Chart:
    bpms = draw(st.lists(st.floats(60, 200), min_size=1, max_size=3))
    tempos = [TempoChange(8.0 * i, b) for i, b in enumerate(bpms)]
    meters = [MeterChange(1, 4, 4)] + ([MeterChange(3, draw(st.sampled_from([3, 5, 7])), 8)]
                                       if draw(st.booleans()) else [])
    tempo = TempoMap(tempos, meters, offset_s=draw(st.floats(-0.5, 2.0)))
    beats = sorted(set(draw(st.lists(st.integers(0, 160), min_size=4, max_size=60))))
    cuts = sorted(set(draw(st.lists(st.integers(1, 30), max_size=5))))
    return toy_chart(tempo, [b / 4 for b in beats],
                     [("S0", 0.0)] + [(f"S{i + 1}", 2.0 * c) for i, c in enumerate(cuts)])


@settings(max_examples=150, deadline=None)
@given(chart=charts(), data=st.data())
def test_practice_chart_properties(chart: Chart, data: Any) -> None:
    n = len(chart.sections)
    first = data.draw(st.integers(0, n - 1))
    last = data.draw(st.integers(first, n - 1))
    speed = data.draw(st.sampled_from(speeds()))
    try:
        plan = plan_practice(chart, first, last, speed=speed)
    except GameError as exc:
        assert "no notes" in str(exc) or "no length" in str(exc)  # sections past the end
        return
    pc = practice_chart(chart, plan)
    for key, notes in pc.parts.items():
        src = [x for x in chart.parts[key] if plan.start_s - 1e-9 <= x.time_s < plan.end_s - 1e-9]
        assert len(notes) == len(src)  # every note of the range, nothing else
        times = [x.time_s for x in notes]
        assert times == sorted(times)  # order kept
        assert all(plan.lead_s - 1e-9 <= t < plan.lead_s + plan.range_s / speed for t in times)
        if len(notes) >= 2:  # durations scale by 1 / speed
            assert times[-1] - times[0] == pytest.approx(
                (src[-1].time_s - src[0].time_s) / speed, abs=1e-9)
        if speed == 1.0:  # identity on times (shifted to the practice timeline)
            for a, b in zip(src, notes, strict=True):
                assert plan.to_song(b.time_s) == pytest.approx(a.time_s, abs=1e-9)
                assert b.time_s - plan.lead_s + plan.start_s == pytest.approx(a.time_s,
                                                                              abs=1e-9)
    assert plan.loop_s == pytest.approx(plan.lead_s + plan.range_s / speed + plan.tail_s)


# the command line --------------------------------------------------------------------------
def test_headless_practice_loops(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["practice", "handshake-groove", "--section", "verse 2", "--to", "trade",
            "--speed", "0.75", "--loops", "3", "--headless", "--p1", "auto",
            "--p2", "bot:sd=25,seed=4"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [ln.split(" at ")[0] for ln in lines[:3]] == ["loop 1", "loop 2", "loop 3"]
    assert all(" at 75 %: P1 100.00 %" in ln for ln in lines[:3])
    assert "not saved as scores" in lines[-1]
    assert main([*argv, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["saved"] is False and len(doc["loops"]) == 3
    chart = load_song("handshake-groove")
    plan = plan_practice(chart, "Verse 2", "Trade", speed=0.75)
    want = [sum(plan.start_beat <= n.beat < plan.end_beat for n in chart.notes(p, "expert"))
            for p in ("p1", "p2")]
    accs = []
    for loop in doc["loops"]:
        assert loop["notes"] == want and loop["speed"] == 0.75
        assert loop["accuracy"][0] == 1.0 and 0.5 < loop["accuracy"][1] < 1.0
        accs.append(loop["accuracy"][1])
    assert len(set(accs)) == 3  # the bot plays each loop afresh
    assert main([*argv[:-1], "bot:sd=25,seed=5", "--json"]) == 0  # a new seed, new loops
    assert [x["accuracy"][1] for x in json.loads(capsys.readouterr().out)["loops"]][:2] \
        == accs[1:]


@pytest.mark.parametrize(("args", "says"), [
    (["--section", "Bridge"], "is not a section"),
    (["--section", "Intro", "--speed", "0.4"], "steps of 0.05"),
    (["--section", "Intro", "--p2", "keyboard"], "needs one"),
    (["--section", "Intro", "--p2", "replay:x.ddreplay"], "replay plays a whole song"),
    (["--section", "Intro", "--loops", "0"], "at least 1"),
])
def test_headless_practice_errors(args: list[str], says: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    base = ["practice", "first-contact", "--headless", "--p1", "auto", "--p2", "auto"]
    assert main([*base, *args]) == 1
    assert says in capsys.readouterr().err


# the scenes --------------------------------------------------------------------------------
class FakeAudio:
    """Records what the scenes ask of the audio player (a 44.1 kHz mixer)."""

    frequency = 44100

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> float:
            self.calls.append((name, args))
            return time.perf_counter()
        return record


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from game.app.app import App
    from game.app.context import AppContext
    from game.store.scores import ScoreStore
    from game.store.settings import Settings

    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path))
    store = ScoreStore(tmp_path / "scores.sqlite3")
    a = App(size=(1280, 720), context=AppContext(settings=Settings(), audio=None, scores=store,
                                        settings_path=tmp_path / "s.toml", notices=[]))
    yield a
    while a.scenes:
        a.scenes.pop().close()
    store.close()


def press(app: Any, key: int) -> None:
    app.top.on_event(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode="",
                                        scancode=0), time.perf_counter())


def shot(app: Any, name: str) -> Path:
    app.top.update(time.perf_counter())
    app.top.draw(app.screen)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    pygame.image.save(app.screen, str(path))
    return path


def end_loop(practice: Any) -> None:
    """Jump the song clock past the loop's end and run a frame."""
    g = practice.gameplay
    g.clock.start(g._end_s + 0.01)
    g._audio_started = True
    practice.update(time.perf_counter())


def setup_scene(app: Any, song: str) -> Any:
    from game.app.scenes.practice_setup import PracticeSetupScene
    from game.formats.library import resolve_beatmap
    from game.live.sources import parse_source

    chart = load_song(song)
    scene = PracticeSetupScene(app, chart, SETUPS, (parse_source("auto"),
                                                    parse_source("bot:sd=20,seed=1")),
                               folder=resolve_beatmap(song).parent,
                               cache_dir=Path(app.context.settings_path).parent / "cache")
    app.push(scene)
    return scene


def test_player_setup_has_a_practice_button(app: Any) -> None:
    from game.app.scenes.player_setup import BUTTONS, PlayerSetupScene
    from game.formats.library import song_entries

    entry = next(e for e in song_entries()[0] if e["id"] == "first-contact")
    app.push(PlayerSetupScene(app, entry))
    app.top.row, app.top.button = 3, BUTTONS.index("Practice")
    press(app, pygame.K_RETURN)
    assert app.top.name == "practice_setup", app.scenes[-2].message
    assert [s.difficulty for s in app.top.setups] == [app.scenes[-2].difficulty(i)
                                                      for i in (0, 1)]


def test_practice_loops_without_sound(app: Any) -> None:
    setup = setup_scene(app, "first-contact")
    press(app, pygame.K_RIGHT)  # From: Groove (To follows)
    press(app, pygame.K_DOWN)
    press(app, pygame.K_RIGHT)  # To: Trade
    press(app, pygame.K_DOWN)
    for _ in range(3):
        press(app, pygame.K_LEFT)  # 75 % -> 60 %
    assert (setup.first, setup.last, setup.speed) == (1, 2, 0.6)
    shot(app, "practice_setup")
    press(app, pygame.K_RETURN)
    practice = app.top
    assert practice.name == "practice"
    practice.update(time.perf_counter())  # no audio service: nothing to prepare
    g = practice.gameplay
    assert g is not None and g.chart.notes("p1", "expert")[0].time_s == pytest.approx(
        practice.plan.lead_s)
    end_loop(practice)
    end_loop(practice)
    assert [r.loop for r in practice.results] == [1, 2] and practice.loop == 3
    assert practice.results[0].accuracy[0] == 1.0  # autoplay
    assert practice.gameplay.session.notes[0] and not practice.gameplay.finished
    press(app, pygame.K_EQUALS)  # + : 65 % from the next loop (no audio: ready at once)
    end_loop(practice)
    assert practice.plan.speed == 0.65 and practice.results[-1].speed == 0.6
    assert app.context.scores.count() == 0  # practice is never saved as a score
    path = shot(app, "practice_loops")
    assert path.stat().st_size > 10_000
    press(app, pygame.K_ESCAPE)
    assert app.top.name == "practice_pause"
    shot(app, "practice_pause")
    for _ in range(3):
        press(app, pygame.K_DOWN)
    press(app, pygame.K_RETURN)  # Change section
    assert app.top is setup


def test_practice_prepares_slowed_audio_in_the_background(app: Any) -> None:
    audio = FakeAudio()
    app.context.audio = audio
    setup = setup_scene(app, "handshake-groove")  # Intro: 4 bars, 10 s
    setup.speed = 0.95
    press(app, pygame.K_RETURN)
    practice = app.top
    first = practice.task(0.95)
    assert first is not None and practice.gameplay is None
    press(app, pygame.K_MINUS)  # while preparing: 90 % instead
    task = practice.task(0.9)
    assert practice.plan.speed == 0.9 and task is not None and practice.pending_speed is None
    assert first.wait(60) and first.error == "cancelled"
    path = shot(app, "practice_preparing")  # the game keeps drawing meanwhile
    assert path.stat().st_size > 10_000
    assert task.wait(180), "stretching took more than 3 minutes"
    assert task.error is None, task.error
    practice.update(time.perf_counter())
    g = practice.gameplay
    assert g is not None
    loads = [args for name, args in audio.calls if name == "load_stems"]
    backing, drums = loads[-1]
    assert backing.endswith("backing.wav") and sorted(drums) == [0, 1]
    assert all(Path(p).is_file() for p in (backing, *drums.values()))
    press(app, pygame.K_MINUS)  # 85 % for the next loop, prepared meanwhile
    assert practice.pending_speed == 0.85
    shot(app, "practice_next_speed")
    press(app, pygame.K_EQUALS)  # back to 90 %: the 85 % preparation is dropped...
    assert practice.pending_speed is None and practice.task(0.85).cancelled
    press(app, pygame.K_MINUS)  # ... and asked for again
    assert not practice.task(0.85).cancelled
    assert practice.task(0.85).wait(180) and practice.task(0.85).error is None
    end_loop(practice)
    assert practice.plan.speed == 0.85 and practice.pending_speed is None
    assert audio.calls and [a for n, a in audio.calls if n == "load_stems"][-1][0] != backing
    shot(app, "practice_85")
    press(app, pygame.K_ESCAPE)
    for _ in range(4):
        press(app, pygame.K_DOWN)
    press(app, pygame.K_RETURN)  # Quit practice: back before the setup screen
    assert not app.scenes or app.top.name not in ("practice", "practice_setup")
