"""Song select's right-hand panel: the highlighted song's title, tempo, length, the pair's
best score, each part's difficulty ratings and the preview's state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pygame

from game.app.scenes.menu_scene import ACCENT
from game.ui.i18n import tr
from game.ui.theme import PALETTES, TEXT, TEXT_DIM, TEXT_FAINT, YELLOW, player_tag, rgba
from game.ui.words import difficulty_word

if TYPE_CHECKING:
    from game.app.scenes.song_select_view import SongSelectView

#: Ratings are drawn as bars out of this.
RATING_MAX = 10.0
#: The panel's height (720p units).
PANEL_H = 520.0


def fmt_length(seconds: float) -> str:
    """``m:ss`` (rounded to the second)."""
    total = max(0, round(seconds))
    return f"{total // 60}:{total % 60:02d}"


def fmt_bpm(bpm: Any) -> str:
    """``"112"``, or ``"90-140"`` for a song whose tempo changes."""
    if isinstance(bpm, list | tuple):
        if not bpm:
            return "?"
        lo, hi = min(bpm), max(bpm)
        return f"{lo:g}-{hi:g}" if lo != hi else f"{lo:g}"
    return f"{float(bpm):g}"


def player_names(app: Any) -> tuple[str, str]:
    """The two players' names from the settings (``P1``/``P2`` when there are none).

    Names are the players' own text: shown as typed, never translated.
    """
    players = app.context.settings.players
    return players[0].name, players[1].name



def draw_details(scene: SongSelectView, surface: pygame.Surface, x: float, y: float,
                 w: float) -> None:
    """The panel of the highlighted song at (x, y), ``w`` wide (720p units)."""
    e = scene.current
    assert e is not None
    scene.panel(surface, scene.rect(x, y, w, PANEL_H), radius=18)
    pad = 32
    scene.text(surface, e["title"], 54, TEXT, x + pad, y + 48, "midleft", max_w=w - 2 * pad)
    scene.text(surface, e.get("artist") or tr("Unknown artist"), 28, TEXT_DIM, x + pad,
               y + 92, "midleft", max_w=w - 2 * pad)
    best = scene.best(e)
    facts = [
        # TRANSLATORS: column heading: the song's tempo (beats per minute)
        (tr("BPM"), fmt_bpm(e["bpm"])),
        # TRANSLATORS: column heading: how long the song is (m:ss)
        (tr("LENGTH"), fmt_length(e["length_s"])),
        # TRANSLATORS: column heading: these two players' best team score on the song
        (tr("PAIR BEST"), f"{best:,}" if best is not None else "-"),
    ]
    col_w = (w - 2 * pad) / 3
    for k, (label, value) in enumerate(facts):
        fx = x + pad + k * col_w
        scene.text(surface, label, 18, TEXT_FAINT, fx, y + 140, "midleft", max_w=col_w - 10,
                   shadow=False)
        colour = YELLOW if k == 2 and best is not None else TEXT
        scene.text(surface, value, 40, colour, fx, y + 174, "midleft", max_w=col_w - 10)
    pygame.draw.line(surface, rgba(TEXT, 40)[:3], (scene.px(x + pad), scene.px(y + 214)),
                     (scene.px(x + w - pad), scene.px(y + 214)), max(1, scene.px(1)))
    _draw_ratings(scene, surface, e.get("difficulties", {}), x + pad, y, w - 2 * pad)
    if best is None:
        n1, n2 = player_names(scene.app)
        # TRANSLATORS: {p1} and {p2} are the two players' names
        line = tr("{p1} & {p2} have not played this song yet").format(p1=n1, p2=n2)
    else:
        line = tr("Best team score of this pair, in these seats")
    room = w - 2 * pad
    if scene.text_width(line, 17) <= room:  # one line (shrunk a little if need be)
        scene.text(surface, line, 20, TEXT_FAINT, x + pad, y + 462, "midleft", max_w=room,
                   shadow=False)
    else:  # long names or a long translation: two smaller lines
        lines, size = scene.fit_wrap(line, 18, room, 2, min_size=14)
        for k, text in enumerate(lines):
            scene.text(surface, text, size, TEXT_FAINT, x + pad,
                       y + 462 - (len(lines) - 1 - k) * (size + 3), "midleft", max_w=room,
                       shadow=False)
    note = tr("Preview starting...") if scene.preview_note is None else \
        tr(scene.preview_note[0]).format(**scene.preview_note[1])
    scene.text(surface, note, 20, ACCENT, x + pad, y + 492, "midleft", max_w=w - 2 * pad,
               shadow=False)


def _draw_ratings(scene: SongSelectView, surface: pygame.Surface,
                  diffs: dict[str, dict[str, float]], x: float, y: float, w: float) -> None:
    """Each part's difficulties with their rating as a bar, in two columns."""
    half = (w - 30) / 2
    for p, part in enumerate(("p1", "p2")):
        px0 = x + p * (half + 30)
        pal = PALETTES[p]
        # TRANSLATORS: heading over a player's difficulty ratings; {player} is "P1" or "P2"
        scene.text(surface, tr("{player} PART").format(player=player_tag(p)), 20, pal.light,
                   px0, y + 240, "midleft", max_w=half)
        for k, (diff, rating) in enumerate(diffs.get(part, {}).items()):
            ry = y + 276 + k * 40
            scene.text(surface, difficulty_word(diff), 24, TEXT_DIM, px0, ry, "midleft",
                       max_w=92)
            bar = scene.rect(px0 + 98, ry - 5, half - 150, 10)
            pygame.draw.rect(surface, (40, 44, 62), bar, border_radius=scene.px(5))
            fill = bar.copy()
            fill.width = max(bar.height, round(bar.width * min(rating, RATING_MAX)
                                               / RATING_MAX))
            pygame.draw.rect(surface, pal.light, fill, border_radius=scene.px(5))
            scene.text(surface, f"{rating:.1f}", 24, TEXT, px0 + half, ry, "midright")
