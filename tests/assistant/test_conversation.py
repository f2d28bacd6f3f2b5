"""Follow-ups: the pure context rules, then real retrieval with and without the conversation."""

import pytest

from assistant.question.conversation import (
    asks_which_of_them,
    conversation_context,
    leans_back,
    quoted_items,
    shown_quotes,
)
from assistant.schemas import Turn
from assistant.service import PlanAssistant

ANSWER = """Here is what the district's plans say:
- OUR VALUES: "Integrity and Respect" [1]
- OUR VALUES: "Transparency" [1]
- OUR VALUES: "Equity" [1]"""


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("And what about facilities?", True),
        ("When was it approved?", True),
        ("y los maestros?", True),
        ("quien lo supervisa", True),
        ("explicame el tercero", True),
        ("What is the district's mission?", False),
        ("What are the strategic priorities?", False),
    ],
)
def test_leans_back(question: str, expected: bool) -> None:
    assert leans_back(question) is expected


def test_quoted_items_reads_an_earlier_answer() -> None:
    assert quoted_items(ANSWER) == [
        "OUR VALUES: Integrity and Respect",
        "OUR VALUES: Transparency",
        "OUR VALUES: Equity",
    ]


def test_a_lead_in_is_no_item_of_the_list_it_introduces() -> None:
    answer = """Here is what the district's plans say:
- PUSD Educational Master Plan: "Please click on links below to download reports:" [1]
- PUSD Educational Master Plan: "The Educational Master Plan Report presents research" [1]
- PUSD Educational Master Plan: "The Road Map is a five-year implementation plan" [1]"""
    history = [Turn(role="user", content="What can I download?"), Turn(role="assistant", content=answer)]
    assert (
        quoted_items(answer)[0] == "PUSD Educational Master Plan: The Educational Master Plan Report presents research"
    )
    context = conversation_context("What is in the first one?", history, 0.5, 2, 0.25)
    assert context[0] == ("PUSD Educational Master Plan: The Educational Master Plan Report presents research", 1.0)


def test_context_weights_recent_turns_most_and_self_contained_questions_least() -> None:
    history = [Turn(role="user", content="first"), Turn(role="user", content="second")]
    follow_up = conversation_context("and that?", history, weight=0.6, turns=2, new_topic_share=0.5)
    assert follow_up == [("second", 0.6), ("first", 0.3)]
    new_topic = conversation_context("What is the mission?", history, weight=0.6, turns=2, new_topic_share=0.5)
    assert new_topic == [("second", 0.3), ("first", 0.15)]
    assert conversation_context("and that?", [], weight=0.6, turns=2, new_topic_share=0.5) == []


def test_an_ordinal_points_at_the_item_the_previous_answer_showed_there() -> None:
    history = [Turn(role="user", content="que valores tiene el distrito?"), Turn(role="assistant", content=ANSWER)]
    context = conversation_context("explicame el tercero", history, weight=0.6, turns=2, new_topic_share=0.5)
    assert context[0] == ("OUR VALUES: Equity", 1.2)


def values_then_the_second_one(listed: str = ANSWER) -> list[Turn]:
    """ "What are the values?" answered with `listed`, then "Tell me more about the second one"."""
    one = 'Here is what the district\'s plans say:\n- Transparency: "We make our decisions openly." [1]'
    return [
        Turn(role="user", content="What are the values?"),
        Turn(role="assistant", content=listed),
        Turn(role="user", content="Tell me more about the second one"),
        Turn(role="assistant", content=one),
    ]


def test_an_ordinal_counts_in_the_last_answer_that_listed_several_passages() -> None:
    listed = ANSWER.replace('"Transparency" [1]', '"Transparency" [2]').replace('"Equity" [1]', '"Equity" [3]')
    history = values_then_the_second_one(listed)
    context = conversation_context("And the last one?", history, weight=0.6, turns=1, new_topic_share=0.5)
    assert context[0] == ("OUR VALUES: Equity", 1.2)


def test_a_turn_that_only_pointed_stands_for_the_item_its_answer_showed() -> None:
    history = values_then_the_second_one()
    # Before, the context was "Tell me more about the second one": no word of the topic.
    context = conversation_context("What else is in it?", history, weight=0.6, turns=1, new_topic_share=0.5)
    assert context == [("Transparency: We make our decisions openly.", 0.6)]
    # A turn that names its topic is kept as asked.
    context = conversation_context("What else is in it?", history[:2], weight=0.6, turns=1, new_topic_share=0.5)
    assert context == [("What are the values?", 0.6)]


def test_a_follow_up_that_points_back_carries_the_previous_answers_quotes() -> None:
    history = [Turn(role="user", content="What are the values?"), Turn(role="assistant", content=ANSWER)]
    assert shown_quotes("What else is in that group?", history) == ["Integrity and Respect", "Transparency", "Equity"]
    assert shown_quotes("What is the district's mission?", history) == []  # names its own topic
    assert shown_quotes("What else is in that group?", history[:1]) == []  # nothing was shown
    assert shown_quotes("¿Qué más?", history) == ["Integrity and Respect", "Transparency", "Equity"]


