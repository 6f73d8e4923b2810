"""The timing engine: headless, pure, fast (standard library and numpy only).

It never reads a clock and never draws; everything else in the game feeds it
timestamped hit events and reads its judgements and figures.
"""

from game.engine.chart import DIFFICULTIES, PARTS, Chart, Note, Section, SongMeta, make_note
from game.engine.events import Grade, HitEvent, Judgement
from game.engine.judging import JudgeSettings
from game.engine.session import PlayerSetup, Session, SessionResult, judge_performance
from game.engine.tempo import MeterChange, TempoChange, TempoMap
from game.engine.voices import KEYBOARD_5, KIT_9, LaneLayout, Voice
from game.engine.windows import CASUAL, STANDARD, STRICT, HitWindows

__all__ = [
    "CASUAL", "DIFFICULTIES", "KEYBOARD_5", "KIT_9", "PARTS", "STANDARD", "STRICT",
    "Chart", "Grade", "HitEvent", "HitWindows", "JudgeSettings", "Judgement", "LaneLayout",
    "MeterChange", "Note", "PlayerSetup", "Section", "Session", "SessionResult", "SongMeta",
    "TempoChange", "TempoMap", "Voice", "judge_performance", "make_note",
]
