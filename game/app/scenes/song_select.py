"""Song select: the song list, each song's facts, this pair's best score and a preview."""

from __future__ import annotations

import contextlib
from typing import Any

import pygame

from game.app.scenes.title import ACCENT, MenuScene, report_error
from game.engine.chart import Chart
from game.formats.library import load_entry
from game.ui.theme import PALETTES, TEXT, TEXT_DIM, TEXT_FAINT, VERMILLION, YELLOW, rgba

#: Seconds the selection must rest on a song before its preview starts.
PREVIEW_DELAY_S = 0.25
#: Songs shown in the list at once.
LIST_ROWS = 6
#: Ratings are drawn as bars out of this.
RATING_MAX = 10.0
ABOUT = ("Each of you plays your own part and gets your own score. The team score also counts "
         "how well the two of you stay in sync: land your notes together and it climbs.")


def fmt_length(seconds: float) -> str:
    """``m:ss`` (rounded to the second)."""
    total = max(0, round(seconds))
    return f"{total // 60}:{total % 60:02d}"


def fmt_bpm(bpm: Any) -> str:
    """``"112"``, or ``"90-140"`` for a song whose tempo changes."""
    if isinstance(bpm, list | tuple):
        if not bpm:
            return "?"
        lo, hi = min(bpm), max(bpm)
        return f"{lo:g}-{hi:g}" if lo != hi else f"{lo:g}"
    return f"{float(bpm):g}"


def player_names(app: Any) -> tuple[str, str]:
    """The two players' names from the settings (``P1``/``P2`` when there are none)."""
    settings = app.services.get("settings")
    try:
        return settings.players[0].name, settings.players[1].name
    except (AttributeError, IndexError, TypeError):
        return "P1", "P2"


#: The tag a song from another source shows in the list (built-in songs show none).
SOURCE_TAGS = {"beatmap": "YOURS", "clonehero-mid": "CLONE HERO",
               "clonehero-chart": "CLONE HERO", "osu-taiko": "OSU!TAIKO",
               "osu-mania": "OSU!MANIA"}


def load_entries(app: Any = None) -> tuple[list[dict[str, Any]], list[str]]:
    """The built-in songs and the player's own (a cached library scan); never raises.

    The cache's notices (a damaged cache moved aside) go to ``app``'s notices.
    """
    from game.store.song_library import scan_library

    try:
        lib = scan_library()
    except Exception as exc:  # a broken library still shows the screen
        return [], [f"cannot list songs: {exc}"]
    if app is not None:
        for note in lib.notices:
            report_error(app, note)
    return list(lib.songs), list(lib.errors)


