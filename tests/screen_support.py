"""What the screens of ``tests/screens.py`` are drawn on and built from.

The surface the probe watches (:class:`ScreenSurface`), the context a screen is
built on (:class:`ScreenContext`, made by :func:`make_context`: an App with fake
services in a temporary data folder) and the fixtures: two players named 김민수
and 山田はなこ, a song of the player's own with a Japanese title and a Korean
artist, a damaged song file, a kit profile for a virtual MIDI kit; and what
puts a screen in its state: key presses, the players' setups, two bots' inputs,
First Contact played to the end by two bots.

How the probe sees a screen (see :class:`ScreenSurface`):

- a string drawn glyph by glyph (scores, counters: ``TextCache.draw_run``) is
  put back together into one text per run, so it is checked as a whole;
- a blit covering the whole window after something was drawn (the veil of a
  pause menu) starts a new *layer*: what is under a veil is not expected to
  stay clear of what is on it;
- text pre-rendered into another surface (the gameplay screen bakes its
  labels into its background) is not placed; :func:`rendered_strings` lists
  every string rendered while the screen was built and drawn.

Used by ``tests/screens.py`` (and through it ``tests/test_layout_languages.py``
and ``tools/screens.py``).
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import io
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pygame

from game.app.app import App
from game.app.context import AppContext
from game.app.scene import Scene
from game.ui.probe import LayoutProbe, Placed, ProbeSurface
from game.ui.text import TextCache

#: The two players' names.
NAMES = ("김민수", "山田はなこ")
#: The player's own song: a Japanese title by a Korean band.
USER_TITLE, USER_ARTIST = "夜明けのビート", "서울 드럼 클럽"
#: The built-in song played, practised and shown in results.
GAME_SONG = "first-contact"
#: The virtual kit of the MIDI screens, and a kit chosen as P2's input in player setup.
KIT_PORT = "Alesis Nitro:Alesis Nitro MIDI 1 24:0"
SETUP_KIT = "midi:TD-17:TD-17 MIDI 1 20:0"
#: Latin text the fixtures show that is data, not the game's words (the kits' and
#: kit maps' names; the built-in songs' titles, artists and sections: see fixture_latin).
KIT_NAMES = ("Alesis Nitro MIDI 1", "Alesis Nitro", "Alesis", "TD-17 MIDI 1", "TD-17")
HOME_ENV = "DRUM_DIPLOMACY_HOME"

S = TypeVar("S", bound=Scene)


# the surface the screens are drawn on ------------------------------------------------
class ScreenSurface(ProbeSurface):
    """A :class:`ProbeSurface` that joins glyph runs and notes the layers (see module notes).

    Parameters
    ----------
    size : (int, int)
    probe : LayoutProbe
        The active probe (its ``texts`` are rewritten when glyph runs are joined).
    """

    def __init__(self, size: tuple[int, int], probe: LayoutProbe) -> None:
        super().__init__(size)
        self.probe = probe
        #: (len(texts), len(frames)) when each full-window blit came after other drawing.
        self.veils: list[tuple[int, int]] = []

    def reset(self) -> None:
        """Forget the last frame (call with ``probe.reset()``)."""
        self.veils.clear()

    def blit(self, source: Any, dest: Any = (0, 0), area: Any = None,
             special_flags: int = 0) -> pygame.Rect:
        rect = super().blit(source, dest, area, special_flags)
        probe = self.probe
        if (area is None and source.get_size() == self.get_size()
                and _topleft(dest) == (0, 0) and (probe.texts or probe.frames)):
            self.veils.append((len(probe.texts), len(probe.frames)))
        return rect

    def fblits(self, blit_sequence: Any, special_flags: int = 0, /) -> None:
        seq = [(src, _topleft(dest)) for src, dest in blit_sequence]
        pygame.Surface.fblits(self, seq, special_flags)
        texts = self.probe.texts
        start = len(texts)
        items: list[tuple[pygame.Surface, tuple[int, int], Placed | None]] = []
        for src, dest in seq:
            n = len(texts)
            self.probe.placed(src, dest)
            items.append((src, dest, texts[n] if len(texts) > n else None))
        texts[start:] = _join_runs(items)

    def layer_texts(self) -> list[tuple[int, Placed]]:
        """The last frame's texts with their layer (0 is the bottom)."""
        return [(sum(i >= v[0] for v in self.veils), t)
                for i, t in enumerate(self.probe.texts)]

    def layer_frames(self) -> list[tuple[int, Placed]]:
        """The last frame's panels with their layer."""
        return [(sum(i >= v[1] for v in self.veils), f)
                for i, f in enumerate(self.probe.frames)]


