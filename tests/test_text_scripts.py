"""Text in every script: the font chain draws real glyphs, never the missing-glyph box.

For each script the game promises (Latin with accents, Greek, Cyrillic, every
Hangul syllable, kana, common kanji and Chinese), every sample character must
come from a font of the chain that has it, and drawn it must differ from that
font's missing-glyph box (U+10FFFD, a private-use code point no font maps).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pygame
import pytest

from game.ui.fonts import REPLACEMENT, FontChain, default_chain, default_chain_files
from game.ui.text import TextCache, wrap_text

#: Sample text per script: names people have, words of the languages.
SAMPLES: dict[str, str] = {
    "latin": "Zoë Ångström Łukasz Øster Çelik François Ñúñez Nguyễn Văn Đức Şükrü Ærø ß",
    "greek": "Αλέξανδρος Ωμέγα Ψυχή ΆΈΉΊΌΎΏ ΐΰ",
    "cyrillic": "Александра Щукина Ёлка Їжак Ґанок Ћирилица Љубав Џемпер",
    "hangul": "김민수 이서연 박지훈 최유나 정하늘 똠얌꿍 뷁 힣 갂",
    "kana": "やまだはなこ ヤマダハナコ がっこう ヴァイオリン ゐゑ ー・「」",
    "kanji": "山田花子 鈴木一郎 高橋 渡邉 齋藤 髙木 﨑 鷗外 𠮟る 剝がす 頰",
    "chinese": "王小明 张伟 李娜 陈静 刘洋 鼓手 节奏 繁體字 臺灣 香港",
    "symbols": "↑↓←→ ■▲▼●○★♪ — … “” ± × · € ¥ ₩",
}
#: A code point no font has: what a font draws for it is its missing-glyph box.
NOT_A_GLYPH = "\U0010fffd"


@pytest.fixture(scope="module")
def chain() -> FontChain:
    pygame.font.init()
    return FontChain(default_chain_files(), system_fonts=False)  # bundled fonts only


def _pixels(surf: pygame.Surface) -> bytes:
    return pygame.image.tobytes(surf, "RGBA")


@pytest.mark.parametrize("script", list(SAMPLES))
def test_every_sample_character_has_a_real_glyph(chain: FontChain, script: str) -> None:
    size = 40
    for ch in SAMPLES[script]:
        if ch.isspace():
            continue
        index = chain.font_index(ch)
        assert index >= 0, f"{script}: no bundled font has {ch!r} (U+{ord(ch):04X})"
        font = chain.font(index, size)
        drawn = font.render(ch, True, (255, 255, 255))
        box = font.render(NOT_A_GLYPH, True, (255, 255, 255))
        assert _pixels(drawn) != _pixels(box) or drawn.get_size() != box.get_size(), (
            f"{script}: {ch!r} is drawn as the missing-glyph box of {chain.files[index].label}")


def test_every_hangul_syllable_and_the_jamo_an_ime_shows_are_covered(chain: FontChain) -> None:
    missing = [hex(cp) for cp in [*range(0xAC00, 0xD7A4), *range(0x3131, 0x318F),
                                  *range(0x1100, 0x1200)]
               if not chain.covers(chr(cp))]
    assert missing == []


def test_kana_and_common_ideographs_are_covered(chain: FontChain) -> None:
    kana = [cp for cp in range(0x3041, 0x3097)] + [cp for cp in range(0x30A1, 0x30FB)]
    assert [hex(cp) for cp in kana if not chain.covers(chr(cp))] == []
    # JIS X 0208 level 1 kanji (the 2,965 most common in Japanese) and GB 2312 level 1
    # (the 3,755 most common simplified Chinese characters).
    level1 = {bytes((a, b)).decode("euc_jp", "ignore") for a in range(0xB0, 0xD0)
              for b in range(0xA1, 0xFF)}
    level1 |= {bytes((a, b)).decode("gb2312", "ignore") for a in range(0xB0, 0xD8)
               for b in range(0xA1, 0xFF)}
    level1.discard("")
    assert len(level1) > 5000
    assert sorted(c for c in level1 if not chain.covers(c)) == []


def test_every_character_of_the_translations_is_in_the_bundled_fonts(chain: FontChain) -> None:
    """What the game says in Korean and Japanese never depends on the player's system fonts."""
    from babel.messages.pofile import read_po

    from game.ui.i18n import locale_dir

    missing: set[str] = set()
    for lang in ("ko", "ja"):
        with (locale_dir() / lang / "LC_MESSAGES" / "drum_diplomacy.po").open("rb") as f:
            catalog = read_po(f)
        for message in catalog:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            missing |= {c for s in strings for c in s or "" if not c.isspace()
                        and not chain.covers(c)}
    assert sorted(missing) == []


def test_two_korean_names_look_different() -> None:
    texts = TextCache()
    a = texts.render("김민수", 40, (255, 255, 255), shadow=False)
    b = texts.render("이서연", 40, (255, 255, 255), shadow=False)
    assert _pixels(a) != _pixels(b)


