"""When each song was last played: one read-only query of the score history.

Song select's "recently played" order needs the latest play of every song at
once; :meth:`game.store.scores.ScoreStore.recent` returns whole plays (each
report decoded), so this reads just the two columns, on a read-only
connection of its own (the score store's stays the only writer).
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

__all__ = ["last_played"]


def last_played(scores_file: Path) -> dict[str, str]:
    """Song id -> the ``played_at`` (ISO 8601, UTC) of its latest play.

    Empty when there is no history yet or it cannot be read (never raises: a
    list order is not worth an error).
    """
    path = Path(scores_file)
    if not path.is_file():
        return {}
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return {}
    with contextlib.closing(conn):
        try:
            rows = conn.execute("SELECT song_id, MAX(played_at) FROM plays "
                                "GROUP BY song_id").fetchall()
        except sqlite3.Error:
            return {}
    return {str(song): str(when) for song, when in rows if song and when}