class SongSelectScene(MenuScene):
    """Pick a song; Enter sets up the players for it."""

    name = "song_select"

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.entries, self.errors = load_entries(app)
        self.index = 0
        self._charts: dict[str, Chart] = {}
        self._best: dict[str, int | None] = {}
        self._preview_due: float | None = None
        self._previewing = False
        self.preview_note = ""

    @property
    def current(self) -> dict[str, Any] | None:
        """The highlighted song's entry."""
        return self.entries[self.index] if self.entries else None

    # lifecycle ---------------------------------------------------------------------
    def enter(self) -> None:
        self._best.clear()  # a play may have set a new best
        self._preview_due = 0.0

    def leave(self) -> None:
        self._stop_preview()

    def close(self) -> None:
        self._stop_preview()

    # input -------------------------------------------------------------------------
    def on_event(self, event: Any, t_capture: float) -> None:
        if self.mouse(event):
            return
        if event.type != pygame.KEYDOWN:
            return
        key = event.key
        if key == pygame.K_ESCAPE:
            self.back()
        elif key in (pygame.K_UP, pygame.K_DOWN, pygame.K_PAGEUP, pygame.K_PAGEDOWN,
                     pygame.K_HOME, pygame.K_END) and self.entries:
            step = {pygame.K_UP: -1, pygame.K_DOWN: 1, pygame.K_PAGEUP: -5,
                    pygame.K_PAGEDOWN: 5, pygame.K_HOME: -len(self.entries),
                    pygame.K_END: len(self.entries)}[key]
            if key in (pygame.K_UP, pygame.K_DOWN):
                self._select((self.index + step) % len(self.entries))
            else:
                self._select(min(max(self.index + step, 0), len(self.entries) - 1))
        elif key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
            self.choose()

    def _select(self, index: int) -> None:
        if index != self.index:
            self.index = index
            self._stop_preview()
            self._preview_due = self.t + PREVIEW_DELAY_S

    def choose(self) -> None:
        """Set up the players for the highlighted song."""
        entry = self.current
        if entry is None:
            return
        from game.app.scenes.player_setup import PlayerSetupScene

        self.app.push(PlayerSetupScene(self.app, entry, self._charts.get(entry["id"])))

    def on_hotspot(self, target: Any, *, click: bool) -> None:
        if click:
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
        if self._preview_due is not None and now_perf >= self._preview_due:
            self._preview_due = None
            self._start_preview()

    def _start_preview(self) -> None:
        entry = self.current
        audio = self.app.services.get("audio")
        if entry is None:
            return
        if audio is None:
            self.preview_note = "Preview off (no audio device)"
            return
        try:
            chart = self.chart(entry)
            start = float(chart.meta.preview_s)
            what = "song"
            try:
                audio.load_song(entry.get("audio"), chart=chart)
                if not entry.get("audio"):
                    what = "click track"
            except Exception:  # undecodable or missing file: the click track instead
                audio.load_song(None, chart=chart)
                what = "click track"
            audio.play(start)
            self._previewing = True
            self.preview_note = f"Preview: {what} from {fmt_length(start)}"
        except Exception as exc:  # a preview is never worth a crash
            self.preview_note = "No preview"
            report_error(self.app, f"no preview for {entry.get('id')}: {exc}")

    def _stop_preview(self) -> None:
        self._preview_due = None
        if self._previewing:
            self._previewing = False
            audio = self.app.services.get("audio")
            if audio is not None:
                with contextlib.suppress(Exception):  # stopping must not fail the screen
                    audio.stop()

    def best(self, entry: dict[str, Any]) -> int | None:
        """This pair's best team score on the song (None if never played or no store)."""
        song_id = entry["id"]
        if song_id not in self._best:
            store = self.app.services.get("scores")
            value = None
            if store is not None:
                try:
                    row = store.best_for_pair(song_id, *player_names(self.app))
                    value = None if row is None else int(row["team_score"])
                except Exception:  # an unreadable history shows as no score
                    value = None
            self._best[song_id] = value
        return self._best[song_id]

    # drawing -----------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        self.begin(surface)
        n1, n2 = player_names(self.app)
        count = len(self.entries)
        where = f"  ·  {self.index + 1} of {count}" if count > LIST_ROWS else ""
        self.header(surface, "Choose a song", f"{count} song{'' if count == 1 else 's'}{where}")
        right = self.width_units - 60
        self.text(surface, n2, 28, PALETTES[1].light, right, 62, "midright", max_w=220)
        x_amp = right - min(220, self.text_width(n2, 28)) - 14
        self.text(surface, "&", 24, TEXT_FAINT, x_amp, 62, "midright")
        self.text(surface, n1, 28, PALETTES[0].light, x_amp - 26, 62, "midright", max_w=220)
        if not self.entries:
            self.text(surface, "No songs found", 40, TEXT, self.width_units / 2, 300)
            for k, line in enumerate(self.errors[:6]):
                self.text(surface, line, 20, VERMILLION, self.width_units / 2, 350 + k * 26,
                          max_w=self.width_units - 120, shadow=False)
            self.hints(surface, [("Esc", "back")])
            return
        list_w = min(520.0, self.width_units * 0.42)
        self._draw_list(surface, 60, 124, list_w)
        self._draw_details(surface, 60 + list_w + 30, 124, right - (60 + list_w + 30))
        if self.errors:
            self.text(surface, f"{len(self.errors)} song(s) could not be read: "
                      f"{self.errors[0]}", 18, VERMILLION, 60, 652, "midleft",
                      max_w=self.width_units - 120, shadow=False)
        self.hints(surface, [("Up/Down", "choose song"), ("Enter", "set up players"),
                             ("Esc", "back")])

    def _draw_list(self, surface: pygame.Surface, x: float, y: float, w: float) -> None:
        card_h, gap, visible = 78.0, 10.0, LIST_ROWS
        first = min(max(0, self.index - visible // 2), max(0, len(self.entries) - visible))
        for row, i in enumerate(range(first, min(len(self.entries), first + visible))):
            e = self.entries[i]
            top = y + row * (card_h + gap)
            r = self.rect(x, top, w, card_h)
            if i == self.index:
                self.focus_panel(surface, r, radius=14)
            else:
                self.panel(surface, r)
            self.hotspot(r, i)
            colour = TEXT if i == self.index else TEXT_DIM
            self.text(surface, e["title"], 32, colour, x + 20, top + 27, "midleft",
                      max_w=w - 110)
            self.text(surface, e.get("artist") or "Unknown artist", 22, TEXT_FAINT, x + 20,
                      top + 56, "midleft", max_w=w - 110, shadow=False)
            self.text(surface, fmt_length(e["length_s"]), 24, colour, x + w - 20, top + 27,
                      "midright")
            tag = SOURCE_TAGS.get(e.get("source", "builtin"), "")
            bpm = f"{tag}  ·  {fmt_bpm(e['bpm'])} BPM" if tag else f"{fmt_bpm(e['bpm'])} BPM"
            self.text(surface, bpm, 18, TEXT_FAINT, x + w - 20, top + 56, "midright",
                      shadow=False)
        shown = min(visible, len(self.entries))
        if shown <= visible - 2:
            top = y + shown * (card_h + gap) + 14
            self.text(surface, "HOW A DUET IS SCORED", 17, TEXT_FAINT, x + 4, top, "midleft",
                      shadow=False)
            for k, line in enumerate(self.wrap(ABOUT, 21, w - 8)[:5]):
                self.text(surface, line, 21, TEXT_FAINT, x + 4, top + 30 + k * 26, "midleft",
                          shadow=False)

    def _draw_details(self, surface: pygame.Surface, x: float, y: float, w: float) -> None:
        e = self.current
        assert e is not None
        self.panel(surface, self.rect(x, y, w, 520), radius=18)
        pad = 32
        self.text(surface, e["title"], 54, TEXT, x + pad, y + 48, "midleft", max_w=w - 2 * pad)
        self.text(surface, e.get("artist") or "Unknown artist", 28, TEXT_DIM, x + pad, y + 92,
                  "midleft", max_w=w - 2 * pad)
        facts = [("BPM", fmt_bpm(e["bpm"])), ("LENGTH", fmt_length(e["length_s"]))]
        best = self.best(e)
        facts.append(("PAIR BEST", f"{best:,}" if best is not None else "-"))
        col_w = (w - 2 * pad) / 3
        for k, (label, value) in enumerate(facts):
            fx = x + pad + k * col_w
            self.text(surface, label, 18, TEXT_FAINT, fx, y + 140, "midleft", shadow=False)
            colour = YELLOW if label == "PAIR BEST" and best is not None else TEXT
            self.text(surface, value, 40, colour, fx, y + 174, "midleft", max_w=col_w - 10)
        pygame.draw.line(surface, rgba(TEXT, 40)[:3], (self.px(x + pad), self.px(y + 214)),
                         (self.px(x + w - pad), self.px(y + 214)), max(1, self.px(1)))
        half = (w - 2 * pad - 30) / 2
        diffs = e.get("difficulties", {})
        for p, part in enumerate(("p1", "p2")):
            px0 = x + pad + p * (half + 30)
            pal = PALETTES[p]
            self.text(surface, f"{pal.label} PART", 20, pal.light, px0, y + 240, "midleft")
            for k, (diff, rating) in enumerate(diffs.get(part, {}).items()):
                ry = y + 276 + k * 40
                self.text(surface, diff.capitalize(), 24, TEXT_DIM, px0, ry, "midleft")
                bar = self.rect(px0 + 98, ry - 5, half - 150, 10)
                pygame.draw.rect(surface, (40, 44, 62), bar, border_radius=self.px(5))
                fill = bar.copy()
                fill.width = max(bar.height, round(bar.width * min(rating, RATING_MAX)
                                                   / RATING_MAX))
                pygame.draw.rect(surface, pal.light, fill, border_radius=self.px(5))
                self.text(surface, f"{rating:.1f}", 24, TEXT, px0 + half, ry, "midright")
        if best is None:
            n1, n2 = player_names(self.app)
            line = f"{n1} & {n2} have not played this song yet"
        else:
            line = "Best team score of this pair, in these seats"
        self.text(surface, line, 20, TEXT_FAINT, x + pad, y + 462, "midleft",
                  max_w=w - 2 * pad, shadow=False)
        note = self.preview_note or "Preview starting..."
        self.text(surface, note, 20, ACCENT, x + pad, y + 492, "midleft", max_w=w - 2 * pad,
                  shadow=False)
