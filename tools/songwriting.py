"""Songwriting helpers for ``tools/compose_songs.py``: drum grids, chords, a song timeline.

A song is written section by section onto a tick timeline (480 ticks per
quarter note) and saved as a type-1 Standard MIDI File laid out the way the
game's renderer and chart importer expect: track 0 the conductor (title,
tempo, meter, section markers), then ``P1 drums`` and ``P2 drums`` on channel
10, then the pitched tracks.

Notation
--------
Drum bar, :func:`beat`: one line per drum, a letter then a 16th-note grid::

    H x.x. x.x. x.x. x.O.      letters: see KIT
    S .... X..g .... X...      x normal, X accent, g ghost, . rest
    K x..x ..x. x... ..x.      (spaces are ignored)

Bass / comping rhythm: a 16th-note grid per bar; a hit starts at any
character but ``.``/``-`` and ``-`` holds it. Bass hits name a chord degree
(``1`` root or slash bass, ``3`` third, ``4``, ``5``, ``6``, ``7`` the
chord's seventh, ``8`` octave, ``2`` ninth); comping hits are ``x``. ``|``
separates bars that alternate; ``"pad"`` holds each chord for its whole span.

Melody: ``"a5:3 g5:1 r:4 bb4:8"``: pitch (or ``r`` for rest) and length in
16ths, one token after the other from the section's start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import mido

TPB = 480
STEP = TPB // 4  # a 16th note
DRUM_CHANNEL = 9
DRUM_NOTE_TICKS = 30
ARTIST = "Drum Diplomacy"
DRUM_TRACKS = ("P1 drums", "P2 drums")

#: Drum letters -> General MIDI percussion notes.
KIT = {"K": 36, "S": 38, "R": 40, "X": 37, "H": 42, "O": 46, "P": 44, "T": 48,
       "M": 45, "F": 43, "C": 49, "D": 51, "B": 53}
CYMBALS = "HOPDB"

_PITCH_CLASS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_QUALITY = {"": (0, 4, 7), "m": (0, 3, 7), "7": (0, 4, 7, 10), "m7": (0, 3, 7, 10),
            "maj7": (0, 4, 7, 11), "9": (0, 4, 10, 14), "m9": (0, 3, 10, 14),
            "sus4": (0, 5, 7), "7sus4": (0, 5, 7, 10), "sus2": (0, 2, 7),
            "add9": (0, 4, 7, 14), "6": (0, 4, 7, 9), "5": (0, 7)}
_CHORD = re.compile(r"([A-G][#b]?)(maj7|m7|m9|m|7sus4|sus4|sus2|add9|7|9|6|5)?(?:/([A-G][#b]?))?")


# drums ------------------------------------------------------------------------
@dataclass(frozen=True)
class Beat:
    """One bar of one drum part: ``hits`` are (16th step, drum letter, dynamic)."""

    hits: tuple[tuple[int, str, str], ...]

    def __add__(self, other: Beat) -> Beat:
        """Overlay two bars; ``other`` wins where both hit one drum on one step."""
        keep = {(s, v): d for s, v, d in self.hits}
        keep.update({(s, v): d for s, v, d in other.hits})
        return Beat(tuple(sorted((s, v, d) for (s, v), d in keep.items())))


def beat(text: str) -> Beat:
    """Parse a drum bar grid (see the module docstring)."""
    hits = []
    for line in text.strip().splitlines():
        voice, _, grid = line.strip().partition(" ")
        if voice not in KIT:
            raise ValueError(f"unknown drum {voice!r}")
        for step, ch in enumerate(grid.replace(" ", "")):
            if ch != ".":
                if ch not in "xXg":
                    raise ValueError(f"bad dynamic {ch!r} in {line!r}")
                hits.append((step, voice, ch))
    return Beat(tuple(sorted(hits)))


REST = Beat(())


def only(b: Beat, voices: str) -> Beat:
    """The hits of ``b`` on the given drum letters."""
    return Beat(tuple(h for h in b.hits if h[1] in voices))


def without(b: Beat, voices: str) -> Beat:
    """The hits of ``b`` not on the given drum letters."""
    return Beat(tuple(h for h in b.hits if h[1] not in voices))


def crash(b: Beat, step: int = 0) -> Beat:
    """``b`` with an accented crash on ``step``; the hats/ride rest while it rings
    (that beat), so each stroke after it is heard."""
    hits = [h for h in b.hits if not (step <= h[0] < step + 4 and h[1] in CYMBALS)]
    hits = [(s, v, "X" if s == step and v == "K" else d) for s, v, d in hits]
    return Beat(tuple(sorted([*hits, (step, "C", "X")])))


def phrase(bars: int, *cycle: Beat, fill: Beat | None = None, every: int = 4,
           crashes: bool = True) -> list[Beat]:
    """``bars`` bars cycling through ``cycle``; ``fill`` ends each ``every``-bar
    phrase and a crash starts each one (when ``crashes``)."""
    out = []
    for i in range(bars):
        b = fill if fill is not None and i % every == every - 1 else cycle[i % len(cycle)]
        out.append(crash(b) if crashes and i % every == 0 else b)
    return out


def _drum_velocity(dynamic: str, step: int, voice: str) -> int:
    if dynamic == "X":
        return 116 if voice == "C" else 118
    if dynamic == "g":
        return 38
    return 102 if step % 4 == 0 else 97 if step % 2 == 0 else 92


# harmony ----------------------------------------------------------------------
@dataclass(frozen=True)
class Chord:
    """A chord symbol: root and bass pitch classes, intervals above the root."""

    root: int
    bass: int
    intervals: tuple[int, ...]

    def degree(self, char: str) -> int:
        """Semitones above the root for a bass-pattern degree character."""
        third = next((i for i in self.intervals if i in (3, 4)), 5 if 5 in self.intervals
                     else 4)
        seventh = next((i for i in self.intervals if i in (10, 11)), 10)
        return {"1": 0, "2": 14, "3": third, "4": 5, "5": 7, "6": 9, "7": seventh,
                "8": 12}[char]


def _pc(name: str) -> int:
    return (_PITCH_CLASS[name[0].lower()] + {"#": 1, "b": -1}.get(name[1:], 0)) % 12


def chord(symbol: str, shift: int = 0) -> Chord:
    """Parse ``"Am7"``, ``"Bbmaj7"``, ``"A/C#"``..., transposed up ``shift`` semitones."""
    m = _CHORD.fullmatch(symbol)
    if not m:
        raise ValueError(f"bad chord {symbol!r}")
    root = (_pc(m.group(1)) + shift) % 12
    bass = (_pc(m.group(3)) + shift) % 12 if m.group(3) else root
    return Chord(root, bass, _QUALITY[m.group(2) or ""])


def _in_range(pc: int, low: int) -> int:
    return low + (pc - low) % 12


def voicing(c: Chord, low: int, power: bool = False) -> list[int]:
    """Close voicing with every tone in ``[low, low + 12)`` (smooth voice leading);
    ``power``: root, fifth and octave from the root in that range."""
    if power:
        r = _in_range(c.root, low)
        return [r, r + 7, r + 12]
    return sorted({_in_range((c.root + i) % 12, low) for i in c.intervals})


def pitch(name: str, shift: int = 0) -> int:
    """MIDI note of ``"c4"`` (60), ``"f#5"``, ``"bb3"``..., transposed by ``shift``."""
    m = re.fullmatch(r"([a-g][#b]?)(\d)", name)
    if not m:
        raise ValueError(f"bad pitch {name!r}")
    octave_base = 12 * (int(m.group(2)) + 1)
    letter = _PITCH_CLASS[m.group(1)[0]] + {"#": 1, "b": -1}.get(m.group(1)[1:], 0)
    return octave_base + letter + shift


def rhythm(grid: str) -> list[tuple[int, int, str]]:
    """(start step, length in steps, character) of each hit in a rhythm grid."""
    hits: list[list] = []
    holding = False
    for step, ch in enumerate(grid.replace(" ", "")):
        if ch == "-" and holding:
            hits[-1][1] += 1
        elif ch in ".-":
            holding = False
        else:
            hits.append([step, 1, ch])
            holding = True
    return [(s, n, c) for s, n, c in hits]


# the song -----------------------------------------------------------------------
@dataclass
class Instrument:
    """A pitched track: ``kind`` is ``"bass"``, ``"chords"`` or ``"melody"``."""

    name: str
    channel: int
    program: int
    kind: str
    sound: str
    low: int = 55
    velocity: int = 84
    power: bool = False
    volume: int = 100  # CC7: balances the band under the drums
    pan: int = 64  # CC10
    notes: list[tuple[int, int, int, int]] = field(default_factory=list)  # on, off, key, vel


@dataclass
class SectionInfo:
    """What the README says about one section."""

    name: str
    bar: int
    seconds: float
    bars: int
    who: str


class Song:
    """A song being written: call :meth:`section` in order, then :meth:`save`."""

    def __init__(self, song_id: str, title: str, bpm: float, instruments: list[Instrument],
                 *, swing: int = 0, feel: str = "") -> None:
        self.id, self.title, self.feel = song_id, title, feel
        self.swing = swing  # ticks added to every off-beat 16th
        self.instruments = {i.name: i for i in instruments}
        self.bpm, self.meter = bpm, 4
        self.tick, self.bar, self.seconds = 0, 1, 0.0
        self.conductor: list[tuple[int, mido.MetaMessage]] = [
            (0, mido.MetaMessage("track_name", name=title)),
            (0, mido.MetaMessage("text", text=f"Artist: {ARTIST}")),
            (0, mido.MetaMessage("copyright", text=f"{ARTIST} (MIT)")),
            (0, mido.MetaMessage("time_signature", numerator=4, denominator=4)),
            (0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm))),
        ]
        self.tempos, self.meters = [(1, bpm)], [(1, 4)]
        self.drums: dict[str, list[tuple[int, int, int]]] = {t: [] for t in DRUM_TRACKS}
        self.sections: list[SectionInfo] = []

    def _swung(self, tick: int) -> int:
        return tick + self.swing if tick % (2 * STEP) == STEP else tick

    def section(self, name: str | None, chords: str, p1: list[Beat],
                p2: list[Beat] | None = None, *, play: dict[str, str] | None = None,
                shift: int = 0, meter: int = 4, bpm: float | None = None,
                who: str = "") -> None:
        """Write one section: a chord per bar (``"Am7,D9"`` splits a bar in
        two), each player's drum bars (``p2=None``: unison) and what each
        pitched track plays (``play``: track name -> pattern or melody)."""
        bars = chords.split()
        p2 = p1 if p2 is None else p2
        if not len(bars) == len(p1) == len(p2):
            raise ValueError(f"{name}: {len(bars)} chord bars, {len(p1)}/{len(p2)} drum bars")
        start = self.tick
        if bpm is not None and bpm != self.bpm:
            self.bpm = bpm
            self.conductor.append((start, mido.MetaMessage("set_tempo",
                                                           tempo=mido.bpm2tempo(bpm))))
            self.tempos.append((self.bar, bpm))
        if meter != self.meter:
            self.meter = meter
            self.conductor.append((start, mido.MetaMessage("time_signature", numerator=meter,
                                                           denominator=4)))
            self.meters.append((self.bar, meter))
        if name:
            self.conductor.append((start, mido.MetaMessage("marker", text=name)))
            self.sections.append(SectionInfo(name, self.bar, self.seconds, len(bars), who))
        elif self.sections:
            self.sections[-1].bars += len(bars)
        steps = 4 * meter
        for i, symbols in enumerate(bars):
            bar_tick = start + i * steps * STEP
            for track, part in zip(DRUM_TRACKS, (p1[i], p2[i]), strict=True):
                for step, voice, dyn in part.hits:
                    if step < steps:
                        tick = self._swung(bar_tick + step * STEP)
                        self.drums[track].append((tick, KIT[voice],
                                                  _drum_velocity(dyn, step, voice)))
            names = symbols.split(",")
            spans = [(j * steps // len(names), (j + 1) * steps // len(names),
                      chord(n, shift)) for j, n in enumerate(names)]
            for track, pattern in (play or {}).items():
                inst = self.instruments[track]
                if inst.kind != "melody":
                    self._comp(inst, pattern.split("|")[i % len(pattern.split("|"))],
                               bar_tick, spans, steps)
        for track, melody in (play or {}).items():
            if self.instruments[track].kind == "melody":
                self._melody(self.instruments[track], melody, start, len(bars) * steps, shift)
        self.tick = start + len(bars) * steps * STEP
        self.seconds += len(bars) * meter * 60.0 / self.bpm
        self.bar += len(bars)

    def _note(self, inst: Instrument, on: int, off: int, key: int, velocity: int,
              gap: int = 12) -> None:
        inst.notes.append((self._swung(on), self._swung(off) - gap, key, velocity))

    def _comp(self, inst: Instrument, pattern: str, bar_tick: int,
              spans: list[tuple[int, int, Chord]], steps: int) -> None:
        if pattern == "pad":
            hits = [(a, b - a, "x") for a, b, _ in spans]
        else:
            hits = [h for h in rhythm(pattern) if h[0] < steps]
        for step, length, ch in hits:
            _, b, c = next(s for s in spans if s[0] <= step < s[1])
            end = bar_tick + min(step + length, b) * STEP
            on = bar_tick + step * STEP
            accent = 8 if step == 0 else 0
            if inst.kind == "bass":
                base = _in_range(c.bass if ch == "1" else c.root, inst.low)
                key = base if ch == "1" else base + c.degree(ch)
                self._note(inst, on, end, key, inst.velocity + accent)
            else:
                for key in voicing(c, inst.low, inst.power):
                    self._note(inst, on, end, key, inst.velocity + accent // 2,
                               gap=6 if pattern == "pad" else 12)

    def _melody(self, inst: Instrument, melody: str, start: int, steps: int,
                shift: int) -> None:
        pos = 0
        for token in melody.split():
            name, _, length = token.partition(":")
            n = int(length)
            if name != "r":
                velocity = inst.velocity + (6 if pos % 8 == 0 else 0)
                self._note(inst, start + pos * STEP, start + (pos + n) * STEP,
                           pitch(name, shift), velocity)
            pos += n
        if pos > steps:
            raise ValueError(f"{inst.name}: melody is {pos} 16ths, section has {steps}")

    def midi(self) -> mido.MidiFile:
        """The finished song as a type-1 MIDI file (see the module docstring)."""
        end = self.tick
        mid = mido.MidiFile(type=1, ticks_per_beat=TPB)
        mid.tracks.append(_track(list(self.conductor), end))
        for name in DRUM_TRACKS:
            events: list[tuple[int, mido.BaseMessage]] = [
                (0, mido.MetaMessage("track_name", name=name))]
            for tick, key, vel in sorted(self.drums[name]):
                events.append((tick, mido.Message("note_on", channel=DRUM_CHANNEL, note=key,
                                                  velocity=vel)))
                events.append((tick + DRUM_NOTE_TICKS, mido.Message(
                    "note_off", channel=DRUM_CHANNEL, note=key, velocity=0)))
            mid.tracks.append(_track(events, end))
        for inst in self.instruments.values():
            events = [(0, mido.MetaMessage("track_name", name=inst.name)),
                      (0, mido.Message("program_change", channel=inst.channel,
                                       program=inst.program)),
                      (0, mido.Message("control_change", channel=inst.channel, control=7,
                                       value=inst.volume)),
                      (0, mido.Message("control_change", channel=inst.channel, control=10,
                                       value=inst.pan))]
            for on, off, key, vel in sorted(inst.notes):
                events.append((on, mido.Message("note_on", channel=inst.channel, note=key,
                                                 velocity=vel)))
                events.append((off, mido.Message("note_off", channel=inst.channel, note=key,
                                                 velocity=0)))
            events.append((end, mido.Message("control_change", channel=inst.channel,
                                             control=123, value=0)))
            mid.tracks.append(_track(events, end))
        return mid

    def save(self, folder: Path) -> Path:
        """Write ``<folder>/<id>.mid`` and return its path."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.id}.mid"
        self.midi().save(str(path))
        return path


def _order(msg: mido.BaseMessage) -> int:
    """Same-tick order: meta and program first, then note-offs, then note-ons."""
    if msg.is_meta or msg.type == "program_change":
        return 0
    return 1 if msg.type in ("note_off", "control_change") else 2


def _track(events: list[tuple[int, mido.BaseMessage]], end: int) -> mido.MidiTrack:
    track = mido.MidiTrack()
    now = 0
    for tick, msg in sorted(events, key=lambda e: (e[0], _order(e[1]))):
        track.append(msg.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=end - now))
    return track
