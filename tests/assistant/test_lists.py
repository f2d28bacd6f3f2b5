"""A question asking for a whole list is answered with every item, each cited where it stands
(real index, real models, real documents)."""

import re

import pytest

from assistant.schemas import Turn
from assistant.service import PlanAssistant
from evals.verbatim import is_verbatim
from tests.conftest import CORPUS

pytestmark = pytest.mark.slow


def test_a_list_announced_by_a_sentence_is_quoted_item_by_item(plan_assistant: PlanAssistant) -> None:
    answer = plan_assistant.ask("What are the seven recommendations of the master plan?")
    # The recommendations are the answer: all of them, in the document's order ...
    numbers = [int(n) for c in answer.citations for n in re.findall(r"Recommendation (\d)\.", c.text)]
    assert numbers == [1, 2, 3, 4, 5, 6, 7]
    for n in range(1, 8):
        assert f"Recommendation {n}." in answer.answer
    # ... not the sentence that says there are seven (before, it was cited first).
    assert "the following seven recommendations" not in answer.answer
    assert all(is_verbatim(CORPUS, c.url, c.page, c.text) for c in answer.citations)


@pytest.mark.parametrize(
    ("question", "reports"),
    [
        ("What reports can I download about the master plan?", ["Master Plan Report", "Road Map", "Specifications"]),
        (
            "¿Qué informes puedo descargar sobre el plan maestro?",
            ["Informe del Plan", "Hoja de Ruta", "Especificaciones"],
        ),
    ],
)
def test_which_plural_named_by_a_lead_in_lists_what_follows_it(
    plan_assistant: PlanAssistant, question: str, reports: list[str]
) -> None:
    # "What reports ...?" quoted "Please click on links below to download reports:", whose
    # list runs on into the next passage: all three reports, not the lead-in and two of them.
    lines = plan_assistant.ask(question).answer.splitlines()[1:]
    assert len(lines) == 3
    assert all(report in line for report, line in zip(reports, lines))
    assert not any(line.rstrip(" [12]").endswith(':"') for line in lines)


def test_a_list_named_by_its_plural_head_noun_is_listed_whole(plan_assistant: PlanAssistant) -> None:
    # "Recomendaciones del Plan Maestro ..." is named by "recomendaciones": before, the passage
    # holding Recommendations 3 and 4 ranked first and only they were quoted.
    answer = plan_assistant.ask("¿Cuáles son las siete recomendaciones?")
    numbers = [int(n) for n in re.findall(r'"Recomendación (\d)\.', answer.answer)]
    assert numbers == [1, 2, 3, 4, 5, 6, 7]


def test_a_list_question_that_names_a_section_lists_its_subsections(plan_assistant: PlanAssistant) -> None:
    # Before, the best-matching priority's bullets were quoted and the other five left out.
    answer = plan_assistant.ask("What are the strategic priorities?")
    assert [c.section for c in answer.citations] == [
        "STRATEGIC PRIORITIES > Powerful Instruction",
        "STRATEGIC PRIORITIES > Outstanding Staff",
        "STRATEGIC PRIORITIES > Quality Learning Environment",
        "STRATEGIC PRIORITIES > High-Performing, Accountable Organization",
        "STRATEGIC PRIORITIES > Meaningful Collaboration and Partnerships",
        "STRATEGIC PRIORITIES > Parent Engagement",
    ]
    # The answer names the priorities, not each priority's first bullet.
    names = re.findall(r'^- STRATEGIC PRIORITIES: "([^"]+)" \[\d\]$', answer.answer, re.MULTILINE)
    assert names == [c.section.split(" > ")[1] for c in answer.citations]


@pytest.mark.parametrize(
    "question",
    [
        "What are PUSD's values?",
        # "which <plural>" asks for a list when the plural names a section: before, the first
        # quoted "Internal Values" (the students'), the second only "Our students come first."
        "Which values does PUSD hold?",
        "What values does the school district follow?",
    ],
)
def test_the_districts_values_are_listed_before_the_students_values(
    plan_assistant: PlanAssistant, question: str
) -> None:
    # The question names OUR VALUES; the Graduate Profile's student values only resemble it.
    answer = plan_assistant.ask(question)
    assert answer.citations[0].section == "OUR VALUES > Integrity and Respect"
    assert all(c.section.startswith("OUR VALUES") for c in answer.citations)
    assert len(answer.citations) == 6


