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
