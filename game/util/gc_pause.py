"""Holding off Python's cyclic garbage collector while many small objects are made."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector for the block.

    Reading or writing a long chart creates hundreds of thousands of small
    objects and no reference cycles; without this the collector would walk
    all of them again and again (about half the time of a parse). It is
    switched back on afterwards only if it was on before.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
