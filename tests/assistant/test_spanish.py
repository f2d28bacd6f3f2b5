"""Spanish questions: answered in Spanish, citing the English original verbatim beside the
unofficial translation (real index, real models, real documents)."""

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.schemas import Turn
from assistant.service import PlanAssistant
from assistant.settings import Settings
from evals.verbatim import is_verbatim
from tests.conftest import CORPUS

pytestmark = pytest.mark.slow


def test_a_spanish_question_gets_a_spanish_answer_with_both_passages(plan_assistant: PlanAssistant) -> None:
    answer = plan_assistant.ask("mi hijo va a aprender a manejar el dinero?")
    assert answer.lang == "es" and answer.grounded
    assert answer.answer.startswith("Esto es lo que dicen los planes del distrito:")
    first = answer.citations[0]
    assert "financial literacy and basic money management skills" in first.text  # the original, verbatim
    assert is_verbatim(CORPUS, first.url, first.page, first.text)
    translation = first.translation
    assert translation is not None and translation.label == "Traducción no oficial"
    assert "educación financiera" in translation.text
    assert translation.page == first.page == 3
    assert translation.url == "/corpus/pusd-strategic-plan-2016-2020.es.pdf#page=3"
    assert is_verbatim(CORPUS, translation.url, translation.page, translation.text)
    # The answer quotes the translation: each quoted line is verbatim from it.
    quoted = [line for line in answer.answer.splitlines() if line.endswith("[1]")]
    assert quoted and all(line.split(': "', 1)[1].rsplit('" [', 1)[0] in translation.text for line in quoted)


@pytest.mark.parametrize(
    "question",
    [
        "¿A qué hora pasa el camión escolar por mi casa?",
        "¿hay junta de padres mañana en la escuela de mi hijo?",  # a fact of the day it is asked
        "¿dónde veo las calificaciones de mi hija en línea?",  # a child's own records
        "¿tienen clases de robótica en las primarias?",  # a subject the plans never name
        "¿Hay enfermera en cada escuela?",  # a thing the plans never name
        "¿La escuela de verano es gratis?",  # a price, which no passage states
        "¿Cómo pido una reunión con la maestra?",  # a procedure, which the school office knows
    ],
)
def test_a_spanish_question_the_plans_do_not_answer_is_refused_in_spanish(
    plan_assistant: PlanAssistant, question: str
) -> None:
    answer = plan_assistant.ask(question)
    assert answer.lang == "es" and not answer.grounded and answer.citations == []
    assert answer.answer.startswith("No encontré la respuesta")


def test_english_answers_carry_no_translation(plan_assistant: PlanAssistant) -> None:
    answer = plan_assistant.ask("What is the district's mission?")
    assert answer.lang == "en" and all(c.translation is None for c in answer.citations)


def test_the_api_takes_an_explicit_language(built_settings: Settings, embedders: dict[str, Embedder]) -> None:
    with TestClient(create_app(built_settings, embedders)) as client:
        reply = client.post("/api/ask", json={"question": "What is the mission?", "lang": "es"}).json()
        assert reply["lang"] == "es" and reply["citations"][0]["translation"]["section"] == "NUESTRA MISIÓN"
        bad = client.post("/api/ask", json={"question": "What is the mission?", "lang": "fr"})
        assert bad.status_code == 422 and bad.json()["message"].startswith("lang:")


def test_a_spanish_question_naming_the_plans_english_term_finds_it(plan_assistant: PlanAssistant) -> None:
    # The translation says "Hoja de Ruta"; parents who read the English site say "Road Map".
    answer = plan_assistant.ask("¿qué es el Road Map?")
    assert answer.lang == "es" and answer.grounded
    assert any("The Road Map is a five-year implementation plan" in c.text for c in answer.citations)


def test_a_follow_up_about_teachers_finds_the_teachers_not_the_plan_maestro(plan_assistant: PlanAssistant) -> None:
    # "maestros" (teachers) and "Plan Maestro" (master plan) share a stem: before they were told
    # apart, every passage naming the master plan outranked the recommendations about teachers.
    history = [Turn(role="user", content="que dice el plan maestro de apoyar a los niños con problemas emocionales")]
    answer = plan_assistant.ask("y los maestros?", history)
    assert "maestros" in answer.citations[0].translation.text.replace("Plan Maestro", "")


@pytest.mark.slow
def test_the_english_only_model_weighs_less_for_a_spanish_question(
    built_settings: Settings, embedders: dict[str, Embedder]
) -> None:
    # MiniLM reads English only: its rankings of a Spanish question weigh a share of the others'.
    def ranked(share: float, question: str, lang: str) -> list[str]:
        settings = built_settings.model_copy(update={"english_only_share_for_other_languages": share})
        return [p.id for p in PlanAssistant(settings, embedders).search(question).passages]

    spanish = "¿Qué dice el plan sobre la tecnología en los salones?"
    assert ranked(0.0, spanish, "es") != ranked(1.0, spanish, "es")
    english = "What does the plan say about technology in classrooms?"
    assert ranked(0.0, english, "en") == ranked(1.0, english, "en")
