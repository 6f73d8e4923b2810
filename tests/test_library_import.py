"""``import`` into the library: a native beatmap plus audio in its own folder, stems mixed
into backing and half-gain drum stems per player, ids checked, nothing half-written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from library_files import SR, clonehero_chart, osu_taiko, tone, write_beatmap, write_ogg

from game.app.song_import import import_to_library
from game.formats.beatmap import load_beatmap
from game.store.paths import data_dir, songs_dir
from game.store.song_library import load_song, scan_library
from game.util.errors import GameError


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(folder))
    return folder


def ids(lib: Any) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in lib.songs}


def read(path: Path, frames: int) -> np.ndarray:
    x, sr = sf.read(path, dtype="float32", always_2d=True)
    assert sr == SR
    if x.shape[1] == 1:
        x = np.repeat(x, 2, axis=1)
    return np.concatenate([x, np.zeros((frames - len(x), 2), np.float32)])


def rel_error(got: np.ndarray, want: np.ndarray) -> float:
    return float(np.sqrt(np.mean((got - want) ** 2)) / np.sqrt(np.mean(want ** 2)))


def test_import_mixes_stems_into_backing_and_half_drums_per_player(tmp_path: Path) -> None:
    stems = {"song.ogg": tone(220, 2.0, 0.1), "guitar.ogg": tone(330, 2.0, 0.1),
             "drums_1.ogg": tone(70, 2.0, 0.2), "drums_2.ogg": tone(440, 1.5, 0.1, channels=1)}
    src = clonehero_chart(tmp_path / "src", "Stem Song", stems=stems)
    done = import_to_library(src, song_id="stem-song")
    folder = songs_dir() / "stem-song"
    assert done.folder == folder and done.kind == "clonehero-chart"
    assert sorted(p.name for p in folder.iterdir()) == [
        "backing.ogg", "drums_p1.ogg", "drums_p2.ogg", "song.ogg", "stem-song.beatmap"]
    chart = load_beatmap(folder / "stem-song.beatmap")
    extra = dict(chart.meta.extra)
    assert (chart.meta.audio, extra["stem_backing"], extra["stem_p1"], extra["stem_p2"]) == (
        "song.ogg", "backing.ogg", "drums_p1.ogg", "drums_p2.ogg")
    n = int(2.0 * SR)
    original = {k: read(src / k, n) for k in stems}
    drums = original["drums_1.ogg"] + original["drums_2.ogg"]
    backing = original["song.ogg"] + original["guitar.ogg"]
    out = {k: read(folder / k, n) for k in ("backing.ogg", "drums_p1.ogg", "drums_p2.ogg",
                                            "song.ogg")}
    assert np.array_equal(out["drums_p1.ogg"], out["drums_p2.ogg"])
    assert rel_error(out["drums_p1.ogg"] + out["drums_p2.ogg"], drums) < 0.1
    assert rel_error(out["drums_p1.ogg"], drums) > 0.4  # each is half, not all
    assert rel_error(out["backing.ogg"], backing) < 0.1
    assert rel_error(out["song.ogg"], backing + drums) < 0.1
    assert rel_error(out["backing.ogg"] + 2 * out["drums_p1.ogg"], out["song.ogg"]) < 0.1
    assert not [p for p in songs_dir().iterdir() if p.name.startswith(".")]
    lib = scan_library()
    assert ids(lib)["stem-song"]["source"] == "beatmap"
    assert ids(lib)["stem-song"]["stems"]["p2"] == str(folder / "drums_p2.ogg")


def test_loud_stems_are_turned_down_together(tmp_path: Path) -> None:
    stems = {"song.ogg": tone(220, 1.0, 0.7), "drums.ogg": tone(220, 1.0, 0.7)}
    src = clonehero_chart(tmp_path / "src", "Loud", stems=stems)
    done = import_to_library(src, song_id="loud")
    assert any("turned down" in w for w in done.warnings)
    n = SR
    mix = read(songs_dir() / "loud" / "song.ogg", n)
    p1 = read(songs_dir() / "loud" / "drums_p1.ogg", n)
    back = read(songs_dir() / "loud" / "backing.ogg", n)
    assert np.max(np.abs(mix)) < 1.05
    assert rel_error(back + 2 * p1, mix) < 0.1


def test_import_refuses_taken_ids_and_replaces_with_force(tmp_path: Path) -> None:
    src = osu_taiko(tmp_path / "osu", "Osu Song", audio=tone(300, 1.0, 0.1))
    first = import_to_library(src)
    assert first.song_id == "osu-song-osu-artist" and first.audio == ("song.ogg",)
    assert (first.folder / "song.ogg").read_bytes() == (src / "audio.ogg").read_bytes()
    with pytest.raises(GameError, match="already holds a song"):
        import_to_library(src)
    with pytest.raises(GameError, match="built-in"):
        import_to_library(src, song_id="first-contact")
    again = import_to_library(src, force=True)
    assert again.replaced and again.folder == first.folder
    write_beatmap(songs_dir() / "loose" / "x.beatmap", "taken")
    with pytest.raises(GameError, match="already used by"):
        import_to_library(src, song_id="taken")
    assert sorted(p.name for p in songs_dir().iterdir()) == ["loose", "osu-song-osu-artist"]


def test_force_never_deletes_a_folder_that_is_not_an_earlier_import(tmp_path: Path) -> None:
    src = osu_taiko(tmp_path / "osu", "Osu Song", audio=tone(300, 1.0, 0.1))
    other = songs_dir() / "mine"
    other.mkdir(parents=True)
    write_ogg(other / "mix.ogg", tone(200, 0.5, 0.1))
    write_beatmap(other / "other.beatmap", "other", audio="mix.ogg")
    before = sorted(p.name for p in other.iterdir())
    with pytest.raises(GameError, match=r"not an earlier import of 'mine'") as err:
        import_to_library(src, song_id="mine", force=True)
    assert "\n" not in str(err.value)
    assert sorted(p.name for p in other.iterdir()) == before
    first = import_to_library(src, song_id="imp")  # an earlier import plus a file of yours
    (first.folder / "my notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(GameError, match=r"also holds my notes\.txt"):
        import_to_library(src, song_id="imp", force=True)
    assert (first.folder / "my notes.txt").read_text(encoding="utf-8") == "keep me"
    (first.folder / "my notes.txt").unlink()
    assert import_to_library(src, song_id="imp", force=True).replaced
    assert sorted(p.name for p in songs_dir().iterdir()) == ["imp", "mine"]


def test_import_of_a_beatmap_brings_its_audio(tmp_path: Path) -> None:
    write_ogg(tmp_path / "mix.ogg", tone(200, 1.0, 0.1))
    write_beatmap(tmp_path / "mine.beatmap", "mine", audio="mix.ogg")
    done = import_to_library(tmp_path / "mine.beatmap", song_id="copied")
    assert done.audio == ("mix.ogg",)
    chart = load_song("copied")
    assert chart.meta.audio == "mix.ogg" and chart.meta.id == "copied"
    assert (songs_dir() / "copied" / "mix.ogg").read_bytes() == (tmp_path / "mix.ogg").read_bytes()


def test_broken_input_leaves_nothing_behind(tmp_path: Path) -> None:
    ch = clonehero_chart(tmp_path / "bad", "Bad")
    (ch / "notes.chart").write_text("[Song]\n{\n  Resolution = abc\n}\n", encoding="utf-8")
    with pytest.raises(GameError, match=r"notes\.chart"):
        import_to_library(ch)
    (tmp_path / "stems").mkdir()
    stems = clonehero_chart(tmp_path / "stems" / "song", "Stems",
                            stems={"song.ogg": tone(200, 0.5, 0.1)})
    (stems / "drums.ogg").write_bytes(b"OggS but not really")
    with pytest.raises(GameError, match=r"drums\.ogg"):
        import_to_library(stems)
    with pytest.raises(GameError, match="not a song the game can import"):
        import_to_library(tmp_path / "stems")
    assert list(songs_dir().iterdir()) == []
    assert data_dir().is_dir()


def test_a_stem_that_fails_while_decoding_is_one_error_and_every_file_is_closed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    song = clonehero_chart(tmp_path / "song", "Stems", stems={
        "song.ogg": tone(200, 2.0, 0.1), "drums.ogg": tone(400, 2.0, 0.1)})
    opened: list[Any] = []
    real_init, real_read = sf.SoundFile.__init__, sf.SoundFile.read

    def init(self: Any, *args: Any, **kw: Any) -> None:
        real_init(self, *args, **kw)
        opened.append(self)

    def read(self: Any, *args: Any, **kw: Any) -> Any:
        if Path(self.name).name == "drums.ogg" and self.tell() > 0:
            raise sf.LibsndfileError(1, "Error decoding: ")  # as a damaged page mid-file
        return real_read(self, *args, **kw)

    monkeypatch.setattr(sf.SoundFile, "__init__", init)
    monkeypatch.setattr(sf.SoundFile, "read", read)
    monkeypatch.setattr("game.audio.stem_mix.BLOCK", 4096)
    with pytest.raises(GameError, match=r"drums\.ogg: cannot read this audio file") as err:
        import_to_library(song)
    assert "\n" not in str(err.value)
    assert opened and all(f.closed for f in opened)
    assert list(songs_dir().iterdir()) == []


def test_import_of_a_truncated_ogg_stem_is_one_line_exit_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from game.cli import main

    song = clonehero_chart(tmp_path / "song", "Stems", stems={
        "song.ogg": tone(200, 1.0, 0.1), "drums.ogg": tone(400, 1.0, 0.1)})
    data = (song / "drums.ogg").read_bytes()
    (song / "drums.ogg").write_bytes(data[:len(data) // 2])
    assert main(["import", str(song)]) == 1
    _out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "drums.ogg" in err and "Traceback" not in err
    assert err.startswith("drum-diplomacy import: error: ")
    assert list(songs_dir().iterdir()) == []
