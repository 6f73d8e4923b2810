"""Save a PNG of every screen of the game in a language, and list its layout problems.

Each screen of ``tests/screens.py`` (title, song select, player setup, gameplay,
results, practice, the MIDI screens...) is built headless in a representative
state, drawn at the window size asked, saved as ``<out>/<screen>.png`` and
checked like ``tests/test_layout_languages.py`` does: text outside the
window, text running out of its panel, strings on top of each other, and (in
Korean and Japanese) English left on screen.

Usage::

    python tools/screens.py --lang ko --out /tmp/shots_ko [--size 1280x720] [--only NAME]

Exit status: 0 when no screen has a problem, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# tests/ first: ``screens`` is the catalogue there, not this file
sys.path[:] = [str(ROOT / "tests"), str(ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` -> ``(1280, 720)``."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None
    if w < 320 or h < 240:
        raise argparse.ArgumentTypeError(f"{text} is too small")
    return w, h


def main(argv: list[str] | None = None) -> int:
    """Draw, save and check the screens; the exit status."""
    import pygame
    from screens import SCREENS, draw_screen
    from test_layout_languages import find_problems

    from game.ui.i18n import LANGUAGES

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", default="en", choices=sorted(LANGUAGES))
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNGs")
    parser.add_argument("--size", type=parse_size, default=(1280, 720), help="WIDTHxHEIGHT")
    parser.add_argument("--only", action="append", choices=sorted(SCREENS), metavar="NAME",
                        help="this screen only (repeatable); names: " + ", ".join(SCREENS))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    total, t0 = 0, time.perf_counter()
    for name in args.only or list(SCREENS):
        surface, probe = draw_screen(name, args.lang, args.size)
        pygame.image.save(surface, str(args.out / f"{name}.png"))
        problems = find_problems(args.lang, args.size, surface, probe)
        total += len(problems)
        print(f"{name}: {len(probe.texts)} texts, {len(probe.frames)} panels, "
              f"{len(problems) or 'no'} problem{'' if len(problems) == 1 else 's'}")
        for line in problems:
            print(f"    {line}")
    print(f"{total} problem(s); PNGs in {args.out} ({time.perf_counter() - t0:.1f} s)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
