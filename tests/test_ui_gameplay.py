"""The gameplay screen renderer: layout, notes, pop-ups, hit-error bar, sync meter.

Runs on SDL's dummy video driver (set in conftest.py). Also saves a mid-song
screenshot to /tmp/ui_shots/ for a human to look at.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pygame
import pytest
from view_support import display, frame_of  # noqa: F401 - display: a fixture

from game.engine.bot import HumanBot
from game.engine.chart import Chart, SongMeta, make_note, sort_notes
from game.engine.events import Grade, HitEvent, Judgement
from game.engine.session import Session
from game.engine.tempo import TempoMap
from game.engine.voices import KEYBOARD_5, Voice
from game.formats.library import load_song
from game.ui import theme
from game.ui.gameplay_view import GameplayView, PlayerLook, compute_layout
from game.ui.highway_geometry import note_y
from game.ui.hud import error_x, tick_level
from game.ui.sync_meter import ahead_text, needle_angle
from game.ui.text import TextCache
from game.ui.theme import lane_family

SIZES = [(1280, 720), (1920, 1080), (3840, 2160)]
LOOKS = (PlayerLook("Alice", 0, ("D", "F", "S", "E", "V")),
         PlayerLook("Bob", 1, ("J", "K", "L", "I", "N")))
SHOTS = Path("/tmp/ui_shots")




def sparse_chart() -> Chart:
    """Isolated notes (nothing else within 0.5 s of each), so pixels can be checked."""
    tempo = TempoMap.constant(120.0)
    p1 = [make_note(tempo, 2.0, Voice.SNARE), make_note(tempo, 4.0, Voice.HIHAT_CLOSED),
          make_note(tempo, 6.0, Voice.KICK), make_note(tempo, 8.0, Voice.CRASH, accent=True),
          make_note(tempo, 10.0, Voice.TOM_HIGH, ghost=True), make_note(tempo, 12.0, Voice.SNARE)]
    p2 = [make_note(tempo, b, v) for b, v in ((2.0, Voice.SNARE), (6.0, Voice.KICK),
                                               (12.0, Voice.SNARE))]
    return Chart(SongMeta("ui-test", "UI test"), tempo, (),
                 {("p1", "expert"): sort_notes(p1), ("p2", "expert"): sort_notes(p2)})


def note_xy(view: GameplayView, player: int, index: int, now_s: float) -> tuple[int, int]:
    """Where the formula puts a note's centre on screen."""
    hwy = view.highways[player]
    note = view.chart.notes("p1" if player == 0 else "p2", "expert")[index]
    lane = note.lane(KEYBOARD_5)
    lay = view.layout
    y = note_y(note.time_s, now_s, lay.hit_y, lay.pixels_per_second)
    return hwy.geom.lane_x[lane], round(y)


def brightness(c: pygame.Color) -> int:
    return c.r + c.g + c.b


def region(surface: pygame.Surface, rect: pygame.Rect) -> bytes:
    return pygame.image.tobytes(surface.subsurface(rect), "RGB")


# pure helpers ------------------------------------------------------------------------
def test_note_y_puts_notes_on_the_hit_line_at_their_time_and_above_before():
    assert note_y(5.0, 5.0, 600, 648) == 600
    assert note_y(6.0, 5.0, 600, 648) == pytest.approx(600 - 648)
    assert note_y(4.5, 5.0, 600, 648) == pytest.approx(600 + 324)  # passed: below the line


def test_error_x_early_left_late_right_clamped():
    assert error_x(-0.03, 100, 50, 0.09) < 100 < error_x(0.03, 100, 50, 0.09)
    assert error_x(0.0, 100, 50, 0.09) == 100
    assert error_x(1.0, 100, 50, 0.09) == 150
    assert error_x(-1.0, 100, 50, 0.09) == 50


def test_tick_level_fades_with_rank_and_age():
    assert tick_level(0, 0.0) == 0
    assert tick_level(19, 0.0) > tick_level(5, 0.0) > 0
    assert tick_level(0, theme.ERROR_TICK_S) >= 8  # gone


