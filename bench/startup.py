"""Start-up to the first frame: ``drum-diplomacy`` from process spawn to its first flip.

Run: ``python bench/startup.py [--lang ko]``. Prints figures (target <= 1.5 s,
and no librosa/numba imported on the way). With ``--lang ko`` or ``ja`` the title
screen is drawn in that language, which loads the CJK font on the way.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def once(tmp: Path, lang: str | None) -> tuple[float, list[str]]:
    probe = tmp / "probe.json"
    probe.unlink(missing_ok=True)
    env = {**os.environ, "SDL_VIDEODRIVER": os.environ.get("SDL_VIDEODRIVER", "dummy"),
           "SDL_AUDIODRIVER": "dummy", "DRUM_DIPLOMACY_HOME": str(tmp / "home"),
           "DRUM_DIPLOMACY_STARTUP_PROBE": str(probe)}
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "game", *(["--lang", lang] if lang else [])]
    subprocess.run(cmd, env=env, check=True, timeout=60)
    doc = json.loads(probe.read_text())
    return doc["first_frame_perf_s"] - t0, doc["heavy_modules"]


def main() -> None:
    """Five cold-ish starts (the first also builds the settings and score files)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", choices=["en", "ko", "ja"], help="the title screen's language")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dd-startup-"))
    runs = [once(tmp, args.lang) for _ in range(5)]
    secs = [r[0] for r in runs]
    heavy = sorted({m for r in runs for m in r[1]})
    lang = args.lang or "default language"
    print(f"start-up to first frame (title screen, {lang}): "
          f"median {statistics.median(secs):.3f} s, "
          f"max {max(secs):.3f} s, first run {secs[0]:.3f} s — target <= 1.5 s")
    print(f"heavy modules imported before the first frame: {heavy or 'none'}")


if __name__ == "__main__":
    main()
