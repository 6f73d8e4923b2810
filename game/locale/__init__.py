"""Translation catalogs (data only): ``<lang>/LC_MESSAGES/drum_diplomacy.po`` and ``.mo``.

See :mod:`game.ui.i18n` and ``tools/i18n.py``.
"""
