"""Translation catalogs: extract the game's strings, update each language, compile.

Stages (Babel):

1. extract every string marked with ``tr``, ``ntr``, ``ptr`` or ``N_`` under
   ``game/`` into ``game/locale/drum_diplomacy.pot``;
2. update ``game/locale/<lang>/LC_MESSAGES/drum_diplomacy.po`` for each
   language (new strings are added empty, changed ones marked fuzzy, gone ones
   kept as obsolete ``#~`` entries so a translation is never lost);
3. compile each ``.po`` into the ``.mo`` the game reads (fuzzy entries are left
   out, so an unchecked translation never shows).

Usage: ``python tools/i18n.py`` (all three), ``--check`` (fail when the
catalogs are not up to date with the code, or a compiled file is stale).
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "game" / "locale"
DOMAIN = "drum_diplomacy"
LANGUAGES = ("ko", "ja")
#: Written as the catalogs' dates, so that running this twice changes nothing.
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
KEYWORDS = {"tr": None, "ntr": (1, 2), "ptr": ((1, "c"), 2), "N_": None}


def extract() -> Catalog:
    """Stage 1: the template catalog of every marked string in ``game/``."""
    template = Catalog(project="Drum Diplomacy", version="0.1", charset="utf-8",
                       msgid_bugs_address="", copyright_holder="Drum Diplomacy",
                       creation_date=FIXED_DATE, revision_date=FIXED_DATE)
    found = extract_from_dir(str(ROOT / "game"), method_map=[("**.py", "python")],
                             keywords=KEYWORDS, comment_tags=("TRANSLATORS:",))
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(f"game/{filename}", lineno)], auto_comments=comments,
                     context=context)
    return template


def po_path(language: str) -> Path:
    """Where a language's editable catalog lives."""
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _po_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=False, omit_header=False,
             include_previous=True, include_lineno=False)
    return buf.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def updated(language: str, template: Catalog) -> Catalog:
    """Stage 2: the language's catalog brought up to date with ``template``."""
    path = po_path(language)
    if path.exists():
        with path.open("rb") as f:
            catalog = read_po(f, locale=language)
    else:
        catalog = Catalog(locale=language, project="Drum Diplomacy", version="0.1",
                          creation_date=FIXED_DATE, revision_date=FIXED_DATE,
                          copyright_holder="Drum Diplomacy", msgid_bugs_address="",
                          last_translator="Drum Diplomacy", language_team=language,
                          fuzzy=False)
    catalog.update(template, no_fuzzy_matching=True)
    return catalog


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="change nothing; exit 1 if a catalog is not up to date")
    args = ap.parse_args(argv)
    template = extract()
    stale: list[str] = []
    pot = LOCALE / f"{DOMAIN}.pot"
    outputs: list[tuple[Path, bytes]] = []
    for language in LANGUAGES:
        catalog = updated(language, template)
        outputs.append((po_path(language), _po_bytes(catalog)))
        outputs.append((po_path(language).with_suffix(".mo"), _mo_bytes(catalog)))
    outputs.insert(0, (pot, _po_bytes(template)))
    for path, data in outputs:
        old = path.read_bytes() if path.exists() else b""
        if old == data:
            continue
        if args.check:
            stale.append(str(path.relative_to(ROOT)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            print(f"wrote {path.relative_to(ROOT)}")
    print(f"{len(template)} strings")
    if stale:
        print("not up to date (run python tools/i18n.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
