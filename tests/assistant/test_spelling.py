"""Typos corrected toward the plans' words (pure: small texts stand for the plans), and what that
does to a real question (real index)."""

import pytest

from assistant.service import PlanAssistant
from assistant.text.spelling import Speller

PLAN = Speller(
    {
        "en": ["STRATEGIC PRIORITIES", "The Educational Master Plan approved in September 2016", "OUR MISSION"],
        "es": ["Los valores del distrito", "El Plan Maestro Educativo", "Los hijos y las hijas"],
    }
)


@pytest.mark.parametrize(
    ("asked", "lang", "read"),
    [
        ("What are the stratgic priorites?", "en", "What are the strategic priorities?"),
        ("when was the mastr plan aproved", "en", "when was the master plan approved"),
        ("What is the misson?", "en", "What is the mission?"),
        ("¿Cuáles son los valores del distrto?", "es", "¿Cuáles son los valores del distrito?"),
        ("¿Cuándo se aprobó el plan maestro educatibo?", "es", "¿Cuándo se aprobó el plan maestro educativo?"),
        # A contraction typed without its apostrophe is that contraction, not the nearest word.
        ("whos in charge of the mission", "en", "who's in charge of the mission"),
        ("Whats the misson", "en", "What's the mission"),
        ("im worried teachers dont stay", "en", "I'm worried teachers don't stay"),
    ],
)
def test_a_typo_is_corrected_to_the_plans_word(asked: str, lang: str, read: str) -> None:
    assert PLAN.correct(asked, lang) == read


@pytest.mark.parametrize(
    ("asked", "lang"),
    [
        ("Is there a test for the mission?", "en"),  # "test" is a word, though "best" is one edit away
        ("Is the lunch menu in the plans?", "en"),  # words the plans lack are not typos
        ("Does Muir High have a mission?", "en"),  # a name after the first word is left alone
        ("What does PUSD say about LCAP?", "en"),  # acronyms
        ("mi hijo nomas quiere saber", "es"),  # "nomás": short Spanish words are left as written
        ("¿Y los hijo?", "es"),  # another form of a plan word is no typo to the stemmed keyword side
        ("Is my kid ill? Were its plans well made?", "en"),  # words that are also contractions' letters
    ],
)
def test_words_that_are_not_typos_are_left_alone(asked: str, lang: str) -> None:
    assert PLAN.correct(asked, lang) == asked


def test_a_language_the_plans_lack_is_left_alone() -> None:
    assert PLAN.correct("Quelle est la missio?", "fr") == "Quelle est la missio?"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("What are the stratgic priorites?", "STRATEGIC PRIORITIES > Powerful Instruction"),
        ("What is the misson of the district?", "OUR MISSION"),
        ("when was the mastr plan aproved", "Planning for the Future > PUSD Educational Master Plan"),
        # "whos" was read as "who" and "who in charge" matched no glossary phrase: refused at 0.43.
        ("whos in charge of the master plan", "Planning for the Future > A Guide for the Future"),
    ],
)
def test_a_question_with_typos_is_answered(plan_assistant: PlanAssistant, question: str, section: str) -> None:
    # Before, each was refused (confidence 0.32 to 0.37): no keyword in common with the plans.
    answer = plan_assistant.ask(question)
    assert answer.grounded
    assert answer.citations[0].section == section
