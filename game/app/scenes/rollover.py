"""Rollover test: which of the ten bound keys this keyboard reports when held together.

Cheap keyboards scan keys in a matrix and cannot tell some combinations
apart, so they drop a key pressed while certain others are held. This screen
is honest about what it can know: it shows the keys held right now, the most
held at once, and which pairs of bound keys were *seen* held together. A pair
that stays dark although both players pressed it is one this keyboard drops;
rebinding one of its keys in Settings fixes it.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pygame

from game.app.scenes.menu_scene import MenuScene, current_keys
from game.engine.voices import KEYBOARD_5
from game.ui.i18n import N_, ntr, tr
from game.ui.theme import BLUISH_GREEN, PALETTES, TEXT, TEXT_DIM, TEXT_FAINT, VERMILLION, rgba
from game.ui.words import lane_word

LANE_NAMES: tuple[str, ...] = tuple(lane.name for lane in KEYBOARD_5.lanes)
RESET_KEYS = (pygame.K_F5, pygame.K_BACKSPACE, pygame.K_DELETE)
EXPLAIN = N_("Cheap keyboards cannot report every combination of keys held at once and "
             "silently drop some. If you pressed two keys together and their square stays "
             "dark, this keyboard drops that pair: rebind one of them in Settings.")
#: Where the explanation must end (720p units): the legend and the key hints follow.
EXPLAIN_BOTTOM = 650.0


def key_label(name: str) -> str:
    """How a key name is printed on a keycap (key names are never translated)."""
    return name.upper() if len(name) == 1 else name.title()


class RolloverScene(MenuScene):
    """Hold keys together and see which ones arrive. Esc goes back."""

    name = "rollover"

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        p1, p2 = current_keys(app)
        #: ``(player, lane, key name)`` of the ten bound keys.
        self.keys: list[tuple[int, int, str]] = [
            (p, lane, k) for p, ks in enumerate((p1, p2)) for lane, k in enumerate(ks)]
        self._bound = {k for _, _, k in self.keys}
        #: Every pair of bound keys, within one player and across the two.
        self.expected: list[frozenset[str]] = [
            frozenset((a[2], b[2])) for a, b in combinations(self.keys, 2)]
        self.reset()

    def reset(self) -> None:
        """Forget everything seen so far."""
        self.held: set[str] = set()
        self.pressed: set[str] = set()
        self.seen: set[frozenset[str]] = set()
        self.max_held = 0

    @property
    def missing(self) -> list[frozenset[str]]:
        """Pairs never seen together although both keys were pressed at some point."""
        return [pair for pair in self.expected
                if pair not in self.seen and pair <= self.pressed]

    def on_event(self, event: Any, t_capture: float) -> None:
        if event.type == pygame.WINDOWFOCUSLOST:
            self.held.clear()
        elif event.type == pygame.KEYDOWN:
            name = pygame.key.name(event.key)
            if name in self._bound:
                for other in self.held:
                    self.seen.add(frozenset((name, other)))
                self.held.add(name)
                self.pressed.add(name)
                self.max_held = max(self.max_held, len(self.held))
            elif event.key == pygame.K_ESCAPE:
                self.back()
            elif event.key in RESET_KEYS:
                self.reset()
        elif event.type == pygame.KEYUP:
            self.held.discard(pygame.key.name(event.key))

    # drawing -----------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        self.begin(surface)
        W = self.width_units
        self.header(surface, tr("Rollover test"),
                    tr("Both players: press and hold your keys together"))
        group_w = 5 * 84 + 4 * 14
        for p in (0, 1):
            gx = W / 4 + p * W / 2 - group_w / 2
            self._draw_group(surface, p, gx)
        # TRANSLATORS: small heading over the grid with one square per pair of keys
        self.text(surface, tr("PAIRS OF KEYS"), 17, TEXT_FAINT, 60, 296, "midleft",
                  max_w=440, shadow=False)
        self._draw_matrix(surface, 96, 318)
        self._draw_stats(surface, 520, 318, W - 580)
        self.hints(surface, [
            # TRANSLATORS: in the keycap of a key hint: hold the bound keys down
            (tr("hold keys"),
             # TRANSLATORS: key hint, what holding keys does: test them together
             tr("test")),
            # TRANSLATORS: keycap label; keep the key's printed name
            (tr("Backspace"),
             # TRANSLATORS: key hint, what the key does: forget the keys seen so far
             tr("start over")),
            # TRANSLATORS: keycap label; keep the key's printed name
            (tr("Esc"),
             # TRANSLATORS: key hint, what the key does: to the previous screen
             tr("back")),
        ])

    def _draw_group(self, surface: pygame.Surface, p: int, x: float) -> None:
        pal = PALETTES[p]
        # TRANSLATORS: heading over a player's five keys; {n} is 1 or 2
        self.text(surface, tr("PLAYER {n}").format(n=p + 1), 22, pal.light, x, 132, "midleft",
                  max_w=5 * 84 + 4 * 14)
        for _, lane, k in (t for t in self.keys if t[0] == p):
            cx = x + lane * 98
            r = self.rect(cx, 150, 84, 84)
            lit = k in self.held
            if lit:
                self.panel(surface, r, fill=rgba(pal.light, 235), edge=rgba((255, 255, 255),
                                                                            230),
                           radius=12, edge_w=2)
            else:
                done = k in self.pressed
                self.panel(surface, r, fill=(255, 255, 255, 16),
                           edge=rgba(pal.light, 150 if done else 60), radius=12, edge_w=2)
            self.text(surface, key_label(k), 44, (10, 12, 20) if lit else TEXT, cx + 42, 192,
                      max_w=76, shadow=not lit)
            self.text(surface, lane_word(LANE_NAMES[lane]), 18, TEXT_DIM if lit else TEXT_FAINT,
                      cx + 42, 252, max_w=94, shadow=False)

    def _draw_matrix(self, surface: pygame.Surface, x: float, y: float) -> None:
        """The lower triangle of a 10 x 10 grid: one square per pair of keys."""
        cell, gap = 27.0, 4.0
        step = cell + gap
        missing = set(self.missing)
        names = [k for _, _, k in self.keys]
        for i in range(1, len(self.keys)):
            p = self.keys[i][0]
            self.text(surface, key_label(names[i]), 18, PALETTES[p].light, x - 12,
                      y + (i - 1) * step + cell / 2, "midright", shadow=False)
            for j in range(i):
                pair = frozenset((names[i], names[j]))
                r = self.rect(x + j * step, y + (i - 1) * step, cell, cell)
                if pair <= self.held:
                    pygame.draw.rect(surface, TEXT, r, border_radius=self.px(5))
                elif pair in self.seen:
                    pygame.draw.rect(surface, BLUISH_GREEN, r, border_radius=self.px(5))
                elif pair in missing:
                    pygame.draw.rect(surface, VERMILLION, r, max(1, self.px(2)),
                                     border_radius=self.px(5))
                else:
                    pygame.draw.rect(surface, (44, 48, 68), r, max(1, self.px(1.5)),
                                     border_radius=self.px(5))
        for j in range(len(self.keys) - 1):
            p = self.keys[j][0]
            self.text(surface, key_label(names[j]), 18, PALETTES[p].light,
                      x + j * step + cell / 2, y + 9 * step + 10, shadow=False)

    def _draw_stats(self, surface: pygame.Surface, x: float, y: float, w: float) -> None:
        # TRANSLATORS: a count out of a total, e.g. "4 of 10" (keys held, pairs seen)
        of = tr("{count} of {total}")
        stats = (
            # TRANSLATORS: stat heading: how many bound keys are held down right now
            (tr("HELD NOW"), f"{len(self.held)}"),
            # TRANSLATORS: stat heading: the most keys held down at the same time
            (tr("MOST AT ONCE"), of.format(count=self.max_held, total=len(self.keys))),
            # TRANSLATORS: stat heading: pairs of keys the keyboard reported held together
            (tr("PAIRS SEEN TOGETHER"),
             of.format(count=len(self.seen), total=len(self.expected))),
        )
        col = w / 3
        for k, (label, value) in enumerate(stats):
            self.text(surface, label, 17, TEXT_FAINT, x + k * col, y + 8, "midleft",
                      max_w=col - 12, shadow=False)
            self.text(surface, value, 40, TEXT, x + k * col, y + 42, "midleft", max_w=col - 12)
        missing = self.missing
        yy = y + 92
        if missing:
            self.text(surface, tr("Pressed, but never seen together:"), 22, VERMILLION, x, yy,
                      "midleft", max_w=w)
            pairs = ", ".join("+".join(key_label(k) for k in self._ordered(p))
                              for p in missing[:16])
            if len(missing) > 16:
                more = len(missing) - 16
                # TRANSLATORS: {pairs} is a list of key pairs such as "D+J, F+K"
                pairs = ntr("{pairs} and {n} more", "{pairs} and {n} more", more).format(
                    pairs=pairs, n=more)
            for line in self.wrap(pairs, 22, w)[:3]:
                yy += 28
                self.text(surface, line, 22, TEXT, x, yy, "midleft", max_w=w, shadow=False)
        elif self.pressed:
            self.text(surface, tr("No dropped pair found so far"), 22, BLUISH_GREEN, x, yy,
                      "midleft", max_w=w)
        else:
            self.text(surface, tr("Nothing pressed yet"), 22, TEXT_DIM, x, yy, "midleft",
                      max_w=w)
        yy = max(yy + 44, y + 206)
        room = max(2, int((EXPLAIN_BOTTOM - yy) // 25))
        lines, size = self.fit_wrap(tr(EXPLAIN), 20, w, room, min_size=15)
        for line in lines:
            self.text(surface, line, size, TEXT_FAINT, x, yy, "midleft", shadow=False)
            yy += size + 5
        yy += 8
        self._draw_legend(surface, x, yy, w)

    def _draw_legend(self, surface: pygame.Surface, x: float, y: float, w: float) -> None:
        """What the square colours mean, in one row (smaller when it would not fit ``w``)."""
        legend = (
            # TRANSLATORS: legend of the pair grid: both keys are held down now
            (TEXT, tr("held now")),
            # TRANSLATORS: legend of the pair grid: the pair was reported held together
            (BLUISH_GREEN, tr("seen together")),
            # TRANSLATORS: legend of the pair grid: both keys pressed, never reported together
            (VERMILLION, tr("pressed, never together")),
            # TRANSLATORS: legend of the pair grid: the pair has not been tried yet
            ((44, 48, 68), tr("not seen yet")),
        )
        size, swatch, gap = 18.0, 24.0, 28.0
        for _attempt in range(8):
            total = sum(swatch + self.text_width(label, size) + gap for _, label in legend) - gap
            if total <= w:
                break
            size, gap = size * 0.92, gap * 0.85
        for colour, label in legend:
            r = self.rect(x, y - 8, 16, 16)
            pygame.draw.rect(surface, colour, r, border_radius=self.px(3))
            self.text(surface, label, size, TEXT_DIM, x + swatch, y, "midleft", shadow=False)
            x += swatch + self.text_width(label, size) + gap

    def _ordered(self, pair: frozenset[str]) -> list[str]:
        order = {k: i for i, (_, _, k) in enumerate(self.keys)}
        return sorted(pair, key=order.__getitem__)
