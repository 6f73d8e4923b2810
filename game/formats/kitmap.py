"""Kit maps: which drum voice each MIDI note number of an e-drum kit means.

A kit map is data, a small TOML file::

    name = "Roland TD"
    description = "Roland V-Drums factory note map"

    [notes]
    "36" = "kick"
    "40" = "rimshot"

Keys are MIDI note numbers (0-127) written as strings; values are lower-case
:class:`~game.engine.voices.Voice` member names (two-letter codes such as
``"SD"`` are accepted too). The built-in maps live in the ``game.kitmaps``
package; :func:`load_kitmap` takes a built-in name or a path to a file.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from game.engine.voices import Voice
from game.util.errors import FormatError

#: Built-in kit map names -> file in the ``game.kitmaps`` package. ``"default"``
#: is General MIDI plus the Roland edge/rim notes, i.e. the Roland map.
BUILTIN_KITMAPS: dict[str, str] = {
    "default": "roland_td.toml",
    "gm": "general_midi.toml",
    "roland": "roland_td.toml",
    "alesis": "alesis.toml",
    "yamaha": "yamaha_dtx.toml",
}

_VOICE_NAMES = ", ".join(v.name.lower() for v in Voice)


@dataclass(frozen=True, slots=True)
class KitRules:
    """How a kit's raw messages become strokes: hi-hat pedal, merges, retriggers.

    Read from a kit map's optional ``[hihat]`` and ``[triggers]`` tables.

    Attributes
    ----------
    pedal_cc : int
        Controller number of the hi-hat pedal position (CC4: 0 open .. 127 closed).
    pedal_notes : frozenset of int
        Hi-hat notes whose open/closed state comes from the latest pedal
        position rather than from the note (kits that send one hi-hat note).
    open_below : int
        A pedal position below this is an open hi-hat.
    closed_from : int
        A pedal position at or above this is a closed hi-hat; in between is
        half-open. 128 never closes (the kit's own closed note is trusted).
    pedal_merge_ms : float
        A pedal note and an open hi-hat note this close together are one
        stroke (some kits send both): the second is dropped. 0 turns it off.
    retrigger_ms : float
        A second hit on the same pad within this many milliseconds ...
    retrigger_ratio : float
        ... with a velocity below this fraction of the first is a double
        trigger and is dropped.
    crosstalk_ms : float
        A hit on another pad within this many milliseconds ...
    crosstalk_ratio : float
        ... with a velocity below this fraction of that hit is cross-talk and
        is dropped.
    """

    pedal_cc: int = 4
    pedal_notes: frozenset[int] = frozenset()
    open_below: int = 32
    closed_from: int = 96
    pedal_merge_ms: float = 0.0
    retrigger_ms: float = 10.0
    retrigger_ratio: float = 0.5
    crosstalk_ms: float = 3.0
    crosstalk_ratio: float = 0.1


#: Keys of the optional tables, with (type, lowest, highest) for their values.
_RULE_KEYS: dict[str, dict[str, tuple[type, float, float]]] = {
    "hihat": {"pedal_cc": (int, 0, 127), "open_below": (int, 0, 128),
              "closed_from": (int, 0, 128), "pedal_merge_ms": (float, 0, 100)},
    "triggers": {"retrigger_ms": (float, 0, 100), "retrigger_ratio": (float, 0, 1),
                 "crosstalk_ms": (float, 0, 100), "crosstalk_ratio": (float, 0, 1)},
}


@dataclass(frozen=True)
class KitMap:
    """A kit's note map.

    Attributes
    ----------
    name : str
        Shown to the player (``"Roland TD"``).
    description : str
        One line about the kit and where the map comes from.
    notes : dict of int to Voice
        MIDI note number (0-127) -> voice. Treat as read-only.
    rules : KitRules
        Hi-hat pedal and trigger clean-up settings.
    """

    name: str
    description: str
    notes: dict[int, Voice] = field(hash=False)
    rules: KitRules = KitRules()

    def voice_for(self, note: int) -> Voice | None:
        """The voice MIDI note ``note`` plays in this kit, or None if it plays none."""
        return self.notes.get(note)

    @property
    def known_notes(self) -> tuple[int, ...]:
        """The mapped note numbers, ascending."""
        return tuple(sorted(self.notes))

    def describe_notes(self) -> str:
        """The mapped note numbers as a short comma-separated list (for messages)."""
        return ", ".join(str(n) for n in self.known_notes)


def builtin_kitmap_names() -> list[str]:
    """Names :func:`load_kitmap` accepts besides a path, sorted."""
    return sorted(BUILTIN_KITMAPS)


def load_kitmap(name_or_path: str | os.PathLike[str]) -> KitMap:
    """Load a built-in kit map by name or a kit map file by path.

    Parameters
    ----------
    name_or_path : str or path-like
        ``"default"``, ``"gm"``, ``"roland"``, ``"alesis"`` or ``"yamaha"``
        (case-insensitive), or the path of a ``.toml`` kit map.

    Returns
    -------
    KitMap

    Raises
    ------
    FormatError
        For an unknown name (the message lists the valid ones), a file that
        cannot be read, invalid TOML (with its line), a note number outside
        0-127 or an unknown voice name.
    """
    if isinstance(name_or_path, str):
        key = name_or_path.strip().lower()
        if key in BUILTIN_KITMAPS:
            return _load_builtin(BUILTIN_KITMAPS[key])
        looks_like_path = (key.endswith(".toml") or os.sep in name_or_path
                           or "/" in name_or_path or Path(name_or_path).is_file())
        if not looks_like_path:
            raise FormatError(
                f"unknown kit map {name_or_path!r}; expected one of "
                f"{', '.join(builtin_kitmap_names())} or a path to a .toml file"
            )
    path = Path(name_or_path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FormatError(
            f"cannot read kit map file ({exc.strerror or exc}); built-in kit maps are "
            f"{', '.join(builtin_kitmap_names())}",
            path=str(path),
        ) from None
    return parse_kitmap(data, path=str(path))


@functools.cache
def _load_builtin(filename: str) -> KitMap:
    resource = resources.files("game.kitmaps").joinpath(filename)
    return parse_kitmap(resource.read_bytes(), path=f"game/kitmaps/{filename}")


def parse_kitmap(data: bytes | str, *, path: str | None = None) -> KitMap:
    """Parse the text of a kit map file.

    Parameters
    ----------
    data : bytes or str
        TOML text (UTF-8 when bytes).
    path : str, optional
        Named in error messages.

    Raises
    ------
    FormatError
        As :func:`load_kitmap`.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(f"kit map is not UTF-8 text ({exc.reason})", path=path) from None
    else:
        text = data
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"at line (\d+)", msg)
        line = int(m.group(1)) if m else None
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
        raise FormatError(f"invalid TOML: {msg}", path=path, line=line) from None
    return _kitmap_from_doc(doc, text, path)


