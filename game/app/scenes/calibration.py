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
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from typing import Any

import pygame

from game.app.scene import Scene
from game.engine.calibration import MIN_TAPS, median_offset_ms, tap_offsets
from game.engine.chart import Chart, Note, SongMeta
from game.engine.tempo import TempoMap
from game.engine.voices import Voice
from game.ui import charts, theme
from game.ui.charts import px
from game.ui.i18n import N_, ntr, tr
from game.ui.menu import ACCENT as MENU_ACCENT
from game.ui.menu import TEXT_DIM as MENU_DIM
from game.ui.menu import MenuList, font
from game.ui.text import wrap_text

BPM = 100.0
BEAT_S = 60.0 / BPM
#: Taps asked for per test (a median needs MIN_TAPS).
TARGET_TAPS = 16
#: Clicks in one run of the click train (the train restarts when it runs out).
CLICKS = 48
#: Silence before the first click, seconds.
LEAD_IN_S = 1.2
#: The early/late bar spans this many ms either way.
BAR_LIMIT_MS = 120.0
#: Menu items (ids; translated when drawn).
ITEMS = (N_("Audio offset: tap Space on the beat"), N_("Input offsets: P1 then P2"),
         # TRANSLATORS: menu item, "go back to the previous screen"
         N_("Back"))
#: What each menu item does (a paragraph under the menu).
ABOUT = (N_("How late you hear the game. Do this first, on the speakers you play with."),
         N_("Each player's own delay on their key. Do this after the audio offset."),
         N_("Back to where you came from."))
TAP_COLOUR = theme.YELLOW
#: Keycap labels of the key hints (translated when drawn).
KEYCAPS = {
    # TRANSLATORS: keycap label; keep the key's printed name
    "Up/Down": N_("Up/Down"),
    # TRANSLATORS: keycap label; keep the key's printed name
    "Enter": N_("Enter"),
    # TRANSLATORS: keycap label; keep the key's printed name
    "Esc": N_("Esc")}


