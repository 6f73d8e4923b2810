"""The gameplay frame's shortcuts keep the picture: what a frame skips never shows.

* The background is copied around the highways' note areas only
  (:func:`rect_complement`): their opaque note strips cover those whole, so
  whatever was on the surface before never shows through anywhere.
* The highways take turns painting the next strip ahead (one per frame).
* The sync meter's needle is a cached sprite per angle step, blended like the
  polygon it replaces.

Runs on SDL's dummy video driver (set in conftest.py).
"""

from __future__ import annotations

import pygame
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from view_support import display, frame_of  # noqa: F401 - display: a fixture

from game.engine.bot import HumanBot
from game.engine.chart import Chart, SongMeta, make_note, sort_notes
from game.engine.events import Judgement
from game.engine.session import Session
from game.engine.tempo import TempoMap
from game.engine.voices import Voice
from game.ui import theme
from game.ui.gameplay_view import GameplayView, PlayerLook, rect_complement
from game.ui.sync_meter import NEEDLE_STEP_DEG

LOOKS = (PlayerLook("Alice", 0, ("D", "F", "S", "E", "V")),
         PlayerLook("Bob", 1, ("J", "K", "L", "I", "N")))
VOICES = (Voice.HIHAT_CLOSED, Voice.SNARE, Voice.TOM_HIGH, Voice.CRASH, Voice.KICK)
#: surface colours no frame draws: any left after a frame is a pixel it skipped
UNDRAWN = ((255, 0, 255), (0, 255, 0))
#: most a channel may differ between the needle blitted as a sprite and drawn in place
NEEDLE_ROUNDING = 4




def busy_session() -> tuple[Session, list]:
    tempo = TempoMap.constant(170.0)
    part = sort_notes([make_note(tempo, k / 4, v, accent=k % 4 == 0, ghost=k % 4 == 3)
                       for k in range(128) for v in VOICES[k % 2::2]])
    session = Session(Chart(SongMeta("busy", "Busy"), tempo, (),
                            {("p1", "expert"): part, ("p2", "expert"): part}))
    events = sorted(HumanBot(sd_ms=20, miss_rate=0.1, seed=4).play(session.notes[0], player=0)
                    + HumanBot(sd_ms=30, miss_rate=0.1, seed=5).play(session.notes[1],
                                                                     player=1),
                    key=lambda e: e.time_s)
    return session, events


# --- the background pieces ----------------------------------------------------------------


RECTS = st.builds(pygame.Rect, st.integers(-20, 120), st.integers(-20, 120),
                  st.integers(0, 80), st.integers(0, 80))


@settings(max_examples=200, deadline=None)
@given(outer=RECTS, holes=st.lists(RECTS, max_size=4))
def test_background_pieces_tile_everything_but_the_holes(outer: pygame.Rect,
                                                         holes: list[pygame.Rect]) -> None:
    pieces = rect_complement(outer, holes)
    covered: dict[tuple[int, int], int] = {}
    for r in pieces:
        assert outer.contains(r)
        for x in range(r.left, r.right):
            for y in range(r.top, r.bottom):
                covered[(x, y)] = covered.get((x, y), 0) + 1
    for x in range(outer.left, outer.right):
        for y in range(outer.top, outer.bottom):
            in_hole = any(h.collidepoint(x, y) for h in holes)
            assert covered.get((x, y), 0) == (0 if in_hole else 1)


