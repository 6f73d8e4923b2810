"""The look of the game: colours (Okabe-Ito, colour-blind safe) and pre-rendering helpers.

Every colour the gameplay screen uses lives here. Players, judgements and sync
grades are told apart by text or shape as well as by colour, and the colours
come from the Okabe-Ito palette, which stays distinguishable under the common
colour-vision deficiencies (deuteranopia, protanopia, tritanopia).

The helpers below run only when a view is built or resized (never per frame):
gradients, glows and anti-aliased shapes drawn at 4x and scaled down once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pygame

from game.engine.events import Grade
from game.ui.i18n import tr
from game.ui.probe import note_frame

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]

# Okabe-Ito (2008) ---------------------------------------------------------------
BLACK: RGB = (0, 0, 0)
ORANGE: RGB = (230, 159, 0)  # #E69F00
SKY_BLUE: RGB = (86, 180, 233)  # #56B4E9
BLUISH_GREEN: RGB = (0, 158, 115)  # #009E73
YELLOW: RGB = (240, 228, 66)  # #F0E442
BLUE: RGB = (0, 114, 178)  # #0072B2
VERMILLION: RGB = (213, 94, 0)  # #D55E00
REDDISH_PURPLE: RGB = (204, 121, 167)  # #CC79A7
WHITE: RGB = (255, 255, 255)

# Screen ---------------------------------------------------------------------------
BG_TOP: RGB = (9, 11, 22)
BG_BOTTOM: RGB = (22, 17, 34)
PANEL: RGBA = (255, 255, 255, 14)
PANEL_EDGE: RGBA = (255, 255, 255, 34)
TEXT: RGB = (238, 241, 248)
TEXT_DIM: RGB = (140, 148, 172)
TEXT_FAINT: RGB = (88, 95, 120)
SHADOW: RGB = (4, 5, 12)


@dataclass(frozen=True, slots=True)
class PlayerPalette:
    """One player's colours.

    Attributes
    ----------
    primary : RGB
        Highway edges, badge, kick bars.
    light : RGB
        Gems, flashes, text in the player's colour.
    deep : RGB
        Highway body tint.
    label : str
        ``"P1"`` or ``"P2"`` (an id; on screen, :func:`player_tag`).
    """

    primary: RGB
    light: RGB
    deep: RGB
    label: str


#: P1 blue, P2 orange / vermillion (index = PlayerLook.colour).
PALETTES: tuple[PlayerPalette, PlayerPalette] = (
    PlayerPalette(primary=BLUE, light=SKY_BLUE, deep=(6, 40, 74), label="P1"),
    PlayerPalette(primary=VERMILLION, light=ORANGE, deep=(70, 30, 6), label="P2"),
)

def player_tag(player: int) -> str:
    """The short on-screen tag of player ``player`` (0 or 1): ``"P1"``, ``"P2"``, translated."""
    # TRANSLATORS: short tag of a player on screen, "player 1" / "player 2" (P1, P2);
    # keep it as short (Japanese games often write 1P)
    return tr("P{n}").format(n=player + 1)


# Judgements: told apart by text and colour (Miss also by an X). ----------------
PERFECT_COLOUR: RGB = (226, 244, 255)  # white, a touch of sky
GRADE_COLOURS: dict[Grade, RGB] = {
    Grade.PERFECT: PERFECT_COLOUR,
    Grade.GREAT: (32, 196, 146),  # bluish green, lifted for a dark background
    Grade.GOOD: YELLOW,
    Grade.MISS: VERMILLION,
    Grade.STRAY: TEXT_DIM,
}
GRADE_GLOWS: dict[Grade, RGB] = {
    Grade.PERFECT: SKY_BLUE,
    Grade.GREAT: BLUISH_GREEN,
    Grade.GOOD: ORANGE,
    Grade.MISS: VERMILLION,
    Grade.STRAY: TEXT_DIM,
}
# The words themselves are translated when drawn: game.ui.words.grade_word.

# Sync grades (the engine's names): same ordering of colours as judgements. -----
SYNC_COLOURS: dict[str, RGB] = {
    "locked": PERFECT_COLOUR,
    "tight": (32, 196, 146),
    "loose": YELLOW,
    "flam": REDDISH_PURPLE,
}
SYNC_GLOWS: dict[str, RGB] = {
    "locked": SKY_BLUE, "tight": BLUISH_GREEN, "loose": ORANGE, "flam": REDDISH_PURPLE,
}
# ... their words: game.ui.words.sync_word.

# Timing --------------------------------------------------------------------------
POPUP_S = 0.4  #: judgement pop-ups fade out over this long
FLASH_S = 0.16  #: a lane flashes this long after a hit
ERROR_TICKS = 20  #: hit-error bar: ticks for this many latest hits
ERROR_TICK_S = 4.0  #: ... each fading out over this long


# Colour arithmetic ---------------------------------------------------------------
def mix(a: Sequence[int], b: Sequence[int], t: float) -> RGB:
    """Blend two colours: ``t = 0`` gives ``a``, ``t = 1`` gives ``b``."""
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t),
            round(a[2] + (b[2] - a[2]) * t))


def rgba(c: Sequence[int], alpha: int) -> RGBA:
    """``c`` with an alpha channel."""
    return (c[0], c[1], c[2], max(0, min(255, int(alpha))))


# Surfaces ------------------------------------------------------------------------
def ready(surf: pygame.Surface, *, rle: bool | None = None) -> pygame.Surface:
    """Prepare a per-pixel-alpha sprite for fast blits.

    Converts to the display's format when a display is set. A sprite that is
    mostly opaque or clear (a gem, text) is run-length encoded: SDL then copies
    opaque runs and skips clear ones instead of blending every pixel (2-4x
    faster). A mostly translucent one (a glow, a gradient) blends faster
    without. ``rle`` forces either; never RLE a surface whose ``set_alpha``
    changes every frame (each change re-encodes it).
    """
    if pygame.display.get_surface() is not None:
        surf = surf.convert_alpha()
    if rle is None:
        opaque = pygame.mask.from_surface(surf, 250).count()
        visible = pygame.mask.from_surface(surf, 4).count()
        w, h = surf.get_size()
        rle = (visible - opaque) * 3 < w * h  # translucent pixels are the slow ones
    if rle:
        surf.set_alpha(255, pygame.RLEACCEL)
    return surf


def alpha_levels(surf: pygame.Surface, levels: int) -> list[pygame.Surface]:
    """``levels`` copies of ``surf`` faded from opaque (index 0) to nearly clear."""
    out = []
    for k in range(levels):
        a = round(255 * (1 - k / levels))
        copy = surf.copy()
        copy.fill((255, 255, 255, a), special_flags=pygame.BLEND_RGBA_MULT)
        out.append(ready(copy))
    return out


def vertical_gradient(size: tuple[int, int], top: Sequence[int],
                      bottom: Sequence[int]) -> pygame.Surface:
    """A per-pixel-alpha surface shading from ``top`` to ``bottom`` (RGB or RGBA)."""
    w, h = max(1, size[0]), max(1, size[1])
    col = pygame.Surface((1, h), pygame.SRCALPHA)
    ta = top[3] if len(top) > 3 else 255
    ba = bottom[3] if len(bottom) > 3 else 255
    for y in range(h):
        t = y / max(1, h - 1)
        col.set_at((0, y), (*mix(top, bottom, t), round(ta + (ba - ta) * t)))
    return pygame.transform.scale(col, (w, h))


def supersampled(size: tuple[int, int], draw: Callable[[pygame.Surface, int], object], *,
                 base: Sequence[int] = WHITE, ss: int = 4) -> pygame.Surface:
    """Draw at ``ss`` times the size with ``draw(surface, ss)``, then scale down smoothly.

    The clear pixels take ``base``'s colour so the anti-aliased edge has no dark fringe.
    """
    w, h = max(1, size[0]), max(1, size[1])
    big = pygame.Surface((w * ss, h * ss), pygame.SRCALPHA)
    big.fill((base[0], base[1], base[2], 0))
    draw(big, ss)
    return pygame.transform.smoothscale(big, (w, h))


def glow(sprite: pygame.Surface, colour: Sequence[int], radius: int, *,
         strength: float = 1.0) -> pygame.Surface:
    """``sprite`` on a larger surface with a soft glow of its silhouette around it.

    The result is ``2 * radius`` larger each way; blit it ``radius`` up and left.
    """
    radius = max(1, radius)
    w, h = sprite.get_size()
    out = pygame.Surface((w + 2 * radius, h + 2 * radius), pygame.SRCALPHA)
    out.fill(rgba(colour, 0))
    mask = pygame.mask.from_surface(sprite, 40)
    sil = mask.to_surface(setcolor=rgba(colour, 255), unsetcolor=rgba(colour, 0))
    out.blit(sil, (radius, radius))
    size = out.get_size()
    k = max(1, radius // 4)  # blur a smaller copy: the cost grows with radius x area
    if k > 1:
        small = pygame.transform.smoothscale(out, (max(1, size[0] // k), max(1, size[1] // k)))
        small = pygame.transform.gaussian_blur(small, max(1, radius // (2 * k)))
        out = pygame.transform.smoothscale(small, size)
    else:
        out = pygame.transform.gaussian_blur(out, max(1, radius // 2))
    if strength != 1.0:
        out.fill((255, 255, 255, round(255 * min(strength, 1.0))),
                 special_flags=pygame.BLEND_RGBA_MULT)
    if strength > 1.0:  # stack a second pass for a hotter glow
        out.blit(out.copy(), (0, 0))
    out.blit(sprite, (radius, radius))
    return out


def rounded_panel(size: tuple[int, int], radius: int, fill: RGBA, edge: RGBA | None = None,
                  *, edge_w: int = 1) -> pygame.Surface:
    """An anti-aliased rounded rectangle with an optional outline."""
    def draw(s: pygame.Surface, ss: int) -> None:
        r = s.get_rect()
        pygame.draw.rect(s, fill, r, border_radius=radius * ss)
        if edge is not None:
            pygame.draw.rect(s, edge, r, max(1, edge_w * ss), border_radius=radius * ss)
    return note_frame(supersampled(size, draw, base=fill[:3], ss=3))


def ring_points(cx: float, cy: float, r_in: float, r_out: float, a0: float,
                a1: float, steps: int = 24) -> list[tuple[float, float]]:
    """Polygon of an annular sector; angles in degrees clockwise from straight up."""
    pts = []
    for k in range(steps + 1):
        a = math.radians(a0 + (a1 - a0) * k / steps)
        pts.append((cx + r_out * math.sin(a), cy - r_out * math.cos(a)))
    for k in range(steps, -1, -1):
        a = math.radians(a0 + (a1 - a0) * k / steps)
        pts.append((cx + r_in * math.sin(a), cy - r_in * math.cos(a)))
    return pts


def stripes(surf: pygame.Surface, colour: RGBA, spacing: int, width: int) -> None:
    """Diagonal stripes across ``surf`` (the jersey look); clipped to it."""
    w, h = surf.get_size()
    layer = pygame.Surface((w, h), pygame.SRCALPHA)
    for x in range(-h, w + h, max(2, spacing)):
        pygame.draw.polygon(layer, colour, [(x, h), (x + width, h), (x + width + h, 0),
                                            (x + h, 0)])
    shape = surf.copy()  # white where surf is opaque: multiplying clips the stripes to it
    shape.fill((255, 255, 255, 0), special_flags=pygame.BLEND_RGBA_MAX)
    layer.blit(shape, (0, 0), special_flags=pygame.BLEND_RGBA_MULT)
    surf.blit(layer, (0, 0))


# Gems ----------------------------------------------------------------------------
def gem_shape(surf: pygame.Surface, family: str, r: pygame.Rect, colour: Sequence[int],
           width: int = 0) -> None:
    """Draw one gem family's outline shape filling ``r``."""
    x, y, w, h = r
    if family == "hihat" or family == "other":
        pygame.draw.ellipse(surf, colour, r, width)
    elif family == "snare" or family == "kick":
        pygame.draw.rect(surf, colour, r, width, border_radius=max(1, int(h * 0.32)))
    elif family == "tom":
        c = h * 0.5
        pygame.draw.polygon(surf, colour, [(x, y + c), (x + c, y), (x + w - c, y),
                                           (x + w, y + c), (x + w - c, y + h), (x + c, y + h)],
                            width)
    else:  # cymbal: a diamond
        pygame.draw.polygon(surf, colour, [(x, y + h / 2), (x + w / 2, y), (x + w, y + h / 2),
                                           (x + w / 2, y + h)], width)


