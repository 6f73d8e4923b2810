"""Real chart files of other games for the importer tests: Clone Hero notes.mid (written
with mido), notes.chart and song.ini text, osu! .osu text; and the beatmap round-trip check."""

from __future__ import annotations

import random
from pathlib import Path

import mido

from game.engine.chart import Chart
from game.engine.voices import Voice
from game.formats.beatmap import load_beatmap
from game.formats.beatmap_writer import save_beatmap

V = Voice
TPB = 480
Event = tuple[int, mido.Message | mido.MetaMessage]


# writing test files ------------------------------------------------------------------
def track(name: str, events: list[Event]) -> mido.MidiTrack:
    t = mido.MidiTrack()
    t.append(mido.MetaMessage("track_name", name=name, time=0))
    now = 0
    for tick, msg in sorted(events, key=lambda e: e[0]):
        t.append(msg.copy(time=tick - now))
        now = tick
    return t


def gem(tick: int, note: int, velocity: int = 100, length: int = 60) -> list[Event]:
    return [(tick, mido.Message("note_on", note=note, velocity=velocity)),
            (tick + length, mido.Message("note_off", note=note, velocity=0))]


def text(tick: int, words: str) -> Event:
    return (tick, mido.MetaMessage("text", text=words))


def write_mid(folder: Path, drums: list[Event], *, events: list[Event] = (),
              conductor: list[Event] | None = None, drum_name: str = "PART DRUMS",
              extra_tracks: list[mido.MidiTrack] = ()) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    mid = mido.MidiFile(type=1, ticks_per_beat=TPB)
    if conductor is None:
        conductor = [(0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(120)))]
    mid.tracks.append(track("Test Song", conductor))
    mid.tracks.append(track(drum_name, drums))
    mid.tracks.append(track("EVENTS", list(events)))
    mid.tracks.extend(extra_tracks)
    path = folder / "notes.mid"
    mid.save(path)
    return path


def write_ini(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "song.ini"
    path.write_text(body, encoding="utf-8")
    return path


def notes_of(chart: Chart, diff: str = "expert", part: str = "p1") -> list[tuple]:
    return [(n.beat, round(n.time_s, 9), n.voice, n.accent, n.ghost)
            for n in chart.notes(part, diff)]


def full(chart: Chart) -> dict:
    return {key: [(n.time_s, n.beat, n.voice, n.velocity, n.accent, n.ghost) for n in ns]
            for key, ns in chart.parts.items()}


def assert_round_trip(chart: Chart, tmp_path: Path) -> None:
    path = tmp_path / "out" / "song.beatmap"
    save_beatmap(chart, path)
    back = load_beatmap(path)
    assert back.tempo == chart.tempo
    assert [(s.name, s.beat, s.time_s) for s in back.sections] == \
        [(s.name, s.beat, s.time_s) for s in chart.sections]
    assert back.meta == chart.meta
    assert full(back) == full(chart)


def pro_kit_events() -> list[Event]:
    """Expert: kick + yellow cymbal, yellow tom, blue cymbal, blue tom, green cymbal,
    green tom, red; a tempo change at beat 4 is in the conductor."""
    ev: list[Event] = []
    ev += gem(0, 96) + gem(0, 98)
    ev += gem(240, 98) + gem(240, 110, length=10)       # yellow under a tom marker
    ev += gem(480, 99)
    ev += gem(720, 99) + gem(700, 111, length=100)      # marker starts before the gem
    ev += gem(960, 100)
    ev += gem(1200, 100) + gem(1200, 112)
    ev += gem(1440, 97)
    ev += gem(1440 + 60, 98)                            # yellow right at the marker's end
    ev += gem(1440, 110, length=60)
    ev += gem(2400, 96)                                 # beat 5, after the tempo change
    return ev


def conductor_120_then_60() -> list[Event]:
    return [(0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(120))),
            (0, mido.MetaMessage("time_signature", numerator=4, denominator=4)),
            (1920, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(60)))]


CHART = """\ufeff[Song]
{{
  Name = "Chart Song"
  Artist = "Chart Band"
  Charter = "Someone"
  Resolution = 192
  Offset = {offset}
  PreviewStart = 12.5
  MusicStream = "song.ogg"
}}
[SyncTrack]
{{
  0 = TS 4
  0 = B 120000
  768 = B 150000
  1536 = TS 3 3
}}
[Events]
{{
  0 = E "section Intro"
  768 = E "section Verse 1"
  960 = E "lyric la"
}}
[ExpertDrums]
{{
{notes}
}}
[ExpertSingle]
{{
  0 = N 0 0
}}
"""

PRO_NOTES = """  0 = N 0 0
  0 = N 2 0
  0 = N 66 0
  96 = N 2 0
  192 = N 1 0
  192 = N 34 0
  288 = N 3 0
  288 = N 32 0
  384 = N 4 0
  384 = N 68 0
  480 = N 1 0
  480 = N 40 0
  576 = N 3 0
  576 = N 67 0
  672 = N 4 0
  960 = N 1 0
  1536 = N 0 0
  1536 = S 2 192
  1536 = N 99 0"""


def write_chart(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "notes.chart"
    path.write_text(body, encoding="utf-8")
    return path



def osu_text(*, mode: int = 1, version: str = "Oni", timing: str = "1000,500,4,1,0,100,1,0",
             objects: str = "256,192,1000,1,0,0:0:0:0:", keys: float = 4, title: str = "Hello",
             extra_general: str = "", header: str = "osu file format v14",
             slider_multiplier: float = 1.4) -> str:
    return f"""{header}

[General]
AudioFilename: audio.mp3
AudioLeadIn: 0
PreviewTime: 5000
Countdown: 0
Mode: {mode}
{extra_general}
[Editor]
Bookmarks: 1000,2000
DistanceSpacing: 0.8

[Metadata]
Title:{title}
TitleUnicode:{title}
Artist:World
Creator:mapper
Version:{version}

[Difficulty]
HPDrainRate:5
CircleSize:{keys}
OverallDifficulty:5
ApproachRate:5
SliderMultiplier:{slider_multiplier}
SliderTickRate:1

[Events]
//Background and Video events
0,0,"bg.jpg",0,0
//Break Periods
2,5000,6000

[TimingPoints]
{timing}

[Colours]
Combo1 : 255,0,0

[HitObjects]
{objects}
"""


def write(folder: Path, name: str, body: str) -> Path:
    """Write ``body`` to ``folder/name`` (UTF-8), creating the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def circles(*items: tuple[int, int]) -> str:
    """(time ms, hitSound) -> taiko hit circle lines."""
    return "\n".join(f"256,192,{t},1,{h},0:0:0:0:" for t, h in items)


def osu_notes(chart: Chart, diff: str = "expert") -> list[tuple]:
    """(beat, time s, voice, accent) of P1's notes."""
    return [(n.beat, round(n.time_s, 9), n.voice, n.accent) for n in chart.notes("p1", diff)]


def mangle(lines: list[str], junk: list[str], rng: random.Random) -> list[str]:
    """``lines`` with 1-4 of them replaced by, or preceded by, a line of ``junk`` (fuzzing)."""
    mangled = list(lines)
    for _ in range(rng.randrange(1, 5)):
        i = rng.randrange(len(mangled))
        if rng.random() < 0.5:
            mangled[i] = rng.choice(junk)
        else:
            mangled.insert(i, rng.choice(junk))
    return mangled
