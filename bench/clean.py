"""Article-body quality and speed of the clean stage, per set and per route, beside same-run baselines.

    python bench/clean.py [--fast] [--sets article_extraction,l3s,dragnet] [--routes text,text_wrapped,html]
                          [--no-baselines] [--no-copies] [--set key=value ...] [--show-worst K] [--reuters N]
                          [--show-losses]

Sets: ../shared/benchmarks/article_extraction (111 pages: `texts/ID.txt`, `html/ID.html.gz`) and
../shared/benchmarks/boilerplate_dev split into its two sets, `l3s` (408 pages) and `dragnet` (922), each with
`text/ID.txt` (browser-like rendering, one visible block a line), `text_wrapped/ID.txt` (the HTML source's own
line breaks kept: paragraphs hard-wrapped at arbitrary places) and `html/ID.html.gz`. --fast keeps a fixed
fifth of the boilerplate_dev pages (those whose sha256(id) starts with 0-2) and all 111 article pages.

Routes, each set's pages one corpus through `clean_corpus` (corpus repetition counts need the corpus):
- text: the plain-text rendering as a `.txt` document;
- text_wrapped: the hard-wrapped rendering as a `.txt` document (boilerplate_dev only);
- html: the page through ingest's HTML route (`stages.ingest.html.html_to_record`, the frame ingest would
  build), then clean.
Copies (unless --no-copies): every route of every page of a set in ONE corpus (each article present two or
three times, as with two scrapers or a re-scrape), scored per route: copy-aware line recurrence must keep
these figures at the single-route ones.

Scores against the hand-extracted bodies (gold.jsonl), the benchmark's metric (../shared/benchmarks/
article_extraction/README.md): multisets of 4-token shingles of `\\w+` tokens, per-page precision / recall
(1 when both sides are empty), averaged over pages, F1 of the averages ("sh4"); plus a plain bag-of-words
token F1 per page, averaged ("tok"); "empty" counts pages whose output is empty while the gold is not.
Same-run baselines: the route's raw text unprocessed, and on the HTML trafilatura (`extract`, defaults),
readability-lxml (`Document.summary`, its text) and jusText (the paragraphs it does not call boilerplate,
stop list of English); their outputs are cached in .cache/bench-clean/ under the libraries' versions.
Cross-validated figures of the learned block classifier (by site, from `make train-clean`) are read from
stages/clean/data/body_model.cv.json and printed beside.

Authors: on the pages whose HTML names authors in meta tags (`name=author`, `article:author`, `byl`) or
JSON-LD (`"author": {"name": ...}`), the share of the authors clean outputs (per route) that are one of those
names (precision; case, accents and punctuation ignored, and a declared value may add words around the name:
"Jamil Anderlini, Financial Times"), and the share of pages with at least one right (recall), on all pages and
on each half by sha256(id) (look: 0-7, held out: 8-f); --show-authors lists the look half's wrong ones. Printed
beside it, the same against a person-only reference: the parts of the declared values (split at commas, pipes,
"and") that may name a person (two words or more, not opening with "the", no digit, none of NON_PERSON_WORDS:
"World News", "The CNN Wire Staff", "Cleveland.com" go), pages left with none not scored.
The HTML route reads the same meta tags (ingest's metadata), so its figure mostly
checks person_name; the text routes' come from the page's own bylines.
Speed: MB of raw_text per CPU second of `clean_corpus` on each route's corpus (model loading excluded by a
one-page warm-up; polars threads count in CPU seconds, so this is MB/s per core), and with --reuters N also
on N Reuters-21578 bodies (the pipeline's scale corpus).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
BENCH = SHARED / "benchmarks" / "article_extraction"
DEV = SHARED / "benchmarks" / "boilerplate_dev"
REUTERS = SHARED / "benchmarks" / "reuters21578" / "reuters21578.jsonl.gz"
CACHE = ROOT / ".cache" / "bench-clean"
CV_FILE = ROOT / "stages" / "clean" / "data" / "body_model.cv.json"
sys.path.insert(0, str(ROOT))

TOKEN = re.compile(r"\w+")
SETS = ("article_extraction", "l3s", "dragnet")
ROUTES = ("text", "text_wrapped", "html")
BASELINES = ("trafilatura", "readability", "justext")


# ------------------------------------------------------------------------------------------ metric

def shingles(text: str, size: int = 4) -> Counter:
    tokens = TOKEN.findall(text)
    return Counter(tuple(tokens[i:i + size]) for i in range(max(0, len(tokens) - size + 1)))


def page_scores(predicted: str, gold: str) -> tuple[float, float]:
    """(precision, recall) of one page with the benchmark's conventions."""
    pred, true = shingles(predicted), shingles(gold)
    tp = sum((pred & true).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    total = tp + fp + fn
    tp, fp, fn = tp / total, fp / total, fn / total
    precision = 0.0 if tp + fp == 0 else tp / (tp + fp)
    recall = 0.0 if tp + fn == 0 else tp / (tp + fn)
    return precision, recall


def corpus_scores(pairs: list[tuple[str, str]]) -> tuple[float, float, float]:
    if not pairs:
        return 0.0, 0.0, 0.0
    scores = [page_scores(p, g) for p, g in pairs]
    precision = sum(s[0] for s in scores) / len(scores)
    recall = sum(s[1] for s in scores) / len(scores)
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return precision, recall, f1


def token_f1(predicted: str, gold: str) -> float:
    """Bag-of-words F1 of one page (lower-cased `\\w+` tokens); 1 when both are empty."""
    pred, true = Counter(t.lower() for t in TOKEN.findall(predicted)), Counter(t.lower() for t in TOKEN.findall(gold))
    if not pred and not true:
        return 1.0
    tp = sum((pred & true).values())
    if tp == 0:
        return 0.0
    precision, recall = tp / sum(pred.values()), tp / sum(true.values())
    return 2 * precision * recall / (precision + recall)


def scores(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """sh4 P/R/F1, mean token F1 and the count of empty outputs (gold not empty) of (predicted, gold) pairs."""
    precision, recall, f1 = corpus_scores(pairs)
    tok = sum(token_f1(p, g) for p, g in pairs) / len(pairs) if pairs else 0.0
    empty = sum(1 for p, g in pairs if not TOKEN.search(p or "") and TOKEN.search(g))
    return {"P": precision, "R": recall, "F1": f1, "tok": tok, "empty": empty, "n": len(pairs)}


def parse_value(value: str):
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


# ------------------------------------------------------------------------------------------- pages

def load_gold(fast: bool) -> list[dict]:
    """Every page: set, id, gold body, url (article_extraction only), and where its renderings are."""
    pages = []
    with open(BENCH / "gold.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            pages.append({"set": "article_extraction", "id": record["id"], "gold": record["article_body"],
                          "url": record.get("url"), "text": BENCH / "texts" / f"{record['id']}.txt",
                          "text_wrapped": None, "html": BENCH / "html" / f"{record['id']}.html.gz"})
    with open(DEV / "gold.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if fast and hashlib.sha256(record["id"].encode()).hexdigest()[0] not in "012":
                continue
            pages.append({"set": record["set"], "id": record["id"], "gold": record["article_body"],
                          "url": record.get("url"), "text": DEV / "text" / f"{record['id']}.txt",
                          "text_wrapped": DEV / "text_wrapped" / f"{record['id']}.txt",
                          "html": DEV / "html" / f"{record['id']}.html.gz"})
    return sorted(pages, key=lambda p: (SETS.index(p["set"]), p["id"]))


def html_of(page: dict) -> str:
    return gzip.decompress(page["html"].read_bytes()).decode("utf-8", errors="replace")


def code_hash(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def html_records(pages: list[dict]) -> dict[str, dict]:
    """ingest's record (html_to_record) of every page's HTML, cached under the ingest route's code."""
    from stages.ingest.html import html_to_record
    from stages.ingest.records import empty_meta
    ingest = ROOT / "stages" / "ingest"
    cache_file = CACHE / f"records-{code_hash(ingest / 'records.py', ingest / 'html.py', ingest / 'decode.py')}.json"
    cached = json.loads(cache_file.read_text()) if cache_file.is_file() else {}
    added = 0
    for page in pages:
        if page["id"] in cached:
            continue
        try:
            record = html_to_record(html_of(page))
        except Exception as err:  # ingest would reject the page: scored as empty
            print(f"  {page['id'][:16]}: ingest rejects it ({err})", file=sys.stderr)
            record = {"raw_text": "", **empty_meta()}
        cached[page["id"]] = record
        added += 1
    if added:
        CACHE.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps(cached))
    return cached


def route_rows(pages: list[dict], route: str) -> list[dict]:
    """The ingest rows of the pages through one route (pages without that rendering are left out)."""
    from stages.ingest.decode import normalise_text
    from stages.ingest.records import empty_meta
    records = html_records(pages) if route == "html" else {}
    rows = []
    for page in pages:
        if route == "html":
            record = dict(records[page["id"]])
            fmt = "html"
        elif page[route] is None:
            continue
        else:
            record = {"raw_text": page[route].read_bytes().decode("utf-8", errors="replace"), **empty_meta()}
            fmt = "txt"
        raw = normalise_text(record["raw_text"])
        doc_id = hashlib.sha256(f"{route}:{page['id']}".encode()).hexdigest()[:16]
        rows.append({"doc_id": doc_id, "page": page["id"], "route": route, "source_format": fmt,
                     **record, "raw_text": raw})
    return rows


def documents_frame(rows: list[dict]):
    """The ingest documents frame clean reads (its INPUT_COLUMNS, ingest's dtypes), from rows holding them."""
    import polars as pl
    from schemas.base import polars_schema
    from schemas.ingest import IngestDocuments
    from stages.clean.corpus import INPUT_COLUMNS
    schema = {column: polars_schema(IngestDocuments).get(column, pl.String) for column in INPUT_COLUMNS}
    defaults = {"meta_authors": []}
    return pl.DataFrame([{column: row.get(column, defaults.get(column)) for column in INPUT_COLUMNS}
                         for row in rows], schema=schema)


# --------------------------------------------------------------------------------------- baselines

def html_text(element) -> str:
    """The text of an lxml element, one block element a line."""
    from lxml import etree
    blocks = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "blockquote", "pre", "td",
              "article", "section", "dd", "dt", "figcaption"}
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        if not isinstance(node.tag, str):
            if event == "end" and node.tail:
                parts.append(node.tail)
            continue
        if event == "start":
            if node.tag in blocks:
                parts.append("\n")
            if node.text:
                parts.append(node.text)
        else:
            if node.tag in blocks:
                parts.append("\n")
            if node.tail and node is not element:
                parts.append(node.tail)
    return "\n".join(" ".join(line.split()) for line in "".join(parts).split("\n") if line.strip())


def baseline_text(name: str, html: str) -> str:
    """One baseline extractor's text of a page ("" when it fails)."""
    try:
        if name == "trafilatura":
            import trafilatura
            return trafilatura.extract(html) or ""
        if name == "readability":
            import lxml.html
            from readability import Document
            summary = Document(html).summary(html_partial=True)
            return html_text(lxml.html.fromstring(summary)) if summary.strip() else ""
        if name == "justext":
            import justext
            paragraphs = justext.justext(html.encode("utf-8"), justext.get_stoplist("English"))
            return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)
    except Exception:
        return ""
    raise ValueError(name)


