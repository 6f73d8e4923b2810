"""Song select: the song list, searched and sorted, each song's facts, this pair's best score
and a preview; the library is scanned in the background while it shows.

The built-in songs are listed from the first frame, and so is a library that
did not change since the last scan (the scan gets a tenth of a second to list
what the cache holds); new songs fill in as the background scan
(:mod:`game.store.background_scan`) reads them, the highlighted song staying
highlighted. The scan runs only while this screen is
on top (paused under player setup and gameplay), and one scan serves every
visit (``app.context.library_scan``); a finished one is redone on the next
visit, starting from what it found.

Keys: Up/Down (PageUp/PageDown, Home/End, the mouse wheel) move; a letter or
digit jumps to the next song whose title starts with it (its artist in artist
order), round the end of the list; ``/`` (or Ctrl+F, F3) opens the search: type
(any script, through the input method) and the list keeps only the songs whose
title or artist holds every word typed, Up/Down still move, Enter picks the
highlighted song and Esc clears the search. Left/Right change the order: title,
artist, tempo, length or recently played. Enter sets up the players; Esc goes
back. The mouse picks songs, opens the search and steps the order.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pygame

from game.app.scenes.menu_scene import report_error
from game.app.scenes.song_list import SORTS, jump, select_songs
from game.app.scenes.song_select_details import fmt_bpm, fmt_length, player_names
from game.app.scenes.song_select_view import SEARCH_MAX, SongSelectView
from game.engine.chart import Chart
from game.formats.library import load_entry
from game.store.background_scan import BackgroundScan
from game.store.last_played import last_played
from game.store.scan_job import Library, ScanProgress
from game.store.song_library import scan_library
from game.ui.i18n import N_, tr
from game.ui.text_field import CANCEL, DONE, TextField

__all__ = ["PREVIEW_DELAY_S", "SongSelectScene", "fmt_bpm", "fmt_length", "library_scan",
           "load_entries", "player_names"]

#: Seconds the selection must rest on a song before its preview starts.
PREVIEW_DELAY_S = 0.25
#: While a scan runs, the list is redone with the songs found at most this often (seconds).
RELIST_S = 0.25
#: How long song select may wait, when it first opens, for the songs the cache holds (s).
CACHED_WAIT_S = 0.1
#: Where the app keeps its library scan, and song select its order and last song.
_NAV_STEPS = {pygame.K_UP: -1, pygame.K_DOWN: 1, pygame.K_PAGEUP: -5, pygame.K_PAGEDOWN: 5,
              pygame.K_HOME: -(10**9), pygame.K_END: 10**9}
_COMMAND_MODS = pygame.KMOD_CTRL | pygame.KMOD_ALT | pygame.KMOD_META
_FIND_MODS = pygame.KMOD_CTRL | pygame.KMOD_META  # Ctrl+F, or Cmd+F


def load_entries(app: Any = None) -> tuple[list[dict[str, Any]], list[str]]:
    """The built-in songs and the player's own (a whole cached scan, in this thread);
    never raises. The cache's notices go to ``app``'s notices."""
    try:
        lib = scan_library()
    except Exception as exc:  # a broken library still shows the screen
        return [], [tr("cannot list songs: {error}").format(error=exc)]
    if app is not None:
        for note in lib.notices:
            report_error(app, note)
    return list(lib.songs), list(lib.errors)


def library_scan(app: Any) -> BackgroundScan:
    """The app's library scan: the one under way, else a new one started from the last one's
    songs. The first one reads the built-in songs at once, in this thread, and gives the
    scan :data:`CACHED_WAIT_S` to list the songs the cache holds (so a library that did
    not change is whole on the first frame; a larger one fills in)."""
    scan: BackgroundScan | None = app.context.library_scan
    if scan is None or scan.done:
        first = scan is None
        scan = BackgroundScan(seed=None if scan is None else scan.library).start()
        app.context.library_scan = scan
        if first:
            scan.wait_for_cached(CACHED_WAIT_S)
    scan.resume()
    return scan


class SongSelectScene(SongSelectView):
    """Pick a song; Enter sets up the players for it."""

    name = "song_select"

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.state: dict[str, str] = app.context.song_select
        self.order = self.state.get("order", SORTS[0])
        self.field: TextField | None = None
        self.entries: list[dict[str, Any]] = []
        self.index = 0
        self.errors: list[str] = []
        self.total = 0
        self.progress = ScanProgress()
        self.library = Library((), ())
        self._version = -1
        self._listed_at = 0.0
        self._told: set[str] = set()
        self._played: dict[str, str] | None = None
        self._swallow = ""  # the "/" that opened the search: its text event is not typed
        self._before_search: str | None = None  # the song highlighted when it opened
        self._charts: dict[str, Chart] = {}
        self._best: dict[str, int | None] = {}
        self._preview_due: float | None = None
        self._previewing = False
        #: The preview's line, untranslated: (message, its fields); drawn in the
        #: language of the moment (it may change while the song stays highlighted).
        self.preview_note: tuple[str, dict[str, str]] | None = None
        self._wanted = self.state.get("song")  # the last visit's song, until it is listed
        self.scan = library_scan(app)
        self.refresh()

    # the library ----------------------------------------------------------------------
    def refresh(self) -> None:
        """Take what the scan found since the last frame (if anything), keeping the
        highlighted song highlighted."""
        version, lib, progress, error = self.scan.snapshot()
        if version == self._version or (
                self._version >= 0 and not progress.finished
                and self.t - self._listed_at < RELIST_S):
            return  # nothing new, or the list was redone a moment ago
        self._version, self.library, self.progress = version, lib, progress
        self._listed_at = self.t
        self.errors = list(lib.errors) + ([error] if error else [])
        for note in (*lib.notices, *([error] if error else [])):
            if note not in self._told:
                self._told.add(note)
                report_error(self.app, note)
        self.relist()

    def relist(self, *, keep: str | None = None, first: bool = False) -> None:
        """List the songs matching the search in the order chosen; the highlight stays on
        its song (or goes to ``keep``, or to the song of the last visit once the scan has
        found it), or goes to the first song (``first``, a new search)."""
        current = self.current
        played = self.last_played() if self.order == "recent" else None
        self.total = len(self.library.songs)
        self.entries = select_songs(self.library.songs, self.query, self.order, played)
        where = {str(e["id"]): i for i, e in enumerate(self.entries)}
        wanted = None if first else keep or self._wanted
        found = where.get(wanted) if wanted else None
        if wanted is not None and (found is not None or self.progress.finished):
            self._wanted = None  # the song of the last visit is found (or gone)
        if found is None and not first and current is not None:
            found = where.get(str(current["id"]))
        self.index = found if found is not None else (0 if first else min(
            self.index, max(0, len(self.entries) - 1)))
        now = self.current
        if (now["id"] if now else None) != (current["id"] if current else None):
            self._stop_preview()
            self._preview_due = self.t + PREVIEW_DELAY_S

    def last_played(self) -> dict[str, str]:
        """Song id -> when it was last played (read once per visit)."""
        if self._played is None:
            path = getattr(self.app.context.scores, "path", None)
            self._played = last_played(path) if path is not None else {}
        return self._played

    def wait_for_scan(self, timeout_s: float = 30.0) -> bool:
        """Block until the scan is over and list everything (tests and tools; never in the
        game loop). Whether it is over."""
        over = self.scan.wait(timeout_s)
        self.refresh()
        return over

    # lifecycle ---------------------------------------------------------------------
    def enter(self) -> None:
        self.scan.resume()
        self._best.clear()  # a play may have set a new best
        if self._played is not None:
            self._played = None  # ... and a song been played
            if self.order == "recent":
                self.relist()
        if self.field is not None:
            self.field.start(self.search_rect())
        self._preview_due = 0.0

    def leave(self) -> None:
        self._stop_preview()
        self.scan.pause()  # nothing reads songs while a song is set up or played
        if self.field is not None:
            self.field.stop()  # the search is kept; typing resumes on return

    def close(self) -> None:
        self.leave()
        current = self.current
        self.state["order"] = self.order
        if current is not None:
            self.state["song"] = str(current["id"])

    # input -------------------------------------------------------------------------
    def on_event(self, event: Any, t_capture: float) -> None:
        if event.type == pygame.MOUSEWHEEL:
            if self.entries:
                self._select(min(max(self.index - int(event.y), 0), len(self.entries) - 1))
            return
        if self.mouse(event):
            return
        if self.field is not None:
            self._search_event(self.field, event)
            return
        if event.type == pygame.TEXTINPUT and event.text == "/":
            self.open_search()  # "/" on a layout where it is a shifted key
            return
        if event.type != pygame.KEYDOWN:
            return
        key, mods = event.key, getattr(event, "mod", 0)
        if key == pygame.K_ESCAPE:
            self.back()
        elif key in _NAV_STEPS:
            self._navigate(key)
        elif key in (pygame.K_LEFT, pygame.K_RIGHT):
            self.change_order(-1 if key == pygame.K_LEFT else 1)
        elif key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
            self.choose()
        elif key in (pygame.K_SLASH, pygame.K_KP_DIVIDE):
            self.open_search(swallow="/")
        elif key == pygame.K_F3 or (key == pygame.K_f and mods & _FIND_MODS):
            self.open_search()
        elif not mods & _COMMAND_MODS and (pygame.K_a <= key <= pygame.K_z or (
                pygame.K_0 <= key <= pygame.K_9 and not mods & pygame.KMOD_SHIFT)):
            self.jump_to(chr(key))

    def _search_event(self, field: TextField, event: Any) -> None:
        if event.type == pygame.TEXTINPUT and self._swallow and event.text == self._swallow:
            self._swallow = ""
            return
        if event.type in (pygame.KEYDOWN, pygame.TEXTINPUT):
            self._swallow = ""
        if event.type == pygame.KEYDOWN and not field.composition:
            if event.key in _NAV_STEPS:
                self._navigate(event.key)
                return
            if event.key in (pygame.K_LEFT, pygame.K_RIGHT):
                self.change_order(-1 if event.key == pygame.K_LEFT else 1)
                return
        before = field.shown
        result = field.on_event(event)
        if result == DONE:
            self.choose()
        elif result == CANCEL:
            self.close_search()
        elif field.shown != before:
            self.relist(first=True)

    def _navigate(self, key: int) -> None:
        if not self.entries:
            return
        step = _NAV_STEPS[key]
        if key in (pygame.K_UP, pygame.K_DOWN):
            self._select((self.index + step) % len(self.entries))
        else:
            self._select(min(max(self.index + step, 0), len(self.entries) - 1))

    def _select(self, index: int) -> None:
        self._wanted = None  # the player chose: the last visit's song is forgotten
        if index != self.index:
            self.index = index
            self._stop_preview()
            self._preview_due = self.t + PREVIEW_DELAY_S

    def jump_to(self, char: str) -> None:
        """Highlight the next song whose title (artist, in artist order) starts with ``char``."""
        found = jump(self.entries, self.index, char, self.order)
        if found is not None:
            self._select(found)

    def change_order(self, step: int) -> None:
        """The next (``step`` 1) or previous (-1) order; the highlighted song stays."""
        self.order = SORTS[(SORTS.index(self.order) + step) % len(SORTS)]
        self.state["order"] = self.order
        self.relist()

    def open_search(self, swallow: str = "") -> None:
        """Start typing a search (``swallow``: the text of the key that opened it)."""
        if self.field is None:
            self.field = TextField("", max_clusters=SEARCH_MAX)
            self.field.start(self.search_rect())
            self._swallow = swallow
            current = self.current
            self._before_search = None if current is None else str(current["id"])

    def close_search(self) -> None:
        """Stop searching: every song listed again, the highlighted one kept (the one
        highlighted before the search, when the search found nothing)."""
        if self.field is not None:
            current = self.current
            self.field.stop()
            self.field = None
            self.relist(keep=str(current["id"]) if current else self._before_search)

    def choose(self) -> None:
        """Set up the players for the highlighted song."""
        entry = self.current
        if entry is None:
            return
        from game.app.scenes.player_setup import PlayerSetupScene

        self.state["song"] = str(entry["id"])
        self.app.push(PlayerSetupScene(self.app, entry, self._charts.get(entry["id"])))

    def on_hotspot(self, target: Any, *, click: bool) -> None:
        if isinstance(target, tuple):
            kind, value = target
            if click and kind == "search":
                self.open_search()
            elif click and kind == "sort":
                self.change_order(value)
        elif click:
            if target == self.index:
                self.choose()
            else:
                self._select(target)

    # preview -----------------------------------------------------------------------
    def chart(self, entry: dict[str, Any]) -> Chart:
        """The song's chart (loaded once)."""
        chart = self._charts.get(entry["id"])
        if chart is None:
            chart = load_entry(entry)
            self._charts[entry["id"]] = chart
        return chart

    def update(self, now_perf: float) -> None:
        super().update(now_perf)
        self.refresh()
        if self._preview_due is not None and now_perf >= self._preview_due:
            self._preview_due = None
            self._start_preview()

    def _start_preview(self) -> None:
        entry = self.current
        audio = self.app.context.audio
        if entry is None:
            return
        if audio is None:
            self.preview_note = (N_("Preview off (no audio device)"), {})
            return
        try:
            chart = self.chart(entry)
            start = float(chart.meta.preview_s)
            song = True
            try:
                audio.load_song(entry.get("audio"), chart=chart)
                song = bool(entry.get("audio"))
            except Exception:  # undecodable or missing file: the click track instead
                audio.load_song(None, chart=chart)
                song = False
            audio.play(start)
            self._previewing = True
            if song:
                # TRANSLATORS: the song plays from {time} (minutes:seconds, e.g. 0:45)
                note = N_("Preview: song from {time}")
            else:
                # TRANSLATORS: a metronome click plays (the song has no audio) from {time}
                note = N_("Preview: click track from {time}")
            self.preview_note = (note, {"time": fmt_length(start)})
        except Exception as exc:  # a preview is never worth a crash
            self.preview_note = (N_("No preview"), {})
            report_error(self.app, tr("no preview for {song}: {error}").format(
                song=entry.get("id"), error=exc))

    def _stop_preview(self) -> None:
        self._preview_due = None
        if self._previewing:
            self._previewing = False
            audio = self.app.context.audio
            if audio is not None:
                with contextlib.suppress(Exception):  # stopping must not fail the screen
                    audio.stop()

    def best(self, entry: dict[str, Any]) -> int | None:
        """This pair's best team score on the song (None if never played or no store)."""
        song_id = entry["id"]
        if song_id not in self._best:
            store = self.app.context.scores
            value = None
            if store is not None:
                try:
                    row = store.best_for_pair(song_id, *player_names(self.app))
                    value = None if row is None else int(row["team_score"])
                except Exception:  # an unreadable history shows as no score
                    value = None
            self._best[song_id] = value
        return self._best[song_id]
