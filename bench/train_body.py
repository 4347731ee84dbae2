"""The body classifier's part of bench/train_clean.py (see its docstring): data, labels, CV, final model."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT))
import clean as bench  # noqa: E402

DATA = ROOT / "stages" / "clean" / "data"
BODY_SHARE = 0.5   # a block is body when this share of its 3-word shingles is in the gold body
# page id -> "look" / "held" (train_clean.main: sha256 of the page's site, even first digit: look, the half
# whose failures are read; odd: held out, where changes are judged); empty: no per-half figures
HALF_OF: dict[str, str] = {}


def params():
    from schemas.params import validate_section
    from stages.common import read_params_file
    return validate_section("clean", read_params_file(ROOT / "params.yaml")["clean"])


def block_labels(texts: list[str], gold: str) -> tuple[np.ndarray, np.ndarray]:
    """(label, weight) of each block: body when most of its 3-word shingles are in the gold body (a block
    of one or two words: when it is in the gold and next to a body block); weights by words, each page
    summing to 100 (the metric averages pages)."""
    tokens_gold = [t.lower() for t in bench.TOKEN.findall(gold)]
    trigrams = set(zip(tokens_gold, tokens_gold[1:], tokens_gold[2:]))
    gold_text = " " + " ".join(tokens_gold) + " "
    labels, sizes, short = [], [], []
    for text in texts:
        tokens = [t.lower() for t in bench.TOKEN.findall(text)]
        sizes.append(len(tokens))
        if len(tokens) >= 3:
            grams = list(zip(tokens, tokens[1:], tokens[2:]))
            labels.append(sum(g in trigrams for g in grams) >= BODY_SHARE * len(grams))
            short.append(False)
        else:
            labels.append(bool(tokens) and f" {' '.join(tokens)} " in gold_text)
            short.append(True)
    y = np.array(labels, dtype=float)
    for i in range(len(y)):
        if short[i] and y[i]:
            y[i] = float((i > 0 and labels[i - 1] and not short[i - 1])
                         or (i + 1 < len(y) and labels[i + 1] and not short[i + 1]))
    w = np.array(sizes, dtype=float) + 2.0
    return y, 100.0 * w / w.sum() if len(w) else w


def route_pages(set_pages: list[dict], route: str, p):
    """(rows, docs frame, pages) of one set through one route."""
    from stages.clean.corpus import corpus_pages
    rows = bench.route_rows(set_pages, route)
    if not rows:
        return [], None, []
    docs = bench.documents_frame(rows)
    return rows, docs, corpus_pages(docs, p)


def examples(pages: list[dict], folds: list[int], p) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list]:
    """(features, labels, weights, fold) of every decided block of every page and route, and the corpora
    [(set, route, rows, docs frame)] for the end-to-end scoring."""
    from stages.clean.classifier import block_matrix
    from stages.clean.document import model_decides, notice_blocks, rule_phases, voted_datelines
    fold_of = {page["id"]: fold for page, fold in zip(pages, folds)}
    gold_of = {page["id"]: page["gold"] for page in pages}
    xs, ys, ws, fs, corpora = [], [], [], [], []
    for set_name in bench.SETS:
        set_pages = [page for page in pages if page["set"] == set_name]
        for route in bench.ROUTES:
            rows, docs, cleaned = route_pages(set_pages, route, p)
            if not rows:
                continue
            corpora.append((set_name, route, rows, docs))
            for row, page in zip(rows, cleaned):
                if not page.blocks:
                    continue
                lines, prose, span, title, subtitle, body, reasons = rule_phases(page, p)
                headings = (title.block, subtitle.block)
                x = block_matrix(page, lines, prose, span, body, headings)
                y, w = block_labels(page.texts, gold_of[row["page"]])
                notices = notice_blocks(page, span)
                voted = voted_datelines(page, lines)
                decided = np.array([model_decides(i, lines, prose, headings, reasons, span, notices, voted)
                                    for i in range(len(page.blocks))])
                xs.append(x[decided])
                ys.append(y[decided])
                ws.append(w[decided])
                fs.append(np.full(int(decided.sum()), fold_of[row["page"]]))
            print(f"  {set_name} {route}: {len(rows)} pages featurised", flush=True)
    return np.vstack(xs), np.concatenate(ys), np.concatenate(ws), np.concatenate(fs), corpora


def cv_scores(corpora: list, models: list, fold_of: dict[str, int], gold_of: dict[str, str], p,
              texts: dict | None = None, selectors: list | None = None, record=None, label: str = "") -> dict:
    """bench/clean.py's figures of the stage's own output, each page cleaned with the block model (and the
    document-level selector, when `selectors` are given; else none) of the fold that held its site out;
    `texts`, when given, gets each output ({set: {route: {page id: text}}}); `record` gets the selector's
    candidates (stages.clean.select.selector_for_documents)."""
    from stages.clean.classifier import model_for_documents
    from stages.clean.corpus import clean_corpus
    from stages.clean.select import selector_for_documents
    out: dict = {}
    for set_name, route, rows, docs in corpora:
        doc_fold = {row["doc_id"]: fold_of[row["page"]] for row in rows}
        choose = (lambda doc_id, doc_fold=doc_fold: selectors[doc_fold[doc_id]]) if selectors else None
        with model_for_documents(lambda doc_id, doc_fold=doc_fold: models[doc_fold[doc_id]]), \
                selector_for_documents(choose, record):
            documents, _ = clean_corpus(docs, p)
        text_of = dict(zip(documents["doc_id"].to_list(), documents["text"].to_list()))
        if texts is not None:
            texts.setdefault(set_name, {})[route] = {r["page"]: text_of[r["doc_id"]] for r in rows}
        out.setdefault(set_name, {})[route] = s = bench.scores([(text_of[r["doc_id"]], gold_of[r["page"]])
                                                                for r in rows])
        halves = {half: bench.scores([(text_of[r["doc_id"]], gold_of[r["page"]]) for r in rows
                                      if HALF_OF.get(r["page"]) == half])["F1"] for half in ("look", "held")}
        if HALF_OF:
            s["halves"] = halves
        print(f"  CV {set_name:<19}{route + label:<13} P {s['P']:.3f} R {s['R']:.3f} F1 {s['F1']:.3f} "
              f"tok {s['tok']:.3f} empty {s['empty']}"
              + (f"  look {halves['look']:.3f} held {halves['held']:.3f}" if HALF_OF else ""), flush=True)
    return out


def page_f1(text: str, gold: str) -> float:
    precision, recall = bench.page_scores(text, gold)
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def train_selector(corpora: list, models: list, fold_of: dict[str, int], gold_of: dict[str, str], p,
                   n_folds: int, seed: int, write: bool, dump: Path | None = None) -> dict:
    """The document-level selector (stages/clean/select.py), on the HTML route: every candidate body of
    every page with the cross-validated block model, its label how much better than ours its F1 is
    (bench/clean.py's page metric); CV by the same site folds, scored as the stage's own output."""
    import train_clean
    html = [corpus for corpus in corpora if corpus[1] == "html"]
    recorded: dict[str, tuple] = {}
    ours = {}
    texts: dict = {}
    cv_scores(html, models, fold_of, gold_of, p, texts,
              record=lambda doc_id, names, matrix, candidate_texts: recorded.update(
                  {doc_id: (matrix, candidate_texts)}))
    for set_name, _, rows, _ in html:
        ours.update({r["doc_id"]: (r["page"], texts[set_name]["html"][r["page"]]) for r in rows})
    xs, ys, fs = [], [], []
    for doc_id, (matrix, candidate_texts) in recorded.items():
        page, text = ours[doc_id]
        base = page_f1(text, gold_of[page])
        xs.append(matrix)
        ys.append([page_f1(t, gold_of[page]) - base for t in candidate_texts])
        fs.append([fold_of[page]] * len(candidate_texts))
    x, y, fold = np.vstack(xs), np.concatenate(ys), np.concatenate(fs)
    if dump:
        np.savez(dump.with_suffix(".select.npz"), x=x, y=y, fold=fold,
                 page=np.concatenate([[ours[doc_id][0]] * len(c) for doc_id, (_, c) in recorded.items()]))
    print(f"selector: {len(y)} candidates of {len(recorded)} pages; better than ours by 0.01+: "
          f"{int((y > 0.01).sum())}, worse: {int((y < -0.01).sum())}", flush=True)
    selectors = [train_clean.fit_selector(x[fold != k], y[fold != k], seed) for k in range(n_folds)]
    selected: dict | None = {} if dump else None
    cv = cv_scores(html, models, fold_of, gold_of, p, selected, selectors=selectors, label="+select")
    if dump:
        dump.with_suffix(".select.json").write_text(json.dumps(selected))
    if write:
        train_clean.fit_selector(x, y, seed).save_model(str(DATA / "select_model.txt"))
    return cv


def train_body(pages: list[dict], folds: list[int], n_folds: int, seed: int, write: bool,
               dump: Path | None = None) -> dict:
    import train_clean
    from stages.clean.classifier import FEATURES, SHAPE_FEATURES
    p = params()
    x, y, w, fold, corpora = examples(pages, folds, p)
    if x.shape[1] != len(FEATURES):
        raise SystemExit(f"{x.shape[1]} feature columns, FEATURES names {len(FEATURES)}")
    print(f"body model: {len(y)} blocks ({int(y.sum())} body) from {len(corpora)} corpora", flush=True)
    # Two models per fold: the body model (the HTML route) on the columns before SHAPE_FEATURES, the text
    # model (the plain-text routes: pages without votes) on all of them; both on every route's blocks.
    n_body = len(FEATURES) - len(SHAPE_FEATURES)
    models = [(train_clean.fit(x[fold != k, :n_body], y[fold != k], w[fold != k], train_clean.BODY_ROUNDS, seed),
               train_clean.fit(x[fold != k], y[fold != k], w[fold != k], train_clean.BODY_ROUNDS, seed))
              for k in range(n_folds)]
    text_rows = x[:, FEATURES.index("votes")] < 0
    predicted = np.zeros(len(y))
    for k in range(n_folds):
        body_model, text_model = models[k]
        predicted[fold == k] = np.where(text_rows[fold == k], text_model.predict(x[fold == k]),
                                        body_model.predict(x[fold == k, :n_body]))
    block_accuracy = float(np.average((predicted >= 0.5) == (y == 1), weights=w))
    print(f"  CV block accuracy (weighted by words): {block_accuracy:.4f}", flush=True)
    fold_of = {page["id"]: f for page, f in zip(pages, folds)}
    gold_of = {page["id"]: page["gold"] for page in pages}
    texts: dict | None = {} if dump else None
    cv = cv_scores(corpora, models, fold_of, gold_of, p, texts)
    if dump:
        dump.write_text(json.dumps(texts))
    selected = train_selector(corpora, models, fold_of, gold_of, p, n_folds, seed, write, dump)
    for set_name, per_route in selected.items():
        cv[set_name]["html_classifier_only"] = cv[set_name]["html"]
        cv[set_name]["html"] = per_route["html"]
    if write:
        train_clean.fit(x[:, :n_body], y, w, train_clean.BODY_ROUNDS, seed).save_model(str(DATA / "body_model.txt"))
        final = train_clean.fit(x, y, w, train_clean.BODY_ROUNDS, seed)
        final.save_model(str(DATA / "text_model.txt"))
        importance = sorted(zip(final.feature_importance("gain"), FEATURES), reverse=True)[:15]
        print("  text model's top features (gain): " + ", ".join(f"{name} {gain:.0f}" for gain, name in importance))
    return {"body": {"blocks": int(len(y)), "body_blocks": int(y.sum()), "block_accuracy": block_accuracy},
            "cv": cv}
