"""Import osu!taiko and osu!mania beatmaps: one ``.osu`` file, a folder or an ``.osz``.

**Taiko.** A hit circle with a whistle (2) or clap (8) hitsound is a kat (rim),
any other a don (centre); a finish (4) makes it a big note, i.e. an accent.
Voices: don = snare (SD), kat = closed hi-hat (HH), so the two taiko colours
land in two different lanes on every layout (a rim voice would share the
snare's lane). A drumroll (slider) becomes a short snare roll: 8th notes from
its start up to its end (the first accented for a big drumroll); its length is
``length * slides / (SliderMultiplier * 100 * SV) * beatLength`` ms, as in
osu!. Spinners (denden) have no drum notes and are skipped, counted in a warning.

**Mania.** Column = ``floor(x * keys / 512)`` (keys = ``CircleSize``); a hold
note counts its head only. Columns -> voices (:data:`MANIA_VOICES`), kick in
the middle, hi-hats on the left, toms and cymbals on the right:

====  =============================================
keys  columns, left to right
====  =============================================
1     SD
2     SD BD
3     HH SD BD
4     HH SD BD CR
5     HH SD BD T1 CR
6     HH SD T1 BD T2 CR
7     HH SD T1 BD T2 T3 CR
8     OH HH SD T1 BD T2 T3 CR
9     OH HH SD T1 BD T2 T3 RD CR
10    HP OH HH SD T1 BD T2 T3 RD CR
====  =============================================

More keys (dual stages) fold onto the 10-key table (with a warning).

**A set.** A folder or ``.osz`` with several difficulties of the same mode is
one chart: the difficulties are ranked by notes per second; with four or
fewer the densest is expert, the next hard, then normal, then easy; with more,
easy, normal, hard and expert are taken evenly from the ranking (least dense
to densest; the rest are named in a warning). Missing ones are reduced. The
tempo map is the expert difficulty's. When a set has both taiko and mania
difficulties, the mode with more of them is used. ``AudioLeadIn`` is silence
osu! plays before the audio and does not move the notes (osu! times are
audio times), so it is not used.
"""

from __future__ import annotations

import bisect
import contextlib
import math
import os
import secrets
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from game.engine.chart import DIFFICULTIES, SongMeta
from game.engine.note_batch import NoteBatch
from game.engine.note_columns import NoteColumns
from game.engine.voices import Voice
from game.formats.import_common import (
    Arrangement,
    GivenNotes,
    ImportedSong,
    ImportFormatError,
    build_chart,
    clean_text,
    decode_text,
    is_system_file,
    read_bytes,
    song_id,
    unison,
)
from game.formats.osu_parse import (
    CLAP,
    FINISH,
    MODES,
    SLIDER,
    SPINNER,
    WHISTLE,
    HitObject,
    OsuFile,
    TimingPoint,
    parse_osu,
)
from game.formats.osu_timing import BEAT_LENGTH_RANGE_MS, OsuTiming, osu_timing

TAIKO, MANIA = 1, 3
SOURCES = {TAIKO: "osu-taiko", MANIA: "osu-mania"}
DON, KAT = Voice.SNARE, Voice.HIHAT_CLOSED
#: Drumroll notes are this many quarter notes apart (8th notes).
ROLL_STEP_BEATS = 0.5
#: Longest drumroll played (ms); a longer one (a broken or hostile file) is cut there.
MAX_ROLL_MS = 20_000.0

_V = {v.code: v for v in Voice}
MANIA_VOICES: dict[int, tuple[Voice, ...]] = {
    keys: tuple(_V[c] for c in codes.split()) for keys, codes in {
        1: "SD", 2: "SD BD", 3: "HH SD BD", 4: "HH SD BD CR", 5: "HH SD BD T1 CR",
        6: "HH SD T1 BD T2 CR", 7: "HH SD T1 BD T2 T3 CR", 8: "OH HH SD T1 BD T2 T3 CR",
        9: "OH HH SD T1 BD T2 T3 RD CR", 10: "HP OH HH SD T1 BD T2 T3 RD CR",
    }.items()
}


@dataclass(frozen=True, slots=True)
class _Map:
    osu: OsuFile
    file: Path

    @property
    def version(self) -> str:
        return clean_text(self.osu.text("metadata", "Version")) or self.file.stem

    def density(self) -> float:
        """Notes per second over the map's span (spinners not counted)."""
        times = [o.time_ms for o in self.osu.objects if not o.type & SPINNER]
        if not times:
            return 0.0
        return len(times) / max((max(times) - min(times)) / 1000, 1.0)


