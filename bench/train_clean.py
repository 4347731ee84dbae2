"""Train the clean stage's two small models, cross-validated by site; one command: `make train-clean`.

    python bench/train_clean.py [--only join|body] [--folds 5] [--seed 0] [--no-write] [--dump-cv FILE]

Data (pinned: the files of ../shared/benchmarks as they are; nothing is downloaded): the 1,330 boilerplate_dev
pages (L3S-GN1, Dragnet; `text/`, `text_wrapped/`, `html/`, gold bodies) and the 111 article_extraction pages
(`texts/`, `html/`, gold). Each page's site is its gold url's host when there is one, else the host of the
page's canonical link / og:url, else the most common host among its absolute links, else its <title>'s
" - Site" suffix (`page_site`): folds are by site (scikit-learn GroupKFold over the sites, pages shuffled with
the seed first), so no site is in two folds, and every figure printed is for pages whose site the model never
saw. The final models are then fitted on all pages and written as LightGBM text models (never a pickle):

1. join (stages/clean/data/join_model.txt, stages/clean/wrap.py): is a line break of a hard-wrapped text
   inside a paragraph? Labels from aligning each `text_wrapped/` page with its `text/` rendering (every
   wrapped line is a piece of one rendered block); the `text/` renderings and the article pages' texts add
   their breaks as negatives (a one-block-a-line page must not be joined).
2. body (stages/clean/data/body_model.txt for the HTML route, text_model.txt for the plain-text routes, with
   the shape features besides; stages/clean/classifier.py): is a block body? Each page through
   each route (text, text_wrapped, html through ingest's route) is split and featurised by the stage's own
   code (stages.clean.classifier.page_matrices: the rule-based phases' verdicts, the block's own features,
   its neighbours', its position and the page's profile); a block is body when most of its 3-word shingles
   (its words, for a short block) are in the gold body. The CV figure is the stage's own output for the
   held-out pages (clean_corpus with the fold's model), scored with bench/clean.py's metric; it goes, per set
   and route, to stages/clean/data/body_model.cv.json, which `make bench-clean` prints beside its figures.
3. select (stages/clean/data/select_model.txt, stages/clean/select.py): on the HTML route, is an
   extractor's article (trafilatura's, readability's, trafilatura's with its comments, from the line votes)
   better than the classifier's body, and by how much? A regression over each candidate's size, agreement
   with the other candidates, the classifier's probabilities over it and the page's profile; its examples
   are every HTML page's candidates under the cross-validated block model, its label the candidate's F1
   gain over ours (bench/clean.py's page metric). CV by the same folds; the HTML figures in
   body_model.cv.json are the stage's output with both fold models ("html_classifier_only": without the
   selector).

LightGBM runs with `deterministic`, one thread and fixed seeds: the same data give the same model files.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT))
import clean as bench  # noqa: E402  (bench/clean.py: pages, routes, metric)

DATA = ROOT / "stages" / "clean" / "data"
LGB_PARAMS = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 40,
              "feature_fraction": 0.9, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
              "deterministic": True, "force_row_wise": True, "num_threads": 1, "verbosity": -1}
JOIN_ROUNDS, BODY_ROUNDS, SELECT_ROUNDS = 150, 300, 200
SELECT_PARAMS = {**LGB_PARAMS, "objective": "l1", "num_leaves": 15, "min_data_in_leaf": 20}

CANONICAL = re.compile(r"<link\s[^>]*rel\s*=\s*[\"']canonical[\"'][^>]*>|<meta\s[^>]*og:url[^>]*>", re.I)
HREF = re.compile(r"(?:href|content)\s*=\s*[\"'](https?://[^\"']+)[\"']", re.I)
TITLE = re.compile(r"<title[^>]*>([^<]*)</title>", re.I)


def host(url: str | None) -> str | None:
    if not url:
        return None
    name = (urlparse(url.strip()).hostname or "").lower()
    name = name[4:] if name.startswith("www.") else name
    return name or None


def page_site(page: dict, html: str) -> str:
    """The page's site, for folds: see the module docstring."""
    found = host(page.get("url"))
    if found:
        return found
    for tag in CANONICAL.findall(html):
        match = HREF.search(tag)
        if match and host(match.group(1)):
            return host(match.group(1))
    hosts = Counter(h for h in map(host, HREF.findall(html)) if h)
    if hosts:
        return hosts.most_common(1)[0][0]
    title = TITLE.search(html)
    if title and re.search(r"\s[|–—-]\s", title.group(1)):
        return re.split(r"\s[|–—-]\s", title.group(1))[-1].strip().lower()
    return page["id"]


def folds_of(sites: list[str], n_folds: int, seed: int) -> list[int]:
    """Each page's fold: GroupKFold over the sites, the site order shuffled with the seed."""
    from sklearn.model_selection import GroupKFold
    rng = np.random.default_rng(seed)
    unique = sorted(set(sites))
    order = {site: int(rank) for rank, site in zip(rng.permutation(len(unique)), unique)}
    groups = np.array([order[s] for s in sites])
    fold = np.zeros(len(sites), dtype=int)
    for k, (_, test) in enumerate(GroupKFold(n_splits=n_folds).split(np.zeros(len(sites)), groups=groups)):
        fold[test] = k
    return fold.tolist()


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray | None, rounds: int, seed: int):
    import lightgbm
    params = {**LGB_PARAMS, "seed": seed, "bagging_seed": seed, "feature_fraction_seed": seed}
    return lightgbm.train(params, lightgbm.Dataset(x, y, weight=w, free_raw_data=True), num_boost_round=rounds)


