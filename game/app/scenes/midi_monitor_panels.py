"""The MIDI monitor's panels: the kit, the hi-hat pedal, the lanes and the message list.

Drawn by :class:`~game.app.scenes.midi_monitor.MidiMonitorScene` (``scene``:
its :class:`~game.app.scenes.menu_scene.MenuScene` helpers and what it has
heard); every word translated when drawn, what the kit sends as it is.
"""

from __future__ import annotations

from typing import Any

import pygame

from game.app.scenes.menu_scene import MenuScene
from game.app.scenes.midi_message_rows import KIND_LOOK, LANE_NAMES, SHOWN, Row
from game.input.kit import HIT, IGNORED, NOTE_OFF, PEDAL, SUPPRESSED
from game.ui import theme
from game.ui.i18n import ptr, tr
from game.ui.midi_words import reason_text
from game.ui.theme import PALETTES, TEXT, TEXT_DIM, TEXT_FAINT, rgba
from game.ui.words import lane_word, voice_word

#: How long a lane tile stays lit after a hit, seconds.
FLASH_S = 0.35


def draw_mapping(scene: MenuScene, surface: pygame.Surface, left: str, right: str, x: float,
                 y: float, size: float, colour: tuple[int, int, int]) -> float:
    """Draw "left ▸ right" (a raw value and what it becomes) from (x, y); returns the end x."""
    r = scene.text(surface, left, size, colour, x, y, "midleft", shadow=False)
    ax = r.right / scene.u + size * 0.55
    scene.arrow(surface, ax, y, size * 0.4, TEXT_FAINT, 1)
    r = scene.text(surface, right, size, colour, ax + size * 0.55, y, "midleft", shadow=False)
    return r.right / scene.u


def _label(scene: Any, surface: pygame.Surface, s: str, x: float, y: float,
           max_w: float | None = None, anchor: str = "midleft") -> None:
    """A caption (small, faint)."""
    scene.text(surface, s, 17, TEXT_FAINT, x, y, anchor, max_w=max_w, shadow=False)


def draw_kit(scene: Any, surface: pygame.Surface, x: float, y: float, w: float,
             h: float) -> None:
    """The kit panel: the port and its status, the kit map, the messages received,
    the velocity curve, a warning about the kit's profile."""
    pal = PALETTES[scene.player]
    scene.panel(surface, scene.rect(x, y, w, h), fill=rgba(pal.deep, 110),
                edge=rgba(pal.primary, 150), radius=18)
    # TRANSLATORS: caption: the MIDI port's name is shown below
    _label(scene, surface, tr("PORT"), x + 22, y + 26, w - 44)
    scene.text(surface, scene.port, 26, TEXT, x + 22, y + 54, "midleft", max_w=w - 44)
    text, colour = scene.status_text()
    lines = scene.wrap(text, 19, w - 64)
    if len(lines) > 3:  # the whole sentence is shown in the empty message list
        lines = [tr("MIDI not available") if scene.unavailable else tr("not connected")]
    dot = (scene.px(x + 30), scene.px(y + 88))
    pygame.draw.circle(surface, colour, dot, max(2, scene.px(6)))
    for k, line in enumerate(lines):
        scene.text(surface, line, 19, colour if k == 0 and len(lines) == 1 else TEXT_DIM,
                   x + 46, y + 88 + k * 22, "midleft", max_w=w - 64, shadow=False)
    top = y + max(126, 100 + 22 * len(lines))
    if top + 60 > y + h:
        return
    # TRANSLATORS: caption: the name of the kit map (MIDI note -> drum) in use
    _label(scene, surface, tr("KIT MAP"), x + 22, top, w * 0.55)
    scene.text(surface, scene.kitmap.name, 22, TEXT, x + 22, top + 26, "midleft",
               max_w=w * 0.55)
    # TRANSLATORS: caption: how many MIDI messages arrived
    _label(scene, surface, tr("RECEIVED"), x + w - 22, top, w * 0.45 - 44, "midright")
    scene.text(surface, f"{scene.received}", 22, TEXT, x + w - 22, top + 26, "midright")
    if top + 96 <= y + h:
        c = scene.curve
        # TRANSLATORS: velocity curve left as is: velocities as the kit sends them
        curve = (tr("as played") if (c.gain, c.gamma) == (1.0, 1.0)
                 else tr("gain {gain}  ·  gamma {gamma}").format(gain=f"{c.gain:.2f}",
                                                                  gamma=f"{c.gamma:.2f}"))
        # TRANSLATORS: caption: how the kit's stroke velocities are scaled
        _label(scene, surface, tr("VELOCITY CURVE"), x + 22, top + 58, w - 44)
        scene.text(surface, curve, 20, TEXT_DIM, x + 22, top + 82, "midleft", max_w=w - 44,
                   shadow=False)
    if scene.warning:
        scene.text(surface, scene.warning, 16, theme.YELLOW, x + 22, y + h - 16, "midleft",
                   max_w=w - 44, shadow=False)


