"""Replays (exact round trip, re-judging, broken files, atomic save) and bots."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.engine.bot import (
    AUTO_ACCENT_VELOCITY,
    AUTO_GHOST_VELOCITY,
    AUTO_VELOCITY,
    HumanBot,
    autoplay,
    bot_events,
    parse_bot_spec,
)
from game.engine.chart import Chart, Note, SongMeta, make_note, sort_notes
from game.engine.events import HitEvent
from game.engine.judging import JudgeSettings
from game.engine.replay import FORMAT, VERSION, Replay
from game.engine.report import session_report
from game.engine.session import PlayerSetup, Session, judge_performance
from game.engine.tempo import TempoMap
from game.engine.voices import KEYBOARD_5, KIT_9, Voice
from game.engine.windows import CASUAL, STANDARD, STRICT, HitWindows, windows_named
from game.formats.replay_file import load_replay, save_replay
from game.util.errors import GameError, HitsError, ReplayMismatchError

TEMPO = TempoMap.constant(100)
PLAYERS = (PlayerSetup("p1", "expert", KEYBOARD_5, "Ana"),
           PlayerSetup("p2", "expert", KIT_9, "Bo"))


def make_chart(n: int = 200, *, title: str = "Song", shift_last: bool = False) -> Chart:
    cycle = (Voice.KICK, Voice.HIHAT_CLOSED, Voice.SNARE, Voice.HIHAT_OPEN)
    p1 = [make_note(TEMPO, k * 0.5, cycle[k % 4], accent=k % 8 == 0, ghost=k % 8 == 3)
          for k in range(n)]
    p2 = [make_note(TEMPO, k * 1.0, (Voice.KICK, Voice.SNARE)[k % 2]) for k in range(n // 2)]
    if shift_last:
        p1[-1] = make_note(TEMPO, (n - 1) * 0.5 + 0.25, p1[-1].voice)
    return Chart(SongMeta("song", title), TEMPO, (),
                 {("p1", "expert"): sort_notes(p1), ("p2", "expert"): sort_notes(p2)})


def performance(chart: Chart, sd: float = 18.0) -> list[HitEvent]:
    evs = HumanBot(sd_ms=sd, bias_ms=3.0, drift_ms=2.0, miss_rate=0.05, stray_rate=0.05,
                   seed=1).play(chart.notes("p1", "expert"), player=0)
    evs += HumanBot(sd_ms=sd, miss_rate=0.05, seed=2).play(chart.notes("p2", "expert"),
                                                           player=1)
    # Keyboard-style events: a lane, no voice; and awkward floats.
    evs += [HitEvent(0, 0.1 + 0.2, None, 1, 64, "keyboard"),
            HitEvent(1, 1e-17, Voice.RIDE_BELL, None, 1, "midi"),
            HitEvent(0, 123.456789012345678, None, 4, 127, "keyboard")]
    return sorted(evs, key=lambda e: e.time_s)


def report_json(s: Session) -> str:
    return json.dumps(session_report(s), sort_keys=True)


@pytest.fixture
def recorded() -> tuple[Chart, list[HitEvent], Session, Replay]:
    chart = make_chart()
    evs = performance(chart)
    s = judge_performance(chart, PLAYERS, evs)
    return chart, evs, s, Replay.of_session(s, evs)


# --- round trip ----------------------------------------------------------------------


def test_json_round_trip_is_bit_identical(recorded: tuple) -> None:
    chart, evs, _, replay = recorded
    text = replay.to_json()
    back = Replay.from_json(text)
    assert back == replay
    assert back.events == tuple(evs)
    for a, b in zip(back.events, evs, strict=True):
        assert a.time_s == b.time_s  # exact, not approximate
        assert (a.player, a.voice, a.lane, a.velocity, a.source) == \
            (b.player, b.voice, b.lane, b.velocity, b.source)
    assert back.to_json() == text
    assert back.chart_hash == chart.content_hash()
    assert back.players == PLAYERS
    assert back.players[1].layout is KIT_9
    doc = json.loads(text)
    assert doc["format"] == FORMAT
    assert doc["version"] == VERSION
    assert doc["players"][0]["name"] == "Ana"


@pytest.mark.parametrize("windows", [STANDARD, STRICT, CASUAL, windows_named("20/40/80/120")])
def test_round_trip_keeps_settings(windows: HitWindows) -> None:
    chart = make_chart(20)
    evs = performance(chart)[:10]
    settings = JudgeSettings(windows, accent_velocity=90, late_input_s=(0.05, 0.07))
    s = Session(chart, PLAYERS, settings)
    r = Replay.of_session(s, evs, [-math.inf] + [e.time_s + 0.01 for e in evs[1:]])
    back = Replay.from_json(r.to_json())
    assert back.windows == windows
    assert back.settings == settings
    assert back.fed_at_s == r.fed_at_s and back.fed_at_s[0] == -math.inf
    assert back == r


def test_rejudge_gives_identical_report(recorded: tuple, tmp_path: Path) -> None:
    chart, _, s, replay = recorded
    again = Replay.from_json(replay.to_json()).rejudge(chart)
    assert report_json(again) == report_json(s)
    assert again.result() == s.result()
    path = tmp_path / "take.ddreplay"
    save_replay(replay, path)
    assert report_json(load_replay(path).rejudge(chart)) == report_json(s)
    # A retitled chart with the same notes still matches.
    retitled = session_report(replay.rejudge(make_chart(title="Other title")))
    original = session_report(s)
    assert retitled["song"]["title"] == "Other title"
    retitled["song"]["title"] = original["song"]["title"]
    assert json.dumps(retitled, sort_keys=True) == json.dumps(original, sort_keys=True)


def test_rejudge_with_strict_windows(recorded: tuple) -> None:
    chart, _, s, replay = recorded
    strict = replay.rejudge(chart, windows=STRICT)
    for p in (0, 1):
        std_stats, strict_stats = s.player_stats(p), strict.player_stats(p)
        assert strict_stats.perfect < std_stats.perfect
        assert strict_stats.accuracy < std_stats.accuracy
        assert strict_stats.judged == std_stats.judged
    assert session_report(strict)["windows_ms"] == pytest.approx(STRICT.as_ms())
    # The replay keeps its own windows.
    assert replay.windows == STANDARD


def test_replay_against_other_chart(recorded: tuple) -> None:
    _, _, _, replay = recorded
    other = make_chart(shift_last=True)
    with pytest.raises(ReplayMismatchError, match="recorded on chart 'song'") as info:
        replay.rejudge(other)
    assert isinstance(info.value, GameError)
    # Forced, it judges anyway.
    forced = replay.rejudge(other, check_hash=False)
    assert forced.player_stats(0).judged == len(other.notes("p1", "expert"))


def test_events_of(recorded: tuple) -> None:
    _, evs, _, replay = recorded
    assert replay.events_of(0) == [e for e in evs if e.player == 0]
    assert replay.events_of(1) == [e for e in evs if e.player == 1]


# --- broken replays ----------------------------------------------------------------------


def good_doc(replay: Replay) -> dict:
    return json.loads(replay.to_json())


def broken(replay: Replay, change: object) -> str:
    doc = good_doc(replay)
    change(doc)  # type: ignore[operator]
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="something-else"), "not a replay"),
        (lambda d: d.pop("format"), "not a replay"),
        (lambda d: d.update(version=3), "unsupported replay version 3"),
        (lambda d: d.pop("version"), "unsupported replay version None"),
        (lambda d: d.pop("settings"), "broken replay: KeyError"),
        (lambda d: d["settings"]["windows_s"].pop("great_s"), "broken replay"),
        (lambda d: d["settings"].pop("accent_velocity"), "broken replay"),
        (lambda d: d.pop("events"), "broken replay: KeyError"),
        (lambda d: d.pop("players"), "broken replay"),
        (lambda d: d.pop("chart"), "broken replay"),
        (lambda d: d["chart"].pop("hash"), "broken replay"),
        (lambda d: d["players"].pop(), "broken replay"),
        (lambda d: d["players"][0].update(layout="piano"), "unknown lane layout"),
        (lambda d: d["events"].append([0, 1.0, "ZZ", None, 100, "x"]), "broken replay"),
        (lambda d: d["events"].append([0, 1.0, "SD"]), "broken replay"),
        (lambda d: d["events"].append(17), "broken replay"),
        (lambda d: d["events"].append([0, "soon", "SD", None, 100, "x"]), "broken replay"),
        (lambda d: d["settings"]["windows_s"].update(perfect_s=0.5), "hit windows"),
    ],
)
def test_broken_replays(recorded: tuple, change: object, message: str) -> None:
    _, _, _, replay = recorded
    with pytest.raises(HitsError, match=message):
        Replay.from_json(broken(replay, change))


@pytest.mark.parametrize("text", ["", "{", "not json at all", "[1, 2", "\x00"])
def test_not_json(text: str) -> None:
    with pytest.raises(HitsError, match="not a replay: invalid JSON"):
        Replay.from_json(text)


@pytest.mark.parametrize("text", ["[]", "42", "null", '"drum-diplomacy-replay"'])
def test_json_but_not_an_object(text: str) -> None:
    with pytest.raises(HitsError, match="not a replay"):
        Replay.from_json(text)


def test_load_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ddreplay"
    bad.write_text("{oops", encoding="utf-8")
    with pytest.raises(HitsError, match="invalid JSON") as info:
        load_replay(bad)
    assert info.value.path == str(bad)
    assert str(bad) in str(info.value)
    assert isinstance(info.value, ValueError)

    binary = tmp_path / "binary.ddreplay"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(HitsError, match="cannot read replay"):
        load_replay(binary)

    with pytest.raises(HitsError, match="cannot read replay") as info2:
        load_replay(tmp_path / "missing.ddreplay")
    assert "missing.ddreplay" in str(info2.value)


# --- atomic save ---------------------------------------------------------------------------


def test_save_is_atomic(recorded: tuple, tmp_path: Path,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, _, replay = recorded
    target = tmp_path / "sub" / "take.ddreplay"
    save_replay(replay, target)
    assert sorted(os.listdir(target.parent)) == ["take.ddreplay"]
    assert Replay.from_json(target.read_text(encoding="utf-8")) == replay
    # Overwrite with another replay: still one file, new content.
    other = Replay.of_session(judge_performance(make_chart(10), PLAYERS, []), [])
    save_replay(other, target)
    assert sorted(os.listdir(target.parent)) == ["take.ddreplay"]
    assert load_replay(target) == other

    # A crash before the rename leaves the old file whole and no temp file behind.
    before = target.read_bytes()

    def boom(src: object, dst: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk on fire"):
        save_replay(replay, target)
    monkeypatch.undo()
    assert target.read_bytes() == before
    assert sorted(os.listdir(target.parent)) == ["take.ddreplay"]


# --- bot specs -------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["auto", "bot:auto", "bot", "bot:", "  auto  "])
def test_parse_auto(spec: str) -> None:
    assert parse_bot_spec(spec) is None


def test_parse_bot_spec_values() -> None:
    assert parse_bot_spec("bot:sd=15,bias=-5") == HumanBot(sd_ms=15.0, bias_ms=-5.0)
    b = parse_bot_spec(" bot:sd=10, drift=2.5,miss=0.1,stray=0.05,seed=7 ")
    assert b == HumanBot(sd_ms=10.0, bias_ms=0.0, drift_ms=2.5, miss_rate=0.1,
                         stray_rate=0.05, seed=7)
    assert b is not None and isinstance(b.seed, int)
    assert parse_bot_spec("bot:miss=0,stray=1") == HumanBot(miss_rate=0.0, stray_rate=1.0)
    assert parse_bot_spec("bot:sd=0") == HumanBot(sd_ms=0.0)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("human", "must be 'auto' or 'bot:KEY=VALUE"),
        ("", "must be 'auto'"),
        ("robot:sd=1", "must be 'auto'"),
        ("bot:foo=1", "bad item 'foo=1'"),
        ("bot:sd", "bad item 'sd'"),
        ("bot:sd=abc", "sd must be a number, got 'abc'"),
        ("bot:seed=", "seed must be a number"),
        ("bot:sd=inf", "sd must be finite"),
        ("bot:bias=nan", "bias must be finite"),
        ("bot:miss=1.5", r"miss must be in \[0, 1\]"),
        ("bot:miss=-0.1", r"miss must be in \[0, 1\]"),
        ("bot:stray=2", r"stray must be in \[0, 1\]"),
        ("bot:sd=-1", "sd and drift must be >= 0"),
        ("bot:drift=-2", "sd and drift must be >= 0"),
    ],
)
def test_parse_bot_spec_errors(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_bot_spec(spec)


def test_bad_item_lists_keys() -> None:
    with pytest.raises(ValueError) as info:
        parse_bot_spec("bot:speed=3")
    for key in ("sd", "bias", "drift", "miss", "stray", "seed"):
        assert key in str(info.value)


# --- bots --------------------------------------------------------------------------------------


def test_autoplay() -> None:
    notes = make_chart(24).notes("p1", "expert")
    evs = autoplay(notes, player=1)
    assert [e.time_s for e in evs] == [n.time_s for n in notes]
    assert [e.voice for e in evs] == [n.voice for n in notes]
    assert all(e.player == 1 and e.source == "bot" for e in evs)
    for e, n in zip(evs, notes, strict=True):
        expected = (AUTO_ACCENT_VELOCITY if n.accent else AUTO_GHOST_VELOCITY if n.ghost
                    else AUTO_VELOCITY)
        assert e.velocity == expected
    assert bot_events("auto", notes, player=1) == evs


def test_human_bot_deterministic_per_seed() -> None:
    notes = make_chart().notes("p1", "expert")
    bot = HumanBot(sd_ms=12, drift_ms=3, miss_rate=0.1, stray_rate=0.1, seed=42)
    a = bot.play(notes, player=0)
    assert a == bot.play(notes, player=0)
    assert a == HumanBot(sd_ms=12, drift_ms=3, miss_rate=0.1, stray_rate=0.1,
                         seed=42).play(notes, player=0)
    assert a != HumanBot(sd_ms=12, drift_ms=3, miss_rate=0.1, stray_rate=0.1,
                         seed=43).play(notes, player=0)
    assert [e.time_s for e in a] == sorted(e.time_s for e in a)
    assert bot_events("bot:sd=12,drift=3,miss=0.1,stray=0.1,seed=42", notes, player=0) == a
    assert HumanBot().play((), player=0) == []


def test_human_bot_miss_rate_matches_observed_misses() -> None:
    tempo = TempoMap.constant(120)
    notes = sort_notes([make_note(tempo, float(k), Voice.SNARE) for k in range(3000)])
    chart = Chart(SongMeta("m", "M"), tempo, (), {("p1", "expert"): notes,
                                                 ("p2", "expert"): notes})
    for rate in (0.0, 0.2):
        evs = HumanBot(sd_ms=8, miss_rate=rate, seed=9).play(notes, player=0)
        assert len(evs) == pytest.approx(len(notes) * (1 - rate), abs=0.025 * len(notes))
        s = judge_performance(chart, (PlayerSetup("p1"), PlayerSetup("p2")), evs)
        stats = s.player_stats(0)
        assert stats.miss / len(notes) == pytest.approx(rate, abs=0.025)
        assert stats.miss == len(notes) - len(evs)
        assert stats.strays == 0


def test_human_bot_strays_and_bias() -> None:
    tempo = TempoMap.constant(60)  # one note a second: a stray 200-400 ms late hits nothing
    notes = sort_notes([make_note(tempo, float(k), Voice.KICK) for k in range(2000)])
    chart = Chart(SongMeta("s", "S"), tempo, (), {("p1", "expert"): notes,
                                                 ("p2", "expert"): notes})
    evs = HumanBot(sd_ms=10, bias_ms=-12, stray_rate=0.1, seed=3).play(notes, player=0)
    s = judge_performance(chart, (PlayerSetup("p1"), PlayerSetup("p2")), evs)
    stats = s.player_stats(0)
    assert stats.strays / len(notes) == pytest.approx(0.1, abs=0.02)
    assert stats.strays == len(evs) - len(notes)
    assert stats.miss == 0
    assert stats.mean_offset_ms == pytest.approx(-12.0, abs=1.0)
    assert stats.unstable_rate == pytest.approx(100.0, rel=0.1)
    offs = np.array([o for _, o in s.scores[0].offsets])
    assert float(np.std(offs) * 1e4) == pytest.approx(stats.unstable_rate, rel=1e-6)


def test_note_dataclass_sanity() -> None:
    # Bots copy the note's voice, so a kit layout lands them in the right lanes.
    n = Note(1.0, 2.0, Voice.HIHAT_PEDAL)
    ev = autoplay([n], player=0)[0]
    assert KIT_9.lane_of(ev.voice) == n.lane(KIT_9)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.001, max_value=0.5, allow_nan=False), min_size=4,
                max_size=4))
def test_replay_keeps_any_windows_exactly(widths):
    """Windows are stored in seconds, so any windows come back bit-identical."""
    w = HitWindows(*sorted(widths))
    replay = Replay("x", "0" * 64, (PlayerSetup("p1"), PlayerSetup("p2")), (), JudgeSettings(w))
    assert Replay.from_json(replay.to_json()).windows == w
