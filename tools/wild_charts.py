"""Import and autoplay every chart in a folder of songs from other games.

``python tools/wild_charts.py FOLDER [--json OUT] [--timeout S] [--jobs N] [--no-cli]``

Finds every song under ``FOLDER`` the way the game's library does
(:func:`game.formats.user_library.find_songs`: Clone Hero / Rock Band song
folders, folders with a chart of another name, folders of osu! ``.osu`` files,
``.osz`` archives, ``.beatmap`` files) and, for each one, in a child process of
its own:

1. imports it with the game's importer (:func:`game.formats.importers.detect`
   and :func:`~game.formats.importers.import_song`, then
   :func:`game.formats.user_library.playable`, as the library and ``play`` do);
2. plays every charted difficulty headless with perfect autoplay for both
   players (:func:`game.engine.bot.bot_events` ``"auto"`` judged by
   :func:`game.engine.session.judge_performance` with the standard windows,
   exactly what ``drum-diplomacy play --headless --p1 auto --p2 auto`` does);
3. unless ``--no-cli``, also runs that very command (through
   :func:`game.cli.main`): once at the hardest difficulty for a song that
   played, which must score the same; once for a song the importer refused,
   which must print the importer's message.

It prints one row per song: status, source kind (what
:func:`~game.formats.importers.detect` says; ``osu-other`` for osu!standard
and catch maps, ``none`` for what is no song), notes per difficulty
(easy/normal/hard/expert, P1's part; P2's when it differs), number of import
warnings, each player's lowest autoplay accuracy over the difficulties and
the ``play`` check; for a song the game refuses, the game's own one-line
message instead (with ``FOLDER/`` left off the paths in it). A summary per
kind follows, then the details of every song that looks like a bug in the game.

Statuses
--------
ok
    Imported; autoplay scored 100 % (every note Perfect, no stray) for both
    players at every difficulty.
refused
    The importer refused it with a clear one-line :class:`ImportFormatError`.
not-a-song
    The game does not take it for a song (as the library scan skips it).
BUG-below-100
    Imported, but autoplay missed or mis-graded a note: the first such notes
    are listed.
BUG-unclear
    Refused with the importer's catch-all ``cannot import: ...`` line, which
    means an internal exception (IndexError, ValueError...) was turned into a
    message; the hidden traceback is shown.
BUG-crash
    An exception escaped the importer or the player (traceback shown).
BUG-cli
    The ``play`` command failed on a song that plays, scored differently, or
    refused a song with another message than the importer's.
BUG-timeout
    The song took longer than ``--timeout`` seconds (default 60) and was stopped.

Notes
-----
It never writes into the songs: charts are only read, an ``.osz`` archive's
audio is not extracted, and the ``play`` run writes its results JSON into a
temporary folder that also serves as the game's data folder
(``DRUM_DIPLOMACY_HOME``), so the player's settings and scores are untouched
too. The exit status is always 0: this is a report, not a test. ``--json OUT``
writes every row with all its details.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DIFF_ORDER = ("easy", "normal", "hard", "expert")
KINDS = ("clonehero-chart", "clonehero-mid", "osu-taiko", "osu-mania", "osu-other", "beatmap",
         "none")
BUG_PREFIX = "BUG-"
STATUSES = ("ok", "refused", "not-a-song")
#: How many not-Perfect notes a below-100 % report lists per player and difficulty.
SHOW_BAD = 5
RESULT_MARK = "@@wild_charts@@ "


# the child: one song --------------------------------------------------------------
def _short_tb(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def _counts(stats: Any) -> dict[str, Any]:
    return {"perfect": stats.perfect, "great": stats.great, "good": stats.good,
            "miss": stats.miss, "strays": stats.strays, "accuracy": stats.accuracy}


def _bad_notes(chart: Any, setups: Any, events: list[Any], settings: Any) -> list[list[str]]:
    """Per player, the first notes autoplay did not hit Perfect (same feeding as
    :func:`judge_performance`, judgements kept)."""
    from game.engine.events import PERFECT
    from game.engine.session import Session

    session = Session(chart, setups, settings)
    judged = [session.feed(e) for e in sorted(events, key=lambda e: e.time_s)]
    judged += session.finish()
    out: list[list[str]] = [[], []]
    for j in judged:
        if j.grade != PERFECT and len(out[j.player]) < SHOW_BAD:
            where = "stray" if j.note_index < 0 else f"note {j.note_index}"
            note = session.notes[j.player][j.note_index] if j.note_index >= 0 else None
            what = (f" {note.voice.name} at {note.time_s:.6f} s (beat {note.beat:g})"
                    if note is not None else f" hit at {j.hit_time_s}")
            out[j.player].append(f"{j.grade.label}: {where}{what}")
    return out


def _play_all(chart: Any) -> dict[str, Any]:
    """Autoplay both players at every difficulty both parts have."""
    from game.engine.bot import bot_events
    from game.engine.judging import JudgeSettings
    from game.engine.session import judge_performance, player_setups
    from game.engine.windows import windows_named

    settings = JudgeSettings(windows_named("standard"))
    result: dict[str, Any] = {}
    both = [d for d in chart.difficulties("p1") if d in chart.difficulties("p2")]
    for diff in both:
        setups = player_setups(chart, (diff, diff), names=("Bot 1", "Bot 2"))
        notes = [chart.notes(s.part, s.difficulty) for s in setups]
        events = [e for p in (0, 1) for e in bot_events("auto", notes[p], player=p)]
        session = judge_performance(chart, setups, events, settings)
        row: dict[str, Any] = {"notes": [len(notes[0]), len(notes[1])],
                               "players": [_counts(session.player_stats(p)) for p in (0, 1)]}
        bad_times = sum(not math.isfinite(n.time_s) for ns in notes for n in ns)
        if bad_times:
            row["non_finite_times"] = bad_times
        if not all(_perfect(row, p) for p in (0, 1)):
            row["bad"] = _bad_notes(chart, setups, events, settings)
        result[diff] = row
    return result


def _perfect(row: dict[str, Any], p: int) -> bool:
    c = row["players"][p]
    return c["perfect"] == row["notes"][p] and c["strays"] == 0 and c["accuracy"] == 1.0


def _cli_play(path: Path, difficulty: str | None) -> dict[str, Any]:
    """Run ``drum-diplomacy play PATH --headless --p1 auto --p2 auto`` (through
    :func:`game.cli.main`, in this process); its status, output and accuracies."""
    from game.cli import main as cli_main

    args = ["--headless", "--p1", "auto", "--p2", "auto"]
    if difficulty:
        args += ["--difficulty", difficulty]
    with tempfile.TemporaryDirectory(prefix="wild_charts_") as tmp:
        os.environ["DRUM_DIPLOMACY_HOME"] = tmp  # the player's own settings stay untouched
        out_json = Path(tmp) / "results.json"
        argv = ["play", str(path), *args, "--results-json", str(out_json),
                "--p1-name", "Bot 1", "--p2-name", "Bot 2"]
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = cli_main(argv)
        info: dict[str, Any] = {"command": " ".join(["drum-diplomacy play SONG", *args]),
                                "status": status, "stdout": stdout.getvalue().strip(),
                                "stderr": stderr.getvalue().strip()}
        if status == 0 and out_json.is_file():
            report = json.loads(out_json.read_text(encoding="utf-8"))
            info["accuracy"] = [pl["accuracy"] for pl in report["players"]]
    return info


def _cli_check(row: dict[str, Any], path: Path) -> None:
    """The ``play`` command on a song: it must score what the direct run scored
    (played) or say the importer's message (refused); ``row["cli"]`` is set."""
    played = row.get("difficulties")
    if played:
        hardest = next(d for d in reversed(DIFF_ORDER) if d in played)
        info = _cli_play(path, hardest)
        want = [c["accuracy"] for c in played[hardest]["players"]]
        info["agrees"] = info["status"] == 0 and info.get("accuracy") == want
    else:
        info = _cli_play(path, None)
        info["agrees"] = info["status"] == 1 and row["error"] in info["stderr"]
    row["cli"] = info
    if not info["agrees"]:
        row["status"] = "BUG-cli"


