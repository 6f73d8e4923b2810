"""KitInterpreter: what each raw kit message means (hits, pedal, double triggers,
cross-talk, pedal merges, ignored traffic) and the VelocityCurve."""

from __future__ import annotations

import itertools

import mido
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.engine.voices import Voice
from game.formats.kitmap import KitMap, load_kitmap, parse_kitmap
from game.input.kit import (
    HIT,
    IGNORED,
    NOTE_OFF,
    PEDAL,
    SUPPRESSED,
    UNMAPPED,
    KitInterpreter,
    VelocityCurve,
)

V = Voice
HATS = {V.HIHAT_CLOSED, V.HIHAT_OPEN, V.HIHAT_HALF}
T0 = 1000.0  # a perf_counter-like origin (seconds)


def on(note: int, velocity: int = 100, channel: int = 9) -> mido.Message:
    return mido.Message("note_on", note=note, velocity=velocity, channel=channel)


def cc(value: int, control: int = 4, channel: int = 9) -> mido.Message:
    return mido.Message("control_change", control=control, value=value, channel=channel)


def ms(x: float) -> float:
    return T0 + x / 1000.0


@pytest.fixture
def roland() -> KitInterpreter:
    return KitInterpreter(load_kitmap("roland"))


@pytest.fixture
def gm() -> KitInterpreter:
    """General MIDI: no [triggers] table, so the default clean-up rules."""
    interp = KitInterpreter(load_kitmap("gm"))
    r = interp.rules
    assert (r.retrigger_ms, r.retrigger_ratio, r.crosstalk_ms, r.crosstalk_ratio) == (
        10.0, 0.5, 3.0, 0.1)
    return interp


ONE_NOTE_HAT = """\
name = "One Note Hat"
[notes]
"36" = "kick"
"38" = "snare"
"40" = "rimshot"
"42" = "hihat_closed"
"46" = "hihat_open"
"44" = "hihat_pedal"
"48" = "tom_high"

[hihat]
pedal_notes = [42]
open_below = 32
closed_from = 96
"""


# message kinds -------------------------------------------------------------------
def test_note_on_velocity_zero_is_a_note_off(gm: KitInterpreter) -> None:
    pad = gm.interpret(on(38, 0), ms(0))
    assert pad.kind == NOTE_OFF
    assert (pad.note, pad.velocity, pad.voice, pad.channel) == (38, 0, None, 9)
    # it is not a stroke: a real stroke right after is not a "double trigger" of it
    assert gm.interpret(on(38, 20), ms(1)).kind == HIT


def test_note_off(roland: KitInterpreter) -> None:
    pad = roland.interpret(mido.Message("note_off", note=36, velocity=64, channel=3), ms(0))
    assert (pad.kind, pad.note, pad.velocity, pad.channel, pad.t_capture) == (
        NOTE_OFF, 36, 64, 3, ms(0))


def test_hit_carries_voice_curve_velocity_and_stamp() -> None:
    interp = KitInterpreter(load_kitmap("roland"), curve=VelocityCurve(gain=0.5))
    pad = interp.interpret(on(38, 100, channel=2), 12.5)
    assert (pad.kind, pad.voice, pad.note, pad.velocity, pad.channel) == (HIT, V.SNARE, 38, 100, 2)
    assert pad.t_capture == 12.5
    assert pad.out_velocity == 50


def test_unmapped_note_names_the_note_and_the_map(roland: KitInterpreter) -> None:
    pad = roland.interpret(on(99, 90), ms(0))
    assert pad.kind == UNMAPPED and pad.voice is None
    assert "99" in pad.detail and "Roland TD" in pad.detail
    gm = KitInterpreter(load_kitmap("gm")).interpret(on(22), ms(0))  # a Roland-only note
    assert gm.kind == UNMAPPED and "22" in gm.detail and "General MIDI" in gm.detail


def test_cc4_is_the_pedal_position_per_channel(roland: KitInterpreter) -> None:
    assert roland.pedal_position() is None
    pad = roland.interpret(cc(70), ms(0))
    assert (pad.kind, pad.note, pad.velocity) == (PEDAL, 4, 70)
    assert "70" in pad.detail
    roland.interpret(cc(5, channel=0), ms(1))
    assert roland.pedal_position(9) == 70
    assert roland.pedal_position(0) == 5
    assert roland.pedal_position(3) is None
    # a different controller is not the pedal and does not move it
    other = roland.interpret(cc(1, control=7), ms(2))
    assert other.kind == IGNORED and "7" in other.detail
    assert roland.pedal_position(9) == 70