@pytest.mark.parametrize("question", ["And businesses?", "¿Y las empresas?", "What about the buildings?"])
def test_a_follow_up_that_only_opens_on_the_topic_is_not_pointed_at_what_was_shown(question: str) -> None:
    # "And businesses?" after parents asks about businesses: before, it was pointed at the parent
    # engagement passage just shown, which then led the answer ("¿y a los directores?" likewise).
    history = [Turn(role="user", content="What are the values?"), Turn(role="assistant", content=ANSWER)]
    assert leans_back(question)  # the conversation's topic still frames it ...
    assert shown_quotes(question, history) == []  # ... but it points at nothing the answer showed


@pytest.mark.slow
def test_a_follow_up_that_points_back_stays_with_the_passage_just_shown(plan_assistant: PlanAssistant) -> None:
    first = "Will kids learn to respect other cultures?"
    shown = plan_assistant.ask(first)
    history = [Turn(role="user", content=first), Turn(role="assistant", content=shown.answer)]
    # "That group" is what the parent was just shown; without the answer's quotes, the words of
    # the two questions alone lead to another passage (checked with shown_weight=0).
    follow_up = plan_assistant.ask("What else is in that group?", history)
    assert follow_up.citations[0].section == shown.citations[0].section


@pytest.mark.slow
def test_a_follow_up_is_answered_in_the_conversation_topic(plan_assistant: PlanAssistant) -> None:
    history = [Turn(role="user", content="What are the district's strategic priorities?")]
    alone = plan_assistant.ask("And what about facilities?")
    in_context = plan_assistant.ask("And what about facilities?", history)
    # Alone, "facilities" finds the master plan's facilities guidelines; after a question about
    # the strategic priorities, the priority that names facilities.
    assert alone.citations[0].doc_id == "planning-for-the-future"
    assert in_context.citations[0].section == "STRATEGIC PRIORITIES > Quality Learning Environment"


@pytest.mark.slow
def test_a_new_topic_is_not_dragged_back(plan_assistant: PlanAssistant) -> None:
    history = [
        Turn(role="user", content="What does the master plan recommend about teachers?"),
        Turn(role="assistant", content="..."),
    ]
    answer = plan_assistant.ask("Will my kid learn to handle money?", history)
    assert "financial literacy" in answer.citations[0].text


@pytest.mark.slow
def test_a_follow_up_that_names_nothing_is_judged_with_the_turn_it_leans_on(plan_assistant: PlanAssistant) -> None:
    first = "What does the Outstanding Staff priority include?"
    history = [Turn(role="user", content=first), Turn(role="assistant", content=plan_assistant.ask(first).answer)]
    alone = plan_assistant.ask("Anything more on that?")
    in_context = plan_assistant.ask("Anything more on that?", history)
    assert not alone.grounded  # by itself it asks about nothing in the plans
    assert in_context.grounded and in_context.citations[0].section == "STRATEGIC PRIORITIES > Outstanding Staff"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "follow_up"),
    [
        ("Will my kid learn to handle money?", "What else is in that group?"),
        ("¿Mi hijo aprenderá a manejar el dinero?", "¿Qué más hay en ese grupo?"),
    ],
)
def test_what_else_is_in_that_group_lists_the_group_just_shown(
    plan_assistant: PlanAssistant, first: str, follow_up: str
) -> None:
    shown = plan_assistant.ask(first)
    assert shown.citations[0].section.endswith("Life Skills")
    history = [Turn(role="user", content=first), Turn(role="assistant", content=shown.answer)]
    answer = plan_assistant.ask(follow_up, history)
    # The whole group, quoted item by item: the one shown and the four others.
    assert answer.citations[0].section == shown.citations[0].section
    assert answer.answer.count("[1]") == 5


@pytest.mark.slow
def test_what_else_after_one_recommendation_lists_all_seven(plan_assistant: PlanAssistant) -> None:
    # Recommendation 2 is an item of the list "the following seven recommendations" announces.
    first = "What does the master plan recommend about teachers?"
    shown = plan_assistant.ask(first)
    assert "Recommendation 2." in shown.answer
    history = [Turn(role="user", content=first), Turn(role="assistant", content=shown.answer)]
    answer = plan_assistant.ask("What else is in that list?", history)
    for n in range(1, 8):
        assert f"Recommendation {n}." in answer.answer


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "follow_up", "named"),
    [
        ("Tell me about Recommendation 3", "What about Recommendation 6?", "Recommendation 6."),
        ("Háblame de la Recomendación 3", "¿Y la recomendación 6?", "Recomendación 6."),
    ],
)
def test_a_follow_up_that_names_a_numbered_item_gets_that_item(
    plan_assistant: PlanAssistant, first: str, follow_up: str, named: str
) -> None:
    # "What about ..." leans back, but names its own item: before, the conversation's
    # "Recommendation 3" outranked it and Recommendation 3 was quoted again.
    history = [Turn(role="user", content=first), Turn(role="assistant", content=plan_assistant.ask(first).answer)]
    answer = plan_assistant.ask(follow_up, history)
    assert answer.answer.splitlines()[1].split(": ", 1)[1].startswith(f'"{named}')


