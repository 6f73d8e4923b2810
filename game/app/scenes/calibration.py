"""Calibration: tap along to a 100 BPM click to measure the audio and per-player input offsets.

Two tests, chosen from a small menu:

* **Audio offset**: tap Space on every click (a flashing marker shows the beat
  too). The signed median of ``tap - click`` is how late the click is heard
  after the mixer plays it, plus the keyboard's own delay: it is *added* to
  ``settings.audio.audio_offset_ms`` (the song clock then runs that much
  behind the mixer, so notes line up with what is heard).
* **Input offsets**: P1 taps their snare key (F by default) along to the
  click, then P2 (K). The clock already includes the audio offset, so each
  player's median is what is left: their own input delay. It *becomes* their
  ``settings.players[i].input_offset_ms`` (taken off each of their hits in
  play). Per player, not per device (``device_offsets_ms``), because both
  players share the one keyboard but not their reflexes or key.

Taps farther than 250 ms from every click are ignored; a median needs 8 taps;
a test asks for 16. Enter saves (``services["settings"]``, and the settings
file when the store is there), Esc cancels back to the menu.

The click train is in :mod:`game.app.scenes.calibration_clicks`, the page drawn
while a test runs in :mod:`game.app.scenes.calibration_test_page`.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from typing import Any

import pygame

from game.app.scene import Scene
from game.app.scenes.calibration_clicks import (
    BEAT_S,
    CLICKS,
    LEAD_IN_S,
    TARGET_TAPS,
    click_chart,
)
from game.app.scenes.calibration_test_page import draw_test_page
from game.engine.calibration import MIN_TAPS, median_offset_ms, tap_offsets
from game.store.settings import Settings
from game.ui import theme
from game.ui.charts import px
from game.ui.i18n import N_, ntr, tr
from game.ui.menu import ACCENT as MENU_ACCENT
from game.ui.menu import TEXT_DIM as MENU_DIM
from game.ui.menu import MenuList, font
from game.ui.text import wrap_text

#: Menu items (ids; translated when drawn).
ITEMS = (N_("Audio offset: tap Space on the beat"), N_("Input offsets: P1 then P2"),
         # TRANSLATORS: menu item, "go back to the previous screen"
         N_("Back"))
#: What each menu item does (a paragraph under the menu).
ABOUT = (N_("How late you hear the game. Do this first, on the speakers you play with."),
         N_("Each player's own delay on their key. Do this after the audio offset."),
         N_("Back to where you came from."))
#: Keycap labels of the key hints (translated when drawn).
KEYCAPS = {
    # TRANSLATORS: keycap label; keep the key's printed name
    "Up/Down": N_("Up/Down"),
    # TRANSLATORS: keycap label; keep the key's printed name
    "Enter": N_("Enter"),
    # TRANSLATORS: keycap label; keep the key's printed name
    "Esc": N_("Esc")}


class CalibrationScene(Scene):
    """The calibration screen (menu, then a tapping test)."""

    name = "calibration"

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.menu = MenuList(list(ITEMS))
        self.mode = "menu"  # "menu", "audio" or "input"
        self.player = 0  # who taps in the input test
        self.offsets_s: list[list[float]] = [[], []]  # audio test uses [0]
        self.tap_song_s: list[list[float]] = [[], []]
        self.message = ""
        self.settings: Settings = app.context.settings
        self.clock: Any = None
        self.start_perf = 0.0
        self.now_s = -math.inf
        keys = self.settings.keys
        self.key_names = (keys.p1[1], keys.p2[1])
        self._audio_loaded = False

    # settings ------------------------------------------------------------------
    def current_audio_ms(self) -> float:
        """The audio offset in force, ms."""
        return float(self.settings.audio.audio_offset_ms)

    def current_input_ms(self, player: int) -> float:
        """Player's input offset in force, ms."""
        return float(self.settings.players[player].input_offset_ms)

    # measuring -----------------------------------------------------------------
    def measured_ms(self, player: int = 0) -> float | None:
        """The running signed median of the taps, ms (None before MIN_TAPS taps)."""
        return median_offset_ms(self.offsets_s[player])

    def result_ms(self, player: int = 0) -> float | None:
        """What Enter would store: the new audio offset, or the player's new input offset."""
        m = self.measured_ms(player)
        if m is None:
            return None
        return round(self.current_audio_ms() + m if self.mode == "audio" else m, 1)

    def click_song_s(self, k: int) -> float:
        """Song time of click ``k`` (0-based), seconds."""
        return k * BEAT_S

    def click_perf_s(self, k: int) -> float:
        """The ``perf_counter`` time at which click ``k`` is heard (by the current offsets)."""
        latency_s: float = self.clock.audio_latency_s
        return float(self.start_perf + LEAD_IN_S + self.click_song_s(k) + latency_s)

    def start_test(self, mode: str) -> None:
        """Begin the audio (``"audio"``) or input (``"input"``) test from P1."""
        from game.audio.clock import SongClock

        self.mode, self.player, self.message = mode, 0, ""
        self.offsets_s, self.tap_song_s = [[], []], [[], []]
        self.clock = SongClock(audio_latency_s=self.current_audio_ms() / 1e3)
        self._start_clicks()

    def _start_clicks(self) -> None:
        audio = self.app.context.audio
        if audio is not None:
            if not self._audio_loaded:
                audio.load_song(None, chart=click_chart())
                self._audio_loaded = True
            t = audio.play(-LEAD_IN_S)
        else:
            t = time.perf_counter()
        self.start_perf = t
        self.clock.start(-LEAD_IN_S, at_perf_s=t)

    def _stop_clicks(self) -> None:
        audio = self.app.context.audio
        if audio is not None:
            audio.stop()

    def tap(self, t_capture: float) -> float | None:
        """Record a tap at perf time ``t_capture``; its offset in seconds (None: ignored)."""
        t_song = self.clock.to_song_time(t_capture)
        got = tap_offsets([t_song], [self.click_song_s(k) for k in range(CLICKS)])
        if not got:
            return None
        p = self.player if self.mode == "input" else 0
        self.offsets_s[p].append(got[0])
        self.tap_song_s[p].append(t_song)
        if self.mode == "input" and p == 0 and len(self.offsets_s[0]) >= TARGET_TAPS:
            self.player = 1
            self._start_clicks()
        return got[0]

    @property
    def done(self) -> bool:
        """Every player of the running test has tapped enough."""
        if self.mode == "audio":
            return len(self.offsets_s[0]) >= TARGET_TAPS
        return self.mode == "input" and len(self.offsets_s[1]) >= TARGET_TAPS

    # saving --------------------------------------------------------------------
    def save(self) -> bool:
        """Store the measured offsets; False when nothing was measured yet."""
        settings, context = self.settings, self.app.context
        if self.mode == "audio":
            new = self.result_ms(0)
            if new is None:
                return False
            settings = dataclasses.replace(settings, audio=dataclasses.replace(
                settings.audio, audio_offset_ms=new))
            what = tr("audio offset {ms} ms").format(ms=f"{new:+.0f}")
        else:
            news = [self.result_ms(p) for p in (0, 1)]
            if all(v is None for v in news):
                return False
            parts = []
            for p, v in enumerate(news):
                if v is None:
                    continue
                settings = settings.with_player(p, input_offset_ms=v)
                parts.append(tr("P{player} input offset {ms} ms").format(player=p + 1,
                                                                         ms=f"{v:+.0f}"))
            # TRANSLATORS: separator between the items of a list ("A, B")
            what = tr(", ").join(parts)
        self.message = tr("Saved: {what}").format(what=what)
        self.settings = settings
        try:
            if context.commit_settings(settings) is None:
                self.message = tr("Kept for this session: {what}").format(what=what)
        except Exception as e:  # StoreError
            self.message = tr("Kept for this session, not saved ({error}): {what}").format(
                error=e, what=what)
        self._end_test()
        return True

    def cancel(self) -> None:
        """Drop the running test's taps and go back to the menu."""
        self.message = tr("Cancelled - nothing changed")
        self._end_test()

    def _end_test(self) -> None:
        self._stop_clicks()
        self.mode = "menu"

    # scene ---------------------------------------------------------------------
    def on_event(self, event: Any, t_capture: float) -> None:
        if event.type != pygame.KEYDOWN:
            return
        key = event.key
        if self.mode == "menu":
            if key == pygame.K_ESCAPE:
                self.app.pop()
                return
            choice = self.menu.on_key(key)
            if choice == ITEMS[0]:
                self.start_test("audio")
            elif choice == ITEMS[1]:
                self.start_test("input")
            elif choice == ITEMS[2]:
                self.app.pop()
        elif key == pygame.K_ESCAPE:
            self.cancel()
        elif key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            if not self.save():
                self.message = ntr("Tap at least {n} time first", "Tap at least {n} times first",
                                   MIN_TAPS).format(n=MIN_TAPS)
        elif key == self.tap_key():
            self.tap(t_capture)

    def tap_key(self) -> int | None:
        """The key that taps in the running test (None when no tap is expected)."""
        if self.mode == "audio":
            return pygame.K_SPACE
        if self.mode == "input" and not self.done:
            return int(pygame.key.key_code(self.key_names[self.player]))
        return None

    def update(self, now_perf: float) -> None:
        if self.mode == "menu" or self.clock is None:
            return
        self.now_s = self.clock.to_song_time(now_perf)
        if self.now_s > self.click_song_s(CLICKS - 1) + 0.5 and not self.done:
            self._start_clicks()  # ran out of clicks: go round again, keeping the taps

    def leave(self) -> None:
        self._stop_clicks()

    def close(self) -> None:
        self._stop_clicks()

    # drawing -------------------------------------------------------------------
    @staticmethod
    def text(surface: pygame.Surface, s: str, size: float, colour: Sequence[int], *,
             scale: float, max_w: int | None = None,
             **anchor: tuple[int, int] | int) -> pygame.Rect:
        """Draw ``s`` at ``size`` (720p pixels) anchored like ``get_rect(**anchor)``,
        shrunk to at most ``max_w`` pixels wide."""
        p = px(size, scale)
        if max_w is not None:
            while p > 8 and font(p).size(s)[0] > max_w:
                p -= 1
        img = font(p).render(s, True, colour)
        r = img.get_rect(**anchor)
        surface.blit(img, r)
        return r

    @staticmethod
    def wrap(s: str, size: float, max_w: int, scale: float) -> list[str]:
        """``s`` in lines at most ``max_w`` pixels wide at ``size`` (breaks CJK text too)."""
        f = font(px(size, scale))
        return wrap_text(s, max_w, lambda t: f.size(t)[0])

    def paragraph(self, surface: pygame.Surface, s: str, size: float,
                  colour: Sequence[int], *, scale: float, max_w: int, centre_x: int,
                  top: int | None = None, bottom: int | None = None,
                  max_lines: int = 3) -> None:
        """``s`` wrapped to ``max_w`` pixels, centred lines down from ``top`` or up to
        ``bottom``; more than ``max_lines`` lines shrink the text instead."""
        for shrink in (1.0, 0.9, 0.8, 0.7):
            lines = self.wrap(s, size * shrink, max_w, scale)
            if len(lines) <= max_lines:
                break
        f, n = font(px(size * shrink, scale)), len(lines)
        step = max([f.get_height(), *(f.size(line)[1] for line in lines)])
        for k, line in enumerate(lines):
            at = ({"midtop": (centre_x, top + k * step)} if top is not None
                  else {"midbottom": (centre_x, (bottom or 0) - (n - 1 - k) * step)})
            self.text(surface, line, size * shrink, colour, scale=scale, max_w=max_w, **at)

    def draw(self, surface: pygame.Surface) -> None:
        w, h = surface.get_size()
        s = min(w / 1280, h / 720)
        surface.blit(theme.vertical_gradient((w, h), theme.BG_TOP, theme.BG_BOTTOM), (0, 0))
        m = px(24, s)
        # TRANSLATORS: small caption at the top left of the calibration screen
        self.text(surface, tr("CALIBRATION"), 15, theme.TEXT_DIM, scale=s, max_w=w - 2 * m,
                  topleft=(m, px(16, s)))
        if self.mode == "menu":
            self._draw_menu(surface, s)
        else:
            draw_test_page(self, surface, s, KEYCAPS)
        if self.message:
            self.paragraph(surface, self.message, 17, theme.YELLOW, scale=s, max_w=w - 2 * m,
                           centre_x=w // 2, bottom=h - px(44, s), max_lines=2)

    def _draw_items(self, surface: pygame.Surface, *, centre_y: float, size: float) -> None:
        """The menu, translated (as :meth:`MenuList.draw`, shrinking a label too wide)."""
        w, h = surface.get_size()
        p = int(h * size)
        items = self.menu.items
        top = int(h * centre_y) - (len(items) * p * 13 // 10) // 2
        for i, item in enumerate(items):
            selected = i == self.menu.index
            label = ("> " if selected else "") + tr(item)
            size_px = p
            while size_px > 8 and font(size_px).size(label)[0] > w - px(48, h / 720):
                size_px -= 1
            img = font(size_px).render(label, True, MENU_ACCENT if selected else MENU_DIM)
            surface.blit(img, img.get_rect(center=(w // 2, top + i * p * 13 // 10)))

    def _draw_menu(self, surface: pygame.Surface, s: float) -> None:
        w, h = surface.get_size()
        m = px(24, s)
        self.text(surface, tr("Timing calibration"), 34, theme.TEXT, scale=s, max_w=w - 2 * m,
                  topleft=(m, px(34, s)))
        self._draw_items(surface, centre_y=0.42, size=0.05)
        self.paragraph(surface, tr(ABOUT[self.menu.index]), 18, theme.TEXT_DIM, scale=s,
                       max_w=min(w - 4 * m, px(900, s)), centre_x=w // 2,
                       top=int(h * 0.55), max_lines=3)
        now = tr("audio offset {audio} ms   ·   P1 input {p1} ms   ·   P2 input {p2} ms").format(
            audio=f"{self.current_audio_ms():+.0f}", p1=f"{self.current_input_ms(0):+.0f}",
            p2=f"{self.current_input_ms(1):+.0f}")
        # TRANSLATORS: caption above the offsets in force now
        self.text(surface, tr("NOW"), 13, theme.TEXT_DIM, scale=s, max_w=w - 2 * m,
                  midbottom=(w // 2, int(h * 0.70)))
        self.text(surface, now, 20, theme.TEXT, scale=s, max_w=w - 2 * m,
                  midtop=(w // 2, int(h * 0.70) + px(4, s)))
        # TRANSLATORS: key hint: Enter starts the highlighted calibration test
        start = tr("start")
        hints = "   ".join(f"{tr(KEYCAPS[k])} {what}" for k, what in (
            ("Up/Down", tr("choose")), ("Enter", start), ("Esc", tr("back"))))
        self.text(surface, hints, 15, theme.TEXT_DIM, scale=s, max_w=w - 2 * m,
                  bottomright=(w - m, h - px(12, s)))
