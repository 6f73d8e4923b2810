"""What every scene shares, typed: :class:`AppContext`, and the test hooks of a run.

The App owns one context (``app.context``); scenes read it and may replace its
settings (after saving them). Nothing in it is looked up by name.

Tests and tools ask things of a run through :class:`TestHooks`, given to the
App explicitly. The program reads them from the environment in exactly one
place, :meth:`TestHooks.from_environment`, called once at start
(:func:`game.app.services.build_context`), so a child process started by a test
(the real window under Xvfb, the start-up bench) can be asked too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from game.store.settings import Settings, save_settings

if TYPE_CHECKING:  # the types only: neither is needed to build a context
    from game.audio.player import AudioPlayer
    from game.store.background_scan import BackgroundScan
    from game.store.scores import ScoreStore

#: Environment variables :meth:`TestHooks.from_environment` reads.
SCREENSHOTS_ENV = "DRUM_DIPLOMACY_SCREENSHOTS"
X11_KEYS_ENV = "DRUM_DIPLOMACY_X11_KEYS"
STARTUP_PROBE_ENV = "DRUM_DIPLOMACY_STARTUP_PROBE"
INPUT_LOG_ENV = "DRUM_DIPLOMACY_INPUT_LOG"
STATE_LOG_ENV = "DRUM_DIPLOMACY_STATE_LOG"


@dataclass(frozen=True, slots=True)
class TestHooks:
    """What a test or a tool asked of this run (all off by default).

    Attributes
    ----------
    screenshots_dir : Path or None
        Save each scene's 10th frame (and gameplay's every 300th) there as PNG.
    x11_keys : bool
        Stamp keys in the X11 capture process when the window is on X11
        (False: stamp SDL's events, as on other systems).
    startup_probe : Path or None
        Write the first frame's ``perf_counter()`` there as JSON, then quit.
    input_log : Path or None
        Log every key and pad stroke of a gameplay started from the menus.
    state_log : Path or None
        Append one JSON line, flushed, each time a scene is on screen as the top
        scene (its first frame is shown): ``{"scene": name, "frame": n}``. A file,
        or a pipe a test passes (``/dev/fd/N``), so it can wait for "scene X is
        shown" instead of sleeping.
    """

    __test__ = False  # not a pytest test class, whatever its name

    screenshots_dir: Path | None = None
    x11_keys: bool = True
    startup_probe: Path | None = None
    input_log: Path | None = None
    state_log: Path | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> TestHooks:
        """The hooks set in the environment (:data:`SCREENSHOTS_ENV` and the others)."""

        def path(name: str) -> Path | None:
            value = environ.get(name, "").strip()
            return Path(value) if value else None

        return cls(screenshots_dir=path(SCREENSHOTS_ENV),
                   x11_keys=environ.get(X11_KEYS_ENV, "1").strip() != "0",
                   startup_probe=path(STARTUP_PROBE_ENV), input_log=path(INPUT_LOG_ENV),
                   state_log=path(STATE_LOG_ENV))


@dataclass(slots=True)
class AppContext:
    """The game's shared state, one per App.

    Attributes
    ----------
    settings : Settings
        The person's settings as they stand (scenes replace them after a change).
    settings_path : Path or None
        Where they are saved; None: they live in memory only.
    scores : ScoreStore or None
        The score history; None when it could not be opened (plays still work).
    audio : AudioPlayer or None
        The open audio player; None for a silent game (no device, or tests).
    notices : list of str
        One-line notices for the title screen (audio off, a score not saved...).
    hooks : TestHooks
    library_scan : BackgroundScan or None
        The song library's scan, started by song select's first visit.
    song_select : dict of str to str
        What song select remembers between visits (sort order, selected song).
    screenshots_dir : Path or None
        Where the results screen saves its screenshot (default: the data folder's).
    """

    settings: Settings = field(default_factory=Settings)
    settings_path: Path | None = None
    scores: ScoreStore | None = None
    audio: AudioPlayer | None = None
    notices: list[str] = field(default_factory=list)
    hooks: TestHooks = field(default_factory=TestHooks)
    library_scan: BackgroundScan | None = None
    song_select: dict[str, str] = field(default_factory=dict)
    screenshots_dir: Path | None = None

    def commit_settings(self, settings: Settings) -> Path | None:
        """Make ``settings`` the settings of this run and save them, if they have a file.

        Returns
        -------
        Path or None
            The file written; None when the settings live in memory only.

        Raises
        ------
        StoreError
            They could not be saved (they still hold for this run).
        """
        self.settings = settings
        return None if self.settings_path is None else save_settings(settings,
                                                                      self.settings_path)
