"""Realistic user songs for the library benches: what a player drops in the songs folder.

A mix like a real library: native ``.beatmap`` songs (as ``drum-diplomacy
import`` writes them: four difficulties per part), Clone Hero folders with a
``notes.chart`` or a ``notes.mid`` (four difficulties, cymbal and tom marks,
sections, a ``song.ini``, stems and album art), osu!taiko and osu!mania folders
of three or four ``.osu`` difficulties each, and a few ``.osz`` archives. Songs
are three to four minutes long at 90-180 BPM (about 1,000-2,000 Expert notes).
Audio and art files are stand-ins of a few bytes: the scan only looks at
their names and stamps.

Used by ``bench/library_scan.py``.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import mido

from game.engine.chart import Chart, Section, SongMeta, make_note, sort_notes
from game.engine.reduce import reduce_chart
from game.engine.tempo import TempoMap
from game.engine.voices import Voice
from game.formats.beatmap_writer import write_beatmap

#: Share of each kind in a generated library (the rest are ``.osz`` archives).
MIX = (("beatmap", 0.36), ("clonehero-chart", 0.2), ("clonehero-mid", 0.2),
       ("osu-taiko", 0.1), ("osu-mania", 0.1))
WORDS = ("Midnight", "Engine", "Paper", "Signal", "Harbor", "Neon", "Echo", "Cascade",
         "Velvet", "Thunder", "Glass", "Orbit", "Lantern", "Static", "Summit", "Drift")
BANDS = ("The Rivets", "Low Orbit", "Kite Season", "Brass Hollow", "Nine Lanterns",
         "밤의 드럼", "夜明けバンド", "Déjà Groove")
STAND_IN = b"\x00" * 64  # audio and art: only names and stamps are read


def title_of(rng: random.Random, k: int) -> str:
    """A song title: two words and the song's number."""
    return f"{rng.choice(WORDS)} {rng.choice(WORDS)} {k:03d}"


def groove_beats(rng: random.Random, bars: int) -> list[tuple[float, str]]:
    """(beat, lane) of a rock groove with fills: lanes kick, snare, hihat, crash, tom."""
    hits: list[tuple[float, str]] = []
    for bar in range(bars):
        fill = bar % 8 == 7
        for eighth in range(8):
            beat = bar * 4 + eighth / 2
            if fill and eighth >= 4:
                hits.append((beat, "tom"))
                hits.append((beat + 0.25, rng.choice(("tom", "snare"))))
                continue
            hits.append((beat, "crash" if eighth == 0 and bar % 8 == 0 else "hihat"))
            if eighth in (0, 3, 5) or rng.random() < 0.12:
                hits.append((beat, "kick"))
            if eighth in (2, 6):
                hits.append((beat, "snare"))
    return hits


VOICES = {"kick": Voice.KICK, "snare": Voice.SNARE, "hihat": Voice.HIHAT_CLOSED,
          "crash": Voice.CRASH, "tom": Voice.TOM_HIGH}


