"""`pip install .` gives a working program: the wheel carries the songs and kit maps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_in_pyproject():
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"])
    found = {".".join(p.relative_to(REPO).parts[:-1]) for p in (REPO / "game").rglob(
        "__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


@pytest.mark.slow
def test_wheel_install_finds_assets(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-w",
                    str(wheels), "-q"], check=True, capture_output=True)
    (wheel,) = wheels.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "game/_assets/beatmaps/first-contact.beatmap" in names
    assert "game/kitmaps/roland_td.toml" in names
    for lang in ("ko", "ja"):  # the compiled catalogs and the fonts that draw them
        assert f"game/locale/{lang}/LC_MESSAGES/drum_diplomacy.mo" in names
    assert {"game/fonts/NotoSans-Bold.subset.ttf", "game/fonts/NotoSansCJK-Bold.subset.otf",
            "game/fonts/OFL.txt"} <= set(names)
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(site),
                    str(wheel), "-q"], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("DRUM_DIPLOMACY_ASSETS", None)
    proc = subprocess.run([sys.executable, "-m", "game", "songs", "--json"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, check=True)
    songs = json.loads(proc.stdout)["songs"]
    assert songs and all(str(site) in s["beatmap"] for s in songs)
    # the songs' audio and stems come along in the wheel
    with_audio = [s for s in songs if s["audio"]]
    assert len(with_audio) >= 3
    for s in with_audio:
        assert Path(s["audio"]).is_file(), s["audio"]
        assert all(Path(p).is_file() for p in s["stems"].values()), s["stems"]
    proc = subprocess.run([sys.executable, "-m", "game", "simulate", "first-contact", "--json"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout)["players"][0]["accuracy"] == 1.0
    # the installed game speaks Korean and Japanese with the fonts it ships
    code = ("from game.ui.i18n import set_language, tr, locale_dir; "
            "from game.ui.fonts import default_chain_files; "
            "set_language('ko'); k = tr('Settings'); set_language('ja'); j = tr('Settings'); "
            "print(k, j, locale_dir(), len(default_chain_files()))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=True)
    ko, ja, where, fonts = proc.stdout.split()
    assert ko != "Settings" and ja != "Settings" and ko != ja
    assert str(site) in where and fonts == "3"