def test_needle_leans_towards_whoever_is_ahead():
    assert needle_angle(None) == 0.0
    assert needle_angle(0.0) == 0.0
    assert needle_angle(30.0) > 0 > needle_angle(-30.0)  # d > 0: P2 earlier, lean right (P2)
    assert needle_angle(500.0) == needle_angle(60.0)


def test_lane_families_give_distinct_shapes():
    fams = [lane_family(lane.name) for lane in KEYBOARD_5.lanes]
    assert fams == ["hihat", "snare", "tom", "cymbal", "kick"]


def test_layout_fits_and_keeps_highways_apart():
    for size in SIZES:
        lay = compute_layout(size)
        screen = pygame.Rect((0, 0), size)
        a, b = lay.highways
        assert screen.contains(a) and screen.contains(b)
        assert a.right < lay.centre.left and lay.centre.right < b.left
        assert lay.panels[0].right <= a.left and b.right <= lay.panels[1].left
        assert lay.pixels_per_second == pytest.approx(0.9 * size[1])
        assert screen.contains(lay.error_bars[0]) and screen.contains(lay.error_bars[1])


def test_text_cache_renders_once_per_distinct_string():
    cache = TextCache()
    cache.render("123", 20, (255, 255, 255))
    cache.render("123", 20, (255, 255, 255))
    assert cache.renders == 1
    cache.render("124", 20, (255, 255, 255))
    assert cache.renders == 2


def test_ahead_text():
    live = Session(sparse_chart()).live_duet()
    assert ahead_text(live) == "WAITING"
    p1 = dataclasses.replace(live, ahead="p1", mean_asynchrony_ms=-12.4)
    assert ahead_text(p1) == "P1 ahead 12 ms"
    assert ahead_text(dataclasses.replace(live, ahead="even", mean_asynchrony_ms=1.0)) \
        == "TOGETHER"


# drawing -----------------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
def test_draws_at_every_size(size):
    session = Session(load_song("first-contact"))
    view = GameplayView(session, players=LOOKS)
    surface = pygame.Surface(size)
    events = sorted(HumanBot(sd_ms=10, seed=1).play(session.notes[0], player=0)
                    + HumanBot(sd_ms=25, seed=2).play(session.notes[1], player=1),
                    key=lambda e: e.time_s)
    recent = session.feed_many(e for e in events if e.time_s <= 9.0)
    recent += session.advance(9.0)
    view.draw(surface, -1.5, recent=[], frame=frame_of(session), countdown=1.5)
    view.draw(surface, 9.0, recent=recent, frame=frame_of(session))
    assert view.layout.size == size
    assert view.notes_in_view > 0


def test_a_note_is_drawn_where_the_formula_says():
    session = Session(sparse_chart())
    view = GameplayView(session, players=LOOKS)
    surface = pygame.Surface((1280, 720))
    view.resize(surface.get_size())
    now = 0.6  # the snare at 1.0 s is 0.4 s away: well on the highway
    view.draw(surface, now, recent=[], frame=frame_of(session))
    x, y = note_xy(view, 0, 0, now)
    note_px = surface.get_at((x, y))
    assert note_px != view.background.get_at((x, y))
    assert brightness(note_px) > 350  # a light gem on a dark highway
    assert brightness(surface.get_at((x, y - 40))) < 200  # nothing just above it
    # the same note 0.1 s later has moved down by 0.1 s x pixels per second
    view.draw(surface, now + 0.1, recent=[], frame=frame_of(session))
    x2, y2 = note_xy(view, 0, 0, now + 0.1)
    assert y2 - y == pytest.approx(0.1 * view.layout.pixels_per_second, abs=1)
    assert brightness(surface.get_at((x2, y2))) > 350


