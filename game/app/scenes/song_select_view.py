"""How song select looks: the search box and order, the song list, the song's facts,
the scan's progress and the key hints.

:class:`SongSelectView` draws; :class:`~game.app.scenes.song_select.SongSelectScene`
adds the input, the preview and the library scan. Layout, in 720p units: the
header on top; under it, on the left, the search box and the order (y 124),
then the list (6 cards down to y 644); on the right, the highlighted song's
facts (y 124 to 644); one line below for the scan's progress or the songs that
could not be read; the key hints at the bottom.
"""

from __future__ import annotations

from typing import Any

import pygame

from game.app.scenes.menu_scene import ACCENT, MenuScene
from game.app.scenes.song_select_details import (
    draw_details,
    fmt_bpm,
    fmt_length,
    player_names,
)
from game.store.scan_job import ScanProgress
from game.ui.i18n import N_, ntr, ptr, tr
from game.ui.text_field import TextField
from game.ui.theme import PALETTES, TEXT, TEXT_DIM, TEXT_FAINT, VERMILLION

#: Songs shown in the list at once.
LIST_ROWS = 6
#: The list's top, a card's height and the gap between cards (720p units).
LIST_Y, CARD_H, CARD_GAP = 178.0, 71.0, 8.0
#: The search box and order row: top and height.
BAR_Y, BAR_H = 124.0, 44.0
#: Width of the order selector.
SORT_W = 250.0
ABOUT = N_("Each of you plays your own part and gets your own score. The team score also "
           "counts how well the two of you stay in sync: land your notes together and it "
           "climbs.")
#: Lines the scoring explanation may take below a short song list.
ABOUT_LINES = 5
#: Widest a player's name may be in the header (720p units).
NAME_W = 220.0
#: The longest search, in grapheme clusters.
SEARCH_MAX = 40

#: The tag a song from another source shows in the list (built-in songs show none).
#: Game names are names (not translated); "YOURS" is translated when drawn.
SOURCE_TAGS = {
    # TRANSLATORS: short tag on a song the player made or added themselves (capitals)
    "beatmap": N_("YOURS"),
    "clonehero-mid": "CLONE HERO", "clonehero-chart": "CLONE HERO",
    "osu-taiko": "OSU!TAIKO", "osu-mania": "OSU!MANIA",
}


def sort_name(order: str) -> str:
    """The order's name as the order selector shows it ("Sorted by {order}")."""
    names = {
        # TRANSLATORS: song select, sorted by {order}: the songs' titles (A to Z)
        "title": ptr("sort order", "title"),
        # TRANSLATORS: song select, sorted by {order}: the artists' names (A to Z)
        "artist": ptr("sort order", "artist"),
        # TRANSLATORS: song select, sorted by {order}: the songs' tempo, slowest first
        "bpm": ptr("sort order", "tempo"),
        # TRANSLATORS: song select, sorted by {order}: the songs' length, shortest first
        "length": ptr("sort order", "length"),
        # TRANSLATORS: song select, sorted by {order}: the songs played last come first
        "recent": ptr("sort order", "recently played"),
    }
    return names.get(order, order)


def scan_line(progress: ScanProgress) -> str:
    """What the scan is doing, for the line under the list ("" once it is over)."""
    if progress.finished:
        return ""
    if progress.stage == "reading" and progress.to_read:
        # TRANSLATORS: song select, while new songs in the songs folder are read
        return tr("Reading new songs: {read} of {total}").format(read=progress.read,
                                                                 total=progress.to_read)
    # TRANSLATORS: song select, while the songs folder is looked through
    return tr("Looking for your songs...")


