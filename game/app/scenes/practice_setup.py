"""Practice setup: which section(s) to loop and how slow, for both players at once.

Reached from player setup (the Practice button), with the two players'
parts, difficulties and inputs already chosen there. Up/Down choose a row,
Left/Right change it (From, To, Speed), Enter starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pygame

from game.app.scenes import player_setup_midi as kit
from game.app.scenes.menu_scene import MenuScene
from game.app.scenes.practice import PracticeScene
from game.app.scenes.practice_names import section_name
from game.audio.stretch import audio_job, chart_tracks, has_cache
from game.audio.stretch_task import warm_up
from game.engine.chart import Chart
from game.engine.practice import (
    SPEED_STEP,
    PracticePlan,
    plan_practice,
    practice_sections,
    snap_speed,
    speed_percent,
)
from game.engine.session import PlayerSetup
from game.live.practice_loops import NOT_SAVED
from game.live.sources import SourceSpec
from game.ui.i18n import N_, ntr, tr
from game.ui.theme import PALETTES, TEXT, TEXT_DIM, TEXT_FAINT, VERMILLION, YELLOW, rgba
from game.ui.words import difficulty_word
from game.util.errors import GameError

ROWS = (
    # TRANSLATORS: practice setup, a field's label: the first section practised
    N_("FROM"),
    # TRANSLATORS: practice setup, a field's label: the last section practised
    N_("TO"),
    # TRANSLATORS: practice setup, a field's label: the playback speed (a percentage)
    N_("SPEED"),
    "START")  # the Start practice button (its own label)
#: Sections listed at once (the list scrolls with the range).
VISIBLE = 11


def fmt_time(seconds: float) -> str:
    """``m:ss`` (rounded down to the second, never negative)."""
    t = max(0, int(seconds))
    return f"{t // 60}:{t % 60:02d}"


class PracticeSetupScene(MenuScene):
    """Choose the practice range and speed; Enter pushes the practice scene."""

    name = "practice_setup"

    def __init__(self, app: Any, chart: Chart, setups: tuple[PlayerSetup, PlayerSetup],
                 specs: tuple[SourceSpec, SourceSpec], *, folder: Path | None,
                 plan: PracticePlan | None = None, windows: str | None = None,
                 kitmap: str | None = None, cache_dir: Path | None = None) -> None:
        super().__init__(app)
        self.chart, self.setups, self.specs, self.folder = chart, setups, specs, folder
        self.windows, self.kitmap, self.cache_dir = windows, kitmap, cache_dir
        self.sections = practice_sections(chart)
        self.first = plan.first if plan else 0
        self.last = plan.last if plan else 0
        self.speed = plan.speed if plan else 0.75
        self.row = ROWS.index("START") if plan else 0
        self.message = ""
        self._cached: dict[tuple[int, int, float], bool] = {}
        if app.context.audio is not None and chart_tracks(chart, folder):
            warm_up()  # the first stretch of a session loads librosa: do it meanwhile

    # values ------------------------------------------------------------------------
    def plan(self) -> PracticePlan | None:
        """The chosen range and speed, or None (with :attr:`message` saying why)."""
        try:
            plan = plan_practice(self.chart, self.first, self.last, speed=self.speed)
        except GameError as exc:
            self.message = str(exc)
            return None
        self.message = ""
        return plan

    def notes_in(self, plan: PracticePlan, player: int) -> int:
        """How many of ``player``'s notes (their part and difficulty) the range holds."""
        s = self.setups[player]
        return sum(plan.start_beat - 1e-9 <= n.beat < plan.end_beat - 1e-9
                   for n in self.chart.notes(s.part, s.difficulty))

    def audio_ready(self, plan: PracticePlan) -> bool | None:
        """True when this range and speed are in the cache, False if not, None: no audio."""
        if not chart_tracks(self.chart, self.folder):
            return None
        key = (plan.first, plan.last, plan.speed)
        if key not in self._cached:
            audio = self.app.context.audio
            rate = getattr(audio, "frequency", None)
            try:
                job = audio_job(self.chart, self.folder, plan,
                                sample_rate=rate if isinstance(rate, int) else None)
                self._cached[key] = has_cache(job, self.cache_dir)
            except GameError:
                self._cached[key] = False
        return self._cached[key]

    # input -------------------------------------------------------------------------
    def on_event(self, event: Any, t_capture: float) -> None:
        if event.type != pygame.KEYDOWN:
            return
        key = event.key
        if key == pygame.K_ESCAPE:
            self.back()
        elif key in (pygame.K_UP, pygame.K_DOWN):
            self.row = (self.row + (1 if key == pygame.K_DOWN else -1)) % len(ROWS)
        elif key in (pygame.K_LEFT, pygame.K_RIGHT):
            self.change(1 if key == pygame.K_RIGHT else -1)
        elif key in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS):
            self.speed = snap_speed(self.speed + SPEED_STEP)
        elif key in (pygame.K_MINUS, pygame.K_KP_MINUS):
            self.speed = snap_speed(self.speed - SPEED_STEP)
        elif key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
            self.start()

    def change(self, step: int) -> None:
        """Left/Right on the focused row (From pushes To along; To never passes From)."""
        n = len(self.sections)
        if ROWS[self.row] == "FROM":
            self.first = min(max(self.first + step, 0), n - 1)
            self.last = max(self.last, self.first)
        elif ROWS[self.row] == "TO":
            self.last = min(max(self.last + step, self.first), n - 1)
        elif ROWS[self.row] == "SPEED":
            self.speed = snap_speed(self.speed + step * SPEED_STEP)

    def start(self) -> None:
        """Push the practice scene for the chosen range."""
        plan = self.plan()
        if plan is None:
            return
        self.app.push(PracticeScene(self.app, self.chart, plan, self.setups, self.specs,
                                    folder=self.folder, windows=self.windows,
                                    kitmap=self.kitmap, cache_dir=self.cache_dir))

    # drawing -----------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        self.begin(surface)
        # TRANSLATORS: title of the practice screens (noun)
        self.header(surface, tr("Practice"), self.chart.meta.title)
        W = self.width_units
        list_w = min(560.0, W * 0.45)
        plan = self.plan()
        self._draw_sections(surface, 60, 124, list_w)
        x = 60 + list_w + 40
        w = W - 60 - x
        for i, label in enumerate(ROWS[:3]):
            value = (self._name(self.first) if i == 0 else self._name(self.last) if i == 1
                     else f"{speed_percent(self.speed)} %")
            self._field(surface, i, label, value, x, 124 + i * 84, w)
        r = self.rect(x, 124 + 3 * 84 + 6, w, 60)
        focused = ROWS[self.row] == "START"
        self.focus_panel(surface, r, YELLOW, strong=focused, radius=30)
        # TRANSLATORS: practice setup button: start practising the chosen range
        self.text(surface, tr("Start practice"), 32, TEXT if focused else TEXT_DIM, x + w / 2,
                  124 + 3 * 84 + 36, max_w=w - 40)
        y = 124 + 3 * 84 + 100
        if plan is not None:
            loop = plan.range_s / plan.speed
            # TRANSLATORS: practice setup; {song} and {loop} are times (m:ss), {percent} the
            # speed: how much of the song the range is, how long one slowed loop lasts
            self.text(surface, tr("{song} of the song, {loop} a loop at {percent} %").format(
                song=fmt_time(plan.range_s), loop=fmt_time(loop),
                percent=speed_percent(plan.speed)), 22, TEXT_DIM, x, y, "midleft",
                max_w=w, shadow=False)
            for p in (0, 1):
                s = self.setups[p]
                name = kit.shown_name(self.specs[p].kind, s.name or f"P{p + 1}")
                n = self.notes_in(plan, p)
                notes = ntr("{n} note", "{n} notes", n).format(n=n)
                self.text(surface, f"{name}  ·  {difficulty_word(s.difficulty)}  ·  {notes}", 22,
                          PALETTES[p].light, x, y + 30 + 28 * p, "midleft", max_w=w,
                          shadow=False)
            ready = self.audio_ready(plan)
            # TRANSLATORS: practice setup, the song's audio for this range: none (the game
            # plays a click track), prepared before, or prepared (slowed) when practice starts
            audio = (tr("no audio: a click track") if ready is None else
                     tr("audio ready (prepared before)") if ready else
                     tr("audio is slowed when you start (pitch kept), then kept for next time"))
            self.text(surface, audio, 20, TEXT_FAINT, x, y + 100, "midleft", max_w=w,
                      shadow=False)
        else:
            self.text(surface, self.message, 22, VERMILLION, x, y, "midleft", max_w=w)
        self.text(surface, tr(NOT_SAVED), 24, YELLOW, x, y + 140, "midleft", max_w=w,
                  shadow=False)
        self.hints(surface, [
            # TRANSLATORS: keycap label; keep the key's printed name
            (tr("Up/Down"),
             # TRANSLATORS: key hint in practice setup: Up/Down choose a row (From, To, Speed)
             tr("row")),
            # TRANSLATORS: keycap label; keep the key's printed name
            (tr("Left/Right"),
             # TRANSLATORS: key hint: Left/Right change the focused value
             tr("change")),
            # TRANSLATORS: keycap label (the minus and plus keys)
            (tr("- / +"),
             # TRANSLATORS: key hint in practice setup: - and + make it slower or faster
             tr("speed")),
            # TRANSLATORS: keycap label; keep the key's printed name
            (tr("Enter"),
             # TRANSLATORS: key hint in practice setup: Enter starts practising
             tr("start")),
            # TRANSLATORS: keycap label; keep the key's printed name
            (tr("Esc"),
             # TRANSLATORS: key hint: Esc goes back to the previous screen
             tr("back"))])

    def _name(self, i: int) -> str:
        """Section ``i``'s name on screen."""
        return section_name(self.chart, self.sections[i].name)

    def _field(self, surface: pygame.Surface, i: int, label: str, value: str, x: float,
               top: float, w: float) -> None:
        r = self.rect(x, top, w, 72)
        focused = self.row == i
        if focused:
            self.focus_panel(surface, r)
        else:
            self.panel(surface, r)
        self.text(surface, tr(label), 17, TEXT if focused else TEXT_FAINT, x + 18, top + 20,
                  "midleft", max_w=w - 90, shadow=False)
        self.text(surface, value, 30, TEXT if focused else TEXT_DIM, x + 18, top + 50,
                  "midleft", max_w=w - 90)
        if focused:
            self.arrow(surface, x + w - 48, top + 50, 12, TEXT, -1)
            self.arrow(surface, x + w - 22, top + 50, 12, TEXT, 1)

    def _draw_sections(self, surface: pygame.Surface, x: float, y: float, w: float) -> None:
        """The song's sections, the practice range highlighted."""
        n = len(self.sections)
        top_i = min(max(0, self.first - 2), max(0, n - VISIBLE))
        row_h = 46.0
        self.panel(surface, self.rect(x, y, w, row_h * min(n, VISIBLE) + 16), radius=16)
        tempo = self.chart.tempo
        for row, i in enumerate(range(top_i, min(n, top_i + VISIBLE))):
            sec = self.sections[i]
            ry = y + 8 + row * row_h
            inside = self.first <= i <= self.last
            if inside:
                self.panel(surface, self.rect(x + 6, ry, w - 12, row_h - 4),
                           fill=rgba(YELLOW, 40), edge=rgba(YELLOW, 150), radius=10)
            colour = TEXT if inside else TEXT_DIM
            bar, _ = tempo.bar_at_beat(sec.beat)
            self.text(surface, f"{bar}", 18, TEXT_FAINT, x + 40, ry + row_h / 2 - 2, "midright",
                      shadow=False)
            self.text(surface, self._name(i), 26, colour, x + 56, ry + row_h / 2 - 2,
                      "midleft", max_w=w - 170)
            self.text(surface, fmt_time(sec.time_s), 20, TEXT_FAINT, x + w - 20,
                      ry + row_h / 2 - 2, "midright", shadow=False)
        if n > VISIBLE:
            self.text(surface, ntr("{n} section", "{n} sections", n).format(n=n), 18,
                      TEXT_FAINT, x + w / 2, y + row_h * VISIBLE + 34, max_w=w, shadow=False)
