"""Process settings for steady input timing while a song plays."""

from __future__ import annotations

import gc
import sys

#: How long a thread may hold the GIL while an input thread waits for it (Python's
#: default is 5 ms; the kit readers and the key listener need it much sooner).
SWITCH_INTERVAL_S = 0.00025


def settle_for_realtime() -> None:
    """Make pauses short for the input threads (kit readers, the X11 key listener).

    Everything loaded so far is moved out of the garbage collector's sight
    (``gc.freeze``), so a collection never walks the whole program while a
    stroke waits; and a thread waiting for the GIL gets it within a quarter
    of a millisecond instead of Python's default 5 ms.
    """
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
