"""The results screen: each player's figures, the pair's sync, timing pictures, offset tips.

Keys: ``1`` / ``2`` apply the suggested input-offset correction for P1 / P2,
``S`` or ``F12`` saves a PNG screenshot, Enter or Esc goes back.

The picture is rendered once into a cached surface (on resize or when a
status line changes), so idling on this screen costs one blit per frame.

Every word is translated when the picture is drawn; player names and the song's
title are shown as they are. Each text shrinks to fit its box (a translation or
a name may be wider than the English).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pygame

from game.app.scene import Scene
from game.app.scenes.results_cards import BAND_MS, duet_card, player_card
from game.engine.calibration import suggest_offset_ms
from game.store.settings import MAX_OFFSET_MS
from game.ui import charts, theme
from game.ui.charts import px, text
from game.ui.i18n import current_language, tr
from game.ui.menu import font
from game.ui.png_text import PngError, add_text_chunks
from game.ui.theme import player_tag


class ResultsScene(Scene):
    """After a song: figures per player and for the pair, pictures, offset suggestions.

    Parameters
    ----------
    app : App
        Uses ``app.context``'s settings and their path (offset suggestions) and its
        ``screenshots_dir`` when set.
    report : dict
        :func:`game.engine.report.session_report` of the finished song.
    session : Session or None
        The finished session, for the per-hit pictures and suggestions (None: no pictures).
    """

    name = "results"

    def __init__(self, app: Any, report: dict[str, Any], session: Any = None) -> None:
        super().__init__(app)
        self.report = report
        self.session = session
        self.offsets: tuple[list[tuple[float, float]], ...] = (
            (list(session.scores[0].offsets), list(session.scores[1].offsets))
            if session is not None else ([], []))
        self.asynchronies: tuple[tuple[float, float], ...] = (
            session.duet().asynchronies if session is not None else ())
        times = [t for offs in self.offsets for t, _ in offs] + [t for t, _ in self.asynchronies]
        self.length_s = float(session.chart.length_s if session is not None else 0.0)
        self.length_s = max(self.length_s, max(times, default=0.0), 1.0)
        self.suggestions: list[float | None] = [
            suggest_offset_ms([o for _, o in offs]) for offs in self.offsets]
        self.applied: list[float | None] = [None, None]
        self._message: Callable[[], str] | None = None
        self.last_screenshot: Path | None = None
        self._base: pygame.Surface | None = None
        self._cache: pygame.Surface | None = None
        self._language = current_language()

    # the status line ------------------------------------------------------------
    @property
    def message(self) -> str:
        """The latest action's outcome (an offset applied, a screenshot saved), translated now."""
        return self._message() if self._message is not None else ""

    # names ---------------------------------------------------------------------
    def player_name(self, i: int) -> str:
        """``"P1"`` or ``"P1 Ana"`` (the name as typed: never translated)."""
        name = str(self.report["players"][i].get("name") or "").strip()
        tag = player_tag(i)
        return tag if not name or name in (tag, f"P{i + 1}") else f"{tag} {name}"

    def lead_text(self) -> str:
        """Who led, in words."""
        leader = self.report["duet"].get("leader")
        a, b = self.player_name(0), self.player_name(1)
        if leader in ("p1", "p2"):
            first, then = (a, b) if leader == "p1" else (b, a)
            # TRANSLATORS: results: {leader} and {follower} are players ("P1 Ana")
            return tr("{leader} led, {follower} followed").format(leader=first, follower=then)
        if leader == "mutual":
            # TRANSLATORS: results: neither player led, each adjusted to the other
            return tr("You followed each other")
        # TRANSLATORS: results, after "LEADING": neither player clearly led
        return tr("No clear leader")

    def ahead_text(self) -> str:
        """Who was ahead on average, in words."""
        duet = self.report["duet"]
        ahead, ms = duet.get("ahead"), duet.get("mean_asynchrony_ms")
        if ahead in ("p1", "p2") and ms is not None:
            # TRANSLATORS: results, after "AHEAD": {player} ("P1 Ana") played first, by {ms}
            # milliseconds on average
            return tr("{player}, by {ms} ms on average").format(
                player=self.player_name(int(ahead[1]) - 1), ms=f"{abs(ms):.0f}")
        if ahead == "even":
            # TRANSLATORS: results, after "AHEAD": neither player was ahead on average
            return tr("Dead even on average")
        # TRANSLATORS: results, after "AHEAD": the players never played the same note
        return tr("No shared notes")

    def suggestion_text(self, i: int) -> str:
        """The offset tip line for player ``i``."""
        tag = player_tag(i)
        applied = self.applied[i]
        if applied is not None:
            # TRANSLATORS: results, offset tip after it was applied; {ms} is signed (+12)
            return tr("{player}: applied - input offset is now {ms} ms").format(
                player=tag, ms=f"{applied:+.0f}")
        s = self.suggestions[i]
        if s is None:
            if len(self.offsets[i]) >= 20:
                # TRANSLATORS: results, offset tip: {player}'s hits were on time on average
                return tr("{player}: timing is centred - no offset change needed").format(
                    player=tag)
            # TRANSLATORS: results, offset tip: {player} hit too few notes to judge from
            return tr("{player}: too few hits to suggest an offset").format(player=tag)
        ms, fix, key = f"{abs(s):.0f}", f"{s:+.0f}", str(i + 1)
        if s < 0:
            # TRANSLATORS: results, offset tip; {fix} is signed (-14); {key} is the key to press
            return tr("{player}: your hits were {ms} ms late on average - apply a {fix} ms "
                      "correction? (press {key})").format(player=tag, ms=ms, fix=fix, key=key)
        # TRANSLATORS: results, offset tip; {fix} is signed (+14); {key} is the key to press
        return tr("{player}: your hits were {ms} ms early on average - apply a {fix} ms "
                  "correction? (press {key})").format(player=tag, ms=ms, fix=fix, key=key)

    # actions -------------------------------------------------------------------
    def on_event(self, event: Any, t_capture: float) -> None:
        if event.type != pygame.KEYDOWN:
            return
        key = event.key
        if key in (pygame.K_ESCAPE, pygame.K_RETURN, pygame.K_KP_ENTER):
            self.app.pop()
        elif key in (pygame.K_1, pygame.K_KP1):
            self.apply_suggestion(0)
        elif key in (pygame.K_2, pygame.K_KP2):
            self.apply_suggestion(1)
        elif key in (pygame.K_s, pygame.K_F12):
            self.save_screenshot()

    def apply_suggestion(self, player: int) -> float | None:
        """Apply player's suggested correction to their ``input_offset_ms``; the new value.

        The correction is added to the hits, so it is *subtracted* from the input
        offset (which the game takes off each hit). The new settings go into
        ``app.context.settings`` and are saved to the settings file.
        """
        s = self.suggestions[player]
        if s is None or self.applied[player] is not None:
            return None
        context = self.app.context
        settings = context.settings
        prefs = settings.players[player]
        new = max(-MAX_OFFSET_MS, min(MAX_OFFSET_MS, prefs.input_offset_ms - s))
        settings = settings.with_player(player, input_offset_ms=new)
        self.applied[player] = new
        ms = f"{new:+.0f}"
        # TRANSLATORS: results, after applying an offset tip; {ms} is signed (+12)
        self._message = lambda: tr("{player} input offset set to {ms} ms").format(
            player=player_tag(player), ms=ms)
        try:
            path = context.commit_settings(settings)
            if path is not None:
                # TRANSLATORS: results, after applying an offset tip; {path} is a file
                self._message = lambda: tr("{player} input offset set to {ms} ms, saved to "
                                           "{path}").format(player=player_tag(player), ms=ms,
                                                            path=path)
        except Exception as e:  # StoreError: keep it in memory, say so
            error = str(e)
            # TRANSLATORS: results, after applying an offset tip; {error} is the
            # system's message (English)
            self._message = lambda: tr("{player} input offset set to {ms} ms (kept for "
                                       "this session, not saved: {error})").format(
                player=player_tag(player), ms=ms, error=error)
        self._cache = None
        return float(new)

    def screenshots_dir(self) -> Path:
        """``app.context.screenshots_dir``, else ``<data dir>/screenshots``, else the cwd."""
        chosen = self.app.context.screenshots_dir
        if chosen:
            folder = Path(chosen)
        else:
            try:
                from game.store.paths import data_dir
                folder = data_dir() / "screenshots"
            except Exception:  # no store, or the data folder cannot be made
                folder = Path.cwd()
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def save_screenshot(self) -> Path | None:
        """Save the results picture as a time-stamped PNG; the path (None on failure)."""
        surf = pygame.Surface(self.app.screen.get_size())
        self.render(surf)
        song = str(self.report.get("song", {}).get("id") or "song")
        try:
            folder = self.screenshots_dir()
            stamp = time.strftime("%Y%m%d-%H%M%S")
            path, n = folder / f"results-{song}-{stamp}.png", 1
            while path.exists():
                path, n = folder / f"results-{song}-{stamp}-{n}.png", n + 1
            pygame.image.save(surf, str(path))
            add_text_chunks(path, self.png_texts())
        except (OSError, pygame.error, PngError) as e:
            error = str(e)
            # TRANSLATORS: results, the S key's screenshot; {error} is the system's message
            self._message = lambda: tr("screenshot failed: {error}").format(error=error)
            self._cache = None
            return None
        self.last_screenshot = path
        # TRANSLATORS: results, the S key's screenshot was written to the file {path}
        self._message = lambda: tr("saved to {path}").format(path=path)
        self._cache = None
        return path

    def png_texts(self) -> dict[str, str]:
        """What the saved PNG carries as text: the names exactly as stored, and the song."""
        players = self.report.get("players", [{}, {}])
        song = self.report.get("song", {})
        return {"Title": str(song.get("title") or song.get("id") or ""),
                "Drum Diplomacy P1": str(players[0].get("name", "")),
                "Drum Diplomacy P2": str(players[1].get("name", "")),
                "Drum Diplomacy team score": str(self.report.get("duet", {}).get(
                    "team_score", ""))}

    # drawing -------------------------------------------------------------------
    def resize(self, size: tuple[int, int]) -> None:
        self._base = self._cache = None

    def draw(self, surface: pygame.Surface) -> None:
        size = surface.get_size()
        if (self._base is None or self._base.get_size() != size
                or self._language != current_language()):  # words drawn in a past language
            self._base, self._cache = pygame.Surface(size), None
            self._language = current_language()
            self._render_base(self._base)
            with contextlib.suppress(pygame.error):
                self._base = self._base.convert()
        if self._cache is None:
            self._cache = self._base.copy()
            self._render_footer(self._cache)
        surface.blit(self._cache, (0, 0))

    def render(self, surface: pygame.Surface) -> None:
        """Draw the whole results picture into ``surface``."""
        self._render_base(surface)
        self._render_footer(surface)

    def _render_base(self, surface: pygame.Surface) -> None:
        w, h = surface.get_size()
        s = min(w / 1280, h / 720)
        surface.blit(theme.vertical_gradient((w, h), theme.BG_TOP, theme.BG_BOTTOM), (0, 0))
        m, song = px(24, s), self.report.get("song", {})
        # TRANSLATORS: caption above the song's title on the results screen
        text(surface, tr("RESULTS"), 15, theme.TEXT_DIM, scale=s, max_w=w - 2 * m,
             topleft=(m, px(16, s)))
        text(surface, str(song.get("title") or song.get("id") or ""), 34, theme.TEXT, scale=s,
             max_w=w - 2 * m, topleft=(m, px(34, s)))
        gap, top, card_h = px(14, s), px(78, s), px(318, s)
        side = round((w - 2 * m - 2 * gap) * 0.31)
        for i, x in ((0, m), (1, w - m - side)):
            player_card(self, surface, pygame.Rect(x, top, side, card_h), i, s)
        duet_card(self, surface, pygame.Rect(m + side + gap, top, w - 2 * (m + gap + side),
                                             card_h), s)
        ctop, ch, cw = top + card_h + gap, px(196, s), (w - 2 * m - 2 * gap) // 3
        windows = self.report.get("windows_ms", {})
        good, perfect = windows.get("good_ms") or 90.0, windows.get("perfect_ms") or 25.0
        colours = (theme.PALETTES[0].light, theme.PALETTES[1].light)
        series = list(zip(self.offsets, colours, strict=True))
        charts.offset_scatter(surface, pygame.Rect(m, ctop, cw, ch), series,
                              length_s=self.length_s, window_ms=good, perfect_ms=perfect, scale=s)
        charts.offset_histogram(surface, pygame.Rect(m + cw + gap, ctop, cw, ch), series,
                                limit_ms=good, scale=s)
        charts.asynchrony_chart(surface, pygame.Rect(m + 2 * (cw + gap), ctop, cw, ch),
                                self.asynchronies, length_s=self.length_s, band_ms=BAND_MS,
                                scale=s)
        text(surface, self.hint_text(), 15, theme.TEXT_DIM, scale=s, max_w=w - 2 * m,
             bottomright=(w - m, h - px(12, s)))

    @staticmethod
    def hint_text() -> str:
        """The keys of this screen and what they do, for the bottom line."""
        # TRANSLATORS: keycap label; keep the key's printed name
        enter = tr("Enter")
        # TRANSLATORS: results, beside the keys 1 / 2: apply the suggested input offset
        pairs = (("1 / 2", tr("apply offset")),
                 # TRANSLATORS: results, beside the S key: save a picture of this screen
                 ("S", tr("screenshot")),
                 # TRANSLATORS: results, beside the Enter key: leave this screen
                 (enter, tr("continue")))
        return "     ".join(f"{key}  {what}" for key, what in pairs)

    def _render_footer(self, surface: pygame.Surface) -> None:
        w, h = surface.get_size()
        s = min(w / 1280, h / 720)
        m, y = px(24, s), px(78 + 318 + 14 + 196 + 10, s)
        for i in (0, 1):
            colour = theme.PALETTES[i].light if self.applied[i] is None else theme.TEXT_DIM
            r = text(surface, self.suggestion_text(i), 17, colour, scale=s, max_w=w - 2 * m,
                     topleft=(m, y))
            y = y + max(r.h, font(px(17, s)).get_height()) + px(4, s)
        if self.message:
            text(surface, self.message, 15, theme.YELLOW, scale=s, max_w=w - 2 * m,
                 topleft=(m, y + px(4, s)))
