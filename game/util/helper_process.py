"""Helper processes that speak a line protocol on their stdin and stdout.

The song library scan (:mod:`game.store.scan_worker`) and the practice audio
worker (:mod:`game.audio.stretch_worker`) run in child processes started with
``python -m MODULE``: the parent writes one request per line and reads one
answer per line. A child ends when its input closes; this module holds the two
halves they share.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any, TextIO

#: How long a helper has to exit once its input is closed, before it is killed (s).
EXIT_WAIT_S = 2.0


def serve_as_helper(serve: Callable[[TextIO, TextIO], None]) -> None:
    """Run ``serve(stdin, stdout)`` as a helper process's main: at a lower priority
    (the game's window keeps the CPU), the protocol on the real stdout only (a
    stray ``print`` goes to stderr instead of breaking it)."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)
    out = sys.stdout
    sys.stdout = sys.stderr
    serve(sys.stdin, out)


def end_helper(proc: subprocess.Popen[Any], *, wait_s: float = EXIT_WAIT_S) -> None:
    """Close the helper's input (it exits when it sees the end) and wait for it; kill it
    if it has not ended within ``wait_s``. Never raises for a helper already gone."""
    with contextlib.suppress(OSError, ValueError):
        if proc.stdin is not None:
            proc.stdin.close()
    try:
        proc.wait(timeout=wait_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=wait_s)
