"""Auto-charting: the duet arrangement, the beat grid, and whole songs from audio.

The audio tests run librosa on an excerpt of a shipped song whose drum parts
(the chart) are exactly what the audio plays; ``bench/autochart_eval.py`` has
the full evaluation (every song and 40 real performances, with and without a
band) and the figures in the notes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

os.environ.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "drum-diplomacy-numba"))

from game.audio.beatgrid import fit_grid
from game.engine.arrange import SPLIT, UNISON, SectionRole, arrange_duet
from game.engine.chart import Note
from game.engine.voices import Voice
from game.formats.library import load_song, song_entries

ROOT = Path(__file__).resolve().parents[1]
EXCERPT_S = 40.0
WINDOW_S = 0.030


def f_measure(ref: np.ndarray, est: np.ndarray) -> float:
    ref, est = np.sort(ref), np.sort(est)
    used = np.zeros(est.size, dtype=bool)
    matched = 0
    for r in ref:
        k = np.flatnonzero(~used & (np.abs(est - r) <= WINDOW_S))
        if k.size:
            used[k[np.argmin(np.abs(est[k] - r))]] = True
            matched += 1
    if matched == 0:
        return 0.0
    p, rc = matched / est.size, matched / ref.size
    return 2 * p * rc / (p + rc)


# the duet arrangement (engine, pure) ---------------------------------------------
def _n(t: float, v: Voice, accent: bool = False) -> Note:
    return Note(t, t * 2, v, 127 if accent else 96, accent)


def test_split_gives_hands_to_p1_and_feet_and_accents_to_p2() -> None:
    notes = [_n(0.0, Voice.KICK), _n(0.0, Voice.HIHAT_CLOSED), _n(0.5, Voice.SNARE, True),
             _n(0.5, Voice.HIHAT_CLOSED), _n(1.0, Voice.CRASH), _n(1.0, Voice.KICK),
             _n(1.5, Voice.TOM_MID)]
    p1, p2 = arrange_duet(notes, [SectionRole(0.0, SPLIT)])
    assert [n.voice for n in p1] == [Voice.HIHAT_CLOSED, Voice.HIHAT_CLOSED, Voice.SNARE,
                                     Voice.CRASH, Voice.TOM_MID]
    assert [n.voice for n in p2] == [Voice.KICK, Voice.SNARE, Voice.KICK, Voice.CRASH]
    # every note is someone's; the accent and the crash are shared (both play them)
    assert {(n.time_s, n.voice) for n in p1 + p2} == {(n.time_s, n.voice) for n in notes}
    shared = {(n.time_s, n.voice) for n in p1} & {(n.time_s, n.voice) for n in p2}
    assert shared == {(0.5, Voice.SNARE), (1.0, Voice.CRASH)}


def test_unison_sections_and_roles_by_time() -> None:
    notes = [_n(t, v) for t in (0.0, 1.0, 2.0, 3.0) for v in (Voice.KICK, Voice.HIHAT_CLOSED)]
    p1, p2 = arrange_duet(notes, [SectionRole(0.0, SPLIT), SectionRole(2.0, UNISON)])
    assert [(n.time_s, n.voice) for n in p2] == [
        (0.0, Voice.KICK), (1.0, Voice.KICK), (2.0, Voice.KICK), (2.0, Voice.HIHAT_CLOSED),
        (3.0, Voice.KICK), (3.0, Voice.HIHAT_CLOSED)]
    assert [n.time_s for n in p1] == [0.0, 1.0, 2.0, 2.0, 3.0, 3.0]
    with pytest.raises(ValueError, match="role"):
        arrange_duet(notes, [SectionRole(0.0, "solo")])


def test_a_split_section_without_feet_is_played_in_unison() -> None:
    hats = [_n(t, Voice.HIHAT_CLOSED) for t in (0.0, 0.5)]
    groove = [_n(t, v) for t in (2.0, 2.5) for v in (Voice.KICK, Voice.HIHAT_CLOSED)]
    p1, p2 = arrange_duet(hats + groove, [SectionRole(0.0, SPLIT), SectionRole(2.0, SPLIT)])
    # the hats-only section goes to both; the groove section is split as usual
    assert [(n.time_s, n.voice) for n in p2] == [
        (0.0, Voice.HIHAT_CLOSED), (0.5, Voice.HIHAT_CLOSED), (2.0, Voice.KICK),
        (2.5, Voice.KICK)]
    assert [n.time_s for n in p1] == [0.0, 0.5, 2.0, 2.5]


# the beat grid (numpy only) ------------------------------------------------------
def _groove_hits(beats: np.ndarray, rng: np.random.Generator, jitter_s: float = 0.006
                 ) -> dict[str, np.ndarray]:
    """Kicks on 1 and 3, snares on 2 and 4 (beat 0 is a downbeat), 8th hats."""
    k = beats[0::2]
    s = beats[1::2]
    h = np.sort(np.concatenate([beats, beats[:-1] + np.diff(beats) / 2]))
    return {c: np.sort(x + rng.normal(0, jitter_s, x.size)) for c, x in
            (("kick", k), ("snare", s), ("hat", h))}


@pytest.mark.parametrize("bpm", [87.0, 118.0, 143.5])
def test_grid_finds_a_steady_tempo_its_phase_and_the_downbeat(bpm: float) -> None:
    rng = np.random.default_rng(int(bpm))
    period = 60 / bpm
    first = 0.731
    true_beats = first + period * np.arange(int(60 / period))
    hits = _groove_hits(true_beats, rng)
    # a tracker's beats: late by 30 ms, one beat missing, a little noise, starting on beat 2
    tracked = np.delete(true_beats[1:] + 0.03 + rng.normal(0, 0.008, true_beats.size - 1), 20)
    grid = fit_grid(tracked, hits, duration_s=60.0)
    assert grid.steady
    assert abs(grid.tempo.tempos[0].bpm / bpm - 1) < 0.001
    # beat 0 (a downbeat) is on the first kick, to a couple of ms
    assert abs(grid.tempo.offset_s - first) < 0.004
    assert abs(grid.tempo.seconds_at(40.0) - true_beats[40]) < 0.004


def test_grid_follows_a_tempo_change() -> None:
    rng = np.random.default_rng(5)
    a = 0.5 + 0.5 * np.arange(64)  # 120 BPM for 64 beats, then 132 BPM
    b = a[-1] + 60 / 132 * np.arange(1, 80)
    true_beats = np.concatenate([a, b])
    hits = _groove_hits(true_beats, rng, jitter_s=0.004)
    grid = fit_grid(true_beats + rng.normal(0, 0.005, true_beats.size), hits,
                    duration_s=float(true_beats[-1] + 1))
    assert not grid.steady
    bpms = [t.bpm for t in grid.tempo.tempos]
    assert abs(bpms[0] / 120 - 1) < 0.01 and abs(bpms[-1] / 132 - 1) < 0.01
    # the grid stays on the beats on both sides of the change
    for i in (10, 60, 100, 140):
        assert abs(grid.tempo.seconds_at(float(i)) - true_beats[i]) < 0.02, i


# whole songs from audio (librosa) -------------------------------------------------
@pytest.fixture(scope="module")
def excerpt(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The first 40 s of a shipped song's full mix (band and drums) as WAV."""
    song = next(s for s in song_entries()[0] if s["id"] == "handshake-groove")
    audio, sr = sf.read(song["audio"], dtype="float32", always_2d=True)
    path = tmp_path_factory.mktemp("autochart") / "handshake excerpt.wav"
    sf.write(path, audio[: int(EXCERPT_S * sr)], sr)
    return path, song