@pytest.mark.parametrize(("msg", "detail"), [
    (mido.Message("control_change", control=64, value=127, channel=9), "controller 64"),
    (mido.Message("clock"), "clock"),
    (mido.Message("active_sensing"), "active sensing"),
    (mido.Message("sysex", data=[0x41, 0x10, 0x42]), "sysex"),
    (mido.Message("program_change", program=5, channel=9), "program change"),
    (mido.Message("pitchwheel", pitch=100, channel=9), "pitch bend"),
    (mido.Message("aftertouch", value=3, channel=9), "aftertouch"),
    (mido.Message("start"), "transport"),
    (mido.Message("stop"), "transport"),
])
def test_other_traffic_is_ignored_with_a_detail(roland: KitInterpreter, msg: mido.Message,
                                               detail: str) -> None:
    pad = roland.interpret(msg, ms(0))
    assert pad.kind == IGNORED
    assert pad.detail == detail
    assert pad.voice is None
    assert roland.pedal_position(9) is None


def test_polytouch_is_a_choke_and_ignored(gm: KitInterpreter) -> None:
    pad = gm.interpret(mido.Message("polytouch", note=49, value=127, channel=9), ms(0))
    assert (pad.kind, pad.detail, pad.voice, pad.note) == (IGNORED, "choke", V.CRASH, 49)
    # a choke is not a stroke: the next crash hit is not suppressed
    assert gm.interpret(on(49, 10), ms(1)).kind == HIT


# hi-hat pedal ----------------------------------------------------------------------
def test_roland_open_hat_is_open_or_half_by_pedal(roland: KitInterpreter) -> None:
    assert roland.interpret(on(46), ms(0)).voice == V.HIHAT_OPEN  # before any CC4
    roland.interpret(cc(10), ms(100))
    assert roland.interpret(on(46), ms(200)).voice == V.HIHAT_OPEN
    assert roland.interpret(on(26), ms(300)).voice == V.HIHAT_OPEN  # edge note too
    roland.interpret(cc(60), ms(400))
    half = roland.interpret(on(46), ms(500))
    assert (half.kind, half.voice) == (HIT, V.HIHAT_HALF)
    roland.interpret(cc(127), ms(600))  # closed_from 128: the module says open, never closed
    assert roland.interpret(on(46), ms(700)).voice == V.HIHAT_HALF
    roland.interpret(cc(10), ms(800))
    assert roland.interpret(on(42), ms(900)).voice == V.HIHAT_CLOSED  # 42 is not pedal-read


def test_pedal_state_is_per_channel(roland: KitInterpreter) -> None:
    roland.interpret(cc(60, channel=0), ms(0))
    assert roland.interpret(on(46, channel=9), ms(100)).voice == V.HIHAT_OPEN
    assert roland.interpret(on(46, channel=0), ms(200)).voice == V.HIHAT_HALF


@pytest.mark.parametrize(("position", "voice"), [
    (0, V.HIHAT_OPEN), (31, V.HIHAT_OPEN), (32, V.HIHAT_HALF), (60, V.HIHAT_HALF),
    (95, V.HIHAT_HALF), (96, V.HIHAT_CLOSED), (127, V.HIHAT_CLOSED),
])
def test_custom_one_note_hat(position: int, voice: Voice) -> None:
    km = parse_kitmap(ONE_NOTE_HAT, path="one.toml")
    assert km.rules.pedal_notes == frozenset({42})
    interp = KitInterpreter(km)
    assert interp.interpret(on(42), ms(0)).voice == V.HIHAT_CLOSED  # before any CC: as mapped
    interp.interpret(cc(position), ms(50))
    pad = interp.interpret(on(42), ms(100))
    assert (pad.kind, pad.voice) == (HIT, voice)
    # 46 is not pedal-classified: it stays open whatever the pedal says
    assert interp.interpret(on(46), ms(200)).voice == V.HIHAT_OPEN


# double triggers and cross-talk (default rules: 10 ms / 0.5, 3 ms / 0.1) -------------
def test_double_trigger_on_the_same_pad_is_suppressed(gm: KitInterpreter) -> None:
    assert gm.interpret(on(38, 100), ms(0)).kind == HIT
    rim = gm.interpret(on(40, 30), ms(4))  # the head re-triggering as its rim
    assert (rim.kind, rim.voice) == (SUPPRESSED, V.RIMSHOT)
    assert "double trigger" in rim.detail and "snare" in rim.detail
    weak = gm.interpret(on(38, 49), ms(8))  # still < 0.5 x 100 of the kept stroke
    assert weak.kind == SUPPRESSED


def test_retrigger_boundaries(gm: KitInterpreter) -> None:
    assert gm.interpret(on(38, 100), ms(0)).kind == HIT
    assert gm.interpret(on(38, 50), ms(5)).kind == HIT  # exactly half: kept
    assert gm.interpret(on(38, 20), ms(30)).kind == HIT  # after the window: kept


def test_equal_velocity_within_the_window_is_a_hit(gm: KitInterpreter) -> None:
    assert gm.interpret(on(38, 90), ms(0)).kind == HIT
    assert gm.interpret(on(40, 90), ms(6)).kind == HIT


