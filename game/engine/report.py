"""Plain-dict reports of a session, as ``score --json`` prints them."""

from __future__ import annotations

from typing import Any

from game.engine.scoring import PlayerStats
from game.engine.session import Session, SessionResult
from game.engine.sync_figures import DuetStats


def _round(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(x, nd)


def player_report(s: PlayerStats) -> dict[str, Any]:
    """One player's figures."""
    return {
        "judgements": {"perfect": s.perfect, "great": s.great, "good": s.good, "miss": s.miss},
        "strays": s.strays,
        "accuracy": round(s.accuracy, 6),
        "score": s.score,
        "combo": s.combo,
        "max_combo": s.max_combo,
        "mean_offset_ms": _round(s.mean_offset_ms),
        "unstable_rate": _round(s.unstable_rate),
        "accent_hits": s.accent_hits,
        "accent_notes": s.accent_notes,
    }


def duet_report(d: DuetStats) -> dict[str, Any]:
    """The pair's figures."""
    return {
        "shared_times": d.shared_times,
        "shared_notes": d.shared_notes,
        "mean_asynchrony_ms": _round(d.mean_asynchrony_ms),
        "sync_spread_ms": _round(d.sync_spread_ms),
        "in_sync_rate": _round(d.in_sync_rate, 6),
        "phase_lock": [_round(x, 6) for x in d.phase_lock],
        "leader": d.leader,
        "ahead": d.ahead,
        "sync_grades": dict(d.grades),
        "accent_pairs": d.accent_pairs,
        "accent_agreement": _round(d.accent_agreement, 6),
        "sync_quality": _round(d.sync_quality, 6),
        "team_score": d.team_score,
    }


def session_report(session: Session, result: SessionResult | None = None) -> dict[str, Any]:
    """The full report: song, players (with their setup) and duet."""
    result = result or session.result()
    players = []
    for i, (setup, stats) in enumerate(zip(session.players, result.players, strict=True)):
        entry = {"player": f"p{i + 1}", "name": setup.name, "part": setup.part,
                 "difficulty": setup.difficulty, "notes": len(session.notes[i])}
        entry.update(player_report(stats))
        players.append(entry)
    return {
        "song": {"id": session.chart.meta.id, "title": session.chart.meta.title,
                 "chart_hash": session.chart.content_hash()},
        "windows_ms": session.settings.windows.as_ms(),
        "players": players,
        "duet": duet_report(result.duet),
    }
