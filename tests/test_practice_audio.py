"""Practice audio: cut and time-stretched (pitch kept), aligned with the practice chart, cached.

Onsets are found with librosa as tests/test_songs.py does (hop 128, its delay
measured on tests/data/onset-calibration.ogg, a render of known hit times).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
# librosa's first call compiles numba code (30-45 s cold): cache it between runs
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "drum-diplomacy-numba"))

from game.audio import stretch  # noqa: E402
from game.audio.stretch import (  # noqa: E402
    AudioJob,
    audio_job,
    chart_tracks,
    has_cache,
    prepare,
    with_practice_audio,
)
from game.audio.stretch_task import PrepareTask  # noqa: E402
from game.engine.practice import plan_practice, practice_chart  # noqa: E402
from game.formats.library import load_song, resolve_beatmap  # noqa: E402
from game.util.errors import GameError  # noqa: E402

CALIBRATION = ROOT / "tests" / "data" / "onset-calibration"
HOP = 128
SR = 44100


def _onsets(path: str | Path) -> np.ndarray:
    import librosa

    y, sr = librosa.load(str(path), sr=None, mono=True)
    return np.asarray(librosa.onset.onset_detect(y=y, sr=sr, hop_length=HOP, units="time",
                                                 backtrack=False))


@pytest.fixture(scope="module")
def onset_bias_s() -> float:
    """librosa's onset delay, measured on a render of known hit times (as test_songs.py)."""
    truth = np.array(json.loads(CALIBRATION.with_suffix(".json").read_text())["onsets_s"])
    found = _onsets(CALIBRATION.with_suffix(".ogg"))
    bias = float(np.median([found[np.argmin(np.abs(found - t))] - t for t in truth]))
    assert 0.0 <= bias <= 0.03
    return bias


