"""Real song files for the library tests: generated beatmaps, Clone Hero folders (notes.chart
or notes.mid written with mido), osu!taiko folders, and OGG stems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mido
import numpy as np
import soundfile as sf

from game.engine.chart import Chart, SongMeta, make_note, sort_notes
from game.engine.reduce import reduce_chart
from game.engine.tempo import TempoMap
from game.engine.voices import Voice
from game.formats.beatmap_writer import save_beatmap

SR = 22050


def groove(song_id: str, *, title: str = "Test Song", bpm: float = 120, bars: int = 2,
           audio: str | None = None) -> Chart:
    tempo = TempoMap.constant(bpm)
    notes = []
    for k in range(bars * 8):
        notes.append(make_note(tempo, k / 2, Voice.HIHAT_CLOSED))
        notes.append(make_note(tempo, k / 2, Voice.KICK if k % 4 == 0 else Voice.SNARE))
    part = sort_notes(notes)
    return reduce_chart(Chart(SongMeta(song_id, title, artist="Tester", audio=audio), tempo,
                              (), {("p1", "expert"): part, ("p2", "expert"): part}))


def write_beatmap(path: Path, song_id: str, **kw: Any) -> Path:
    save_beatmap(groove(song_id, **kw), path)
    return path


def tone(freq: float, seconds: float, amp: float, *, channels: int = 2) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    x = (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.stack([x] * channels, axis=1) if channels > 1 else x


def write_ogg(path: Path, audio: np.ndarray) -> None:
    sf.write(path, audio, SR, format="OGG", subtype="VORBIS")


CHART = """[Song]
{
  Name = "Chart Song"
  Resolution = 192
}
[SyncTrack]
{
  0 = TS 4
  0 = B 120000
}
[ExpertDrums]
{
""" + "".join(f"  {k * 192} = N {k % 2} 0\n" for k in range(16)) + "}\n"


def clonehero_chart(folder: Path, title: str, *, artist: str = "CH Band",
                    stems: dict[str, np.ndarray] | None = None) -> Path:
    folder.mkdir(parents=True)
    (folder / "notes.chart").write_text(CHART, encoding="utf-8")
    (folder / "song.ini").write_text(f"[song]\nname = {title}\nartist = {artist}\n",
                                     encoding="utf-8")
    for name, audio in (stems or {}).items():
        write_ogg(folder / name, audio)
    return folder


def clonehero_mid(folder: Path, title: str) -> Path:
    """A notes.mid: conductor track at 100 BPM, PART DRUMS with an Expert kick/snare beat."""
    folder.mkdir(parents=True, exist_ok=True)
    mid = mido.MidiFile(ticks_per_beat=480)
    conductor = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=600000, time=0),
                                mido.MetaMessage("time_signature", numerator=4, denominator=4,
                                                 time=0)])
    drums = mido.MidiTrack([mido.MetaMessage("track_name", name="PART DRUMS", time=0)])
    for k in range(16):
        note = 96 if k % 2 == 0 else 97
        drums.append(mido.Message("note_on", note=note, velocity=100, time=0 if k == 0 else 360))
        drums.append(mido.Message("note_off", note=note, velocity=0, time=120))
    mid.tracks += [conductor, drums]
    mid.save(folder / "notes.mid")
    (folder / "song.ini").write_text(f"[song]\nname = {title}\nartist = MID Band\n",
                                     encoding="utf-8")
    return folder


def osu_taiko(folder: Path, title: str, *, audio: np.ndarray | None = None) -> Path:
    folder.mkdir(parents=True)
    objects = "".join(f"256,192,{1000 + 500 * k},1,{0 if k % 2 == 0 else 2},0:0:0:0:\n"
                      for k in range(12))
    (folder / f"{title} [Oni].osu").write_text(
        "osu file format v14\n\n[General]\nAudioFilename: audio.ogg\nMode: 1\n\n"
        f"[Metadata]\nTitle:{title}\nArtist:Osu Artist\nCreator:x\nVersion:Oni\n\n"
        "[Difficulty]\nOverallDifficulty:5\nSliderMultiplier:1.4\nSliderTickRate:1\n\n"
        "[TimingPoints]\n0,500,4,1,0,100,1,0\n\n[HitObjects]\n" + objects, encoding="utf-8")
    if audio is not None:
        write_ogg(folder / "audio.ogg", audio)
    return folder