def check_song(path: Path, *, cli: bool = True) -> dict[str, Any]:
    """Import one song and autoplay it; never raises.

    Parameters
    ----------
    path : Path
        A song as :func:`find_songs` names it (folder, ``.osz``, ``.osu``, ``.beatmap``).
    cli : bool
        Also run ``drum-diplomacy play --headless`` on it.

    Returns
    -------
    dict
        ``status`` (see the module docstring), ``kind``, and what was found.
    """
    from game.formats import importers
    from game.formats.import_common import ImportFormatError
    from game.formats.user_library import foreign_kind, playable
    from game.util.errors import GameError

    t0 = time.perf_counter()
    row: dict[str, Any] = {"path": str(path)}
    try:
        if path.suffix == ".beatmap":
            from game.formats.beatmap import load_beatmap

            row["kind"] = "beatmap"
            chart, warnings = load_beatmap(path), []
        else:
            kind = foreign_kind(path)  # as the library decides
            row["kind"] = {"osu": "osu-other", None: "none"}.get(kind, kind)
            if kind is None:
                row["status"] = "not-a-song"
                return row
            try:
                song = importers.import_song(path)
            except ImportFormatError as exc:
                row["error"] = str(exc)
                row["refused"] = True
                inner = exc.__context__
                if exc.message.startswith("cannot import:") and inner is not None:
                    row["status"] = "BUG-unclear"
                    row["traceback"] = _short_tb(inner)
                else:
                    row["status"] = "refused"
                    if cli:
                        _cli_check(row, path)
                return row
            chart, warnings = playable(song)
            row["source"] = song.source
        row["title"] = f"{chart.meta.artist} - {chart.meta.title}".strip(" -")
        row["warnings"] = list(warnings)
        row["difficulties"] = _play_all(chart)
        below = [d for d, r in row["difficulties"].items()
                 if not (_perfect(r, 0) and _perfect(r, 1))]
        row["status"] = "BUG-below-100" if below else "ok"
        if not row["difficulties"]:
            row["status"] = "BUG-crash"
            row["error"] = "imported, but no difficulty has notes for both players"
        if cli and row["status"] == "ok":
            _cli_check(row, path)
    except GameError as exc:
        row["error"] = str(exc)
        if row.get("kind") == "beatmap" and "title" not in row:  # a broken .beatmap
            row["status"], row["refused"] = "refused", True
        else:
            row["status"] = "BUG-crash"
            row["traceback"] = _short_tb(exc)
    except Exception as exc:  # a bug in the game: report it, go on
        row["status"] = "BUG-crash"
        row["error"] = f"{type(exc).__name__}: {exc}"
        row["traceback"] = _short_tb(exc)
    finally:
        row["seconds"] = round(time.perf_counter() - t0, 3)
    return row