def _topleft(dest: Any) -> tuple[int, int]:
    if isinstance(dest, pygame.Rect):
        return dest.topleft
    return round(dest[0]), round(dest[1])


def _join_runs(items: list[tuple[pygame.Surface, tuple[int, int], Placed | None]]
               ) -> list[Placed]:
    """Placed texts of one ``fblits``, single glyphs side by side on a line joined.

    A glyph continues the run when it is on the same line and starts within
    the previous glyph's width; an unregistered glyph of the same height in a
    run is a space (blank strings are not registered).
    """
    out: list[Placed] = []
    run: list[tuple[pygame.Surface, tuple[int, int], Placed | None]] = []

    def flush() -> None:
        placed = [p for _, _, p in run if p is not None]
        if len(placed) >= 2 and all(p.text is not None and len(p.text) == 1 for p in placed):
            text = "".join(p.text if p is not None and p.text else " " for _, _, p in run)
            rect = placed[0].rect.unionall([p.rect for p in placed[1:]])
            out.append(Placed(text.strip(), rect))
        else:
            out.extend(placed)
        run.clear()

    for src, dest, placed in items:
        if run:
            prev_src, prev_dest, _ = run[-1]
            joins = (dest[1] == prev_dest[1] and src.get_height() == prev_src.get_height()
                     and 0 <= dest[0] - prev_dest[0] <= prev_src.get_width() + 2)
            if not joins:
                flush()
        if placed is not None or run:
            run.append((src, dest, placed))
    flush()
    return out


def rendered_strings(probe: LayoutProbe) -> set[str]:
    """Every string rendered while ``probe`` was active (placed on screen or not).

    Reads the probe's registry (``_known``): the probe has no public view of it.
    """
    known: dict[int, tuple[Any, str | None, pygame.Rect]] = getattr(probe, "_known", {})
    return {text for _, text, _ in known.values() if text}


# fixtures ------------------------------------------------------------------------------
@contextlib.contextmanager
def data_folder(home: Path) -> Iterator[Path]:
    """``$DRUM_DIPLOMACY_HOME`` set to ``home`` for the duration (restored after)."""
    before = os.environ.get(HOME_ENV)
    os.environ[HOME_ENV] = str(home)
    try:
        yield home
    finally:
        if before is None:
            os.environ.pop(HOME_ENV, None)
        else:
            os.environ[HOME_ENV] = before


_HOME: list[Path] = []