def import_osu(path: Path, *, extract_dir: Path | None = None,
               arrange: Arrangement = unison) -> ImportedSong:
    """Import an osu!taiko or osu!mania ``.osu`` file, a folder of them or an ``.osz``.

    Parameters
    ----------
    path : Path
        A ``.osu`` file (that difficulty only), a folder or an ``.osz`` archive
        (every taiko or mania difficulty in it).
    extract_dir : Path, optional
        For an ``.osz``: extract the audio file into this folder (then the
        song's folder). Without it the audio stays in the archive, ``audio`` is
        empty and a warning says so.
    arrange : callable
        Makes the two parts from the one-player chart (default: unison).

    Raises
    ------
    ImportFormatError
        No ``.osu`` file, only osu!standard/catch maps, a broken file (with its line).
    """
    if path.suffix.lower() == ".osz" and not path.is_dir():
        if not path.is_file():
            raise ImportFormatError("file not found (expected an .osz archive)", path=str(path))
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise ImportFormatError(f"not a readable .osz (zip) archive: {exc}",
                                    path=str(path)) from None
        with archive:
            return _import(path, archive, extract_dir, arrange)
    return _import(path, None, extract_dir, arrange)


def _import(path: Path, archive: zipfile.ZipFile | None, extract_dir: Path | None,
            arrange: Arrangement) -> ImportedSong:
    warnings: list[str] = []
    maps, files = _load(path, archive, warnings)
    modes = [m.osu.mode for m in maps]
    drums = [m for m in maps if m.osu.mode in SOURCES]
    if not drums:
        names = sorted({MODES.get(mode, f"mode {mode}") for mode in modes})
        where = maps[0].file if len(maps) == 1 else path
        raise ImportFormatError(f"osu!standard/catch maps have no drum notes (this is "
                                f"{' and '.join(names)}; expected Mode: 1 (osu!taiko) or "
                                "3 (osu!mania))", path=str(where))
    counts = {mode: sum(m.osu.mode == mode for m in drums) for mode in SOURCES}
    mode = TAIKO if counts[TAIKO] >= counts[MANIA] else MANIA
    skipped = [m.version for m in maps if m.osu.mode != mode]
    if skipped:
        warnings.append(f"skipped difficulties of other modes: {', '.join(skipped)}")
    chosen = _assign([m for m in drums if m.osu.mode == mode], warnings)
    ref = chosen[max(chosen, key=DIFFICULTIES.index)]
    note_ms = sorted(t for m in chosen.values() for t in _note_times(m, mode))
    timing = osu_timing(ref.osu.timing, note_ms[0] if note_ms else 0.0, warnings, note_ms)
    charted: dict[str, GivenNotes] = {}
    for diff, m in chosen.items():
        notes = _taiko(m, timing, warnings) if mode == TAIKO else _mania(m, timing, warnings)
        if notes:
            charted[diff] = notes
    if not charted:
        raise ImportFormatError("no hit objects: expected lines in [HitObjects]",
                                path=ref.osu.path)
    folder = path if path.is_dir() else path.parent
    audio_name = ref.osu.text("general", "AudioFilename")
    audio, folder = _audio(folder, archive, audio_name, extract_dir, warnings)
    title = clean_text(ref.osu.text("metadata", "Title")) \
        or clean_text(ref.osu.text("metadata", "TitleUnicode")) or ref.file.stem
    artist = clean_text(ref.osu.text("metadata", "Artist")) \
        or clean_text(ref.osu.text("metadata", "ArtistUnicode"))
    try:
        preview = ref.osu.number("general", "PreviewTime", -1)
    except ImportFormatError as exc:
        warnings.append(f"line {exc.line}: ignored PreviewTime (expected milliseconds)")
        preview = -1
    extra = tuple((f"osu_{d}", chosen[d].version) for d in DIFFICULTIES if d in chosen)
    meta = SongMeta(id=song_id(title, artist), title=title, artist=artist,
                    charter=clean_text(ref.osu.text("metadata", "Creator")),
                    audio=Path(audio_name).name if audio_name else None,
                    preview_s=preview / 1000 if preview > 0 else 0.0, extra=extra)
    chart = build_chart(meta, timing.tempo, (), charted, warnings, arrange=arrange)
    return ImportedSong(chart=chart, source=SOURCES[mode], folder=folder,
                        audio={"backing": audio, "drums": ()}, files=files,
                        warnings=tuple(warnings))


