""".chart and song.ini files as they are in the wild: each quirk real charts have must
give the same drums as the plain file, with a warning where something was overlooked."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from import_files import V, mangle, notes_of, write_ini

from game.formats.importers import ImportFormatError, import_song
from game.formats.songini import parse_song_ini

#: (tick at 192 per beat, .chart note types at that tick)
GROOVE = [(0, (0, 2, 66)), (96, (2, 66, 41)), (192, (1, 34)), (288, (2, 66, 41)),
          (384, (32, 2, 66)), (480, (2, 66)), (576, (1, 40)), (672, (3,)),
          (768, (4, 68, 37))]
EXPECTED = [(0.0, V.KICK, False, False), (0.0, V.HIHAT_CLOSED, False, False),
            (0.25, V.HIHAT_CLOSED, False, True), (0.5, V.SNARE, True, False),
            (0.75, V.HIHAT_CLOSED, False, True), (1.0, V.KICK, False, False),
            (1.0, V.HIHAT_CLOSED, False, False), (1.25, V.HIHAT_CLOSED, False, False),
            (1.5, V.SNARE, False, True), (1.75, V.TOM_MID, False, False),
            (2.0, V.CRASH, True, False)]


def chart_text(*, res: int = 192, notes_section: str = "ExpertDrums", indent: str = "  ",
               extra: str = "", sync_extra: str = "") -> str:
    lines = ["[Song]", "{", f'{indent}Name = "Groove"', f"{indent}Resolution = {res}", "}",
             "[SyncTrack]", "{", f"{indent}0 = TS 4", f"{indent}0 = B 120000"]
    lines += [f"{indent}{x}" for x in sync_extra.splitlines() if x]
    lines += ["}", f"[{notes_section}]", "{"]
    for tick, types in GROOVE:
        lines += [f"{indent}{tick * res // 192} = N {t} 0" for t in types]
    lines += ["}"]
    return "\n".join(lines) + "\n" + extra


def write(folder: Path, text: str, *, encoding: str = "utf-8", newline: str = "\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "notes.chart"
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def drums(folder: Path, diff: str = "expert") -> list[tuple]:
    return [(n[1], n[2], n[3], n[4]) for n in notes_of(import_song(folder).chart, diff)]


def test_plain_chart(tmp_path: Path) -> None:
    write(tmp_path, chart_text())
    assert drums(tmp_path) == EXPECTED


def test_bom_crlf_tabs_resolution_480_and_anchors(tmp_path: Path) -> None:
    text = "\ufeff" + chart_text(res=480, indent="\t", sync_extra="0 = A 0\n960 = A 500000")
    write(tmp_path, text, newline="\r\n")
    song = import_song(tmp_path)
    assert [(n[1], n[2], n[3], n[4]) for n in notes_of(song.chart)] == EXPECTED
    assert not any("skipped" in w for w in song.warnings)


def test_no_indent_blank_lines_and_utf16(tmp_path: Path) -> None:
    text = chart_text(indent="").replace("}\n[", "}\n\n\n[")
    write(tmp_path / "a", text)
    assert drums(tmp_path / "a") == EXPECTED
    write(tmp_path / "b", "\ufeff" + text, encoding="utf-16-le")
    assert drums(tmp_path / "b") == EXPECTED


def test_double_kick_kept_or_dropped(tmp_path: Path) -> None:
    write(tmp_path, chart_text())
    song = import_song(tmp_path, double_kick=False)
    assert (1.0, V.KICK, False, False) not in [(n[1], n[2], n[3], n[4])
                                               for n in notes_of(song.chart)]


def test_expert_double_drums(tmp_path: Path) -> None:
    write(tmp_path / "only", chart_text(notes_section="ExpertDoubleDrums"))
    song = import_song(tmp_path / "only")
    assert [(n[1], n[2], n[3], n[4]) for n in notes_of(song.chart)] == EXPECTED
    assert any("read [ExpertDoubleDrums] for expert" in w for w in song.warnings)
    empty = chart_text(notes_section="ExpertDoubleDrums", extra="[ExpertDrums]\n{\n}\n")
    write(tmp_path / "empty", empty)
    assert drums(tmp_path / "empty") == EXPECTED
    both = chart_text(extra="[ExpertDoubleDrums]\n{\n  0 = N 1 0\n}\n")
    write(tmp_path / "both", both)
    song = import_song(tmp_path / "both")
    assert [(n[1], n[2], n[3], n[4]) for n in notes_of(song.chart)] == EXPECTED
    assert any("skipped sections [ExpertDoubleDrums]" in w for w in song.warnings)


def test_near_empty_drum_tracks(tmp_path: Path) -> None:
    hard = "\n".join(f"  {i * 96} = N {1 + i % 2} 0" for i in range(120))
    text = chart_text(extra=f"[HardDrums]\n{{\n{hard}\n}}\n").replace(
        "[ExpertDrums]", "[EasyDrums]")
    stub = "[ExpertDrums]\n{\n  0 = N 1 0\n  96 = N 1 0\n}\n"
    write(tmp_path / "stub", text + stub)
    song = import_song(tmp_path / "stub")
    assert notes_of(song.chart, "expert") == notes_of(song.chart, "hard")
    assert len(notes_of(song.chart, "hard")) == 120
    assert any("expert drum chart has only 2" in w for w in song.warnings)
    assert not any("easy drum chart" in w for w in song.warnings)   # 11 of 120 is a chart
    few = chart_text(extra=f"[HardDrums]\n{{\n{hard}\n}}\n").replace(
        "[ExpertDrums]", "[ExpertDrums]\n{\n}\n[EasyDrums]") + stub.replace("Expert", "Medium")
    write(tmp_path / "easy", few.replace("  96 = N 1 0\n", ""))
    song = import_song(tmp_path / "easy")
    assert any("normal drum chart has only 1" in w for w in song.warnings)
    assert len(notes_of(song.chart, "normal")) > 1      # reduced from Hard instead
    write(tmp_path / "tiny", "[Song]\n{\n  Resolution = 192\n}\n[SyncTrack]\n{\n  0 = B 120000\n"
                             "}\n" + stub)
    song = import_song(tmp_path / "tiny")
    assert len(notes_of(song.chart)) == 2
    assert any("only 2 note(s)" in w for w in song.warnings)


def test_broken_layout_is_read_with_warnings(tmp_path: Path) -> None:
    text = chart_text()
    text = "garbage before the first section\n" + text
    text = text.replace("[SyncTrack]\n{", "[SyncTrack]")                # no '{'
    text = text.replace("  0 = B 120000\n}", "  0 = B 120000")          # no '}' either
    text = text.replace("  384 = N 32 0", "  384 = N 32 0\n}\n[ExpertDrums]\n{")  # twice
    write(tmp_path, text)
    song = import_song(tmp_path)
    assert [(n[1], n[2], n[3], n[4]) for n in notes_of(song.chart)] == EXPECTED
    warnings = " | ".join(song.warnings)
    assert "1 line(s) outside any section (first: line 1)" in warnings
    assert "missing '{' or '}'" in warnings and "[SyncTrack]" in warnings
    assert "given twice" in warnings


def test_latin1_chart(tmp_path: Path) -> None:
    write(tmp_path, chart_text().replace("Groove", "Café Señor"), encoding="latin-1")
    song = import_song(tmp_path)
    assert song.chart.meta.title == "Café Señor"
    assert any("not UTF-8" in w for w in song.warnings)


def test_truncated_chart_is_refused(tmp_path: Path) -> None:
    text = chart_text()
    write(tmp_path, text[: text.index("  576 = N 1 0")])
    with pytest.raises(ImportFormatError, match="truncated") as info:
        import_song(tmp_path)
    assert "\n" not in str(info.value)


def test_mangled_charts_never_crash(tmp_path: Path) -> None:
    rng = random.Random(3)
    lines = chart_text(extra="[Events]\n{\n  0 = E \"section Intro\"\n}\n").splitlines()
    junk = ["", "}", "{", "[", "]", "=", "N", "0 = N", "x = y", "0 = B", "0 = TS 0 9",
            "99999999999999999999 = N 1 0", "0 = E", "0 = N 1 -1", "\x00\x01", "[Song]"]
    for k in range(200):
        mangled = mangle(lines, junk, rng)
        write(tmp_path / f"m{k}", "\n".join(mangled))
        try:
            import_song(tmp_path / f"m{k}")
        except ImportFormatError as exc:
            assert "\n" not in str(exc)


# song.ini ----------------------------------------------------------------------------------
@pytest.mark.parametrize("header", ["[song]", "[Song]", "[SONG]", "[ song ]"])
def test_song_ini_headers(header: str) -> None:
    ini = parse_song_ini(f"{header}\nname = A\n")
    assert ini.name == "A"


def test_song_ini_values_as_written_in_the_wild(tmp_path: Path) -> None:
    warnings: list[str] = []
    ini = parse_song_ini("\ufeff[Song]\r\nname=Tight\r\nartist   =   Spaced  \r\n"
                         "delay = -250\r\npreview_start_time = -1\r\ndiff_drums = -1\r\n"
                         "song_length = -1\r\n", warnings=warnings)
    assert (ini.name, ini.artist, ini.delay_ms, ini.preview_ms, ini.diff_drums) == (
        "Tight", "Spaced", -250.0, None, None)
    assert warnings == []
    assert parse_song_ini("[song]\ndelay = 12,5\n").delay_ms == 12.5
    write(tmp_path, chart_text())
    write_ini(tmp_path, "[Song]\ndelay = -250\n")
    assert import_song(tmp_path).chart.tempo.offset_s == -0.25


def test_song_ini_without_a_header_is_read_with_a_warning() -> None:
    warnings: list[str] = []
    ini = parse_song_ini("name = Headless\nartist = Nobody\n", warnings=warnings)
    assert (ini.name, ini.artist) == ("Headless", "Nobody")
    assert any("no [song] header" in w for w in warnings)
    other: list[str] = []
    assert parse_song_ini("[other]\nname = Nope\n", warnings=other).name == ""
    assert any("no [song] section" in w for w in other)


def test_far_away_ticks_are_left_out_and_the_chart_still_saves(tmp_path: Path) -> None:
    from import_files import assert_round_trip

    write(tmp_path, "[Song]\n{\n  Resolution = 1\n}\n[SyncTrack]\n{\n  0 = B 120000\n"
                    "  2000000000 = TS 3\n  2000000001 = B 1\n}\n[ExpertDrums]\n{\n"
                    "  0 = N 0 0\n  1 = N 1 0\n  2000000000 = N 1 0\n}\n")
    song = import_song(tmp_path)
    assert [(n[1], n[2]) for n in notes_of(song.chart)] == [(0.0, V.KICK), (0.5, V.SNARE)]
    assert len(song.chart.tempo.tempos) == 1 and len(song.chart.tempo.meters) == 1
    assert any("6 hours" in w and "note(s)" in w for w in song.warnings)
    assert any("tempo or meter change(s)" in w for w in song.warnings)
    assert_round_trip(song.chart, tmp_path)


def test_ticks_at_one_time_keep_the_earlier_tick_whatever_the_line_order(
        tmp_path: Path) -> None:
    """At a resolution so fine that two ticks are one time (the very same float, 3000 s
    in), the note of the earlier tick is the one kept, even when its line comes later in
    the file (as sorting ticks did)."""
    lines = ["[Song]", "{", "  Resolution = 100000000000000", "  Offset = 3000", "}",
             "[SyncTrack]", "{",
             "  0 = B 120000", "}", "[ExpertDrums]", "{", "  2 = N 1 0", "  2 = N 34 0",
             "  1 = N 1 0", "  768 = N 0 0", "}"]
    write(tmp_path, "\n".join(lines) + "\n")
    snares = [n for n in import_song(tmp_path).chart.notes("p1", "expert")
              if n.voice is V.SNARE]
    assert [(n.beat, n.accent, n.velocity) for n in snares] == [(1e-14, False, 96)]


def test_a_custom_arrangement_is_given_the_notes(tmp_path: Path) -> None:
    """An arrangement other than unison gets each difficulty's notes as ``Note`` tuples
    (the importers keep them as columns only for unison)."""
    write(tmp_path, chart_text())

    def kicks_to_p2(charted: dict) -> dict:
        out = {}
        for diff, notes in charted.items():
            assert isinstance(notes, tuple)
            out[("p1", diff)] = tuple(n for n in notes if n.voice is not V.KICK)
            out[("p2", diff)] = tuple(n for n in notes if n.voice is V.KICK)
        return out

    chart = import_song(tmp_path, arrange=kicks_to_p2).chart
    assert [n.time_s for n in chart.notes("p2", "expert")] == [0.0, 1.0]
    assert len(chart.notes("p1", "expert")) == len(EXPECTED) - 2
