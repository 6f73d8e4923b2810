"""The game's scenes."""
