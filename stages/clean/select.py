"""The document-level choice on the HTML route: the classifier's body, or the article an extractor found.

The block classifier (stages/clean/classifier.py) decides block by block; some pages it gets wrong as a
whole (it stops at an interruption and misses the article's second half, or keeps a teaser list) where
trafilatura or readability-lxml, reading the page's markup, find the article. The candidate bodies of a page
are the classifier's and, from ingest's line votes, the blocks trafilatura keeps, those readability keeps
and those trafilatura keeps with its comment section; each only among the blocks the classifier may decide
(no heading, metadata line, cue line or cross-document repeat) and without in-document copies. Each
candidate other than ours is described by its size, how far it agrees with every other candidate (the body
most others overlap is most often the article) and how much more than ours does, the classifier's
probabilities over it and the page's profile; a LightGBM regression (data/select_model.txt, trained by
`make train-clean` on the cross-validated outputs, folds by site) predicts how much better than ours its F1
is. The best candidate replaces ours when its predicted gain is positive. Without votes (text routes) or
without a model, ours stays. A block the chosen body keeps loses its reason; the ones it leaves are
labelled with the rest (document.label_the_rest), so every dropped line keeps a reason.
"""
from __future__ import annotations

import contextlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from stages.clean import classifier
from stages.clean.blocks import Page

SELECT_MODEL_FILE = Path(__file__).resolve().parent / "data" / "select_model.txt"
CANDIDATES = ("ours", "traf", "read", "traf_comments", "ours_traf", "ours_read")
BITS = {"traf": classifier.VOTE_TRAFILATURA, "read": classifier.VOTE_READABILITY,
        "traf_comments": classifier.VOTE_TRAFILATURA | classifier.VOTE_COMMENTS}
SELECT_FEATURES = (("candidate", "log_chars", "share_of_page", "n_blocks", "n_runs")
                   + tuple(f"agree_{name}" for name in CANDIDATES)
                   + ("mean_agreement", "ours_mean_agreement", "prob_mean", "prob_body_share", "ours_prob_mean",
                      "ours_log_chars", "page_log_chars", "page_traf_share", "page_read_share",
                      "page_comment_share", "added_share", "dropped_share", "added_log_chars", "dropped_log_chars",
                      "added_prob", "dropped_prob", "good_share", "added_good_share", "dropped_good_share",
                      "stop_share", "ends_share", "agreement_over_ours"))

_override: Callable[[str], Any] | None = None
_recorder: Callable[[str, list[str], np.ndarray, list[str]], None] | None = None


@contextlib.contextmanager
def selector_for_documents(choose: Callable[[str], Any] | None,
                           record: Callable[[str, list[str], np.ndarray, list[str]], None] | None = None
                           ) -> Iterator[None]:
    """Within the block, document `doc_id` is decided by `choose(doc_id)` (a LightGBM Booster, or None:
    ours stays) instead of data/select_model.txt, and `record(doc_id, names, features, texts)` gets every
    page's candidates (the training script's cross-validation)."""
    global _override, _recorder
    previous = _override, _recorder
    _override, _recorder = (choose if choose is not None else (lambda doc_id: None)), record
    try:
        yield
    finally:
        _override, _recorder = previous


@lru_cache(maxsize=1)
def select_model() -> Any:
    """The trained selector (None when the file is absent: the classifier's body stays)."""
    return classifier.load_booster(SELECT_MODEL_FILE)


def candidate_bodies(page: Page, body: list[int], decides: list[bool], ored: list[int]) -> dict[str, list[int]]:
    """{name: blocks} of the page's candidate bodies (see the module docstring): ours first, then each
    extractor's that keeps anything, then ours with trafilatura's (readability's) added when that differs
    from both. `ored`: each block's votes (classifier.block_votes)."""
    found = {"ours": body}
    for name, bits in BITS.items():
        chosen, seen = [], set()
        for i, vote in enumerate(ored):
            block = page.blocks[i]
            if vote > 0 and vote & bits and decides[i] and not (block.key in seen and block.copy_index > 0):
                chosen.append(i)
                seen.add(block.key)
        if chosen:
            found[name] = chosen
    for name in ("traf", "read"):
        if name in found:
            union = sorted(set(body) | set(found[name]))
            if union != body and union != found[name]:
                found[f"ours_{name}"] = union
    return found


def agreement(a: set[int], b: set[int], chars: np.ndarray, sizes: tuple[float, float] | None = None) -> float:
    """Characters both bodies keep over their mean size (Dice; 1.0 when both are empty); `sizes`: the
    characters of a and of b when known (`chars[list(a)].sum()`, `chars[list(b)].sum()`)."""
    size_a, size_b = sizes if sizes is not None else (chars[list(a)].sum(), chars[list(b)].sum())
    size = size_a + size_b
    return 1.0 if size == 0 else float(2 * chars[list(a & b)].sum() / size)