def native_song(rng: random.Random, k: int) -> str:
    """A ``.beatmap``: a 3-4 minute groove, sections every 8 bars, four difficulties."""
    bpm = rng.choice((92, 100, 112, 120, 128, 140, 150, 172))
    bars = round(rng.uniform(3.0, 4.0) * bpm / 4)
    tempo = TempoMap.constant(bpm)
    notes = [make_note(tempo, b, VOICES[lane], accent=lane == "crash")
             for b, lane in groove_beats(rng, bars)]
    sections = tuple(Section(f"Part {s + 1}", s * 32.0, tempo.seconds_at(s * 32.0))
                     for s in range(bars // 8))
    part = sort_notes(notes)
    chart = Chart(SongMeta(f"song-{k:03d}", title_of(rng, k), artist=rng.choice(BANDS),
                           audio="song.ogg"),
                  tempo, sections, {("p1", "expert"): part, ("p2", "expert"): part})
    return write_beatmap(reduce_chart(chart))


CHART_LANES = {"kick": (0,), "snare": (1,), "hihat": (2, 66), "crash": (4, 68), "tom": (3,)}
CHART_DIFFS = ("Expert", "Hard", "Medium", "Easy")


def chart_text(rng: random.Random, title: str, artist: str) -> str:
    """A ``notes.chart`` at resolution 192: four drum difficulties, sections, star power."""
    bpm = rng.choice((95, 110, 124, 138, 160))
    bars = round(rng.uniform(3.0, 4.0) * bpm / 4)
    hits = groove_beats(rng, bars)
    lines = ["[Song]", "{", f'  Name = "{title}"', f'  Artist = "{artist}"',
             '  Charter = "Bench"', "  Offset = 0", "  Resolution = 192",
             '  MusicStream = "song.ogg"', '  DrumStream = "drums.ogg"', "}",
             "[SyncTrack]", "{", "  0 = TS 4", f"  0 = B {bpm * 1000}", "}", "[Events]", "{"]
    lines += [f'  {s * 32 * 192} = E "section Verse {s + 1}"' for s in range(bars // 8)]
    lines.append("}")
    for level, name in enumerate(CHART_DIFFS):
        lines += [f"[{name}Drums]", "{"]
        for beat, lane in hits:
            if level and (beat * 2) % (2 ** level) and lane != "kick":
                continue  # easier: fewer off-beat notes
            tick = round(beat * 192)
            lines += [f"  {tick} = N {n} 0" for n in CHART_LANES[lane]]
        lines += [f"  {s * 32 * 192} = S 2 {4 * 192}" for s in range(0, bars // 8, 2)]
        lines.append("}")
    return "\r\n".join(lines) + "\r\n"


MID_LANES = {"kick": 0, "snare": 1, "hihat": 2, "crash": 4, "tom": 3}
TOM_MARK = {3: 111}  # blue pad as a tom; yellow/green pads stay cymbals


def mid_bytes(rng: random.Random, title: str) -> bytes:
    """A ``notes.mid`` (480 ticks per beat): conductor, PART DRUMS at four levels, EVENTS."""
    bpm = rng.choice((96, 108, 120, 132, 146))
    bars = round(rng.uniform(3.0, 4.0) * bpm / 4)
    hits = groove_beats(rng, bars)
    tpb = 480
    events: list[tuple[int, mido.Message | mido.MetaMessage]] = []
    for level, base in enumerate((96, 84, 72, 60)):
        for beat, lane in hits:
            if level and (beat * 2) % (2 ** level) and lane != "kick":
                continue
            tick, pad = round(beat * tpb), MID_LANES[lane]
            for note in (base + pad, *([TOM_MARK[pad]] if pad in TOM_MARK and not level else [])):
                events.append((tick, mido.Message("note_on", channel=9, note=note, velocity=100)))
                events.append((tick + 60, mido.Message("note_off", channel=9, note=note,
                                                       velocity=0)))
    mid = mido.MidiFile(type=1, ticks_per_beat=tpb)
    mid.tracks.append(_track(title, [
        (0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm))),
        (0, mido.MetaMessage("time_signature", numerator=4, denominator=4))]))
    mid.tracks.append(_track("PART DRUMS", events))
    mid.tracks.append(_track("EVENTS", [
        (s * 32 * tpb, mido.MetaMessage("text", text=f"[section verse_{s + 1}]"))
        for s in range(bars // 8)]))
    out = io.BytesIO()
    mid.save(file=out)
    return out.getvalue()


def _track(name: str, events: list[tuple[int, mido.Message | mido.MetaMessage]]
           ) -> mido.MidiTrack:
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
    now = 0
    for tick, msg in sorted(events, key=lambda e: (e[0], e[1].type == "note_on")):
        track.append(msg.copy(time=tick - now))
        now = tick
    return track


def song_ini(title: str, artist: str, rng: random.Random) -> str:
    """A ``song.ini`` as Clone Hero's community writes them (``[Song]``, spaces, -1s)."""
    return (f"[Song]\r\nname = {title}\r\nartist = {artist}\r\nalbum = Bench Sessions\r\n"
            f"genre = Rock\r\nyear = {rng.randint(1975, 2024)}\r\ndiff_drums = "
            f"{rng.randint(1, 6)}\r\ndiff_guitar = -1\r\npro_drums = True\r\n"
            f"song_length = {rng.randint(180000, 240000)}\r\npreview_start_time = 45000\r\n"
            "delay = 0\r\ncharter = Bench\r\nicon = bench\r\n")


def osu_text(rng: random.Random, title: str, artist: str, version: str, mode: int,
             density: int) -> str:
    """One ``.osu`` difficulty (v14): taiko (mode 1) or 4-key mania (mode 3)."""
    bpm = rng.choice((120, 140, 160, 180))
    beat_ms = 60000 / bpm
    minutes = rng.uniform(3.0, 4.0)
    count = int(minutes * 60000 / beat_ms * density / 2)
    objects = []
    for k in range(count):
        t = round(1000 + k * beat_ms * 2 / density)
        if mode == 1:
            objects.append(f"256,192,{t},1,{rng.choice((0, 0, 2, 4, 8, 12))},0:0:0:0:")
        else:
            objects.append(f"{64 + 128 * rng.randrange(4)},192,{t},1,0,0:0:0:0:")
    timing = [f"1000,{beat_ms:.6f},4,2,1,60,1,0"]
    timing += [f"{round(1000 + s * beat_ms * 32)},-100,4,2,1,60,0,{s % 2}"
               for s in range(1, 8)]
    return ("\ufeffosu file format v14\r\n\r\n[General]\r\nAudioFilename: audio.mp3\r\n"
            f"AudioLeadIn: 0\r\nPreviewTime: 45000\r\nMode: {mode}\r\n\r\n[Metadata]\r\n"
            f"Title:{title}\r\nArtist:{artist}\r\nCreator:Bench\r\nVersion:{version}\r\n\r\n"
            "[Difficulty]\r\nHPDrainRate:5\r\nCircleSize:4\r\nOverallDifficulty:6\r\n"
            "ApproachRate:5\r\nSliderMultiplier:1.4\r\nSliderTickRate:1\r\n\r\n"
            "[TimingPoints]\r\n" + "\r\n".join(timing) + "\r\n\r\n[HitObjects]\r\n"
            + "\r\n".join(objects) + "\r\n")


OSU_VERSIONS = (("Kantan", 1), ("Futsuu", 2), ("Muzukashii", 3), ("Oni", 4))


def osu_files(rng: random.Random, title: str, artist: str, mode: int) -> dict[str, str]:
    """A mapset's ``.osu`` files by name (3 or 4 difficulties)."""
    versions = OSU_VERSIONS[rng.randint(0, 1):]
    return {f"{artist} - {title} (Bench) [{v}].osu": osu_text(rng, title, artist, v, mode, d)
            for v, d in versions}


def generate_library(folder: Path, n: int, *, seed: int = 1) -> dict[str, int]:
    """Write ``n`` songs of :data:`MIX` under ``folder``; how many of each kind."""
    rng = random.Random(seed)
    kinds = [kind for kind, share in MIX for _ in range(round(n * share))]
    kinds += ["osz"] * max(0, n - len(kinds))
    counts: dict[str, int] = {}
    for k, kind in enumerate(kinds[:n]):
        counts[kind] = counts.get(kind, 0) + 1
        title, artist = title_of(rng, k), rng.choice(BANDS)
        song = folder / f"{k:03d} {artist} - {title}"
        if kind == "osz":
            files = osu_files(rng, title, artist, 1)
            with zipfile.ZipFile(folder / f"{k:03d} {title}.osz", "w") as archive:
                for name, text in files.items():
                    archive.writestr(name, text)
                archive.writestr("audio.mp3", STAND_IN)
            continue
        song.mkdir(parents=True)
        if kind == "beatmap":
            (song / f"song-{k:03d}.beatmap").write_text(native_song(rng, k), encoding="utf-8")
            (song / "song.ogg").write_bytes(STAND_IN)
            continue
        if kind.startswith("clonehero"):
            if kind == "clonehero-chart":
                (song / "notes.chart").write_text(chart_text(rng, title, artist),
                                                  encoding="utf-8")
            else:
                (song / "notes.mid").write_bytes(mid_bytes(rng, title))
            (song / "song.ini").write_text(song_ini(title, artist, rng), encoding="utf-8")
            for name in ("song.ogg", "drums.ogg", "album.png"):
                (song / name).write_bytes(STAND_IN)
            continue
        for name, text in osu_files(rng, title, artist, 1 if kind == "osu-taiko" else 3).items():
            (song / name).write_text(text, encoding="utf-8")
        (song / "audio.mp3").write_bytes(STAND_IN)
        (song / "bg.jpg").write_bytes(STAND_IN)
    return counts