@pytest.fixture(scope="module")
def charted(excerpt: tuple[Path, dict]):
    from game.audio.autochart import autochart

    return autochart(excerpt[0], title="Handshake excerpt")


def test_transcription_finds_the_drums_the_chart_says_are_there(charted) -> None:
    truth = load_song("handshake-groove")
    classes = {"kick": {Voice.KICK}, "snare": {Voice.SNARE, Voice.CROSS_STICK, Voice.RIMSHOT},
               "hat": {Voice.HIHAT_CLOSED, Voice.HIHAT_OPEN, Voice.HIHAT_HALF, Voice.CRASH,
                       Voice.RIDE, Voice.RIDE_BELL}}
    kinds = {"kick": ("kick",), "snare": ("snare",), "hat": ("hat", "cymbal")}
    found = {}
    for cls, voices in classes.items():
        ref = np.unique([round(n.time_s, 4) for p in ("p1", "p2") for n in
                         truth.notes(p, "expert") if n.voice in voices and n.time_s
                         < EXCERPT_S - 0.1])
        est = np.unique([round(h.time_s, 4) for h in charted.transcription.hits
                         if h.kind in kinds[cls]])
        found[cls] = f_measure(ref, est)
    # the bench's full figures are higher; these floors catch a broken detector
    assert found["kick"] >= 0.9 and found["snare"] >= 0.85 and found["hat"] >= 0.85, found


