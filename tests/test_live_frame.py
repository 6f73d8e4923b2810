"""The per-frame read model: a LiveFrame is one moment of the session, even while a kit
thread judges strokes, and the gameplay view draws from it without the session."""

from __future__ import annotations

import threading

import pygame
import pytest

from game.engine.events import HitEvent
from game.engine.session import PlayerSetup
from game.engine.windows import STANDARD
from game.live.live_play import LivePlay
from game.live.outputs import PlayOutputs
from game.live.sources import parse_source
from game.store.song_library import load_song
from game.ui.gameplay_view import GameplayView, PlayerLook
from game.ui.theme import ERROR_TICKS

LOOKS = (PlayerLook("Ana", 0, ("D", "F", "S", "E", "V")),
         PlayerLook("민수", 1, ("J", "K", "L", "I", "N")))


def live_play() -> LivePlay:
    chart = load_song("first-contact")
    setups = (PlayerSetup("p1", "expert"), PlayerSetup("p2", "expert"))
    live = LivePlay(chart, setups, (parse_source("keyboard"), parse_source("keyboard")),
                    STANDARD, PlayOutputs(), to_song_time=lambda t: t)
    live.accepting = True
    return live


def test_every_frame_is_one_moment_while_a_thread_feeds_strokes() -> None:
    live = live_play()
    notes = live.session.notes
    strokes = [HitEvent(p, n.time_s + (0.01 if k % 3 else 0.2), n.voice, None, 100, "midi")
               for p in (0, 1) for k, n in enumerate(notes[p])]
    strokes.sort(key=lambda e: e.time_s)
    done = threading.Event()
    first = live.frame(recent_offsets=ERROR_TICKS)

    def kit() -> None:  # a kit's reading thread: judges under the lock, as fast as it can
        for e in strokes:
            live.feed(e)
        done.set()

    thread = threading.Thread(target=kit, daemon=True)
    thread.start()
    frames = 0
    clock = 0.0
    while not done.is_set() or frames < 50:
        clock += 0.05
        live.pump(clock)
        frame = live.frame(recent_offsets=ERROR_TICKS)
        frames += 1
        for p, player in enumerate(frame.players):
            # the judged flags, the counts and the offsets all come from the same moment
            assert player.judged_notes == sum(player.judged)
            s = player.stats
            assert s.perfect + s.great + s.good + s.miss == player.judged_notes
            assert len(player.judged) == len(notes[p])
            assert len(player.recent_offsets) <= ERROR_TICKS
        if done.is_set() and frames >= 50:
            break
    thread.join(timeout=30)
    final = live.frame(recent_offsets=ERROR_TICKS)
    assert sum(final.players[0].judged) > 0 and final.players[0].stats.miss > 0
    assert all(final.players[1].judged)
    # a frame is a copy: what was judged after it was taken does not change it
    assert not any(first.players[1].judged) and first.players[1].judged_notes == 0


def test_the_view_draws_from_the_frame_alone() -> None:
    live = live_play()
    view = GameplayView(live.session, players=LOOKS)
    surface = pygame.Surface((1280, 720))
    view.resize(surface.get_size())
    for e in [HitEvent(0, n.time_s, n.voice, None, 100, "keyboard")
              for n in live.session.notes[0][:20]]:
        live.feed(e)
    live.pump(6.0)
    frame = live.frame(recent_offsets=ERROR_TICKS)
    session = live.session
    # the view kept no way to the session's changing state: only its fixed parts
    assert all(v is not session for v in vars(view).values())
    assert all(h.judged is not session.judges[p].judged for p, h in enumerate(view.highways))
    view.draw(surface, 6.0, frame=frame, recent=[])
    assert view.notes_in_view > 0
    assert view.highways[0].judged == frame.players[0].judged


@pytest.fixture(autouse=True)
def _display() -> object:
    pygame.display.init()
    yield
    pygame.display.quit()