def test_kick_notes_span_the_highway():
    session = Session(sparse_chart())
    view = GameplayView(session, players=LOOKS)
    surface = pygame.Surface((1280, 720))
    view.resize(surface.get_size())
    now = 2.7  # kick at 3.0 s
    view.draw(surface, now, recent=[], frame=frame_of(session))
    _, y = note_xy(view, 0, 2, now)
    hwy = view.layout.highways[0]
    for x in (hwy.x + hwy.width // 4, hwy.centerx, hwy.right - hwy.width // 4):
        assert brightness(surface.get_at((x, y))) > 250


def test_a_judged_note_is_no_longer_drawn():
    session = Session(sparse_chart())
    view = GameplayView(session, players=LOOKS)
    surface = pygame.Surface((1280, 720))
    view.resize(surface.get_size())
    now = 0.9
    view.draw(surface, now, recent=[], frame=frame_of(session))
    x, y = note_xy(view, 0, 0, now)
    assert brightness(surface.get_at((x, y))) > 350
    j = session.feed(HitEvent(0, 0.92, lane=1))  # the snare at 1.0 s, 80 ms early
    assert j.grade is Grade.GOOD and j.note_index == 0
    view.draw(surface, now, recent=[j], frame=frame_of(session))
    assert brightness(surface.get_at((x, y))) < 200
    # and it stays gone as the song moves on (no lane flash this time)
    view.draw(surface, now + 0.05, recent=[], frame=frame_of(session))
    x, y = note_xy(view, 0, 0, now + 0.05)
    assert brightness(surface.get_at((x, y))) < 200


def test_notes_painted_out_as_judged_match_a_fresh_paint():
    """Notes are painted into scrolling strips and painted out when judged: after a busy
    stretch of play the highways must look exactly as a new view paints them."""
    tempo = TempoMap.constant(160.0)
    voices = (Voice.HIHAT_CLOSED, Voice.SNARE, Voice.TOM_HIGH, Voice.CRASH, Voice.KICK)
    parts = {(p, "expert"): sort_notes([make_note(tempo, k / 4, v, accent=k % 4 == 0,
                                                  ghost=k % 4 == 3)
                                        for k in range(96) for v in voices[k % 2::2]])
             for p in ("p1", "p2")}
    session = Session(Chart(SongMeta("dense", "Dense"), tempo, (), parts))
    events = sorted(HumanBot(sd_ms=20, miss_rate=0.1, seed=4).play(session.notes[0], player=0)
                    + HumanBot(sd_ms=30, miss_rate=0.1, seed=5).play(session.notes[1],
                                                                     player=1),
                    key=lambda e: e.time_s)
    view = GameplayView(session, players=LOOKS)
    surface = pygame.Surface((1280, 720))
    recent: list[Judgement] = []
    nxt = 0
    for f in range(200):
        now = f / 60
        while nxt < len(events) and events[nxt].time_s <= now:
            recent.append(session.feed(events[nxt]))
            nxt += 1
        recent.extend(session.advance(now))
        view.draw(surface, now, recent=recent[-48:], frame=frame_of(session))
    assert sum(session.judges[0].judged) > 50
    fresh_surface = pygame.Surface((1280, 720))
    view.draw(surface, now, recent=[], frame=frame_of(session))
    GameplayView(session, players=LOOKS).draw(fresh_surface, now, recent=[],
                                              frame=frame_of(session))
    for hwy in view.highways:
        assert region(surface, hwy.view) == region(fresh_surface, hwy.view)


def test_painting_out_one_note_keeps_its_overlapping_neighbours():
    """Accented gems glow into the next lane and kick bars cross every lane: judging one
    note must leave the notes it overlaps intact."""
    tempo = TempoMap.constant(120.0)
    chord = [make_note(tempo, 4.0, v, accent=True)
             for v in (Voice.HIHAT_CLOSED, Voice.SNARE, Voice.TOM_HIGH, Voice.CRASH, Voice.KICK)]
    parts = {(p, "expert"): sort_notes(chord) for p in ("p1", "p2")}
    session = Session(Chart(SongMeta("chord", "Chord"), tempo, (), parts))
    view = GameplayView(session, players=LOOKS)
    surface = pygame.Surface((1280, 720))
    view.draw(surface, 1.6, recent=[], frame=frame_of(session))
    session.feed(HitEvent(0, 2.0, lane=1))  # the snare only
    view.draw(surface, 1.6, recent=[], frame=frame_of(session))
    fresh = pygame.Surface((1280, 720))
    GameplayView(session, players=LOOKS).draw(fresh, 1.6, recent=[], frame=frame_of(session))
    hwy = view.highways[0]
    assert region(surface, hwy.view) == region(fresh, hwy.view)
    x, y = note_xy(view, 0, 2, 1.6)  # the hi-hat next to it is still there
    assert brightness(surface.get_at((x, y))) > 350


def test_view_only_reads_the_session():
    session = Session(sparse_chart())
    view = GameplayView(session, players=LOOKS)
    surface = pygame.Surface((1280, 720))
    view.resize(surface.get_size())
    before = (bytes(session.judges[0].judged), session.player_stats(0), session.now_s)
    for t in (0.0, 1.0, 2.0, 5.0):
        view.draw(surface, t, recent=[], frame=frame_of(session))
    assert (bytes(session.judges[0].judged), session.player_stats(0), session.now_s) == before


def test_sync_meter_changes_from_locked_to_flam():
    session = Session(sparse_chart())
    view = GameplayView(session, players=LOOKS)
    surface = pygame.Surface((1280, 720))
    view.resize(surface.get_size())
    base = session.live_duet()
    locked = dataclasses.replace(base, mean_asynchrony_ms=3.0, ahead="even", in_sync_rate=1.0,
                                 sync_spread_ms=2.0, team_score=980_000)
    flam = dataclasses.replace(base, mean_asynchrony_ms=70.0, ahead="p2", in_sync_rate=0.1,
                               sync_spread_ms=20.0, team_score=420_000)
    view.draw(surface, 5.0, recent=[], frame=frame_of(session, locked))
    a = region(surface, view.layout.centre)
    view.draw(surface, 5.0, recent=[], frame=frame_of(session, flam))
    b = region(surface, view.layout.centre)
    diff = sum(1 for i in range(0, len(a), 3) if a[i:i + 3] != b[i:i + 3])
    assert diff > 2000
    # and the highways are not affected
    view.draw(surface, 5.0, recent=[], frame=frame_of(session, locked))
    assert region(surface, view.layout.centre) == a


def test_needle_points_at_the_player_ahead():
    session = Session(sparse_chart())
    view = GameplayView(session, players=LOOKS)
    surface = pygame.Surface((1280, 720))
    view.resize(surface.get_size())
    base = session.live_duet()
    m = view.meter
    lit = []
    for d, ahead in ((-45.0, "p1"), (45.0, "p2")):
        view.draw(surface, 5.0, recent=[],
                  frame=frame_of(session, dataclasses.replace(base, mean_asynchrony_ms=d,
                                                               ahead=ahead)))
        left = region(surface, pygame.Rect(m.cx - 60, m.cy - 60, 50, 50))
        right = region(surface, pygame.Rect(m.cx + 10, m.cy - 60, 50, 50))
        lit.append((left, right))
    # P1 ahead -> needle on the left half; P2 ahead -> on the right half
    assert lit[0][0] != lit[1][0] and lit[0][1] != lit[1][1]
    loose = theme.SYNC_COLOURS["loose"]
    view.draw(surface, 5.0, recent=[],
              frame=frame_of(session, dataclasses.replace(base, mean_asynchrony_ms=-45.0,
                                                           ahead="p1")))
    needle_px = [surface.get_at((m.cx - 30, m.cy - 22 + k))[:3] for k in range(-6, 7)]
    assert tuple(loose) in needle_px


def test_judgement_popup_appears_then_fades():
    session = Session(sparse_chart())
    view = GameplayView(session, players=LOOKS)
    surface = pygame.Surface((1280, 720))
    view.resize(surface.get_size())
    lay = view.layout
    hwy = lay.highways[0]
    box = pygame.Rect(0, 0, hwy.width - 20, round(80 * lay.scale))
    box.center = (hwy.centerx, lay.hit_y - round(170 * lay.scale))
    j = session.feed(HitEvent(0, 1.0, lane=1))
    assert j.grade is Grade.PERFECT
    session.advance(1.05)
    for now, shown in ((1.05, True), (1.0 + theme.POPUP_S + 0.05, False)):
        view.draw(surface, now, recent=[], frame=frame_of(session))
        without = region(surface, box)
        view.draw(surface, now, recent=[j], frame=frame_of(session))
        with_popup = region(surface, box)
        assert (with_popup != without) is shown


def test_a_miss_pops_up_too():
    session = Session(sparse_chart())
    view = GameplayView(session, players=LOOKS)
    surface = pygame.Surface((1280, 720))
    view.resize(surface.get_size())
    misses = session.advance(1.2)
    assert misses and all(m.grade is Grade.MISS for m in misses)
    lay = view.layout
    hwy = lay.highways[0]
    box = pygame.Rect(0, 0, hwy.width - 20, round(80 * lay.scale))
    box.center = (hwy.centerx, lay.hit_y - round(170 * lay.scale))
    view.draw(surface, 1.2, recent=[], frame=frame_of(session))
    without = region(surface, box)
    view.draw(surface, 1.2, recent=misses, frame=frame_of(session))
    assert region(surface, box) != without


def tick_xs(surface: pygame.Surface, view: GameplayView, player: int, grade: Grade) -> list[int]:
    bar = view.error_bars[player]
    colour = theme.GRADE_COLOURS[grade]
    return [x for x in range(bar.rect.left, bar.rect.right)
            if tuple(surface.get_at((x, bar.bar_y))[:3]) == colour]


@pytest.mark.parametrize("offset_s, side", [(-0.04, "early"), (0.04, "late")])
def test_hit_error_ticks_land_on_the_right_side(offset_s, side):
    session = Session(sparse_chart())
    view = GameplayView(session, players=LOOKS)
    surface = pygame.Surface((1280, 720))
    view.resize(surface.get_size())
    j = session.feed(HitEvent(0, 1.0 + offset_s, lane=1))
    assert j.grade is Grade.GREAT
    view.draw(surface, 1.1, recent=[j], frame=frame_of(session))
    xs = tick_xs(surface, view, 0, Grade.GREAT)
    assert xs, "no tick drawn"
    cx = view.error_bars[0].cx
    assert all(x < cx for x in xs) if side == "early" else all(x > cx for x in xs)
    expected = error_x(offset_s, cx, view.error_bars[0].half_w, view.error_bars[0].range_s)
    assert min(abs(x - expected) for x in xs) <= 3
    assert not tick_xs(surface, view, 1, Grade.GREAT)  # P2 has not played


def test_screenshot_mid_song_one_locked_one_drifting():
    """A frame a human can look at: P1 locked to the chart, P2 drifting."""
    session = Session(load_song("first-contact"))
    view = GameplayView(session, players=LOOKS)
    screen = pygame.display.get_surface()
    events = sorted(HumanBot(sd_ms=5, miss_rate=0.02, seed=1).play(session.notes[0], player=0)
                    + HumanBot(sd_ms=12, drift_ms=14, miss_rate=0.04, seed=3).play(
                        session.notes[1], player=1), key=lambda e: e.time_s)
    recent: list[Judgement] = []
    nxt = 0
    now = -3.0
    while now < 20.3:
        now = min(20.3, now + 1 / 60)
        while nxt < len(events) and events[nxt].time_s <= now:
            recent.append(session.feed(events[nxt]))
            nxt += 1
        recent.extend(session.advance(now))
        recent = recent[-48:]
        view.draw(screen, now, recent=recent, frame=frame_of(session),
                  countdown=-now if now < 0 else None)
    SHOTS.mkdir(parents=True, exist_ok=True)
    pygame.image.save(screen, str(SHOTS / "gameplay_1280x720.png"))
    assert (SHOTS / "gameplay_1280x720.png").stat().st_size > 10_000
