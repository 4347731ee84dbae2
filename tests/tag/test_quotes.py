"""Quotes: speakers from attributions, pronouns and split quotes; scare quotes are not quotes."""
import re

import polars as pl

from schemas.base import polars_schema
from schemas.tag import Quotes
from stages.tag.quotes import _cues, _Doc, _verb_past_modifiers, extract_quotes
from tests.shipped_params import shipped
from tests.tag.sentence_frames import frames

PARAMS = shipped("tag").quotes
QUOTES_ONLY = PARAMS.model_copy(update={"indirect_speech": False})   # the tests of quotation marks



def people(text: str, mentions: dict[str, str], doc_id: str = "d1") -> pl.DataFrame:
    """PERSON entities for every occurrence of each mention, with its canonical name."""
    rows = []
    for mention, canonical in mentions.items():
        for m in re.finditer(re.escape(mention), text):
            if any(r["start"] <= m.start() < r["end"] for r in rows):
                continue
            rows.append({"doc_id": doc_id, "sent_id": None, "start": m.start(), "end": m.end(), "text": mention,
                         "label": "PERSON", "canonical": canonical, "entity_id": canonical})
    return pl.DataFrame(rows, schema={"doc_id": pl.Utf8, "sent_id": pl.Utf8, "start": pl.Int64, "end": pl.Int64,
                                      "text": pl.Utf8, "label": pl.Utf8, "canonical": pl.Utf8, "entity_id": pl.Utf8})


def run(text, mentions=None, params=None):
    docs, sents = frames(text)
    out = extract_quotes(docs, sents, people(text, mentions or {}), params or QUOTES_ONLY)
    for row in out.iter_rows(named=True):
        assert text[row["start"]:row["end"]] == row["quote"]
    return out


def direct(out):
    return out.filter(pl.col("kind").is_in(["direct", "partial"]))


def test_seed_004_said_name_after_quote():
    text = ("Hamas placed blame on Netanyahu.\n\n“We were very close, but Netanyahu’s narrow-mindedness aborted an "
            "agreement,” said Mousa Abu Marzouk, a senior Hamas official.")
    out = direct(run(text, {"Netanyahu": "Benjamin Netanyahu", "Mousa Abu Marzouk": "Mousa Abu Marzouk"}))
    assert out.height == 1
    row = out.row(0, named=True)
    assert row["quote"].startswith("We were very close") and row["quote"].endswith("an agreement")
    assert (row["speaker"], row["verb"], row["kind"]) == ("Mousa Abu Marzouk", "said", "direct")


def test_seed_002_title_and_surname_speaker():
    text = ("But on Thursday, he promised families, according to Jonathan Dekel-Chen, whose son was abducted.\n\n"
            "“He committed in front of the president to act with more urgency than he has in the past,” "
            "Mr. Dekel-Chen said in a phone interview on Saturday.")
    out = direct(run(text, {"Jonathan Dekel-Chen": "Jonathan Dekel-Chen", "Mr. Dekel-Chen": "Jonathan Dekel-Chen"}))
    assert out["speaker"].to_list() == ["Jonathan Dekel-Chen"]
    assert out["verb"].to_list() == ["said"]


def test_seed_002_he_said_split_quote_is_one_speaker():
    text = ("Kamel Abu Jamea, 73, a Khan Younis resident, said his wife, Amna, 73, was too sick to walk. "
            "He had tried to find a ride for them, but had no luck.\n\n"
            "“My wife can’t even walk five meters,” he said. “I can’t leave her and go.”")
    out = run(text, {"Kamel Abu Jamea": "Kamel Abu Jamea", "Amna": "Amna"})
    assert out["quote"].to_list() == ["My wife can’t even walk five meters", "I can’t leave her and go."]
    assert out["speaker"].to_list() == ["Kamel Abu Jamea", "Kamel Abu Jamea"]
    assert out["kind"].to_list() == ["direct", "direct"]
    assert out["quote_group"].n_unique() == 1
    assert out["attribution"].to_list() == ["after", "continuation"]


def test_scare_quotes_are_only_unattributed_ones():
    text = ("The order includes an area that Israel had designated a “humanitarian zone” for civilians. "
            "An Israeli official confirmed that talks had stalled, describing the situation as a “crisis.” "
            "The proposal still had “vague” points.")
    out = run(text)
    assert out["kind"].to_list() == ["scare", "partial", "scare"]
    assert out["speaker_text"].to_list() == [None, "An Israeli official", None]


def test_short_attributed_quotes_and_name_calling_are_partial_with_the_clause_speaker():
    text = ("At a fundraiser, Clinton called half of Trump’s supporters “deplorables.” "
            "A cashier who “steals a handful of $20s” is held accountable, Warren said. "
            "Trump called her “Miss Piggy” on Tuesday. In Ohio, they dismissed it as “fake.”")
    out = run(text, {"Clinton": "Hillary Clinton", "Trump": "Donald Trump", "Warren": "Elizabeth Warren"})
    assert out["kind"].to_list() == ["partial"] * 4
    assert out["speaker"].to_list() == ["Hillary Clinton", "Elizabeth Warren", "Donald Trump", None]
    assert out["speaker_text"].to_list() == ["Clinton", "Warren", "Trump", "they"]
    assert out["verb"].to_list() == ["called", "said", "called", "dismissed"]
    assert set(out["attribution"].to_list()) == {"clause"}


def test_speaker_before_quote_with_colon_and_straight_quotes():
    text = 'The minister, Yoav Gallant, was blunt. Gallant said: "We will not stop until the job is done."'
    out = direct(run(text, {"Yoav Gallant": "Yoav Gallant", "Gallant": "Yoav Gallant"}))
    assert out["speaker"].to_list() == ["Yoav Gallant"]
    assert out["attribution"].to_list() == ["before"]


def test_nominal_speaker_and_pronoun_gender():
    text = ("Ms. Sarah Levy met Mr. Dan Cohen on Monday. "
            "“We talked for hours about the plan,” she said. "
            "“It was a long and difficult meeting,” a senior official told reporters.")
    out = direct(run(text, {"Ms. Sarah Levy": "Sarah Levy", "Mr. Dan Cohen": "Dan Cohen"}))
    assert out["speaker"].to_list() == ["Sarah Levy", "a senior official"]
    assert out["speaker_kind"].to_list() == ["pronoun", "nominal"]
    assert out["verb"].to_list() == ["said", "told"]


def test_multi_paragraph_quote_takes_speaker_from_closing_part():
    text = ("“The first paragraph of a long statement goes on without a closing mark.\n\n"
            "“And the second paragraph ends it,” said Jane Roe, the agency’s director.")
    out = direct(run(text, {"Jane Roe": "Jane Roe"}))
    assert out.height == 2
    assert out["speaker"].to_list() == ["Jane Roe", "Jane Roe"]
    assert out["closed"].to_list() == [False, True]
    assert out["quote_group"].n_unique() == 1


def test_unresolvable_pronoun_gives_null_speaker_and_schema():
    out = run("“We are ready to talk, whenever they are,” they said.")
    assert out["speaker"].to_list() == [None]
    assert dict(out.schema) == polars_schema(Quotes)


def test_no_quotes_gives_empty_frame_with_schema():
    out = run("Nothing is quoted in this sentence.")
    assert out.height == 0 and dict(out.schema) == polars_schema(Quotes)


def test_quote_after_the_previous_paragraph_inherits_its_speaker_unless_switched_off():
    text = ("“We will rebuild,” said Jane Roe, the mayor.\n"
            "“It will take years, but we will do it.”")
    out = direct(run(text, {"Jane Roe": "Jane Roe"}))
    assert out["speaker"].to_list() == ["Jane Roe", "Jane Roe"]
    assert out["attribution"].to_list() == ["after", "previous_paragraph"]
    no_inheritance = shipped("tag", {"quotes": {"inherit_across_paragraphs": False}}).quotes
    off = direct(run(text, {"Jane Roe": "Jane Roe"}, no_inheritance))
    assert off["speaker"].to_list() == ["Jane Roe", None]


def test_a_quote_inherits_across_a_blank_line_but_not_past_a_paragraph_between():
    text = ("“We will rebuild,” said Jane Roe, the mayor.\n\n“It will take years, but we will do it.”\n\n"
            "The council meets on Monday.\n\n“Nobody asked us.”")
    out = direct(run(text, {"Jane Roe": "Jane Roe"}))
    assert out["speaker"].to_list() == ["Jane Roe", "Jane Roe", None]


