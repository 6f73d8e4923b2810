"""What practice calls the part of a song being practised, on screen."""

from __future__ import annotations

from game.engine.chart import Chart
from game.engine.practice import PracticePlan
from game.ui.i18n import tr

#: The one section of a chart without sections (:func:`game.engine.practice.practice_sections`).
WHOLE_SONG = "Whole song"


def section_name(chart: Chart, name: str) -> str:
    """A section's name on screen: the song's own, or "Whole song" (translated) when it has none."""
    # TRANSLATORS: practice, the only "section" of a song that has no sections
    return tr("Whole song") if name == WHOLE_SONG and not chart.sections else name


def range_label(chart: Chart, plan: PracticePlan) -> str:
    """:attr:`PracticePlan.label` on screen (``"Verse 2"``, ``"Verse 2 - Trade"``)."""
    return section_name(chart, plan.label)