def test_every_pixel_is_drawn_every_frame() -> None:
    """Two views of one session, drawn onto surfaces holding different colours: the same
    frame, and not one pixel of either colour left (the strips cover their holes whole)."""
    session, events = busy_session()
    views = [GameplayView(session, players=LOOKS) for _ in UNDRAWN]
    surfaces = [pygame.Surface((1280, 720)) for _ in UNDRAWN]
    recent: list[Judgement] = []
    nxt = 0
    for f in range(-20, 240):
        now = f / 60
        while nxt < len(events) and events[nxt].time_s <= now:
            recent.append(session.feed(events[nxt]))
            nxt += 1
        recent.extend(session.advance(now))
        live = frame_of(session)
        for view, surface, colour in zip(views, surfaces, UNDRAWN, strict=True):
            surface.fill(colour)
            view.draw(surface, now, recent=recent[-48:], frame=live,
                      countdown=-now if now < 0 else None)
        assert pygame.image.tobytes(surfaces[0], "RGB") == pygame.image.tobytes(
            surfaces[1], "RGB")
    for surface, colour in zip(surfaces, UNDRAWN, strict=True):
        mask = pygame.mask.from_threshold(surface, colour, (1, 1, 1, 255))
        assert mask.count() == 0


# --- painting ahead ---------------------------------------------------------------------


def test_the_highways_take_turns_painting_ahead() -> None:
    session, _ = busy_session()
    view = GameplayView(session, players=LOOKS)
    surface = pygame.Surface((1280, 720))
    view.resize(surface.get_size())
    for f in range(120):
        before = [set(h._chunks) for h in view.highways]
        view.draw(surface, 1.0 + f / 60, recent=[], frame=frame_of(session))
        painted = [len(set(h._chunks) - b) for h, b in zip(view.highways, before, strict=True)]
        if f:  # (the first frame paints every strip in view)
            assert sum(painted) <= 1


def test_a_highway_not_painting_ahead_paints_only_what_shows() -> None:
    session, _ = busy_session()
    view = GameplayView(session, players=LOOKS)
    surface = pygame.Surface((1280, 720))
    view.resize(surface.get_size())
    hwy = view.highways[0]
    hwy.draw(surface, 2.0, paint_ahead=False)
    shown = set(hwy._chunks)
    hwy.draw(surface, 2.0, paint_ahead=True)
    assert len(set(hwy._chunks) - shown) == 1


# --- the needle -------------------------------------------------------------------------


@pytest.mark.parametrize("angle", [0.0, 7.5, -23.25, 45.0, -75.0])
@pytest.mark.parametrize("grade", ["locked", "flam", None])
def test_needle_sprite_looks_like_the_drawn_needle(angle: float, grade: str | None) -> None:
    """The cached sprite, blitted, against drawing the polygon straight onto the screen."""
    session, _ = busy_session()
    view = GameplayView(session, players=LOOKS)
    surface = pygame.display.get_surface()
    view.draw(surface, 1.0, recent=[], frame=frame_of(session))
    meter = view.meter
    area = meter.rect
    drawn = surface.subsurface(area).copy()
    sprite = drawn.copy()
    pts = [(x - area.x, y - area.y) for x, y in meter._needle_points(angle)]
    colour = theme.SYNC_COLOURS[grade] if grade is not None else theme.TEXT_DIM
    pygame.draw.polygon(drawn, colour, pts)
    pygame.draw.aalines(drawn, colour, True, pts)
    spr, (x, y) = meter._needle_sprite(angle, grade)
    sprite.blit(spr, (x - area.x, y - area.y))
    a = pygame.surfarray.array3d(drawn).astype(int)
    b = pygame.surfarray.array3d(sprite).astype(int)
    assert abs(a - b).max() <= NEEDLE_ROUNDING  # the edge's coverage, rounded twice


def test_needle_sprites_are_kept_per_angle_step() -> None:
    session, _ = busy_session()
    view = GameplayView(session, players=LOOKS)
    surface = pygame.Surface((1280, 720))
    view.resize(surface.get_size())
    meter = view.meter
    meter._draw_needle(surface, 10.0, "tight")
    meter._draw_needle(surface, 10.0 + NEEDLE_STEP_DEG / 10, "tight")  # the same step
    meter._draw_needle(surface, 10.0, "loose")
    assert meter._needle.cache_info().currsize == 2
