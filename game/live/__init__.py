"""The live runtime: a song played now, without a window.

Live play (:mod:`~game.live.live_play`: the session, its lock, scripted players),
kit players reading MIDI on their own threads (:mod:`~game.live.kit_player`),
who plays each part (:mod:`~game.live.sources`), what a play writes
(:mod:`~game.live.outputs`), headless loops (:mod:`~game.live.headless`) and
the process settings for steady input timing (:mod:`~game.live.realtime`).

No module here imports pygame (an import-linter contract checks it): the
gameplay scene in :mod:`game.app` draws what this package judges.
"""
