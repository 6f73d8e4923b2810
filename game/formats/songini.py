"""Read a Clone Hero / Phase Shift / Frets on Fire ``song.ini``.

The reading is tolerant, like the games': the header may be ``[song]`` or
``[Song]`` (any case, blanks inside the brackets), keys are case-insensitive,
``key=value`` may have blanks around ``=`` or not, ``;``, ``#`` and ``//``
start comment lines, formatting tags such as ``<color=#00FF00>`` are dropped
from text, a number may use a decimal comma (``delay = 12,5``), ``-1`` means
"not set" for the preview and the difficulty, and a value that is not a number
where one is expected is ignored with a warning (the game would ignore it too).
``delay`` may be negative (the notes come earlier). Keys in other sections are
ignored; a file with no section header at all is read as if it began with
``[song]`` (with a warning).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from game.formats.import_common import clean_text, decode_text, read_bytes

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


@dataclass(frozen=True, slots=True)
class SongIni:
    """What the importers use from ``song.ini``.

    Attributes
    ----------
    name, artist, charter : str
        Empty when absent. ``charter`` falls back to the older ``frets`` key.
    delay_ms : float or None
        Chart offset in milliseconds: positive plays the notes later.
    preview_ms : float or None
        Where the song preview starts, ms (``preview_start_time``; -1 means none).
    pro_drums, five_lane_drums : bool or None
        Forced drum track type; None when the key is absent.
    diff_drums : int or None
        The charter's drums difficulty rating (-1 or absent: None).
    values : dict
        Every key (lower-case) and its raw value.
    """

    name: str = ""
    artist: str = ""
    charter: str = ""
    delay_ms: float | None = None
    preview_ms: float | None = None
    pro_drums: bool | None = None
    five_lane_drums: bool | None = None
    diff_drums: int | None = None
    values: tuple[tuple[str, str], ...] = ()


def read_song_ini(path: Path, warnings: list[str]) -> SongIni:
    """Read ``song.ini`` at ``path``.

    Raises
    ------
    ImportFormatError
        Only if the file cannot be read at all.
    """
    text = decode_text(read_bytes(path, "a song.ini"), str(path), warnings)
    return parse_song_ini(text, path=str(path), warnings=warnings)


def parse_song_ini(text: str, *, path: str = "song.ini",
                   warnings: list[str] | None = None) -> SongIni:
    """Parse the text of a ``song.ini`` (see the module docstring for the rules)."""
    warn = warnings if warnings is not None else []
    values: dict[str, tuple[str, int]] = {}
    lines = text.lstrip("\ufeff").splitlines()
    headers = [line.strip()[1:-1].strip().lower() for line in lines
               if line.strip().startswith("[") and line.strip().endswith("]")]
    in_song = not headers  # no header at all: every key is a song key
    seen_header = in_song
    if not headers and any("=" in line for line in lines):
        warn.append(f"{Path(path).name}: no [song] header; read its keys anyway")
    for line_no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith((";", "#", "//")):
            continue
        if line.startswith("[") and line.endswith("]"):
            in_song = line[1:-1].strip().lower() == "song"
            seen_header = seen_header or in_song
            continue
        if not in_song:
            continue
        key, eq, value = line.partition("=")
        if not eq or not key.strip():
            warn.append(f"{Path(path).name}, line {line_no}: ignored {line!r} "
                        "(expected 'key = value')")
            continue
        values.setdefault(key.strip().lower(), (value.strip(), line_no))
    if not seen_header and text.strip():
        warn.append(f"{Path(path).name}: no [song] section; nothing read from it")

    def text_of(*keys: str) -> str:
        for k in keys:
            if k in values and clean_text(values[k][0]):
                return clean_text(values[k][0])
        return ""

    def number(key: str) -> float | None:
        if key not in values or not values[key][0]:
            return None
        value, line = values[key]
        try:
            x = float(value.replace(",", ".", 1) if value.count(",") == 1 else value)
        except ValueError:
            x = math.nan
        if not math.isfinite(x):
            warn.append(f"{Path(path).name}, line {line}: ignored {key} = {value!r} "
                        "(expected a number)")
            return None
        return x

    def flag(*keys: str) -> bool | None:
        for key in keys:
            if key in values:
                value, line = values[key]
                if value.lower() in _TRUE:
                    return True
                if value.lower() in _FALSE:
                    return False
                warn.append(f"{Path(path).name}, line {line}: ignored {key} = {value!r} "
                            "(expected True or False)")
        return None

    preview = number("preview_start_time")
    diff = number("diff_drums")
    return SongIni(
        name=text_of("name", "title"),
        artist=text_of("artist"),
        charter=text_of("charter", "frets"),
        delay_ms=number("delay"),
        preview_ms=preview if preview is not None and preview >= 0 else None,
        pro_drums=flag("pro_drums", "pro_drum"),
        five_lane_drums=flag("five_lane_drums"),
        diff_drums=int(diff) if diff is not None and diff >= 0 else None,
        values=tuple((k, v) for k, (v, _) in values.items()),
    )
