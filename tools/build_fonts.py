"""Cut the game's bundled fonts down to the characters players type.

The game draws text through a fallback chain (``game/ui/fonts.py``): pygame's
bundled bold sans first, then the two fonts this script writes into
``game/fonts/``, then whatever the system has. Both come from Debian's
packages (SIL Open Font License 1.1, no Reserved Font Name):

- ``NotoSans-Bold.subset.ttf`` from ``fonts-noto-core``: Latin with every
  accent (Latin-1, Extended A/B/Additional: Vietnamese too), IPA, Greek and
  Cyrillic with their extensions, punctuation, currency, arrows and shapes.
- ``NotoSansCJK-Bold.subset.otf`` from ``fonts-noto-cjk`` (the JP face of
  ``NotoSansCJK-Bold.ttc``): every Hangul syllable and jamo (an IME shows
  jamo while composing), kana, CJK punctuation, full- and half-width forms,
  arrows and shapes, and
  the ideographs of JIS X 0213 plane 1 (all Jōyō kanji and more), GB 2312
  (common simplified Chinese), Big5 level 1 (common traditional Chinese) and
  KS X 1001 (hanja), plus the name variants of Windows-31J (髙, 﨑).

Stages: 1. gather the code points, 2. subset each font with fontTools (hinting
dropped, layout features kept), 3. write the files and print their sizes.

Usage: ``apt-get install fonts-noto-core fonts-noto-cjk`` then
``python tools/build_fonts.py``. Run it again only to change what is covered.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path

import pygame
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "game" / "fonts"
NOTO_SANS = Path("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
CJK_FACE = "Noto Sans CJK JP Bold"

#: Blocks for the Latin/Greek/Cyrillic font (inclusive ranges).
LATIN_RANGES = (
    (0x0020, 0x024F),  # ASCII, Latin-1, Extended-A, Extended-B
    (0x0250, 0x02FF),  # IPA, spacing modifier letters
    (0x0300, 0x036F),  # combining diacritics
    (0x0370, 0x03FF),  # Greek and Coptic
    (0x0400, 0x052F),  # Cyrillic and its supplement
    (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF),  # more combining marks
    (0x1E00, 0x1FFF),  # Latin Extended Additional (Vietnamese), Greek Extended
    (0x2000, 0x206F),  # general punctuation
    (0x2070, 0x20CF),  # super/subscripts, currency
    (0x2100, 0x218F),  # letterlike, number forms
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # maths operators
    (0x2460, 0x24FF), (0x2500, 0x25FF),  # enclosed numbers, box drawing, shapes
    (0x2C60, 0x2C7F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F), (0xA720, 0xA7FF),
    (0xFB00, 0xFB06), (0xFE20, 0xFE2F), (0xFFFC, 0xFFFD),
)

#: Blocks for the CJK font besides the ideographs.
CJK_RANGES = (
    (0x2190, 0x21FF),  # arrows (Noto Sans has none): keycaps such as ↑/↓ in translations
    (0x25A0, 0x25FF), (0x2600, 0x26FF),  # shapes, symbols used in CJK text (■ ▲ ○ ★ ♪)
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3130, 0x318F),  # Hangul compatibility Jamo (what an IME shows while composing)
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3200, 0x32FF),  # enclosed CJK letters
    (0xA960, 0xA97F),  # Hangul Jamo Extended-A
    (0xAC00, 0xD7A3),  # every Hangul syllable
    (0xD7B0, 0xD7FF),  # Hangul Jamo Extended-B
    (0xFF00, 0xFFEF),  # half-width and full-width forms
)

#: National character sets whose ideographs are "common": (codec, lead bytes, trail bytes).
CHARSETS = (
    ("euc_jis_2004", range(0xA1, 0xFF), range(0xA1, 0xFF)),  # JIS X 0213 plane 1
    ("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF)),  # GB 2312
    ("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)]),  # Big5 level 1
    ("euc_kr", range(0xCA, 0xFE), range(0xA1, 0xFF)),  # KS X 1001 hanja
    # Windows-31J's NEC and IBM extensions: name variants such as 髙 and 﨑.
    ("cp932", [0xED, 0xEE, 0xFA, 0xFB, 0xFC], range(0x40, 0xFD)),
)


def _ranges(ranges: Iterable[tuple[int, int]]) -> set[int]:
    return {cp for lo, hi in ranges for cp in range(lo, hi + 1)}


def _is_ideograph(cp: int) -> bool:
    return (0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3134F)


def common_ideographs() -> set[int]:
    """Ideographs of the national character sets in :data:`CHARSETS`."""
    found: set[int] = set()
    for codec, leads, trails in CHARSETS:
        for lead in leads:
            for trail in trails:
                try:
                    text = bytes((lead, trail)).decode(codec)
                except UnicodeDecodeError:
                    continue
                found.update(ord(c) for c in text if _is_ideograph(ord(c)))
    return found


def write_coverage(font_path: Path, out_dir: Path | None = None) -> Path:
    """Write ``<font>.cmap.json`` (in ``out_dir``, default beside the font): the font's
    size in bytes and the code points it maps, as [first, last] ranges.

    The game reads it instead of parsing the font's character map at run time
    (fontTools takes about 90 ms on the CJK subset; this file, a few ms), when
    the font file still has that size.
    """
    codepoints = sorted(TTFont(str(font_path), lazy=True).getBestCmap())
    ranges: list[list[int]] = []
    for cp in codepoints:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    out = (out_dir or font_path.parent) / (font_path.name + ".cmap.json")
    doc = {"font_bytes": font_path.stat().st_size, "ranges": ranges}
    out.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    return out


def cut(font: TTFont, codepoints: set[int], out: Path) -> int:
    """Subset ``font`` to ``codepoints`` (those it has) into ``out``; returns glyphs kept."""
    options = subset.Options()
    # fontTools' default horizontal-text features, plus the Hangul jamo ones: no
    # vertical forms, no alternates for other regions (they would triple the CJK file).
    # 'locl' is left out: it would pull in the other regions' forms of every ideograph.
    options.layout_features = [f for f in options.layout_features if f != "locl"] + [
        "ljmo", "vjmo", "tjmo"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.hinting = False
    options.desubroutinize = False
    options.notdef_outline = True
    have = set(font.getBestCmap())
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted(codepoints & have))
    sub.subset(font)
    font.save(str(out))
    return len(font.getGlyphOrder())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    latin_out = args.out / "NotoSans-Bold.subset.ttf"
    glyphs = cut(TTFont(str(NOTO_SANS)), _ranges(LATIN_RANGES), latin_out)
    print(f"{latin_out.name}: {glyphs} glyphs, {latin_out.stat().st_size / 1024:.0f} KiB")
    write_coverage(latin_out)

    faces = TTCollection(str(NOTO_CJK)).fonts
    face = next(f for f in faces if f["name"].getDebugName(4) == CJK_FACE)
    wanted = _ranges(CJK_RANGES) | common_ideographs()
    cjk_out = args.out / "NotoSansCJK-Bold.subset.otf"
    glyphs = cut(face, wanted, cjk_out)
    print(f"{cjk_out.name}: {glyphs} glyphs, {cjk_out.stat().st_size / 1024:.0f} KiB")
    write_coverage(cjk_out)
    # pygame's own bold sans, first in the chain (checked against its size at run time)
    pygame_font = Path(pygame.__file__).parent / pygame.font.get_default_font()
    write_coverage(pygame_font, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
