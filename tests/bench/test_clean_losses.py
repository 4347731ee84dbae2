"""bench/clean.py's loss grouping (--show-losses), on tiny inline texts."""
from __future__ import annotations

import clean as bc

GOLD = "the council approved the new budget on monday night after a long debate about schools and roads"


def test_a_page_losing_to_the_extractor_gets_its_cause():
    half = " ".join(GOLD.split()[:6])
    assert bc.loss_causes(GOLD, GOLD, GOLD) is None
    assert bc.loss_causes(half, GOLD, GOLD) == "article missed"
    assert bc.loss_causes(GOLD + " subscribe now to our newsletter for more stories like this one", GOLD,
                          GOLD) == "precision"


def test_comment_share_counts_kept_comment_section_lines_and_how_many_are_gold():
    rows = [{"doc_id": "d", "page": "p", "raw_text": "Menu\nThe article text here.\nGreat post, thanks!",
             "line_votes": [0, 3, 4]}]
    out = {"d": {"body_line_nos": [2, 3]}}
    share, in_gold = bc.comment_share(rows, out, {"p": "The article text here. Great post, thanks!"})
    assert share == len("Great post, thanks!") / len("The article text here.Great post, thanks!") and in_gold == 1.0
