"""The song cache: what each user song was read as, so start-up need not re-read it.

``song_cache.sqlite3`` in :func:`game.store.paths.data_dir` holds one row per
song path: its stamp (size and ``mtime_ns`` of every file it was read from,
see :mod:`game.formats.user_library`) and its song list entry or error line, as
JSON. A scan reads all rows in one query, re-reads only songs whose stamp
changed, and writes the changes and removals in one transaction (WAL mode).
It also remembers the id each user song was listed under (path -> id), so ids
(and the scores kept by them) never move to another song; those rows are kept
when the readers' code changes.

The cache only ever saves time. Rows written by another game version, or
before the readers' code changed (:func:`reader_version`), are dropped (the
songs are read again); a file that is not a database, is damaged
or is not ours is moved aside (with its ``-wal``/``-shm`` files) and rebuilt,
and :attr:`SongCache.notices` says so; a cache that cannot be opened at all
(permissions, a lock) leaves the scan to read every song.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType

from game import __version__
from game.formats.user_library import CachedSong
from game.store.paths import data_dir, move_aside
from game.store.sqlite_file import Damaged as _Damaged
from game.store.sqlite_file import open_database

#: Schema version in ``PRAGMA user_version``.
SCHEMA_VERSION = 2
#: ``PRAGMA application_id`` of a Drum Diplomacy song cache ("DDsc").
APPLICATION_ID = 0x44447363


def reader_version() -> str:
    """What the rows depend on: the game version, this schema, and the readers' code.

    The readers' code is stamped by the size and ``mtime_ns`` of every module in
    ``game/formats`` and of the difficulty rating, so an update (or an edit while
    developing) re-reads every song.
    """
    import game.engine.reduce
    import game.formats

    files = sorted(Path(game.formats.__file__).parent.glob("*.py"))
    files.append(Path(game.engine.reduce.__file__))
    digest = hashlib.sha1()
    for f in files:
        with contextlib.suppress(OSError):
            st = f.stat()
            digest.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return f"{__version__}/{SCHEMA_VERSION}/{digest.hexdigest()[:16]}"

_SCHEMA = f"""
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS songs (
    path TEXT PRIMARY KEY,
    stamp TEXT NOT NULL,
    entry TEXT,
    error TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ids (path TEXT PRIMARY KEY, id TEXT NOT NULL) WITHOUT ROWID;
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {SCHEMA_VERSION};
COMMIT;
"""


def cache_path() -> Path:
    """``song_cache.sqlite3`` in :func:`~game.store.paths.data_dir`."""
    return data_dir() / "song_cache.sqlite3"


class SongCache:
    """The song cache database; use as a context manager.

    Parameters
    ----------
    path : path-like or None
        Defaults to :func:`cache_path`.

    Attributes
    ----------
    path : Path
    notices : list of str
        What happened to a damaged or unusable cache, for the player.
    usable : bool
        False when the cache could not be opened; :meth:`load` then returns
        nothing and :meth:`save` does nothing.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else cache_path()
        self.notices: list[str] = []
        self._conn: sqlite3.Connection | None = None
        try:
            self._conn = self._open()
        except (OSError, sqlite3.Error) as exc:
            self.notices.append(f"song cache {self.path} cannot be used ({exc}); "
                                "every song is read at start-up")

    @property
    def usable(self) -> bool:
        """Whether the cache is open."""
        return self._conn is not None

    # opening ----------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        conn, set_aside = open_database(self.path, self._prepare, isolation_level=None)
        if set_aside is not None:
            self._set_aside_notice(*set_aside)
        return conn

    def _set_aside_notice(self, problem: str, aside: Path) -> None:
        self.notices.append(f"song cache {self.path} was {problem}; moved aside to "
                            f"{aside.name} and rebuilt (every song read again)")

    @staticmethod
    def _prepare(conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and (app_id != APPLICATION_ID or version != SCHEMA_VERSION):
            raise _Damaged(f"not a song cache of this game (application id {app_id:#x}, "
                           f"schema {version})")
        if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            raise sqlite3.OperationalError("cannot switch to WAL journal mode")
        conn.execute("PRAGMA synchronous = NORMAL")
        if not tables:
            conn.executescript(_SCHEMA)
        row = conn.execute("SELECT value FROM meta WHERE key = 'reader'").fetchone()
        reader = reader_version()
        if row is None or row[0] != reader:
            with _transaction(conn):
                conn.execute("DELETE FROM songs")
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('reader', ?)", (reader,))

    # reading and writing ------------------------------------------------------------
    def load(self, *, under: str | None = None) -> dict[str, CachedSong]:
        """Every cached song by path (a damaged cache is moved aside: then empty).

        Parameters
        ----------
        under : str or None
            Only the songs under this folder (one range of the primary key).
        """
        if self._conn is None:
            return {}
        sql = "SELECT path, stamp, entry, error FROM songs"
        args: tuple[str, ...] = ()
        if under is not None:
            low = os.path.join(under, "")  # the folder and its separator
            sql += " WHERE path >= ? AND path < ?"
            args = (low, low[:-1] + chr(ord(low[-1]) + 1))
        try:
            rows = self._conn.execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:
            self.notices.append(f"song cache {self.path} cannot be read ({exc})")
            return {}
        except sqlite3.DatabaseError as exc:
            self._reopen(f"damaged ({exc})")
            return {}
        out: dict[str, CachedSong] = {}
        for path, stamp, entry, error in rows:
            try:
                out[path] = CachedSong(stamp, json.loads(entry) if entry else None, error)
            except ValueError:  # one bad row: that song is read again
                continue
        return out

    def load_ids(self) -> dict[str, str]:
        """The id each song was listed under, by its path (empty if unusable)."""
        if self._conn is None:
            return {}
        try:
            return dict(self._conn.execute("SELECT path, id FROM ids").fetchall())
        except sqlite3.DatabaseError as exc:
            self.notices.append(f"song cache {self.path}: song ids cannot be read ({exc})")
            return {}

    def save_ids(self, ids: Mapping[str, str], removed: Sequence[str] = ()) -> None:
        """Remember the id of each song path listed (and forget the ``removed`` paths)."""
        if self._conn is None or not (ids or removed):
            return
        try:
            with _transaction(self._conn):
                self._conn.executemany("DELETE FROM ids WHERE path = ?",
                                       [(p,) for p in removed])
                self._conn.executemany("INSERT OR REPLACE INTO ids VALUES (?, ?)",
                                       list(ids.items()))
        except sqlite3.DatabaseError as exc:
            self.notices.append(f"song cache {self.path}: song ids not saved ({exc})")

    def save(self, changed: Mapping[str, CachedSong], removed: Sequence[str]) -> None:
        """Write the songs read and drop the ones gone, in one transaction."""
        if self._conn is None or not (changed or removed):
            return
        rows = [(path, c.stamp, None if c.entry is None else json.dumps(c.entry), c.error)
                for path, c in changed.items()]
        try:
            with _transaction(self._conn):
                self._conn.executemany("DELETE FROM songs WHERE path = ?",
                                       [(p,) for p in removed])
                self._conn.executemany("INSERT OR REPLACE INTO songs VALUES (?, ?, ?, ?)", rows)
        except sqlite3.OperationalError as exc:  # busy, read-only, full disk
            self.notices.append(f"song cache {self.path} not updated ({exc})")
        except sqlite3.DatabaseError as exc:
            self._reopen(f"damaged ({exc})")

    def _reopen(self, problem: str) -> None:
        assert self._conn is not None
        self._conn.close()
        self._conn = None
        try:
            aside = move_aside(self.path, companions=("-wal", "-shm"))
            self._set_aside_notice(problem, aside)
            self._conn, _ = open_database(self.path, self._prepare, isolation_level=None)
        except (OSError, sqlite3.Error, _Damaged) as exc:
            self._conn = None
            self.notices.append(f"song cache {self.path} cannot be rebuilt ({exc})")

    # lifetime -----------------------------------------------------------------------
    def close(self) -> None:
        """Close the database (safe to call twice)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> SongCache:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on an exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
