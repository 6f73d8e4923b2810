"""A person's settings: key bindings, audio, per-player preferences, display, device offsets.

They live in ``settings.toml`` in :func:`game.store.paths.data_dir`. :func:`save_settings`
writes it atomically; :func:`load_settings` never fails, it returns usable settings and
human-readable warnings:

* **missing file**: defaults, no warning;
* **unreadable file** (read error, not UTF-8, TOML syntax error): *moved aside* to
  ``settings.toml.corrupt-YYYYmmdd-HHMMSS`` (``-1``, ``-2``... if taken, so every damaged
  copy is kept) and defaults are used; the warning names the file, line, column and what
  the TOML parser expected;
* **a bad value** (wrong type, out of range, unknown key, a section that is not a table):
  only that value falls back to its default, with a warning naming the file, line, setting
  and what was expected. The file is *not* moved or rewritten, so a hand edit with one typo
  loses nothing; the next :func:`save_settings` writes only valid settings;
* **key bindings**: a bad key name falls back to that lane's default; if a key is then bound
  to two of the ten lanes, *all* bindings fall back to the defaults.

``Settings.device_offsets_ms`` is a sorted tuple of ``(device_id, ms)`` pairs, so
:class:`Settings` stays frozen and hashable; see :meth:`Settings.device_offset`.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

import tomli_w

from game.engine.chart import DIFFICULTIES
from game.engine.names import NAME_MAX_CLUSTERS, cluster_count, normalize_name
from game.engine.voices import KEYBOARD_5
from game.store.paths import StoreError, move_aside, settings_path
from game.util.fileio import write_text_atomic

#: Keyboard lanes, in binding order: hi-hat, snare, tom, cymbal, kick.
LANES: tuple[str, ...] = tuple(lane.name for lane in KEYBOARD_5.lanes)
#: Entries in the UI's colour-blind-friendly palette; ``PlayerPrefs.colour`` indexes it.
PALETTE_SIZE = 8
#: Version written to the file; a bigger number means a newer game wrote it.
SETTINGS_VERSION = 1
#: Languages the game speaks (``game.ui.i18n.LANGUAGES`` has their names).
LANGUAGE_CODES: tuple[str, ...] = ("en", "ko", "ja")
#: Largest offset (audio, input, device) either way, in milliseconds.
MAX_OFFSET_MS = 1000.0

T = TypeVar("T")
#: A check returns the normalised value or raises :class:`_Bad` saying what was expected.
Check = Callable[[Any], Any]


class _Bad(ValueError):
    """A value failed its check; the message says what was expected."""


def _range(lo: float, hi: float, *, whole: bool = False, pow2: bool = False) -> Check:
    what = "a power of two" if pow2 else "a whole number" if whole else "a number"

    def check(v: Any) -> Any:
        if (isinstance(v, bool) or not isinstance(v, int if whole else int | float)
                or not lo <= v <= hi or (pow2 and v & (v - 1))):
            raise _Bad(f"{what} from {lo:g} to {hi:g}")
        return v if whole else float(v)
    return check


def _choice(*options: Any) -> Check:
    def check(v: Any) -> Any:
        if isinstance(v, bool) is not isinstance(options[0], bool) or v not in options:
            raise _Bad(" or ".join(_show(o) for o in options))
        return v
    return check


def _text(max_len: int, what: str = "", fold: Callable[[str], str] = str) -> Check:
    def check(v: Any) -> str:
        if not isinstance(v, str) or not v.strip() or len(v.strip()) > max_len:
            raise _Bad(what or f"a non-empty string of at most {max_len} characters")
        return fold(v.strip())
    return check


def _name(v: Any) -> str:
    """A player name: NFC, at most 16 grapheme clusters (see ``game.engine.names``)."""
    name = normalize_name(v, 10 * NAME_MAX_CLUSTERS) if isinstance(v, str) else ""
    if not name or cluster_count(name) > NAME_MAX_CLUSTERS:
        raise _Bad(f"a name of 1 to {NAME_MAX_CLUSTERS} characters")
    return name


def _input_kind(v: Any) -> str:
    if v in ("keyboard", "midi") or (isinstance(v, str) and v[:5] == "midi:" and v[5:].strip()):
        return str(v)
    raise _Bad('"keyboard", "midi" or "midi:<port name>"')


def _bindings(v: Any) -> tuple[str, ...]:
    if not isinstance(v, tuple | list) or len(v) != len(LANES):
        raise _Bad(f"{len(LANES)} key names (lanes {', '.join(LANES)})")
    return tuple(_key_name(k) for k in v)


#: A pygame key name (``pygame.key.name`` spelling), lower-cased.
_key_name = _text(40, 'a pygame key name such as "d" or "space"', str.lower)
_flag = _choice(True, False)
_volume = _range(0, 1)
_offset_ms = _range(-MAX_OFFSET_MS, MAX_OFFSET_MS)
_device_id = _text(200)


def _f(default: T, check: Check) -> T:
    """A dataclass field with a default and a check (run by ``__post_init__`` too)."""
    return field(default=default, metadata={"check": check})


def _duplicate(keys: tuple[str, ...]) -> str | None:
    return next((k for i, k in enumerate(keys) if k in keys[:i]), None)


class _Checked:
    """Mixin: ``__post_init__`` runs each field's check and stores the normalised value."""

    __slots__ = ()

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            try:
                object.__setattr__(self, f.name, f.metadata["check"](value))
            except _Bad as e:
                name = f"{type(self).__name__}.{f.name}"
                raise ValueError(f"{name} = {value!r}: expected {e}") from None


