"""Practice mode: one section (or a run of sections) of a chart, looped and slowed down.

The practice chart is the chart of that range on the *practice timeline*: the
slowed audio starts at practice time 0 with one bar of pre-roll (the bar
before the range), so a song time ``t`` plays at::

    t' = (t - start_s) / speed + lead_s        lead_s = pre_roll_s / speed

Notes keep their beats; the tempo map keeps its beats and meters and plays
every tempo at ``bpm * speed``, so beats <-> seconds agree with the note times
and the judge, scorer and duet tracker run on it unchanged. Hit windows are
not scaled: the players hear the slowed audio in real time and hit on it.

Pure: stdlib and numpy only, like the rest of the engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from game.engine.chart import Chart, Note, PartTable, Section
from game.engine.session import Session
from game.engine.tempo import TempoChange, TempoMap
from game.util.errors import GameError

__all__ = [
    "LOOP_TAIL_S",
    "SPEED_MAX",
    "SPEED_MIN",
    "SPEED_STEP",
    "LoopResult",
    "PracticePlan",
    "loop_result",
    "plan_practice",
    "practice_chart",
    "practice_sections",
    "snap_speed",
    "speed_percent",
    "speeds",
]

#: Slowest and fastest practice speeds (fraction of the song's tempo), and the step.
SPEED_MIN = 0.5
SPEED_MAX = 1.0
SPEED_STEP = 0.05
#: Seconds (real time) a loop runs on after the range ends: the last notes' windows
#: close and the audio fades out before the next loop.
LOOP_TAIL_S = 0.75
_EPS = 1e-9


def speeds() -> tuple[float, ...]:
    """Every practice speed, slowest first: 0.5, 0.55, ... 1.0."""
    n = round((SPEED_MAX - SPEED_MIN) / SPEED_STEP)
    return tuple(round(SPEED_MIN + i * SPEED_STEP, 2) for i in range(n + 1))


def snap_speed(speed: float) -> float:
    """The practice speed nearest ``speed``, clamped to [0.5, 1.0] in 5 % steps."""
    if not math.isfinite(speed):
        raise GameError(f"practice speed must be a number, got {speed}")
    return min(speeds(), key=lambda s: (abs(s - speed), -s))


def speed_percent(speed: float) -> int:
    """``0.75 -> 75``."""
    return round(speed * 100)


def _check_speed(speed: float) -> float:
    snapped = snap_speed(speed)
    if abs(snapped - speed) > 1e-6:
        raise GameError(f"practice speed {speed:g} must be {SPEED_MIN:g}-{SPEED_MAX:g} "
                        f"in steps of {SPEED_STEP:g} (50-100 %)")
    return snapped


def practice_sections(chart: Chart) -> tuple[Section, ...]:
    """The chart's sections, or one section "Whole song" from beat 0 when it has none."""
    if chart.sections:
        return chart.sections
    return (Section("Whole song", 0.0, chart.tempo.seconds_at(0.0)),)


def _section_index(sections: tuple[Section, ...], key: str | int, chart_id: str) -> int:
    if isinstance(key, int):
        if 0 <= key < len(sections):
            return key
        raise GameError(f"{chart_id}: no section number {key} (0-{len(sections) - 1})")
    want = key.strip().casefold()
    exact = [i for i, s in enumerate(sections) if s.name.casefold() == want]
    if exact:
        return exact[0]
    prefix = [i for i, s in enumerate(sections) if s.name.casefold().startswith(want)]
    if len(prefix) == 1:
        return prefix[0]
    names = ", ".join(repr(s.name) for s in sections)
    what = "is ambiguous" if prefix else "is not a section"
    raise GameError(f"{chart_id}: {key!r} {what} (sections: {names})")


def _song_end_beat(chart: Chart) -> float:
    """The downbeat of the bar after the last note of any part (beats)."""
    last = max((ns[-1].beat for ns in chart.parts.values() if ns), default=0.0)
    bar, _ = chart.tempo.bar_at_beat(last)
    return chart.tempo.bar_start_beat(bar + 1)


@dataclass(frozen=True, slots=True)
class PracticePlan:
    """Where a practice range lies in the song and on the practice timeline.

    Attributes
    ----------
    first, last : int
        Indices of the first and last section practised (into
        :func:`practice_sections`).
    names : tuple of str
        Their names, first to last.
    speed : float
        Fraction of the song's tempo, 0.5-1.0 in steps of 0.05.
    start_beat, end_beat : float
        The range in beats; notes at ``start_beat <= beat < end_beat`` are in it.
    start_s, end_s : float
        The same range in song seconds.
    pre_roll_s : float
        Song seconds of audio before the range (one bar): the count-in.
    tail_s : float
        Real seconds a loop runs on after the range (:data:`LOOP_TAIL_S`).
    """

    first: int
    last: int
    names: tuple[str, ...]
    speed: float
    start_beat: float
    end_beat: float
    start_s: float
    end_s: float
    pre_roll_s: float
    tail_s: float = LOOP_TAIL_S

    @property
    def lead_s(self) -> float:
        """Practice time (s) of the range's first beat: the pre-roll, slowed."""
        return self.pre_roll_s / self.speed

    @property
    def range_s(self) -> float:
        """Length of the range in song seconds."""
        return self.end_s - self.start_s

    @property
    def loop_s(self) -> float:
        """Practice seconds from audio start to the end of a loop (pre-roll, range, tail)."""
        return self.lead_s + self.range_s / self.speed + self.tail_s

    @property
    def clip_start_s(self) -> float:
        """Song time (s) where the practice audio starts (may be < 0: silence first)."""
        return self.start_s - self.pre_roll_s

    @property
    def clip_end_s(self) -> float:
        """Song time (s) where the practice audio ends (the tail, in song seconds)."""
        return self.end_s + self.tail_s * self.speed

    @property
    def label(self) -> str:
        """``"Verse 2"`` or ``"Verse 2 - Trade"``."""
        return self.names[0] if len(self.names) == 1 else f"{self.names[0]} - {self.names[-1]}"

    def to_practice(self, song_s: float) -> float:
        """Song seconds -> practice seconds."""
        return (song_s - self.start_s) / self.speed + self.lead_s

    def to_song(self, practice_s: float) -> float:
        """Practice seconds -> song seconds."""
        return (practice_s - self.lead_s) * self.speed + self.start_s

    def at_speed(self, speed: float) -> PracticePlan:
        """The same range at another speed."""
        return replace(self, speed=_check_speed(speed))


