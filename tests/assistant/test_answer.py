"""Quotes (pure): which units are quoted, in what order, and which list a list question gets."""

from dataclasses import replace

import numpy as np

from assistant.compose.lists import widen_for_lists
from assistant.compose.quotes import Quote, Selection, select_quotes
from assistant.compose.render import render
from assistant.index.state import Passage
from assistant.question.forms import form_of
from assistant.rank import Retrieval
from assistant.text.keywords import KeywordIndex, tokens
from tests.conftest import ROOT

PROMPTS = ROOT / "prompts"

BLANK = Passage(
    id="", text="", doc_id="d", title="T", page=1, section="", url="", units=[], ordinal=0, terms=frozenset(),
    unit_terms=(),
)  # fmt: skip
LEAD = replace(BLANK, id="lead", section="R", units=["It sets out the following three items.", "All will help."])
ITEM_1 = replace(BLANK, id="i1", section="R", units=["Item 1. Do A.", "Item 2. Do B."], ordinal=1)
ITEM_3 = replace(BLANK, id="i3", section="R", units=["Item 3. Do C."], ordinal=2)
OTHER = replace(BLANK, id="other", section="S", units=["Something else."], ordinal=3)


def list_of(passage: Passage) -> tuple[Passage, list[Passage]]:
    """As HybridRetriever.list_of does on this toy document."""
    if passage.id == "lead":
        return LEAD, [ITEM_1, ITEM_3]
    if passage.id in ("i1", "i3"):
        return LEAD, [ITEM_1, ITEM_3]
    return passage, []


def cited(selection: Selection) -> list[tuple[str, list[int]]]:
    return [(q.passage.id, q.positions) for q in selection.quotes]


def test_the_items_are_the_answer_not_the_sentence_announcing_them() -> None:
    selection = Selection([Quote(LEAD, [0]), Quote(OTHER, [0])], 0.5)
    widen_for_lists(form_of("What are the three items?"), selection, list_of)
    assert cited(selection) == [("i1", [0, 1]), ("i3", [0])]  # OTHER is no item


def test_a_named_item_stands_for_its_whole_list() -> None:
    # "What else is in that group?" after an answer that led with item 3.
    selection = Selection([Quote(OTHER, [0])], 0.5)
    widen_for_lists(form_of("What else is in that group?"), selection, list_of, named=[ITEM_3])
    assert [pid for pid, _ in cited(selection)] == ["i1", "i3"]


def test_an_unnamed_item_is_not_widened_to_its_whole_list() -> None:
    # "all the ..." asks for all of what the best passage says, not for every item of its list.
    selection = Selection([Quote(ITEM_1, [1]), Quote(OTHER, [0])], 0.5)
    widen_for_lists(form_of("What about all the outside groups?"), selection, list_of)
    assert cited(selection) == [("i1", [0, 1]), ("other", [0])]


def test_a_question_that_asks_for_no_list_is_left_alone() -> None:
    selection = Selection([Quote(LEAD, [0])], 0.5)
    widen_for_lists(form_of("When was it approved?"), selection, list_of)
    assert cited(selection) == [("lead", [0])]


def test_a_lead_in_is_never_quoted_alone() -> None:
    # "Students will:" read closest to "What does the Graduate Profile say about values?" and
    # was quoted by itself; the sentence that says what the group is comes first now.
    units = ["External Values: Values representing a student's commitment to his community.", "Students will:"]
    passage = replace(
        BLANK,
        id="ev",
        units=units,
        unit_terms=tuple(frozenset(tokens(u)) for u in units),
        unit_similarity=np.array([0.40, 0.55]),
    )
    retrieval = Retrieval([], KeywordIndex(units), [passage])  # no word in common: similarity decides
    assert cited(select_quotes(retrieval, max_citations=3)) == [("ev", [0])]


def test_a_unit_that_only_repeats_its_heading_is_not_quoted() -> None:
    units = ["Commitment to community.", "Students will:", "Seek out opportunities to volunteer and give back"]
    passage = replace(
        BLANK,
        id="cc",
        section="Commitment to community",
        units=units,
        unit_terms=tuple(frozenset(tokens(u)) for u in units),
        unit_similarity=np.array([0.60, 0.55, 0.40]),
    )
    retrieval = Retrieval([], KeywordIndex(units), [passage])
    assert cited(select_quotes(retrieval, max_citations=3)) == [("cc", [2])]
    # A heading that is the passage's only unit is its whole text ("ALL STUDENTS PREPARED ...").
    alone = replace(passage, units=units[:1], unit_terms=passage.unit_terms[:1], unit_similarity=np.array([0.6]))
    assert cited(select_quotes(Retrieval([], KeywordIndex(units), [alone]), max_citations=3)) == [("cc", [0])]