def test_drag_at_13_ms_is_played_not_dropped(gm: KitInterpreter) -> None:
    # a drag: two grace strokes 13 ms apart at equal velocity, then the accent
    kinds = [gm.interpret(on(38, v), ms(t)).kind
             for t, v in [(0, 45), (13, 45), (26, 110), (39, 45), (52, 45), (65, 110)]]
    assert kinds == [HIT] * 6


def test_crosstalk_on_another_pad_is_suppressed(gm: KitInterpreter) -> None:
    assert gm.interpret(on(36, 120), ms(0)).kind == HIT
    ghost = gm.interpret(on(48, 8), ms(1))  # the tom picking up the kick
    assert (ghost.kind, ghost.voice) == (SUPPRESSED, V.TOM_HIGH)
    assert "cross-talk" in ghost.detail and "kick" in ghost.detail
    assert gm.interpret(on(48, 8), ms(10)).kind == HIT  # after the window


def test_strong_simultaneous_hits_on_two_pads_are_kept(gm: KitInterpreter) -> None:
    kick = gm.interpret(on(36, 100), ms(0))
    hat = gm.interpret(on(42, 90), ms(0.5))
    snare = gm.interpret(on(38, 12), ms(1))  # >= 0.1 x 90: a real ghost note
    assert [kick.kind, hat.kind, snare.kind] == [HIT, HIT, HIT]
    assert [kick.voice, hat.voice, snare.voice] == [V.KICK, V.HIHAT_CLOSED, V.SNARE]


def test_streams_on_other_channels_do_not_interact(gm: KitInterpreter) -> None:
    assert gm.interpret(on(38, 120, channel=9), ms(0)).kind == HIT
    assert gm.interpret(on(38, 10, channel=0), ms(1)).kind == HIT
    assert gm.interpret(on(48, 5, channel=1), ms(1)).kind == HIT


# pedal + open hi-hat merge (Alesis: 10 ms; Roland: off) ----------------------------
def test_alesis_merges_pedal_and_open_hat() -> None:
    alesis = load_kitmap("alesis")
    assert alesis.rules.pedal_merge_ms == 10
    interp = KitInterpreter(alesis)
    assert interp.interpret(on(44, 80), ms(0)).kind == HIT
    pad = interp.interpret(on(46, 80), ms(5))
    assert (pad.kind, pad.voice) == (SUPPRESSED, V.HIHAT_OPEN)
    assert "same stroke" in pad.detail and "pedal" in pad.detail
    # the other way round: the pedal note after the open hat is the one dropped
    assert interp.interpret(on(46, 80), ms(100)).kind == HIT
    assert interp.interpret(on(44, 80), ms(104)).kind == SUPPRESSED


def test_alesis_pedal_and_hat_20_ms_apart_are_two_strokes() -> None:
    interp = KitInterpreter(load_kitmap("alesis"))
    assert interp.interpret(on(44, 80), ms(0)).kind == HIT
    assert interp.interpret(on(46, 80), ms(20)).kind == HIT


def test_alesis_foot_closing_on_a_stick_stroke_keeps_the_closed_hat() -> None:
    # disco "tss-chick": the foot closes the hat as the stick strikes it; the
    # closed hat (42) is a real stroke, only an OPEN hat is merged with the pedal
    interp = KitInterpreter(load_kitmap("alesis"))
    assert interp.interpret(on(46, 90), ms(0)).kind == HIT
    assert interp.interpret(on(44, 70), ms(250)).kind == HIT
    closed = interp.interpret(on(42, 90), ms(253))
    assert (closed.kind, closed.voice) == (HIT, V.HIHAT_CLOSED)
    assert interp.interpret(on(42, 90), ms(500)).kind == HIT
    assert interp.interpret(on(44, 70), ms(503)).kind == HIT  # and the other way round


def test_roland_keeps_pedal_and_open_hat() -> None:
    interp = KitInterpreter(load_kitmap("roland"))
    assert interp.rules.pedal_merge_ms == 0
    assert interp.interpret(on(44, 80), ms(0)).kind == HIT
    assert interp.interpret(on(46, 80), ms(5)).kind == HIT


# velocity curve ------------------------------------------------------------------
def test_identity_curve_and_clamping() -> None:
    c = VelocityCurve()
    assert [c.apply(v) for v in range(1, 128)] == list(range(1, 128))
    assert c.apply(0) == 1 and c.apply(-5) == 1 and c.apply(500) == 127
    assert VelocityCurve(gain=0.0).apply(100) == 1
    assert VelocityCurve(gain=3.0).apply(100) == 127
    assert VelocityCurve(gamma=2.0).apply(64) == 32