@dataclass(frozen=True, slots=True)
class KeyBindings(_Checked):
    """Pygame key names per lane, in :data:`LANES` order; all ten different.

    Defaults: left and right halves of the keyboard, no modifiers, no shared space bar.
    """

    p1: tuple[str, ...] = _f(("d", "f", "s", "e", "v"), _bindings)
    p2: tuple[str, ...] = _f(("j", "k", "l", "i", "n"), _bindings)

    def __post_init__(self) -> None:
        _Checked.__post_init__(self)
        if (dup := _duplicate(self.p1 + self.p2)) is not None:
            raise ValueError(f"key {dup!r} is bound to more than one lane")

    def for_player(self, index: int) -> tuple[str, ...]:
        """The five keys of player ``index`` (0 or 1)."""
        return (self.p1, self.p2)[index]


@dataclass(frozen=True, slots=True)
class Audio(_Checked):
    """Volumes (0 to 1), the output latency correction and the mixer buffer size."""

    master_volume: float = _f(1.0, _volume)
    music_volume: float = _f(0.8, _volume)
    hit_volume: float = _f(0.8, _volume)
    audio_offset_ms: float = _f(0.0, _offset_ms)
    buffer_samples: int = _f(256, _range(32, 4096, whole=True, pow2=True))


@dataclass(frozen=True, slots=True)
class PlayerPrefs(_Checked):
    """One seat's preferences; ``colour`` indexes the colour-blind-friendly palette."""

    name: str = _f("P1", _name)
    difficulty: str = _f("normal", _choice(*DIFFICULTIES))
    input: str = _f("keyboard", _input_kind)
    input_offset_ms: float = _f(0.0, _offset_ms)
    hit_sounds: bool = _f(True, _flag)
    colour: int = _f(0, _range(0, PALETTE_SIZE - 1, whole=True))