def _kitmap_from_doc(doc: dict[str, Any], text: str, path: str | None) -> KitMap:
    default_name = Path(path).stem if path else "kit"
    name = doc.get("name", default_name)
    description = doc.get("description", "")
    if not isinstance(name, str) or not name.strip():
        raise FormatError("'name' must be a non-empty string", path=path,
                          line=_line_of_key(text, "name"))
    if not isinstance(description, str):
        raise FormatError("'description' must be a string", path=path,
                          line=_line_of_key(text, "description"))
    table = doc.get("notes")
    if not isinstance(table, dict) or not table:
        raise FormatError(
            'expected a [notes] table mapping note numbers to voices, e.g. "36" = "kick"',
            path=path,
        )
    notes: dict[int, Voice] = {}
    for key, value in table.items():
        line = _line_of_key(text, key)
        try:
            number = int(key)
        except ValueError:
            raise FormatError(
                f"note key {key!r} is not a MIDI note number (expected 0-127)",
                path=path, line=line,
            ) from None
        if not 0 <= number <= 127:
            raise FormatError(f"note {number} out of range 0-127", path=path, line=line)
        if not isinstance(value, str):
            raise FormatError(
                f"note {number}: expected a voice name string, got {value!r} "
                f"(voices: {_VOICE_NAMES})", path=path, line=line,
            )
        try:
            voice = Voice.from_name(value)
        except KeyError:
            raise FormatError(
                f"note {number}: unknown voice {value!r} (voices: {_VOICE_NAMES})",
                path=path, line=line,
            ) from None
        notes[number] = voice
    rules = _rules_from_doc(doc, text, path, notes)
    return KitMap(name=name.strip(), description=description.strip(), notes=notes,
                  rules=rules)