def test_according_to_verb_first_and_speaker_before_the_quote():
    text = ("“The talks failed,” according to Omar Haddad. "
            "“We tried,” added Omar Haddad. "
            "According to Omar Haddad, “nothing is settled yet.” "
            "Omar Haddad told reporters that the plan was “going nowhere fast at all.”")
    out = direct(run(text, {"Omar Haddad": "Omar Haddad"}))
    assert out["verb"].to_list() == ["according to", "added", "according to", "told"]
    assert set(out["speaker"]) == {"Omar Haddad"}
    assert out["kind"].to_list() == ["direct", "direct", "direct", "partial"]


def test_a_title_cased_unattributed_quote_is_a_title():
    out = run("She starred in “The Art of War” and left.")
    assert out["kind"].to_list() == ["title"]


def test_a_speaker_stops_at_a_conjunction_or_auxiliary_and_a_modifier_is_not_a_subject():
    text = ("He spoke at a forum sponsored by NBC News and said she has “steadiness.” "
            "The Islamic terror groups, Obama said, are “lone wolves” to him. "
            "The GOP candidate did not say, though he said “budget reforms” would pay.")
    out = direct(run(text, {"Obama": "Barack Obama"}))
    assert out["speaker_text"].to_list() == ["He", "Obama", "he"]
    assert out["speaker"].to_list()[1:] == ["Barack Obama", "Barack Obama"]


def test_indirect_speech_rows_with_content_and_speaker():
    text = ("Officials said the talks would resume next week. Jane Doe spoke in Ohio. "
            "The plan will fail in the Senate, she said on Friday. "
            "According to seven officials, the talks stalled over the border. "
            "Paul Porter, a truck driver from Ava, said he strongly favored the new rule. "
            "Clinton acknowledged that the emails were a mistake. He continued his tour.")
    out = run(text, {"Jane Doe": "Jane Doe", "Paul Porter": "Paul Porter", "Clinton": "Hillary Clinton"}, PARAMS)
    ind = out.filter(pl.col("kind") == "indirect")
    assert ind["quote"].to_list() == ["the talks would resume next week", "The plan will fail in the Senate",
                                      "the talks stalled over the border", "he strongly favored the new rule",
                                      "the emails were a mistake"]
    assert ind["speaker_text"].to_list() == ["Officials", "she", "seven officials", "Paul Porter", "Clinton"]
    assert ind["speaker"].to_list()[1:] == ["Jane Doe", "seven officials", "Paul Porter", "Hillary Clinton"]
    assert ind["attribution"].to_list() == ["before", "after", "before", "before", "before"]


def test_no_indirect_rows_inside_a_direct_quote_or_when_switched_off():
    text = "“We will win. Officials said the vote was rigged,” Trump said. Aides said the vote was fair."
    assert run(text, params=PARAMS)["kind"].to_list() == ["direct", "indirect"]
    assert run(text)["kind"].to_list() == ["direct"]


def test_question_mark_before_the_cue_and_a_possessive_mention_is_not_the_speaker():
    text = ("“Where are the 14 million votes?” Trump said. “We will find them.”\n\n"
            "“It was a mistake,” Hillary Clinton’s campaign manager Robby Mook said.")
    out = direct(run(text, {"Trump": "Donald Trump", "Hillary Clinton": "Hillary Clinton",
                            "Robby Mook": "Robby Mook"}))
    assert out["speaker"].to_list() == ["Donald Trump", "Donald Trump", "Robby Mook"]
    assert out["attribution"].to_list() == ["after", "continuation", "after"]


def test_a_speaker_introduced_before_a_colon_in_the_previous_paragraph():
    text = "Cruz called them on it:\n\n“You guys are not going to win this one.”"
    out = direct(run(text, {"Cruz": "Ted Cruz"}))
    assert out["speaker"].to_list() == ["Ted Cruz"] and out["verb"].to_list() == ["called"]


def test_a_second_embedded_quote_of_a_sentence_and_an_appositive_subject():
    text = ("Graham argued that being American “is an idea” and that “no group owns being an American.” "
            "Brian Fallon, the campaign’s press secretary, noted that the campaign faced “a crossroads in May.”")
    out = direct(run(text, {"Graham": "Lindsey Graham", "Brian Fallon": "Brian Fallon"}))
    assert out["speaker"].to_list() == ["Lindsey Graham", "Lindsey Graham", "Brian Fallon"]
    assert out["kind"].to_list() == ["partial"] * 3


def test_indirect_speech_with_a_parenthetical_or_dashed_attribution():
    text = ("It was impossible, Gabuyev said, so the leaders decided to divide the labor. "
            "Neither plan would change what the middle class pays, analysts say. "
            "Ferguson had 115 violent crimes — according to the most recent data.")
    ind = run(text, {"Gabuyev": "Alexander Gabuyev"}, PARAMS).filter(pl.col("kind") == "indirect")
    assert ind["speaker_text"].to_list() == ["Gabuyev", "analysts", "the most recent data"]
    assert ind["quote"].to_list()[0] == "It was impossible, Gabuyev said, so the leaders decided to divide the labor"
    assert ind["quote"].to_list()[1:] == ["Neither plan would change what the middle class pays",
                                          "Ferguson had 115 violent crimes"]


def test_pronoun_gender_from_first_names_and_salience_past_the_lookback():
    text = ("Hillary Clinton spoke first. Clinton met Donald Trump on stage.\n\n"
            "“We will win,” he said.")
    out = direct(run(text, {"Hillary Clinton": "Hillary Clinton", "Clinton": "Hillary Clinton",
                            "Donald Trump": "Donald Trump"}))
    assert out["speaker"].to_list() == ["Donald Trump"]        # "Clinton" is Hillary here: not a "he"
    far = ("Maria Lopez runs the shelter. " + "The rain fell. " * 8 + "\n\n“It is full,” she said.")
    assert direct(run(far, {"Maria Lopez": "Maria Lopez"}))["speaker"].to_list() == ["Maria Lopez"]


def test_initials_do_not_truncate_a_speaker():
    text = "“We will hold the seat,” said Rep. G.K. Butterfield. “Nobody doubts it,” J. Smith said."
    out = direct(run(text, {"G.K. Butterfield": "G.K. Butterfield"}))
    assert out["speaker"].to_list() == ["G.K. Butterfield", "J. Smith"]
    assert out["speaker_text"].to_list() == ["Rep. G.K. Butterfield", "J. Smith"]


def test_indirect_rows_after_stance_verbs_without_that():
    text = ("Christie endorsed Trump for the nomination. Rubio wants to emerge as the go-to candidate. "
            "A new poll shows Sanders with 47 percent. The endorsement came late. He was tired in Iowa.")
    out = run(text, {"Christie": "Chris Christie", "Rubio": "Marco Rubio", "Trump": "Donald Trump",
                     "Sanders": "Bernie Sanders"}, PARAMS)
    ind = out.filter(pl.col("kind") == "indirect")
    assert ind["quote"].to_list() == ["Trump for the nomination", "to emerge as the go-to candidate",
                                      "Sanders with 47 percent"]
    assert ind["speaker"].to_list() == ["Chris Christie", "Marco Rubio", "A new poll"]


def test_a_verb_form_after_a_determiner_possessive_or_number_is_a_noun():
    text = ("Hillary Clinton spoke on Friday. Donald Trump’s flurry of late-night tweets was “unhinged, even for "
            "him.” Trump now enjoys 48 support in the state. Clinton won in six states and American Samoa.")
    out = run(text, {"Hillary Clinton": "Hillary Clinton", "Donald Trump": "Donald Trump", "Trump": "Donald Trump",
                     "Clinton": "Hillary Clinton"}, PARAMS)
    quote = direct(out).row(0, named=True)
    assert quote["quote"].startswith("unhinged") and quote["speaker"] is None
    assert out.filter(pl.col("kind") == "indirect").height == 0


def test_an_indirect_statement_whose_source_is_not_a_speaker_has_no_speaker():
    text = "Six in 10 say he is at least somewhat decisive."
    ind = run(text, params=PARAMS).filter(pl.col("kind") == "indirect")
    assert ind["quote"].to_list() == ["he is at least somewhat decisive"]
    assert ind["speaker"].to_list() == [None] and ind["speaker_start"].to_list() == [None]