@settings(max_examples=200, deadline=None)
@given(gain=st.floats(0.05, 5.0), gamma=st.floats(0.25, 4.0))
def test_curve_is_clamped_and_monotonic(gain: float, gamma: float) -> None:
    c = VelocityCurve(gain=gain, gamma=gamma)
    outs = [c.apply(v) for v in range(-3, 140)]
    assert all(1 <= o <= 127 for o in outs)
    assert all(a <= b for a, b in itertools.pairwise(outs))


@pytest.mark.parametrize(("soft", "hard"), [
    ([30, 35, 40], [95, 100, 105]),
    ([60, 55, 62, 58], [100, 96, 104, 90]),
    ([20], [120]),
    ([50, 50, 52], [70, 72, 71]),
])
def test_fit_maps_soft_median_to_40_and_hard_median_to_115(soft: list[int],
                                                            hard: list[int]) -> None:
    c = VelocityCurve.fit(soft, hard)
    s, h = sorted(soft)[len(soft) // 2], sorted(hard)[len(hard) // 2]
    assert abs(c.apply(s) - 40) <= 1
    assert abs(c.apply(h) - 115) <= 1


def test_fit_custom_targets() -> None:
    c = VelocityCurve.fit([40], [100], soft_target=30, hard_target=120)
    assert abs(c.apply(40) - 30) <= 1 and abs(c.apply(100) - 120) <= 1


@pytest.mark.parametrize(("soft", "hard"), [
    ([], [100]), ([40], []), ([], []), ([80, 80], [80, 80]), ([100], [60]),
])
def test_fit_rejects_no_strokes_or_hard_not_louder(soft: list[int], hard: list[int]) -> None:
    with pytest.raises(ValueError):
        VelocityCurve.fit(soft, hard)


# any stream --------------------------------------------------------------------
EVERY_VOICE = parse_kitmap(
    "name = 'Every Voice'\n[notes]\n"
    + "".join(f'"{60 + i}" = "{v.name.lower()}"\n' for i, v in enumerate(Voice))
    + f"[hihat]\npedal_notes = [{60 + list(Voice).index(V.HIHAT_CLOSED)}]\n"
    + "pedal_merge_ms = 15\n",
    path="every.toml")
MAPS = [load_kitmap(n) for n in ("gm", "roland", "alesis", "yamaha")] + [EVERY_VOICE]

channels = st.integers(0, 15)
notes = st.one_of(st.integers(0, 127), st.sampled_from([36, 38, 40, 42, 44, 46, 26, 60, 64, 67]))
messages = st.one_of(
    st.builds(lambda n, v, c: mido.Message("note_on", note=n, velocity=v, channel=c),
              notes, st.integers(0, 127), channels),
    st.builds(lambda n, v, c: mido.Message("note_off", note=n, velocity=v, channel=c),
              notes, st.integers(0, 127), channels),
    st.builds(lambda k, v, c: mido.Message("control_change", control=k, value=v, channel=c),
              st.one_of(st.just(4), st.integers(0, 127)), st.integers(0, 127), channels),
    st.just(mido.Message("clock")),
)


@settings(max_examples=300, deadline=None)
@given(kitmap=st.sampled_from(MAPS),
       stream=st.lists(st.tuples(messages, st.floats(0.0, 0.05)), max_size=60))
def test_any_stream_is_interpreted(kitmap: KitMap, stream: list[tuple[mido.Message, float]]
                                   ) -> None:
    interp = KitInterpreter(kitmap)
    t = 50.0
    for msg, gap in stream:
        t += gap
        pad = interp.interpret(msg, t)
        assert pad.t_capture == t
        if msg.type == "note_on" and msg.velocity > 0:
            mapped = kitmap.notes.get(msg.note)
            if mapped is None:
                assert pad.kind == UNMAPPED
                continue
            assert pad.kind in (HIT, SUPPRESSED)
            if msg.note in kitmap.rules.pedal_notes:
                assert pad.voice in HATS
            else:
                assert pad.voice == mapped
            if pad.kind == HIT:
                assert 1 <= pad.out_velocity <= 127
        elif msg.type in ("note_on", "note_off"):
            assert pad.kind == NOTE_OFF
        elif msg.type == "control_change":
            assert pad.kind == (PEDAL if msg.control == kitmap.rules.pedal_cc else IGNORED)
        else:
            assert pad.kind == IGNORED


def test_triggers_table_of_zero_turns_the_clean_up_off() -> None:
    km = parse_kitmap(ONE_NOTE_HAT + "[triggers]\nretrigger_ms = 0\ncrosstalk_ms = 0\n")
    interp = KitInterpreter(km)
    assert interp.interpret(on(38, 120), ms(0)).kind == HIT
    assert interp.interpret(on(38, 5), ms(1)).kind == HIT  # would be a double trigger
    assert interp.interpret(on(48, 5), ms(1.5)).kind == HIT  # would be cross-talk
