"""The on-disk cache of prepared practice audio: one folder per key, a manifest written last.

Each entry is a folder named by the key (a hash of everything that changes
the audio) holding one WAV per track and ``manifest.json`` with every file's
size and digest. An entry counts only when the manifest is there and every
file matches it; anything else (a crash half-way, a truncated or damaged
file) is a miss and is prepared again. The least recently used entries go
once the cache grows past :data:`MAX_CACHE_BYTES`.

Several processes may share the cache (two games, or a game and the
``practice`` command). So an entry is built in a temporary folder beside the
others (:func:`temp_entry`) and renamed to its key only once complete
(:func:`publish`): a folder under a key's name is always whole. Nobody deletes
another process's work in progress: :func:`prune` leaves alone any folder
without a manifest (or still under its temporary name) younger than
:data:`IN_PROGRESS_S`, and a process removes only the temporary folders it made
itself and entries that are complete but damaged (:func:`discard`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from game.util.fileio import write_text_atomic

__all__ = ["IN_PROGRESS_S", "MAX_CACHE_BYTES", "default_cache_dir", "discard", "file_record",
           "key_of", "prune", "publish", "read_entry", "temp_entry", "write_manifest"]

#: The cache keeps at most this many bytes; the least recently used entries go first.
MAX_CACHE_BYTES = 1 << 30
MANIFEST = "manifest.json"
#: A folder without a manifest younger than this (seconds) may be another process's work.
IN_PROGRESS_S = 600.0
#: Temporary folders (being built, or being deleted) start with this.
TEMP_PREFIX = ".tmp-"


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
    write_text_atomic(entry / MANIFEST, json.dumps(doc, indent=1))


def temp_entry(cache_dir: Path, key: str) -> Path:
    """A new empty folder beside the entries to build ``key``'s entry in (this process's own).

    Raises
    ------
    OSError
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{key}-", dir=cache_dir))


def publish(built: Path, entry: Path, names: list[str]) -> Path:
    """Rename the complete folder ``built`` to ``entry``; the folder that now holds the entry.

    If ``entry`` appeared meanwhile (another process) and is intact, it is kept
    and ``built`` deleted; if it is complete but damaged, it is replaced; if it
    has no manifest (another process's work, or abandoned) it is left alone and
    ``built`` stays where it is (a complete entry under its temporary name).

    Raises
    ------
    OSError
    """
    for _ in range(3):
        try:
            os.rename(built, entry)  # fails when entry exists and is not empty
            return entry
        except OSError:
            if not entry.exists():
                raise
        if read_entry(entry, names) is not None:
            shutil.rmtree(built, ignore_errors=True)
            return entry
        if not (entry / MANIFEST).exists():
            return built
        discard(entry)
    return built


def discard(entry: Path) -> None:
    """Delete a complete but damaged entry: first renamed away (one atomic step), then removed."""
    trash = entry.with_name(f"{TEMP_PREFIX}trash-{entry.name}-{os.getpid()}-{time.time_ns()}")
    try:
        os.rename(entry, trash)
    except OSError:
        return  # gone already (another process discarded or replaced it)
    shutil.rmtree(trash, ignore_errors=True)


def _last_change(d: Path, files: list[os.stat_result]) -> float:
    return max([d.stat().st_mtime, *(st.st_mtime for st in files)])


def prune(cache_dir: Path, keep: Path, max_bytes: int = MAX_CACHE_BYTES) -> None:
    """Delete the least recently used entries (never ``keep``) down to ``max_bytes``.

    A folder without a manifest, or under a temporary name, is left alone while
    it changed less than :data:`IN_PROGRESS_S` ago (another process may be
    writing it); older, it is abandoned and goes first.
    """
    entries = []
    total = 0
    now = time.time()
    for d in cache_dir.iterdir():
        if not d.is_dir():
            continue
        try:
            stats = [f.stat() for f in d.iterdir()]
            size = sum(st.st_size for st in stats)
            manifest = (d / MANIFEST).stat().st_mtime if (d / MANIFEST).exists() else None
            busy = manifest is None or d.name.startswith(TEMP_PREFIX)
            if busy and now - _last_change(d, stats) < IN_PROGRESS_S:
                total += size
                continue
        except OSError:
            continue
        total += size
        if d != keep:
            entries.append((0.0 if manifest is None else manifest, size, d))
    for _, size, d in sorted(entries, key=lambda e: e[0]):
        if total <= max_bytes:
            break
        shutil.rmtree(d, ignore_errors=True)
        total -= size