def test_the_chart_has_the_songs_tempo_bars_and_a_duet(charted) -> None:
    chart = charted.chart
    assert abs(chart.tempo.tempos[0].bpm / 95.0 - 1) < 0.01
    assert charted.grid.steady
    # beat 0 is the song's first downbeat (the song starts on it, at 0 s)
    assert abs(chart.tempo.offset_s) < 0.02
    assert chart.sections[0].name in ("Intro", "Verse 1", "Chorus 1")
    for part in ("p1", "p2"):
        counts = [len(chart.notes(part, d)) for d in ("easy", "normal", "hard", "expert")]
        assert counts == sorted(counts) and counts[0] > 0, counts
    p1 = {(n.time_s, n.voice) for n in chart.notes("p1", "expert")}
    p2 = {(n.time_s, n.voice) for n in chart.notes("p2", "expert")}
    assert p1 & p2, "no shared notes: the duet has nothing to sync on"
    assert p1 != p2 or len(chart.sections) == 1
    # quantising keeps the feel: no note is more than the snap tolerance from its stroke
    from game.audio.autochart import SNAP_TOLERANCE_S

    hits = np.array(sorted(h.time_s for h in charted.transcription.hits))
    moved = [np.min(np.abs(hits - t)) for t, _v in p1 | p2]
    assert max(moved) <= SNAP_TOLERANCE_S + 1e-3, max(moved)
    # and this swung groove still sits mostly on 16th / triplet lines
    assert charted.on_grid >= 0.5 * len(p1 | p2), (charted.on_grid, len(p1 | p2))


def test_the_chart_is_a_valid_beatmap(charted, tmp_path: Path) -> None:
    from game.formats.beatmap import load_beatmap
    from game.formats.beatmap_writer import save_beatmap

    path = tmp_path / "out.beatmap"
    save_beatmap(charted.chart, path)
    back = load_beatmap(path)
    assert back.content_hash() == charted.chart.content_hash()


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "game", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_cli_writes_a_playable_song_with_progress(excerpt, tmp_path: Path) -> None:
    audio, _song = excerpt
    out = tmp_path / "charts"
    run = _cli("autochart", str(audio), "-o", str(out), "--title", "My Jam", "--json",
               cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    beatmap = out / "my-jam.beatmap"
    assert summary["beatmap"] == str(beatmap) and beatmap.is_file()
    assert (out / audio.name).read_bytes() == audio.read_bytes()  # the audio, copied
    assert "100% done" in run.stderr and "percussive part" in run.stderr
    assert summary["tempo"]["steady"] and abs(summary["tempo"]["bpm"] / 95 - 1) < 0.01
    # the written song plays headless, start to end
    results = tmp_path / "results.json"
    play = _cli("play", str(beatmap), "--p1", "auto", "--p2", "auto", "--headless",
                "--results-json", str(results), cwd=tmp_path)
    assert play.returncode == 0, play.stderr
    report = json.loads(results.read_text())
    assert [p["accuracy"] for p in report["players"]] == [1.0, 1.0]
    # a second run without --force refuses to overwrite
    again = _cli("autochart", str(audio), "-o", str(beatmap), cwd=tmp_path)
    assert again.returncode == 1 and "--force" in again.stderr
    # nor does it replace a different audio file of the same name beside the beatmap
    other = tmp_path / "other"
    other.mkdir()
    (other / audio.name).write_bytes(b"someone else's file")
    clash = _cli("autochart", str(audio), "-o", str(other), cwd=tmp_path)
    assert clash.returncode == 1 and "different file" in clash.stderr
    assert (other / audio.name).read_bytes() == b"someone else's file"


def test_cli_errors_are_one_clear_line(tmp_path: Path) -> None:
    missing = _cli("autochart", str(tmp_path / "nope.ogg"), "-o", str(tmp_path), cwd=tmp_path)
    assert missing.returncode == 1 and "no such audio file" in missing.stderr
    junk = tmp_path / "junk.ogg"
    junk.write_bytes(b"this is not audio" * 100)
    bad = _cli("autochart", str(junk), "-o", str(tmp_path), cwd=tmp_path)
    assert bad.returncode == 1 and "cannot read this audio" in bad.stderr, bad.stderr
    assert "Traceback" not in bad.stderr
    silent = tmp_path / "silence.wav"
    sf.write(silent, np.zeros(22050 * 3, dtype=np.float32), 22050)
    quiet = _cli("autochart", str(silent), "-o", str(tmp_path), cwd=tmp_path)
    assert quiet.returncode == 1 and "silent" in quiet.stderr, quiet.stderr
    assert not list(tmp_path.glob("*.beatmap"))
