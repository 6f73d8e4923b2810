"""Input devices: they capture strokes, stamp them, and hand hit events to the engine."""
