"""Song ids: made from titles, and kept unique and stable across a song library."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["assign_ids", "slugify"]

_NOT_ID = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """A song id from free text: lower-case ``[a-z0-9-]+`` (``"song"`` if nothing is left)."""
    return _NOT_ID.sub("-", text.lower()).strip("-") or "song"


def assign_ids(entries: list[dict[str, Any]], taken: Iterable[str], root: Path,
               known: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Give every user song a unique id; returns new entry dicts.

    Ids never move from one song to another (scores are kept by id): a song
    listed before (``known``: its ``beatmap`` path -> the id it had) keeps that
    id while it is still its own (its plain id, or that id with a suffix) and no
    built-in song has it. Every other song keeps its own id unless a built-in
    song (``taken``), a song listed before, or a new user song whose path sorts
    first has it; then it gets ``<id>-<6 hex digits>`` from a hash of its path
    under ``root``, which stays the same while the file stays where it is.
    ``chart_id`` keeps the id written in the file.
    """
    known = known or {}
    owner: dict[str, str] = dict.fromkeys(taken, "a built-in song")
    prefix = os.fspath(root).rstrip(os.sep) + os.sep
    rows = sorted(((_relative(e["beatmap"], prefix), e) for e in entries),
                  key=lambda pair: pair[0])
    chosen: dict[int, str] = {}
    for k, (rel, entry) in enumerate(rows):  # songs listed before keep their ids
        base = slugify(str(entry.get("id") or ""))
        old = known.get(str(entry["beatmap"]))
        if old and old not in owner and (old == base or old.startswith(base + "-")):
            chosen[k] = old
            owner[old] = rel
    out = []
    for k, (rel, entry) in enumerate(rows):
        base = slugify(str(entry.get("id") or ""))
        new = chosen.get(k)
        if new is None:
            new = base
            n = 0
            while new in owner:
                digest = hashlib.sha1(f"{rel}#{n}".encode() if n else rel.encode()).hexdigest()
                new, n = f"{base}-{digest[:6]}", n + 1
            owner[new] = rel
        e = {**entry, "id": new, "chart_id": entry.get("id")}
        if new != base:
            e["warnings"] = [*e.get("warnings", []),
                             f"song id {base!r} is taken by {owner.get(base, 'another song')}; "
                             f"listed as {new!r}"]
        out.append(e)
    return out


def _relative(path: str, prefix: str) -> str:
    rel = path[len(prefix):] if path.startswith(prefix) else path
    return rel.replace(os.sep, "/")