def draw_pedal(scene: Any, surface: pygame.Surface, x: float, y: float, w: float,
               h: float) -> None:
    """The hi-hat pedal panel: its position on a bar with the open and closed zones."""
    scene.panel(surface, scene.rect(x, y, w, h))
    rules = scene.kitmap.rules
    pos = scene.pedal
    # TRANSLATORS: caption; CC is a MIDI control change number
    _label(scene, surface, tr("HI-HAT PEDAL  ·  CC{cc}").format(cc=rules.pedal_cc), x + 22,
           y + 24, w * 0.58 - 22)
    if pos is None:
        zone = tr("not moved yet")
    elif pos >= rules.closed_from:
        zone = tr("{position}  closed").format(position=pos)
    elif pos < rules.open_below:
        zone = tr("{position}  open").format(position=pos)
    else:
        zone = tr("{position}  half-open").format(position=pos)
    scene.text(surface, zone, 20, TEXT if pos is not None else TEXT_FAINT, x + w - 22,
               y + 24, "midright", max_w=w * 0.42 - 30, shadow=False)
    bx, bw, by = x + 22, w - 44, y + 48
    bar = scene.rect(bx, by, bw, 22)
    pygame.draw.rect(surface, (34, 38, 58), bar, border_radius=scene.px(6))
    if pos is not None:
        fill = scene.rect(bx, by, bw * pos / 127, 22)
        pygame.draw.rect(surface, theme.SKY_BLUE, fill, border_radius=scene.px(6))
    for edge in (rules.open_below, rules.closed_from):
        if 0 < edge <= 127:
            ex = scene.px(bx + bw * edge / 127)
            pygame.draw.line(surface, TEXT_DIM, (ex, scene.px(by - 4)),
                             (ex, scene.px(by + 26)), max(1, scene.px(2)))
    # TRANSLATORS: hi-hat pedal position (the left end of its bar)
    scene.text(surface, ptr("hi-hat pedal", "open"), 17, TEXT_FAINT, bx, by + 42, "midleft",
               max_w=bw / 2 - 8, shadow=False)
    # TRANSLATORS: hi-hat pedal position (the right end of its bar)
    scene.text(surface, ptr("hi-hat pedal", "closed"), 17, TEXT_FAINT, bx + bw, by + 42,
               "midright", max_w=bw / 2 - 8, shadow=False)


def draw_lanes(scene: Any, surface: pygame.Surface, x: float, y: float, w: float,
               h: float) -> None:
    """The five lane tiles, each lit a moment by a hit (its velocity shown)."""
    pal = PALETTES[scene.player]
    scene.panel(surface, scene.rect(x, y, w, h))
    # TRANSLATORS: caption over the five lane tiles (which lane a stroke lands in)
    _label(scene, surface, tr("LANES"), x + 22, y + 24, w - 44)
    n = len(LANE_NAMES)
    gap = 8.0
    tw = (w - 44 - gap * (n - 1)) / n
    for i, lane in enumerate(LANE_NAMES):
        t, vel = scene.lane_hits[i]
        glow = max(0.0, 1.0 - (scene.t - t) / FLASH_S) if scene.t else 0.0
        tx = x + 22 + i * (tw + gap)
        r = scene.rect(tx, y + 44, tw, 64)
        if glow > 0:
            scene.panel(surface, r, fill=rgba(pal.light, round(60 + 170 * glow)),
                        edge=rgba(pal.light, 230), radius=10, edge_w=2)
        else:
            scene.panel(surface, r, fill=(255, 255, 255, 12), edge=rgba(pal.light, 70),
                        radius=10, edge_w=1.5)
        if glow > 0:
            scene.text(surface, str(vel), 24, (10, 12, 20), tx + tw / 2, y + 76,
                       shadow=False)
        scene.text(surface, lane_word(lane), 16, TEXT_DIM, tx + tw / 2, y + 126, max_w=tw,
                   shadow=False)


