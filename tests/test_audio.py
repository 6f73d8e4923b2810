"""game.audio: the song clock (fake time), synthesised sounds, and the mixer player (dummy)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from game.audio import synth
from game.audio.clock import SongClock
from game.audio.player import AudioPlayer
from game.engine.chart import Chart, SongMeta
from game.engine.tempo import MeterChange, TempoChange, TempoMap
from game.engine.voices import Voice

REPO = Path(__file__).resolve().parents[1]
SR = 44100


class FakeTime:
    """A settable time source in seconds."""

    def __init__(self, t: float = 100.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


# SongClock ---------------------------------------------------------------------
def test_clock_is_paused_at_zero_before_start():
    clock = SongClock(time_source=FakeTime())
    assert not clock.running
    assert clock.now() == 0.0


def test_clock_maps_perf_time_linearly():
    fake = FakeTime(100.0)
    clock = SongClock(time_source=fake)
    clock.start()
    assert clock.running
    assert clock.now() == pytest.approx(0.0)
    for dt in (0.001, 0.5, 3.25, 60.0):
        fake.t = 100.0 + dt
        assert clock.now() == pytest.approx(dt)


def test_clock_start_at_song_time_and_explicit_perf_anchor():
    fake = FakeTime(10.0)
    clock = SongClock(time_source=fake)
    clock.start(3.0, at_perf_s=9.0)  # playback of 3.0 s began one second ago
    assert clock.now() == pytest.approx(4.0)


def test_clock_subtracts_audio_latency():
    fake = FakeTime(50.0)
    clock = SongClock(time_source=fake, audio_latency_s=0.04)
    clock.start(0.0)
    assert clock.now() == pytest.approx(-0.04)
    fake.t = 51.0
    assert clock.now() == pytest.approx(0.96)
    assert clock.to_song_time(50.04) == pytest.approx(0.0)  # first sample heard


def test_to_song_time_of_earlier_timestamps_is_pure():
    fake = FakeTime(20.0)
    clock = SongClock(time_source=fake, audio_latency_s=0.01)
    clock.start(0.0)
    fake.t = 25.0
    assert clock.now() == pytest.approx(4.99)
    # an input captured 30 ms ago maps to 30 ms earlier song time, not clamped
    assert clock.to_song_time(24.97) == pytest.approx(4.96)
    assert clock.to_song_time(19.0) == pytest.approx(-1.01)
    assert clock.to_song_time(24.97) == clock.to_song_time(24.97)


def test_now_never_goes_backwards_under_jitter():
    fake = FakeTime(0.0)
    clock = SongClock(time_source=fake)
    clock.start()
    times = [0.0, 0.010, 0.009, 0.012, 0.0115, 0.0119, 0.020, 0.018, 0.021]
    readings = []
    for t in times:
        fake.t = t
        readings.append(clock.now())
    assert all(b >= a for a, b in itertools.pairwise(readings))
    assert readings == pytest.approx(list(np.maximum.accumulate(times)))


def test_pause_freezes_and_resume_continues_exactly():
    fake = FakeTime(10.0)
    clock = SongClock(time_source=fake, audio_latency_s=0.05)
    clock.start(0.0)
    fake.t = 12.0
    clock.pause()
    assert not clock.running
    frozen = clock.now()
    assert frozen == pytest.approx(1.95)
    fake.t = 20.0
    assert clock.now() == frozen
    assert clock.to_song_time(11.0) == pytest.approx(0.95)  # before the pause: still mapped
    assert clock.to_song_time(15.0) == frozen  # during the pause: frozen
    clock.pause()  # no-op
    clock.resume()
    assert clock.running
    assert clock.now() == pytest.approx(frozen)
    fake.t = 21.5
    assert clock.now() == pytest.approx(frozen + 1.5)
    clock.resume()  # no-op while running
    assert clock.now() == pytest.approx(frozen + 1.5)


def test_pause_resume_with_explicit_perf_times():
    fake = FakeTime(0.0)
    clock = SongClock(time_source=fake)
    clock.start(0.0, at_perf_s=0.0)
    clock.pause(at_perf_s=2.0)
    fake.t = 5.0
    clock.resume(at_perf_s=4.0)
    assert clock.now() == pytest.approx(3.0)


def test_seek_moves_backwards_and_clamp_restarts():
    fake = FakeTime(0.0)
    clock = SongClock(time_source=fake, audio_latency_s=0.02)
    clock.start(0.0)
    fake.t = 30.0
    assert clock.now() == pytest.approx(29.98)
    clock.seek(5.0)  # practice loop back to 5 s
    assert clock.now() == pytest.approx(4.98)
    fake.t = 31.0
    assert clock.now() == pytest.approx(5.98)


def test_seek_while_paused_stays_paused():
    fake = FakeTime(0.0)
    clock = SongClock(time_source=fake)
    clock.start(0.0)
    fake.t = 10.0
    clock.pause()
    clock.seek(2.0)
    assert not clock.running
    fake.t = 15.0
    assert clock.now() == pytest.approx(2.0)
    clock.resume()
    fake.t = 16.0
    assert clock.now() == pytest.approx(3.0)


# synth -----------------------------------------------------------------------------
def _spectrum(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mono = x[:, 0].astype(np.float64)
    return np.fft.rfftfreq(mono.size, 1.0 / SR), np.abs(np.fft.rfft(mono)) ** 2


@pytest.mark.parametrize("accent", [True, False])
def test_click_shape_and_level(accent):
    x = synth.click(accent=accent)
    assert x.dtype == np.int16 and x.ndim == 2 and x.shape[1] == 2
    assert 100 < len(x) < SR // 10
    assert 1000 < np.abs(x).max() < 32767


def test_accent_click_is_higher_and_louder():
    a, b = synth.click(accent=True), synth.click(accent=False)
    fa, pa = _spectrum(a)
    fb, pb = _spectrum(b)
    assert fa[pa.argmax()] > fb[pb.argmax()]
    assert np.abs(a).max() > np.abs(b).max()


@pytest.mark.parametrize("voice", list(Voice))
def test_drum_hit_shape_and_level(voice):
    x = synth.drum_hit(voice)
    assert x.dtype == np.int16 and x.ndim == 2 and x.shape[1] == 2
    assert np.array_equal(x[:, 0], x[:, 1])
    assert 0 < len(x) < 0.5 * SR
    peak = int(np.abs(x.astype(np.int32)).max())
    assert 1000 < peak < 32767
    assert x[-1].tolist() == [0, 0]  # faded out: no click at the end


def test_drum_hit_velocity_scales_level():
    soft = np.abs(synth.drum_hit(Voice.SNARE, velocity=40)).max()
    loud = np.abs(synth.drum_hit(Voice.SNARE, velocity=127)).max()
    assert soft < 0.5 * loud


def test_drum_hit_is_deterministic():
    assert np.array_equal(synth.drum_hit(Voice.CRASH), synth.drum_hit(Voice.CRASH))


def test_kick_energy_is_low():
    freqs, power = _spectrum(synth.drum_hit(Voice.KICK))
    assert freqs[power.argmax()] < 200.0


@pytest.mark.parametrize("voice", [Voice.HIHAT_CLOSED, Voice.HIHAT_OPEN, Voice.HIHAT_PEDAL])
def test_hihat_energy_is_high(voice):
    freqs, power = _spectrum(synth.drum_hit(voice))
    assert power[freqs > 5000.0].sum() / power.sum() > 0.9


def test_drum_hit_follows_sample_rate():
    assert len(synth.drum_hit(Voice.KICK, sr=22050)) == pytest.approx(
        len(synth.drum_hit(Voice.KICK)) / 2, abs=1)


def _onsets(x: np.ndarray, *, threshold: int = 500, gap_s: float = 0.005) -> list[int]:
    active = np.flatnonzero(np.abs(x[:, 0].astype(np.int32)) > threshold)
    gap = int(gap_s * SR)
    return [int(i) for k, i in enumerate(active) if k == 0 or i - active[k - 1] > gap]


def _expected_beats(tempo: TempoMap, length_s: float) -> list[tuple[float, bool]]:
    """Beats (quarter notes) of the denominator pulse, with downbeat flags, written out."""
    out = []
    for bar in range(1, 200):
        first = tempo.bar_start_beat(bar)
        meter = tempo.meter_at_bar(bar)
        pulse = 4.0 / meter.denominator
        for k in range(round(meter.bar_beats / pulse)):
            if 0 <= tempo.seconds_at(first + k * pulse) < length_s:
                out.append((first + k * pulse, k == 0))
    return out


def test_click_track_clicks_on_the_tempo_maps_beats():
    tempo = TempoMap([TempoChange(0.0, 120.0), TempoChange(8.0, 90.0)],
                     [MeterChange(1, 4, 4), MeterChange(3, 7, 8)], offset_s=0.25)
    length_s = 12.0
    track = synth.click_track(tempo, length_s)
    assert track.dtype == np.int16 and track.shape == (round(length_s * SR), 2)
    beats = _expected_beats(tempo, length_s)
    onsets = _onsets(track)
    assert len(onsets) == len(beats) > 20
    for index, (beat, _) in zip(onsets, beats, strict=True):
        assert abs(index / SR - tempo.seconds_at(beat)) < 0.001
    # bar downbeats accented: louder than the other clicks
    peaks = [int(np.abs(track[i:i + 500, 0].astype(np.int32)).max()) for i in onsets]
    down = [p for p, (_, is_down) in zip(peaks, beats, strict=True) if is_down]
    other = [p for p, (_, is_down) in zip(peaks, beats, strict=True) if not is_down]
    assert min(down) > max(other)
    assert len(down) == 2 + 4  # two 4/4 bars, then 7/8 bars (2.33 s) from 4.25 s on


def test_click_track_from_a_chart_defaults_its_length():
    chart = Chart(SongMeta("t", "T"), TempoMap.constant(100.0), (), {})
    track = synth.click_track(chart)
    assert track.shape == (2 * SR, 2)
    assert len(_onsets(track)) == 4  # 0, 0.6, 1.2, 1.8 s
    with pytest.raises(ValueError):
        synth.click_track(chart.tempo)


def test_clock_and_synth_do_not_import_pygame():
    code = ("import sys, game.audio, game.audio.clock, game.audio.synth; "
            "print('pygame' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO)
    assert out.stdout.strip() == "False"


# AudioPlayer (SDL dummy driver) ------------------------------------------------------
def _write_wav(path: Path, freq_hz: float, seconds: float = 0.5) -> str:
    t = np.arange(int(seconds * SR)) / SR
    mono = (0.3 * 32767 * np.sin(2 * np.pi * freq_hz * t)).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(np.column_stack((mono, mono)).tobytes())
    return str(path)


@pytest.fixture
def player():
    p = AudioPlayer(buffer_samples=256)
    if not p.open():
        pytest.skip(f"no dummy audio: {p.unavailable_reason}")
    yield p
    p.close()


def test_player_opens_with_small_buffer(player):
    assert player.available and player.unavailable_reason is None
    assert pygame.mixer.get_init() == (player.frequency, -16, 2)
    assert player.output_latency_s == pytest.approx(256 / player.frequency)
    assert player.open()  # idempotent


def test_player_click_track_play_pause_resume(player):
    import time

    chart = Chart(SongMeta("t", "T"), TempoMap.constant(120.0), (), {})
    player.load_song(None, chart=chart)
    before = time.perf_counter()
    started = player.play()
    assert before <= started <= time.perf_counter()
    assert player.busy
    player.pause()
    assert player.resume() >= started
    assert player.play(0.5) >= started  # mid-song start: sliced
    assert player.play(-0.5) >= started  # lead-in: padded with silence
    assert player.play(99.0) >= started  # past the end: silence, no error
    player.stop()
    with pytest.raises(ValueError):
        player.load_song(None)


def test_player_loads_a_song_file(player, tmp_path):
    player.load_song(_write_wav(tmp_path / "song.wav", 220.0))
    player.play(0.1)
    assert player.busy


def test_play_hit_does_not_raise(player):
    for voice in Voice:
        player.play_hit(voice, player=0, velocity=100)
    for _ in range(40):  # more hits than channels: the oldest is stolen
        player.play_hit(Voice.SNARE, player=1, velocity=127)
    player.play_hit(Voice.KICK, player=5, velocity=0)


def test_stems_mute_toggling_sets_channel_volume(player, tmp_path):
    backing = _write_wav(tmp_path / "backing.wav", 110.0)
    drums = {0: _write_wav(tmp_path / "p1.wav", 330.0), 1: _write_wav(tmp_path / "p2.wav", 440.0)}
    player.load_stems(backing, drums)
    player.play()
    assert player.busy
    player.set_player_drums_audible(0, False)
    assert player.track_channel("drums:0").get_volume() == 0.0
    assert player.track_channel("drums:1").get_volume() == pytest.approx(1.0)
    assert player.track_channel("backing").get_volume() == pytest.approx(1.0)
    player.set_player_drums_audible(0, True)
    assert player.track_channel("drums:0").get_volume() == pytest.approx(1.0)
    player.set_player_drums_audible(1, False)
    player.set_volumes(0.5, 1.0, 1.0)
    assert player.track_channel("drums:1").get_volume() == 0.0
    assert player.track_channel("backing").get_volume() == pytest.approx(0.5, abs=0.01)
    player.set_player_drums_audible(7, False)  # no such stem: ignored


def test_player_without_audio_device_stays_silent():
    code = """
import json
from game.audio.player import AudioPlayer
from game.engine.chart import Chart, SongMeta
from game.engine.tempo import TempoMap
from game.engine.voices import Voice
p = AudioPlayer()
ok = p.open()
chart = Chart(SongMeta("t", "T"), TempoMap.constant(120.0), (), {})
p.load_song(None, chart=chart)
p.load_stems("missing.wav", {0: "missing.wav"})
t = p.play(1.0)
p.play_hit(Voice.SNARE, player=0, velocity=90)
p.set_player_drums_audible(0, False)
p.set_volumes(1.0, 1.0, 1.0)
p.pause()
p.resume()
p.stop()
p.close()
print(json.dumps({"ok": ok, "reason": p.unavailable_reason, "t": t, "busy": p.busy}))
"""
    env = {**os.environ, "SDL_AUDIODRIVER": "no-such-driver", "PYGAME_HIDE_SUPPORT_PROMPT": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=REPO, timeout=60)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["ok"] is False
    assert result["reason"]
    assert isinstance(result["t"], float) and result["busy"] is False
