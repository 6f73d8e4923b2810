"""Song select: the song list, each song's facts, this pair's best score and a preview."""

from __future__ import annotations

import contextlib
from typing import Any

import pygame

from game.app.scenes.menu_scene import ACCENT, MenuScene, report_error
from game.engine.chart import Chart
from game.formats.library import load_entry
from game.ui.i18n import N_, ntr, tr
from game.ui.theme import (
    PALETTES,
    TEXT,
    TEXT_DIM,
    TEXT_FAINT,
    VERMILLION,
    YELLOW,
    player_tag,
    rgba,
)
from game.ui.words import difficulty_word

#: Seconds the selection must rest on a song before its preview starts.
PREVIEW_DELAY_S = 0.25
#: Songs shown in the list at once.
LIST_ROWS = 6
#: Ratings are drawn as bars out of this.
RATING_MAX = 10.0
ABOUT = N_("Each of you plays your own part and gets your own score. The team score also "
           "counts how well the two of you stay in sync: land your notes together and it "
           "climbs.")
#: Lines the scoring explanation may take below a short song list.
ABOUT_LINES = 5
#: Widest a player's name may be in the header (720p units).
NAME_W = 220.0


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
    """The two players' names from the settings (``P1``/``P2`` when there are none).

    Names are the players' own text: shown as typed, never translated.
    """
    settings = app.services.get("settings")
    try:
        return settings.players[0].name, settings.players[1].name
    except (AttributeError, IndexError, TypeError):
        return "P1", "P2"


#: The tag a song from another source shows in the list (built-in songs show none).
#: Game names are names (not translated); "YOURS" is translated when drawn.
SOURCE_TAGS = {
    # TRANSLATORS: short tag on a song the player made or added themselves (capitals)
    "beatmap": N_("YOURS"),
    "clonehero-mid": "CLONE HERO", "clonehero-chart": "CLONE HERO",
    "osu-taiko": "OSU!TAIKO", "osu-mania": "OSU!MANIA",
}