def _rules_from_doc(doc: dict[str, Any], text: str, path: str | None,
                    notes: dict[int, Voice]) -> KitRules:
    values: dict[str, Any] = {}
    for table_name, keys in _RULE_KEYS.items():
        table = doc.get(table_name, {})
        if not isinstance(table, dict):
            raise FormatError(f"[{table_name}] must be a table", path=path,
                              line=_line_of_key(text, table_name))
        for key, value in table.items():
            line = _line_of_key(text, key)
            if table_name == "hihat" and key == "pedal_notes":
                values[key] = _pedal_notes(value, notes, path, line)
                continue
            if key not in keys:
                known = ", ".join(sorted(keys) + (["pedal_notes"] if table_name == "hihat"
                                                  else []))
                raise FormatError(f"unknown key {key!r} in [{table_name}] (expected {known})",
                                  path=path, line=line)
            kind, lo, hi = keys[key]
            ok = (isinstance(value, int | float) and not isinstance(value, bool)
                  and (kind is float or isinstance(value, int)) and lo <= value <= hi)
            if not ok:
                what = "a whole number" if kind is int else "a number"
                raise FormatError(f"[{table_name}] {key}: expected {what} from {lo:g} to "
                                  f"{hi:g}, got {value!r}", path=path, line=line)
            values[key] = kind(value)
    rules = KitRules(**values)
    if rules.open_below > rules.closed_from:
        raise FormatError("[hihat] open_below must not be above closed_from", path=path,
                          line=_line_of_key(text, "open_below")
                          or _line_of_key(text, "closed_from"))
    return rules


def _pedal_notes(value: Any, notes: dict[int, Voice], path: str | None,
                 line: int | None) -> frozenset[int]:
    hats = {Voice.HIHAT_CLOSED, Voice.HIHAT_OPEN, Voice.HIHAT_HALF}
    if not isinstance(value, list):
        raise FormatError("[hihat] pedal_notes: expected a list of note numbers",
                          path=path, line=line)
    out: set[int] = set()
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or notes.get(item) not in hats:
            raise FormatError(f"[hihat] pedal_notes: {item!r} is not a hi-hat note of "
                              "this map", path=path, line=line)
        out.add(item)
    return frozenset(out)


def _line_of_key(text: str, key: str) -> int | None:
    """Best-effort 1-based line of ``key = ...`` in the TOML text (None if not found)."""
    pattern = re.compile(r'^\s*(?:"' + re.escape(key) + r'"|\'' + re.escape(key) + r'\'|'
                         + re.escape(key) + r")\s*=")
    for i, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return i
    return None


def kitmap_to_toml(kitmap: KitMap) -> str:
    """The text of a kit map file that :func:`parse_kitmap` reads back as ``kitmap``."""
    import tomli_w

    doc: dict[str, Any] = {"name": kitmap.name, "description": kitmap.description,
                           "notes": {str(n): kitmap.notes[n].name.lower()
                                     for n in sorted(kitmap.notes)}}
    r, d = kitmap.rules, KitRules()
    hihat = {k: getattr(r, k) for k in _RULE_KEYS["hihat"] if getattr(r, k) != getattr(d, k)}
    if r.pedal_notes:
        hihat["pedal_notes"] = sorted(r.pedal_notes)
    triggers = {k: getattr(r, k) for k in _RULE_KEYS["triggers"]
                if getattr(r, k) != getattr(d, k)}
    if hihat:
        doc["hihat"] = hihat
    if triggers:
        doc["triggers"] = triggers
    return tomli_w.dumps(doc)
