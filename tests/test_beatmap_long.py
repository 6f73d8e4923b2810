"""Long, dense, real-looking duets through the .beatmap writer and parser, bit for bit.

The generator is the one ``bench/beatmap_speed.py`` times on a one-hour duet;
here it builds a few minutes, so the test stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.engine.chart import DIFFICULTIES, PARTS, Chart, Note
from game.formats.beatmap import parse_beatmap
from game.formats.beatmap_writer import write_beatmap
from game.util.errors import BeatmapError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from beatmap_speed import duet_chart

HEAD = "drum-diplomacy beatmap 1\n[song]\nid = t\ntitle = T\n[tempo]\n1 120 4/4\n"


def exact(chart: Chart) -> tuple[object, ...]:
    """Everything in a chart, floats compared bit for bit (repr keeps -0.0 apart)."""
    def note(n: Note) -> tuple[object, ...]:
        return repr(n.time_s), repr(n.beat), n.voice, n.velocity, n.accent, n.ghost

    return (chart.meta, chart.tempo.tempos, chart.tempo.meters, repr(chart.tempo.offset_s),
            [(s.name, repr(s.beat), repr(s.time_s)) for s in chart.sections],
            list(chart.parts), {key: [note(n) for n in ns] for key, ns in chart.parts.items()})


@pytest.fixture(scope="module")
def duet() -> Chart:
    return duet_chart(3.0)


@pytest.fixture(scope="module")
def duet_text(duet: Chart) -> str:
    return write_beatmap(duet)


def test_generated_duet_is_a_real_looking_chart(duet: Chart, duet_text: str) -> None:
    """The generator gives what the round trip below should cover."""
    assert set(duet.parts) == {(p, d) for p in PARTS for d in DIFFICULTIES}
    assert duet.length_s >= 170
    assert {(m.numerator, m.denominator) for m in duet.tempo.meters} >= {(4, 4), (3, 4), (7, 8)}
    assert any(t.beat != duet.tempo.bar_start_beat(duet.tempo.bar_at_beat(t.beat)[0])
               for t in duet.tempo.tempos)  # a tempo change mid-bar
    rows = [line.split("|")[1:-1] for line in duet_text.splitlines() if line.endswith("|")]
    widths = {len(seg) for row in rows for seg in row}
    assert {16, 12, 24, 14} <= widths  # 16ths, triplets, sextuplets; 16ths of a 7/8 bar
    assert "ghost" not in duet_text and "g" in "".join(seg for row in rows for seg in row)
    assert any(" v=" in line for line in duet_text.splitlines())  # own velocities
    assert any(line.startswith("at ") and " v=" not in line
               for line in duet_text.splitlines())  # off every grid
    experts = [len(duet.notes(p, "expert")) for p in PARTS]
    assert all(n / duet.length_s > 8 for n in experts)  # dense: over 8 notes a second


def test_generated_duet_round_trips_bit_for_bit(duet: Chart, duet_text: str) -> None:
    back = parse_beatmap(duet_text, path="duet.beatmap")
    assert exact(back) == exact(duet)
    assert back.content_hash() == duet.content_hash()
    assert write_beatmap(back) == duet_text


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(0.05, 0.8), st.integers(0, 10**6))
def test_any_generated_duet_round_trips_bit_for_bit(minutes: float, seed: int) -> None:
    chart = duet_chart(minutes, seed=seed)
    text = write_beatmap(chart)
    back = parse_beatmap(text)
    assert exact(back) == exact(chart)
    assert write_beatmap(back) == text


def test_a_remembered_row_is_checked_again_under_each_grid() -> None:
    text = HEAD + "[p1 easy]\nbars 1-2\nSD |x-|x-|\nbar 3\nSD |x-|x-|  # !\n"
    with pytest.raises(BeatmapError, match=r"has 2 bar segment\(s\), expected 1") as err:
        parse_beatmap(text)
    assert err.value.line == text.split("\n").index("SD |x-|x-|  # !") + 1
    chart = parse_beatmap(HEAD + "[p1 easy]\nbar 1\nSD |x-|\nbar 5\nSD |x-|\nBD |x-|\n")
    assert [(n.beat, n.voice.code) for n in chart.notes("p1", "easy")] == [
        (0.0, "SD"), (16.0, "BD"), (16.0, "SD")]


def test_the_first_note_written_wins_also_through_copies() -> None:
    chart = parse_beatmap(HEAD + "[p1 easy]\nbar 2\nSD |X---|\nbar 1\nSD |g---|\n"
                          "bar 2 = 1\nat 2:1 SD v=50\n[p2 easy]\nbar 2\nSD |-x--|\n"
                          "bar 2 = p1 1\n")
    p1 = chart.notes("p1", "easy")
    assert [(n.beat, n.accent, n.ghost, n.velocity) for n in p1] == [
        (0.0, False, True, 40), (4.0, True, False, 127)]
    p2 = chart.notes("p2", "easy")
    assert [(n.beat, n.ghost) for n in p2] == [(4.0, True), (5.0, False)]