def selector_matrix(page: Page, candidates: dict[str, list[int]], probabilities: list[float],
                    good: list[bool], ored: list[int]) -> np.ndarray:
    """SELECT_FEATURES of every candidate but ours (one row each, in `candidates`' order); `good`: each
    block's body-likeness (document.body_likeness: running prose). Each sum over a candidate's blocks is
    taken once (the same index list, so the same float) and reused; means and weighted means are numpy's
    own arithmetic (np.mean, np.average: a sum over a count, a sum of products over the weights' sum)."""
    chars = np.array([b.chars for b in page.blocks], dtype=np.float64)
    good_chars = chars * np.array(good, dtype=np.float64)
    stop_chars = chars * np.array(page.stop_share, dtype=np.float64)
    ends_chars = chars * np.array([b.ends_sentence for b in page.blocks], dtype=np.float64)
    prob = np.array(probabilities, dtype=np.float64)
    total = max(1.0, chars.sum())
    sets = {name: set(blocks) for name, blocks in candidates.items()}
    set_chars = {name: chars[list(members)].sum() for name, members in sets.items()}
    list_chars = {name: chars[blocks].sum() for name, blocks in candidates.items()}
    shares = [chars[[i for i, v in enumerate(ored) if v > 0 and v & bit]].sum() / total
              for bit in (classifier.VOTE_TRAFILATURA, classifier.VOTE_READABILITY, classifier.VOTE_COMMENTS)]

    def described(name: str) -> dict[str, float]:
        blocks = candidates[name]
        weight = chars[blocks]
        weight_sum = list_chars[name]
        agree = {f"agree_{other}": agreement(sets[name], sets[other], chars, (set_chars[name], set_chars[other]))
                 if other in sets else -1.0 for other in CANDIDATES}
        others = [agree[f"agree_{other}"] for other in sets if other != name]
        return {"log_chars": float(np.log1p(weight_sum)), "share_of_page": weight_sum / total,
                "n_blocks": len(blocks),
                "n_runs": sum(1 for k, i in enumerate(blocks) if k == 0 or blocks[k - 1] != i - 1),
                **agree, "mean_agreement": float(np.array(others).sum() / len(others)) if others else -1.0,
                "prob_mean": float((prob[blocks] * weight).sum() / weight_sum) if weight_sum else -1.0,
                "prob_body_share": float(weight[prob[blocks] >= classifier.BODY_THRESHOLD].sum()
                                         / max(1.0, weight_sum))}

    def share(values: np.ndarray, blocks: list[int], size: float) -> float:
        """The blocks' share of `values` per character (-1 for no characters); `size`: their characters."""
        return float(values[blocks].sum() / size) if size else -1.0

    ours = described("ours")
    profile = {"page_log_chars": float(np.log1p(total)), "page_traf_share": shares[0], "page_read_share": shares[1],
            "page_comment_share": shares[2], "ours_mean_agreement": ours["mean_agreement"],
            "ours_prob_mean": ours["prob_mean"], "ours_log_chars": ours["log_chars"]}
    rows = []
    for name in candidates:
        if name == "ours":
            continue
        blocks = candidates[name]
        added, dropped = sorted(sets[name] - sets["ours"]), sorted(sets["ours"] - sets[name])
        added_chars, dropped_chars = chars[added].sum(), chars[dropped].sum()
        values = {**described(name), **profile, "candidate": CANDIDATES.index(name),
                  "added_share": added_chars / max(1.0, list_chars[name]),
                  "dropped_share": dropped_chars / max(1.0, list_chars["ours"]),
                  "added_log_chars": float(np.log1p(added_chars)), "dropped_log_chars": float(np.log1p(dropped_chars)),
                  "added_prob": float((prob[added] * chars[added]).sum() / added_chars) if added_chars else -1.0,
                  "dropped_prob": float((prob[dropped] * chars[dropped]).sum() / dropped_chars) if dropped_chars
                  else -1.0,
                  "good_share": share(good_chars, blocks, list_chars[name]),
                  "added_good_share": share(good_chars, added, added_chars),
                  "dropped_good_share": share(good_chars, dropped, dropped_chars),
                  "stop_share": share(stop_chars, blocks, list_chars[name]),
                  "ends_share": share(ends_chars, blocks, list_chars[name])}
        # how much more the candidate agrees with the other candidates than ours does
        values["agreement_over_ours"] = values["mean_agreement"] - ours["mean_agreement"]
        rows.append([values[feature] for feature in SELECT_FEATURES])
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(SELECT_FEATURES))


def chosen_body(page: Page, body: list[int], decides: list[bool], probabilities: list[float], good: list[bool],
                reasons: dict[int, str]) -> list[int]:
    """The page's body after the document-level choice (see the module docstring); `good`: each block's
    body-likeness."""
    if not page.meta.line_votes or not page.blocks:
        return body
    model = _override(page.doc_id) if _override is not None else select_model()
    if model is None and _recorder is None:
        return body
    ored = classifier.block_votes(page)
    candidates = candidate_bodies(page, body, decides, ored)
    names = [name for name in candidates if name != "ours"]
    if not names:
        return body
    matrix = selector_matrix(page, candidates, probabilities, good, ored)
    if _recorder is not None:
        _recorder(page.doc_id, names, matrix, ["\n\n".join(page.blocks[i].text.strip() for i in candidates[name])
                                               for name in names])
    if model is None:
        return body
    gains = model.predict(matrix, num_threads=1)
    best = int(np.argmax(gains))
    if gains[best] <= 0:
        return body
    for i in candidates[names[best]]:
        reasons.pop(i, None)
    return candidates[names[best]]