def plan_practice(chart: Chart, first: str | int, last: str | int | None = None, *,
                  speed: float = 1.0) -> PracticePlan:
    """Plan practising sections ``first`` to ``last`` (inclusive) at ``speed``.

    Parameters
    ----------
    chart : Chart
    first, last : str or int
        Section names (case-insensitive; a unique prefix will do) or indices
        into :func:`practice_sections`; ``last`` defaults to ``first``.
    speed : float
        0.5-1.0 in steps of 0.05.

    Raises
    ------
    GameError
        For an unknown or ambiguous section, ``last`` before ``first``, a speed
        off the grid, or a range holding no notes.
    """
    sections = practice_sections(chart)
    cid = chart.meta.id
    i = _section_index(sections, first, cid)
    j = i if last is None else _section_index(sections, last, cid)
    if j < i:
        raise GameError(f"{cid}: section {sections[j].name!r} comes before "
                        f"{sections[i].name!r}; practise from the earlier one")
    tempo = chart.tempo
    start_beat = sections[i].beat
    end_beat = sections[j + 1].beat if j + 1 < len(sections) else _song_end_beat(chart)
    if end_beat <= start_beat:
        raise GameError(f"{cid}: section {sections[j].name!r} has no length")
    bar, _ = tempo.bar_at_beat(start_beat)
    pre_beats = tempo.bar_length_beats(max(1, bar - 1))
    start_s = tempo.seconds_at(start_beat)
    plan = PracticePlan(first=i, last=j, names=tuple(s.name for s in sections[i:j + 1]),
                        speed=_check_speed(speed), start_beat=start_beat, end_beat=end_beat,
                        start_s=start_s, end_s=tempo.seconds_at(end_beat),
                        pre_roll_s=start_s - tempo.seconds_at(start_beat - pre_beats))
    if not any(_in_range(plan, n) for ns in chart.parts.values() for n in ns):
        raise GameError(f"{cid}: {plan.label} has no notes to practise")
    return plan


def _in_range(plan: PracticePlan, note: Note) -> bool:
    return plan.start_beat - _EPS <= note.beat < plan.end_beat - _EPS


def practice_chart(chart: Chart, plan: PracticePlan) -> Chart:
    """The chart of ``plan``'s range on the practice timeline (see the module notes).

    Every part and difficulty is kept (with only the range's notes, in order);
    sections inside the range are kept; every tempo becomes ``bpm * speed``.
    Song metadata is unchanged (the caller points its audio at
    the prepared practice audio).
    """
    s = plan.speed
    old = chart.tempo
    tempo = TempoMap([TempoChange(t.beat, t.bpm * s) for t in old.tempos], old.meters,
                     offset_s=plan.to_practice(old.offset_s))
    parts = {key: tuple(replace(n, time_s=plan.to_practice(n.time_s))
                        for n in notes if _in_range(plan, n))
             for key, notes in chart.parts.items()}
    sections = tuple(Section(sec.name, sec.beat, plan.to_practice(sec.time_s))
                     for sec in practice_sections(chart)[plan.first:plan.last + 1])
    return Chart(chart.meta, tempo, sections, PartTable(parts))


@dataclass(frozen=True, slots=True)
class LoopResult:
    """How one loop went.

    Attributes
    ----------
    loop : int
        1 for the first loop.
    speed : float
        The loop's speed (fraction of the song's tempo).
    accuracy : pair of float
        Each player's accuracy, 0-1.
    hit, notes : pair of int
        Each player's notes hit (not missed) and notes in the range.
    in_sync_rate : float or None
        Fraction (0-1) of shared notes both hit within 20 ms of each other.
    team_score : int
    """

    loop: int
    speed: float
    accuracy: tuple[float, float]
    hit: tuple[int, int]
    notes: tuple[int, int]
    in_sync_rate: float | None
    team_score: int

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dict (accuracy and in-sync rate rounded to 1e-6)."""
        rate = self.in_sync_rate
        return {"loop": self.loop, "speed": self.speed,
                "accuracy": [round(a, 6) for a in self.accuracy], "hit": list(self.hit),
                "notes": list(self.notes),
                "in_sync_rate": None if rate is None else round(rate, 6),
                "team_score": self.team_score}


def loop_result(session: Session, *, loop: int, speed: float) -> LoopResult:
    """Sum up a finished loop's session."""
    stats = (session.player_stats(0), session.player_stats(1))
    duet = session.duet()
    return LoopResult(loop=loop, speed=speed, accuracy=(stats[0].accuracy, stats[1].accuracy),
                      hit=(stats[0].judged - stats[0].miss, stats[1].judged - stats[1].miss),
                      notes=(len(session.notes[0]), len(session.notes[1])),
                      in_sync_rate=duet.in_sync_rate, team_score=duet.team_score)

