"""The game's screens, drawn with pygame. Reads the engine; never judges."""
