"""The timing engine stays headless: standard library and numpy only."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "game" / "engine"

FORBIDDEN = ("pygame", "mido", "librosa", "numba", "rtmidi", "soundfile", "scipy", "sklearn")
SUBMODULES = ("bot", "replay", "report", "sync", "session", "judge", "scoring", "tempo",
              "chart", "voices", "windows", "events", "errors", "reduce")
ALLOWED_THIRD_PARTY = {"numpy", "__future__", "typing"}


def engine_modules() -> list[str]:
    names = ["game.engine"]
    for sub in SUBMODULES:
        if (ENGINE / f"{sub}.py").exists():
            names.append(f"game.engine.{sub}")
    # Any other module in the package too.
    for path in sorted(ENGINE.glob("*.py")):
        name = f"game.engine.{path.stem}"
        if path.stem != "__init__" and name not in names:
            names.append(name)
    return names


PROBE = """
import importlib, json, sys
names = json.loads(sys.argv[1])
for name in names:
    importlib.import_module(name)
print(json.dumps(sorted(sys.modules)))
"""


def test_engine_imports_nothing_heavy_in_a_fresh_interpreter() -> None:
    names = engine_modules()
    assert "game.engine.session" in names
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(names)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout)
    for name in names:
        assert name in loaded
    heavy = sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN)
    assert heavy == [], f"the engine imported {heavy}"
    outside = sorted(m for m in loaded if m.startswith("game.")
                     and not (m == "game.engine" or m.startswith("game.engine."))
                     and not m.startswith("game.util"))
    assert outside == [], f"the engine imported {outside}"
    assert "numpy" in loaded or "game.engine.bot" not in names


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # Relative: only within game.engine itself.
                found.append((node.lineno, "game.engine." + (node.module or "")
                              if node.level == 1 else "." * node.level + (node.module or "")))
            else:
                found.append((node.lineno, node.module or ""))
    return found


def allowed(module: str) -> bool:
    top = module.split(".")[0]
    if module == "game.engine" or module.startswith(("game.engine.", "game.util.")):
        return True  # itself, and the bottom layer (errors, no file helpers)
    if top == "game":
        return False
    return top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY


@pytest.mark.parametrize("path", sorted(ENGINE.rglob("*.py")), ids=lambda p: p.name)
def test_engine_sources_import_only_stdlib_numpy_and_engine(path: Path) -> None:
    bad = [f"{path.name}:{line}: {mod}" for line, mod in imports_of(path) if not allowed(mod)]
    assert bad == []


def test_allowed_rule_itself() -> None:
    assert allowed("math")
    assert allowed("numpy")
    assert allowed("game.engine.chart")
    assert not allowed("game.formats.beatmap")
    assert allowed("game.util.errors")
    assert not allowed("game")
    assert not allowed("pygame")
    assert not allowed("scipy.stats")
    assert not allowed("..formats")