def _child(path: str, cli: bool) -> int:
    row = check_song(Path(path), cli=cli)
    sys.stdout.write(RESULT_MARK + json.dumps(row) + "\n")
    return 0


# the parent: every song, each in a child process ----------------------------------
def run_one(path: str, *, timeout_s: float, cli: bool) -> dict[str, Any]:
    """Check one song in a child process, stopped after ``timeout_s`` seconds."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", path]
    if not cli:
        cmd.append("--no-cli")
    env = dict(os.environ, PYTHONHASHSEED="0", SDL_AUDIODRIVER="dummy",
               SDL_VIDEODRIVER="dummy")
    t0 = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s,
                              env=env, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return {"path": path, "status": "BUG-timeout", "kind": "?",
                "error": f"stopped after {timeout_s:g} s", "seconds": timeout_s}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            row: dict[str, Any] = json.loads(line[len(RESULT_MARK):])
            return row
    return {"path": path, "status": "BUG-crash", "kind": "?",
            "error": f"child exited with status {done.returncode} and no result",
            "traceback": done.stderr[-4000:], "seconds": round(time.perf_counter() - t0, 3)}


def _notes_cell(row: dict[str, Any]) -> str:
    diffs = row.get("difficulties") or {}
    p1 = "/".join(str(diffs[d]["notes"][0]) if d in diffs else "-" for d in DIFF_ORDER)
    p2 = "/".join(str(diffs[d]["notes"][1]) if d in diffs else "-" for d in DIFF_ORDER)
    return p1 if p1 == p2 else f"{p1} (P2 {p2})"


def _acc_cell(row: dict[str, Any], p: int) -> str:
    diffs = row.get("difficulties") or {}
    if not diffs:
        return "-"
    low = min(r["players"][p]["accuracy"] for r in diffs.values())
    return f"{low * 100:.2f}%"


def _rel(text: str, root: Path) -> str:
    return text.replace(str(root) + os.sep, "")


def print_report(rows: list[dict[str, Any]], root: Path) -> None:
    """The table, the summary per kind, and the details of every bug."""
    w = max([19, *(len(_notes_cell(r)) for r in rows if "difficulties" in r)])
    head = (f"{'status':<13} {'kind':<15} {'notes E/N/H/X':<{w}} {'warn':>4} "
            f"{'P1 acc':>8} {'P2 acc':>8} {'play':>4} {'secs':>5}  song")
    print(head)
    print("-" * len(head))
    for row in rows:
        song = _rel(row["path"], root)
        if "difficulties" in row:
            cells = (f"{_notes_cell(row):<{w}} {len(row.get('warnings', [])):>4} "
                     f"{_acc_cell(row, 0):>8} {_acc_cell(row, 1):>8}")
            tail = song
        else:
            cells = f"{'':<{w}} {'':>4} {'':>8} {'':>8}"
            tail = song + (f"  -- {_rel(row['error'], root)}" if row.get("error") else "")
        cli = row.get("cli")
        play = "-" if cli is None else ("ok" if cli.get("agrees") else "BAD")
        print(f"{row['status']:<13} {row.get('kind', '?'):<15} {cells} {play:>4} "
              f"{row.get('seconds', 0):>5.1f}  {tail}")
    print()
    by_kind: dict[str, Counter[str]] = {}
    for row in rows:
        c = by_kind.setdefault(row.get("kind", "?"), Counter())
        c[row["status"]] += 1
        c["imported"] += "title" in row
        c["import refused"] += bool(row.get("refused"))
    print(f"{'kind':<15} {'songs':>5} {'imported':>8} {'100%':>5} {'refused':>7} "
          f"{'not-song':>8} {'bugs':>5}")
    order = [k for k in KINDS if k in by_kind] + sorted(set(by_kind) - set(KINDS))
    total: Counter[str] = Counter()
    for kind in order:
        total.update(by_kind[kind])
        _summary_line(kind, by_kind[kind])
    _summary_line("all", total)
    bugs = [r for r in rows if r["status"].startswith(BUG_PREFIX)]
    print()
    print(f"{len(bugs)} song(s) look like bugs in the game" + (":" if bugs else "."))
    for row in bugs:
        print()
        print(f"== {row['status']}: {_rel(row['path'], root)} ({row.get('kind')})")
        if row.get("error"):
            print(f"   {_rel(row['error'], root)}")
        for diff, r in (row.get("difficulties") or {}).items():
            for p, lines in enumerate(r.get("bad", [[], []])):
                if lines:
                    c = r["players"][p]
                    print(f"   {diff} P{p + 1}: {c['accuracy'] * 100:.3f}% "
                          f"(perfect {c['perfect']}/{r['notes'][p]}, great {c['great']}, "
                          f"good {c['good']}, miss {c['miss']}, strays {c['strays']})")
                    for line in lines:
                        print(f"      {line}")
        cli = row.get("cli")
        if cli and not cli.get("agrees", True):
            print(f"   {cli['command']}: exit {cli['status']}, accuracy "
                  f"{cli.get('accuracy', '-')}")
            for line in (cli["stdout"] + "\n" + cli["stderr"]).strip().splitlines():
                print(f"      {_rel(line, root)}")
        if row.get("traceback"):
            print("   " + row["traceback"].rstrip().replace("\n", "\n   "))


def _summary_line(kind: str, c: Counter[str]) -> None:
    songs = sum(v for k, v in c.items() if k in STATUSES or k.startswith(BUG_PREFIX))
    bugs = sum(v for k, v in c.items() if k.startswith(BUG_PREFIX))
    print(f"{kind:<15} {songs:>5} {c['imported']:>8} {c['ok']:>5} "
          f"{c['import refused']:>7} {c['not-a-song']:>8} {bugs:>5}")


def main(argv: list[str] | None = None) -> int:
    """Run the report; returns 0 whatever it finds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?", help="a folder of songs")
    parser.add_argument("--json", metavar="OUT", help="write every row, with details, here")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="S",
                        help="stop a song after S seconds (default 60)")
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1),
                        metavar="N", help="songs checked at once (default: up to 4)")
    parser.add_argument("--no-cli", action="store_true",
                        help="do not also run 'drum-diplomacy play --headless' per song")
    parser.add_argument("--one", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        return _child(args.one, not args.no_cli)
    if args.folder is None or not args.folder.is_dir():
        print(f"wild_charts: {args.folder}: not a folder", file=sys.stderr)
        return 0
    from game.formats.user_library import find_songs

    root = args.folder.resolve()
    paths = sorted(c.key for c in find_songs(root))
    print(f"{len(paths)} songs under {root}", file=sys.stderr)
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        rows = list(pool.map(lambda p: run_one(p, timeout_s=args.timeout,
                                               cli=not args.no_cli), paths))
    print_report(rows, root)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
