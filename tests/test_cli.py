"""The command line end to end: score, simulate, import, export, validate, songs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from game.cli import main

GROOVE1 = "eval_session/1_funk-groove1_138_beat_4-4.mid"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


REQUIRED_PLAYER_KEYS = {"judgements", "strays", "accuracy", "score", "max_combo",
                        "mean_offset_ms", "unstable_rate"}
REQUIRED_DUET_KEYS = {"shared_notes", "mean_asynchrony_ms", "sync_spread_ms", "in_sync_rate",
                      "phase_lock", "leader", "team_score"}


def test_simulate_autoplay_is_perfect_for_both(capsys):
    doc = run_json(capsys, "simulate", "first-contact", "--p1", "auto", "--p2", "auto")
    assert len(doc["players"]) == 2
    for p in doc["players"]:
        assert p.keys() >= REQUIRED_PLAYER_KEYS
        assert set(p["judgements"]) == {"perfect", "great", "good", "miss"}
        assert p["judgements"]["perfect"] == p["notes"] > 0
        assert p["accuracy"] == 1.0
        assert p["unstable_rate"] == 0.0
    duet = doc["duet"]
    assert duet.keys() >= REQUIRED_DUET_KEYS
    assert duet["shared_notes"] > 0
    assert duet["sync_spread_ms"] == 0.0
    assert duet["in_sync_rate"] == 1.0
    assert duet["team_score"] == 1_000_000


def test_simulate_humanised_bot_spread(capsys):
    doc = run_json(capsys, "simulate", "first-contact", "--p1", "auto", "--p2",
                   "bot:sd=12,seed=4", "--windows", "casual")
    p2 = doc["players"][1]
    # 10 x SD in ms; a short chart, so allow sampling error
    assert 80 < p2["unstable_rate"] < 160
    assert 5 < doc["duet"]["sync_spread_ms"] < 16
    assert doc["duet"]["team_score"] < 1_000_000


def test_readable_table(capsys):
    code, out, _ = run(capsys, "simulate", "first-contact", "--p2", "bot:sd=30,bias=10,seed=2")
    assert code == 0
    assert "team score" in out and "sync spread" in out and "unstable rate" in out


def test_score_csv_hits(tmp_path, capsys):
    from game.formats.library import load_song

    chart = load_song("first-contact")
    p1 = tmp_path / "p1.csv"
    p2 = tmp_path / "p2.csv"
    rows1 = ["time_s,note,velocity"] + [f"{n.time_s!r},{n.voice.gm_note},100"
                                        for n in chart.notes("p1", "expert")]
    rows2 = [f"{n.time_s + 0.012!r},{n.voice.gm_note}" for n in chart.notes("p2", "expert")]
    p1.write_text("\n".join(rows1) + "\n")
    p2.write_text("\n".join(rows2) + "\n")
    doc = run_json(capsys, "score", "first-contact", "--p1", str(p1), "--p2", str(p2))
    a, b = doc["players"]
    assert a["judgements"]["perfect"] == a["notes"]
    assert b["judgements"]["perfect"] == b["notes"]
    assert b["mean_offset_ms"] == pytest.approx(12.0, abs=1e-6)
    assert doc["duet"]["mean_asynchrony_ms"] == pytest.approx(-12.0, abs=1e-6)
    assert doc["duet"]["ahead"] == "p1"
    assert doc["duet"]["sync_spread_ms"] == pytest.approx(0.0, abs=1e-6)


def test_bad_csv_is_one_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("time_s,note\n1.0,38\nabc,38\n")
    code, _out, err = run(capsys, "score", "first-contact", "--p1", str(bad), "--p2", "auto")
    assert code == 1
    assert "bad.csv" in err and "line 3" in err
    assert "Traceback" not in err


def test_errors_never_traceback_in_a_real_process(tmp_path):
    broken = tmp_path / "broken.beatmap"
    broken.write_text("drum-diplomacy beatmap 1\n[song]\nid = x\ntitle = X\n[tempo]\n1 -5 4/4\n")
    proc = subprocess.run([sys.executable, "-m", "game", "simulate", str(broken)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "broken.beatmap" in proc.stderr and "line 6" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_song_id_lists_the_known_ones(capsys):
    code, _, err = run(capsys, "simulate", "no-such-song")
    assert code == 1
    assert "first-contact" in err


def test_bad_bot_spec_and_windows(capsys):
    code, _, err = run(capsys, "simulate", "first-contact", "--p1", "bot:sd=abc")
    assert code == 1 and "sd must be a number" in err
    code, _, err = run(capsys, "simulate", "first-contact", "--windows", "loose")
    assert code == 1 and "casual" in err


def test_record_replay_then_score_it_identically(tmp_path, capsys):
    replay = tmp_path / "duet.ddreplay"
    first = run_json(capsys, "simulate", "first-contact", "--p1", "bot:sd=25,miss=0.05,seed=1",
                     "--p2", "bot:sd=18,bias=-6,stray=0.05,seed=2", "--record", str(replay))
    again = run_json(capsys, "score", "first-contact", "--replay", str(replay))
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    strict = run_json(capsys, "score", "first-contact", "--replay", str(replay), "--windows",
                      "strict")
    for before, after in zip(first["players"], strict["players"], strict=True):
        assert after["judgements"]["perfect"] <= before["judgements"]["perfect"]
    assert sum(p["judgements"]["perfect"] for p in strict["players"]) < sum(
        p["judgements"]["perfect"] for p in first["players"])


def test_per_player_difficulty(capsys):
    doc = run_json(capsys, "simulate", "first-contact", "--p1-difficulty", "easy",
                   "--p2-difficulty", "expert")
    assert doc["players"][0]["difficulty"] == "easy"
    assert doc["players"][0]["notes"] < doc["players"][1]["notes"]
    code, _, err = run(capsys, "simulate", "first-contact", "--difficulty", "insane")
    assert code == 1 and "has no 'insane' chart" in err


def test_export_import_round_trip(tmp_path, capsys):
    mid = tmp_path / "fc.mid"
    assert run(capsys, "export", "first-contact", "-o", str(mid))[0] == 0
    out = tmp_path / "song"
    code, _text, err = run(capsys, "import", str(mid), "-o", str(out))
    assert code == 0, err
    written = list(out.glob("*.beatmap"))
    assert len(written) == 1
    from game.formats.beatmap import load_beatmap
    from game.formats.library import load_song

    original = load_song("first-contact")
    back = load_beatmap(written[0])
    for key, notes in original.parts.items():
        got = back.parts[key]
        assert [(round(n.beat * 480), n.voice) for n in got] == [
            (round(n.beat * 480), n.voice) for n in notes]
    assert run(capsys, "validate", str(written[0]))[0] == 0


def test_validate(tmp_path, capsys):
    code, out, _ = run(capsys, "validate", "first-contact")
    assert code == 0 and "1 ok" in out
    bad = tmp_path / "bad.beatmap"
    bad.write_text("drum-diplomacy beatmap 1\n[song]\nid = x\ntitle = X\n[tempo]\n1 120 4/4\n"
                   "[p1 expert]\nbar 1\nSN |x-x-|\n")
    code, out, _ = run(capsys, "validate", str(bad), "first-contact")
    assert code == 1
    assert "line 9" in out and "SN" in out and "1 ok, 1 with problems" in out
    code, out, _ = run(capsys, "validate", str(tmp_path / "missing.beatmap"))
    assert code == 1


def test_songs_json(capsys):
    code, out, _ = run(capsys, "songs", "--json")
    assert code == 0
    songs = {s["id"]: s for s in json.loads(out)["songs"]}
    fc = songs["first-contact"]
    assert fc["bpm"] == 112
    assert fc["length_s"] > 20
    ratings = fc["difficulties"]["p1"]
    assert list(ratings) == ["easy", "normal", "hard", "expert"]
    assert ratings["easy"] < ratings["normal"] < ratings["hard"] < ratings["expert"]


@pytest.mark.parametrize("cmd", ["score", "simulate", "import", "export", "validate", "songs"])
def test_every_command_has_help(cmd, capsys):
    with pytest.raises(SystemExit) as exc:
        main([cmd, "--help"])
    assert exc.value.code == 0
    assert "usage: drum-diplomacy" in capsys.readouterr().out


@pytest.mark.groove
def test_real_drummers_as_a_duet(groove, tmp_path, capsys):
    """drummer1's take, quantised, is the chart; drummer1 and drummer5 play it."""
    chart = tmp_path / "groove1.beatmap"
    take1 = groove / "drummer1" / GROOVE1
    take5 = groove / "drummer5" / GROOVE1
    assert run(capsys, "import", str(take1), "-o", str(chart), "--quantize", "1/16")[0] == 0
    doc = run_json(capsys, "score", str(chart), "--p1", str(take1), "--p2", str(take5))
    p1, p2 = doc["players"]
    # drummer1 played these very notes: every one is found, most within Great
    assert p1["judgements"]["miss"] <= 0.02 * p1["notes"]
    assert p1["accuracy"] > 0.8
    # a different drummer plays the same groove with other notes here and there
    assert p2["accuracy"] < p1["accuracy"]
    duet = doc["duet"]
    assert duet["shared_notes"] > 100
    # professionals to one click, never hearing each other: ~10-35 ms spread
    assert 5 < duet["sync_spread_ms"] < 40
    assert 0.2 < duet["in_sync_rate"] < 0.95
    assert duet["phase_lock"][0] > 0.8


