"""Lay a part's notes out as drum-tab grids and ``at`` lines.

Bars with notes on a grid are written in blocks of up to :data:`BLOCK_BARS`
bars (never crossing from bar 4 to 5, 8 to 9 ...); each bar's grid is chosen
in :mod:`game.formats.beatmap_fit`. Every other note is an ``at`` line, placed
after the block of its bar.
"""

from __future__ import annotations

from game.engine.chart import Note
from game.formats.beatmap_bars import BarTable, format_beat_in_bar
from game.formats.beatmap_fit import ROW_RANK, Grids, check_beat, fit_part
from game.formats.beatmap_syntax import ROW_ORDER, default_velocity

__all__ = ["BLOCK_BARS", "check_beat", "part_lines"]

#: Bars per grid block; blocks start at bars 1, 5, 9, ...
BLOCK_BARS = 4


def part_lines(bars: BarTable, notes: tuple[Note, ...]) -> list[str]:
    """The lines of one part block: grid blocks, then each bar's ``at`` lines after it.

    Raises
    ------
    ValueError
        For a note the format cannot hold (before bar 1, past the last bar, a
        velocity outside 1-127).
    """
    grids, loose = fit_part(bars, notes)
    items: list[tuple[tuple[int, int, float, int], list[str]]] = []
    for block in _blocks(sorted(grids)):
        items.append(((block[0], 0, 0.0, 0), _grid_lines(block, grids)))
    for n in loose:
        bar, line = _at_line(bars, n)
        items.append(((bar, 1, n.beat, ROW_RANK[n.voice]), [line]))
    items.sort(key=lambda item: item[0])
    return [line for _, lines in items for line in lines]


def _blocks(bars: list[int]) -> list[list[int]]:
    blocks: list[list[int]] = []
    for bar in bars:
        if (blocks and bar == blocks[-1][-1] + 1 and (bar - 1) % BLOCK_BARS
                and len(blocks[-1]) < BLOCK_BARS):
            blocks[-1].append(bar)
        else:
            blocks.append([bar])
    return blocks


def _grid_lines(block: list[int], grids: Grids) -> list[str]:
    first, last = block[0], block[-1]
    lines = [f"bar {first}" if first == last else f"bars {first}-{last}"]
    ranks = sorted({rank for bar in block for rank in grids[bar][1]})
    for rank in ranks:
        segments = []
        for bar in block:
            cells, placed = grids[bar]
            row = ["-"] * cells
            for k, mark in placed.get(rank, ()):
                row[k] = mark
            segments.append("".join(row))
        lines.append(f"{ROW_ORDER[rank].code} |{'|'.join(segments)}|")
    return lines


def _at_line(bars: BarTable, n: Note) -> tuple[int, str]:
    """The bar of ``n`` and its ``at`` line."""
    beat = max(n.beat, 0.0)
    bar, num, den = bars.split(beat)
    start = bars.start(bar).as_integer_ratio()
    words = ["at", f"{bar}:{format_beat_in_bar(start, (num, den), beat)}", n.voice.code]
    if n.accent:
        words.append("accent")
    if n.ghost:
        words.append("ghost")
    if n.velocity != default_velocity(n.accent, n.ghost):
        words.append(f"v={n.velocity}")
    return bar, " ".join(words)
