"""Helpers shared by the subcommands: loading performances, printing reports."""

from __future__ import annotations

import argparse
import json
from typing import Any

from game.engine.chart import Chart
from game.engine.names import NAME_MAX_CLUSTERS, cluster_count, normalize_name
from game.engine.session import PlayerSetup
from game.engine.session import player_setups as session_setups
from game.engine.voices import layout_named
from game.engine.windows import windows_named
from game.ui.i18n import LANGUAGES
from game.util.errors import GameError


def player_setups(chart: Chart, args: Any) -> tuple[PlayerSetup, PlayerSetup]:
    """P1/P2 setups from ``--difficulty``, ``--p1-difficulty``, ``--layout``."""
    return session_setups(chart, (args.p1_difficulty or args.difficulty,
                                  args.p2_difficulty or args.difficulty),
                          layout=layout_named(args.layout or "kit9"))


def add_language_option(p: Any, *, subcommand: bool = False) -> None:
    """``--lang``: the language of the game's screens for this run (not saved).

    Given to the program and to ``play``/``practice``; a subcommand's copy has
    no default of its own, so ``drum-diplomacy --lang ko play SONG`` keeps it.
    """
    extra = {"default": argparse.SUPPRESS} if subcommand else {"default": None}
    p.add_argument("--lang", choices=list(LANGUAGES), metavar="LANG", **extra,
                   help="the screens' language for this run: en, ko or ja (default: the one "
                        "chosen in Settings, else the system's, else English)")


def add_name_options(p: Any) -> None:
    """``--p1-name`` / ``--p2-name``: the players' names (default: the saved names)."""
    for k in (1, 2):
        p.add_argument(f"--p{k}-name", metavar="NAME",
                       help=f"P{k}'s name on screen, in scores and replays (up to "
                            f"{NAME_MAX_CLUSTERS} characters; default: the saved name)")


def player_name(value: str | None, option: str) -> str | None:
    """A ``--pN-name`` value as stored (NFC), or None when not given.

    Raises
    ------
    GameError
        For a name with nothing visible or longer than the limit.
    """
    if value is None:
        return None
    name = normalize_name(value, 10 * NAME_MAX_CLUSTERS)
    if not name:
        raise GameError(f"{option}: expected a name with at least one visible character")
    if cluster_count(name) > NAME_MAX_CLUSTERS:
        raise GameError(f"{option}: {name!r} has {cluster_count(name)} characters; "
                        f"a name has at most {NAME_MAX_CLUSTERS}")
    return name


def windows_from(args: Any) -> Any:
    """The hit windows named by ``--windows`` (standard when not given)."""
    try:
        return windows_named(args.windows or "standard")
    except ValueError as exc:
        raise GameError(str(exc)) from None


def print_json(doc: dict[str, Any]) -> None:
    """Print one JSON object."""
    print(json.dumps(doc, indent=2))


def _fmt(x: Any, unit: str = "", nd: int = 1) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{nd}f}{unit}"
    return f"{x}{unit}"


def format_report(report: dict[str, Any]) -> str:
    """A readable table of a session report."""
    p1, p2 = report["players"]
    rows: list[tuple[str, str, str]] = [
        ("player", p1["name"] or "P1", p2["name"] or "P2"),
        ("part / difficulty", f"{p1['part']} {p1['difficulty']}",
         f"{p2['part']} {p2['difficulty']}"),
        ("notes", str(p1["notes"]), str(p2["notes"])),
    ]
    for g in ("perfect", "great", "good", "miss"):
        rows.append((g, str(p1["judgements"][g]), str(p2["judgements"][g])))
    rows += [
        ("strays", str(p1["strays"]), str(p2["strays"])),
        ("accuracy", f"{p1['accuracy'] * 100:.2f} %", f"{p2['accuracy'] * 100:.2f} %"),
        ("score", f"{p1['score']:,}", f"{p2['score']:,}"),
        ("max combo", str(p1["max_combo"]), str(p2["max_combo"])),
        ("mean offset", _fmt(p1["mean_offset_ms"], " ms"), _fmt(p2["mean_offset_ms"], " ms")),
        ("unstable rate", _fmt(p1["unstable_rate"]), _fmt(p2["unstable_rate"])),
    ]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    lines = [f"{report['song']['title']} ({report['song']['id']})", ""]
    lines += [f"  {a:<{w0}}  {b:>{w1}}  {c}" for a, b, c in rows]
    d = report["duet"]
    lead = {"p1": "P1 leads", "p2": "P2 leads", "mutual": "mutual adaptation",
            None: "not enough data / no coupling"}[d["leader"]]
    ahead = d["ahead"]
    mean_async = d["mean_asynchrony_ms"]
    if ahead in ("p1", "p2") and mean_async is not None:
        ahead_text = f"{ahead.upper()} ahead by {abs(mean_async):.1f} ms"
    elif ahead == "even":
        ahead_text = "even"
    else:
        ahead_text = "–"
    rate = d["in_sync_rate"]
    pl = d["phase_lock"]
    grades = ", ".join(f"{k} {v}" for k, v in d["sync_grades"].items())
    lines += [
        "",
        "  duet",
        f"    shared notes      {d['shared_notes']} (of {d['shared_times']} shared times)",
        f"    mean asynchrony   {_fmt(mean_async, ' ms')} ({ahead_text})",
        f"    sync spread       {_fmt(d['sync_spread_ms'], ' ms')}",
        f"    in-sync rate      {'–' if rate is None else f'{rate * 100:.1f} %'} (|d| <= 20 ms)",
        f"    sync grades       {grades}",
        f"    phase lock        P1 {_fmt(pl[0], nd=3)}, P2 {_fmt(pl[1], nd=3)}",
        f"    leader            {lead}",
        f"    team score        {d['team_score']:,}",
    ]
    return "\n".join(lines)