def _click_chart() -> Chart:
    """A one-note chart at 100 BPM whose click track lasts ``CLICKS`` beats (for AudioPlayer)."""
    beat = float(CLICKS - 1)
    note = Note(beat * BEAT_S, beat, Voice.SNARE)
    return Chart(SongMeta("calibration", "Calibration"), TempoMap.constant(BPM), (),
                 {("p1", "easy"): (note,)})


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
        self.settings = self._load_settings()
        self.clock: Any = None
        self.start_perf = 0.0
        self.now_s = -math.inf
        keys = getattr(self.settings, "keys", None)
        self.key_names = (keys.p1[1], keys.p2[1]) if keys is not None else ("f", "k")
        self._audio_loaded = False

    # settings ------------------------------------------------------------------
    def _load_settings(self) -> Any:
        services = self.app.services
        if services.get("settings") is not None:
            return services["settings"]
        try:
            from game.store.settings import load_settings
        except ImportError:  # pragma: no cover - no settings store
            return None
        return load_settings(services.get("settings_path"))[0]

    def current_audio_ms(self) -> float:
        """The audio offset in force, ms."""
        return float(self.settings.audio.audio_offset_ms) if self.settings is not None else 0.0

    def current_input_ms(self, player: int) -> float:
        """Player's input offset in force, ms."""
        if self.settings is None:
            return 0.0
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
        return self.start_perf + LEAD_IN_S + self.click_song_s(k) + self.clock.audio_latency_s

    def start_test(self, mode: str) -> None:
        """Begin the audio (``"audio"``) or input (``"input"``) test from P1."""
        from game.audio.clock import SongClock

        self.mode, self.player, self.message = mode, 0, ""
        self.offsets_s, self.tap_song_s = [[], []], [[], []]
        self.clock = SongClock(audio_latency_s=self.current_audio_ms() / 1e3)
        self._start_clicks()

    def _start_clicks(self) -> None:
        audio = self.app.services.get("audio")
        if audio is not None:
            if not self._audio_loaded:
                audio.load_song(None, chart=_click_chart())
                self._audio_loaded = True
            t = audio.play(-LEAD_IN_S)
        else:
            t = time.perf_counter()
        self.start_perf = t
        self.clock.start(-LEAD_IN_S, at_perf_s=t)

    def _stop_clicks(self) -> None:
        audio = self.app.services.get("audio")
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
        settings, services = self.settings, self.app.services
        if self.mode == "audio":
            new = self.result_ms(0)
            if new is None:
                return False
            if settings is not None:
                settings = dataclasses.replace(settings, audio=dataclasses.replace(
                    settings.audio, audio_offset_ms=new))
            services["audio_offset_ms"] = new
            what = tr("audio offset {ms} ms").format(ms=f"{new:+.0f}")
        else:
            news = [self.result_ms(p) for p in (0, 1)]
            if all(v is None for v in news):
                return False
            parts = []
            for p, v in enumerate(news):
                if v is None:
                    continue
                if settings is not None:
                    players = list(settings.players)
                    players[p] = dataclasses.replace(players[p], input_offset_ms=v)
                    settings = dataclasses.replace(settings, players=tuple(players))
                services.setdefault("input_offsets_ms", [0.0, 0.0])[p] = v
                parts.append(tr("P{player} input offset {ms} ms").format(player=p + 1,
                                                                         ms=f"{v:+.0f}"))
            # TRANSLATORS: separator between the items of a list ("A, B")
            what = tr(", ").join(parts)
        self.message = tr("Saved: {what}").format(what=what)
        if settings is not None:
            self.settings = services["settings"] = settings
            try:
                from game.store.settings import save_settings
                save_settings(settings, services.get("settings_path"))
            except ImportError:  # pragma: no cover
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
            self._draw_test(surface, s)
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

    def _draw_test(self, surface: pygame.Surface, s: float) -> None:
        w, h = surface.get_size()
        m = px(24, s)
        p = self.player if self.mode == "input" else 0
        colour = TAP_COLOUR if self.mode == "audio" else theme.PALETTES[p].light
        if self.mode == "audio":
            title = tr("Audio offset")
            # TRANSLATORS: SPACE is the keycap label of the space bar
            ask = tr("Tap SPACE on every click") if not self.done else tr("Done - Enter saves")
        else:
            key = self.key_names[p].upper()
            title = tr("Input offsets")
            ask = (tr("P{player}: tap your snare key ({key}) along to the click").format(
                player=p + 1, key=key) if not self.done
                else tr("Both players done - Enter saves"))
        self.text(surface, title, 34, theme.TEXT, scale=s, max_w=w - 2 * m,
                  topleft=(m, px(34, s)))
        self.paragraph(surface, ask, 26, colour, scale=s, max_w=int(w * 0.9), centre_x=w // 2,
                       top=int(h * 0.15), max_lines=2)
        self._draw_beat(surface, s, colour)
        bar = pygame.Rect(0, 0, int(w * 0.6), px(40, s))
        bar.center = (w // 2, int(h * 0.62))
        box = pygame.Rect(0, 0, bar.w + px(200, s), px(210, s))
        box.midtop = (w // 2, bar.y - px(44, s))
        charts.panel(surface, box, scale=s)
        side = bar.x - box.x - px(24, s)  # room beside the bar for EARLY / LATE
        # TRANSLATORS: label left of the timing bar: taps before the click
        self.text(surface, tr("EARLY"), 14, theme.TEXT_DIM, scale=s, max_w=side,
                  midright=(bar.x - px(12, s), bar.centery))
        # TRANSLATORS: label right of the timing bar: taps after the click
        self.text(surface, tr("LATE"), 14, theme.TEXT_DIM, scale=s, max_w=side,
                  midleft=(bar.right + px(12, s), bar.centery))
        offs = [o * 1e3 for o in self.offsets_s[p]]
        med = self.measured_ms(p)
        charts.tick_bar(surface, bar, offs, limit_ms=BAR_LIMIT_MS, colour=colour, scale=s,
                        marker_ms=med)
        for v in (-BAR_LIMIT_MS, 0.0, BAR_LIMIT_MS):
            x = bar.centerx + v / BAR_LIMIT_MS * bar.w / 2
            # TRANSLATORS: a time in milliseconds (a tick label of the timing bar)
            self.text(surface, tr("{ms} ms").format(ms=charts.signed(v)), 12, theme.TEXT_FAINT,
                      scale=s, max_w=bar.w // 3, midtop=(x, bar.y - px(22, s)))
        y = bar.bottom + px(34, s)
        taps = ntr("{n}/{total} tap", "{n}/{total} taps", TARGET_TAPS).format(
            n=min(len(offs), TARGET_TAPS), total=TARGET_TAPS)
        if med is None:
            got = ntr("median after {n} tap", "median after {n} taps", MIN_TAPS).format(
                n=MIN_TAPS)
        elif med > 0:
            got = tr("median {ms} ms (late)").format(ms=f"{med:+.0f}")
        else:
            got = tr("median {ms} ms (early)").format(ms=f"{med:+.0f}")
        self.text(surface, f"{taps}   ·   {got}", 28, theme.TEXT, scale=s, max_w=box.w - 2 * m,
                  midtop=(w // 2, y))
        if self.mode == "input":
            line = "    ".join(
                tr("P{player} {offset}").format(
                    player=i + 1, offset="-" if (r := self.result_ms(i)) is None
                    else tr("{ms} ms").format(ms=f"{r:+.0f}"))
                for i in (0, 1))
            self.text(surface, line, 18, theme.TEXT_DIM, scale=s, max_w=box.w - 2 * m,
                      midtop=(w // 2, y + px(36, s)))
        res = self.result_ms(p)
        if res is not None and self.mode == "audio":
            self.text(surface, tr("new audio offset: {ms} ms").format(ms=f"{res:+.0f}"), 18,
                      theme.TEXT_DIM, scale=s, max_w=box.w - 2 * m,
                      midtop=(w // 2, y + px(36, s)))
        # TRANSLATORS: key hint: Enter saves the measured offset
        save = tr("save")
        # TRANSLATORS: key hint: Esc drops the taps and goes back to the menu
        cancel = tr("cancel")
        hints = f"{tr(KEYCAPS['Enter'])}: {save}    {tr(KEYCAPS['Esc'])}: {cancel}"
        self.text(surface, hints, 18, theme.TEXT, scale=s, max_w=w - 2 * m,
                  bottomright=(w - m, h - px(12, s)))

    def _draw_beat(self, surface: pygame.Surface, s: float, colour: tuple[int, int, int]) -> None:
        w, h = surface.get_size()
        now = self.now_s
        k = math.floor(now / BEAT_S + 1e-9) if now >= 0 else -1
        since = now - k * BEAT_S if k >= 0 else math.inf
        flash = max(0.0, 1.0 - since / 0.18) if k < CLICKS else 0.0
        centre = (w // 2, int(h * 0.36))
        r = px(54, s) + round(px(10, s) * flash)
        pygame.draw.circle(surface, theme.mix((34, 38, 58), colour, 0.25 + 0.75 * flash),
                           centre, r)
        pygame.draw.circle(surface, theme.mix((60, 66, 92), theme.WHITE, flash), centre, r,
                           px(3, s))
        for b in range(4):
            on = k >= 0 and k % 4 == b
            x = centre[0] + (b - 1.5) * px(26, s)
            pygame.draw.circle(surface, colour if on else (56, 62, 88),
                               (x, centre[1] + px(84, s)), px(6 if on else 5, s))
