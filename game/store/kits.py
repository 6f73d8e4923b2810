"""A person's kits: each device's kit map and velocity curve, and their own kit maps.

``kits.toml`` in the data folder holds one table per device (port name)::

    [devices."TD-17 MIDI 1"]
    kitmap = "roland"        # a built-in map, or one of the person's own
    velocity_gain = 1.0
    velocity_gamma = 0.8

Kit maps made on the MIDI-learn screen are files in ``kitmaps/`` in the data
folder, named by their file name. A damaged ``kits.toml`` is moved aside and
reported; nothing else is lost.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import tomli_w

from game.formats.kitmap import KitMap, builtin_kitmap_names, kitmap_to_toml, load_kitmap
from game.store.paths import _ensure_dir, data_dir, move_aside
from game.util.errors import FormatError
from game.util.fileio import write_text_atomic


@dataclass(frozen=True, slots=True)
class KitProfile:
    """How one device is read: its kit map's name and its velocity curve."""

    kitmap: str = "default"
    velocity_gain: float = 1.0
    velocity_gamma: float = 1.0


def kits_path() -> Path:
    """``kits.toml`` in the data folder."""
    return data_dir() / "kits.toml"


def user_kitmaps_dir() -> Path:
    """``kitmaps/`` in the data folder (the person's own maps); created if missing."""
    return _ensure_dir(data_dir() / "kitmaps")


def load_profiles(path: str | os.PathLike[str] | None = None
                  ) -> tuple[dict[str, KitProfile], list[str]]:
    """Every device's profile, and warnings (a damaged file is moved aside).

    A value of the wrong type falls back to its default with a warning; the
    other values of that device are kept.
    """
    p = Path(path) if path is not None else kits_path()
    if not p.exists():
        return {}, []
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        where = move_aside(p)
        return {}, [f"{p}: cannot read kit profiles ({exc}); moved to {where.name}, "
                    "using defaults"]
    devices = doc.get("devices", {})
    out: dict[str, KitProfile] = {}
    warnings: list[str] = []
    if not isinstance(devices, dict):
        return {}, [f"{p}: [devices] must be a table; using defaults"]
    for device, table in devices.items():
        if not isinstance(table, dict):
            warnings.append(f"{p}: devices.{device!r} must be a table; ignored")
            continue
        values: dict[str, Any] = {}
        for key, default in asdict(KitProfile()).items():
            v = table.get(key, default)
            ok = isinstance(v, str) if isinstance(default, str) else (
                isinstance(v, int | float) and not isinstance(v, bool) and 0 < v <= 10)
            if not ok:
                warnings.append(f"{p}: devices.{device!r}.{key} = {v!r} is not valid; "
                                f"using {default!r}")
                v = default
            values[key] = float(v) if isinstance(default, float) else v
        out[device] = KitProfile(**values)
    return out, warnings


def save_profile(device: str, profile: KitProfile,
                 path: str | os.PathLike[str] | None = None) -> Path:
    """Set one device's profile (others kept); written atomically."""
    p = Path(path) if path is not None else kits_path()
    profiles, _ = load_profiles(p)
    profiles[device] = profile
    doc = {"devices": {d: asdict(v) for d, v in sorted(profiles.items())}}
    write_text_atomic(p, tomli_w.dumps(doc))
    return p


def kitmap_names() -> list[str]:
    """Built-in kit map names, then the person's own (file names without ``.toml``)."""
    own = sorted(f.stem for f in user_kitmaps_dir().glob("*.toml"))
    # a file named like a built-in (any case) is hidden by it: resolve_kitmap
    # would load the built-in, so it is not offered
    return builtin_kitmap_names() + [n for n in own if n.lower() not in builtin_kitmap_names()]


def resolve_kitmap(name: str) -> KitMap:
    """A built-in map, one of the person's own by name, or a map file by path.

    Raises
    ------
    FormatError
        As :func:`game.formats.kitmap.load_kitmap`, naming the file and line.
    """
    if name.strip().lower() not in builtin_kitmap_names():
        own = user_kitmaps_dir() / f"{name}.toml"
        if own.is_file():
            return load_kitmap(own)
    return load_kitmap(name)


def save_user_kitmap(kitmap: KitMap, name: str) -> Path:
    """Write ``kitmap`` as the person's map ``name`` (MIDI-learn); atomic."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,40}", name) or name.endswith(".toml"):
        raise FormatError(f"kit map name {name!r}: use letters, digits, space, _ . -")
    if name.lower() in builtin_kitmap_names():
        raise FormatError(f"kit map name {name!r} is taken by a built-in kit map; choose another")
    path = user_kitmaps_dir() / f"{name}.toml"
    write_text_atomic(path, kitmap_to_toml(kitmap))
    return path
