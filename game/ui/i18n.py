"""The game in English, Korean and Japanese: gettext catalogs and the language choice.

Every string a player sees goes through :func:`tr` (or :func:`ntr` for counts,
:func:`ptr` where one English word needs two translations) *when it is drawn*,
so changing the language in Settings changes every screen at once. Strings
defined at import time (menu items, table labels) are marked with :func:`N_`,
which only tells the extractor, and translated with :func:`tr` where drawn.
Formatted strings use named fields (``tr("{name} is ahead").format(name=...)``)
so a translation can put them in its own order.

Catalogs: ``game/locale/<lang>/LC_MESSAGES/drum_diplomacy.po`` (edited by
people, in the repository) and the compiled ``.mo`` beside it (what the game
reads; installed with the package). ``python tools/i18n.py`` extracts the
strings, updates the ``.po`` files and compiles them (Babel).

Which language: ``--lang`` on the command line, else the one chosen in
Settings, else the system locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``,
``LANGUAGE``), else English. User text (names, song titles) is never translated.
"""

from __future__ import annotations

import gettext
import locale
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

#: The catalog domain (file name of the .po/.mo files).
DOMAIN = "drum_diplomacy"
#: Languages the game speaks, each named in its own language (shown in Settings as is).
LANGUAGES: dict[str, str] = {"en": "English", "ko": "한국어", "ja": "日本語"}
#: The settings value that means "follow the system".
AUTO = "auto"
DEFAULT_LANGUAGE = "en"

_current = DEFAULT_LANGUAGE
_catalog: gettext.NullTranslations = gettext.NullTranslations()
_catalogs: dict[str, gettext.NullTranslations] = {}


def locale_dir() -> Path:
    """The folder holding ``<lang>/LC_MESSAGES/drum_diplomacy.mo``."""
    return Path(str(resources.files("game.locale")))


def catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog of ``language`` (English: none), cached."""
    found = _catalogs.get(language)
    if found is None:
        found = gettext.translation(DOMAIN, str(locale_dir()), languages=[language],
                                    fallback=True)
        _catalogs[language] = found
    return found


def set_language(language: str) -> str:
    """Speak ``language`` (a key of :data:`LANGUAGES`) from now on; returns it.

    Raises
    ------
    ValueError
        For a language the game does not have.
    """
    global _current, _catalog
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: expected one of "
                         f"{', '.join(LANGUAGES)}")
    _current, _catalog = language, catalog(language)
    return language


def current_language() -> str:
    """The language strings are translated into now."""
    return _current


def tr(message: str) -> str:
    """``message`` in the current language (itself when there is no translation)."""
    return _catalog.gettext(message)


def ntr(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for the count ``n`` in the current language."""
    return _catalog.ngettext(singular, plural, n)


def ptr(context: str, message: str) -> str:
    """``message`` as meant in ``context`` (for one English word with two meanings)."""
    return _catalog.pgettext(context, message)


#: Languages whose small captions are set in capitals (a typographic habit of English).
CAPS_LANGUAGES = frozenset({"en"})


def caps(text: str) -> str:
    """``text`` as a small caption: upper case in English, unchanged where capitals are
    not the custom (Korean and Japanese have none, and "ms" must stay "ms")."""
    return text.upper() if _current in CAPS_LANGUAGES else text


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (translate it when drawn)."""
    return message


def system_language(environ: Mapping[str, str] | None = None) -> str | None:
    """The game language the system locale asks for, or None when it asks for none we have.

    Reads ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` and then ``LANGUAGE`` (a colon
    list) like gettext does; on Windows and macOS, where those are often unset,
    the locale Python reports.
    """
    env = os.environ if environ is None else environ
    wanted: list[str] = []
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(var):
            wanted.append(env[var])
            break
    wanted += [v for v in env.get("LANGUAGE", "").split(":") if v]
    if environ is None and not wanted:
        try:
            code = locale.getlocale()[0]
        except ValueError:
            code = None
        if code:
            wanted.append(code)
    for value in wanted:
        code = value.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
        if code in LANGUAGES:
            return code
        if code in ("c", "posix"):
            return DEFAULT_LANGUAGE
    return None


def choose_language(cli: str | None, setting: str = AUTO,
                    environ: Mapping[str, str] | None = None) -> str:
    """``--lang`` if given, else the Settings choice, else the system's, else English."""
    if cli:
        return cli
    if setting in LANGUAGES:
        return setting
    return system_language(environ) or DEFAULT_LANGUAGE