def draw_rows(scene: Any, surface: pygame.Surface, x: float, y: float, w: float,
              h: float) -> None:
    """The message list, newest first (or why nothing shows up yet)."""
    scene.panel(surface, scene.rect(x, y, w, h))
    cols = {"kind": x + 20, "note": x + 140, "voice": x + 210, "vel": x + 390,
            "lane": x + 520}
    ends = {"kind": cols["note"], "note": cols["voice"], "voice": cols["vel"],
            "vel": cols["lane"], "lane": x + w - 20}
    heads = {
        # TRANSLATORS: column header: the kind of MIDI message (hit, dropped...)
        "kind": tr("MESSAGE"),
        # TRANSLATORS: column header: the MIDI note number
        "note": tr("NOTE"),
        # TRANSLATORS: column header: the drum voice a note plays
        "voice": tr("VOICE"),
        # TRANSLATORS: column header: how hard a pad was hit (MIDI velocity)
        "vel": tr("VELOCITY"),
        # TRANSLATORS: column header: the lane a stroke lands in
        "lane": tr("LANE")}
    for key, label in heads.items():
        _label(scene, surface, label, cols[key], y + 26, ends[key] - cols[key] - 8)
    rows = scene.snapshot()
    top, row_h = y + 48, (h - 58) / SHOWN
    if not rows:
        text, colour = scene.status_text()
        if colour != theme.VERMILLION:  # no problem to explain
            text, colour = (tr("Every message the kit sends appears here, newest first"),
                            TEXT_FAINT)
        scene.text(surface, tr("Nothing received yet: hit a pad"), 26, TEXT_DIM, x + w / 2,
                   y + h / 2 - 30, max_w=w - 40)
        for k, line in enumerate(scene.wrap(text, 21, w - 120)[:5]):
            scene.text(surface, line, 21, colour, x + w / 2, y + h / 2 + 8 + k * 26,
                       max_w=w - 40, shadow=False)
        return
    for k, row in enumerate(rows[:SHOWN]):
        _draw_row(scene, surface, row, cols, x, top + k * row_h, w, row_h, fresh=k == 0)


def _draw_row(scene: Any, surface: pygame.Surface, row: Row, cols: dict[str, float],
              x: float, top: float, w: float, row_h: float, *, fresh: bool) -> None:
    """One row of the list: the message's chip, note, and what it became or why not."""
    pad = row.pad
    chip, colour = KIND_LOOK.get(pad.kind, ("", TEXT_DIM))
    cy = top + row_h / 2
    age = scene.t - pad.t_capture if scene.t else 99.0
    if fresh and age < 0.6:
        scene.panel(surface, scene.rect(x + 8, top + 1, w - 16, row_h - 2),
                    fill=rgba(colour, round(50 * (1 - age / 0.6))), edge=None, radius=8)
    cr = scene.rect(cols["kind"], cy - 11, 104, 22)
    scene.panel(surface, cr, fill=rgba(colour, 40), edge=rgba(colour, 170), radius=11,
                edge_w=1)
    light = theme.mix(colour, (255, 255, 255), 0.35)
    scene.text(surface, tr(chip) if chip else "?", 15, light, cols["kind"] + 52, cy,
               max_w=96, shadow=False)
    if pad.kind == PEDAL or (pad.kind == IGNORED and pad.reason == "controller"):
        note = f"CC{pad.note}"
    else:
        note = "" if pad.note is None else str(pad.note)
    scene.text(surface, note, 21, TEXT, cols["note"], cy, "midleft",
               max_w=cols["voice"] - cols["note"] - 6, shadow=False)
    dim = pad.kind in (NOTE_OFF, IGNORED)
    if pad.kind == HIT and pad.voice is not None:
        scene.text(surface, voice_word(pad.voice), 21, TEXT, cols["voice"], cy, "midleft",
                   max_w=cols["vel"] - cols["voice"] - 10, shadow=False)
        draw_mapping(scene, surface, str(pad.velocity), str(pad.out_velocity), cols["vel"],
                     cy, 21, TEXT)
        scene.text(surface, lane_word(row.lane), 21, PALETTES[scene.player].light,
                   cols["lane"], cy, "midleft", max_w=x + w - 20 - cols["lane"],
                   shadow=False)
        return
    # TRANSLATORS: a MIDI "note off" message (a pad released)
    detail = reason_text(pad.reason, pad.facts) or (
        tr("note off") if pad.kind == NOTE_OFF else "")
    start = cols["voice"]
    if pad.kind == SUPPRESSED and pad.voice is not None:
        scene.text(surface, voice_word(pad.voice), 21, TEXT_DIM, start, cy, "midleft",
                   max_w=cols["vel"] - start - 10, shadow=False)
        detail = tr("velocity {velocity}: {reason}").format(velocity=pad.velocity,
                                                            reason=detail)
        start = cols["vel"]
    if row.count > 1:
        # TRANSLATORS: a message repeated {count} times in a row
        detail = tr("{message}  ×{count}").format(message=detail, count=row.count)
    scene.text(surface, detail, 20, TEXT_FAINT if dim else TEXT_DIM, start, cy, "midleft",
               max_w=x + w - 20 - start, shadow=False)
