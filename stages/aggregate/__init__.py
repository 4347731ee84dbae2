"""The aggregate stage (run with `python -m stages.aggregate`).

Allocators: polars allocates through its own jemalloc and rensa (MinHash) through its own mimalloc; both
keep freed pages for a while (jemalloc ~10 s) before giving them back to the system. This stage builds and
drops a few large intermediate results one after the other (sentence signatures, the MinHash index,
alignment candidates), so that retention, not live data, set its peak resident memory. Ask both to return
freed pages soon: at 20,000 documents the peak drops from ~910 to ~620 MB for ~0.5 s more system time
(jemalloc's 100 ms; 0 ms gives ~545 MB but costs ~2 s of madvise calls). Results do not change. Each
allocator reads its setting when its library first allocates, so this only applies when this package is
imported before polars and rensa (as `python -m stages.aggregate` does); a value set by the caller wins.
"""
import os

os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:100,muzzy_decay_ms:0")
os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")
