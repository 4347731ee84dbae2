"""Giving freed memory back to the system between the heavy steps of the stage.

The story search allocates many small blocks through the C allocator (per-document MinHash sketches in
rensa, Python lists of shingles); once freed they sit in glibc's heap and stay resident under the next
step's peak (the sentence alignment) unless glibc is asked to return them. `release_memory` collects
reference cycles, then calls glibc's malloc_trim(0), which also returns free pages in the middle of the
heap. It changes no result; where glibc is not the C library it only collects garbage.
"""
from __future__ import annotations

import ctypes
import functools
import gc


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def release_memory() -> None:
    """Collect garbage, then return the C heap's free pages to the system (glibc only)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
