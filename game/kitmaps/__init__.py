"""Built-in drum kit maps as data: MIDI note number -> drum voice.

Each ``*.toml`` file here has a ``name``, a ``description`` and a ``[notes]``
table mapping note-number strings to lower-case :class:`game.engine.voices.Voice`
member names. :func:`game.formats.kitmap.load_kitmap` reads them.
"""
