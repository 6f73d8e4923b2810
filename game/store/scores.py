"""The score history: one SQLite row per play, written crash-safely.

The database is ``scores.sqlite3`` in :func:`game.store.paths.data_dir`. It
runs in WAL mode with ``synchronous=FULL`` and every write is one transaction,
so a crash or a killed process leaves either the whole play or none of it.

A file that is not a SQLite database, is damaged, is some other program's
database, or was written by a newer game (``PRAGMA user_version`` above
:data:`SCHEMA_VERSION`) is *moved aside* to
``scores.sqlite3.corrupt-YYYYmmdd-HHMMSS`` (with its ``-wal``/``-shm`` files)
and a fresh database takes its place; :attr:`ScoreStore.warnings` says so.
A database that is merely busy or cannot be opened (permissions) is left
alone and :class:`~game.store.paths.StoreError` is raised.

Best scores are per *seating*: ``best_for_pair(song, "Ana", "Ben")`` does not
count plays where Ben sat in seat 1, since the two seats play different parts.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from game.engine.names import normalize_name
from game.store.paths import StoreError, scores_path
from game.store.sqlite_file import Damaged as _Damaged
from game.store.sqlite_file import open_database

#: Schema version stored in ``PRAGMA user_version``.
SCHEMA_VERSION = 1

_COLUMNS: tuple[str, ...] = (
    "id", "played_at", "song_id", "chart_hash", "p1_name", "p2_name", "p1_difficulty",
    "p2_difficulty", "p1_score", "p2_score", "p1_accuracy", "p2_accuracy", "team_score",
    "sync_spread_ms", "in_sync_rate", "report_json",
)

_SCHEMA = """
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS plays (
    id INTEGER PRIMARY KEY,
    played_at TEXT NOT NULL,
    song_id TEXT NOT NULL,
    chart_hash TEXT NOT NULL,
    p1_name TEXT NOT NULL,
    p2_name TEXT NOT NULL,
    p1_difficulty TEXT NOT NULL,
    p2_difficulty TEXT NOT NULL,
    p1_score INTEGER NOT NULL,
    p2_score INTEGER NOT NULL,
    p1_accuracy REAL NOT NULL,
    p2_accuracy REAL NOT NULL,
    team_score INTEGER NOT NULL,
    sync_spread_ms REAL,
    in_sync_rate REAL,
    report_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS plays_pair ON plays (song_id, p1_name, p2_name, team_score);
CREATE INDEX IF NOT EXISTS plays_time ON plays (played_at);
PRAGMA user_version = 1;
COMMIT;
"""

_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM plays"


def _utc_iso(when: datetime | None) -> str:
    when = when or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


def play_row(report: dict[str, Any], played_at: datetime | None = None) -> dict[str, Any]:
    """The column values for one play (all but ``id``) from a session report.

    Parameters
    ----------
    report : dict
        As made by :func:`game.engine.report.session_report`.
    played_at : datetime or None
        When it was played; now by default. A naive time is taken as UTC.

    Raises
    ------
    ValueError
        When ``report`` lacks a figure the table needs.
    """
    try:
        song, duet = report["song"], report["duet"]
        p1, p2 = report["players"]
        row = {
            "played_at": _utc_iso(played_at), "song_id": str(song["id"]),
            "chart_hash": str(song["chart_hash"]),
            "p1_name": normalize_name(str(p1["name"])),
            "p2_name": normalize_name(str(p2["name"])),
            "p1_difficulty": str(p1["difficulty"]), "p2_difficulty": str(p2["difficulty"]),
            "p1_score": int(p1["score"]), "p2_score": int(p2["score"]),
            "p1_accuracy": float(p1["accuracy"]), "p2_accuracy": float(p2["accuracy"]),
            "team_score": int(duet["team_score"]),
            "sync_spread_ms": _maybe_float(duet["sync_spread_ms"]),
            "in_sync_rate": _maybe_float(duet["in_sync_rate"]),
            "report_json": json.dumps(report, sort_keys=True, allow_nan=False,
                                      ensure_ascii=False),
        }
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"not a session report ({type(e).__name__}: {e})") from e
    return row


def _maybe_float(v: Any) -> float | None:
    return None if v is None else float(v)


def _row_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    out = dict(zip(_COLUMNS, row, strict=True))
    out["report"] = json.loads(out.pop("report_json"))
    return out


class ScoreStore:
    """The score database; use as a context manager (``with ScoreStore() as store:``).

    Parameters
    ----------
    path : path-like or None
        Defaults to :func:`game.store.paths.scores_path`.

    Attributes
    ----------
    path : Path
        The database file.
    warnings : list of str
        Human-readable notes from opening it (a damaged file moved aside).

    Raises
    ------
    StoreError
        When the database cannot be opened or created (permissions, a lock held
        too long); a damaged file does not raise, it is moved aside.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else scores_path()
        self.warnings: list[str] = []
        self._conn = self._open()

    # ----------------------------------------------------------------- opening

    def _open(self) -> sqlite3.Connection:
        try:
            conn, set_aside = open_database(self.path, self._prepare,
                                            isolation_level="")
        except (OSError, sqlite3.Error, _Damaged) as e:
            raise StoreError(f"cannot open score database {self.path}: "
                             f"{getattr(e, 'strerror', None) or e}") from e
        if set_aside is not None:
            problem, aside = set_aside
            self.warnings.append(f"{self.path}: {problem}; it was moved aside to {aside.name} "
                                 f"and a new score history was started")
        return conn

    @staticmethod
    def _prepare(conn: sqlite3.Connection) -> None:
        """Check (or create) the schema; raise :class:`_Damaged` if the file is not ours."""
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise _Damaged(f"written by a newer Drum Diplomacy (schema version {version}, "
                           f"this one reads {SCHEMA_VERSION})")
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version == 0 and tables:
            raise _Damaged(f"not a Drum Diplomacy score database (has tables "
                           f"{', '.join(sorted(tables))})")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise _Damaged(f"damaged ({check})")
        if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            raise sqlite3.OperationalError("cannot switch to WAL journal mode")
        conn.execute("PRAGMA synchronous = FULL")
        if version == 0:
            conn.executescript(_SCHEMA)
            return
        have = tuple(r[1] for r in conn.execute("PRAGMA table_info(plays)"))
        if have != _COLUMNS:
            raise _Damaged(f"unexpected plays table (columns {', '.join(have) or 'none'})")

    # ----------------------------------------------------------------- lifetime

    def close(self) -> None:
        """Close the database (safe to call twice)."""
        self._conn.close()

    def __enter__(self) -> ScoreStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # ----------------------------------------------------------------- writing

    def add_play(self, report: dict[str, Any], *, played_at: datetime | None = None) -> int:
        """Record one play, in a single transaction.

        Parameters
        ----------
        report : dict
            As made by :func:`game.engine.report.session_report`; stored whole
            as JSON besides the columns.
        played_at : datetime or None
            When it was played; now by default. A naive time is taken as UTC.

        Returns
        -------
        int
            The play's id.

        Raises
        ------
        ValueError
            When ``report`` lacks a figure (nothing is written).
        StoreError
            When the database refuses the write (nothing is written).
        """
        row = play_row(report, played_at)
        names = [c for c in _COLUMNS if c != "id"]
        sql = (f"INSERT INTO plays ({', '.join(names)}) "
               f"VALUES ({', '.join(':' + n for n in names)})")
        try:
            with self._conn:
                cursor = self._conn.execute(sql, row)
        except sqlite3.Error as e:
            raise StoreError(f"cannot record the play in {self.path}: {e}") from e
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    # ----------------------------------------------------------------- reading

    def best_for_pair(self, song_id: str, p1_name: str, p2_name: str, *,
                      chart_hash: str | None = None) -> dict[str, Any] | None:
        """The play with the highest team score for this song and seating.

        Parameters
        ----------
        song_id : str
            The song.
        p1_name, p2_name : str
            Who sat in seat 1 and seat 2 (order matters; see the module docstring).
        chart_hash : str or None
            Only plays of this exact chart, if given.

        Returns
        -------
        dict or None
            The row's columns plus ``report`` (the decoded report); ``None``
            when this pair never played the song. Ties go to the earlier play.
        """
        sql = f"{_SELECT} WHERE song_id = ? AND p1_name = ? AND p2_name = ?"
        args: list[Any] = [song_id, normalize_name(p1_name), normalize_name(p2_name)]
        if chart_hash is not None:
            sql += " AND chart_hash = ?"
            args.append(chart_hash)
        row = self._conn.execute(
            sql + " ORDER BY team_score DESC, played_at, id LIMIT 1", args).fetchone()
        return None if row is None else _row_dict(row)

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest ``limit`` plays, newest first (same dicts as :meth:`best_for_pair`)."""
        rows = self._conn.execute(
            f"{_SELECT} ORDER BY played_at DESC, id DESC LIMIT ?", (max(0, limit),))
        return [_row_dict(r) for r in rows]

    def count(self) -> int:
        """How many plays are recorded."""
        return int(self._conn.execute("SELECT COUNT(*) FROM plays").fetchone()[0])
