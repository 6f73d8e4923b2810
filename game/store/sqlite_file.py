"""Opening one of the game's SQLite files, and setting a damaged one aside.

The score database and the song cache open the same way: connect, check (or
create) the schema; a file that is not a database, is malformed, or is not
ours (the schema check says so by raising :class:`Damaged`) is moved aside with
its ``-wal`` and ``-shm`` companions and a fresh one is made. A locked or
unwritable file (:class:`sqlite3.OperationalError`) is not damage: it is raised.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Literal, cast

from game.store.paths import move_aside

__all__ = ["Damaged", "open_database"]


class Damaged(Exception):
    """The file is not a usable database of this kind; the message says why."""


def _connect(path: Path, isolation_level: str | None) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # ("" is sqlite3's default, deferred; typeshed lists only the named levels)
    level = cast(Literal["DEFERRED", "EXCLUSIVE", "IMMEDIATE"] | None, isolation_level)
    return sqlite3.connect(path, timeout=5.0, isolation_level=level)


def open_database(path: Path, prepare: Callable[[sqlite3.Connection], None], *,
                  isolation_level: str | None = ""
                  ) -> tuple[sqlite3.Connection, tuple[str, Path] | None]:
    """Connect to ``path`` and run ``prepare`` on it, setting a damaged file aside.

    Parameters
    ----------
    path : Path
    prepare : callable
        Checks or creates the schema; raises :class:`Damaged` for a file that
        is not ours.
    isolation_level : str or None
        As :func:`sqlite3.connect` (None: autocommit, explicit transactions).

    Returns
    -------
    conn : sqlite3.Connection
    set_aside : (problem, aside path) or None
        Why the old file was moved away and where to, if it was.

    Raises
    ------
    OSError, sqlite3.Error
        The folder or file cannot be made or opened, the file is locked, or
        the old file cannot be moved aside.
    Damaged
        A fresh file fails its own check (should not happen).
    """
    conn = _connect(path, isolation_level)
    try:
        prepare(conn)
        return conn, None
    except Damaged as exc:
        conn.close()
        problem = str(exc)
    except sqlite3.OperationalError:
        conn.close()
        raise
    except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
        conn.close()
        problem = f"damaged ({exc})"
    aside = move_aside(path, companions=("-wal", "-shm"))
    conn = _connect(path, isolation_level)
    try:
        prepare(conn)
    except BaseException:
        conn.close()
        raise
    return conn, (problem, aside)
