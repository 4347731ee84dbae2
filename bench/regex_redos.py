"""Every regular expression of the stages runs in linear time: feed each adversarial strings, print the worst.

Finds every pattern the stages use: those compiled at module level in `stages.*` (and in lists, tuples and
dicts there), and those compiled at run time (built from word lists in data files, or inside functions),
caught by watching `re` while the import and a run of clean, segment and the tag extractors over the seeds
compile them. Each runs `finditer` over adversarial inputs of N characters (default 100k) built from characters
the pattern itself
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


def watch_compiles(found: dict[str, re.Pattern]):
    """Record every pattern compiled from code under stages/ (not the libraries' own patterns)."""
    original = re._compile  # re.compile, re.search, ... all go through it
    stages_dir = str(ROOT / "stages")

    def spy(pattern, flags):
        compiled = original(pattern, flags)
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename.endswith(("/re/__init__.py", "re.py")):
            frame = frame.f_back
        if frame is not None and frame.f_code.co_filename.startswith(stages_dir) and isinstance(compiled, re.Pattern):
            where = Path(frame.f_code.co_filename).relative_to(ROOT).as_posix()
            found.setdefault(f"{where}:{frame.f_lineno} (run time)", compiled)
        return compiled

    re._compile = spy
    return original


def exercise_stages() -> None:
    """Run clean, segment and the rule-based tag extractors over the seeds so run-time patterns compile."""
    import polars as pl
    from schemas.params import validate_section
    from stages.ingest.__main__ import ingest_files, list_inputs, rows_cache
    params = __import__("yaml").safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    ingest = validate_section("ingest", {**params["ingest"], "input_dir": str(ROOT / "seeds"), "cache": False})
    docs, _, _ = ingest_files(list_inputs(ROOT / "seeds"), ingest, rows_cache(ingest))
    from stages.clean.corpus import clean_corpus
    from stages.segment.sentences import lexicon_file, load_lexicon, split_paragraphs, split_sentences
    segment = validate_section("segment", params["segment"])
    lexicon = load_lexicon(lexicon_file(segment))
    clean, _ = clean_corpus(docs, validate_section("clean", params["clean"]))
    rows = []
    for doc_id, text in clean.select("doc_id", "text").iter_rows():
        for paragraph, (p0, p1) in enumerate(split_paragraphs(text)):
            for index, (s0, s1) in enumerate(split_sentences(text[p0:p1], segment, lexicon)):
                rows.append((doc_id, f"{doc_id}:{paragraph}:{index}", paragraph, index, p0 + s0, p0 + s1,
                             text[p0 + s0:p0 + s1]))
    sentences = pl.DataFrame(rows, schema=["doc_id", "sent_id", "paragraph", "index", "start", "end", "text"],
                             orient="row")
    from schemas.base import empty_frame
    from schemas.params import validate_section
    from schemas.tag import Entities
    from stages.tag.registry import EXTRACTORS, DocumentBatch, run_extractor
    tag = validate_section("tag", params["tag"])
    for extractor in EXTRACTORS:
        batch = DocumentBatch(clean, sentences, empty_frame(Entities) if extractor.needs_entities else None)
        run_extractor(extractor, extractor.section(tag), batch)


def patterns() -> dict[str, re.Pattern]:
    import stages
    found: dict[str, re.Pattern] = {}
    original = watch_compiles(found)
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
    try:
        exercise_stages()
    except Exception as err:  # still time what was found; say what could not run
        print(f"could not run the stages over the seeds: {type(err).__name__}: {err}", file=sys.stderr)
    finally:
        re._compile = original
    # The same pattern found twice (module level and run time) is timed once.
    unique: dict[tuple[str, int], str] = {}
    for name in sorted(found):
        unique.setdefault((found[name].pattern, found[name].flags), name)
    return {name: found[name] for name in unique.values()}


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
