"""The practice scene: a section (or run of sections) in a loop, slowed, pitch kept.

It prepares the slowed audio on a background thread (the screen shows how
far it got; a cached speed is ready at once), then plays the practice chart
in a :class:`~game.app.scenes.gameplay.GameplayScene` it owns and draws over:
each loop ends a moment after the range, its result is kept, and the next
loop starts after a short count-in (the pre-roll bar). ``-``/``+`` ask for
another speed for the next loop (prepared meanwhile); Esc pauses with
resume, restart loop, speed, change section and quit. Nothing is saved as a
score.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pygame

from game.app.scenes.menu_scene import MenuScene, report_error
from game.app.scenes.practice_names import range_label
from game.app.scenes.practice_pause import PracticePauseScene, speed_key
from game.audio.stretch import PracticeAudio, audio_job, chart_tracks
from game.audio.stretch import with_practice_audio as with_audio
from game.audio.stretch_task import PrepareTask
from game.engine.chart import Chart
from game.engine.practice import (
    SPEED_STEP,
    LoopResult,
    PracticePlan,
    loop_result,
    practice_chart,
    snap_speed,
    speed_percent,
)
from game.engine.session import PlayerSetup
from game.live.practice_loops import NOT_SAVED, loop_spec
from game.live.sources import SourceSpec
from game.ui.i18n import N_, tr
from game.ui.theme import PALETTES, TEXT, TEXT_DIM, TEXT_FAINT, VERMILLION, YELLOW, rgba

#: Countdown before the first loop, and the silence between loops (seconds).
FIRST_LEAD_IN_S = 3.0
LOOP_GAP_S = 1.0
#: Loops listed per player.
SHOWN_LOOPS = 5
#: The tracks audio is prepared for (:func:`game.audio.stretch.chart_tracks`), as shown
#: while preparing; other names (p1, p2) are shown as they are.
TRACK_WORDS: dict[str, str] = {
    # TRANSLATORS: practice, preparing audio: the song's backing track (without the drums)
    "backing": N_("backing"),
    # TRANSLATORS: practice, preparing audio: the song's one audio file (all instruments)
    "mix": N_("mix"),
}


def stage_text(stage: str) -> str:
    """A preparation stage of :class:`PrepareTask` (``"stretching backing"``...) on screen."""
    verb, _, track = stage.partition(" ")
    track = tr(TRACK_WORDS[track]) if track in TRACK_WORDS else track
    if stage == "waiting":
        # TRANSLATORS: practice, preparing audio: the stage (waiting for the audio worker)
        return tr("waiting")
    if stage == "ready":
        # TRANSLATORS: practice, preparing audio: the stage (done)
        return tr("ready")
    if verb == "reading":
        # TRANSLATORS: practice, preparing audio: the stage; {track} names an audio track
        if not track:
            # TRANSLATORS: practice, preparing audio: the stage (reading the song's audio)
            return tr("reading")
        return tr("reading {track}").format(track=track)
    if verb == "stretching":
        # TRANSLATORS: practice, preparing audio: slowing {track} down, pitch kept
        return tr("stretching {track}").format(track=track)
    if verb == "writing":
        # TRANSLATORS: practice, preparing audio: saving {track} to the cache
        return tr("writing {track}").format(track=track)
    return stage  # a stage this table does not know: shown as the audio layer says it


class PracticeScene(MenuScene):
    """Practise ``plan``'s range of ``chart`` in a loop (see the module notes).

    Parameters
    ----------
    app : App
    chart : Chart
        The whole song's chart.
    plan : PracticePlan
        The range and the first speed.
    setups, specs : pairs
        Each player's part, difficulty and input, as in player setup.
    folder : Path or None
        The beatmap's folder (its audio files are relative to it).
    max_loops : int, optional
        Leave after this many loops (the command line's ``--loops``).
    on_loop : callable, optional
        ``f(LoopResult)`` after each loop.
    cache_dir : Path, optional
        Where prepared audio is cached (default: the user cache folder).
    """

    name = "practice"

    def __init__(self, app: Any, chart: Chart, plan: PracticePlan,
                 setups: tuple[PlayerSetup, PlayerSetup], specs: tuple[SourceSpec, SourceSpec],
                 *, folder: Path | None, windows: str | None = None, kitmap: str | None = None,
                 max_loops: int | None = None,
                 on_loop: Callable[[LoopResult], None] | None = None,
                 cache_dir: Path | None = None) -> None:
        super().__init__(app)
        self.source, self.plan, self.setups, self.specs = chart, plan, setups, specs
        self.folder, self.windows, self.kitmap = folder, windows, kitmap
        self.max_loops, self.on_loop, self.cache_dir = max_loops, on_loop, cache_dir
        self.results: list[LoopResult] = []
        self.loop = 1
        self.gameplay: Any = None
        self.pending_speed: float | None = None
        self.notice = ""
        self._ready: dict[float, PracticeAudio | None] = {}
        self._tasks: dict[float, PrepareTask] = {}
        audio = app.context.audio
        self._with_sound = audio is not None and bool(chart_tracks(chart, folder))
        rate = getattr(audio, "frequency", None)
        self._rate = rate if isinstance(rate, int) else None
        self._prepare(plan.speed)

    # audio -------------------------------------------------------------------------
    def _prepare(self, speed: float) -> None:
        """Have ``speed``'s audio prepared (at once when there is nothing to prepare)."""
        task = self._tasks.get(speed)
        if speed in self._ready or (task is not None and not task.cancelled):
            return
        if not self._with_sound:
            self._ready[speed] = None
            return
        job = audio_job(self.source, self.folder, self.plan.at_speed(speed),
                        sample_rate=self._rate)
        self._tasks[speed] = PrepareTask(job, cache_dir=self.cache_dir).start()

    def task(self, speed: float) -> PrepareTask | None:
        """The preparation running for ``speed``, if any."""
        return self._tasks.get(speed)

    def harvest(self) -> None:
        """Take the finished preparations."""
        for speed, task in list(self._tasks.items()):
            if not task.done:
                continue
            del self._tasks[speed]
            if task.result is not None:
                self._ready[speed] = task.result
            elif task.error != "cancelled":
                # TRANSLATORS: practice: preparing the audio slowed to {percent} % failed
                self.notice = tr("{percent} % audio failed: {error}").format(
                    percent=speed_percent(speed), error=task.error)
                report_error(self.app, tr("practice audio: {error}").format(error=task.error))
                if speed == self.plan.speed and self.gameplay is None:
                    self._ready[speed] = None  # play on a click track rather than not at all
                if self.pending_speed == speed:
                    self.pending_speed = None

    def _chart(self, speed: float) -> Chart:
        plan = self.plan.at_speed(speed)
        return with_audio(practice_chart(self.source, plan), self._ready[speed])

    # loops -------------------------------------------------------------------------
    def _begin(self) -> None:
        """The first loop: build the gameplay scene on the practice chart."""
        from game.app.gameplay_flow import gameplay_scene

        plan = self.plan
        self.gameplay = gameplay_scene(
            self.app, self._chart(plan.speed), self.setups, self._specs(),
            windows=self.windows, lead_in_s=FIRST_LEAD_IN_S, folder=None, kitmap=self.kitmap,
            on_finished=self._loop_done, end_s=plan.loop_s, countdown_to_s=plan.lead_s)
        self.gameplay.resize(self.size)

    def _specs(self) -> tuple[SourceSpec, SourceSpec]:
        return loop_spec(self.specs[0], self.loop), loop_spec(self.specs[1], self.loop)

    def _loop_done(self, scene: Any, report: dict[str, Any]) -> None:
        result = loop_result(scene.session, loop=self.loop, speed=self.plan.speed)
        self.results.append(result)
        if self.on_loop is not None:
            self.on_loop(result)
        if self.max_loops is not None and len(self.results) >= self.max_loops:
            self.app.quit()  # the command line's --loops: done
            return
        self.loop += 1
        self.restart_loop(gap_s=LOOP_GAP_S)

    def restart_loop(self, *, gap_s: float = LOOP_GAP_S) -> None:
        """Start the loop again after ``gap_s`` of silence, at the asked speed if it is ready."""
        g = self.gameplay
        if g is None:
            return
        self.harvest()
        chart = None
        want = self.pending_speed
        if want is not None and want in self._ready:
            self.plan = self.plan.at_speed(want)
            self.pending_speed = None
            chart = self._chart(want)
            g.end_s, g.countdown_to_s = self.plan.loop_s, self.plan.lead_s
        g.lead_in_s = gap_s
        g.live.specs = self._specs()
        g.restart(chart)

    def change_speed(self, steps: int) -> float:
        """Ask for a speed ``steps`` x 5 % from the asked (or current) one for the next loop.

        Before the first loop has started, that speed replaces the one being prepared.
        """
        base = self.pending_speed if self.pending_speed is not None else self.plan.speed
        want = snap_speed(base + steps * SPEED_STEP)
        if self.gameplay is None:
            self.plan = self.plan.at_speed(want)
        self.pending_speed = None if want == self.plan.speed else want
        for speed, task in self._tasks.items():
            if speed not in (want, self.plan.speed):
                task.cancel()
        self._prepare(want)
        self.notice = ""
        return want

    # scene -------------------------------------------------------------------------
    def on_event(self, event: Any, t_capture: float) -> None:
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_ESCAPE:
                if self.gameplay is None:
                    self.app.pop()
                else:
                    self.gameplay.pause(PracticePauseScene(self.app, self,
                                                           count_in_s=FIRST_LEAD_IN_S))
                return
            step = speed_key(event)
            if step:
                self.change_speed(step)
                return
        if self.gameplay is not None:
            self.gameplay.on_event(event, t_capture)

    def on_key_capture(self, name: str, t_capture: float) -> None:
        if self.gameplay is not None:
            self.gameplay.on_key_capture(name, t_capture)

    def enter(self) -> None:
        if self.gameplay is not None:
            self.gameplay.enter()  # back from the pause menu: resume

    def update(self, now_perf: float) -> None:
        super().update(now_perf)
        self.harvest()
        if self.gameplay is None:
            if self.plan.speed in self._ready:
                self._begin()
            return
        self.gameplay.update(now_perf)

    def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        if self.gameplay is not None:
            self.gameplay.close()

    def resize(self, size: tuple[int, int]) -> None:
        super().resize(size)
        if self.gameplay is not None:
            self.gameplay.resize(size)

    # drawing -----------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        if self.gameplay is None:
            self._draw_preparing(surface)
            return
        self.gameplay.draw(surface)
        lay = self.gameplay.view.layout
        if lay is None:
            return
        for p in (0, 1):
            r = lay.panels[p]
            self._draw_side(surface, p, r.x / self.u, (r.bottom + 12 * lay.scale) / self.u,
                            r.width / self.u)

    def speed_text(self) -> str:
        """``"75 %"``, with the asked next speed and how far its audio is."""
        now = speed_percent(self.plan.speed)
        want = self.pending_speed
        if want is None:
            return f"{now} %"
        task = self._tasks.get(want)
        if task is None:
            return f"{now} %  ->  {speed_percent(want)} %"
        # TRANSLATORS: practice, the speed now -> the speed asked for the next loop, and how
        # far its audio is prepared ({progress} is a percentage such as 40%)
        return tr("{now} %  ->  {next} %, preparing {progress}").format(
            now=now, next=speed_percent(want), progress=f"{task.progress:.0%}")

    def _draw_side(self, surface: pygame.Surface, p: int, x: float, y: float,
                   w: float) -> None:
        """Under each player's score panel: the practice state and their loops."""
        pal = PALETTES[p]
        lines = 3 + min(SHOWN_LOOPS, len(self.results))
        self.panel(surface, self.rect(x, y, w, 24 + 24 * lines),
                   fill=(14, 16, 26, 200), edge=rgba(YELLOW, 120), radius=10)
        cx = x + 12
        if p == 0:
            # TRANSLATORS: practice, over the highways (upper case in English; noun)
            self.text(surface, tr("PRACTICE"), 17, YELLOW, cx, y + 18, "midleft", max_w=w - 20,
                      shadow=False)
            # TRANSLATORS: practice, which pass through the range this is (upper case in English)
            self.text(surface, tr("LOOP {n}").format(n=self.loop), 26, TEXT, cx, y + 44,
                      "midleft", max_w=w - 20)
            self.text(surface, tr("not saved as a score"), 15, TEXT_FAINT, cx, y + 68, "midleft",
                      max_w=w - 20, shadow=False)
        else:
            # TRANSLATORS: practice, the playback speed (upper case in English)
            self.text(surface, tr("SPEED  {percent} %").format(
                percent=speed_percent(self.plan.speed)), 17, YELLOW, cx, y + 18, "midleft",
                max_w=w - 20, shadow=False)
            self.text(surface, range_label(self.source, self.plan).upper(), 20, TEXT, cx,
                      y + 44, "midleft", max_w=w - 20)
            want = self.pending_speed
            task = None if want is None else self._tasks.get(want)
            if want is None:
                # TRANSLATORS: practice, key hints: the - and + keys change the speed, Esc
                # opens the menu (keep the keys' printed names)
                hint = tr("- / + speed   Esc menu")
            elif task is None:
                hint = tr("next loop {percent} %").format(percent=speed_percent(want))
            else:
                # TRANSLATORS: practice: the speed of the next loop, and how far its audio is
                # prepared ({progress} is a percentage such as 40%)
                hint = tr("next loop {percent} %  ({progress})").format(
                    percent=speed_percent(want), progress=f"{task.progress:.0%}")
            colour = YELLOW if want is not None else TEXT_FAINT
            if self.notice:
                hint, colour = self.notice, VERMILLION
            self.text(surface, hint, 15, colour, cx, y + 68, "midleft", max_w=w - 20,
                      shadow=False)
        for i, res in enumerate(reversed(self.results[-SHOWN_LOOPS:])):
            yy = y + 96 + 24 * i
            room = w - 24 - 40  # after "#N": the speed, then the accuracy at the right
            self.text(surface, f"#{res.loop}", 16, TEXT_FAINT, cx, yy, "midleft", max_w=36,
                      shadow=False)
            self.text(surface, f"{speed_percent(res.speed)}%", 16, TEXT_DIM, cx + 40, yy,
                      "midleft", max_w=room * 0.38, shadow=False)
            self.text(surface, f"{res.accuracy[p] * 100:.1f} %", 18,
                      pal.light if i == 0 else TEXT_DIM, x + w - 12, yy, "midright",
                      max_w=room * 0.56, shadow=False)

    def _draw_preparing(self, surface: pygame.Surface) -> None:
        self.begin(surface)
        self.header(surface, tr("Practice"),
                    f"{self.source.meta.title}  ·  {range_label(self.source, self.plan)}")
        W = self.width_units
        task = self._tasks.get(self.plan.speed)
        frac = task.progress if task is not None else 1.0
        stage = stage_text(task.stage if task is not None else "ready")
        # TRANSLATORS: practice: the song's audio is being slowed to {percent} % speed
        self.text(surface, tr("Preparing {percent} % audio...").format(
            percent=speed_percent(self.plan.speed)), 40, TEXT, W / 2, 300, max_w=W - 120)
        bar = self.rect(W / 2 - 300, 350, 600, 22)
        self.panel(surface, bar, fill=(255, 255, 255, 24), edge=(255, 255, 255, 80), radius=11)
        if frac > 0:
            self.panel(surface, self.rect(W / 2 - 300, 350, max(22.0, 600 * frac), 22),
                       fill=rgba(YELLOW, 200), edge=None, radius=11)
        self.text(surface, f"{frac:.0%}  ·  {stage}", 22, TEXT_DIM, W / 2, 400, shadow=False)
        self.text(surface, tr("slowed with its pitch kept; the next time it is ready at once"),
                  22, TEXT_FAINT, W / 2, 440, max_w=W - 120, shadow=False)
        if self.notice:
            self.text(surface, self.notice, 22, VERMILLION, W / 2, 500, max_w=W - 120)
        self.text(surface, tr(NOT_SAVED), 24, YELLOW, W / 2, 560, max_w=W - 120, shadow=False)
        # TRANSLATORS: keycap label; keep the key's printed name
        self.hints(surface, [(tr("Esc"),
                              # TRANSLATORS: key hint: Esc goes back to the previous screen
                              tr("back"))])