def test_a_character_no_font_has_shows_a_visible_replacement(chain: FontChain) -> None:
    pieces = list(chain.runs("A" + NOT_A_GLYPH + "B"))
    assert pieces == [(0, "A"), (-1, NOT_A_GLYPH), (0, "B")]
    assert chain.covers(REPLACEMENT)
    with_missing = chain.render("A" + NOT_A_GLYPH + "B", 40, (255, 255, 255))
    with_replacement = chain.render("A" + REPLACEMENT + "B", 40, (255, 255, 255))
    assert _pixels(with_missing) == _pixels(with_replacement)


def test_a_combining_mark_stays_with_its_letter(chain: FontChain) -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn")
    runs = list(chain.runs(decomposed))
    assert "".join(r for _, r in runs) == decomposed
    for _, run in runs:
        assert not unicodedata.combining(run[0]), f"a run starts with a mark: {runs}"


def test_mixed_scripts_share_a_baseline_and_nothing_is_clipped(chain: FontChain) -> None:
    size = 40
    text = "Ångström gy 김민수 山田はなこ Nguyễn Ωμέγα"
    surf = chain.render(text, size, (255, 255, 255))
    assert surf.get_size() == chain.size(text, size)

    def ink(s: pygame.Surface) -> int:
        return sum(pygame.image.tobytes(s, "RGBA")[3::4])

    # Every run drawn alone has as much ink as it has inside the line: no accent
    # and no descender is cut off where runs of different fonts meet.
    runs = [chain.font(i, size).render(r, True, (255, 255, 255)) for i, r in chain.runs(text)]
    assert len(runs) >= 4
    assert ink(surf) == pytest.approx(sum(ink(r) for r in runs), rel=0.01)
    # One baseline: "A" (bundled sans) and "Ǻ" (Noto Sans) stand on the same line; "김"
    # (CJK) goes below it by its ideographic descent (about 0.12 em), no more.
    em = round(size * 0.6875)

    def bottom_of_last(s: str) -> int:
        line = chain.render(s, size, (255, 255, 255))
        first = chain.render(s[:-1], size, (255, 255, 255)).get_width()
        last = line.subsurface((first, 0, line.get_width() - first, line.get_height()))
        return last.get_bounding_rect().bottom - chain.ascent(s, size)

    a_bottom = bottom_of_last("HA")
    assert abs(bottom_of_last("HǺ") - a_bottom) <= 1
    assert 0 <= bottom_of_last("H김") - a_bottom <= 0.16 * em + 1


def test_system_fonts_extend_the_chain_for_other_scripts() -> None:
    chain = default_chain()
    runic = "ᚠ"
    if not any(chain.covers(runic) for _ in [0]):
        pytest.skip("no system font on this machine has Runic")
    assert chain.files[chain.font_index(runic)].path is not None


def test_japanese_wraps_between_characters_but_not_before_closing_marks() -> None:
    lines = wrap_text("クリックに合わせて、スネアを叩いてください。", 6, len)
    assert "".join(lines) == "クリックに合わせて、スネアを叩いてください。"
    assert all(len(line) <= 7 for line in lines)
    assert not any(line[0] in "、。" for line in lines)
    assert wrap_text("one two three", 7, len) == ["one two", "three"]


def test_recorded_coverage_matches_the_fonts() -> None:
    """``<font>.cmap.json`` says exactly what the font's character map says."""
    from fontTools.ttLib import TTFont

    from game.ui.fonts import read_coverage

    files = [f.path for f in default_chain_files() if f.path]
    files.append(str(Path(pygame.__file__).parent / pygame.font.get_default_font()))
    for path in files:
        recorded = read_coverage(path)
        assert recorded is not None, f"no coverage recorded for {path}: run tools/build_fonts.py"
        actual = set(TTFont(path, lazy=True).getBestCmap())
        probe = actual | set(range(0x20, 0x3000)) | set(range(0xAC00, 0xAD00)) | {0x10FFFD}
        assert {cp for cp in probe if cp in recorded} == actual & probe, path


def test_a_stale_coverage_record_is_not_trusted(tmp_path: Path) -> None:
    from game.ui.fonts import read_coverage

    font = tmp_path / "NotoSans-Bold.subset.ttf"  # same name, other bytes
    font.write_bytes(b"\0" * 10)
    assert read_coverage(str(font)) is None


def test_fitting_a_label_is_measured_once() -> None:
    texts = TextCache()
    label = "クリックに合わせてスネアのキーを叩いてください"
    want = next(s for s in range(40, 7, -1) if texts.size_of(label, s)[0] <= 300 or s == 8)
    calls = []
    measure = texts.size_of
    texts.size_of = lambda t, s: calls.append(s) or measure(t, s)  # type: ignore[method-assign]
    assert texts.fit(label, 40, 300) == want
    first = len(calls)
    assert first >= 1 and texts.fit(label, 40, 300) == want
    assert len(calls) == first  # the second frame asks nothing of the fonts
