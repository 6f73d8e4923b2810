"""The on-disk cache of prepared practice audio: one folder per key, a manifest written last.

Each entry is a folder named by the key (a hash of everything that changes
the audio) holding one WAV per track and ``manifest.json`` with every file's
size and digest. An entry counts only when the manifest is there and every
file matches it; anything else (a crash half-way, a truncated or damaged
file) is a miss and is prepared again. The least recently used entries go
once the cache grows past :data:`MAX_CACHE_BYTES`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

__all__ = ["MAX_CACHE_BYTES", "default_cache_dir", "file_record", "key_of", "prune",
           "read_entry", "write_manifest"]

#: The cache keeps at most this many bytes; the least recently used entries go first.
MAX_CACHE_BYTES = 1 << 30
MANIFEST = "manifest.json"


def default_cache_dir() -> Path:
    """``$DRUM_DIPLOMACY_CACHE``, else ``cache/`` in ``$DRUM_DIPLOMACY_HOME``, else the
    platform's user cache folder; ``practice-audio`` inside it."""
    env = os.environ.get("DRUM_DIPLOMACY_CACHE", "").strip()
    home = os.environ.get("DRUM_DIPLOMACY_HOME", "").strip()
    if env:
        root = Path(env).expanduser()
    elif home:
        root = Path(home).expanduser() / "cache"
    else:
        import platformdirs

        root = Path(platformdirs.user_cache_dir("drum-diplomacy", appauthor=False))
    return root / "practice-audio"


def key_of(doc: Any) -> str:
    """A 32-hex-digit key of a JSON-able description."""
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32]


def digest(path: Path) -> str:
    """BLAKE2b (128 bit) of a file's bytes, hex."""
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def file_record(path: Path) -> dict[str, Any]:
    """What the manifest keeps of one written file."""
    return {"file": path.name, "bytes": path.stat().st_size, "digest": digest(path)}


def read_entry(entry: Path, names: list[str]) -> tuple[dict[str, Any], list[Path]] | None:
    """The manifest and the files of ``names`` if all are intact, else None.

    A hit marks the entry as just used.
    """
    try:
        doc = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
        files = []
        for name in names:
            info = doc["tracks"][name]
            path = entry / info["file"]
            if path.stat().st_size != info["bytes"] or digest(path) != info["digest"]:
                return None
            files.append(path)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    with contextlib.suppress(OSError):
        os.utime(entry / MANIFEST)
    return doc, files


def write_manifest(entry: Path, doc: dict[str, Any]) -> None:
    """Write the manifest (atomically, last: it makes the entry count).

    Raises
    ------
    OSError
    """
    tmp = entry / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    os.replace(tmp, entry / MANIFEST)


def prune(cache_dir: Path, keep: Path, max_bytes: int = MAX_CACHE_BYTES) -> None:
    """Delete the least recently used entries (never ``keep``) down to ``max_bytes``."""
    entries = []
    total = 0
    for d in cache_dir.iterdir():
        if not d.is_dir():
            continue
        try:
            size = sum(f.stat().st_size for f in d.iterdir())
            used = (d / MANIFEST).stat().st_mtime if (d / MANIFEST).exists() else 0.0
        except OSError:
            continue
        total += size
        if d != keep:
            entries.append((used, size, d))
    for _, size, d in sorted(entries, key=lambda e: e[0]):
        if total <= max_bytes:
            break
        shutil.rmtree(d, ignore_errors=True)
        total -= size
