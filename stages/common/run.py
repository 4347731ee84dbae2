"""Running a stage: one clear error message instead of a traceback, logging, progress lines."""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")


class StageError(SystemExit):
    """A failure a person must read: printed as one clear message, exit status 1."""

    def __init__(self, message: str) -> None:
        super().__init__(1)
        self.message = message

    def __str__(self) -> str:
        return self.message


def log(stage: str, message: str) -> None:
    print(f"[{stage}] {message}", file=sys.stderr, flush=True)


def progress(items: Iterable[T], stage: str, what: str, total: int | None = None,
             every_s: float = 5.0) -> Iterator[T]:
    """Yield items, logging a progress line at most every `every_s` seconds (long stages show progress)."""
    started = last = time.monotonic()
    done = 0
    for item in items:
        yield item
        done += 1
        now = time.monotonic()
        if now - last >= every_s:
            last = now
            of = f"/{total}" if total is not None else ""
            log(stage, f"{what}: {done}{of} ({done / (now - started):.0f}/s)")


# Where a stage's outputs live (the contract: data/<stage>/); a killed writer leaves `.NAME.XXXX.tmp` there.
DATA_DIR = Path("data")


def sweep_temporaries(name: str, data_dir: Path = DATA_DIR) -> list[Path]:
    """Remove the temporaries a killed run of stage `name` left beside its outputs (`.NAME.XXXX.tmp`, the
    names `tables.open_temporary` gives, under data/<stage>/): each output has this stage as its one
    writer, so none of them is in use. Returns what was removed."""
    folder = data_dir / name
    removed = []
    try:
        stale = [path for path in folder.rglob(".*.tmp") if path.is_file() and not path.is_symlink()]
    except OSError:
        return []
    for path in stale:
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            pass
    return removed


def run_stage(name: str, main: Any) -> None:
    """Entry point wrapper: clear one-paragraph errors instead of tracebacks for expected failures.

    First the temporaries a killed earlier run left under data/<name>/ are swept (`sweep_temporaries`).

    After a successful run the process ends at once (os._exit): every output is already written, fsynced and
    renamed into place, and tearing down the interpreter's millions of objects one by one took up to 0.6 s
    per stage at 20k documents, a large share of an incremental rerun. Only the standard streams need flushing.
    """
    removed = sweep_temporaries(name)
    if removed:
        log(name, f"removed {len(removed)} temporary file(s) a killed earlier run left behind")
    try:
        main()
    except StageError as err:
        print(f"[{name}] ERROR: {err.message}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


# ------------------------------------------------------------------------------------------------ memory

def available_mb(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """The memory the system can still give without swapping (Linux's MemAvailable), in MB; None elsewhere."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def resident_mb() -> int:
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20
    except (OSError, ValueError, IndexError):
        return 0


def low_memory_message(stage: str, reserve_mb: int, left_mb: int, hint: str) -> str:
    return (f"stopped before the machine ran out of memory: this stage held {resident_mb():,} MB and only "
            f"{left_mb:,} MB were left (the stage stops below {stage}.memory_reserve_mb = {reserve_mb:,} MB, "
            f"before the system's out-of-memory killer would end it without a word). Nothing was written. "
            f"{hint}")


def watch_memory(stage: str, reserve_mb: int, hint: str, interval_s: float = 0.5,
                 available: Callable[[], int | None] = available_mb,
                 on_low: Callable[[str], None] | None = None) -> threading.Event:
    """Stop the stage with a clear message when the system's available memory falls under `reserve_mb`.

    A daemon thread polls `available()`; below the reserve it prints the message and ends the process at
    once with status 1 (`on_low` replaces that, for tests). Outputs are written atomically, so a stopped
    stage leaves every output old or absent, never half-written. 0 switches the guard off. Returns an
    event that stops the watching."""
    stop = threading.Event()
    if reserve_mb <= 0 or available() is None:
        return stop

    def die(message: str) -> None:
        print(f"[{stage}] ERROR: {message}", file=sys.stderr, flush=True)
        os._exit(1)

    def watch() -> None:
        while not stop.wait(interval_s):
            left = available()
            if left is not None and left < reserve_mb:
                (on_low or die)(low_memory_message(stage, reserve_mb, left, hint))
                return
    threading.Thread(target=watch, name=f"{stage}-memory-guard", daemon=True).start()
    return stop