def baseline_outputs(pages: list[dict]) -> dict[str, dict[str, str]]:
    """{baseline: {page id: text}}, cached under the libraries' versions."""
    versions = "-".join(metadata.version(lib) for lib in ("trafilatura", "readability-lxml", "jusText", "lxml"))
    out = {}
    for name in BASELINES:
        cache_file = CACHE / f"baseline-{name}-{versions}.json"
        cached = json.loads(cache_file.read_text()) if cache_file.is_file() else {}
        missing = [p for p in pages if p["id"] not in cached]
        for page in missing:
            cached[page["id"]] = baseline_text(name, html_of(page))
        if missing:
            CACHE.mkdir(parents=True, exist_ok=True)
            cache_file.write_text(json.dumps(cached))
        out[name] = cached
    return out


def speed_sample(pages: list[dict], per_set: int) -> list[dict]:
    """A fixed sample for timing: the first `per_set` pages of each set by sha256(id)."""
    chosen = []
    for set_name in SETS:
        in_set = sorted((p for p in pages if p["set"] == set_name),
                        key=lambda p: hashlib.sha256(p["id"].encode()).hexdigest())
        chosen.extend(in_set[:per_set])
    return chosen


def extractor_speeds(sample: list[dict], params) -> dict[str, float]:
    """MB of HTML per CPU second (one process) of each baseline extractor on the sample, and of ours from the
    HTML (ingest's html_to_record, which runs trafilatura and readability-lxml itself, then clean_corpus)."""
    from stages.ingest.decode import normalise_text
    from stages.ingest.html import html_to_record
    htmls = [html_of(p) for p in sample]
    mb = sum(len(h.encode("utf-8")) for h in htmls) / 1e6
    speeds = {}
    for name in BASELINES:
        baseline_text(name, htmls[0])   # warm-up: imports, stop lists
        started = time.process_time()
        for html in htmls:
            baseline_text(name, html)
        speeds[name] = mb / max(1e-9, time.process_time() - started)
    html_to_record(htmls[0])
    started = time.process_time()
    rows = []
    for page, html in zip(sample, htmls):
        try:
            record = html_to_record(html)
        except Exception:
            continue
        rows.append({"doc_id": hashlib.sha256(page["id"].encode()).hexdigest()[:16], "source_format": "html",
                     **record, "raw_text": normalise_text(record["raw_text"])})
    ingest_cpu = time.process_time() - started
    _, _, clean_cpu, _ = run_clean(rows, params)
    speeds["ours (ingest + clean)"] = mb / max(1e-9, ingest_cpu + clean_cpu)
    speeds["ours (clean only)"] = mb / max(1e-9, clean_cpu)
    return speeds