# ------------------------------------------------------------ the player's own songs

def _osu_song(folder, title, *, audio_seconds=0.0):
    """A folder with one osu!taiko difficulty (and its audio when asked)."""
    import numpy as np
    import soundfile as sf

    folder.mkdir(parents=True)
    hits = "".join(f"256,192,{1000 + 400 * k},1,{0 if k % 3 else 8},0:0:0:0:\n"
                   for k in range(10))
    (folder / "set.osu").write_text(
        "osu file format v14\n\n[General]\nAudioFilename: audio.ogg\nMode: 1\n\n"
        f"[Metadata]\nTitle:{title}\nArtist:Someone\nVersion:Oni\n\n[TimingPoints]\n"
        "0,400,4,1,0,100,1,0\n\n[HitObjects]\n" + hits, encoding="utf-8")
    if audio_seconds:
        t = np.arange(int(audio_seconds * 22050)) / 22050
        sf.write(folder / "audio.ogg", (0.1 * np.sin(2 * np.pi * 200 * t)).astype("float32"),
                 22050, format="OGG", subtype="VORBIS")
    return folder


def test_songs_lists_your_songs_with_their_source(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path / "home"))
    songs = tmp_path / "home" / "songs"
    _osu_song(songs / "My Osu", "Taiko Tune")
    code, out, _ = run(capsys, "songs", "--json")
    assert code == 0
    doc = json.loads(out)
    by_id = {s["id"]: s for s in doc["songs"]}
    assert by_id["first-contact"]["source"] == "builtin"
    mine = by_id["taiko-tune-someone"]
    assert mine["source"] == "osu-taiko" and mine["beatmap"] == str(songs / "My Osu")
    assert doc["folder"] == str(songs)
    code, out, _ = run(capsys, "songs")
    assert code == 0 and "taiko-tune-someone" in out and "osu!taiko" in out
    (songs / "broken.beatmap").write_text("drum-diplomacy beatmap 2\n", encoding="utf-8")
    code, out, _ = run(capsys, "songs")
    assert code == 1
    assert f"broken: {songs / 'broken.beatmap'}, line 1" in out
    assert "taiko-tune-someone" in out


