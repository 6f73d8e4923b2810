"""The results screen: each player's figures, the pair's sync, timing pictures, offset tips.

Keys: ``1`` / ``2`` apply the suggested input-offset correction for P1 / P2,
``S`` or ``F12`` saves a PNG screenshot, Enter or Esc goes back.

The picture is rendered once into a cached surface (on resize or when a
status line changes), so idling on this screen costs one blit per frame.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from pathlib import Path
from typing import Any

import pygame

from game.app.scene import Scene
from game.engine.calibration import suggest_offset_ms
from game.engine.sync import IN_SYNC_S
from game.ui import charts, theme
from game.ui.charts import px, text

JUDGEMENTS = ("perfect", "great", "good", "miss")
JUDGE_COLOURS: dict[str, theme.RGB] = {
    "perfect": theme.PERFECT_COLOUR, "great": (32, 196, 146), "good": theme.YELLOW,
    "miss": theme.VERMILLION}
SYNC_ORDER = ("locked", "tight", "loose", "flam")
BAND_MS = IN_SYNC_S * 1e3


def _fmt_ms(v: float | None, nd: int = 1) -> str:
    return "-" if v is None else f"{abs(v):.{nd}f} ms"


def _early_late(ms: float | None) -> str:
    if ms is None:
        return "-"
    if abs(ms) < 0.5:
        return "on time"
    return f"{abs(ms):.0f} ms {'late' if ms > 0 else 'early'}"


class ResultsScene(Scene):
    """After a song: figures per player and for the pair, pictures, offset suggestions.

    Parameters
    ----------
    app : App
        Uses ``services["settings"]`` / ``["settings_path"]`` (offset suggestions) and
        ``services["screenshots_dir"]`` when present.
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
        self.message = ""
        self.last_screenshot: Path | None = None
        self._base: pygame.Surface | None = None
        self._cache: pygame.Surface | None = None

    # names ---------------------------------------------------------------------
    def player_name(self, i: int) -> str:
        """``"P1"`` or ``"P1 Ana"``."""
        name = str(self.report["players"][i].get("name") or "").strip()
        tag = f"P{i + 1}"
        return tag if not name or name == tag else f"{tag} {name}"

    def lead_text(self) -> str:
        """Who led, in words."""
        leader = self.report["duet"].get("leader")
        a, b = self.player_name(0), self.player_name(1)
        if leader == "p1":
            return f"{a} led, {b} followed"
        if leader == "p2":
            return f"{b} led, {a} followed"
        if leader == "mutual":
            return "You followed each other"
        return "No clear leader"

    def ahead_text(self) -> str:
        """Who was ahead on average, in words."""
        duet = self.report["duet"]
        ahead, ms = duet.get("ahead"), duet.get("mean_asynchrony_ms")
        if ahead in ("p1", "p2") and ms is not None:
            return f"{self.player_name(int(ahead[1]) - 1)}, by {abs(ms):.0f} ms on average"
        return "Dead even on average" if ahead == "even" else "No shared notes"

    def suggestion_text(self, i: int) -> str:
        """The offset tip line for player ``i``."""
        tag = f"P{i + 1}"
        if self.applied[i] is not None:
            return f"{tag}: applied - input offset is now {self.applied[i]:+.0f} ms"
        s = self.suggestions[i]
        if s is None:
            n = len(self.offsets[i])
            return (f"{tag}: timing is centred - no offset change needed" if n >= 20
                    else f"{tag}: too few hits to suggest an offset")
        late = "late" if s < 0 else "early"
        return (f"{tag}: your hits were {abs(s):.0f} ms {late} on average - "
                f"apply a {s:+.0f} ms correction? (press {i + 1})")

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
        ``services["settings"]`` and are saved when the settings store is there.
        """
        s = self.suggestions[player]
        if s is None or self.applied[player] is not None:
            return None
        services = self.app.services
        try:
            from game.store import settings as store
        except ImportError:  # pragma: no cover - the settings store is not installed
            store = None
        settings = services.get("settings")
        if settings is None and store is not None:
            settings = store.load_settings(services.get("settings_path"))[0]
        if settings is None:  # no store: keep the value in memory only
            offsets = services.setdefault("input_offsets_ms", [0.0, 0.0])
            offsets[player] = new = offsets[player] - s
        else:
            prefs = settings.players[player]
            limit = getattr(store, "MAX_OFFSET_MS", 1000.0)
            new = max(-limit, min(limit, prefs.input_offset_ms - s))
            players = list(settings.players)
            players[player] = dataclasses.replace(prefs, input_offset_ms=new)
            settings = dataclasses.replace(settings, players=tuple(players))
            services["settings"] = settings
        self.applied[player] = new
        self.message = f"P{player + 1} input offset set to {new:+.0f} ms"
        if store is not None and settings is not None:
            try:
                path = store.save_settings(settings, services.get("settings_path"))
                self.message += f", saved to {path}"
            except Exception as e:  # StoreError: keep it in memory, say so
                self.message += f" (kept for this session, not saved: {e})"
        self._cache = None
        return new

    def screenshots_dir(self) -> Path:
        """``services["screenshots_dir"]``, else ``<data dir>/screenshots``, else the cwd."""
        chosen = self.app.services.get("screenshots_dir")
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
        except (OSError, pygame.error) as e:
            self.message = f"screenshot failed: {e}"
            self._cache = None
            return None
        self.last_screenshot = path
        self.message = f"saved to {path}"
        self._cache = None
        return path

    # drawing -------------------------------------------------------------------
    def resize(self, size: tuple[int, int]) -> None:
        self._base = self._cache = None

    def draw(self, surface: pygame.Surface) -> None:
        size = surface.get_size()
        if self._base is None or self._base.get_size() != size:
            self._base, self._cache = pygame.Surface(size), None
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
        text(surface, "RESULTS", 15, theme.TEXT_DIM, scale=s, topleft=(m, px(16, s)))
        text(surface, str(song.get("title") or song.get("id") or ""), 34, theme.TEXT, scale=s,
             topleft=(m, px(34, s)))
        gap, top, card_h = px(14, s), px(78, s), px(318, s)
        side = round((w - 2 * m - 2 * gap) * 0.31)
        for i, x in ((0, m), (1, w - m - side)):
            self._player_card(surface, pygame.Rect(x, top, side, card_h), i, s)
        self._duet_card(surface, pygame.Rect(m + side + gap, top, w - 2 * (m + gap + side),
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
        hint = "1 / 2  apply offset     S  screenshot     Enter  continue"
        text(surface, hint, 15, theme.TEXT_DIM, scale=s, bottomright=(w - m, h - px(12, s)))

    def _render_footer(self, surface: pygame.Surface) -> None:
        w, h = surface.get_size()
        s = min(w / 1280, h / 720)
        m, y = px(24, s), px(78 + 318 + 14 + 196 + 10, s)
        for i in (0, 1):
            colour = theme.PALETTES[i].light if self.applied[i] is None else theme.TEXT_DIM
            y = text(surface, self.suggestion_text(i), 17, colour, scale=s,
                     topleft=(m, y)).bottom + px(4, s)
        if self.message:
            text(surface, self.message, 15, theme.YELLOW, scale=s, topleft=(m, y + px(4, s)))

    def _player_card(self, surface: pygame.Surface, rect: pygame.Rect, i: int, s: float) -> None:
        p, pal = self.report["players"][i], theme.PALETTES[i]
        inner = charts.panel(surface, rect, scale=s, accent=pal.primary)
        r = text(surface, self.player_name(i), 30, pal.light, scale=s, topleft=inner.topleft)
        text(surface, f"{str(p.get('difficulty', '')).upper()}", 14, theme.TEXT_DIM, scale=s,
             bottomright=(inner.right, r.bottom - px(3, s)))
        y = r.bottom + px(10, s)
        text(surface, "SCORE", 13, theme.TEXT_DIM, scale=s, topleft=(inner.x, y))
        text(surface, "ACCURACY", 13, theme.TEXT_DIM, scale=s, topright=(inner.right, y))
        y += px(16, s)
        text(surface, f"{int(p.get('score', 0)):,}", 40, theme.TEXT, scale=s, topleft=(inner.x, y))
        acc = float(p.get("accuracy", 0.0)) * 100
        r = text(surface, f"{acc:.1f}%", 40, pal.light, scale=s, topright=(inner.right, y))
        y = r.bottom + px(12, s)
        counts = p.get("judgements", {})
        total = max(1, sum(int(counts.get(k, 0)) for k in JUDGEMENTS))
        stats_y = inner.bottom - px(40, s)
        row = min(px(34, s), (stats_y - px(14, s) - y) // 4)
        bar_x, bar_w = inner.x + px(84, s), inner.w - px(84 + 52, s)
        for k in JUDGEMENTS:
            n = int(counts.get(k, 0))
            colour = JUDGE_COLOURS[k]
            text(surface, k.upper(), 15, colour, scale=s, midleft=(inner.x, y + row // 2))
            track = pygame.Rect(bar_x, y + row // 2 - px(4, s), bar_w, px(8, s))
            pygame.draw.rect(surface, (36, 40, 60), track, border_radius=px(4, s))
            if n:
                fill = track.copy()
                fill.w = max(px(4, s), round(bar_w * n / total))
                pygame.draw.rect(surface, colour, fill, border_radius=px(4, s))
            text(surface, str(n), 20, theme.TEXT, scale=s, midright=(inner.right, y + row // 2))
            y += row
        y = stats_y
        pygame.draw.line(surface, (50, 55, 78), (inner.x, y - px(8, s)),
                         (inner.right, y - px(8, s)), px(1, s))
        ur = p.get("unstable_rate")
        stats = (("MAX COMBO", str(p.get("max_combo", 0))),
                 ("TIMING", _early_late(p.get("mean_offset_ms"))),
                 ("UNSTABLE RATE", "-" if ur is None else f"{ur:.0f}"))
        col = inner.w / 3
        for k, (label, value) in enumerate(stats):
            x = round(inner.x + k * col)
            text(surface, label, 12, theme.TEXT_DIM, scale=s, topleft=(x, y))
            text(surface, value, 20, theme.TEXT, scale=s, topleft=(x, y + px(15, s)))

    def _duet_card(self, surface: pygame.Surface, rect: pygame.Rect, s: float) -> None:
        duet = self.report["duet"]
        inner = charts.panel(surface, rect, scale=s, accent=theme.BLUISH_GREEN)
        cx = inner.centerx
        text(surface, "TEAM SCORE", 15, theme.TEXT_DIM, scale=s, midtop=(cx, inner.y))
        r = text(surface, f"{int(duet.get('team_score', 0)):,}", 72, theme.TEXT, scale=s,
                 midtop=(cx, inner.y + px(18, s)))
        y = r.bottom + px(12, s)
        rate, spread = duet.get("in_sync_rate"), duet.get("sync_spread_ms")
        figs = (("-" if rate is None else f"{rate * 100:.0f}%", "IN SYNC (±20 ms)"),
                (_fmt_ms(spread), "SYNC SPREAD"),
                (_fmt_ms(duet.get("mean_asynchrony_ms")), "MEAN GAP"))
        col = inner.w / 3
        for k, (value, label) in enumerate(figs):
            x = round(inner.x + col * (k + 0.5))
            r = text(surface, value, 32, theme.TEXT, scale=s, midtop=(x, y))
            text(surface, label, 12, theme.TEXT_DIM, scale=s, midtop=(x, r.bottom + px(3, s)))
        y = r.bottom + px(16, s)
        pygame.draw.line(surface, (50, 55, 78), (inner.x, y), (inner.right, y), px(1, s))
        lock = duet.get("phase_lock") or [None, None]
        steady = "  ·  ".join(f"P{i + 1} {'-' if v is None else f'{v:.2f}'}"
                              for i, v in enumerate(lock))
        for label, value in (("AHEAD", self.ahead_text()), ("LEADING", self.lead_text()),
                             ("PHASE LOCK", steady)):
            y += px(10, s)
            text(surface, label, 13, theme.TEXT_DIM, scale=s, topleft=(inner.x, y + px(4, s)))
            y = text(surface, value, 22, theme.TEXT, scale=s, topright=(inner.right, y)).bottom
        grades = duet.get("sync_grades", {})
        total = sum(int(grades.get(g, 0)) for g in SYNC_ORDER)
        bar = pygame.Rect(inner.x, inner.bottom - px(44, s), inner.w, px(14, s))
        text(surface, "SYNC GRADES", 12, theme.TEXT_DIM, scale=s,
             bottomleft=(inner.x, bar.y - px(5, s)))
        charts.stacked_bar(surface, bar, [(float(grades.get(g, 0)), theme.SYNC_COLOURS[g])
                                          for g in SYNC_ORDER], scale=s)
        col = inner.w / 4
        for k, g in enumerate(SYNC_ORDER):
            x = round(inner.x + k * col)
            share = f"{100 * int(grades.get(g, 0)) / total:.0f}%" if total else "-"
            ly = bar.bottom + px(14, s)
            pygame.draw.circle(surface, theme.SYNC_COLOURS[g], (x + px(5, s), ly), px(4, s))
            text(surface, f"{theme.SYNC_TEXT[g]} {share}", 14, theme.TEXT, scale=s,
                 midleft=(x + px(13, s), ly))