def _errors_ms(found: np.ndarray, expected: list[float] | np.ndarray) -> np.ndarray:
    return np.array([abs(found[np.argmin(np.abs(found - t))] - t) * 1e3 for t in expected])


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Counts channels stretched (each entry: that channel's speed)."""
    made: list[float] = []
    real = stretch.stretch_channel

    def counting(y: Any, speed: float, **kw: Any) -> Any:
        made.append(speed)
        return real(y, speed, **kw)

    monkeypatch.setattr(stretch, "stretch_channel", counting)
    return made


def stem(song: str, part: str) -> str:
    chart = load_song(song)
    return str(resolve_beatmap(song).parent / dict(chart.meta.extra)[f"stem_{part}"])


def dominant_hz(y: np.ndarray) -> float:
    """The strongest frequency (Hz, parabolic interpolation between FFT bins)."""
    mag = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    k = int(np.argmax(mag))
    a, b, c = np.log(mag[k - 1:k + 2] + 1e-12)
    return (k + 0.5 * (a - c) / (a - 2 * b + c)) * SR / len(y)


def centroid_hz(y: np.ndarray) -> float:
    """Centroid of the long-term power spectrum (Hz)."""
    power = np.abs(np.fft.rfft(y)) ** 2
    f = np.fft.rfftfreq(len(y), 1 / SR)
    return float((power * f).sum() / power.sum())


def frame_centroid_hz(y: np.ndarray) -> float:
    """librosa's spectral centroid, averaged over frames (Hz)."""
    import librosa

    return float(librosa.feature.spectral_centroid(y=y.astype(np.float32), sr=SR).mean())


def test_importing_practice_does_not_load_librosa() -> None:
    code = ("import sys, game.audio.stretch, game.audio.stretch_task, game.app.scenes.practice, "
            "game.app.scenes.practice_setup, game.cli.practice; "
            "print(sorted(m for m in ('librosa', 'numba', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60, env={**os.environ, "SDL_VIDEODRIVER": "dummy"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_pitch_is_kept_and_duration_is_range_over_speed(tmp_path: Path, calls: list) -> None:
    t = np.arange(4 * SR) / SR
    tone = (0.3 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 1320 * t))
    sf.write(tmp_path / "tone.wav", np.stack([tone, tone], axis=1), SR)
    src = str(tmp_path / "tone.wav")
    for speed in (0.5, 0.75):
        job = AudioJob((("backing", src), ("p1", src)), 0.5, 3.5, speed)
        out = prepare(job, cache_dir=tmp_path / "cache")
        assert out.frames == round(3.0 * SR / speed) and out.sample_rate == SR
        assert out.seconds == pytest.approx(3.0 / speed, abs=1e-4)
        for name in ("backing", "p1"):  # both STFT sizes
            y, sr = sf.read(out.file(name))
            assert y.shape == (out.frames, 2) and sr == SR
            mid = y[len(y) // 4: 3 * len(y) // 4, 0]
            assert dominant_hz(mid) == pytest.approx(440.0, rel=0.005)
            assert centroid_hz(mid) == pytest.approx(centroid_hz(tone[SR:3 * SR]), rel=0.02)
    assert len(calls) == 8  # 2 speeds x 2 tracks x 2 channels
    out = prepare(AudioJob((("p1", src),), 0.5, 3.5, 0.75, sample_rate=48000),
                  cache_dir=tmp_path / "cache")  # the mixer runs at another rate
    y, sr = sf.read(out.file("p1"))
    assert sr == out.sample_rate == 48000 and len(y) == round(3.0 * 48000 / 0.75)
    mid = y[len(y) // 4: 3 * len(y) // 4, 0]
    assert dominant_hz(mid) * 48000 / SR == pytest.approx(440.0, rel=0.005)


def test_a_48khz_clip_is_resampled_stretched_and_aligned(tmp_path: Path) -> None:
    """The mixer's rate: length, rate and where the hits land are those of the output rate."""
    clicks = np.zeros(4 * SR)
    hits = [0.75, 1.5, 2.25, 3.0]  # song seconds
    for t in hits:
        k = round(t * SR)
        clicks[k:k + 64] = 0.8 * np.hanning(64)
    src = tmp_path / "clicks.wav"
    sf.write(src, clicks, SR)
    start, end = 0.5, 3.5
    for speed in (1.0, 0.75):
        out = prepare(AudioJob((("p1", str(src)),), start, end, speed, sample_rate=48000),
                      cache_dir=tmp_path / "cache")
        y, sr = sf.read(out.file("p1"))
        assert sr == out.sample_rate == 48000
        assert len(y) == out.frames == round(round((end - start) * 48000) / speed)
        assert out.seconds == pytest.approx((end - start) / speed, abs=1e-4)
        for t in hits:  # each click (its energy centre) where the practice chart expects it
            at = (t + 32 / SR - start) / speed * 48000
            lo, hi = round(at - 0.015 * 48000), round(at + 0.015 * 48000)
            e = y[lo:hi] ** 2
            centre = lo + float((np.arange(len(e)) * e).sum() / e.sum())
            off_ms = (centre - at) / 48
            assert abs(off_ms) <= (0.05 if speed == 1.0 else 3.0), (speed, t, off_ms)


def test_a_real_stem_keeps_its_spectrum(tmp_path: Path) -> None:
    chart = load_song("handshake-groove")
    plan = plan_practice(chart, "Chorus", speed=0.75)
    p1 = stem("handshake-groove", "p1")
    spectra = []
    for speed in (1.0, 0.75):
        out = prepare(AudioJob((("p1", p1),), plan.clip_start_s, plan.clip_end_s, speed),
                      cache_dir=tmp_path)
        spectra.append(frame_centroid_hz(sf.read(out.file("p1"))[0].mean(axis=1)))
    assert spectra[1] == pytest.approx(spectra[0], rel=0.02)  # (resampling: -25 %)


@pytest.mark.slow
def test_stretched_stem_lines_up_with_the_practice_chart(tmp_path: Path,
                                                         onset_bias_s: float) -> None:
    chart = load_song("mirror-ball-summit")
    plan = plan_practice(chart, "Chorus", speed=0.75)
    pc = practice_chart(chart, plan)
    out = prepare(audio_job(chart, resolve_beatmap("mirror-ball-summit").parent, plan),
                  cache_dir=tmp_path)
    assert [n for n, _ in out.files] == ["backing", "p1", "p2"]
    assert {sf.info(f).frames for _, f in out.files} == {out.frames}  # sample-aligned
    assert out.seconds == pytest.approx(plan.loop_s, abs=1e-3)
    for part in ("p1", "p2"):
        found = _onsets(out.file(part)) - onset_bias_s
        times = sorted({round(n.time_s, 5) for n in pc.notes(part, "expert")})
        err = _errors_ms(found, times)
        print(f"{part}: {len(times)} notes, median |error| {np.median(err):.2f} ms")
        assert np.median(err) <= 6.0
        assert np.mean(err <= 20.0) >= 0.95


def test_stretched_calibration_render_keeps_its_hit_times(tmp_path: Path,
                                                         onset_bias_s: float) -> None:
    truth = np.array(json.loads(CALIBRATION.with_suffix(".json").read_text())["onsets_s"])
    start, end, speed = 10.0, 22.0, 0.6
    out = prepare(AudioJob((("mix", str(CALIBRATION.with_suffix(".ogg"))),), start - 1.0, end,
                           speed), cache_dir=tmp_path)
    found = _onsets(out.file("mix")) - onset_bias_s
    inside = truth[(truth >= start) & (truth < end - 0.2)]
    err = _errors_ms(found, (inside - start + 1.0) / speed)
    print(f"calibration at 60 %: median |error| {np.median(err):.2f} ms")
    assert len(inside) > 30 and np.median(err) <= 6.0 and np.mean(err <= 20.0) >= 0.95


def test_speed_100_is_a_cut_with_silence_before_the_file(tmp_path: Path, calls: list) -> None:
    p1 = stem("handshake-groove", "p1")
    out = prepare(AudioJob((("p1", p1),), -0.5, 3.0, 1.0), cache_dir=tmp_path)
    assert not calls and out.frames == round(3.5 * SR)
    y, _ = sf.read(out.file("p1"))
    whole, _ = sf.read(p1, frames=3 * SR)
    assert not np.any(y[:round(0.5 * SR)])
    body = slice(round(0.5 * SR) + 1000, out.frames)
    assert np.max(np.abs(y[body] - whole[:out.frames - round(0.5 * SR)][1000:])) < 2 / 32768


def test_cache_hit_is_a_read_and_damage_is_recomputed(tmp_path: Path, calls: list) -> None:
    tracks = tuple((part, stem("handshake-groove", part)) for part in ("backing", "p1", "p2"))
    job = AudioJob(tracks, 20.0, 24.0, 0.8, fade_out_s=0.5)
    t0 = time.perf_counter()
    first = prepare(job, cache_dir=tmp_path)
    t_first = time.perf_counter() - t0
    assert not first.from_cache and len(calls) == 6  # 3 stereo tracks
    assert has_cache(job, tmp_path)
    digests = {n: Path(f).read_bytes() for n, f in first.files}
    t0 = time.perf_counter()
    again = prepare(job, cache_dir=tmp_path)
    t_again = time.perf_counter() - t0
    assert again.from_cache and len(calls) == 6 and again.files == first.files
    assert t_again < t_first / 5
    # damaged in the middle (same size), truncated, manifest gone: each is prepared again
    p1 = Path(first.file("p1") or "")
    data = bytearray(p1.read_bytes())
    data[len(data) // 2: len(data) // 2 + 64] = bytes(64)
    p1.write_bytes(bytes(data))
    redone = prepare(job, cache_dir=tmp_path)
    assert not redone.from_cache and len(calls) == 12
    assert {n: Path(f).read_bytes() for n, f in redone.files} == digests  # deterministic
    backing = Path(redone.file("backing") or "")
    backing.write_bytes(backing.read_bytes()[:1000])
    assert not prepare(job, cache_dir=tmp_path).from_cache and len(calls) == 18
    (p1.parent / "manifest.json").write_text("{not json")
    assert not prepare(job, cache_dir=tmp_path).from_cache and len(calls) == 24
    assert prepare(job, cache_dir=tmp_path).from_cache and len(calls) == 24


def test_cache_key_follows_the_source_file_and_the_speed(tmp_path: Path, calls: list) -> None:
    src = tmp_path / "p1.ogg"
    src.write_bytes(Path(stem("handshake-groove", "p1")).read_bytes())
    job = AudioJob((("p1", str(src)),), 1.0, 3.0, 0.9)
    prepare(job, cache_dir=tmp_path / "c")
    assert prepare(job, cache_dir=tmp_path / "c").from_cache
    os.utime(src, ns=(src.stat().st_atime_ns, src.stat().st_mtime_ns + 10**9))
    assert not has_cache(job, tmp_path / "c")  # the file changed: prepared again
    assert not prepare(job, cache_dir=tmp_path / "c").from_cache
    faster = AudioJob(job.tracks, job.start_s, job.end_s, 0.95)
    assert not has_cache(faster, tmp_path / "c")
    assert len(calls) == 4


def _tone_file(folder: Path, seconds: float = 2.0) -> str:
    t = np.arange(round(seconds * SR)) / SR
    path = folder / "tone.wav"
    sf.write(path, 0.3 * np.sin(2 * np.pi * 440 * t), SR)
    return str(path)


def _age(folder: Path, seconds: float) -> None:
    then = time.time() - seconds
    for f in [*folder.iterdir(), folder]:
        os.utime(f, (then, then))


def test_another_process_half_written_entry_is_left_alone(tmp_path: Path) -> None:
    from game.audio.practice_cache import prune

    root = tmp_path / "cache"
    root.mkdir()
    src = _tone_file(tmp_path)
    job = AudioJob((("p1", src),), 0.0, 1.0, 1.0)  # a cut: no librosa
    # another process is writing this very entry (no manifest yet), and another one
    theirs = root / stretch.cache_key(job)
    other = root / ".tmp-0123456789abcdef-xyz"
    for d in (theirs, other):
        d.mkdir()
        (d / "p1.wav").write_bytes(b"RIFF half-written")
    out = prepare(job, cache_dir=root)
    y, sr = sf.read(out.file("p1"))
    assert sr == out.sample_rate == SR and len(y) == out.frames == SR
    for d in (theirs, other):
        assert [f.name for f in d.iterdir()] == ["p1.wav"]
        assert (d / "p1.wav").read_bytes() == b"RIFF half-written"
    done = prepare(AudioJob(job.tracks, 0.5, 1.5, 1.0), cache_dir=root)
    prune(root, root / "none", max_bytes=0)  # everything complete goes, work in progress stays
    assert theirs.is_dir() and other.is_dir() and not Path(done.file("p1") or "").exists()
    _age(theirs, 3600.0)  # abandoned an hour ago: pruned
    _age(other, 3600.0)
    prune(root, root / "none", max_bytes=0)
    assert not theirs.exists() and not other.exists()


def test_a_cache_entry_appears_only_when_complete(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    src = _tone_file(tmp_path)
    job = AudioJob((("backing", src), ("p1", src)), 0.0, 1.5, 1.0)
    entry = root / stretch.cache_key(job)
    seen: list[tuple[str, bool]] = []
    twin: list[Any] = []

    def progress(_: float, stage: str) -> None:
        seen.append((stage, entry.exists()))
        if stage == "writing p1" and not twin:  # another process finishes the same entry first
            twin.append(prepare(job, cache_dir=root))
            assert (entry / "manifest.json").is_file()

    out = prepare(job, cache_dir=root, progress=progress)
    assert seen[0] == ("reading", False)
    assert all(not there for stage, there in seen if stage.startswith("writing backing"))
    assert seen[-1] == ("ready", True)
    assert out.files == twin[0].files  # the finished one is kept, ours discarded
    assert [d.name for d in root.iterdir()] == [entry.name]  # no temporary folder left
    assert prepare(job, cache_dir=root).from_cache


def test_a_worker_that_cannot_run_falls_back_to_this_process(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    from game.audio import stretch_task
    from game.audio.stretch_task import Worker

    started: list[int] = []
    popen = subprocess.Popen

    def dies_at_once(args: Any, **kw: Any) -> Any:  # as if the worker hit an ImportError
        started.append(1)
        return popen([sys.executable, "-c", "import sys; sys.exit(1)"], **kw)

    monkeypatch.setattr(stretch_task.subprocess, "Popen", dies_at_once)
    monkeypatch.setattr(Worker, "_shared", None)
    monkeypatch.setattr(Worker, "disabled", False, raising=False)
    monkeypatch.setattr(Worker, "_deaths_in_row", 0, raising=False)
    src = _tone_file(tmp_path)
    for start in (0.0, 0.5, 1.0):
        task = PrepareTask(AudioJob((("p1", src),), start, start + 0.5, 1.0),
                           cache_dir=tmp_path / "cache").start()
        assert task.wait(60) and task.error is None and task.result is not None
        assert not task.result.from_cache and task.progress == 1.0
    assert started == [1]  # not a new worker for every task
    assert Worker.disabled and Worker.shared() is None


def test_background_task_reports_progress_and_can_be_cancelled(tmp_path: Path) -> None:
    job = AudioJob((("p1", stem("skyline-accord", "p1")),), 20.0, 50.0, 0.55)
    task = PrepareTask(job, cache_dir=tmp_path).start()
    seen = []
    while not task.done:
        seen.append(task.progress)
        time.sleep(0.005)
    assert task.error is None and task.result is not None and task.progress == 1.0
    assert seen == sorted(seen) and 0 < len({round(p, 2) for p in seen}) >= 3
    slower = AudioJob(job.tracks, job.start_s, job.end_s, 0.5)
    task = PrepareTask(slower, cache_dir=tmp_path).start()
    task.cancel()
    assert task.wait(60) and task.error == "cancelled" and task.result is None
    assert not has_cache(slower, tmp_path)


def test_missing_or_unreadable_audio_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.ogg").write_bytes(b"not audio at all" * 100)
    with pytest.raises(GameError, match="cannot read the audio"):
        prepare(AudioJob((("mix", str(tmp_path / "bad.ogg")),), 0.0, 1.0, 0.5),
                cache_dir=tmp_path)
    with pytest.raises(GameError, match=r"nothing\.ogg"):
        prepare(AudioJob((("mix", str(tmp_path / "nothing.ogg")),), 0.0, 1.0, 0.5),
                cache_dir=tmp_path)
    task = PrepareTask(AudioJob((("mix", str(tmp_path / "bad.ogg")),), 0.0, 1.0, 0.5),
                       cache_dir=tmp_path).start()
    assert task.wait(60) and task.result is None and "cannot read" in (task.error or "")


def test_the_practice_chart_plays_the_prepared_files() -> None:
    song = "handshake-groove"
    chart = load_song(song)
    folder = resolve_beatmap(song).parent
    assert [n for n, _ in chart_tracks(chart, folder)] == ["backing", "p1", "p2"]
    assert chart_tracks(load_song("first-contact"), None) == ()
    from game.audio.stretch import PracticeAudio

    audio = PracticeAudio((("backing", "/c/b.wav"), ("p1", "/c/1.wav"), ("p2", "/c/2.wav")),
                          SR, 10, False)
    extra = dict(with_practice_audio(chart, audio).meta.extra)
    assert (extra["stem_backing"], extra["stem_p1"], extra["stem_p2"]) == (
        "/c/b.wav", "/c/1.wav", "/c/2.wav")
    silent = with_practice_audio(chart, None).meta
    assert silent.audio is None and not any(k.startswith("stem_") for k, _ in silent.extra)
    mix = with_practice_audio(chart, PracticeAudio((("mix", "/c/m.wav"),), SR, 10, False))
    assert mix.meta.audio == "/c/m.wav"


def test_a_dead_worker_fails_its_task_and_a_new_one_starts(tmp_path: Path) -> None:
    from game.audio.stretch_task import Worker
    from game.audio.stretch_worker import job_from_dict, job_to_dict

    p1 = stem("handshake-groove", "p1")
    job = AudioJob((("p1", p1),), 10.0, 40.0, 0.5, fade_out_s=0.75, sample_rate=48000)
    assert job_from_dict(json.loads(json.dumps(job_to_dict(job)))) == job
    worker = Worker.shared()
    assert worker is not None
    warm = PrepareTask(AudioJob((("p1", p1),), 10.0, 11.0, 1.0), cache_dir=tmp_path).start()
    assert warm.wait(120) and warm.result is not None  # a worker that has worked, then dies
    task = PrepareTask(job, cache_dir=tmp_path).start()
    worker.proc.kill()
    assert task.wait(30) and task.result is None and task.error == "the audio worker stopped"
    short = AudioJob((("p1", p1),), 10.0, 12.0, 0.7)
    again = PrepareTask(short, cache_dir=tmp_path).start()
    assert again.wait(120) and again.result is not None, again.error
    assert Worker.shared() is not worker
    here = PrepareTask(AudioJob(short.tracks, 10.0, 12.0, 0.65), cache_dir=tmp_path,
                       in_process=True).start()  # without the worker: on a thread
    assert here.wait(120) and here.result is not None and not here.result.from_cache