@pytest.mark.parametrize("question", ["What are the priorities?", "¿Cuáles son las prioridades?"])
def test_a_plural_head_noun_no_other_heading_shares_names_its_list(
    plan_assistant: PlanAssistant, question: str
) -> None:
    # "priorities" heads STRATEGIC PRIORITIES alone ("skills" heads three headings, and names none).
    sections = [c.section for c in plan_assistant.ask(question).citations]
    assert len(sections) == 6 and all(s.startswith("STRATEGIC PRIORITIES > ") for s in sections)
    assert plan_assistant.search("What skills will my child learn?").named == []


def test_which_plural_naming_no_section_is_not_widened(plan_assistant: PlanAssistant) -> None:
    # "What years ..." names no section: the best passage is not quoted whole as if it were a list.
    answer = plan_assistant.ask("What years does the strategic plan cover?")
    assert "2016-2020 Strategic Plan" in answer.answer
    assert "Welcome to the Pasadena Unified School District" not in answer.answer  # the page's opening


def test_a_section_of_subsections_is_listed_by_them_in_the_readers_language(plan_assistant: PlanAssistant) -> None:
    answer = plan_assistant.ask("¿Cuáles son los valores del distrito?")
    sections = [c.section for c in answer.citations]
    assert sections == [
        "OUR VALUES > Integrity and Respect",
        "OUR VALUES > Transparency",
        "OUR VALUES > Equity",
        "OUR VALUES > Accountability",
        "OUR VALUES > Collaboration",
        "OUR VALUES > Honoring our Fiscal Responsibility",
    ]
    assert all(c.translation is not None for c in answer.citations[:7])
    assert "Integridad y respeto" in answer.answer  # each item quoted from the Spanish translation


@pytest.mark.parametrize(
    ("history", "question", "first", "count"),
    [
        # Before, "What about its values?" quoted the students' External Values, not the district's.
        (["What is the district's culture like?"], "What about its values?", "OUR VALUES > Integrity and Respect", 6),
        (["¿Qué dice el plan sobre la cultura?"], "¿Y sus valores?", "OUR VALUES > Integrity and Respect", 6),
        ([], "Tell me about the strategic priorities", "STRATEGIC PRIORITIES > Powerful Instruction", 6),
    ],
)
def test_a_question_ending_on_the_name_of_a_list_lists_it(
    plan_assistant: PlanAssistant, history: list[str], question: str, first: str, count: int
) -> None:
    turns: list[Turn] = []
    for asked in history:
        turns += [Turn(role="user", content=asked), Turn(role="assistant", content=plan_assistant.ask(asked).answer)]
    answer = plan_assistant.ask(question, turns)
    assert [c.section for c in answer.citations][:1] == [first] and len(answer.citations) == count


def test_a_plural_that_names_no_section_named_is_no_list(plan_assistant: PlanAssistant) -> None:
    # The Graduate Profile is named, but "languages" is not its name: the answer is about languages.
    answer = plan_assistant.ask("Does the Graduate Profile say anything about learning other languages?")
    assert len(answer.citations) <= 3


def test_a_question_that_is_not_for_a_list_is_not_widened(plan_assistant: PlanAssistant) -> None:
    answer = plan_assistant.ask("What does the master plan say about Recommendation 3?")
    assert len(answer.citations) <= 3


@pytest.mark.parametrize(
    "question",
    [
        "What kinds of skills are in the Graduate Profile?",
        "¿En qué tipos de habilidades se divide el perfil del graduado?",
    ],
)
def test_asking_for_the_kinds_of_a_section_lists_its_parts(plan_assistant: PlanAssistant, question: str) -> None:
    # "PUSD" in the heading frames it as in a question: "the Graduate Profile" names it.
    sections = [c.section for c in plan_assistant.ask(question).citations]
    assert sections[:3] == [
        "PUSD GRADUATE PROFILE > Skills and Knowledge > Strong Academic Skills",
        "PUSD GRADUATE PROFILE > Skills and Knowledge > Life Skills",
        "PUSD GRADUATE PROFILE > Skills and Knowledge > Dynamic Critical Thinking and Problem Solving Skills",
    ]
    assert "PUSD GRADUATE PROFILE" not in sections  # the profile's own definition is no part of it


def test_the_most_specific_heading_named_is_the_list(plan_assistant: PlanAssistant) -> None:
    # Both "graduate profile" and "commitment to community" are named: the inner one is asked for.
    answer = plan_assistant.ask("What does the graduate profile list under commitment to community?")
    assert answer.citations[0].section.endswith("Commitment to community")