def test_indirect_rows_after_a_document_phrase_an_appositive_subject_and_an_addressee():
    text = ("In an NBC News poll released Monday, half of the voters chose Clinton. "
            "The visa program was abused by a terrorist, the White House spokesman, Josh Earnest, said on Thursday. "
            "We must not overreact to the rhetoric, he told me.")
    out = run(text, {"Josh Earnest": "Josh Earnest"}, PARAMS).filter(pl.col("kind") == "indirect")
    assert out["quote"].to_list() == ["half of the voters chose Clinton", "The visa program was abused by a terrorist",
                                      "We must not overreact to the rhetoric"]
    assert out["speaker_text"].to_list() == ["an NBC News poll released Monday", "the White House spokesman", "he"]


def test_partial_quote_speakers_from_the_sentence_a_coordinated_verb_and_a_relative_clause():
    text = ("Gilbert said he would leave not because of “a personal vendetta” but because Canova is a “good "
            "candidate.” The president noted the law, and added: “I know a little about this.” "
            "“He is a dictator,” said Beck, who said there were “too many disturbing things.” "
            "Said Dorothy Poynter, who grew up with Ali, “We were all so proud of him.”")
    out = direct(run(text, {"Gilbert": "Dan Gilbert", "Canova": "Tim Canova", "Beck": "Glenn Beck",
                            "Dorothy Poynter": "Dorothy Poynter"}))
    # a relative clause's speaker mention is its pronoun ("who"), resolved to the name before its comma
    assert out["speaker_text"].to_list() == ["Gilbert", "Gilbert", "The president", "Beck", "who", "Dorothy Poynter"]
    assert out["speaker"].to_list()[3:5] == ["Glenn Beck", "Glenn Beck"]


def test_a_relative_pronoun_with_words_before_its_verb_is_the_speaker_mention():
    text = ("Beck, who has in the past described Trump as “a pathological narcissistic sociopath,” spoke.\n\n"
            "Trump cited the report, which Politico called “a hit job.”")
    out = direct(run(text, {"Beck": "Glenn Beck", "Trump": "Donald Trump"}))
    assert out.select("speaker", "speaker_text").rows()[0] == ("Glenn Beck", "who")
    assert out.filter(pl.col("quote") == "a hit job.")["speaker_text"].to_list() != ["which"]


def test_a_name_before_the_head_noun_qualifies_the_speaker():
    text = ("“We will win,” Sanders campaign manager Jeff Weaver said. "
            "“It is over,” a top Donald Trump adviser said.")
    out = direct(run(text, {"Sanders": "Bernie Sanders", "Jeff Weaver": "Jeff Weaver",
                            "Donald Trump": "Donald Trump"}))
    assert out["speaker"].to_list() == ["Jeff Weaver", "a top Donald Trump adviser"]
    assert out["speaker_kind"].to_list() == ["named", "nominal"]


def test_transcript_turns_are_statements_of_the_named_person():
    text = ("Mary Fallin spoke to Jake Tapper.\n\nTAPPER: Do you think he is a healer? He was asked.\n\n"
            "FALLIN: I think he is trying to campaign as a healer.\n\nUPDATE: The story was corrected on Monday.")
    out = run(text, {"Mary Fallin": "Mary Fallin", "Jake Tapper": "Jake Tapper"}, PARAMS)
    turns = out.filter(pl.col("attribution") == "transcript")
    assert turns["quote"].to_list() == ["Do you think he is a healer? He was asked.",
                                        "I think he is trying to campaign as a healer."]
    assert turns["speaker"].to_list() == ["Jake Tapper", "Mary Fallin"] and set(turns["kind"]) == {"indirect"}



def test_indirect_rows_beside_a_short_quote_after_an_opening_participle_and_an_addressee():
    text = ("Obama said “it gets me mad” every time he thinks about the children who were killed. "
            "Asked whether he would pay the fees, the candidate shrugged. "
            "Resolve means depriving them of territory, she told an audience at the Brookings Institution.")
    out = run(text, {"Obama": "Barack Obama"}, PARAMS)
    ind = out.filter(pl.col("kind") == "indirect")
    assert ind["quote"].to_list() == ["it gets me mad” every time he thinks about the children who were killed",
                                      "whether he would pay the fees, the candidate shrugged",
                                      "Resolve means depriving them of territory"]
    assert ind["speaker"].to_list() == ["Barack Obama", None, None] and ind["speaker_text"].to_list()[2] == "she"


def test_a_participle_or_a_second_verb_takes_the_sentence_subject_past_an_introduction():
    text = ("Black Lives Matter issued a statement saying it withdrew “because of the unsafe conditions.” "
            "He said his attacks have given his campaign momentum and said that Trump is not the “party of "
            "Reagan.” Hours later, Trump returned the compliment, telling Reuters, “Sheldon is a friend.”")
    out = direct(run(text, {"Trump": "Donald Trump", "Reagan": "Ronald Reagan"}))
    assert out["speaker_text"].to_list() == ["Black Lives Matter", "He", "Trump"]


def test_a_bracketed_party_before_the_verb_and_a_participial_introduction():
    text = ("Sen. Elizabeth Warren (D-MA) said Donald Trump was a “proven failure as a businessman.” "
            "Speaking at a rally in Iowa, which votes first, Bush referred to Rubio as “a bright, charismatic "
            "leader.”")
    out = direct(run(text, {"Elizabeth Warren": "Elizabeth Warren", "Donald Trump": "Donald Trump",
                            "Bush": "Jeb Bush", "Rubio": "Marco Rubio"}))
    assert out["speaker"].to_list() == ["Elizabeth Warren", "Jeb Bush"]


def test_a_quoted_transcript_turn_an_appositive_with_a_state_and_more_cue_verbs():
    text = ("Mike Pence spoke to Chris Wallace.\n\n“PENCE: Well, look, she thinks this is a show.”\n\n"
            "“Our assumption is that the veto will fall,” Senate Majority Leader Mitch McConnell, R-Ky., said "
            "Tuesday. “Denver,” he answered.")
    out = direct(run(text, {"Mike Pence": "Mike Pence", "Chris Wallace": "Chris Wallace",
                            "Mitch McConnell": "Mitch McConnell"}))
    assert out["speaker"].to_list() == ["Mike Pence", "Mitch McConnell", "Mitch McConnell"]
    assert out["attribution"].to_list() == ["transcript", "after", "after"]


def test_quoted_transcript_turns_are_not_continuations_of_each_other():
    text = ("Mike Pence spoke to Chris Wallace.\n\n\"WALLACE: Will she be there tomorrow night?\n\n"
            "\"PENCE: She will not be attending the debate.")
    out = direct(run(text, {"Mike Pence": "Mike Pence", "Chris Wallace": "Chris Wallace"}))
    assert out["speaker"].to_list() == ["Chris Wallace", "Mike Pence"]


def test_a_quote_inside_reported_content_takes_the_main_clause_verb():
    # "continue" belongs to what Lopez said; a clause set off by a comma before the quote is another's
    text = ("Lopez said she is sure Grant will continue to be “a strong voice for the farmers of the valley.”\n\n"
            "Ruiz, who thanked Grant after the count was declared, told the crowd: “We did this together.”")
    out = direct(run(text, {"Lopez": "Ana Lopez", "Grant": "Tom Grant", "Ruiz": "Eva Ruiz"}))
    assert out["speaker"].to_list() == ["Ana Lopez", "Eva Ruiz"]
    assert out["verb"].to_list() == ["said", "told"]


def test_a_sentence_going_on_after_the_quote_is_attributed_after_its_comma_only():
    text = ("“It looks very unlikely” that Grant can win the county, said Ana Lopez, a pollster.\n\n"
            "Ruiz says she is “close behind” with Tom Grant, in a race that he said was tight.\n\n"
            "“We are ready,” one volunteer wrote.")
    out = direct(run(text, {"Ana Lopez": "Ana Lopez", "Grant": "Tom Grant", "Tom Grant": "Tom Grant",
                            "Ruiz": "Eva Ruiz"}))
    assert out["speaker"].to_list() == ["Ana Lopez", "Eva Ruiz", "one volunteer"]


