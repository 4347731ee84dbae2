"""Every regular expression of the stages runs in linear time: feed each adversarial strings, print the worst.

Finds every compiled pattern at module level in `stages.*` (and in lists, tuples and dicts there), runs
`finditer` over adversarial inputs of N characters (default 100k) built from characters the pattern itself
uses, and times it. A linear pattern takes milliseconds; a backtracking one takes seconds or never ends,
so each run is capped (`--cap` seconds) in a subprocess and reported as TIMEOUT.

    python bench/regex_redos.py [--size 100000] [--cap 5]
"""
from __future__ import annotations

import argparse
import importlib
import multiprocessing as mp
import pkgutil
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEEDS = [" ", "a", "A", ".", ",", "\n", "1", "Mr. ", "U.S. ", "“", "\"", "'", "a ", "A. ", "1,0", "-", "—",
         "ab", "Aa ", " \n", ". A", "http://a", "@a.", "(", ")", ":"]


def patterns() -> dict[str, re.Pattern]:
    import stages
    found: dict[str, re.Pattern] = {}
    for info in pkgutil.walk_packages(stages.__path__, "stages."):
        if info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception as err:  # a module that needs a model or data still gets reported
            print(f"skip {info.name}: {type(err).__name__}: {err}", file=sys.stderr)
            continue
        for name, value in vars(module).items():
            values = value.values() if isinstance(value, dict) else value \
                if isinstance(value, (list, tuple)) else [value]
            for i, item in enumerate(values):
                if isinstance(item, re.Pattern):
                    found[f"{info.name}.{name}" + (f"[{i}]" if item is not value else "")] = item
    return found


def adversarial(pattern: re.Pattern, size: int) -> list[str]:
    """Repetitions of single characters and short units, plus the pattern's own literal characters."""
    literal = sorted(set(re.sub(r"\\.|[\[\]\(\)\{\}\*\+\?\|\^\$]", "", pattern.pattern)))[:12]
    units = SEEDS + literal + ["".join(literal[:4])]
    texts = [(unit * (size // max(1, len(unit)) + 1))[:size] for unit in units if unit]
    texts += [t[:-1] + "!" for t in texts[:8]]  # a mismatch at the very end forces full backtracking
    return texts


def worst_time(pattern: re.Pattern, size: int) -> float:
    worst = 0.0
    for text in adversarial(pattern, size):
        started = time.perf_counter()
        for _ in pattern.finditer(text):
            pass
        worst = max(worst, time.perf_counter() - started)
    return worst


def timed(args: tuple[str, int, int], queue: mp.Queue) -> None:
    pattern, flags, size = args
    queue.put(worst_time(re.compile(pattern, flags), size))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--cap", type=float, default=5.0)
    args = parser.parse_args()
    found = patterns()
    print(f"{len(found)} patterns, adversarial inputs of {args.size:,} characters, cap {args.cap}s each")
    # Baseline in the same run: a pattern known to be linear.
    baseline = worst_time(re.compile(r"\w+"), args.size)
    results = []
    for name, pattern in sorted(found.items()):
        queue: mp.Queue = mp.Queue()
        proc = mp.Process(target=timed, args=((pattern.pattern, pattern.flags, args.size), queue))
        proc.start()
        proc.join(args.cap)
        if proc.is_alive():
            proc.kill()
            results.append((name, None))
        else:
            results.append((name, queue.get()))
    results.sort(key=lambda r: -1 if r[1] is None else -r[1])
    print(f"{'pattern':60s} {'worst (ms)':>12s}")
    label = "baseline: \\w+ (linear)"
    print(f"{label:60s} {baseline * 1000:12.1f}")
    for name, seconds in results[:15]:
        print(f"{name[:60]:60s} {'TIMEOUT' if seconds is None else f'{seconds * 1000:.1f}':>12s}")
    timeouts = [n for n, s in results if s is None]
    worst = max((s for _, s in results if s is not None), default=0.0)
    print(f"worst: {'TIMEOUT in ' + ', '.join(timeouts) if timeouts else f'{worst * 1000:.1f} ms'}")
    return 1 if timeouts else 0


if __name__ == "__main__":
    sys.exit(main())