def make_gem(family: str, size: tuple[int, int], fill: Sequence[int], rim: Sequence[int], *,
             glow_colour: Sequence[int] | None = None, glow_r: int = 0, alpha: int = 255,
             hollow: bool = False, inner_alpha: int = 70) -> pygame.Surface:
    """A gem sprite: rim, body, a top highlight and a family mark, anti-aliased.

    With ``glow_r`` the sprite is ``2 * glow_r`` larger each way (centred the same).
    ``hollow`` keeps only the rim, over an ``inner_alpha`` tint of ``fill``.
    """
    h = size[1]

    def draw(s: pygame.Surface, ss: int) -> None:
        full = s.get_rect()
        rim_w = max(ss, round(h * ss * 0.11))
        gem_shape(s, family, full, rim)
        inner = full.inflate(-2 * rim_w, -2 * rim_w)
        if hollow:
            gem_shape(s, family, inner, rgba(fill, inner_alpha))
            return
        gem_shape(s, family, inner, fill)
        hl = pygame.Surface(full.size, pygame.SRCALPHA)
        gem_shape(hl, family, inner.inflate(-rim_w, -rim_w), (255, 255, 255, 80))
        hl.fill((0, 0, 0, 0), pygame.Rect(0, full.height * 0.46, full.width, full.height))
        s.blit(hl, (0, 0))
        dark = mix(fill, (0, 0, 0), 0.45)
        if family == "hihat":
            gem_shape(s, "hihat", full.inflate(-full.width * 0.55, -full.height * 0.5), dark,
                   max(1, rim_w // 2))
        elif family == "cymbal":
            dot = full.inflate(-full.width * 0.8, -full.height * 0.6)
            pygame.draw.ellipse(s, dark, dot)
        elif family == "kick":
            notch = full.inflate(-full.width * 0.86, -full.height * 0.45)
            pygame.draw.rect(s, rgba(WHITE, 200), notch, border_radius=notch.height // 2)

    sprite = supersampled(size, draw, base=fill)
    if glow_colour is not None and glow_r > 0:
        sprite = glow(sprite, glow_colour, glow_r, strength=0.85)
    if alpha < 255:
        sprite.fill((255, 255, 255, alpha), special_flags=pygame.BLEND_RGBA_MULT)
    return ready(sprite)


NORMAL, ACCENT, GHOST = 0, 1, 2  #: note kinds
_KIND_SCALE = {NORMAL: 1.0, ACCENT: 1.2, GHOST: 0.7}


def note_sprite(family: str, kind: int, size: tuple[int, int], pal: PlayerPalette,
                scale: float) -> pygame.Surface:
    """A note of one lane family: accents bigger, brighter and glowing; ghosts small, dim."""
    fill = {"hihat": pal.light, "snare": mix(pal.light, WHITE, 0.18),
            "tom": mix(pal.primary, pal.light, 0.55), "cymbal": mix(pal.light, WHITE, 0.4),
            "kick": mix(pal.primary, pal.light, 0.25)}.get(family, pal.light)
    k = _KIND_SCALE[kind]
    w, h = (size[0], round(size[1] * k)) if family == "kick" else (round(size[0] * k),
                                                                     round(size[1] * k))
    if kind == ACCENT:
        return make_gem(family, (w, h), mix(fill, WHITE, 0.3), WHITE,
                        glow_colour=mix(pal.light, WHITE, 0.3), glow_r=round(8 * scale))
    if kind == GHOST:
        return make_gem(family, (w, h), mix(fill, (20, 20, 30), 0.35), mix(fill, WHITE, 0.55),
                        alpha=150, hollow=True)
    return make_gem(family, (w, h), fill, mix(fill, WHITE, 0.55))


def flash_sprites(family: str, beam: tuple[int, int], gem: tuple[int, int], pal: PlayerPalette,
                  scale: float, glow_r: int = 9) -> tuple[pygame.Surface, pygame.Surface]:
    """A lane's hit flash: a beam of light and the lit, glowing target (two tight sprites)."""
    ray = vertical_gradient(beam, rgba(pal.light, 0), rgba(pal.light, 115))
    lit = make_gem(family, gem, mix(pal.light, WHITE, 0.55), WHITE, glow_colour=pal.light,
                   glow_r=round(glow_r * scale))
    return ray, lit


def lane_family(name: str) -> str:
    """The gem family of a lane by its name: hihat, snare, tom, cymbal, kick or other."""
    n = name.lower()
    if "kick" in n or "bass" in n:
        return "kick"
    if "hat" in n or "pedal" in n:
        return "hihat"
    if "snare" in n:
        return "snare"
    if "tom" in n:
        return "tom"
    if any(k in n for k in ("cymbal", "crash", "ride", "splash", "china")):
        return "cymbal"
    return "other"


def body_row(width: int, pal: PlayerPalette, separators: Sequence[int]) -> pygame.Surface:
    """One opaque row of a highway body: lit centre, darker edges, lane separators."""
    row = pygame.Surface((width, 1))
    centre, edge = mix(BG_TOP, pal.deep, 0.62), mix(BG_TOP, pal.deep, 0.22)
    for x in range(width):
        row.set_at((x, 0), mix(centre, edge, abs(x / max(1, width - 1) * 2 - 1) ** 2))
    for x in separators:
        row.set_at((x, 0), mix(centre, pal.light, 0.16))
    return row


def fade_veil(bg: pygame.Surface, rect: pygame.Rect, *, solid_rows: int) -> pygame.Surface:
    """``bg`` under ``rect``, opaque for ``solid_rows`` then fading out downwards.

    Blitted over scrolling notes it makes them fade in at the top of a highway.
    """
    r = rect.clip(bg.get_rect())
    veil = pygame.Surface(r.size, pygame.SRCALPHA)
    veil.blit(bg, (0, 0), r)
    ramp = pygame.Surface(r.size, pygame.SRCALPHA)
    ramp.fill((255, 255, 255, 255))
    ramp.blit(vertical_gradient((r.width, r.height - solid_rows), (255, 255, 255, 255),
                                (255, 255, 255, 0)), (0, solid_rows))
    veil.blit(ramp, (0, 0), special_flags=pygame.BLEND_RGBA_MULT)
    return ready(veil, rle=False)