def test_a_quote_opening_a_sentence_after_reported_speech_is_that_speaker_s():
    text = ("The mayor spoke after the vote. Later, Jane Roe said that the budget would pass. “It is a good day.”\n\n"
            "The council met on Monday. “Nobody asked us.”\n\n"
            "Professor Ann Lee agreed.\n\n“We waited too long.”")
    out = direct(run(text, {"Jane Roe": "Jane Roe", "Ann Lee": "Ann Lee"}))
    assert out["speaker"].to_list() == ["Jane Roe", None, "Ann Lee"]
    assert out["attribution"].to_list() == ["previous_sentence", None, "previous_sentence"]


def test_an_untagged_surname_of_a_person_of_the_document_is_a_clause_subject():
    text = ("Julianne Moore joined the campaign in May.\n\n"
            "Moore thanked him for “acting when nobody else would.”")
    # only the full name is tagged: the model missed the bare surname
    out = direct(run(text, {"Julianne Moore": "Julianne Moore"}))
    assert out["speaker"].to_list() == ["Julianne Moore"]
    assert out["speaker_text"].to_list() == ["Moore"]


def test_an_embedded_quote_takes_the_speaker_of_the_reported_speech_around_it():
    text = "According to Jane Roe, the plan was late but is now “the best thing that happened to the town.”"
    out = direct(run(text, {"Jane Roe": "Jane Roe"}))
    assert out["speaker"].to_list() == ["Jane Roe"]
    assert out["attribution"].to_list() == ["clause"]


def test_the_object_of_a_verb_and_a_place_before_a_noun_are_not_the_clause_subject():
    text = ("Jane Roe, hoping to win the county, called Tom Grant a “hopeless case.”\n\n"
            "After the Paris attacks, Tom Grant took aim at “real terrorism.”")
    docs_mentions = {"Jane Roe": "Jane Roe", "Tom Grant": "Tom Grant"}
    docs, sents = frames(text)
    entities = people(text, docs_mentions)
    paris = text.index("Paris")
    entities = pl.concat([entities, pl.DataFrame(
        [{"doc_id": "d1", "sent_id": None, "start": paris, "end": paris + 5, "text": "Paris", "label": "GPE",
          "canonical": "Paris", "entity_id": "Paris"}], schema=entities.schema)]).sort("start")
    out = direct(extract_quotes(docs, sents, entities, QUOTES_ONLY))
    assert out["speaker"].to_list() == ["Jane Roe", "Tom Grant"]


def test_a_document_reads_a_participle_after_a_place_phrase_and_a_possessive_object():
    text = ("The city sent a letter to residents. “The bridge will close in May,” the letter read.\n\n"
            "Jane Roe replied on the radio saying, “We will fight this.”\n\n"
            "Tom Grant, who leads in the polls, questioned Roe's “small-town values” on Monday.")
    out = direct(run(text, {"Jane Roe": "Jane Roe", "Roe": "Jane Roe", "Tom Grant": "Tom Grant"}))
    assert out["speaker"].to_list() == ["the letter", "Jane Roe", "Tom Grant"]


def test_it_after_a_quote_is_the_document_or_organisation_quoted_just_before():
    text = ("“Sales fell in May,” the newspaper wrote. “But since then, the shop has recovered,” it added.\n\n"
            "“We are glad,” Jane Roe said. “It was hard,” it read.")
    out = direct(run(text, {"Jane Roe": "Jane Roe"}))
    assert out["speaker"].to_list() == ["the newspaper", "the newspaper", "Jane Roe", None]
    assert out["speaker_text"].to_list() == ["the newspaper", "it", "Jane Roe", "it"]


def test_a_person_named_right_before_the_colon_that_opens_a_quote_says_it():
    text = ("Both reject the plan. Roe: “We want it gone.” Grant: “So do we.”\n\n"
            "The vote did not surprise the pollster Ann Lee: “It was close all along.”\n\n"
            "Grant brought a list to the meeting: “Roads, schools, parks.”")
    out = direct(run(text, {"Roe": "Jane Roe", "Grant": "Tom Grant", "Ann Lee": "Ann Lee"}))
    assert out["speaker"].to_list()[:3] == ["Jane Roe", "Tom Grant", "Ann Lee"]
    assert out["attribution"].to_list()[:3] == ["before", "before", "before"]


def test_a_speaker_name_ends_before_a_verb_that_follows_it():
    text = "Roe celebrated in Dover with supporters, declaring it “a great night for the town.”"
    out = direct(run(text, {"Roe": "Jane Roe"}))
    assert out["speaker"].to_list() == ["Jane Roe"]


def test_a_coordinated_reporting_verb_takes_the_subject_of_the_verb_before_it():
    text = "Asked about the vote, he looked at the crowd, raised his hand and said, “We won.”"
    out = direct(run(text, {"Tom Grant": "Tom Grant"}))
    assert out["speaker_text"].to_list() == ["he"]


def test_a_verb_set_off_right_before_the_marks_beats_the_next_quote_s_attribution():
    text = ("When someone in the crowd yelled, “Grant!” Roe added, “Not today.”\n\n"
            "“Out!” the crowd screamed.")
    out = direct(run(text, {"Roe": "Jane Roe", "Grant": "Tom Grant"}))
    assert out["speaker_text"].to_list() == ["the crowd", "Roe", "the crowd"]


def test_role_words_between_an_opening_and_the_full_name_are_one_subject():
    text = "Republican presidential front-runner Donald Trump is insisting that he has “expanded the party” a lot."
    out = direct(run(text, {"Donald Trump": "Donald Trump"}))
    assert out.select("speaker", "speaker_text").rows() == [
        ("Donald Trump", "Republican presidential front-runner Donald Trump")]


def test_a_capitalised_verb_form_inside_a_title_is_part_of_the_name():
    text = ("Former Secretary of State Madeleine Albright urged women to vote, saying, “There is a special place "
            "in hell for them.”")
    out = direct(run(text, {"Madeleine Albright": "Madeleine Albright"}))
    assert out.select("speaker", "kind").rows() == [("Madeleine Albright", "direct")]


def test_a_capitalised_opening_before_a_verb_stays_the_subject():
    text = "Trump told reporters Clinton was “a disaster for the country” on Monday."
    out = direct(run(text, {"Trump": "Donald Trump", "Clinton": "Hillary Clinton"}))
    assert out["speaker"].to_list() == ["Donald Trump"]


def test_two_word_reporting_verbs_attribute():
    # data/phrasal_reporting_verbs.txt: "shot back", "went on" are cues; "went" alone is none
    text = ("Clinton spoke first. Sanders shot back, “Secretary Clinton called them out.”\n\n"
            "“You know, it happens, right?” Trump went on, as if he did not hear her.")
    out = direct(run(text, {"Clinton": "Hillary Clinton", "Sanders": "Bernie Sanders", "Trump": "Donald Trump"}))
    rows = {r["quote"][:9]: r for r in out.iter_rows(named=True)}
    assert (rows["Secretary"]["speaker"], rows["Secretary"]["verb"], rows["Secretary"]["kind"]) == \
        ("Bernie Sanders", "shot back", "direct")
    assert (rows["You know,"]["speaker"], rows["You know,"]["verb"], rows["You know,"]["verb_lemma"]) == \
        ("Donald Trump", "went on", "go on")


def test_irregular_verb_ends_the_speaker():
    # data/verb_forms.txt: "sought" is a verb, not part of the nominal speaker
    text = "The Florida senator sought to calm his supporters, saying the person would “not get beat up” there."
    out = direct(run(text))
    assert out["speaker_text"].to_list() == ["The Florida senator"]


def test_infinitive_after_a_verb_takes_its_subject():
    text = "Pence spoke.\n\nTrump went on to say, “She once threw a Bible at an agent.”"
    out = direct(run(text, {"Trump": "Donald Trump", "Pence": "Mike Pence"}))
    assert (out["speaker"].to_list(), out["verb"].to_list(), out["kind"].to_list()) == \
        (["Donald Trump"], ["say"], ["direct"])


def test_as_speaker_verb_attributes():
    text = ("The rule is a “lawful source of investment income,” as a Homeland Security memo put it.\n\n"
            "As Politico reported, “Trump would win, and handily, if it were held tonight.”")
    out = direct(run(text))
    assert out["speaker_text"].to_list() == ["a Homeland Security memo", "Politico"]


