"""The click train the calibration tests tap along to.

Its tempo (100 BPM), length (``CLICKS`` beats, restarted when it runs out) and
lead-in, how many taps a test asks for, and :func:`click_chart`, the one-note
chart whose click track the audio player plays. Used by
:class:`~game.app.scenes.calibration.CalibrationScene` and its test page
(:mod:`game.app.scenes.calibration_test_page`).
"""

from __future__ import annotations

from game.engine.chart import Chart, Note, PartTable, SongMeta
from game.engine.tempo import TempoMap
from game.engine.voices import Voice

BPM = 100.0
BEAT_S = 60.0 / BPM
#: Taps asked for per test (a median needs MIN_TAPS).
TARGET_TAPS = 16
#: Clicks in one run of the click train (the train restarts when it runs out).
CLICKS = 48
#: Silence before the first click, seconds.
LEAD_IN_S = 1.2


def click_chart() -> Chart:
    """A one-note chart at 100 BPM whose click track lasts ``CLICKS`` beats (for AudioPlayer)."""
    beat = float(CLICKS - 1)
    note = Note(beat * BEAT_S, beat, Voice.SNARE)
    return Chart(SongMeta("calibration", "Calibration"), TempoMap.constant(BPM), (),
                 PartTable({("p1", "easy"): (note,)}))