class SongSelectView(MenuScene):
    """The drawing of song select (state kept by the subclass)."""

    entries: list[dict[str, Any]]
    index: int
    errors: list[str]
    progress: ScanProgress
    order: str
    field: TextField | None
    total: int
    preview_note: tuple[str, dict[str, str]] | None

    @property
    def current(self) -> dict[str, Any] | None:
        """The highlighted song's entry."""
        return self.entries[self.index] if self.entries else None

    @property
    def query(self) -> str:
        """The search as typed so far (with what an IME is composing)."""
        return self.field.shown if self.field is not None else ""

    def best(self, entry: dict[str, Any]) -> int | None:
        """This pair's best team score on the song (the scene looks it up)."""
        raise NotImplementedError

    def list_width(self) -> float:
        """The list column's width (720p units)."""
        return min(520.0, self.width_units * 0.42)

    def search_rect(self) -> pygame.Rect:
        """The search box, in pixels."""
        return self.rect(60, BAR_Y, self.list_width() - SORT_W - 12, BAR_H)

    # the whole screen ----------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        self.begin(surface)
        self._draw_header(surface)
        list_w = self.list_width()
        right = self.width_units - 60
        self._draw_bar(surface, list_w)
        if self.entries:
            self._draw_list(surface, 60, LIST_Y, list_w)
            draw_details(self, surface, 60 + list_w + 30, BAR_Y, right - (60 + list_w + 30))
        elif self.query.strip():
            self._draw_no_match(surface, right - 60)
        elif self.progress.finished:
            self.text(surface, tr("No songs found"), 40, TEXT, self.width_units / 2, 300,
                      max_w=self.width_units - 120)
            for k, line in enumerate(self.errors[:6]):
                self.text(surface, line, 20, VERMILLION, self.width_units / 2, 350 + k * 26,
                          max_w=self.width_units - 120, shadow=False)
        self._draw_status(surface, list_w)
        self.hints(surface, self.hint_pairs())

    def _draw_no_match(self, surface: pygame.Surface, w: float) -> None:
        """A search no song matches: say so across the list and the facts."""
        self.panel(surface, self.rect(60, LIST_Y, w, 130), radius=18)
        mid = 60 + w / 2
        # TRANSLATORS: song select, nothing found; {query} is what the player typed
        self.text(surface, tr("No song matches \u201c{query}\u201d").format(
            query=self.query.strip()), 30, TEXT_DIM, mid, LIST_Y + 50, max_w=w - 64)
        # TRANSLATORS: song select, under "no song matches": how to see every song again
        self.text(surface, tr("Esc clears the search"), 20, TEXT_FAINT, mid, LIST_Y + 92,
                  max_w=w - 64, shadow=False)

    def _draw_header(self, surface: pygame.Surface) -> None:
        n1, n2 = player_names(self.app)
        count = len(self.entries)
        if self.query.strip():
            # TRANSLATORS: song select while searching: how many songs match, of all
            subtitle = ntr("{n} of {total} song", "{n} of {total} songs", self.total).format(
                n=count, total=self.total)
        else:
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

    def hint_pairs(self) -> list[tuple[str, str]]:
        """The key hints for the current state (searching or not)."""
        # TRANSLATORS: keycap label; keep the key's printed name (the arrow keys)
        pairs = [(tr("Up/Down"),
                  # TRANSLATORS: key hint, what the keys do: move through the song list
                  tr("choose song"))]
        if self.field is None:
            # TRANSLATORS: keycap label for the letter keys (keep the letters as printed)
            letters = tr("A-Z")
            if self.order == "artist":
                # TRANSLATORS: key hint: a letter key jumps to the next song whose artist
                # starts with that letter
                pairs.append((letters, tr("jump to artist")))
            else:
                # TRANSLATORS: key hint: a letter key jumps to the next song whose title
                # starts with that letter
                pairs.append((letters, tr("jump to title")))
            # TRANSLATORS: key hint: "/" starts typing a search
            pairs.append(("/", tr("search")))
        # TRANSLATORS: keycap label; keep the key's printed name (the arrow keys)
        pairs.append((tr("Left/Right"),
                      # TRANSLATORS: key hint: change the order of the song list
                      tr("sort")))
        # TRANSLATORS: keycap label; keep the key's printed name
        pairs.append((tr("Enter"),
                      # TRANSLATORS: key hint, what the key does: go on to choose parts and inputs
                      tr("set up players")))
        if self.field is not None:
            pairs.append((tr("Esc"),
                          # TRANSLATORS: key hint: Esc empties the search box and lists every
                          # song again
                          tr("clear search")))
        else:
            # TRANSLATORS: keycap label; keep the key's printed name
            pairs.append((tr("Esc"),
                          # TRANSLATORS: key hint, what the key does: to the previous screen
                          tr("back")))
        return pairs

    # the search box and the order ------------------------------------------------------
    def _draw_bar(self, surface: pygame.Surface, list_w: float) -> None:
        box = self.search_rect()
        bw = box.w / self.u
        typing = self.field is not None
        if typing:
            self.focus_panel(surface, box)
        else:
            self.panel(surface, box)
        self.hotspot(box, ("search", 0))
        y = BAR_Y + BAR_H / 2
        caret = "_" if typing and int(self.t * 2) % 2 == 0 else ""
        if self.query:
            assert self.field is not None
            shown = self.field.shown
            drawn = self.text(surface, shown + caret, 22, TEXT, 76, y, "midleft",
                              max_w=bw - 32, shadow=False)
            self._underline_composition(surface, self.field, shown + caret, drawn)
        else:
            x = 76.0
            if not typing:
                kw = self.text_width("/", 18) + 14
                self.panel(surface, self.rect(x - 4, y - 12, kw, 24), fill=(255, 255, 255, 20),
                           edge=(255, 255, 255, 70), radius=5, edge_w=1)
                self.text(surface, "/", 18, TEXT, x - 4 + kw / 2, y, shadow=False)
                x += kw + 6
            # TRANSLATORS: placeholder in the search box of song select
            self.text(surface, tr("search title or artist") + caret, 20, TEXT_FAINT, x, y,
                      "midleft", max_w=bw - (x - 60) - 14, shadow=False)
        sx = 60 + list_w - SORT_W
        sort_box = self.rect(sx, BAR_Y, SORT_W, BAR_H)
        self.panel(surface, sort_box)
        half = sort_box.copy()
        half.w //= 2
        self.hotspot(half, ("sort", -1))
        self.hotspot(half.move(half.w, 0), ("sort", 1))
        self.arrow(surface, sx + 15, y, 10, TEXT_DIM, -1)
        self.arrow(surface, sx + SORT_W - 15, y, 10, TEXT_DIM, 1)
        # TRANSLATORS: song select, the list's order; {order} is "title", "tempo"...
        label = tr("Sorted by {order}").format(order=sort_name(self.order))
        self.text(surface, label, 19, TEXT_DIM, sx + SORT_W / 2, y, max_w=SORT_W - 62,
                  shadow=False)

    def _underline_composition(self, surface: pygame.Surface, field: TextField, value: str,
                               drawn: pygame.Rect) -> None:
        """Underline what the IME is composing (the search so far, then the composition)."""
        if not field.composition:
            return
        full = self.text_width(value, 22) or 1.0
        x0 = drawn.x + drawn.w * self.text_width(field.text, 22) / full
        x1 = drawn.x + drawn.w * self.text_width(field.text + field.composition, 22) / full
        y = drawn.bottom - self.px(2)
        pygame.draw.line(surface, TEXT, (round(x0), y), (round(x1), y), max(1, self.px(2)))

    # the list ------------------------------------------------------------------------
    def first_row(self) -> int:
        """The index of the song in the list's top card."""
        return min(max(0, self.index - LIST_ROWS // 2), max(0, len(self.entries) - LIST_ROWS))

    def _draw_list(self, surface: pygame.Surface, x: float, y: float, w: float) -> None:
        first = self.first_row()
        for row, i in enumerate(range(first, min(len(self.entries), first + LIST_ROWS))):
            self._draw_card(surface, self.entries[i], i, x, y + row * (CARD_H + CARD_GAP), w)
        shown = min(LIST_ROWS, len(self.entries))
        if shown <= LIST_ROWS - 2:
            top = y + shown * (CARD_H + CARD_GAP) + 14
            # TRANSLATORS: small heading over the explanation of the team score
            self.text(surface, tr("HOW A DUET IS SCORED"), 17, TEXT_FAINT, x + 4, top,
                      "midleft", max_w=w - 8, shadow=False)
            lines, size = self.fit_wrap(tr(ABOUT), 21, w - 8, ABOUT_LINES, min_size=16)
            for k, line in enumerate(lines):
                self.text(surface, line, size, TEXT_FAINT, x + 4, top + 30 + k * (size + 5),
                          "midleft", shadow=False)

    def _draw_card(self, surface: pygame.Surface, e: dict[str, Any], i: int, x: float,
                   top: float, w: float) -> None:
        r = self.rect(x, top, w, CARD_H)
        if i == self.index:
            self.focus_panel(surface, r, radius=14)
        else:
            self.panel(surface, r)
        self.hotspot(r, i)
        colour = TEXT if i == self.index else TEXT_DIM
        self.text(surface, e["title"], 30, colour, x + 20, top + 25, "midleft", max_w=w - 110)
        self.text(surface, fmt_length(e["length_s"]), 22, colour, x + w - 20, top + 25,
                  "midright")
        tag = SOURCE_TAGS.get(e.get("source", "builtin"), "")
        # TRANSLATORS: a song's tempo in beats per minute, e.g. "112 BPM"
        bpm = tr("{bpm} BPM").format(bpm=fmt_bpm(e["bpm"]))
        if tag:
            bpm = tr(tag) + "  ·  " + bpm
        bpm_r = self.text(surface, bpm, 17, TEXT_FAINT, x + w - 20, top + 52, "midright",
                          max_w=w * 0.45, shadow=False)
        artist_w = min(w - 110, w - 40 - bpm_r.width / self.u - 12)
        self.text(surface, e.get("artist") or tr("Unknown artist"), 20, TEXT_FAINT, x + 20,
                  top + 52, "midleft", max_w=artist_w, shadow=False)

    # the line under the list -------------------------------------------------------------
    def _draw_status(self, surface: pygame.Surface, list_w: float) -> None:
        y = 662.0
        line = scan_line(self.progress)
        if line:
            drawn = self.text(surface, line, 18, ACCENT, 60, y, "midleft", max_w=list_w - 120,
                              shadow=False)
            x0 = drawn.right / self.u + 14
            bar = self.rect(x0, y - 3, 60 + list_w - x0, 6)
            pygame.draw.rect(surface, (40, 44, 62), bar, border_radius=self.px(3))
            fill = bar.copy()
            fill.w = max(bar.h, round(bar.w * self.progress.fraction))
            pygame.draw.rect(surface, ACCENT, fill, border_radius=self.px(3))
            return
        if self.errors:
            n = len(self.errors)
            # TRANSLATORS: {error} is the first file's problem, as the file reader says it
            text = ntr("{n} song could not be read: {error}",
                       "{n} songs could not be read: {error}", n).format(n=n,
                                                                         error=self.errors[0])
            self.text(surface, text, 18, VERMILLION, 60, y, "midleft",
                      max_w=self.width_units - 120, shadow=False)

