"""Language detection on the questions parents actually type (lingua, real models)."""

import pytest

from assistant.question.language import reply_language
from assistant.schemas import Turn


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("¿Cómo pueden participar los padres?", "es"),
        ("Como pueden participar los padres", "es"),  # accents and ¿ left out
        ("mi hijo va a aprender a manejar dinero?", "es"),
        ("cuando se aprobo el plan maestro", "es"),
        ("que es el EMP", "es"),  # short, with an English acronym
        ("¿Y los maestros?", "es"),
        ("Is my kid gonna learn to handle money", "en"),
        ("What about la escuela?", "en"),  # mixed: mostly English
        ("the plan de estudios for my hijo", "es"),  # mixed: the content words are Spanish
        ("When was it approved?", "en"),
        ("Graduate Profile?", "en"),
    ],
)
def test_detects_the_question_language(question: str, lang: str) -> None:
    assert reply_language(question) == lang


@pytest.mark.parametrize("question", ["ok", "PUSD", "STEAM?", "Graduate Profile?", "LCAP?"])
def test_a_short_question_keeps_the_conversation_language(question: str) -> None:
    history = [
        Turn(role="user", content="¿Qué dice el plan sobre los maestros?"),
        Turn(role="assistant", content="..."),
    ]
    assert reply_language(question, history) == "es"


def test_a_full_question_in_another_language_switches_the_conversation() -> None:
    history = [Turn(role="user", content="¿Qué dice el plan sobre los maestros?")]
    assert reply_language("What does the plan say about facilities?", history) == "en"


def test_an_explicit_language_wins() -> None:
    assert reply_language("What is the mission?", requested="es") == "es"
    assert reply_language("¿Cuál es la misión?", requested="en") == "en"
