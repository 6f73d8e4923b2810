"""The look every menu screen shares: :class:`MenuScene`, and the notices of the title screen.

All menu screens draw in "720p units": every size is given as if the window
were 720 pixels high and scaled by ``height / 720`` (or less in a window
narrower than 16:9), so a 4K window shows the same layout, three times larger
and just as sharp (text is rendered at size).

Lifecycle (see :class:`~game.app.scene.Scene`): a subclass draws with
:meth:`MenuScene.begin` first, then the helpers (:meth:`~MenuScene.text`,
:meth:`~MenuScene.panel`, :meth:`~MenuScene.header`, :meth:`~MenuScene.hints`);
clickable rectangles are registered while drawing (:meth:`~MenuScene.hotspot`)
and reach :meth:`~MenuScene.on_hotspot`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pygame

from game.app.scene import Scene
from game.ui.text import TextCache, blit_text, wrap_text
from game.ui.theme import (
    BG_BOTTOM,
    BG_TOP,
    PALETTES,
    PANEL,
    PANEL_EDGE,
    SKY_BLUE,
    TEXT,
    TEXT_DIM,
    TEXT_FAINT,
    rgba,
    rounded_panel,
)

#: Highlight of the focused item.
ACCENT = SKY_BLUE
#: The narrowest width (720p units) the menu screens are laid out for.
LAYOUT_WIDTH = 1280.0
#: Shared text renderer of the menu screens.
TEXTS = TextCache()
_PANEL_CACHE_MAX = 96


class MenuScene(Scene):
    """Base of the menu screens: backdrop, scaled text, panels, header, key hints, mouse.

    Subclasses draw with :meth:`begin` first, then the helpers. Mouse support:
    register clickable rectangles with :meth:`hotspot` while drawing and
    override :meth:`on_hotspot`.
    """

    name = "menu"

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.size: tuple[int, int] = app.screen.get_size()
        self._bg: pygame.Surface | None = None
        self._panels: dict[tuple[Any, ...], pygame.Surface] = {}
        self._hotspots: list[tuple[pygame.Rect, Any]] = []
        self.t = 0.0

    # geometry ----------------------------------------------------------------------
    @property
    def u(self) -> float:
        """Pixels per 720p unit: the height / 720, or less in a window narrower than
        16:9 (4:3, a portrait window), so the whole layout shrinks instead of running
        off the sides."""
        return min(self.size[1] / 720.0, self.size[0] / LAYOUT_WIDTH)

    def px(self, v: float) -> int:
        """``v`` 720p units in pixels."""
        return round(v * self.u)

    def rect(self, x: float, y: float, w: float, h: float) -> pygame.Rect:
        """A rectangle given in 720p units (x from the left edge)."""
        return pygame.Rect(self.px(x), self.px(y), self.px(w), self.px(h))

    @property
    def width_units(self) -> float:
        """The window width in 720p units (1280 at 16:9)."""
        return self.size[0] / self.u

    def resize(self, size: tuple[int, int]) -> None:
        self.size = size
        self._bg = None
        self._panels.clear()

    def update(self, now_perf: float) -> None:
        self.t = now_perf

    # drawing -----------------------------------------------------------------------
    def begin(self, surface: pygame.Surface) -> None:
        """Start a frame: adopt the surface's size, paint the backdrop, forget hotspots."""
        if surface.get_size() != self.size:
            self.resize(surface.get_size())
        if self._bg is None:
            self._bg = _backdrop(self.size)
        surface.blit(self._bg, (0, 0))
        self._hotspots.clear()

    def text(self, surface: pygame.Surface, s: str, size: float, colour: Sequence[int],
             x: float, y: float, anchor: str = "center", *, max_w: float | None = None,
             shadow: bool = True) -> pygame.Rect:
        """Draw ``s`` at ``size`` units with ``anchor`` at (x, y) units; shrinks to ``max_w``."""
        px = self.px(size)
        if max_w is not None:
            px = TEXTS.fit(s, px, self.px(max_w))
        img = TEXTS.render(s, px, colour, shadow=shadow)
        return blit_text(surface, img, self.px(x), self.px(y), anchor)

    def text_width(self, s: str, size: float) -> float:
        """How wide ``s`` is at ``size``, in units."""
        return TEXTS.size_of(s, self.px(size))[0] / self.u

    def wrap(self, s: str, size: float, max_w: float) -> list[str]:
        """``s`` broken into lines at most ``max_w`` units wide at ``size``.

        Lines break between words, and inside a run of Japanese or Chinese
        (written without spaces) between any two characters but not before
        closing punctuation (kinsoku).
        """
        return wrap_text(s, max_w, lambda t: self.text_width(t, size))

    def fit_wrap(self, s: str, size: float, max_w: float, max_lines: int, *,
                 min_size: float | None = None) -> tuple[list[str], float]:
        """``s`` wrapped to ``max_w`` in at most ``max_lines`` lines, and the size it needs.

        Tries ``size`` first and shrinks (down to ``min_size``, default 75 %) until
        the text fits in ``max_lines``; at the smallest size the lines beyond
        ``max_lines`` are dropped. For paragraphs whose translation may run longer
        than the English.
        """
        smallest = size * 0.75 if min_size is None else min_size
        lines = self.wrap(s, size, max_w)
        while len(lines) > max_lines and size > smallest:
            size = max(smallest, size - 1)
            lines = self.wrap(s, size, max_w)
        return lines[:max_lines], size

    def panel(self, surface: pygame.Surface, r: pygame.Rect, *,
              fill: Sequence[int] = PANEL, edge: Sequence[int] | None = PANEL_EDGE,
              radius: float = 14, edge_w: float = 1.5) -> None:
        """A rounded translucent panel at pixel rect ``r`` (cached per size and colours)."""
        key = (r.size, tuple(fill), tuple(edge) if edge else None, radius, edge_w)
        img = self._panels.get(key)
        if img is None:
            if len(self._panels) > _PANEL_CACHE_MAX:
                self._panels.clear()
            img = rounded_panel(r.size, max(1, self.px(radius)), tuple(fill),  # type: ignore[arg-type]
                                tuple(edge) if edge else None,  # type: ignore[arg-type]
                                edge_w=max(1, self.px(edge_w)))
            self._panels[key] = img
        surface.blit(img, r.topleft)

    def focus_panel(self, surface: pygame.Surface, r: pygame.Rect,
                    colour: Sequence[int] = ACCENT, *, strong: bool = True,
                    radius: float = 12) -> None:
        """The highlight behind the focused item."""
        self.panel(surface, r, fill=rgba(colour, 46 if strong else 22),
                   edge=rgba(colour, 220 if strong else 90), radius=radius, edge_w=2)

    def header(self, surface: pygame.Surface, title: str, subtitle: str = "", *,
               max_w: float | None = None) -> None:
        """The page title, top left, with an accent bar in both players' colours.

        ``title`` and ``subtitle`` are drawn as given (translate them first); both
        shrink to fit ``max_w`` units from the left margin (default: the width
        less the margins).
        """
        room = self.width_units - 120 if max_w is None else max_w
        self.text(surface, title, 58, TEXT, 60, 34, "topleft", max_w=room)
        bar_y = self.px(86)
        pygame.draw.rect(surface, PALETTES[0].light, (self.px(62), bar_y, self.px(48),
                                                       self.px(5)))
        pygame.draw.rect(surface, PALETTES[1].light, (self.px(112), bar_y, self.px(48),
                                                       self.px(5)))
        if subtitle:
            self.text(surface, subtitle, 26, TEXT_DIM, 176, 89, "midleft",
                      max_w=max(40.0, room - 116))

    def hints(self, surface: pygame.Surface, pairs: Sequence[tuple[str, str]]) -> None:
        """Key hints along the bottom: a keycap per key, then what it does.

        ``pairs`` are drawn as given (translate them first). Shrinks as a whole
        when a language's words would not fit the width.
        """
        y = 690.0
        key_size, what_size, gap = 20.0, 22.0, 40.0
        for _attempt in range(8):
            widths = []
            for key, what in pairs:
                kw = TEXTS.size_of(key, self.px(key_size))[0] / self.u + 18
                ww = TEXTS.size_of(what, self.px(what_size))[0] / self.u
                widths.append((kw, ww))
            total = sum(kw + 8 + ww + gap for kw, ww in widths) - gap
            if total <= self.width_units - 40:
                break
            key_size, what_size, gap = key_size * 0.9, what_size * 0.9, gap * 0.85
        x = (self.width_units - total) / 2
        for (key, what), (kw, ww) in zip(pairs, widths, strict=True):
            cap = self.rect(x, y - 14, kw, 28)
            self.panel(surface, cap, fill=(255, 255, 255, 20), edge=(255, 255, 255, 70),
                       radius=6, edge_w=1)
            self.text(surface, key, key_size, TEXT, x + kw / 2, y, shadow=False)
            self.text(surface, what, what_size, TEXT_FAINT, x + kw + 8, y, "midleft",
                      shadow=False)
            x += kw + ww + gap + 8

    def arrow(self, surface: pygame.Surface, x: float, y: float, size: float,
              colour: Sequence[int], direction: int) -> pygame.Rect:
        """A small triangle pointing left (-1) or right (+1) centred at (x, y) units."""
        cx, cy, s = self.px(x), self.px(y), max(2, self.px(size))
        pts = [(cx - direction * s // 2, cy - s // 2 - 1), (cx - direction * s // 2,
                                                            cy + s // 2 + 1),
               (cx + direction * s // 2, cy)]
        pygame.draw.polygon(surface, colour, pts)
        return pygame.Rect(cx - s, cy - s, 2 * s, 2 * s)

    # mouse -------------------------------------------------------------------------
    def hotspot(self, r: pygame.Rect, target: Any) -> None:
        """Make pixel rect ``r`` clickable; :meth:`on_hotspot` gets ``target``."""
        self._hotspots.append((r, target))

    def mouse(self, event: Any) -> bool:
        """Route a mouse event to :meth:`on_hotspot`; True if it was a mouse event."""
        if event.type == pygame.MOUSEMOTION:
            hit = self._hit(event.pos)
            if hit is not None:
                self.on_hotspot(hit, click=False)
            return True
        if event.type == pygame.MOUSEBUTTONDOWN:
            if getattr(event, "button", 1) == 1:
                hit = self._hit(event.pos)
                if hit is not None:
                    self.on_hotspot(hit, click=True)
            return True
        return event.type in (pygame.MOUSEBUTTONUP, pygame.MOUSEWHEEL)

    def _hit(self, pos: tuple[int, int]) -> Any:
        for r, target in reversed(self._hotspots):
            if r.collidepoint(pos):
                return target
        return None

    def on_hotspot(self, target: Any, *, click: bool) -> None:
        """The mouse is over (``click`` False) or clicked ``target``."""


def _backdrop(size: tuple[int, int]) -> pygame.Surface:
    """The dark gradient with a soft blue glow on P1's side and an orange one on P2's."""
    w, h = size
    sw, sh = max(2, w // 4), max(2, h // 4)
    y = np.linspace(0.0, 1.0, sh)[None, :, None]
    x = np.linspace(0.0, 1.0, sw)[:, None, None]
    top, bottom = np.array(BG_TOP, float), np.array(BG_BOTTOM, float)
    img = top + (bottom - top) * y
    aspect = w / max(1, h)
    for cx, colour, strength in ((0.0, PALETTES[0].primary, 0.30),
                                 (1.0, PALETTES[1].primary, 0.22)):
        d2 = ((x - cx) * aspect) ** 2 + (y - 1.1) ** 2
        img = img + np.array(colour, float) * strength * np.exp(-d2 / 0.45)
    vignette = 1.0 - 0.35 * (((x - 0.5) * 2) ** 2 * 0.5 + ((y - 0.45) * 2) ** 2 * 0.5)
    img = np.clip(img * vignette, 0, 255).astype(np.uint8)
    bg = pygame.transform.smoothscale(pygame.surfarray.make_surface(img), (w, h))
    return bg.convert() if pygame.display.get_surface() is not None else bg


def notices(app: Any) -> list[str]:
    """The app's one-line notices (audio off, a score not saved...)."""
    found: list[str] = app.context.notices
    return found


def current_keys(app: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Each player's five key names (lanes hi-hat, snare, tom, cymbal, kick) from settings."""
    keys = app.context.settings.keys
    return tuple(keys.p1), tuple(keys.p2)


def report_error(app: Any, message: str) -> None:
    """Tell the player (a notice on the title screen) and stderr; never raises.

    ``message`` is shown as given: callers translate their own sentence (``tr``)
    and pass lower layers' notices and error details through unchanged.
    """
    notices(app).append(message)
    print(f"drum-diplomacy: {message}", file=sys.stderr)