def test_as_attribution_needs_the_verb_to_end_its_clause():
    text = ("At the debate, Clinton cited Trump’s references to Machado as “Miss Piggy” as examples of Trump’s "
            "disrespectful comments about women.")
    out = direct(run(text, {"Clinton": "Hillary Clinton", "Trump": "Donald Trump", "Machado": "Alicia Machado"}))
    assert out["speaker"].to_list() == ["Hillary Clinton"]


def test_subject_is_not_a_prepositional_object():
    text = ("At one point, a woman asked for a photo and Clinton said, “as long as we’re not violating any laws.”\n\n"
            "The supporter was charged. Trump at the time said he’d asked his “people” to pay the fees.")
    out = direct(run(text, {"Clinton": "Hillary Clinton", "Trump": "Donald Trump"}))
    assert out["speaker_text"].to_list() == ["Clinton", "Trump"]


def test_sentence_reporting_verb_beats_a_clause_subject_that_reports_nothing():
    text = "Ted Cruz says his “friend and colleague” Marco Rubio ran “an optimistic campaign focused on the future.”"
    out = direct(run(text, {"Ted Cruz": "Ted Cruz", "Marco Rubio": "Marco Rubio"}))
    assert out["speaker"].to_list() == ["Ted Cruz", "Ted Cruz"]


def test_possessor_of_a_reporting_noun_before_that_is_the_source():
    text = ("Politifact did a fact-check on Donald Trump’s claim that there have been “thousands of shootings” in "
            "Chicago.\n\nIt is a blind faith in Obama’s statement: “As we have explained before, the figure is wrong.”")
    out = direct(run(text, {"Donald Trump": "Donald Trump", "Obama": "Barack Obama"}))
    assert out.select("speaker", "speaker_text", "kind").rows() == [
        ("Donald Trump", "Donald Trump", "partial"), ("Barack Obama", "Obama", "direct")]


def test_a_paragraph_ending_with_a_partial_quote_passes_its_speaker_on():
    text = ("Trump shot back in a statement, saying he’s “made a lot of money in down markets.”\n\n"
            "“Frankly, this is the kind of thinking our country needs.”")
    out = direct(run(text, {"Trump": "Donald Trump"}))
    assert out.select("speaker", "attribution").rows() == [("Donald Trump", "before"),
                                                          ("Donald Trump", "previous_paragraph")]


def test_a_base_form_that_is_a_noun_does_not_end_the_speaker():
    # data/verb_forms.txt lists no base forms: "fight" is a noun here, not the verb after "Famed"
    text = "“It was brutal,” Famed fight doctor Ferdie Pacheco said."
    out = direct(run(text, {"Ferdie Pacheco": "Ferdie Pacheco"}))
    assert out["speaker"].to_list() == ["Ferdie Pacheco"]


def test_a_pronoun_past_the_lookback_takes_the_most_salient_person_of_unknown_gender():
    filler = " ".join(f"The border was busy on day {i}." for i in range(8))
    text = (f"Phyllis Schlafly wrote her last column. Schlafly was 92. {filler}\n\n"
            "“Voters finally have a choice,” she wrote.")
    out = direct(run(text, {"Phyllis Schlafly": "Phyllis Schlafly", "Schlafly": "Phyllis Schlafly"}))
    assert out["speaker"].to_list() == ["Phyllis Schlafly"]


def test_a_name_a_preposition_governs_is_not_the_subject():
    text = "Another intelligence source speaking to Fox News said, “The agents are investigating the donations.”"
    out = direct(run(text))
    assert out["speaker_text"].to_list() == ["Another intelligence source speaking"]


def test_a_time_phrase_before_the_subject_and_a_name_after_the_pronoun():
    # "Eight years ago," is no subject; "he" is not the Obama named after it in its own sentence
    text = ("Sharpton was in the contest. Eight years ago, he supported Barack Obama over Clinton and said, "
            "“Hillary Clinton has never done nothing for us.”")
    out = direct(run(text, {"Sharpton": "Al Sharpton", "Barack Obama": "Barack Obama", "Clinton": "Hillary Clinton"}))
    assert out.select("speaker", "speaker_text").rows() == [("Al Sharpton", "he")]


def test_more_reporting_verbs():
    text = ("Tiegen was troubled.\n\n“Who wants to work with us, if you have somebody like that?” he wondered.\n\n"
            "“The way I see it,” Woods elaborated, “no one ever questioned his sacrifice.”")
    out = direct(run(text, {"Tiegen": "Mark Tiegen", "Woods": "Lynn Woods"}))
    assert out.select("speaker", "verb_lemma").rows() == [("Mark Tiegen", "wonder"), ("Lynn Woods", "elaborate"),
                                                         ("Lynn Woods", "elaborate")]


def test_another_alone_is_a_nominal_speaker():
    out = direct(run("Many tweets followed. Another tweeted, “Clinton thinks she’s above rules and the law.”"))
    assert out.select("speaker", "speaker_kind").rows() == [("Another", "nominal")]


def test_pronoun_verb_and_said_takes_the_pronoun():
    text = ("When Robby Mook, Clinton’s campaign manager was asked during a luncheon if Clinton would schedule "
            "a press conference, he laughed and said, “We’ll see.”")
    out = direct(run(text, {"Robby Mook": "Robby Mook", "Clinton": "Hillary Clinton"}))
    assert out.select("speaker", "speaker_text").rows() == [("Robby Mook", "he")]


def test_it_alone_before_a_quote_is_the_document_quoted_before():
    text = ("“No one here has any relationship with Zimmerman,” the company wrote in its statement. "
            "It added, “We want no part in the listing on our web site.”")
    out = direct(run(text))
    assert out.select("speaker", "speaker_text").rows() == [("the company", "the company"), ("the company", "It")]


def test_said_he_before_an_embedded_quote_is_no_inverted_speaker():
    text = ("Corey Lewandowski, in a statement released on Thursday, said he “appreciates the professionalism” "
            "of the state attorney.")
    out = direct(run(text, {"Corey Lewandowski": "Corey Lewandowski"}))
    assert out.select("speaker", "speaker_text").rows() == [("Corey Lewandowski", "Corey Lewandowski")]


def test_an_outer_reporting_verb_reports_a_nested_one():
    text = ("Law enforcement sources have said he said “no more baby parts” after the shooting.\n\n"
            "At one point, a woman asked for a photo and Clinton said, “as long as we’re not violating any laws.”")
    out = direct(run(text, {"Clinton": "Hillary Clinton"}))
    assert out["speaker_text"].to_list() == ["Law enforcement sources", "Clinton"]


def test_a_role_opening_with_a_number_before_a_name():
    text = "“They are 100 percent wrong,” said 9/11 widow Terry Strada."
    out = direct(run(text, {"Terry Strada": "Terry Strada"}))
    assert out.select("speaker", "speaker_text").rows() == [("Terry Strada", "Terry Strada")]


def test_a_sentence_adverb_before_a_quote_still_opens_the_sentence():
    text = ("“He’s supposed to be a cheerleader for this country,” Trump said. "
            "Instead, “he just acts like a defeated man.”")
    out = direct(run(text, {"Trump": "Donald Trump"}))
    assert out.select("speaker", "kind", "attribution").rows() == [("Donald Trump", "direct", "after"),
                                                                  ("Donald Trump", "direct", "continuation")]


def test_the_subject_between_the_last_commas_after_an_introduction():
    text = ("On Tuesday at a university in Berea, OH, after winning Ohio in the primary, Gov. John Kasich (R-OH), "
            "said, “I’m getting ready to rent a covered wagon.”")
    out = direct(run(text, {"John Kasich": "John Kasich"}))
    assert out.select("speaker", "speaker_text", "kind").rows() == [("John Kasich", "Gov. John Kasich", "direct")]


def test_a_clause_between_commas_before_a_participle_is_no_speaker():
    # seed 92bf9ced: the words between the last two commas are a clause with its own verb, not an appositive
    text = ("As the Rome talks continue, the international community watches closely, hoping that a diplomatic "
            "breakthrough can alleviate the suffering endured by civilians on both sides of the conflict.")
    assert run(text, params=PARAMS).filter(pl.col("speaker").is_not_null()).height == 0
    finite = "After winning Ohio in the primary, Gov. John Kasich, said that he would rent a covered wagon."
    out = run(finite, {"John Kasich": "John Kasich"}, params=PARAMS)
    assert out.select("kind", "speaker").rows() == [("indirect", "John Kasich")]