def test_import_into_the_library_then_play_validate_export_by_id(tmp_path, monkeypatch,
                                                                 capsys):
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path / "home"))
    src = _osu_song(tmp_path / "download", "Import Me", audio_seconds=1.0)
    code, out, err = run(capsys, "import", str(src), "--id", "import-me")
    assert code == 0, err
    folder = tmp_path / "home" / "songs" / "import-me"
    assert f"as 'import-me': {folder / 'import-me.beatmap'}" in out
    assert sorted(p.name for p in folder.iterdir()) == ["import-me.beatmap", "song.ogg"]
    results = tmp_path / "r.json"
    code, out, err = run(capsys, "play", "import-me", "--headless", "--p1", "auto", "--p2",
                         "auto", "--results-json", str(results))
    assert code == 0, err
    report = json.loads(results.read_text())
    assert report["song"]["id"] == "import-me"
    assert report["players"][1]["judgements"]["perfect"] == report["players"][1]["notes"] == 10
    code, out, _ = run(capsys, "validate", "import-me")
    assert code == 0 and "1 ok" in out
    assert run(capsys, "export", "import-me", "-o", str(tmp_path / "x.mid"))[0] == 0
    code, _, err = run(capsys, "import", str(src), "--id", "import-me")
    assert code == 1 and "already holds a song" in err and "--force" in err
    assert len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, "import", str(src), "--id", "import-me", "--force")
    assert code == 0 and out.startswith("replaced")


def test_import_errors_are_one_line_and_leave_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path / "home"))
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    for path in (tmp_path / "missing", tmp_path / "notes.txt"):
        code, _, err = run(capsys, "import", str(path))
        assert code == 1
        assert err.startswith("drum-diplomacy import: error: ") and str(path) in err
        assert len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "import", str(tmp_path / "notes.txt"), "--id", "Bad Id")
    assert code == 1 and "'Bad Id'" in err
    assert list((tmp_path / "home" / "songs").iterdir()) == []


def test_import_a_midi_file_into_the_library(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(tmp_path / "home"))
    mid = tmp_path / "fc.mid"
    assert run(capsys, "export", "first-contact", "-o", str(mid))[0] == 0
    code, out, err = run(capsys, "import", str(mid), "--id", "fc-from-midi")
    assert code == 0, err
    assert "imported MIDI file" in out
    doc = run_json(capsys, "songs")
    mine = {s["id"]: s for s in doc["songs"]}["fc-from-midi"]
    assert mine["source"] == "beatmap" and mine["audio"] is None
    assert mine["difficulties"]["p1"].keys() == {"easy", "normal", "hard", "expert"}


def test_play_and_validate_say_why_an_osu_standard_map_cannot_be_played(tmp_path, capsys):
    folder = tmp_path / "std set"
    folder.mkdir()
    osu = folder / "circles [Normal].osu"
    osu.write_text("osu file format v14\n[General]\nMode: 0\n[Metadata]\nTitle:Std\n"
                   "[TimingPoints]\n0,500,4,1,0,100,1,0\n[HitObjects]\n64,192,1000,1,0\n",
                   encoding="utf-8")
    for target in (folder, osu):
        code, _, err = run(capsys, "play", str(target), "--headless", "--p1", "auto",
                           "--p2", "auto", "--p1-name", "a", "--p2-name", "b")
        assert code == 1 and "osu!standard/catch maps have no drum notes" in err, err
        assert err.count("\n") == 1
    code, out, _ = run(capsys, "validate", str(osu))
    assert code == 1 and "osu!standard/catch maps have no drum notes" in out, out
