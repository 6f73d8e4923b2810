"""Drum Diplomacy: a two-player drum rhythm game scored as a duet."""

__version__ = "0.1.0"