@dataclass(frozen=True, slots=True)
class Display(_Checked):
    """Window and note-highway settings."""

    fullscreen: bool = _f(False, _flag)
    width: int = _f(1280, _range(640, 7680, whole=True))
    height: int = _f(720, _range(360, 4320, whole=True))
    scroll_speed: float = _f(1.0, _range(0.5, 3.0))
    vsync: bool = _f(True, _flag)
    #: "auto" (the system's language), or one the game speaks: "en", "ko", "ja".
    language: str = _f("auto", _choice("auto", *LANGUAGE_CODES))


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a person can set; immutable (change it with :func:`dataclasses.replace`).

    ``device_offsets_ms``: input device id (``"keyboard"``, ``"midi:TD-17"``) to latency
    correction in ms, as sorted pairs (a mapping given here is turned into pairs).
    """

    keys: KeyBindings = field(default_factory=KeyBindings)
    audio: Audio = field(default_factory=Audio)
    players: tuple[PlayerPrefs, PlayerPrefs] = field(
        default_factory=lambda: (PlayerPrefs(), PlayerPrefs(name="P2", colour=1)))
    display: Display = field(default_factory=Display)
    device_offsets_ms: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        if len(self.players) != 2 or not all(isinstance(p, PlayerPrefs) for p in self.players):
            raise ValueError("Settings.players must be two PlayerPrefs")
        object.__setattr__(self, "players", tuple(self.players))
        try:
            pairs = {_device_id(d): _offset_ms(v) for d, v in dict(self.device_offsets_ms).items()}
        except _Bad as e:
            raise ValueError(f"Settings.device_offsets_ms: expected {e}") from None
        object.__setattr__(self, "device_offsets_ms", tuple(sorted(pairs.items())))

    def device_offset(self, device: str) -> float:
        """The latency correction of ``device`` in ms (0.0 when none is stored)."""
        return dict(self.device_offsets_ms).get(device, 0.0)

    def with_player(self, player: int, **changes: Any) -> Settings:
        """A copy with player ``player``'s (0 or 1) preferences changed."""
        players = list(self.players)
        players[player] = replace(players[player], **changes)
        return replace(self, players=(players[0], players[1]))

    def with_device_offset(self, device: str, ms: float) -> Settings:
        """A copy with ``device``'s offset set to ``ms``."""
        return replace(self, device_offsets_ms=tuple(
            {**dict(self.device_offsets_ms), device: ms}.items()))


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    """The TOML document, as nested dicts (what :func:`save_settings` writes)."""
    keys, players = settings.keys, settings.players
    return {"version": SETTINGS_VERSION,
            "keys": {"p1": dict(zip(LANES, keys.p1, strict=True)),
                     "p2": dict(zip(LANES, keys.p2, strict=True))},
            "audio": asdict(settings.audio), "display": asdict(settings.display),
            "players": {"p1": asdict(players[0]), "p2": asdict(players[1])},
            "device_offsets_ms": dict(settings.device_offsets_ms)}


_HEADER_COMMENT = ("# Drum Diplomacy settings. Edit while the game is closed: a bad value "
                   "falls back\n# to its default (with a warning). Keys are pygame key names.\n\n")


def save_settings(settings: Settings, path: str | os.PathLike[str] | None = None) -> Path:
    """Write ``settings`` as TOML atomically (a crash leaves the old file or the new one).

    ``path`` defaults to :func:`game.store.paths.settings_path`; the path written is returned.

    Raises
    ------
    StoreError
        When the file cannot be written; the previous file is then untouched.
    """
    target = Path(path) if path is not None else settings_path()
    try:
        write_text_atomic(target, _HEADER_COMMENT + tomli_w.dumps(settings_to_dict(settings)))
    except OSError as e:
        raise StoreError(f"cannot save settings to {target}: {e.strerror or e}") from e
    return target


_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_HEADER = re.compile(r"^\[\s*([^\[\]]+?)\s*\]")


def _show(v: Any) -> str:
    """A value as TOML spells it, for messages."""
    if isinstance(v, bool | str | list | tuple):
        return json.dumps(v, default=str)
    return "a table" if isinstance(v, dict) else repr(v)