def osu_files(folder: Path) -> list[Path]:
    """The ``.osu`` files of a folder, by name (the system's files left out)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".osu"
                  and not is_system_file(p.name))


def osu_members(archive: zipfile.ZipFile) -> list[str]:
    """The ``.osu`` members of an ``.osz`` archive, by name (the system's left out)."""
    return sorted(n for n in archive.namelist()
                  if n.lower().endswith(".osu") and not is_system_file(n))


def _load(path: Path, archive: zipfile.ZipFile | None, warnings: list[str],
          ) -> tuple[list[_Map], tuple[Path, ...]]:
    """The parsed maps and the files they came from."""
    if archive is not None:
        names = osu_members(archive)
        if not names:
            raise ImportFormatError("no .osu files in this archive", path=str(path))
        return [_parse(path / n, _member(archive, n, path), warnings) for n in names], (path,)
    if path.is_dir():
        files = osu_files(path)
        if not files:
            raise ImportFormatError("no .osu files in this folder", path=str(path))
        return [_parse(f, read_bytes(f, "an .osu file"), warnings) for f in files], tuple(files)
    return [_parse(path, read_bytes(path, "an .osu file"), warnings)], (path,)


def _member(archive: zipfile.ZipFile, name: str, path: Path) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError,
            NotImplementedError) as exc:
        raise ImportFormatError(f"cannot read {name!r} from the archive: {exc}",
                                path=str(path)) from None


def _parse(path: Path, data: bytes, warnings: list[str]) -> _Map:
    local: list[str] = []
    osu = parse_osu(decode_text(data, str(path), local), path=str(path), warnings=local)
    warnings.extend(f"{path.name}: {w}" for w in local)
    return _Map(osu, path)


def _assign(maps: list[_Map], warnings: list[str]) -> dict[str, _Map]:
    """Difficulty -> map, by notes per second (see the module docstring)."""
    ranked = sorted(maps, key=lambda m: (m.density(), len(m.osu.objects), m.version))
    n = len(ranked)
    if n <= len(DIFFICULTIES):
        return {DIFFICULTIES[len(DIFFICULTIES) - n + i]: m for i, m in enumerate(ranked)}
    picks = [round(k * (n - 1) / 3) for k in range(4)]
    unused = [m.version for i, m in enumerate(ranked) if i not in picks]
    warnings.append(f"{n} difficulties; not used: {', '.join(unused)}")
    return {DIFFICULTIES[k]: ranked[i] for k, i in enumerate(picks)}


def _taiko(m: _Map, timing: OsuTiming, warnings: list[str]) -> NoteColumns:
    tempo = timing.tempo
    osu = m.osu
    slider_mult = osu.difficulty_value("SliderMultiplier", 1.4, warnings)
    notes = NoteBatch()
    spinners = rolls = long_rolls = 0
    times, states = _slider_timing(osu.timing)
    beats = timing.beats_of([o.time_ms for o in osu.objects])
    for o, beat in zip(osu.objects, beats, strict=True):
        big = bool(o.hitsound & FINISH)
        if o.type & SPINNER:
            spinners += 1
        elif o.type & SLIDER:
            rolls += 1
            end_ms, cut = _roll_end_ms(o, times, states, slider_mult)
            long_rolls += cut
            end = tempo.beat_at(end_ms / 1000)
            k = 0
            while k == 0 or beat + k * ROLL_STEP_BEATS < end - 1e-6:
                notes.add(beat + k * ROLL_STEP_BEATS, DON, accent=big and k == 0)
                k += 1
        else:
            voice = KAT if o.hitsound & (WHISTLE | CLAP) else DON
            notes.add(beat, voice, accent=big)
    if spinners:
        warnings.append(f"{m.version}: skipped {spinners} spinner(s) (denden): no drum notes")
    if rolls:
        warnings.append(f"{m.version}: {rolls} drumroll(s) played as 8th-note snare rolls")
    if long_rolls:
        warnings.append(f"{m.version}: {long_rolls} drumroll(s) longer than "
                        f"{MAX_ROLL_MS / 1000:.0f} s cut short")
    return notes.columns(tempo)


