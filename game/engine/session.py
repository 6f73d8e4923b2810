"""A two-player session: hit events in, judgements and live figures out.

The session never reads a clock: callers pass song time in. Keyboard, MIDI kit,
replay and bot all feed the same :class:`~game.engine.events.HitEvent`.

Determinism contract: feed every event whose ``time_s <= now_s`` before calling
``advance(now_s)``. Then the judgements do not depend on how events are batched
or how often time is advanced. A live game whose inputs may arrive a little
late (device latency compensation) sets ``JudgeSettings.late_input_s`` so notes
are only missed once no such input can still come.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from game.engine.chart import PARTS, Chart, Note
from game.engine.events import HitEvent, Judgement
from game.engine.judge import PlayerJudge
from game.engine.judging import DEFAULT_SETTINGS, JudgeSettings
from game.engine.names import normalize_name
from game.engine.scoring import PlayerStats, ScoreProcessor
from game.engine.sync import DuetTracker
from game.engine.sync_figures import DuetStats
from game.engine.voices import KEYBOARD_5, LaneLayout
from game.util.errors import GameError

#: The live sync meter looks at this many beats back from now.
LIVE_WINDOW_BEATS = 8.0


@dataclass(frozen=True, slots=True)
class PlayerSetup:
    """What one player plays: a part, a difficulty, a lane layout, a name."""

    part: str = "p1"
    difficulty: str = "expert"
    layout: LaneLayout = KEYBOARD_5
    #: The player's name as every store keeps it (NFC, at most 16 grapheme clusters).
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", normalize_name(self.name))


def player_setups(chart: Chart, difficulties: tuple[str | None, str | None], *,
                  layout: LaneLayout = KEYBOARD_5,
                  names: tuple[str | None, str | None] = (None, None),
                  ) -> tuple[PlayerSetup, PlayerSetup]:
    """P1 plays part p1, P2 part p2, each at the given difficulty or the hardest charted.

    ``names`` are the players' names ("P1" and "P2" where None or empty).

    Raises
    ------
    GameError
        Naming the difficulties the part has, if the asked one is not charted.
    """
    out = [PlayerSetup(part, checked_difficulty(chart, part, difficulties[i]), layout,
                       name=names[i] or f"P{i + 1}") for i, part in enumerate(PARTS)]
    return out[0], out[1]


def checked_difficulty(chart: Chart, part: str, want: str | None) -> str:
    """``want`` if ``part`` has it charted; None: the hardest charted.

    Raises
    ------
    GameError
        Naming the difficulties the part has, if it does not have ``want`` (or none).
    """
    have = chart.difficulties(part)
    if not have:
        raise GameError(f"{chart.meta.id}: part {part} has no notes at any difficulty")
    chosen = want or have[-1]
    if chosen not in have:
        raise GameError(f"{chart.meta.id}: part {part} has no {chosen!r} chart "
                        f"(has: {', '.join(have)})")
    return chosen


@dataclass(frozen=True, slots=True)
class SessionResult:
    """Everything a results screen or ``score --json`` reports."""

    players: tuple[PlayerStats, PlayerStats]
    duet: DuetStats
    offsets: tuple[tuple[tuple[float, float], ...], tuple[tuple[float, float], ...]]


class Session:
    """Judge two players on one chart.

    Parameters
    ----------
    chart : Chart
    players : pair of PlayerSetup
        P1 and P2.
    settings : JudgeSettings
        Windows, accent velocity and each player's late margin (see
        :mod:`game.engine.judging` for the ordering rules).
    """

    def __init__(self, chart: Chart, players: tuple[PlayerSetup, PlayerSetup] = (
            PlayerSetup("p1"), PlayerSetup("p2")), settings: JudgeSettings = DEFAULT_SETTINGS,
                 ) -> None:
        self.chart = chart
        self.players = players
        self.settings = settings
        self.notes: tuple[tuple[Note, ...], tuple[Note, ...]] = (
            chart.notes(players[0].part, players[0].difficulty),
            chart.notes(players[1].part, players[1].difficulty),
        )
        self.judges = tuple(
            PlayerJudge(self.notes[i], players[i].layout, settings.windows, player=i,
                        accent_velocity=settings.accent_velocity)
            for i in (0, 1)
        )
        self.scores = (ScoreProcessor(), ScoreProcessor())
        self._accents = tuple(bytearray(n.accent for n in ns) for ns in self.notes)
        self.duet_tracker = DuetTracker(self.notes, chart.tempo)
        self.now_s = -math.inf
        # Bound methods, looked up once: this is the per-hit path.
        self._hit = tuple(judge.hit for judge in self.judges)
        self._score_apply = tuple(sp.apply for sp in self.scores)
        self._duet_apply = self.duet_tracker.apply
        self._miss_s = settings.windows.miss_s
        #: Misses found while feeding (notes whose window closed before a hit),
        #: already accounted; the next :meth:`advance` or :meth:`finish` returns them.
        self._pending: list[Judgement] = []

    # feeding -------------------------------------------------------------------
    def feed(self, event: HitEvent) -> Judgement:
        """Judge one hit event and account for it.

        That player's notes whose window closed before the stroke's time are
        missed first (rule 1 of :mod:`game.engine.judging`), so combo and score
        see misses and hits in song-time order however often :meth:`advance`
        runs (the next :meth:`advance` or :meth:`finish` returns them).
        """
        p = event.player
        judge = self.judges[p]
        if event.time_s - judge.next_note_s > self._miss_s:
            for m in judge.expire(event.time_s):
                self._account(m)
                self._pending.append(m)
        j = self._hit[p](event)
        # _account, inlined: this is the per-hit path
        i = j.note_index
        self._score_apply[p](j, i >= 0 and self._accents[p][i] == 1)
        self._duet_apply(j)
        return j

    def feed_many(self, events: Iterable[HitEvent]) -> list[Judgement]:
        """Judge a batch of hit events in time order (stable for equal times)."""
        return [self.feed(e) for e in sorted(events, key=_event_time)]

    def advance(self, now_s: float) -> list[Judgement]:
        """Move the song clock to ``now_s``; returns the notes missed meanwhile
        (each player's notes whose window closed before ``now_s`` less that
        player's late margin)."""
        if now_s > self.now_s:
            self.now_s = now_s
        now = self.now_s
        late = self.settings.late_input_s
        judges = self.judges
        miss = self._miss_s
        # (the same comparison PlayerJudge.expire makes, so no ulp can slip; written out:
        # this runs once per stroke and per frame)
        if (not self._pending and not (now - late[0]) - judges[0].next_note_s > miss
                and not (now - late[1]) - judges[1].next_note_s > miss):
            return []
        return self._expire((now - late[0], now - late[1]))

    def finish(self) -> list[Judgement]:
        """End the song: every note still unjudged is a Miss."""
        return self._expire((math.inf, math.inf))

    def _expire(self, cutoffs_s: tuple[float, float]) -> list[Judgement]:
        out, self._pending = self._pending, []
        for judge, cutoff in zip(self.judges, cutoffs_s, strict=True):
            for j in judge.expire(cutoff):
                self._account(j)
                out.append(j)
        return out

    def _account(self, j: Judgement) -> None:
        i = j.note_index
        p = j.player
        self._score_apply[p](j, i >= 0 and self._accents[p][i] == 1)
        self._duet_apply(j)

    # reading -------------------------------------------------------------------
    def player_stats(self, player: int) -> PlayerStats:
        """One player's figures so far."""
        return self.scores[player].snapshot()

    def duet(self) -> DuetStats:
        """The pair's figures over the whole song so far."""
        return self.duet_tracker.stats(accuracies=self._accuracies(),
                                       hit_offsets=self._hit_offsets())

    def live_duet(self, *, beats: float = LIVE_WINDOW_BEATS) -> DuetStats:
        """The pair's figures over the last ``beats`` beats before ``now_s``."""
        now = self.now_s
        if now == -math.inf:
            return self.duet_tracker.stats(accuracies=self._accuracies(),
                                           hit_offsets=self._hit_offsets(), end_s=now)
        tempo = self.chart.tempo
        start = tempo.seconds_at(tempo.beat_at(now) - beats)
        return self.duet_tracker.stats(accuracies=self._accuracies(),
                                       hit_offsets=self._hit_offsets(), start_s=start, end_s=now)

    def _accuracies(self) -> tuple[float, float]:
        return (self.scores[0].accuracy, self.scores[1].accuracy)

    def _hit_offsets(self) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
        return (self.scores[0].offsets, self.scores[1].offsets)

    def result(self) -> SessionResult:
        """The report for the song so far (call :meth:`finish` first for a final one)."""
        return SessionResult(
            players=(self.player_stats(0), self.player_stats(1)),
            duet=self.duet(),
            offsets=(tuple(self.scores[0].offsets), tuple(self.scores[1].offsets)),
        )


def _event_time(e: HitEvent) -> float:
    return e.time_s


def judge_performance(chart: Chart, players: tuple[PlayerSetup, PlayerSetup],
                      events: Iterable[HitEvent], settings: JudgeSettings = DEFAULT_SETTINGS,
                      *, fed_at_s: Sequence[float] | None = None) -> Session:
    """Judge a whole recorded performance and finish the session: the one way every
    path (``score``, ``simulate``, replays, headless play, practice) judges one.

    Parameters
    ----------
    chart : Chart
    players : pair of PlayerSetup
    events : iterable of HitEvent
        Both players' strokes. Without ``fed_at_s``: a scripted performance,
        each stroke fed at its own time, in time order (stable for equal times).
        With it: in the order they were fed when recorded.
    settings : JudgeSettings
    fed_at_s : sequence of float, optional
        Per event, the song clock (s) the session had reached when the stroke
        was fed live (``-inf`` before the clock started): re-judging repeats the
        live run step for step, so it gives exactly the live result.

    Raises
    ------
    GameError
        If ``fed_at_s`` and ``events`` differ in length.
    """
    session = Session(chart, players, settings)
    if fed_at_s is None:
        session.feed_many(events)
    else:
        stream = list(events)
        if len(stream) != len(fed_at_s):
            raise GameError(f"{len(stream)} strokes but {len(fed_at_s)} feeding times")
        for e, at in zip(stream, fed_at_s, strict=True):
            session.advance(at)
            session.feed(e)
    session.finish()
    return session