def test_my_father_is_a_nominal_speaker():
    text = "The paranoia remained.\n\n“We live in Satan's kingdom,” my father often said."
    out = direct(run(text))
    assert out.select("speaker", "speaker_kind").rows() == [("my father", "nominal")]


def test_a_reporting_verb_in_a_subordinate_clause_is_not_reported_content():
    text = "“Apparently there's a young man who's having some problems,” Cruz said as the heckler yelled: “You suck!”"
    out = direct(run(text, {"Cruz": "Ted Cruz"}))
    assert out["speaker_text"].to_list() == ["Cruz", "the heckler"]



def test_first_person_outside_quotes_is_the_writer():
    text = ("The judge then turned to me. “Your Honor,” I said, “I would like to answer the question you raised.” "
            "“We are ready to talk, whenever they are,” they said.")
    out = direct(run(text))
    assert out["speaker"].to_list() == ["the author", "the author", None]
    assert out["speaker_text"].to_list() == ["I", "I", "they"]
    docs, sents = frames(text)
    docs = docs.with_columns(authors=pl.Series([["Jane Roe", "John Doe"]]))
    named = direct(extract_quotes(docs, sents, people(text, {}), QUOTES_ONLY))
    assert named["speaker"].to_list() == ["Jane Roe and John Doe", "Jane Roe and John Doe", None]


def test_a_participle_after_of_and_a_name_has_that_name_for_subject():
    text = ("The ad uses footage of Hillary Clinton asking, “Why aren’t I 50 points ahead, you might ask?” "
            "Black Lives Matter issued a statement saying, “We will keep marching for justice.”")
    out = direct(run(text, {"Hillary Clinton": "Hillary Clinton"}))
    assert out["speaker_text"].to_list() == ["Hillary Clinton", "Black Lives Matter"]
    assert out["speaker"].to_list()[0] == "Hillary Clinton"


def test_a_name_before_an_appositive_missing_its_closing_comma_is_the_subject():
    text = ("Anthony Anton, president and CEO of Washington Restaurant Association stated, “It’s a math problem.” "
            "Brian Fallon, the press secretary, noted, “We are not worried.” "
            "On Tuesday, the governor said, “We will win.”")
    out = direct(run(text, {"Anthony Anton": "Anthony Anton", "Brian Fallon": "Brian Fallon"}))
    assert out["speaker"].to_list() == ["Anthony Anton", "Brian Fallon", "the governor"]


def test_a_pronoun_in_an_embedded_clause_gives_the_name_of_the_main_clause():
    text = ("Hillary Clinton says Americans are “right to be angry,” but also hungry for what she calls “real "
            "solutions.” Trump called the assault “an attack on our country,” but he also noted the “senseless, "
            "tragic deaths.”")
    out = direct(run(text, {"Hillary Clinton": "Hillary Clinton", "Trump": "Donald Trump"}))
    assert out["speaker_text"].to_list() == ["Hillary Clinton", "Hillary Clinton", "Trump", "he"]
    assert out["speaker"].to_list() == ["Hillary Clinton", "Hillary Clinton", "Donald Trump", "Donald Trump"]


def test_a_verb_form_after_a_preposition_is_a_noun_and_a_progressive_has_its_own_subject():
    text = ("As the race has turned to contests in states with more diverse electorates, Jane Roe has decried "
            "the issue of “systemic racism” in the city. "
            "The final results aren’t in, but John Doe’s campaign is already claiming victory in the “governor’s "
            "bracket.”")
    out = direct(run(text, {"Jane Roe": "Jane Roe", "John Doe": "John Doe"}))
    assert out["speaker_text"].to_list()[0] == "Jane Roe"
    assert out["speaker_text"].to_list()[1].startswith("John Doe")


def test_a_quote_after_a_sentence_opening_with_a_speaker_and_a_reporting_verb_is_theirs():
    text = ("Jane Roe continued her scathing remarks. “Eight years ago she was the presumed nominee.”\n"
            "” … they are so not like him,” Ann Lee said in December. “My father would be appalled.”")
    out = direct(run(text, {"Jane Roe": "Jane Roe", "Ann Lee": "Ann Lee"}))
    assert out["speaker"].to_list() == ["Jane Roe", "Ann Lee"]
    assert out["attribution"].to_list() == ["previous_sentence", "previous_sentence"]


def test_a_clause_subject_may_carry_a_place_or_a_phrase_between_commas_before_its_verb():
    text = ("In January, Gov. Earl Ray Tomblin of West Virginia lauded Mr. Clarke for helping develop “new and "
            "innovative ideas.” Former Gov. Mike Huckabee, for his part, is labeling Obama’s actions “a blatant, "
            "belligerent abuse of power.” Sen. Elizabeth Warren (D-MA) dismissed the plan as “a gift to the rich.” "
            "Jane Roe on Monday night dismissed the bill as “a disaster for the state.”")
    out = direct(run(text, {"Earl Ray Tomblin": "Earl Ray Tomblin", "Mr. Clarke": "Tom Clarke",
                            "Mike Huckabee": "Mike Huckabee", "Obama": "Barack Obama",
                            "Elizabeth Warren": "Elizabeth Warren", "Jane Roe": "Jane Roe"}))
    assert out["speaker"].to_list() == ["Earl Ray Tomblin", "Mike Huckabee", "Elizabeth Warren", "Jane Roe"]
    # the verb after a bracket or a time, whatever other subject the clause holds after it
    for head, name in (("Sen. Elizabeth Warren (D-MA) dismissed", "Elizabeth Warren"),
                       ("Jane Roe on Monday night dismissed", "Jane Roe")):
        doc_text = head + " the plan."
        start = doc_text.index(name)
        doc = _Doc(doc_text, [0], [len(doc_text)], ["s"], [], [])
        verb = _verb_past_modifiers(doc, (start, start + len(name)), len(doc_text), _cues())
        assert verb is not None and verb.text == "dismissed"


def test_a_quote_reported_by_an_outlet_is_still_its_speakers():
    # the outlet that reported the words is not who said them: the speaker table stays "who said what"
    text = ("“I ask you not to protest on the floor,” Bernie Sanders said, according to CNN. "
            "“This platform says you are no longer welcome,” said Kristen Day, a director, reports USA Today. "
            "“When does it stop?,” the judge said, the Times reported. "
            "Trump said: “There will always be exceptions,” the Times reported. "
            "“We will win,” Jane Roe told CNN.")
    out = direct(run(text, {"Bernie Sanders": "Bernie Sanders", "Kristen Day": "Kristen Day", "Jane Roe": "Jane Roe",
                            "Trump": "Donald Trump"}))
    assert out["speaker_text"].to_list() == ["Bernie Sanders", "Kristen Day", "the judge", "Trump", "Jane Roe"]


def test_a_pronoun_right_before_the_verb_of_a_relative_clause_without_that_is_the_subject():
    text = ("Chris Carr runs the operation. The move was the result of three years of preparation — an investment "
            "he concludes has constituted a “head-start on the rivals and their allies.”")
    out = direct(run(text, {"Chris Carr": "Chris Carr"}))
    assert out["speaker_text"].to_list() == ["he"] and out["speaker"].to_list() == ["Chris Carr"]


def test_name_calling_speaker_is_the_subject_of_the_naming_verb():
    # the subject right before "called" (past a time), or the "who" of "NAME, who called": not the sentence's
    # first subject
    text = "Much of Beck’s ire was directed at Bannon, who Beck on Wednesday called “a horrible human being.”"
    out = direct(run(text, {"Beck": "Glenn Beck", "Bannon": "Steve Bannon"}))
    assert out.select("speaker", "speaker_start").rows() == [("Glenn Beck", text.index("Beck on"))]
    text = "The leaders who rebuked Trump included Gov. Mike Pence, who called their son “an American hero.”"
    out = direct(run(text, {"Trump": "Donald Trump", "Mike Pence": "Mike Pence"}))
    assert out.select("speaker", "speaker_text").rows() == [("Mike Pence", "who")]


def test_referring_to_someone_as_a_name_is_name_calling_of_the_subject_before_the_verb():
    text = "Christie refers to him as “Mr. Trump,” while Trump refers to the governor as “Chris.”"
    out = direct(run(text, {"Trump": "Donald Trump", "Christie": "Chris Christie"}))
    assert out.select("quote", "speaker").rows() == [("Mr. Trump", "Chris Christie"), ("Chris.", "Donald Trump")]