def fit_selector(x: np.ndarray, y: np.ndarray, seed: int):
    """The document-level selector: a regression (L1: the median, robust to the few pages an extractor
    reads very badly) of each candidate's F1 gain over ours."""
    import lightgbm
    params = {**SELECT_PARAMS, "seed": seed, "bagging_seed": seed, "feature_fraction_seed": seed}
    return lightgbm.train(params, lightgbm.Dataset(x, y, free_raw_data=True), num_boost_round=SELECT_ROUNDS)


# -------------------------------------------------------------------------------------------- join

def norm(line: str) -> str:
    return " ".join(line.split())


def join_examples(page: dict) -> list[tuple[np.ndarray, np.ndarray]]:
    """(features, labels) of the page's breaks: its wrapped rendering aligned with its text rendering, and
    the text rendering itself (all negatives)."""
    from stages.clean.wrap import boundary_features
    text = [norm(line) for line in page["text"].read_text(encoding="utf-8").split("\n") if line.strip()]
    out = []
    if len(text) >= 2:
        out.append((boundary_features(text), np.zeros(len(text) - 1)))
    if page["text_wrapped"] is None:
        return out
    wrapped = [norm(line) for line in page["text_wrapped"].read_text(encoding="utf-8").split("\n") if line.strip()]
    labels, acc, t = [], "", 0
    for line in wrapped:
        acc = f"{acc} {line}" if acc else line
        if t < len(text) and acc == text[t]:
            labels.append(0)
            acc, t = "", t + 1
        elif t < len(text) and text[t].startswith(acc):
            labels.append(1)
        else:
            return out   # the renderings do not align: left out
    if len(wrapped) >= 2:
        out.append((boundary_features(wrapped), np.array(labels[:-1], dtype=float)))
    return out


def train_join(pages: list[dict], folds: list[int], n_folds: int, seed: int, write: bool) -> dict:
    per_page = [join_examples(p) for p in pages]
    x = np.vstack([f for examples in per_page for f, _ in examples])
    y = np.concatenate([labels for examples in per_page for _, labels in examples])
    fold = np.concatenate([np.full(len(labels), folds[i]) for i, ex in enumerate(per_page) for _, labels in ex])
    predicted = np.zeros(len(y))
    for k in range(n_folds):
        model = fit(x[fold != k], y[fold != k], None, JOIN_ROUNDS, seed)
        predicted[fold == k] = model.predict(x[fold == k])
    decided = predicted >= 0.5
    tp, fp, fn = int((decided & (y == 1)).sum()), int((decided & (y == 0)).sum()), int((~decided & (y == 1)).sum())
    # Breaks between two lines of 5+ words (prose; the others are mostly menus that a browser renders on
    # one line, where a join or not changes nothing: they are not body either way).
    prose = (x[:, 2] >= 5) & (x[:, 3] >= 5)
    ptp = int((decided & (y == 1) & prose).sum())
    figures = {"breaks": int(len(y)), "joins": int(y.sum()), "precision": tp / max(1, tp + fp),
               "recall": tp / max(1, tp + fn), "accuracy": float((decided == (y == 1)).mean()),
               "prose_precision": ptp / max(1, int((decided & prose).sum())),
               "prose_recall": ptp / max(1, int(((y == 1) & prose).sum()))}
    print(f"join model, CV by site ({n_folds} folds): {figures['breaks']} breaks, {figures['joins']} inside a "
          f"paragraph; precision {figures['precision']:.3f} recall {figures['recall']:.3f} "
          f"accuracy {figures['accuracy']:.4f}; between lines of 5+ words: precision "
          f"{figures['prose_precision']:.3f} recall {figures['prose_recall']:.3f}")
    if write:
        fit(x, y, None, JOIN_ROUNDS, seed).save_model(str(DATA / "join_model.txt"))
    return figures


# -------------------------------------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["join", "body"], default=None)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--dump-cv", type=Path, default=None,
                        help="write the body model's CV output texts there ({set: {route: {page: text}}})")
    args = parser.parse_args()
    pages = bench.load_gold(fast=False)
    sites = [page_site(p, bench.html_of(p)) for p in pages]
    folds = folds_of(sites, args.folds, args.seed)
    import train_body
    train_body.HALF_OF.update({page["id"]: "held" if int(hashlib.sha256(site.encode()).hexdigest()[0], 16) % 2
                               else "look" for page, site in zip(pages, sites)})
    print(f"{len(pages)} pages from {len(set(sites))} sites, {args.folds} folds by site")
    report = {"seed": args.seed, "folds": args.folds, "pages": len(pages), "sites": len(set(sites)),
              "pages_sha256": hashlib.sha256("\n".join(p["id"] for p in pages).encode()).hexdigest()[:16]}
    if args.only in (None, "join"):
        report["join"] = train_join(pages, folds, args.folds, args.seed, not args.no_write)
    if args.only in (None, "body"):
        report.update(train_body.train_body(pages, folds, args.folds, args.seed, not args.no_write, args.dump_cv))
    if not args.no_write:
        cv_file = DATA / "body_model.cv.json"
        kept = json.loads(cv_file.read_text()) if cv_file.is_file() else {}
        cv_file.write_text(json.dumps({**kept, **report}, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
