"""Tiny inline texts for the clean tests, and the ingest documents frame clean reads."""
from __future__ import annotations

import polars as pl

from stages.clean.corpus import INPUT_COLUMNS

PARA = ("The minister said on Tuesday that the government would review the plan after the talks, which "
        "have been going on for months, and that a decision was expected by the end of the year.")
PARA2 = ("Officials in the region told reporters that the new rules were not yet in force, but that they "
         "would be applied to every company that had signed the agreement with the state.")
PARA3 = ("Shares of the company rose sharply on the news, traders said, after a week of losses in a market "
         "that had been worried about the results and the outlook for the rest of the year.")
PARA4 = ("Heavy rain flooded several roads in the north of the country overnight, the weather service said, "
         "and more storms were forecast for the coming days as rivers kept rising.")
PARA5 = ("The club announced that its new stadium would open next spring, two years later than planned, "
         "after a dispute with the builders over the cost of the roof was finally settled.")
FRENCH = ("Le ministre a déclaré mardi que le gouvernement examinerait le plan après les discussions, qui "
          "durent depuis des mois, et qu'une décision était attendue pour la fin de l'année.")
SPANISH = ("El asesor de seguros se especializa en brindar asesoramiento y gestión comercial en el ámbito "
           "de los seguros para las empresas del mercado peruano.")

SCHEMA = {column: pl.List(pl.String) if column == "meta_authors" else pl.String for column in INPUT_COLUMNS}


def docs_frame(*raws: str, source_format: str = "txt", **meta) -> pl.DataFrame:
    """Ingest documents (clean's INPUT_COLUMNS) with doc ids 0000000000000000, ...01, ...; `meta` sets a
    metadata column (meta_title=...) of every document."""
    rows = [{"doc_id": f"{i:016x}", "source_format": source_format, "raw_text": raw, "meta_title": None,
             "meta_description": None, "meta_authors": [], "meta_date": None, "meta_site": None, **meta}
            for i, raw in enumerate(raws)]
    return pl.DataFrame(rows, schema=SCHEMA)


def accounted(raw: str, doc: dict, removed: pl.DataFrame) -> bool:
    """Every non-blank raw line is in the body, the title, the subtitle or removed, once."""
    nonblank = [i + 1 for i, line in enumerate(raw.split("\n")) if line.strip()]
    got = list(doc["body_line_nos"]) + [x for x in (doc["title_line_no"], doc["subtitle_line_no"]) if x]
    got += removed.filter(pl.col("doc_id") == doc["doc_id"])["line_no"].to_list()
    return sorted(got) == nonblank