def test_dateline_is_no_speaker():
    # a dateline opening the sentence ("WASHINGTON (UPI) —") is not the subject of ", saying" or "called"
    text = ("Washington (AFP) – Democrat Hillary Clinton has taken a swipe at Donald Trump’s stance on Brexit, "
            "saying that “bombastic comments” do more harm than good.")
    out = direct(run(text, {"Hillary Clinton": "Hillary Clinton", "Donald Trump": "Donald Trump"}))
    assert out["speaker"].to_list() == ["Hillary Clinton"]
    text = "WASHINGTON (UPI) — A spokesman for the campaign called the report “outrageous.”"
    assert direct(run(text))["speaker_text"].to_list() == ["A spokesman"]


def test_time_phrase_between_the_verb_and_the_quote_keeps_the_verb_reporting():
    # "saying during the debate last week, “...”": the quote is the object of "saying", not of "concludes"
    text = "The spot concludes with footage of Trump saying during the debate last week, “That makes me smart.”"
    out = direct(run(text, {"Trump": "Donald Trump"}))
    assert out.select("speaker", "speaker_start").rows() == [("Donald Trump", text.index("Trump"))]


def test_participle_after_with_and_a_noun_phrase_has_that_phrase_for_subject():
    # "with many marchers ... chanting “...”": the marchers chant, not the sentence's first subject
    text = "Orlando was on the minds of celebrants, with many marchers chanting “We are Orlando.”"
    out = direct(run(text, {"Orlando": "Orlando"}))
    assert out["speaker_text"].to_list() == ["many marchers"]


def test_participle_after_a_subordinate_clause_has_that_clause_subject():
    # ", when Sanders protesters interrupted her speech, shouting “...”": the protesters shout
    text = ("The first incident came during a speech in Purchase, when Sanders protesters interrupted her speech, "
            "shouting “she wins, we lose!”")
    out = direct(run(text, {"Sanders": "Bernie Sanders"}))
    assert out["speaker_text"].to_list() == ["Sanders protesters"]


def test_relative_pronoun_without_a_comma_is_the_speaker_mention():
    # "the Chicago Police Department which reported “...”": PolNeAR marks "which"; its antecedent speaks
    text = "They turned to the Chicago Police Department which reported “2,521 shooting incidents” in the city."
    out = direct(run(text, {"Chicago Police Department": "Chicago Police Department"}))
    assert out.select("speaker", "speaker_text").rows() == [("Chicago Police Department", "which")]


def test_part_of_an_open_quote_with_its_own_attribution_keeps_it():
    # the next paragraph of a quote left open names its own speaker: it is not the first part's
    text = "“We will win,” Smith said. “We have the map.\n\n“We have the votes,” said Mary Jones, his campaign manager."
    out = direct(run(text, {"Smith": "John Smith", "Mary Jones": "Mary Jones"}))
    assert out["speaker"].to_list() == ["John Smith", "John Smith", "Mary Jones"]



def test_organisation_before_a_noun_qualifies_the_speaker():
    # "as a Homeland Security memo put it": the memo speaks, the organisation only qualifies it
    text = "The main test is a “lawful source of investment income,” as a Homeland Security memo put it."
    docs, sents = frames(text)
    ents = people(text, {"Homeland Security": "Homeland Security"}).with_columns(pl.lit("ORG").alias("label"))
    out = direct(extract_quotes(docs, sents, ents, QUOTES_ONLY))
    assert out.select("speaker", "speaker_kind").rows() == [("a Homeland Security memo", "nominal")]


def test_a_possessive_subject_goes_on_to_its_noun():
    # "John Kasich’s campaign is claiming": the campaign claims, not Kasich; "There’s no" is no possessive
    text = "The results are not in, but John Kasich’s campaign is already claiming victory in the “governor’s bracket.”"
    out = direct(run(text, {"John Kasich’s": "John Kasich"}))
    assert out.select("speaker", "speaker_kind").rows() == [("John Kasich’s campaign", "nominal")]



def test_a_past_form_ends_a_determined_subject():
    # "The Vermont senator emailed supporters saying": the subject is "The Vermont senator"
    text = "The Vermont senator emailed supporters saying: “The struggle continues” and vowing to compete."
    assert direct(run(text))["speaker"].to_list() == ["The Vermont senator"]


def test_a_title_and_a_name_end_the_subject():
    # "The Council on American-Islamic Relations National Executive Director Nihad Awad says": not "The Council"
    text = ("The Council on American-Islamic Relations National Executive Director Nihad Awad says in a statement "
            "that Trump’s “inflammatory rhetoric has crossed the line.”")
    out = direct(run(text, {"Nihad Awad": "Nihad Awad", "Trump": "Donald Trump"}))
    assert out.select("speaker", "speaker_text").rows() == [("Nihad Awad", "Director Nihad Awad")]


def test_a_bracketed_party_and_state_after_the_speaker_name():
    # "“...,” Sen. Ted Cruz (R-Texas) told reporters.": the bracket does not end the attribution
    text = "The vote failed. “We will win,” Sen. Ted Cruz (R-Texas) told reporters. “We have the votes,” Cruz (R) said."
    out = direct(run(text, {"Ted Cruz": "Ted Cruz", "Cruz": "Ted Cruz"}))
    assert out.select("speaker", "attribution").rows() == [("Ted Cruz", "after"), ("Ted Cruz", "after")]


def test_a_title_after_a_possessive_or_a_preposition_is_a_show():
    # "on CNN’s “New Day,” Sen. Kirsten Gillibrand told": the show's name is no quote of hers
    text = "Friday on CNN’s “New Day,” Sen. Kirsten Gillibrand told host Chris Cuomo she believed it."
    out = run(text, {"Kirsten Gillibrand": "Kirsten Gillibrand"})
    assert out.select("kind", "speaker").rows() == [("title", None)]


def test_a_quote_after_a_show_name_continues_the_quote_before_it():
    # “A,” she said on MSNBC’s “Morning Joe.” “B.”: the show is a title (its period included), B is hers
    text = "The bill failed. “We will win,” Clinton said on MSNBC’s “Morning Joe.” “We have the votes.”"
    out = run(text, {"Clinton": "Hillary Clinton"})
    assert out.select("kind", "speaker").rows() == [("direct", "Hillary Clinton"), ("title", None),
                                                     ("direct", "Hillary Clinton")]


def test_a_short_quoted_term_opening_a_sentence_is_its_subject_not_speech():
    text = "Doctors were puzzled. “Humidifier lung” may result from fungus growing in humidifiers."
    assert run(text).select("quote", "kind").rows() == [("Humidifier lung", "scare")]
    speech = "Doctors were puzzled. “Not again,” he said. “Never” was her answer, Smith said."
    kinds = run(speech, {"Smith": "Jane Smith"}).select("quote", "kind").rows()
    assert kinds[0] == ("Not again", "direct")   # its own comma: speech


def test_a_list_of_title_cased_quotes_is_a_list_of_works():
    # Each item after the first opened its clause and read as a direct quote with no speaker.
    text = ("The band plans a tour. According to Lee, expect hits including “Listen To The Music,” “Black Water,” "
            "“China Grove” and others. His son (“The Discovery,” “The One I Love”) came too.")
    out = run(text, {"Lee": "Lee"})
    assert out.filter(pl.col("kind") != "indirect").select("quote", "kind", "speaker").rows() == [
        ("Listen To The Music", "title", None), ("Black Water", "title", None), ("China Grove", "title", None),
        ("The Discovery", "title", None), ("The One I Love", "title", None)]
    speech = "The bill failed. “We will win,” Clinton said, “and we will.”"   # not title-cased: still speech
    assert run(speech, {"Clinton": "Hillary Clinton"})["kind"].to_list() == ["direct", "direct"]
    called = "The pageant was in 1996. Trump called her “Miss Piggy” and “Miss Housekeeping” in interviews."
    assert run(called, {"Trump": "Donald Trump"}).select("kind", "speaker").rows() == [
        ("partial", "Donald Trump"), ("partial", "Donald Trump")]          # names called: the first lends its speaker


