"""The bottom layer: what every other layer may use and that uses nothing of the game.

:mod:`~game.util.errors`, the one small exception tree (every error a person can
cause is a :class:`~game.util.errors.GameError`), and :mod:`~game.util.fileio`,
crash-safe file writes. The engine imports only this from the rest of the game,
so it stays pure: it never touches a file itself.
"""