def fixture_home() -> Path:
    """The data folder of every screen (made once per process): the user songs, a kit profile."""
    if _HOME:
        return _HOME[0]
    from game.engine.chart import Chart, Section, SongMeta, make_note, sort_notes
    from game.engine.reduce import reduce_chart
    from game.engine.tempo import TempoMap
    from game.engine.voices import Voice
    from game.formats.beatmap_writer import save_beatmap
    from game.store.kits import KitProfile, save_profile
    from game.store.paths import songs_dir

    home = Path(tempfile.mkdtemp(prefix="drum-diplomacy-screens-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    with data_folder(home):
        tempo = TempoMap.constant(118.0)
        notes = [make_note(tempo, k / 2, Voice.HIHAT_CLOSED) for k in range(64)]
        notes += [make_note(tempo, k, Voice.KICK if k % 2 == 0 else Voice.SNARE)
                  for k in range(32)]
        part = sort_notes(notes)
        sections = (Section("Aメロ", 0.0, 0.0), Section("サビ", 16.0, tempo.seconds_at(16.0)))
        chart = Chart(SongMeta("yoake", USER_TITLE, artist=USER_ARTIST), tempo, sections,
                      {("p1", "expert"): part, ("p2", "expert"): part})
        folder = songs_dir()
        save_beatmap(reduce_chart(chart), folder / "yoake.beatmap")
        (folder / "broken.beatmap").write_text("[song\nthis is not a beatmap", encoding="utf-8")
        save_profile(KIT_PORT, KitProfile(kitmap="alesis", velocity_gain=1.05,
                                          velocity_gamma=0.8))
    _HOME.append(home)
    return home


def fixture_latin() -> tuple[str, ...]:
    """Latin text on screen that is data: kit names, built-in songs' titles, artists, sections."""
    from game.formats.library import load_song

    found = list(KIT_NAMES)
    for song in ("first-contact", "handshake-groove", "mirror-ball-summit", "skyline-accord"):
        chart = load_song(song)
        found += [chart.meta.title, chart.meta.artist or "", *(s.name for s in chart.sections)]
    return tuple(sorted({f for f in found if f}, key=len, reverse=True))


def fixture_settings(*, p2_input: str = "keyboard") -> Any:
    """Default settings with the two players' names (and P2's input)."""
    from game.store.settings import Settings

    base = Settings()
    p1 = dataclasses.replace(base.players[0], name=NAMES[0], difficulty="expert")
    p2 = dataclasses.replace(base.players[1], name=NAMES[1], difficulty="hard",
                             input=p2_input)
    return dataclasses.replace(base, players=(p1, p2))


def startup_notices(home: Path) -> list[str]:
    """The notice the game shows on the title screen after a damaged settings file."""
    from game.app import services as launch

    damaged = home / "damaged-settings.toml"
    damaged.write_text('[audio]\nmaster_volume = "loud"\n', encoding="utf-8")
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            return list(launch._load_settings(damaged)[2])
    except Exception:  # the launcher changed: the same message, untranslated
        return ["some settings were reset (details on the console)"]


def clear_text_caches() -> None:
    """Empty every module-level :class:`TextCache` of the game (so text is rendered anew)."""
    for name, module in list(sys.modules.items()):
        if name == "game" or name.startswith("game."):
            for value in list(vars(module).values()):
                if isinstance(value, TextCache):
                    value.clear()


# the context a screen is built on -------------------------------------------------------
@dataclass
class ScreenContext:
    """An App (fake services, temporary data folder) that screens are built on.

    Attributes
    ----------
    app : App
    home : Path
        The data folder.
    """

    app: App
    home: Path
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def push(self, scene: S) -> S:
        """Push ``scene`` on the app; returns it."""
        self.app.push(scene)
        return scene

    def on_close(self, closer: Callable[[], None]) -> None:
        """Call ``closer`` when the screen is done."""
        self._closers.append(closer)

    def entry(self, title: str) -> dict[str, Any]:
        """The song-select entry of the song called ``title``."""
        from game.app.scenes.song_select import load_entries

        return next(e for e in load_entries()[0] if e["title"] == title)

    def close(self) -> None:
        """Close every scene, then the services."""
        while self.app.scenes:
            self.app.scenes.pop().close()
        for closer in reversed(self._closers):
            with contextlib.suppress(Exception):
                closer()


def make_context(home: Path, size: tuple[int, int], probe: LayoutProbe
                 ) -> tuple[ScreenContext, ScreenSurface]:
    """An App of ``size`` drawing on a :class:`ScreenSurface`, with fake services."""
    from game.store.scores import ScoreStore

    store = ScoreStore(home / "scores.sqlite3")
    context = AppContext(settings=fixture_settings(), settings_path=home / "settings.toml",
                         scores=store, audio=None, notices=startup_notices(home))
    app = App(size=size, context=context)
    surface = ScreenSurface(size, probe)
    app.screen = surface
    ctx = ScreenContext(app, home)
    ctx.on_close(store.close)
    return ctx, surface


# playing ---------------------------------------------------------------------------------
def press_key(scene: Scene, key: int | str, kind: int = pygame.KEYDOWN) -> None:
    """Send ``scene`` a key event (``kind``) of ``key`` (a key code or a key's name)."""
    code = pygame.key.key_code(key) if isinstance(key, str) else key
    scene.on_event(pygame.event.Event(kind, key=code, mod=0, unicode="", scancode=0),
                   time.perf_counter())


def player_setups(difficulty: str = "expert") -> tuple[Any, Any]:
    """The two players' setups at ``difficulty``, named."""
    from game.engine.session import PlayerSetup

    return (PlayerSetup("p1", difficulty, name=NAMES[0]),
            PlayerSetup("p2", difficulty, name=NAMES[1]))


def bot_sources() -> tuple[Any, Any]:
    """Input sources of two bots (P1 late)."""
    from game.live.sources import parse_source

    return parse_source("bot:sd=18,bias=12,seed=3"), parse_source("bot:sd=30,seed=4")


_PLAYED: list[tuple[dict[str, Any], Any]] = []


def played() -> tuple[dict[str, Any], Any]:
    """First Contact played to the end by two bots (P1 late), named; report and session."""
    if not _PLAYED:
        from game.engine.bot import HumanBot
        from game.engine.report import session_report
        from game.engine.session import Session
        from game.formats.library import load_song

        session = Session(load_song(GAME_SONG), player_setups())
        for p, bot in enumerate((HumanBot(sd_ms=20, bias_ms=15, seed=1),
                                 HumanBot(sd_ms=28, bias_ms=-4, seed=2))):
            session.feed_many(bot.play(session.notes[p], player=p))
        session.finish()
        _PLAYED.append((session_report(session), session))
    return _PLAYED[0]
