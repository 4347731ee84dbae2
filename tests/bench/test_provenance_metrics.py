"""Pure helpers of bench/provenance.py: pair-count metrics, ARI, components, the corpus builder, link judging."""
from __future__ import annotations

import itertools

import pytest

import provenance as pv


# Values from scikit-learn 1.x `adjusted_rand_score` on the same labellings (inlined: importing scikit-learn
# takes seconds).
SKLEARN_ARI = [
    ([0, 0, 1, 1], [0, 0, 1, 1], 1.0),
    ([0, 0, 1, 1], [0, 1, 0, 1], -0.5),
    ([0, 0, 0, 0], [0, 1, 2, 3], 0.0),
    ([0, 0, 0], [0, 0, 0], 1.0),
    (["a", "a", "b", "b", "c"], [1, 1, 1, 2, 2], 0.09090909090909091),
    ([0, 0, 0, 1, 1, 1, 2, 2, 2], [0, 0, 1, 1, 1, 2, 2, 2, 2], 0.35714285714285715),
    ([1, 1, 2, 2, 3, 3, 3], [1, 1, 1, 2, 2, 3, 3], 0.2125),
]


@pytest.mark.parametrize(("truth", "pred", "expected"), SKLEARN_ARI)
def test_ari_matches_scikit_learn(truth: list, pred: list, expected: float) -> None:
    assert pv.adjusted_rand_index(truth, pred) == pytest.approx(expected)
    assert pv.adjusted_rand_index(pred, truth) == pytest.approx(expected)     # symmetric


def test_ari_perfect_and_label_names_do_not_matter() -> None:
    assert pv.adjusted_rand_index(["p1", "p1", "p2"], ["s9", "s9", "s4"]) == 1.0


def test_pair_counts_and_precision_recall() -> None:
    truth = ["a", "a", "a", "b", "b"]          # true pairs: 3 + 1 = 4
    pred = [1, 1, 2, 2, 2]                     # predicted pairs: 1 + 3 = 4; shared: (0,1) and (3,4)
    counts = pv.pair_counts(truth, pred)
    assert counts == {"both": 2, "truth": 4, "pred": 4, "all": 10}
    assert pv.pair_precision_recall(truth, pred) == (0.5, 0.5)
    brute = sum(1 for i, j in itertools.combinations(range(5), 2) if truth[i] == truth[j] and pred[i] == pred[j])
    assert brute == counts["both"]


def test_pair_precision_recall_none_without_pairs() -> None:
    assert pv.pair_precision_recall(["a", "b"], [1, 2]) == (None, None)
    with pytest.raises(ValueError):
        pv.pair_counts([1], [1, 2])


def test_connected_components() -> None:
    assert pv.connected_components(6, [(0, 2), (2, 4), (5, 1)]) == [0, 1, 0, 3, 0, 1]


def test_paywall_cut_keeps_first_40_percent_of_paragraphs() -> None:
    body = "\n".join(f"Paragraph {i}." for i in range(1, 11)) + "\n\n"
    assert pv.paywall_cut(body) == ("Paragraph 1.\nParagraph 2.\nParagraph 3.\nParagraph 4.\n"
                                    "Subscribe to continue reading.\n")
    assert pv.paywall_cut("Only one.") == "Only one.\nSubscribe to continue reading.\n"


def test_build_corpus_opaque_names_and_complete_mapping() -> None:
    pages = [{"id": "l3s-xyz", "html": "<html><body><p>A story.</p></body></html>", "text": "A story\n",
              "gold": "A story.\nSecond."},
             {"id": "dragnet-7", "html": b"<html>B</html>", "text": "B text", "gold": "   "}]
    files, mapping = pv.build_corpus(pages, seed=3)
    assert set(files) == set(mapping)
    # the empty gold body (and so its paywall cut's body) of dragnet-7: gold left out, paywall kept
    assert sorted(mapping.values()) == sorted([("l3s-xyz", v) for v in pv.VARIANTS]
                                              + [("dragnet-7", "html"), ("dragnet-7", "text"),
                                                 ("dragnet-7", "paywall")])
    for name in files:
        assert "l3s" not in name and "dragnet" not in name and name.startswith("doc-")
        assert name.endswith(".html") == (mapping[name][1] == "html")
    gold_name = next(n for n, v in mapping.items() if v == ("l3s-xyz", "gold"))
    assert files[gold_name] == b"A story.\nSecond."
    assert pv.build_corpus(pages, seed=3) == (files, mapping)
    assert pv.build_corpus(pages, seed=4)[1] != mapping     # the numbering follows the seed