def asked_in_turn(plan_assistant: PlanAssistant, *questions: str) -> list[Turn]:
    """The conversation of `questions` asked one after the other, with the answers they got."""
    history: list[Turn] = []
    for question in questions:
        history += [
            Turn(role="user", content=question),
            Turn(role="assistant", content=plan_assistant.ask(question, history).answer),
        ]
    return history


@pytest.mark.slow
def test_an_ordinal_counts_in_the_last_list_shown(plan_assistant: PlanAssistant) -> None:
    history = asked_in_turn(plan_assistant, "What are the district's values?", "Tell me more about the second one")
    assert (
        plan_assistant.ask("Tell me more about the second one", history[:2]).citations[0].section
        == "OUR VALUES > Transparency"
    )
    # "The last one" is the last value, not the last sentence about Transparency.
    last = plan_assistant.ask("And the last one?", history)
    assert last.citations[0].section == "OUR VALUES > Honoring our Fiscal Responsibility"


@pytest.mark.slow
def test_what_else_after_an_ordinal_lists_the_item_pointed_at(plan_assistant: PlanAssistant) -> None:
    history = asked_in_turn(plan_assistant, "What are the strategic priorities?", "Tell me about the fourth one")
    # Before, "What else is in it?" was refused (confidence 0.27): no turn named the topic.
    answer = plan_assistant.ask("What else is in it?", history)
    assert answer.grounded
    assert answer.citations[0].section == "STRATEGIC PRIORITIES > High-Performing, Accountable Organization"


@pytest.mark.slow
def test_a_follow_up_that_names_a_section_is_about_that_section(plan_assistant: PlanAssistant) -> None:
    first = "What is the district's culture?"
    history = [Turn(role="user", content=first), Turn(role="assistant", content=plan_assistant.ask(first).answer)]
    # "its" leans back, but "mission" names OUR MISSION: before, the culture was quoted again.
    assert plan_assistant.ask("And its mission?", history).citations[0].section == "OUR MISSION"


@pytest.mark.slow
def test_a_named_section_in_the_conversations_part_of_the_plans_comes_first(plan_assistant: PlanAssistant) -> None:
    first = "Tell me about the Graduate Profile"
    history = [Turn(role="user", content=first), Turn(role="assistant", content=plan_assistant.ask(first).answer)]
    # "values" names OUR VALUES and the Graduate Profile's Values; after the profile, "its values"
    # are the students' (before, the district's six values were listed).
    answer = plan_assistant.ask("What are its values?", history)
    assert answer.citations[0].section.startswith("PUSD GRADUATE PROFILE > Values")
    # With no conversation, "values" still names the district's values first.
    assert plan_assistant.ask("What are the values?").citations[0].section.startswith("OUR VALUES")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which one is about parents?", True),
        ("Which of them talks about money?", True),
        ("¿Cuál de ellos habla del dinero?", True),
        ("¿Cuál habla de los maestros?", True),
        ("Which values does PUSD hold?", False),
        ("¿Cuál es la misión?", False),
    ],
)
def test_asks_which_of_them(question: str, expected: bool) -> None:
    assert asks_which_of_them(question) is expected


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "pick", "expected"),
    [
        ("What are the recommendations of the master plan?", "Which one is about technology?", "Recommendation 7."),
        ("What are the recommendations of the master plan?", "Which one is about parents?", "Recommendation 1."),
        ("What are the district's values?", "Which one is about money?", "Honoring our Fiscal Responsibility"),
        ("¿Cuáles son las recomendaciones del plan maestro?", "¿Cuál habla de los maestros?", "Recomendación 2."),
    ],
)
def test_which_one_picks_an_item_of_the_list_just_shown(
    plan_assistant: PlanAssistant, first: str, pick: str, expected: str
) -> None:
    shown = plan_assistant.ask(first)
    history = [Turn(role="user", content=first), Turn(role="assistant", content=shown.answer)]
    answer = plan_assistant.ask(pick, history)
    # One item, one of those just shown: before, "Which one is about parents?" quoted the sentence
    # announcing the recommendations ("All stakeholders ...") and "Which one is about money?" Equity.
    (picked,) = quoted_items(answer.answer)
    # A list of subsections is shown by the items' names: the pick then quotes the named item.
    names = [item.split(": ", 1)[1] for item in quoted_items(shown.answer)]
    assert picked in quoted_items(shown.answer) or picked.split(": ", 1)[0] in names
    assert expected in picked


@pytest.mark.slow
def test_a_heading_the_question_names_leads_when_it_also_names_the_district(plan_assistant: PlanAssistant) -> None:
    # Before, the district's four words outnumbered "mission", and the passage repeating the
    # district's name (the planning page's welcome line) led.
    answer = plan_assistant.ask("What is the mission of Pasadena Unified School District?")
    assert answer.citations[0].section == "OUR MISSION"