# ------------------------------------------------------------------------------------------ authors

META_AUTHOR = re.compile(r"<meta\s[^>]*(?:name|property)\s*=\s*[\"'](?:author|article:author|byl|dc\.creator|"
                         r"sailthru\.author|parsely-author)[\"'][^>]*>", re.IGNORECASE)
CONTENT = re.compile(r"content\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
JSONLD_AUTHOR = re.compile(r"\"author\"\s*:\s*(\{[^{}]*\}|\[[^\[\]]*\])", re.IGNORECASE)
JSON_NAME = re.compile(r"\"name\"\s*:\s*\"([^\"]+)\"")


def name_key(name: str) -> str:
    """A name as compared: lower case, accents dropped ("José" = "Jose"), words only."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", name.lower()) if not unicodedata.combining(c))
    return " ".join(TOKEN.findall(folded))


def html_author_names(html: str) -> set[str]:
    """Author names the page's HTML states in meta tags or JSON-LD (keys: lower case, words only); a value
    that is a URL (a profile link) names no one."""
    names = set()
    for tag in META_AUTHOR.findall(html):
        match = CONTENT.search(tag)
        if match and "/" not in match.group(1):
            value = re.sub(r"^\s*by\s+", "", match.group(1), flags=re.IGNORECASE)
            names.update(name_key(part) for part in re.split(r",|;|\band\b|&", value))
    for block in JSONLD_AUTHOR.findall(html):
        names.update(name_key(name) for name in JSON_NAME.findall(block))
    return {name for name in names if name}


def html_author_parts(html: str) -> set[str]:
    """The parts of every author value the page's HTML states (meta tags and JSON-LD names alike), split at
    commas, semicolons, pipes, "and" and "&" ("Troy L. Smith, Cleveland.com" -> "troy l smith", "cleveland
    com"): what `person_reference` sorts into persons and others."""
    values = [CONTENT.search(tag) for tag in META_AUTHOR.findall(html)]
    names = [m.group(1) for m in values if m and "/" not in m.group(1)]
    names += [name for block in JSONLD_AUTHOR.findall(html) for name in JSON_NAME.findall(block)]
    parts = set()
    for value in names:
        value = re.sub(r"^\s*by\s+", "", value, flags=re.IGNORECASE)
        parts.update(name_key(part) for part in re.split(r",|;|\||\band\b|&", value))
    return {part for part in parts if part}


def names_match(name: str, declared: set[str]) -> bool:
    """Whether an output name (name_key) is one the HTML declares: the same words, or two or more of them
    running inside a declared value that adds an outlet or a title ("jamil anderlini financial times",
    "rachael link ms rd"); never the other way round ("brantley hargrove thu" is wrong)."""
    if name in declared:
        return True
    return name.count(" ") >= 1 and any(f" {name} " in f" {value} " for value in declared)


# A declared "author" that names no person, for the second reference (`person_reference`): one word, a value
# opening with "the", holding a digit or "@", or holding one of these words (outlets, desks, roles). Kept here,
# apart from clean's own cues, so that the reference does not grade clean by its own lexicon.
NON_PERSON_WORDS = frozenset("""news staff wire desk team editor editors reporter reporters correspondent writer
    writers press associated reuters agency times post insider media network magazine journal daily online
    digital group service services blog contributors contributor newsroom admin author
    authors tv radio com inc ltd llc corp""".split())


def is_person_value(value: str) -> bool:
    """Whether a declared author value (name_key) may name a person, by the stated rule of NON_PERSON_WORDS."""
    words = value.split()
    return len(words) >= 2 and words[0] != "the" and not re.search(r"\d", value) \
        and not any(w in NON_PERSON_WORDS for w in words)


def person_reference(page: dict) -> set[str]:
    """The parts of the declared values that may name a person (`html_author_parts`, `is_person_value`): the
    second reference; pages left with none are not scored."""
    return {value for value in page.get("authors_html_parts") or () if is_person_value(value)}


def look_half(page_id: str) -> bool:
    """The half of the pages whose wrong authors are read (sha256(id) opens with 0-7); the other half is held
    out: changes are judged there, its failures are never listed."""
    return hashlib.sha256(page_id.encode()).hexdigest()[0] in "01234567"


def author_figures(pages: list[dict], authors_of: dict[str, list[str]]) -> dict:
    """Precision of the output authors on pages whose HTML names authors, against the declared values and
    against the person-only reference; recall of pages; per half (look / held); the look half's wrong ones."""
    out: dict = {}
    for reference in ("declared", "persons"):
        for half in ("all", "look", "held"):
            n_out = right = pages_named = pages_hit = 0
            wrong = []
            for page in pages:
                gold = (page.get("authors_html") or set()) if reference == "declared" else person_reference(page)
                in_half = half == "all" or look_half(page["id"]) == (half == "look")
                if not gold or page["id"] not in authors_of or not in_half:
                    continue
                pages_named += 1
                names = list(authors_of[page["id"]])
                hits = [a for a in names if names_match(name_key(a), gold)]
                n_out += len(names)
                right += len(hits)
                pages_hit += bool(hits)
                if half == "look":
                    wrong.extend(f"{page['id']}: {a!r} (declared: {'; '.join(sorted(gold))})"
                                 for a in names if a not in hits)
            key = half if reference == "declared" else f"{half}_persons"
            out[key] = {"precision": right / n_out if n_out else float("nan"), "n_authors": n_out,
                        "pages": pages_named, "page_recall": pages_hit / pages_named if pages_named else float("nan"),
                        "wrong": wrong}
    return {**out["all"], "halves": out}


# ------------------------------------------------------------------------------------------- losses

LOSS_MARGIN = 0.05   # a page counts as lost when its F1 is this far under the best extractor's


def page_f1(predicted: str, gold: str) -> float:
    precision, recall = page_scores(predicted, gold)
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def loss_causes(ours: str, best: str, gold: str) -> str | None:
    """Why a page's output loses to the best extractor's by LOSS_MARGIN or more (None when it does not):
    "article missed" (recall under 0.5 where the extractor's is over 0.7), "recall", "precision", "both"
    (each more than LOSS_MARGIN under the extractor's), else "other"."""
    (p, r), (bp, br) = page_scores(ours, gold), page_scores(best, gold)
    if page_f1(ours, gold) > page_f1(best, gold) - LOSS_MARGIN:
        return None
    if r < 0.5 and br > 0.7:
        return "article missed"
    lower_r, lower_p = r < br - LOSS_MARGIN, p < bp - LOSS_MARGIN
    return "both" if lower_r and lower_p else "recall" if lower_r else "precision" if lower_p else "other"


def comment_share(rows: list[dict], out: dict[str, dict], gold: dict[str, str]) -> tuple[float, float]:
    """(share of the kept characters on lines that only trafilatura's comment section holds, line vote 4;
    share of those in the gold body) over the HTML route's pages: reader comments are body in some
    collections' gold and not in others'."""
    kept = in_comments = in_gold = 0
    for r in rows:
        votes = r.get("line_votes") or []
        body = set(out[r["doc_id"]]["body_line_nos"])
        gold_text = f" {' '.join(TOKEN.findall(gold[r['page']]))} "
        for k, line in enumerate(r["raw_text"].split("\n"), 1):
            if k not in body:
                continue
            kept += len(line)
            if k - 1 < len(votes) and votes[k - 1] & 4 and not votes[k - 1] & 3:
                in_comments += len(line)
                in_gold += len(line) * (f" {' '.join(TOKEN.findall(line))} " in gold_text)
    return in_comments / max(1, kept), in_gold / max(1, in_comments)


def show_losses(set_name: str, rows: list[dict], out: dict[str, dict], gold: dict[str, str],
                baselines: dict[str, dict[str, str]]) -> None:
    """The HTML route's pages that lose to the best same-run extractor, grouped by cause, and the
    comment-section share of what was kept (--show-losses)."""
    causes = Counter()
    for r in rows:
        best = max((baselines[name][r["page"]] for name in ("trafilatura", "readability")),
                   key=lambda text, g=gold[r["page"]]: page_f1(text, g))
        cause = loss_causes(out[r["doc_id"]]["text"], best, gold[r["page"]])
        if cause:
            causes[cause] += 1
    share, gold_share = comment_share(rows, out, gold)
    print(f"  {'':<13}losses to the best extractor by {LOSS_MARGIN}+ ({sum(causes.values())} of {len(rows)} "
          f"pages): " + ", ".join(f"{cause} {n}" for cause, n in causes.most_common())
          + f"; kept characters on comment-section lines {share:.3f}, of them in the gold {gold_share:.3f}")


# ------------------------------------------------------------------------------------------ running

def run_clean(rows: list[dict], params) -> tuple[dict[str, dict], float, float, object]:
    """({doc_id: output row}, MB of raw_text, CPU seconds, removed frame) of clean_corpus on the rows."""
    from stages.clean.corpus import clean_corpus
    docs = documents_frame(rows)
    clean_corpus(docs.head(1), params)   # warm-up: model and cue loading are one-time costs
    n_bytes = sum(len(r["raw_text"].encode("utf-8")) for r in rows)
    cpu_started = time.process_time()
    documents, removed = clean_corpus(docs, params)
    cpu = time.process_time() - cpu_started
    return {row["doc_id"]: row for row in documents.iter_rows(named=True)}, n_bytes / 1e6, cpu, removed


def empty_pages(rows: list[dict], out: dict[str, dict], gold: dict[str, str]) -> list[str]:
    """The pages (ids) whose output is empty while their gold body is not."""
    return [r["page"] for r in rows
            if not TOKEN.search(out[r["doc_id"]]["text"] or "") and TOKEN.search(gold[r["page"]])]


def fmt_scores(s: dict) -> str:
    return f"{s['P']:.3f} {s['R']:.3f} {s['F1']:.3f}  {s['tok']:.3f} {s['empty']:>4}"


def cv_figures() -> dict:
    return json.loads(CV_FILE.read_text()).get("cv", {}) if CV_FILE.is_file() else {}


def bench_routes(set_name: str, set_pages: list[dict], routes: list[str], params, cv: dict, figures: dict,
                 worst: list, losses: dict | None = None) -> tuple[dict, float, float]:
    """One set through each route: its figures (printed), and the MB and CPU seconds of clean."""
    gold = {p["id"]: p["gold"] for p in set_pages}
    set_figures: dict = {}
    mb_total = cpu_total = 0.0
    for route in routes:
        rows = route_rows(set_pages, route)
        if not rows:
            continue
        out, mb, cpu, _ = run_clean(rows, params)
        mb_total, cpu_total = mb_total + mb, cpu_total + cpu
        ours = scores([(out[r["doc_id"]]["text"], gold[r["page"]]) for r in rows])
        raw = scores([(r["raw_text"], gold[r["page"]]) for r in rows])
        route_figures = {"ours": ours, "raw": raw, "mb_per_cpu_s": mb / cpu if cpu else None}
        print(f"  {route:<13}{'ours':<16}{fmt_scores(ours)}   {mb / cpu if cpu else 0:.2f} MB/s per core")
        print(f"  {'':<13}{'raw text':<16}{fmt_scores(raw)}")
        route_figures["empty_pages"] = empty_pages(rows, out, gold)
        if route_figures["empty_pages"]:
            print(f"  {'':<13}empty: " + " ".join(route_figures["empty_pages"]))
        if route in cv.get(set_name, {}):
            c = cv[set_name][route]
            print(f"  {'':<13}{'ours CV by site':<16}{c['P']:.3f} {c['R']:.3f} {c['F1']:.3f}  "
                  f"{c['tok']:.3f} {c['empty']:>4}")
        if losses and route == "html":
            show_losses(set_name, rows, out, gold, losses)
        figures["authors"].setdefault(set_name, {})[route] = author_figures(
            set_pages, {r["page"]: out[r["doc_id"]]["authors"] for r in rows})
        for r in rows:
            p, rc = page_scores(out[r["doc_id"]]["text"], gold[r["page"]])
            worst.append((0.0 if p + rc == 0 else 2 * p * rc / (p + rc), p, rc, set_name, route, r["page"]))
        set_figures[route] = route_figures
    return set_figures, mb_total, cpu_total


def bench_copies(set_name: str, set_pages: list[dict], routes: list[str], params, figures: dict) -> None:
    """Every route of the set's pages in one corpus (copies of each article), scored per route."""
    gold = {p["id"]: p["gold"] for p in set_pages}
    rows = [r for route in routes for r in route_rows(set_pages, route)]
    out, *_ = run_clean(rows, params)
    for route in routes:
        subset = [r for r in rows if r["route"] == route]
        if subset:
            s = scores([(out[r["doc_id"]]["text"], gold[r["page"]]) for r in subset])
            figures["copies"].setdefault(set_name, {})[route] = s
            print(f"  {route:<13}{'ours, copies':<16}{fmt_scores(s)}   (all routes in one corpus)")
            empties = empty_pages(subset, out, gold)
            if empties:
                print(f"  {'':<13}empty: " + " ".join(empties))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true", help="a fixed fifth of boilerplate_dev")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--routes", default=",".join(ROUTES))
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--no-copies", action="store_true")
    parser.add_argument("--reuters", type=int, default=0, help="also time N Reuters-21578 bodies")
    parser.add_argument("--set", nargs="*", default=[], help="param overrides key=value")
    parser.add_argument("--show-worst", type=int, default=0, help="list the K pages with the lowest F1")
    parser.add_argument("--show-authors", action="store_true", help="list the output authors found wrong")
    parser.add_argument("--show-losses", action="store_true",
                        help="HTML route: the pages losing to the best extractor by cause, and the comment share")
    parser.add_argument("--speed-pages", type=int, default=30,
                        help="time the HTML extractors and ours on this many pages of each set (0: not)")
    parser.add_argument("--json", type=Path, default=None, help="write the figures there")
    args = parser.parse_args()
    if not (BENCH / "gold.jsonl").is_file() or not (DEV / "gold.jsonl").is_file():
        sys.exit(f"benchmarks not found under {SHARED / 'benchmarks'}")

    from schemas.params import validate_section
    from stages.common import read_params_file
    changes = dict(item.partition("=")[::2] for item in args.set)
    params = validate_section("clean", {**read_params_file(ROOT / "params.yaml")["clean"],
                                        **{key: parse_value(value) for key, value in changes.items()}})
    sets = [s for s in args.sets.split(",") if s]
    routes = [r for r in args.routes.split(",") if r]
    pages = [p for p in load_gold(args.fast) if p["set"] in sets]
    for page in pages:
        html = html_of(page)
        page["authors_html"], page["authors_html_parts"] = html_author_names(html), html_author_parts(html)
    baselines = {} if args.no_baselines else baseline_outputs(pages)
    figures: dict = {"fast": args.fast, "sets": {}, "speed": {}, "authors": {}, "copies": {}}
    cv = cv_figures()
    mb_total = cpu_total = 0.0
    worst = []
    print(f"clean benchmark ({'fast' if args.fast else 'full'}): sh4 P R F1 (shingles), tok = token F1, "
          "empty = empty outputs")
    for set_name in sets:
        set_pages = [p for p in pages if p["set"] == set_name]
        print(f"\n== {set_name} ({len(set_pages)} pages)")
        print(f"  {'route':<13}{'what':<16}{'P':>6}{'R':>6}{'F1':>6}  {'tok':>5} {'empty':>4}")
        set_figures, mb, cpu = bench_routes(set_name, set_pages, routes, params, cv, figures, worst,
                                            baselines if args.show_losses else None)
        mb_total, cpu_total = mb_total + mb, cpu_total + cpu
        for name in baselines:
            b = scores([(baselines[name][p["id"]], p["gold"]) for p in set_pages])
            set_figures.setdefault("html_baselines", {})[name] = b
            print(f"  {'html':<13}{name:<16}{fmt_scores(b)}")
        figures["sets"][set_name] = set_figures
        if not args.no_copies and len(routes) > 1:
            bench_copies(set_name, set_pages, routes, params, figures)
    print_authors(figures["authors"], args.show_authors)
    figures["speed"] = {"mb": mb_total, "cpu_s": cpu_total, "mb_per_cpu_s": mb_total / cpu_total if cpu_total else 0}
    print(f"speed: {mb_total:.2f} MB in {cpu_total:.2f} s CPU = {figures['speed']['mb_per_cpu_s']:.2f} MB/s per core")
    if args.speed_pages:
        sample = speed_sample(pages, args.speed_pages)
        figures["extractor_speed"] = extractor_speeds(sample, params)
        print(f"speed from the HTML, MB of HTML per CPU second, {len(sample)} pages (one process): " + ", ".join(
            f"{name} {value:.2f}" for name, value in figures["extractor_speed"].items()))
    if args.show_worst:
        for f, p, rc, set_name, route, pid in sorted(worst)[:args.show_worst]:
            print(f"  F1 {f:.3f}  P {p:.3f}  R {rc:.3f}  {set_name} {route} {pid}")
    if args.reuters:
        reuters_speed(args.reuters, params)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1, default=float))


