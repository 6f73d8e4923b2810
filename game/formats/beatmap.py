"""Read the native ``.beatmap`` text format (version 1) into a :class:`Chart`.

The format is described in ``docs/beatmap-format.md``. In short::

    drum-diplomacy beatmap 1
    [song]      id = ..., title = ..., other key = value pairs
    [tempo]     POSITION BPM [METER] lines
    [sections]  POSITION NAME lines (optional)
    [p1 expert] drum-tab grids, copy lines and ``at`` lines (any number of parts)

Every problem is reported as a :class:`BeatmapError` naming the file, the line
and what was expected; a chart is returned only when the whole file is good.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from game.engine.chart import DIFFICULTIES, PARTS, Chart, PartTable, Section, SongMeta
from game.engine.tempo import MeterChange, TempoChange, TempoMap
from game.formats.beatmap_bars import BarTable, check_beat_in_bar, position_beat
from game.formats.beatmap_parts import PartContext, PartKey, parse_part
from game.formats.beatmap_syntax import (
    HEADER_LINE,
    MAGIC,
    LineError,
    Ratio,
    parse_meter,
    parse_number,
    parse_position,
    strip_comment,
)
from game.util.errors import BeatmapError
from game.util.gc_pause import gc_paused

__all__ = ["load_beatmap", "parse_beatmap"]

#: Keys of ``[song]`` that fill :class:`SongMeta` fields; others go to ``extra``.
SONG_KEYS = ("id", "title", "artist", "charter", "audio", "offset_ms", "preview_s")

_ID = re.compile(r"^[a-z0-9-]+$")
_KEY_VALUE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$")
_HEADER = re.compile(r"^\[(.*)\]$")
_EXPECTED_HEADERS = (
    "[song], [tempo], [sections] or a part like [p1 expert] "
    f"(part {' or '.join(PARTS)}, difficulty {', '.join(DIFFICULTIES)})"
)


@dataclass(slots=True)
class _Line:
    number: int
    text: str  # comment and surrounding blanks removed
    raw: str  # the line as written

    @property
    def indent(self) -> int:
        """Characters stripped from the start of the raw line."""
        return len(self.raw) - len(self.raw.lstrip())


@dataclass(slots=True)
class _Block:
    kind: str  # "song", "tempo", "sections" or "part"
    line: int
    part: PartKey | None = None
    body: list[_Line] = field(default_factory=list)


def load_beatmap(path: str | os.PathLike[str]) -> Chart:
    """Read a ``.beatmap`` file.

    Raises
    ------
    BeatmapError
        If the file is missing, unreadable, not UTF-8 or not a valid beatmap.
    """
    where = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise BeatmapError("no such file (expected a .beatmap file)", path=where) from None
    except IsADirectoryError:
        raise BeatmapError("is a folder (expected a .beatmap file)", path=where) from None
    except OSError as exc:
        raise BeatmapError(f"cannot read the file: {exc.strerror or exc}", path=where) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BeatmapError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the beatmap as UTF-8",
            path=where, line=line,
        ) from None
    return parse_beatmap(text, path=where)


def parse_beatmap(text: str, *, path: str = "<text>") -> Chart:
    """Parse the text of a beatmap.

    Parameters
    ----------
    text : str
        The whole file.
    path : str
        Named in error messages.

    Raises
    ------
    BeatmapError
        With the line number and what was expected, for any problem.
    """
    with gc_paused():
        return _parse(text, path)


def _parse(text: str, path: str) -> Chart:
    lines = _content_lines(text)
    if not lines:
        raise BeatmapError(f"the file is empty (expected first line '{HEADER_LINE}')",
                           path=path, line=1)
    _check_version(lines[0], path)
    blocks = _split_blocks(lines[1:], path)
    by_kind = {b.kind: b for b in blocks if b.kind != "part"}
    if "song" not in by_kind:
        raise BeatmapError("no [song] section (expected '[song]' with id = ... and title = ...)",
                           path=path, line=blocks[0].line if blocks else lines[0].number)
    meta, offset_s = _parse_song(by_kind["song"], path)
    if "tempo" not in by_kind:
        raise BeatmapError("no [tempo] section (expected '[tempo]' with a line like '1 120 4/4')",
                           path=path, line=by_kind["song"].line)
    tempo = _parse_tempo(by_kind["tempo"], offset_s, path)
    bars = BarTable(tempo)
    sections = _parse_sections(by_kind["sections"], bars, path) if "sections" in by_kind else ()
    ctx = PartContext(bars, path, {b.part: b.line for b in blocks if b.part is not None})
    for b in blocks:
        if b.part is not None:
            ctx.done[b.part] = parse_part(b.part, b.body, ctx)
    return Chart(meta=meta, tempo=tempo, sections=sections, parts=PartTable(ctx.done))


# lines and blocks ------------------------------------------------------------
def _content_lines(text: str) -> list[_Line]:
    if text.startswith("\ufeff"):
        text = text[1:]
    out = []
    for number, raw in enumerate(text.split("\n"), start=1):
        body = strip_comment(raw) if "#" in raw else raw.strip()
        if body:
            out.append(_Line(number, body, raw))
    return out


def _check_version(first: _Line, path: str) -> None:
    words = first.text.split()
    if words == HEADER_LINE.split():
        return
    if len(words) == 3 and " ".join(words[:2]).lower() == MAGIC:
        raise BeatmapError(
            f"unsupported beatmap version {words[2]} (this game reads version 1)",
            path=path, line=first.number,
        )
    raise BeatmapError(
        f"not a beatmap: found '{first.text}' (expected first line '{HEADER_LINE}')",
        path=path, line=first.number,
    )


def _split_blocks(lines: list[_Line], path: str) -> list[_Block]:
    blocks: list[_Block] = []
    seen: dict[str | PartKey, int] = {}
    for line in lines:
        if not line.text.startswith("["):
            if not blocks:
                raise BeatmapError(
                    f"found '{line.text}' before any section (expected a header: "
                    f"{_EXPECTED_HEADERS})", path=path, line=line.number)
            blocks[-1].body.append(line)
            continue
        block = _parse_header(line, path)
        key: str | PartKey = block.part if block.part is not None else block.kind
        if key in seen:
            raise BeatmapError(
                f"{line.text} appears twice (first at line {seen[key]}; expected each "
                "section and each part block once)", path=path, line=line.number)
        seen[key] = line.number
        blocks.append(block)
    return blocks


def _parse_header(line: _Line, path: str) -> _Block:
    m = _HEADER.match(line.text)
    if m is None:
        raise BeatmapError(f"bad section header '{line.text}' (expected {_EXPECTED_HEADERS})",
                           path=path, line=line.number)
    words = m.group(1).lower().split()
    if len(words) == 1 and words[0] in ("song", "tempo", "sections"):
        return _Block(words[0], line.number)
    if len(words) == 2 and words[0] in PARTS:
        if words[1] not in DIFFICULTIES:
            raise BeatmapError(
                f"unknown difficulty '{words[1]}' in {line.text} (expected one of "
                f"{', '.join(DIFFICULTIES)})", path=path, line=line.number)
        return _Block("part", line.number, part=(words[0], words[1]))
    raise BeatmapError(f"unknown section {line.text} (expected {_EXPECTED_HEADERS})",
                       path=path, line=line.number)


# [song] ----------------------------------------------------------------------
def _parse_song(block: _Block, path: str) -> tuple[SongMeta, float]:
    fields: dict[str, str] = {}
    extra: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    offset_s = 0.0
    preview_s = 0.0
    for line in block.body:
        try:
            m = _KEY_VALUE.match(line.text)
            if m is None:
                raise LineError(f"found '{line.text}' (expected 'key = value', e.g. "
                                "'title = First Contact')")
            key, value = m.group(1), m.group(2).strip()
            low = key.lower()
            if low in seen:
                raise LineError(f"key '{key}' given twice (first at line {seen[low]})")
            seen[low] = line.number
            if low == "id" and not _ID.match(value):
                raise LineError(f"bad id '{value}' (expected lowercase letters, digits and "
                                "'-', e.g. first-contact)")
            if low == "title" and not value:
                raise LineError("empty title (expected the song's name, e.g. title = My Song)")
            if low == "offset_ms":
                num, den = parse_number(value, "offset_ms")
                offset_s = num / (den * 1000)
            elif low == "preview_s":
                num, den = parse_number(value, "preview_s")
                if num < 0:
                    raise LineError(f"bad preview_s '{value}' (expected 0 or more seconds)")
                preview_s = num / den
            elif low in SONG_KEYS:
                fields[low] = value
            else:
                extra.append((key, value))
        except LineError as exc:
            raise BeatmapError(str(exc), path=path, line=line.number) from None
    for required in ("id", "title"):
        if required not in fields:
            raise BeatmapError(f"[song] is missing the required key '{required}' "
                               f"(expected a line like '{required} = ...')",
                               path=path, line=block.line)
    meta = SongMeta(
        id=fields["id"], title=fields["title"], artist=fields.get("artist", ""),
        charter=fields.get("charter", ""), audio=fields.get("audio"), preview_s=preview_s,
        extra=tuple(extra),
    )
    return meta, offset_s


# [tempo] ---------------------------------------------------------------------
def _parse_tempo(block: _Block, offset_s: float, path: str) -> TempoMap:
    if not block.body:
        raise BeatmapError("[tempo] is empty (expected a first line like '1 120 4/4')",
                           path=path, line=block.line)
    entries: list[tuple[_Line, int, Ratio, str, float | None]] = []
    meters: list[MeterChange] = []
    for i, line in enumerate(block.body):
        try:
            words = line.text.split()
            if len(words) not in (2, 3):
                raise LineError(f"found '{line.text}' (expected 'POSITION BPM [METER]', "
                                "e.g. '1 120 4/4', '9:3 132' or '17 - 7/8')")
            pos = parse_position(words[0])
            assert isinstance(pos, tuple)
            bar, beat = pos
            bpm = None if words[1] == "-" else _ratio_float(parse_number(words[1], "BPM"))
            if bpm is not None and not bpm > 0:
                raise LineError(f"bad BPM '{words[1]}' (expected a tempo above 0, e.g. 120)")
            meter = parse_meter(words[2]) if len(words) == 3 else None
            if meter is not None and beat[0] != beat[1]:
                raise LineError(f"meter {words[2]} at '{words[0]}' (expected meter changes "
                                f"only at the start of a bar, e.g. '{bar} - {words[2]}')")
            if i == 0:
                if bar != 1 or beat[0] != beat[1]:
                    raise LineError(f"the first tempo line is at '{words[0]}' (expected "
                                    "position 1, e.g. '1 120 4/4')")
                if bpm is None:
                    raise LineError("the first tempo line has no BPM (expected e.g. "
                                    "'1 120 4/4')")
                meter = meter or (4, 4)
            else:
                prev = entries[-1]
                if (bar, beat[0] * prev[2][1]) <= (prev[1], prev[2][0] * beat[1]):
                    raise LineError(f"tempo position '{words[0]}' does not come after "
                                    f"'{prev[3]}' on line {prev[0].number} (expected "
                                    "positions in increasing order)")
                if bpm is None and meter is None:
                    raise LineError(f"'{line.text}' changes nothing (expected a BPM, a "
                                    "meter or both)")
            if meter is not None:
                meters.append(MeterChange(bar, *meter))
            entries.append((line, bar, beat, words[0], bpm))
        except LineError as exc:
            raise BeatmapError(str(exc), path=path, line=line.number) from None
    bars_only = BarTable(TempoMap([TempoChange(0.0, 120.0)], meters))
    tempos: list[TempoChange] = []
    for line, bar, beat, text, bpm in entries:
        try:
            offset = check_beat_in_bar(bars_only, bar, beat, text)
        except LineError as exc:
            raise BeatmapError(str(exc), path=path, line=line.number) from None
        if bpm is not None:
            start = bars_only.start(bar).as_integer_ratio()
            tempos.append(TempoChange(position_beat(start, offset), bpm))
    try:
        return TempoMap(tempos, meters, offset_s=offset_s)
    except ValueError as exc:  # guarded above; kept so no traceback can escape
        raise BeatmapError(f"bad tempo map: {exc}", path=path, line=block.line) from None


# [sections] ------------------------------------------------------------------
def _ratio_float(value: Ratio) -> float:
    return value[0] / value[1]


def _parse_sections(block: _Block, bars: BarTable, path: str) -> tuple[Section, ...]:
    out: list[Section] = []
    last: tuple[Ratio, str, int] | None = None
    for line in block.body:
        try:
            words = line.text.split(None, 1)
            if len(words) != 2:
                raise LineError(f"found '{line.text}' (expected 'POSITION NAME', "
                                "e.g. '5 Verse A')")
            pos = parse_position(words[0])
            assert isinstance(pos, tuple)
            bar, beat = pos
            sn, sd = bars.start(bar).as_integer_ratio()
            on, od = check_beat_in_bar(bars, bar, beat, words[0])
            exact = (sn * od + on * sd, sd * od)
            if last is not None and exact[0] * last[0][1] <= last[0][0] * exact[1]:
                raise LineError(f"section '{words[1]}' at '{words[0]}' does not come after "
                                f"'{last[1]}' on line {last[2]} (expected sections in "
                                "increasing order)")
            last = (exact, words[1], line.number)
            beat_f = _ratio_float(exact)
            out.append(Section(words[1], beat_f, bars.tempo.seconds_at(beat_f)))
        except LineError as exc:
            raise BeatmapError(str(exc), path=path, line=line.number) from None
    return tuple(out)