def test_a_bracket_after_the_name_in_clause_subjects():
    # "Ryan (R-Wis.), the House speaker, said", "Ryan (R-Wis.): “...”", "Ryan (R-Wis.) on Tuesday called"
    mentions = {"Paul Ryan": "Paul Ryan", "Ryan": "Paul Ryan"}
    for text in ("The bill failed. Ryan (R-Wis.), the House speaker, said the bill was “a disaster for the country.”",
                 "The bill failed. Ryan (R-Wis.): “We must start over.”",
                 "The bill failed. House Speaker Paul Ryan (R-Wis.) on Tuesday called the bill “a disaster for us.”",
                 "The bill failed. Paul Ryan (R-Wis.) on Tuesday slammed the bill as “a disaster for us.”"):
        assert direct(run(text, mentions))["speaker"].to_list() == ["Paul Ryan"], text


def test_an_opening_mark_typed_for_a_closing_one():
    # "“Do you want ...?“ he asked.": after end punctuation and before a space, “ closes the quote
    text = "Chuck Todd was shocked. “Do you want to be associated with a fascist?“ he asked."
    out = run(text, {"Chuck Todd": "Chuck Todd"})
    assert out.select("quote", "speaker").rows() == [("Do you want to be associated with a fascist?", "Chuck Todd")]


def test_it_is_the_document_named_before_it():
    # "Trump released a statement on Tuesday. It read: “...”": "it" is the statement
    text = "Trump released a statement on Tuesday. It read: “We will win.”"
    out = direct(run(text, {"Trump": "Donald Trump"}))
    assert out.select("speaker", "speaker_text").rows() == [("a statement", "It")]


def test_a_share_of_people_is_a_speaker():
    # "21 percent said the economy would get worse": the share speaks
    text = "The poll was released on Monday. Asked about the race, 21 percent said the economy would get worse."
    out = run(text, {}, PARAMS).filter(pl.col("kind") == "indirect")
    assert out["speaker"].to_list() == ["21 percent"]


def test_what_opens_the_clause_of_a_reporting_verb():
    # "The deal is what Ryan described as “...”": Ryan describes it, not the deal
    text = "The deal is what Ryan described as “a win for the American people.”"
    assert direct(run(text, {"Ryan": "Paul Ryan"}))["speaker"].to_list() == ["Paul Ryan"]


def test_a_short_sentence_naming_its_subject_introduces_the_quote_after_it():
    # "Trump did not hold back. “...”": the quote is his; "Why was he out? “...”" names no one
    text = "The debate was over. Trump did not hold back. “We will win.”"
    assert direct(run(text, {"Trump": "Donald Trump"}))["speaker"].to_list() == ["Donald Trump"]
    text = "Only three remained. Why was he out in the heat? “My mom says I have to save.”"
    assert direct(run(text))["speaker"].to_list() == [None]


def test_a_time_opening_then_a_name_and_its_appositive_before_the_verb():
    # "Years ago, Michael Bloomberg, who ..., said it was “...”": the name between the commas, not "Years ago"
    text = ("A poll was out. Years ago, Michael Bloomberg, who is thinking about running for president, said it was "
            "“impossible” for him to win.")
    assert direct(run(text, {"Michael Bloomberg": "Michael Bloomberg"}))["speaker"].to_list() == ["Michael Bloomberg"]


def test_a_bracket_with_abbreviation_dots_is_set_off_after_a_name():
    # "Warren (D-Mass.), a Clinton ally, called Trump a “loser.”": Warren calls him that, not Clinton
    text = "The bill failed. Warren (D-Mass.), a Clinton ally, called Trump a “loser.”"
    out = direct(run(text, {"Warren": "Elizabeth Warren", "Clinton": "Hillary Clinton", "Trump": "Donald Trump"}))
    assert out["speaker"].to_list() == ["Elizabeth Warren"]


def test_more_reporting_verbs_after_a_quote():
    # "“...,” Trump boasted.", "“...,” Trump lashed out.", "Graham assures his audience he will tell ..."
    for verb in ("boasted", "fumed", "griped", "lashed out", "pushed back", "assured reporters", "mocked",
                 "deadpanned", "muttered", "broke in"):
        text = f"The bill failed. “We will win,” Trump {verb}."
        assert direct(run(text, {"Trump": "Donald Trump"}))["speaker"].to_list() == ["Donald Trump"], verb


def test_a_role_then_a_one_word_name_before_a_verb():
    # "Band member Flea shared": the name is one word, the verb after it says so
    text = "Band member Flea shared the news last week, writing “Feels great to support someone I believe in.”"
    out = direct(run(text, {"Flea": "Flea"}))
    assert out.select("speaker", "speaker_text").rows() == [("Flea", "Band member Flea")]


def test_a_definite_role_description_is_the_person_titled_with_that_role():
    text = ("Texas Sen. Ted Cruz spoke first. Florida Sen. Marco Rubio spoke next, then Ted Cruz again.\n\n"
            "“We will win,” the Florida senator said.\n\n“We will not,” the senator said.")
    docs, sents = frames(text)
    entities = people(text, {"Ted Cruz": "Ted Cruz", "Marco Rubio": "Marco Rubio"})
    places = [{"doc_id": "d1", "sent_id": None, "start": m.start(), "end": m.end(), "text": m.group(0),
               "label": "GPE", "canonical": m.group(0), "entity_id": m.group(0)}
              for m in re.finditer("Texas|Florida", text)]
    entities = pl.concat([entities, pl.DataFrame(places, schema=entities.schema)]).sort("start")
    out = direct(extract_quotes(docs, sents, entities, QUOTES_ONLY))
    # "Florida" is not Cruz's place ("Texas"): Rubio; a bare "the senator" is the most recent senator
    assert out.select("speaker", "speaker_kind", "speaker_text").rows() == [
        ("Marco Rubio", "nominal", "the Florida senator"), ("Ted Cruz", "nominal", "the senator")]
    # a description naming a place no title gives stays as written
    text = "Sen. Joni Ernst spoke.\n\n“We will win,” the Florida senator said."
    docs, sents = frames(text)
    entities = people(text, {"Joni Ernst": "Joni Ernst"})
    florida = {"doc_id": "d1", "sent_id": None, "start": text.index("Florida"), "end": text.index("Florida") + 7,
               "text": "Florida", "label": "GPE", "canonical": "Florida", "entity_id": "Florida"}
    entities = pl.concat([entities, pl.DataFrame([florida], schema=entities.schema)]).sort("start")
    assert direct(extract_quotes(docs, sents, entities, QUOTES_ONLY))["speaker"].to_list() == ["the Florida senator"]


def test_a_role_from_an_apposition_and_a_role_nobody_has_stays_as_written():
    text = ("Mike Pence, the Indiana governor, joined the ticket.\n\n“It is an honour,” the governor said.\n\n"
            "“No comment,” the mayor said.")
    out = direct(run(text, {"Mike Pence": "Mike Pence"}))
    assert out["speaker"].to_list() == ["Mike Pence", "the mayor"]
    # a name closing a quote is no apposition of the description after it
    text = "“He is the best person to beat Hillary Clinton,” the governor said."
    out = direct(run(text, {"Hillary Clinton": "Hillary Clinton"}))
    assert out["speaker"].to_list() == ["the governor"]


def test_a_gendered_role_head_skips_a_person_of_the_other_gender():
    text = ("Rep. Nancy Pelosi and Rep. John Lewis met.\n\n“We agree,” the congresswoman said.")
    out = direct(run(text, {"Nancy Pelosi": "Nancy Pelosi", "John Lewis": "John Lewis"}))
    assert out["speaker"].to_list() == ["Nancy Pelosi"]


def test_a_description_naming_an_affiliation_is_not_a_person_titled_with_another():
    text = ("Republican nominee Donald Trump spoke. Hillary Clinton replied.\n\n"
            "“We will win,” the Democratic nominee said.")
    docs, sents = frames(text)
    entities = people(text, {"Donald Trump": "Donald Trump", "Hillary Clinton": "Hillary Clinton"})
    norp = [{"doc_id": "d1", "sent_id": None, "start": m.start(), "end": m.end(), "text": m.group(0), "label": "NORP",
             "canonical": m.group(0), "entity_id": m.group(0)} for m in re.finditer("Republican|Democratic", text)]
    entities = pl.concat([entities, pl.DataFrame(norp, schema=entities.schema)]).sort("start")
    out = direct(extract_quotes(docs, sents, entities, QUOTES_ONLY))
    assert out["speaker"].to_list() == ["the Democratic nominee"]