DOWNLOADS = replace(
    BLANK,
    id="dl",
    section="E",
    units=["It was approved.", "Please click on the links below to download these reports:", "Report A.", "Report B."],
)
LAST_REPORT = replace(BLANK, id="rc", section="E", units=["Report C."], ordinal=1)


def downloads_list_of(passage: Passage) -> tuple[Passage, list[Passage]]:
    """As HybridRetriever.list_of does: a passage that announces a list is continued by its section."""
    return (passage, [LAST_REPORT]) if passage.id == "dl" else (passage, [])


def test_a_list_question_that_quoted_a_lead_in_gets_what_follows_it() -> None:
    # "What are the three reports you can download?" quoted "Please click on links below to
    # download reports:": the reports are the answer, not the page's welcome quoted whole.
    selection = Selection([Quote(OTHER, [0]), Quote(DOWNLOADS, [1])], 0.5)
    widen_for_lists(form_of("What are the three reports?"), selection, downloads_list_of)
    assert cited(selection) == [("dl", [2, 3]), ("rc", [0])]


def test_a_lead_in_that_nothing_follows_leaves_the_answer_as_it_was() -> None:
    ends = replace(BLANK, id="end", section="F", units=["Progress will be reported through:"])
    selection = Selection([Quote(ends, [0])], 0.5)
    widen_for_lists(form_of("What are the ways progress is reported?"), selection, downloads_list_of)
    assert cited(selection) == [("end", [0])]


def test_a_sentence_ending_in_a_colon_is_quoted_with_what_follows_it() -> None:
    units = list(DOWNLOADS.units)
    passage = replace(
        DOWNLOADS,
        unit_terms=tuple(frozenset(tokens(u)) for u in units),
        unit_similarity=np.array([0.30, 0.60, 0.35, 0.35]),
    )
    # "Which reports can I download?" is no list question: before, it got the colon's sentence alone.
    selection = select_quotes(Retrieval([], KeywordIndex(units), [passage]), max_citations=3)
    assert cited(selection) == [("dl", [1, 2, 3])]


def test_the_best_quoted_unit_of_a_passage_comes_first() -> None:
    # "Is the district trying to close the gap …?": "Closing the achievement gap" scored best, but
    # the bullets were shown in document order, "Middle and High School Reform" first.
    units = ["Middle and High School Reform", "Closing the achievement gap", "High expectations for all"]
    bullets = replace(BLANK, id="pi", section="STRATEGIC PRIORITIES > Powerful Instruction", units=units)
    text, _ = render(Selection([Quote(bullets, [1, 0])], 0.5), PROMPTS, "en")
    assert [line.split('"')[1] for line in text.splitlines()[1:]] == [units[1], units[0]]
    # A list quoted whole keeps its own order.
    text, _ = render(Selection([Quote(bullets, [0, 1, 2])], 0.5), PROMPTS, "en")
    assert [line.split('"')[1] for line in text.splitlines()[1:]] == units


def test_which_plural_that_a_quoted_lead_in_names_asks_for_its_list() -> None:
    # "What reports can I download?" quoted "... to download these reports:" beside two of them;
    # the third report, in the next passage, was left out.
    selection = Selection([Quote(DOWNLOADS, [1, 2, 3])], 0.5)
    widen_for_lists(form_of("What reports can I download?"), selection, downloads_list_of)
    assert cited(selection) == [("dl", [2, 3]), ("rc", [0])]
    # A plural the lead-in does not name asks for no list.
    selection = Selection([Quote(DOWNLOADS, [1, 2, 3])], 0.5)
    widen_for_lists(form_of("What years were they approved?"), selection, downloads_list_of)
    assert cited(selection) == [("dl", [1, 2, 3])]


def test_a_lead_in_that_nothing_follows_is_passed_over_for_the_next() -> None:
    ends = replace(BLANK, id="end", section="F", units=["Progress will be reported through:"])
    selection = Selection([Quote(ends, [0]), Quote(DOWNLOADS, [1])], 0.5)
    widen_for_lists(form_of("What are the reports?"), selection, downloads_list_of)
    assert cited(selection) == [("dl", [2, 3]), ("rc", [0])]


def test_who_prefers_a_unit_that_names_a_team_or_an_office() -> None:
    units = ["The District will align its practices.", "The Office of Planning will assist with monitoring."]
    passages = [
        replace(
            BLANK,
            id=f"p{n}",
            units=[unit],
            unit_terms=(frozenset(tokens(unit)),),
            unit_similarity=np.array([similarity]),
        )
        for n, (unit, similarity) in enumerate(zip(units, [0.40, 0.35]))
    ]
    retrieval = Retrieval([], KeywordIndex(units), passages)
    assert cited(select_quotes(retrieval, max_citations=1, form=form_of("Who keeps track?"))) == [("p1", [0])]
    assert cited(select_quotes(retrieval, max_citations=1, form=form_of("How is it tracked?"))) == [("p0", [0])]