def load_entries(app: Any = None) -> tuple[list[dict[str, Any]], list[str]]:
    """The built-in songs and the player's own (a cached library scan); never raises.

    The cache's notices (a damaged cache moved aside) go to ``app``'s notices.
    """
    from game.store.song_library import scan_library

    try:
        lib = scan_library()
    except Exception as exc:  # a broken library still shows the screen
        return [], [tr("cannot list songs: {error}").format(error=exc)]
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
            self.preview_note = tr("Preview off (no audio device)")
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
                note = tr("Preview: song from {time}")
            else:
                # TRANSLATORS: a metronome click plays (the song has no audio) from {time}
                note = tr("Preview: click track from {time}")
            self.preview_note = note.format(time=fmt_length(start))
        except Exception as exc:  # a preview is never worth a crash
            self.preview_note = tr("No preview")
            report_error(self.app, tr("no preview for {song}: {error}").format(
                song=entry.get("id"), error=exc))

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
        subtitle = ntr("{n} song", "{n} songs", count).format(n=count)
        if count > LIST_ROWS:
            # TRANSLATORS: which song of the list is highlighted, e.g. "3 of 12"
            subtitle += "  ·  " + tr("{index} of {count}").format(index=self.index + 1,
                                                                   count=count)
        right = self.width_units - 60
        # the pair's names, top right (the players' own text, shrunk to NAME_W each)
        w1, w2 = (min(NAME_W, self.text_width(n, 28)) for n in (n1, n2))
        self.text(surface, n2, 28, PALETTES[1].light, right, 62, "midright", max_w=NAME_W)
        x_amp = right - w2 - 14
        self.text(surface, "&", 24, TEXT_FAINT, x_amp, 62, "midright")
        self.text(surface, n1, 28, PALETTES[0].light, x_amp - 26, 62, "midright", max_w=NAME_W)
        names_left = x_amp - 26 - w1
        self.header(surface, tr("Choose a song"), subtitle, max_w=names_left - 20 - 60)
        if not self.entries:
            self.text(surface, tr("No songs found"), 40, TEXT, self.width_units / 2, 300,
                      max_w=self.width_units - 120)
            for k, line in enumerate(self.errors[:6]):
                self.text(surface, line, 20, VERMILLION, self.width_units / 2, 350 + k * 26,
                          max_w=self.width_units - 120, shadow=False)
            self.hints(surface, [
                # TRANSLATORS: keycap label; keep the key's printed name
                (tr("Esc"),
                 # TRANSLATORS: key hint, what the key does: to the previous screen
                 tr("back")),
            ])
            return
        list_w = min(520.0, self.width_units * 0.42)
        self._draw_list(surface, 60, 124, list_w)
        self._draw_details(surface, 60 + list_w + 30, 124, right - (60 + list_w + 30))
        if self.errors:
            n = len(self.errors)
            # TRANSLATORS: {error} is the first file's problem, as the file reader says it
            line = ntr("{n} song could not be read: {error}",
                       "{n} songs could not be read: {error}", n).format(n=n,
                                                                         error=self.errors[0])
            self.text(surface, line, 18, VERMILLION, 60, 652, "midleft",
                      max_w=self.width_units - 120, shadow=False)
        self.hints(surface, [
            # TRANSLATORS: keycap label; keep the key's printed name (the arrow keys)
            (tr("Up/Down"),
             # TRANSLATORS: key hint, what the keys do: move through the song list
             tr("choose song")),
            # TRANSLATORS: keycap label; keep the key's printed name
            (tr("Enter"),
             # TRANSLATORS: key hint, what the key does: go on to choose parts and inputs
             tr("set up players")),
            # TRANSLATORS: keycap label; keep the key's printed name
            (tr("Esc"),
             # TRANSLATORS: key hint, what the key does: to the previous screen
             tr("back")),
        ])

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
            self.text(surface, fmt_length(e["length_s"]), 24, colour, x + w - 20, top + 27,
                      "midright")
            tag = SOURCE_TAGS.get(e.get("source", "builtin"), "")
            # TRANSLATORS: a song's tempo in beats per minute, e.g. "112 BPM"
            bpm = tr("{bpm} BPM").format(bpm=fmt_bpm(e["bpm"]))
            if tag:
                bpm = tr(tag) + "  ·  " + bpm
            bpm_r = self.text(surface, bpm, 18, TEXT_FAINT, x + w - 20, top + 56, "midright",
                              max_w=w * 0.45, shadow=False)
            artist_w = min(w - 110, w - 40 - bpm_r.width / self.u - 12)
            self.text(surface, e.get("artist") or tr("Unknown artist"), 22, TEXT_FAINT, x + 20,
                      top + 56, "midleft", max_w=artist_w, shadow=False)
        shown = min(visible, len(self.entries))
        if shown <= visible - 2:
            top = y + shown * (card_h + gap) + 14
            # TRANSLATORS: small heading over the explanation of the team score
            self.text(surface, tr("HOW A DUET IS SCORED"), 17, TEXT_FAINT, x + 4, top,
                      "midleft", max_w=w - 8, shadow=False)
            lines, size = self.fit_wrap(tr(ABOUT), 21, w - 8, ABOUT_LINES, min_size=16)
            for k, line in enumerate(lines):
                self.text(surface, line, size, TEXT_FAINT, x + 4, top + 30 + k * (size + 5),
                          "midleft", shadow=False)

    def _draw_details(self, surface: pygame.Surface, x: float, y: float, w: float) -> None:
        e = self.current
        assert e is not None
        self.panel(surface, self.rect(x, y, w, 520), radius=18)
        pad = 32
        self.text(surface, e["title"], 54, TEXT, x + pad, y + 48, "midleft", max_w=w - 2 * pad)
        self.text(surface, e.get("artist") or tr("Unknown artist"), 28, TEXT_DIM, x + pad,
                  y + 92, "midleft", max_w=w - 2 * pad)
        best = self.best(e)
        facts = [
            # TRANSLATORS: column heading: the song's tempo (beats per minute)
            (tr("BPM"), fmt_bpm(e["bpm"])),
            # TRANSLATORS: column heading: how long the song is (m:ss)
            (tr("LENGTH"), fmt_length(e["length_s"])),
            # TRANSLATORS: column heading: these two players' best team score on the song
            (tr("PAIR BEST"), f"{best:,}" if best is not None else "-"),
        ]
        col_w = (w - 2 * pad) / 3
        for k, (label, value) in enumerate(facts):
            fx = x + pad + k * col_w
            self.text(surface, label, 18, TEXT_FAINT, fx, y + 140, "midleft", max_w=col_w - 10,
                      shadow=False)
            colour = YELLOW if k == 2 and best is not None else TEXT
            self.text(surface, value, 40, colour, fx, y + 174, "midleft", max_w=col_w - 10)
        pygame.draw.line(surface, rgba(TEXT, 40)[:3], (self.px(x + pad), self.px(y + 214)),
                         (self.px(x + w - pad), self.px(y + 214)), max(1, self.px(1)))
        half = (w - 2 * pad - 30) / 2
        diffs = e.get("difficulties", {})
        for p, part in enumerate(("p1", "p2")):
            px0 = x + pad + p * (half + 30)
            pal = PALETTES[p]
            # TRANSLATORS: heading over a player's difficulty ratings; {player} is "P1" or "P2"
            self.text(surface, tr("{player} PART").format(player=player_tag(p)), 20, pal.light,
                      px0, y + 240, "midleft", max_w=half)
            for k, (diff, rating) in enumerate(diffs.get(part, {}).items()):
                ry = y + 276 + k * 40
                self.text(surface, difficulty_word(diff), 24, TEXT_DIM, px0, ry, "midleft",
                          max_w=92)
                bar = self.rect(px0 + 98, ry - 5, half - 150, 10)
                pygame.draw.rect(surface, (40, 44, 62), bar, border_radius=self.px(5))
                fill = bar.copy()
                fill.width = max(bar.height, round(bar.width * min(rating, RATING_MAX)
                                                   / RATING_MAX))
                pygame.draw.rect(surface, pal.light, fill, border_radius=self.px(5))
                self.text(surface, f"{rating:.1f}", 24, TEXT, px0 + half, ry, "midright")
        if best is None:
            n1, n2 = player_names(self.app)
            # TRANSLATORS: {p1} and {p2} are the two players' names
            line = tr("{p1} & {p2} have not played this song yet").format(p1=n1, p2=n2)
        else:
            line = tr("Best team score of this pair, in these seats")
        room = w - 2 * pad
        if self.text_width(line, 17) <= room:  # one line (shrunk a little if need be)
            self.text(surface, line, 20, TEXT_FAINT, x + pad, y + 462, "midleft", max_w=room,
                      shadow=False)
        else:  # long names or a long translation: two smaller lines
            lines, size = self.fit_wrap(line, 18, room, 2, min_size=14)
            for k, text in enumerate(lines):
                self.text(surface, text, size, TEXT_FAINT, x + pad,
                          y + 462 - (len(lines) - 1 - k) * (size + 3), "midleft", max_w=room,
                          shadow=False)
        note = self.preview_note or tr("Preview starting...")
        self.text(surface, note, 20, ACCENT, x + pad, y + 492, "midleft", max_w=w - 2 * pad,
                  shadow=False)