def print_authors(authors: dict, show: bool) -> None:
    """Author precision per set and route: all pages, the look half, the held-out half; against the declared
    values, then against the person-only reference (`person_reference`); the look half's wrong ones."""
    print("\nauthors (pages whose HTML names authors in meta tags / JSON-LD): precision of N (page recall of "
          "pages); all | look half | held-out half")
    for reference, suffix in (("declared values", ""), ("person-only reference", "_persons")):
        print(f" against the {reference}:")
        for set_name, per_route in authors.items():
            print("  " + set_name + ": " + "; ".join(
                f"{route} " + " | ".join(
                    f"{a['precision']:.3f} of {a['n_authors']} ({a['page_recall']:.2f} of {a['pages']})"
                    for a in (per[half + suffix] for half in ("all", "look", "held")))
                for route, per in ((r, v["halves"]) for r, v in per_route.items())))
    if show:
        for set_name, per_route in authors.items():
            for route, a in per_route.items():
                for line in a["halves"]["look"]["wrong"]:
                    print(f"    {set_name} {route}: {line}")


def reuters_speed(n: int, params) -> None:
    if not REUTERS.is_file():
        sys.exit(f"Reuters corpus not found: {REUTERS}")
    records = []
    with gzip.open(REUTERS, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record.get("body"):
                records.append({"doc_id": hashlib.sha256(line.encode()).hexdigest()[:16], "source_format": "jsonl",
                                "raw_text": record["body"], "meta_title": record.get("title"),
                                "meta_authors": []})
            if len(records) >= n:
                break
    unique = list({r["doc_id"]: r for r in records}.values())
    out, mb, cpu, removed = run_clean(unique, params)
    kept = sum(len(row["text"]) for row in out.values())
    raw_chars = sum(len(r["raw_text"]) for r in unique)
    print(f"reuters: {len(unique)} bodies, {mb:.2f} MB, {mb / cpu:.2f} MB/s per CPU second; kept "
          f"{kept / raw_chars:.1%} of the characters; removed "
          + ", ".join(f"{r}={c}" for r, c in removed.group_by("reason").len()
                      .sort("len", descending=True).head(8).iter_rows()))


if __name__ == "__main__":
    main()
