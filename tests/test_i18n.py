"""The game in English, Korean and Japanese: language choice and complete catalogs.

Every string marked in the code has a Korean and a Japanese translation (none
empty, none fuzzy), with the same ``{fields}`` as the English; the compiled
catalogs are up to date with the ``.po`` files and the code.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from game.store.settings import LANGUAGE_CODES
from game.ui import i18n

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
import i18n as catalog_tool  # noqa: E402  (tools/i18n.py)

FIELD = re.compile(r"\{(\w*)[^{}]*\}")


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with catalog_tool.po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def test_languages_agree_between_settings_and_catalogs() -> None:
    assert tuple(i18n.LANGUAGES) == LANGUAGE_CODES
    assert set(catalog_tool.LANGUAGES) == set(i18n.LANGUAGES) - {"en"}


def test_language_choice_order() -> None:
    env = {"LANG": "ja_JP.UTF-8"}
    assert i18n.choose_language("ko", "en", env) == "ko"  # --lang wins
    assert i18n.choose_language(None, "en", env) == "en"  # then Settings
    assert i18n.choose_language(None, "auto", env) == "ja"  # then the system
    assert i18n.choose_language(None, "auto", {"LANG": "fr_FR.UTF-8"}) == "en"
    assert i18n.choose_language(None, "auto", {}) == "en"
    assert i18n.system_language({"LC_ALL": "ko_KR.UTF-8", "LANG": "ja_JP"}) == "ko"
    assert i18n.system_language({"LANG": "C.UTF-8", "LANGUAGE": "ko"}) == "en"
    assert i18n.system_language({"LANGUAGE": "fr:ja"}) == "ja"
    with pytest.raises(ValueError, match="unknown language"):
        i18n.set_language("xx")


@pytest.mark.parametrize("lang", ["ko", "ja"])
def test_every_string_is_translated(lang: str) -> None:
    catalog = _catalog(lang)
    template = catalog_tool.extract()
    assert len(template) > 100
    missing, fuzzy, fields = [], [], []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        strings = found.string if found else None
        if not found or not strings or (isinstance(strings, tuple) and not all(strings)):
            missing.append(message.id)
            continue
        if found.fuzzy:
            fuzzy.append(message.id)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = strings if isinstance(strings, tuple) else (strings,)
        want = {f for s in ids for f in FIELD.findall(s)}
        got = {f for s in translated for f in FIELD.findall(s)}
        if want != got:
            fields.append((message.id, sorted(want), sorted(got)))
    assert missing == [], f"{len(missing)} strings have no {lang} translation"
    assert fuzzy == [], f"fuzzy (unchecked) {lang} translations"
    assert fields == [], f"{lang} translations whose {{fields}} differ from the English"


def test_compiled_catalogs_are_up_to_date() -> None:
    assert catalog_tool.main(["--check"]) == 0, "run: python tools/i18n.py"


@pytest.mark.parametrize("lang", ["ko", "ja"])
def test_switching_language_changes_what_is_drawn(lang: str) -> None:
    try:
        i18n.set_language(lang)
        assert i18n.current_language() == lang
        assert i18n.tr("Settings") != "Settings"
        assert i18n.tr("a string nobody marked") == "a string nobody marked"
    finally:
        i18n.set_language("en")
    assert i18n.tr("Settings") == "Settings"


def test_kit_reasons_are_translated_from_the_input_layers_own_templates() -> None:
    from game.input.kit import PAD_NAMES, REASONS
    from game.ui.midi_words import PAD_WORDS, REASON_WORDS, reason_text

    assert REASON_WORDS == REASONS  # the same English, so the catalogs translate it
    assert PAD_WORDS == PAD_NAMES
    facts = (("gap_ms", 4), ("velocity", 96), ("pad", "tom3"))
    assert reason_text("double_trigger", facts) == (
        "double trigger 4 ms after a 96 on the floor tom")
    try:
        i18n.set_language("ko")
        korean = reason_text("double_trigger", facts)
        assert "96" in korean and "double" not in korean
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("lang", ["ko", "ja"])
def test_every_midi_unavailable_sentence_is_translated(lang: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The input layer's sentences (no backend, no ALSA sequencer, the MIDI system failed)
    are matched and translated on screen; if their English changes, this fails."""
    import mido

    from game.input import midi_ports
    from game.ui.midi_words import unavailable_line

    reasons = []
    monkeypatch.setitem(sys.modules, "rtmidi", None)
    reasons.append(midi_ports.midi_status().reason)
    monkeypatch.setitem(sys.modules, "rtmidi", sys)  # any module: "installed"
    monkeypatch.setattr(midi_ports.sys, "platform", "linux")
    monkeypatch.setattr(midi_ports.os.path, "exists", lambda p: False)
    reasons.append(midi_ports.midi_status().reason)
    monkeypatch.setattr(midi_ports.os.path, "exists", lambda p: True)

    def broken() -> list[str]:
        raise SystemError("ALSA error opening the sequencer")
    monkeypatch.setattr(mido, "get_input_names", broken)
    reasons.append(midi_ports.midi_status().reason)
    try:
        i18n.set_language(lang)
        for reason in reasons:
            assert reason and unavailable_line(reason) != reason, reason
    finally:
        i18n.set_language("en")
    assert [unavailable_line(r) for r in reasons] == reasons
