"""Kit rules in kit map files ([hihat], [triggers]), writing maps back, and the
person's kit profiles (kits.toml) and own kit maps in the data folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from game.engine.voices import Voice
from game.formats.kitmap import (
    KitMap,
    KitRules,
    builtin_kitmap_names,
    kitmap_to_toml,
    load_kitmap,
    parse_kitmap,
)
from game.store.kits import (
    KitProfile,
    kitmap_names,
    kits_path,
    load_profiles,
    resolve_kitmap,
    save_profile,
    save_user_kitmap,
    user_kitmaps_dir,
)
from game.util.errors import FormatError

V = Voice

NOTES = """\
name = "Test Kit"
[notes]
"36" = "kick"
"38" = "snare"
"42" = "hihat_closed"
"46" = "hihat_open"
"44" = "hihat_pedal"
"""  # 7 lines: a [hihat] header is line 8, its first key line 9


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("DRUM_DIPLOMACY_HOME", str(folder))
    return folder


def parse(extra: str) -> KitMap:
    return parse_kitmap(NOTES + textwrap.dedent(extra), path="kit.toml")


# [hihat] and [triggers] --------------------------------------------------------------
def test_no_tables_means_the_default_rules() -> None:
    assert parse("").rules == KitRules()


def test_rule_values_are_read() -> None:
    km = parse("""\
        [hihat]
        pedal_cc = 11
        pedal_notes = [46, 42]
        open_below = 20
        closed_from = 100
        pedal_merge_ms = 7.5
        [triggers]
        retrigger_ms = 8
        retrigger_ratio = 0.4
        crosstalk_ms = 2.5
        crosstalk_ratio = 0.2
        """)
    assert km.rules == KitRules(pedal_cc=11, pedal_notes=frozenset({42, 46}), open_below=20,
                                closed_from=100, pedal_merge_ms=7.5, retrigger_ms=8.0,
                                retrigger_ratio=0.4, crosstalk_ms=2.5, crosstalk_ratio=0.2)
    assert isinstance(km.rules.retrigger_ms, float)  # a whole number is fine for a float


def test_edges_of_the_ranges_are_accepted() -> None:
    r = parse("""\
        [hihat]
        open_below = 0
        closed_from = 128
        [triggers]
        retrigger_ms = 100
        crosstalk_ratio = 1
        """).rules
    assert (r.open_below, r.closed_from, r.retrigger_ms, r.crosstalk_ratio) == (0, 128, 100, 1)


@pytest.mark.parametrize(("extra", "line", "words"), [
    ("[hihat]\npedal_pedal = 3\n", 9, ["unknown key 'pedal_pedal'", "[hihat]", "pedal_notes"]),
    ("[triggers]\ncrosstalk = 3\n", 9, ["unknown key 'crosstalk'", "crosstalk_ms"]),
    ("[triggers]\nretrigger_ms = 'fast'\n", 9, ["retrigger_ms", "a number from 0 to 100"]),
    ("[hihat]\nopen_below = 30.5\n", 9, ["open_below", "a whole number from 0 to 128"]),
    ("[hihat]\nopen_below = true\n", 9, ["open_below", "true".title()]),
    ("[hihat]\npedal_cc = 128\n", 9, ["pedal_cc", "0 to 127", "128"]),
    ("[triggers]\n\ncrosstalk_ratio = 1.5\n", 10, ["crosstalk_ratio", "0 to 1", "1.5"]),
    ("[triggers]\nretrigger_ms = -1\n", 9, ["retrigger_ms", "-1"]),
    ("[hihat]\npedal_merge_ms = 250\n", 9, ["pedal_merge_ms", "0 to 100"]),
    ("[hihat]\npedal_notes = [38]\n", 9, ["pedal_notes", "38", "not a hi-hat note"]),
    ("[hihat]\npedal_notes = [44]\n", 9, ["pedal_notes", "44", "not a hi-hat note"]),
    ("[hihat]\npedal_notes = [46, 99]\n", 9, ["pedal_notes", "99"]),
    ("[hihat]\npedal_notes = 46\n", 9, ["pedal_notes", "a list"]),
    ("[hihat]\nopen_below = 100\nclosed_from = 90\n", 9, ["open_below", "closed_from"]),
    ("[hihat]\nclosed_from = 10\n", 9, ["open_below", "closed_from"]),  # default 32 > 10
])
def test_bad_rules_name_the_file_and_line(extra: str, line: int, words: list[str]) -> None:
    with pytest.raises(FormatError) as err:
        parse(extra)
    assert err.value.path == "kit.toml"
    assert err.value.line == line
    text = str(err.value)
    assert text.startswith(f"kit.toml, line {line}: ")
    for w in words:
        assert w in text


def test_table_of_the_wrong_kind(tmp_path: Path) -> None:
    path = tmp_path / "flat.toml"
    path.write_text('hihat = 3\n' + NOTES)
    with pytest.raises(FormatError, match=r"\[hihat\] must be a table") as err:
        load_kitmap(path)
    assert err.value.path == str(path) and err.value.line == 1


def test_a_bad_rule_in_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(NOTES + "[triggers]\nretrigger_ratio = 2\n")
    with pytest.raises(FormatError) as err:
        load_kitmap(str(path))
    assert str(err.value).startswith(f"{path}, line 9: ")


# writing a map back -----------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(set(builtin_kitmap_names())))
def test_builtin_maps_round_trip(name: str) -> None:
    km = load_kitmap(name)
    back = parse_kitmap(kitmap_to_toml(km), path="back.toml")
    assert back == km
    assert (back.name, back.description, back.notes, back.rules) == (
        km.name, km.description, km.notes, km.rules)


def test_builtin_rules_survive_the_round_trip() -> None:
    roland, alesis = load_kitmap("roland"), load_kitmap("alesis")
    assert roland.rules.pedal_notes == frozenset({46, 26})
    assert (roland.rules.open_below, roland.rules.closed_from) == (30, 128)
    assert alesis.rules.pedal_merge_ms == 10
    for km in (roland, alesis):
        assert parse_kitmap(kitmap_to_toml(km)).rules == km.rules


def test_every_rule_round_trips() -> None:
    rules = KitRules(pedal_cc=11, pedal_notes=frozenset({42}), open_below=10, closed_from=64,
                     pedal_merge_ms=12.5, retrigger_ms=0.0, retrigger_ratio=0.75,
                     crosstalk_ms=4.0, crosstalk_ratio=0.05)
    km = KitMap("Odd \"Kit\" #1", "a kit with every rule changed",
                {42: V.HIHAT_CLOSED, 38: V.SNARE, 127: V.RIDE_BELL, 0: V.KICK}, rules)
    text = kitmap_to_toml(km)
    assert "[hihat]" in text and "[triggers]" in text
    assert parse_kitmap(text) == km
    plain = KitMap("Plain", "", {36: V.KICK})
    assert "[hihat]" not in kitmap_to_toml(plain) and "[triggers]" not in kitmap_to_toml(plain)
    assert parse_kitmap(kitmap_to_toml(plain)) == plain


# kits.toml ----------------------------------------------------------------------
def test_missing_profiles_file(home: Path) -> None:
    assert load_profiles() == ({}, [])
    assert not kits_path().exists()
    assert kits_path() == home / "kits.toml"


def test_save_then_load_profiles() -> None:
    td = "TD-17:TD-17 MIDI 1 20:0"
    sock = 'tcp:127.0.0.1:9000'
    odd = 'Kit "A".b [x]'
    save_profile(td, KitProfile("roland", 1.2, 0.8))
    save_profile(sock, KitProfile("alesis"))
    save_profile(odd, KitProfile("My Kit", 2, 3))
    profiles, warnings = load_profiles()
    assert warnings == []
    assert profiles == {td: KitProfile("roland", 1.2, 0.8), sock: KitProfile("alesis"),
                        odd: KitProfile("My Kit", 2.0, 3.0)}
    save_profile(td, KitProfile("gm", 0.5, 1.5))  # replaces that one, keeps the rest
    profiles, _ = load_profiles()
    assert profiles[td] == KitProfile("gm", 0.5, 1.5)
    assert profiles[sock] == KitProfile("alesis") and len(profiles) == 3
    assert [p.name for p in kits_path().parent.iterdir() if p.name.startswith(".")] == []


def test_profiles_at_an_explicit_path(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere" / "kits.toml"
    save_profile("Kit", KitProfile("yamaha"), path)
    assert load_profiles(path) == ({"Kit": KitProfile("yamaha")}, [])
    assert not kits_path().exists()


@pytest.mark.parametrize("content", [b"[devices\nbroken", b"\xff\xfe\x00 not utf-8",
                                     b'[devices."A"]\nkitmap = "gm"\nkitmap = "gm"\n'])
def test_a_damaged_kits_file_is_moved_aside(home: Path, content: bytes) -> None:
    kits_path().write_bytes(content)
    profiles, warnings = load_profiles()
    assert profiles == {}
    aside = sorted(home.glob("kits.toml.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == content
    assert not kits_path().exists()
    assert len(warnings) == 1
    assert "kits.toml" in warnings[0] and aside[0].name in warnings[0]
    assert "defaults" in warnings[0]
    save_profile("Kit", KitProfile("gm"))  # and the next save starts afresh
    assert load_profiles() == ({"Kit": KitProfile("gm")}, [])


def test_a_bad_value_falls_back_and_keeps_the_others() -> None:
    kits_path().write_text(textwrap.dedent("""\
        [devices."TD-17"]
        kitmap = "alesis"
        velocity_gain = "loud"
        velocity_gamma = 0.8

        [devices.Other]
        kitmap = 5
        velocity_gain = 2
        velocity_gamma = 0

        [devices.Third]
        velocity_gain = true
        velocity_gamma = 11
        """))
    profiles, warnings = load_profiles()
    assert profiles["TD-17"] == KitProfile("alesis", 1.0, 0.8)
    assert profiles["Other"] == KitProfile("default", 2.0, 1.0)
    assert isinstance(profiles["Other"].velocity_gain, float)
    assert profiles["Third"] == KitProfile()
    assert len(warnings) == 5
    joined = "\n".join(warnings)
    for bad in ("velocity_gain = 'loud'", "kitmap = 5", "velocity_gamma = 0",
                "velocity_gain = True", "velocity_gamma = 11"):
        assert bad in joined
    assert kits_path().exists()  # a bad value is not a damaged file


def test_devices_of_the_wrong_shape() -> None:
    kits_path().write_text('devices = 3\n')
    assert load_profiles()[0] == {} and "[devices]" in load_profiles()[1][0]
    kits_path().write_text('[devices]\nA = "gm"\n[devices.B]\nkitmap = "gm"\n')
    profiles, warnings = load_profiles()
    assert profiles == {"B": KitProfile("gm")}
    assert len(warnings) == 1 and "'A'" in warnings[0]


# the person's own kit maps ------------------------------------------------------
def learned() -> KitMap:
    rules = KitRules(pedal_notes=frozenset({8}), open_below=20, closed_from=100)
    return KitMap("Learned", "made on the MIDI-learn screen",
                  {1: V.KICK, 2: V.SNARE, 8: V.HIHAT_CLOSED, 9: V.HIHAT_PEDAL}, rules)


@pytest.mark.parametrize("name", ["My Kit", "td-17_learned.v2", "K"])
def test_save_and_resolve_an_own_kit_map(home: Path, name: str) -> None:
    path = save_user_kitmap(learned(), name)
    assert path == home / "kitmaps" / f"{name}.toml" and path.is_file()
    assert resolve_kitmap(name) == learned()
    names = kitmap_names()
    assert names == [*builtin_kitmap_names(), name]
    assert resolve_kitmap(str(path)) == learned()  # by path too
    assert resolve_kitmap("alesis") == load_kitmap("alesis")  # built-ins unchanged


def test_own_maps_are_listed_sorted_after_the_builtins() -> None:
    for name in ("zeta", "Alpha", "mid"):
        save_user_kitmap(learned(), name)
    assert kitmap_names() == [*builtin_kitmap_names(), "Alpha", "mid", "zeta"]


def test_every_listed_own_name_loads_that_map() -> None:
    # a file named like a built-in could never be loaded by its name: not offered
    for stem in ("Roland", "GM", "mine"):
        (user_kitmaps_dir() / f"{stem}.toml").write_text(kitmap_to_toml(learned()))
    own = kitmap_names()[len(builtin_kitmap_names()):]
    assert own == ["mine"]
    assert all(resolve_kitmap(n) == learned() for n in own)


def test_saving_again_replaces_the_map() -> None:
    save_user_kitmap(learned(), "Mine")
    other = KitMap("Other", "", {36: V.KICK})
    save_user_kitmap(other, "Mine")
    assert resolve_kitmap("Mine") == other
    assert [p.name for p in user_kitmaps_dir().iterdir()] == ["Mine.toml"]


@pytest.mark.parametrize("name", ["", " lead", "../up", "a/b", "x.toml", "a" * 42, "tab\tname",
                                  "ünï", "-dash", "roland", "Default", "GM"])
def test_bad_own_map_names(name: str) -> None:
    with pytest.raises(FormatError) as err:
        save_user_kitmap(learned(), name)
    assert repr(name) in str(err.value)
    assert list(user_kitmaps_dir().iterdir()) == []


def test_a_damaged_own_map_names_its_file_and_line() -> None:
    path = user_kitmaps_dir() / "Broken.toml"
    path.write_text(NOTES + "[hihat]\npedal_notes = [36]\n")
    assert "Broken" in kitmap_names()
    with pytest.raises(FormatError) as err:
        resolve_kitmap("Broken")
    assert err.value.path == str(path) and err.value.line == 9


def test_unknown_map_name_lists_the_builtins() -> None:
    with pytest.raises(FormatError, match="unknown kit map 'Nope'") as err:
        resolve_kitmap("Nope")
    assert all(n in str(err.value) for n in builtin_kitmap_names())
