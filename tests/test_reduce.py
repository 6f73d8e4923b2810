"""Difficulty reduction and rating (game.engine.reduce)."""

from __future__ import annotations

import ast
import os
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import game.engine.reduce as reduce_mod
from game.engine.chart import DIFFICULTIES, Chart, Note, SongMeta, make_note, sort_notes
from game.engine.reduce import difficulty_rating, reduce_chart, reduce_notes
from game.engine.tempo import MeterChange, TempoChange, TempoMap
from game.engine.voices import Voice

V = Voice
TEMPO = TempoMap.constant(100.0)
SNARE_LIKE = {V.SNARE, V.RIMSHOT, V.CROSS_STICK}


def _groove_dir() -> Path:
    env = os.environ.get("DRUM_DIPLOMACY_GROOVE_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data" / "groove"


GROOVE_DIR = _groove_dir()
needs_groove = pytest.mark.skipif(not GROOVE_DIR.is_dir(), reason=f"no {GROOVE_DIR}")


def n(beat: float, voice: Voice, **kw: object) -> Note:
    return make_note(TEMPO, beat, voice, **kw)  # type: ignore[arg-type]


def funk_groove(bars: int = 4) -> tuple[Note, ...]:
    """16th hats, kicks on 1 and the 'a' of 2, snare backbeat, ghosts, pedal, open hat."""
    notes: list[Note] = []
    for bar in range(bars):
        b = bar * 4.0
        notes += [n(b + i * 0.25, V.HIHAT_OPEN if i == 14 else V.HIHAT_CLOSED,
                    velocity=90 if i % 2 == 0 else 60) for i in range(16)]
        notes += [n(b, V.KICK), n(b + 1.75, V.KICK), n(b + 2.5, V.KICK)]
        notes += [n(b + 1, V.SNARE, accent=True), n(b + 3, V.SNARE)]
        notes += [n(b + 1.5, V.SNARE, ghost=True), n(b + 3.25, V.SNARE, ghost=True)]
        notes += [n(b + 0.5, V.HIHAT_PEDAL), n(b + 3.0, V.CRASH)]
    return sort_notes(notes)


def levels(notes: tuple[Note, ...], tempo: TempoMap = TEMPO) -> dict[str, tuple[Note, ...]]:
    return {d: reduce_notes(notes, tempo, d) for d in DIFFICULTIES}


def on_grid(note: Note, step: float, tempo: TempoMap = TEMPO) -> bool:
    _, into = tempo.bar_at_beat(note.beat)
    return abs(into / step - round(into / step)) < 1e-6


# the rules -------------------------------------------------------------------------
def test_expert_unchanged_and_bad_difficulty() -> None:
    g = funk_groove()
    assert reduce_notes(g, TEMPO, "expert") == g
    assert reduce_notes(g[::-1], TEMPO, "expert") == g
    with pytest.raises(ValueError, match="insane"):
        reduce_notes(g, TEMPO, "insane")
    assert all(reduce_notes((), TEMPO, d) == () for d in DIFFICULTIES)


def test_hard_drops_ghosts_and_pedal_and_doubles() -> None:
    g = (*funk_groove(), n(0.01, V.KICK, velocity=120))  # same 16th as the kick on 1
    hard = reduce_notes(g, TEMPO, "hard")
    assert not any(x.ghost for x in hard)
    assert V.HIHAT_PEDAL not in {x.voice for x in hard}
    slots = Counter((x.voice, round(x.beat * 4)) for x in hard)
    assert max(slots.values()) == 1
    assert n(0.01, V.KICK, velocity=120) in hard  # the louder of the two kicks
    assert V.HIHAT_OPEN in {x.voice for x in hard}
    assert set(hard) <= set(g)


def test_normal_rules() -> None:
    g = (*funk_groove(), n(8.5, V.KICK), n(9.0, V.RIDE), n(9.0, V.TOM_HIGH))
    normal = reduce_notes(g, TEMPO, "normal")
    assert all(on_grid(x, 0.5) for x in normal)
    assert not any(x.ghost for x in normal)
    voices = {x.voice for x in normal}
    assert V.HIHAT_PEDAL not in voices and V.HIHAT_OPEN not in voices
    chords: defaultdict[float, list[Voice]] = defaultdict(list)
    for x in normal:
        chords[x.beat].append(x.voice)
    for beat, vs in chords.items():
        assert len(vs) <= (2 if beat == int(beat) else 1)
    # snare + crash + hat on beat 3 of bar 1: kick/snare kept over cymbals
    assert sorted(v.value for v in chords[3.0]) == ["CR", "SD"]
    # snare + tom + hat + ride: snare, then the tom
    assert sorted(v.value for v in chords[9.0]) == ["SD", "T1"]
    # off-beat kick with the hat: the hat stays
    assert chords[2.5] == [V.HIHAT_CLOSED]


def test_easy_rules() -> None:
    g = funk_groove()
    easy = reduce_notes(g, TEMPO, "easy")
    assert {x.voice for x in easy} <= {V.KICK, V.SNARE}
    assert all(on_grid(x, 1.0) for x in easy)
    assert len({x.beat for x in easy}) == len(easy)
    by_beat = {x.beat: x.voice for x in easy}
    assert by_beat[0.0] is V.KICK and by_beat[1.0] is V.SNARE and by_beat[3.0] is V.SNARE


def test_easy_cymbal_only_beats_alternate_kick_snare() -> None:
    rides = tuple(n(b, V.RIDE) for b in range(8))
    easy = reduce_notes(rides, TEMPO, "easy")
    assert [x.voice for x in easy] == [V.KICK, V.SNARE] * 4


def test_easy_toms_become_snare() -> None:
    easy = reduce_notes((n(0, V.TOM_FLOOR), n(1, V.RIMSHOT), n(2, V.KICK)), TEMPO, "easy")
    assert [x.voice for x in easy] == [V.SNARE, V.SNARE, V.KICK]


def test_grid_is_measured_from_the_bar_line() -> None:
    tempo = TempoMap([TempoChange(0.0, 120.0)], [MeterChange(1, 7, 8)])
    # bar 2 of 7/8 starts at beat 3.5: its downbeat is a quarter-note position
    notes = (make_note(tempo, 3.5, V.KICK), make_note(tempo, 4.5, V.SNARE),
             make_note(tempo, 4.0, V.SNARE))
    easy = reduce_notes(notes, tempo, "easy")
    assert [x.beat for x in easy] == [3.5, 4.5]


def test_only_ghosts_still_gives_notes() -> None:
    ghosts = tuple(n(b * 0.25 + 0.1, V.SNARE, ghost=True) for b in range(8))
    for d in DIFFICULTIES:
        assert reduce_notes(ghosts, TEMPO, d)


def test_humanised_timing_reduces_like_the_grid() -> None:
    g = funk_groove()
    jitter = sort_notes([n(x.beat + (0.03 if i % 3 else -0.04), x.voice, velocity=x.velocity,
                           accent=x.accent, ghost=x.ghost) for i, x in enumerate(g)])
    exact, human = levels(g), levels(jitter)
    for d in DIFFICULTIES:
        assert len(exact[d]) == len(human[d]), d


# properties ------------------------------------------------------------------------
note_strategy = st.builds(
    lambda beat, voice, vel, ghost: n(beat / 48, voice, velocity=vel, ghost=ghost),
    st.integers(0, 48 * 16), st.sampled_from(list(Voice)), st.integers(1, 127), st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.lists(note_strategy, min_size=1, max_size=80))
def test_reductions_never_grow_and_never_vanish(notes: list[Note]) -> None:
    ns = sort_notes(notes)
    lv = levels(ns)
    counts = [len(lv[d]) for d in DIFFICULTIES]
    assert all(c >= 1 for c in counts)
    assert counts == sorted(counts)
    assert {x.voice for x in lv["easy"]} <= {V.KICK, V.SNARE}
    assert not any(x.ghost for x in lv["normal"] + lv["easy"])
    for d in DIFFICULTIES:
        assert list(lv[d]) == sorted(lv[d], key=lambda x: x.time_s)


def test_strictly_fewer_notes_on_a_real_groove_pattern() -> None:
    lv = levels(funk_groove())
    counts = [len(lv[d]) for d in DIFFICULTIES]
    assert counts[0] < counts[1] < counts[2] < counts[3]


# reduce_chart ----------------------------------------------------------------------
def test_reduce_chart_fills_missing_only() -> None:
    g = funk_groove()
    mine = (n(0, V.CRASH),)
    chart = Chart(SongMeta("t", "T"), TEMPO, (),
                  {("p1", "expert"): g, ("p1", "normal"): mine, ("p2", "hard"): g})
    out = reduce_chart(chart)
    assert out.parts[("p1", "normal")] == mine
    assert out.parts[("p1", "hard")] == reduce_notes(g, TEMPO, "hard")
    assert out.parts[("p1", "easy")] == reduce_notes(mine, TEMPO, "easy")  # nearest harder
    assert out.difficulties("p2") == ["easy", "normal", "hard"]
    assert out.parts[("p2", "normal")] == reduce_notes(g, TEMPO, "normal")
    assert chart.difficulties("p1") == ["normal", "expert"]  # input untouched


# rating ----------------------------------------------------------------------------
def test_rating_basics() -> None:
    assert difficulty_rating(()) == 0.0
    lv = levels(funk_groove(8))
    ratings = [difficulty_rating(lv[d]) for d in DIFFICULTIES]
    assert ratings == sorted(ratings) and len(set(ratings)) == 4
    assert all(1.0 <= r <= 10.0 for r in ratings)
    assert 1.0 <= ratings[0] < 3.0 and ratings[-1] > 5.0


@pytest.mark.parametrize("voices", [[V.SNARE], [V.KICK, V.SNARE, V.HIHAT_CLOSED]])
def test_rating_rises_with_density(voices: list[Voice]) -> None:
    def train(step: float) -> tuple[Note, ...]:
        return tuple(n(i * step, voices[i % len(voices)]) for i in range(int(32 / step)))
    ratings = [difficulty_rating(train(s)) for s in (2.0, 1.0, 0.5, 0.25)]
    assert ratings == sorted(ratings) and len(set(ratings)) == 4


def test_rating_short_part_uses_its_own_span() -> None:
    # 8 notes, 0.1 s apart: 10 notes per second, not 8 / 4 s
    fast = tuple(Note(i * 0.1, i * 0.1, V.SNARE) for i in range(8))
    assert difficulty_rating(fast) == pytest.approx(1 + 0.6 * 10)


def test_engine_module_is_headless() -> None:
    tree = ast.parse(Path(reduce_mod.__file__).read_text())
    imported = set()
    for node in tree.body:  # numpy only inside the rating: start-up never needs it
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module if node.module.startswith("game") else
                         node.module.split(".")[0])
    assert not any(m.startswith("game.formats") for m in imported)
    assert not imported & {"mido", "pygame", "numpy", "librosa"}


# real TD-11 recordings -------------------------------------------------------------
@pytest.mark.groove
@needs_groove
def test_groove_reductions_are_monotonic() -> None:
    from game.formats.midi_import import import_midi

    files = sorted(GROOVE_DIR.glob("drummer*/eval_session/*.mid"))
    assert len({f.name for f in files}) == 10
    for f in files:
        for quantize in (None, "1/16"):
            chart = import_midi(f, quantize=quantize)
            counts = [len(chart.notes("p1", d)) for d in DIFFICULTIES]
            assert 0 < counts[0] < counts[1] < counts[2] <= counts[3], (f.name, counts)
            ratings = [difficulty_rating(chart.notes("p1", d)) for d in DIFFICULTIES]
            assert ratings[0] < ratings[1] < ratings[2] <= ratings[3] + 0.05, (f.name, ratings)
            assert {x.voice for x in chart.notes("p1", "easy")} <= {V.KICK, V.SNARE}