def _roll_end_ms(o: HitObject, times: list[float], states: list[tuple[float, float]],
                 slider_mult: float) -> tuple[float, bool]:
    """When a drumroll ends (ms), as osu! computes it, and whether it was cut at
    :data:`MAX_ROLL_MS`."""
    i = bisect.bisect_right(times, o.time_ms) - 1
    beat_ms, sv = states[i] if i >= 0 else (500.0, 1.0)
    end_ms = o.time_ms + o.length * o.slides / (slider_mult * 100 * sv) * beat_ms
    if not end_ms <= o.time_ms + MAX_ROLL_MS:  # also catches inf and nan
        return o.time_ms + MAX_ROLL_MS, True
    return end_ms, False


def _note_times(m: _Map, mode: int) -> list[float]:
    """Every time (ms) a note of ``m`` is played at or runs to: hit objects, and the
    ends of taiko drumrolls (rolls are 8th notes up to their end)."""
    out = [o.time_ms for o in m.osu.objects]
    if mode == TAIKO:
        times, states = _slider_timing(m.osu.timing)
        mult = m.osu.difficulty_value("SliderMultiplier", 1.4, [])
        out += [_roll_end_ms(o, times, states, mult)[0] for o in m.osu.objects
                if o.type & SLIDER and not o.type & SPINNER]
    return out


def _slider_timing(timing: tuple[TimingPoint, ...],
                   ) -> tuple[list[float], list[tuple[float, float]]]:
    """Times, and the (ms per beat, slider velocity) in force from each, for bisecting."""
    times: list[float] = []
    states: list[tuple[float, float]] = []
    beat_ms, sv = 500.0, 1.0
    low, high = BEAT_LENGTH_RANGE_MS
    for p in sorted(timing, key=lambda p: (p.time_ms, not p.uninherited)):
        if p.uninherited:  # as osu! reads it: a broken beat length is clamped too
            beat_ms, sv = min(max(p.beat_length, low), high), 1.0
        elif p.beat_length < 0:
            sv = min(max(-100.0 / p.beat_length, 0.1), 10.0)
        else:  # NaN or not negative: osu! plays these at 1x
            sv = 1.0
        times.append(p.time_ms)
        states.append((beat_ms, sv))
    return times, states


def _mania(m: _Map, timing: OsuTiming, warnings: list[str]) -> NoteColumns:
    osu = m.osu
    keys = round(osu.difficulty_value("CircleSize", 4, warnings))
    table = MANIA_VOICES[min(keys, 10)]
    if keys > 10:
        warnings.append(f"{m.version}: {keys} keys folded onto the 10-key columns")
    notes = NoteBatch()
    beats = timing.beats_of([o.time_ms for o in osu.objects])
    for o, beat in zip(osu.objects, beats, strict=True):
        column = min(max(math.floor(o.x * keys / 512), 0), keys - 1)
        voice = table[column * len(table) // keys] if keys > 10 else table[column]
        notes.add(beat, voice)
    return notes.columns(timing.tempo)


def _audio(folder: Path, archive: zipfile.ZipFile | None, name: str,
           extract_dir: Path | None, warnings: list[str]) -> tuple[tuple[Path, ...], Path]:
    """The audio file (as a tuple) and the song's folder."""
    if not name:
        warnings.append("no AudioFilename in [General]")
        return (), folder
    if archive is not None:
        member = next((n for n in archive.namelist()
                       if n.replace("\\", "/").lower() == name.replace("\\", "/").lower()), None)
        if member is None:
            warnings.append(f"audio {name!r} is not in the archive")
            return (), extract_dir or folder
        if extract_dir is None:
            warnings.append(f"audio {name!r} is inside the .osz; extract it to play it")
            return (), folder
        target = extract_dir / Path(member).name
        data = _member(archive, member, folder)
        extract_dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(target, data)
        return (target,), extract_dir
    found = next((p for p in sorted(folder.iterdir())
                  if p.is_file() and p.name.lower() == Path(name).name.lower()), None)
    if found is None:
        warnings.append(f"audio file {name!r} not found in {folder}")
        return (), folder
    return (found,), folder


def _write_atomic(target: Path, data: bytes) -> None:
    """Write ``target`` through a temporary file beside it, so it is never half-written."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