def test_grouping_figures_copies_missed() -> None:
    pages = ["p", "p", "p", "q", "r", "r"]
    versions = ["html", "text", "paywall", "html", "html", "gold"]
    groups = ["s1", "s1", "s2", "s3", "s4", "s4"]
    fig = pv.grouping_figures(pages, versions, groups)
    assert fig["copies_missed"] == 1 and fig["copies_missed_by_version"] == {"paywall": 1}
    assert fig["pages_whole"] == 1 and fig["pages_with_copies"] == 2     # q has one document: not counted
    assert fig["pair_precision"] == 1.0 and fig["pair_recall"] == pytest.approx(2 / 4)


def test_judge_links_by_shared_gold_text() -> None:
    wire = " ".join(f"word{i}" for i in range(40))
    shingles = {"p": pv.shingle_set(wire), "q": pv.shingle_set(wire + " extra tail words here"),
                "r": pv.shingle_set("a completely different story about other things entirely here")}
    judged = pv.judge_links([("near_duplicate", "p", "q"), ("rewrite", "p", "r")], shingles)
    assert judged["total"] == 2 and judged["wrong"] == 1 and judged["shared"] == 1
    assert judged["by_relation"] == {"near_duplicate": {"shared": 1}, "rewrite": {"wrong": 1}}


def test_minhash_baseline_groups_copies() -> None:
    story = " ".join(f"token{i}" for i in range(60))
    other = " ".join(f"other{i}" for i in range(60))
    labels, edges = pv.minhash_clusters([story, story + " end", other, ""])
    assert labels[0] == labels[1] and labels[2] != labels[0] and labels[3] == 3
    assert edges == [(0, 1)]


def test_boilerplate_flags() -> None:
    assert pv.boilerplate_flags("Follow us on Twitter for more.", True) == ["call to action"]
    assert pv.boilerplate_flags("MOST POPULAR STORIES", False) == ["no verb", "all-caps heading"]
    assert pv.boilerplate_flags("Read more at https://example.com", True) == ["url", "call to action"]
    assert pv.boilerplate_flags("The minister resigned on Tuesday.", True) == []


def test_article_of_joins_pages_of_one_article_not_a_shared_block() -> None:
    article = " ".join(f"word{i}" for i in range(40))
    footer = " ".join(f"foot{i}" for i in range(20))
    posts = [" ".join(f"{name}{i}" for i in range(12)) for name in ("alpha", "beta")]
    gold = {"p1": article, "p2": article + " and a longer edition goes on here",
            "p3": f"{posts[0]} {footer}", "p4": f"{posts[1]} {footer}"}
    of = pv.article_of({page: pv.shingle_set(text) for page, text in gold.items()})
    assert of["p1"] == of["p2"] == "p1"
    assert of["p3"] == "p3" and of["p4"] == "p4"   # half their shingles are the footer: < 0.8 shared


@pytest.mark.skipif(not (pv.EXTRACTION / "gold.jsonl").exists(), reason="needs ../shared/benchmarks")
def test_extraction_pages_give_the_same_four_versions() -> None:
    pages = pv.load_extraction_pages()
    assert len(pages) == 111 and all(p["html"] and p["text"] and p["gold"] for p in pages)
    files, mapping = pv.build_corpus(pages[:3], seed=0)
    assert sorted(version for _, version in mapping.values()) == sorted(pv.VARIANTS * 3)