class _Reader:
    """Turns a parsed document into :class:`Settings`, collecting warnings."""

    def __init__(self, path: Path, text: str, data: dict[str, Any]) -> None:
        self.path, self.lines, self.data = path, text.splitlines(), data
        self.warnings: list[str] = []

    def _line(self, section: str, key: str) -> int | None:
        """Where ``key`` is set in ``[section]`` (or where table ``section.key`` starts)."""
        dotted, k, current = f"{section}.{key}".lstrip("."), re.escape(key), ""
        pattern = re.compile(rf"^(?:{k}|\"{k}\"|'{k}')\s*=")
        for n, raw in enumerate(self.lines, 1):
            if m := _HEADER.match(raw.strip()):
                current = re.sub(r"[\s\"']", "", m.group(1))
            if (m and current == dotted) or (not m and current == section
                                              and pattern.match(raw.strip())):
                return n
        return None

    def warn(self, section: str, key: str, message: str) -> None:
        line = self._line(section, key)
        where = f"{self.path}, line {line}" if line else str(self.path)
        text = f"{where}: {f'[{section}] ' if section else ''}{key}: {message}"
        if text not in self.warnings:
            self.warnings.append(text)

    def table(self, section: str, known: tuple[str, ...] | None = None) -> dict[str, Any]:
        """The table at dotted ``section`` (``{}``, with a warning, if something is not one)."""
        node, where = self.data, ""
        for part in filter(None, section.split(".")):
            value = node.get(part, {})
            if not isinstance(value, dict):
                self.warn(where, part, f"expected a table, found {_show(value)}; using defaults")
                return {}
            node, where = value, f"{where}.{part}".lstrip(".")
        for extra in node:
            if extra not in (known or node):
                self.warn(section, extra, f"unknown setting ignored (expected one of: "
                                          f"{', '.join(known or ())})")
        return node

    def value(self, table: dict[str, Any], section: str, key: str, default: Any,
              check: Check) -> Any:
        """``check(table[key])``, or ``default`` (with a warning when present but bad)."""
        try:
            return check(table[key]) if key in table else default
        except _Bad as e:
            self.warn(section, key, f"{_show(table[key])} is not valid, expected {e}; "
                                    f"using {_show(default)}")
            return default

    def fill(self, section: str, default: T) -> T:
        """The dataclass ``default`` with the fields that table ``section`` sets validly."""
        checks = {f.name: f.metadata["check"] for f in fields(default)}  # type: ignore[arg-type]
        table = self.table(section, tuple(checks))
        return replace(default, **{  # type: ignore[type-var]
            name: self.value(table, section, name, getattr(default, name), check)
            for name, check in checks.items()})

    def keys(self) -> KeyBindings:
        default, chosen = KeyBindings(), dict[tuple[str, str], str]()
        self.table("keys", ("p1", "p2"))
        for i, p in enumerate(("p1", "p2")):
            table = self.table(f"keys.{p}", LANES)
            for lane, key in zip(LANES, default.for_player(i), strict=True):
                chosen[(p, lane)] = self.value(table, f"keys.{p}", lane, key, _key_name)
        keys = tuple(chosen.values())
        if (dup := _duplicate(keys)) is None:
            return KeyBindings(p1=keys[:len(LANES)], p2=keys[len(LANES):])
        clash = [pl for pl, k in chosen.items() if k == dup]
        self.warn(f"keys.{clash[-1][0]}", clash[-1][1],
                  f"key {_show(dup)} is bound to more than one lane "
                  f"({', '.join(' '.join(pl) for pl in clash)}); every key must be different, "
                  f"so the default key bindings are used")
        return default

    def settings(self) -> Settings:
        self.table("", ("version", "keys", "audio", "players", "display", "device_offsets_ms"))
        version = self.value(self.data, "", "version", 1, _range(1, 2**31, whole=True))
        if version > SETTINGS_VERSION:
            self.warn("", "version", f"written by a newer game (version {version} > "
                                     f"{SETTINGS_VERSION}); settings it does not know are ignored")
        base, offsets = Settings(), {}
        for device, ms in self.table("device_offsets_ms").items():
            try:
                offsets[_device_id(device)] = _offset_ms(ms)
            except _Bad as e:
                self.warn("device_offsets_ms", device, f"{json.dumps(device)} = {_show(ms)} is "
                                                       f"not valid, expected {e}; ignored")
        self.table("players", ("p1", "p2"))
        return Settings(keys=self.keys(), audio=self.fill("audio", base.audio),
                        players=(self.fill("players.p1", base.players[0]),
                                 self.fill("players.p2", base.players[1])),
                        display=self.fill("display", base.display),
                        device_offsets_ms=tuple(offsets.items()))


def _unreadable(path: Path, where: str, problem: str) -> str:
    try:
        fate = f"it was moved aside to {move_aside(path).name}"
    except OSError as e:
        fate = f"it could not be moved aside ({e.strerror or e})"
    return f"{where}: {problem}; {fate} and default settings are used"


def load_settings(path: str | os.PathLike[str] | None = None) -> tuple[Settings, list[str]]:
    """Read the settings file (default :func:`~game.store.paths.settings_path`); never raises.

    Returns
    -------
    settings : Settings
        What the file says, with defaults wherever it is missing or wrong.
    warnings : list of str
        One line per problem (file, line, setting, what was expected, what is used instead).
    """
    target = Path(path) if path is not None else settings_path()
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        return Settings(), []
    except OSError as e:
        return Settings(), [_unreadable(target, str(target), f"cannot be read ({e.strerror})")]
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as e:
        where = f"{target}, line {raw.count(10, 0, e.start) + 1}"
        return Settings(), [_unreadable(target, where, "not UTF-8 text, expected a TOML file")]
    except tomllib.TOMLDecodeError as e:
        message, where = str(e), str(target)
        if m := _TOML_WHERE.search(message):
            where = f"{target}, line {m.group(1)}, column {m.group(2)}"
            message = message[:m.start()]
        return Settings(), [_unreadable(target, where, f"not valid TOML: {message}")]
    reader = _Reader(target, text, data)
    return reader.settings(), reader.warnings
