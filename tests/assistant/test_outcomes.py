"""The three outcomes a parent reads, in the district's own words: answered, uncertain (the closest
passages, marked as perhaps not answering), not found (where to ask, as the manifest or the
settings say); and what an answer does not quote."""

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.compose.quotes import Quote, Selection, unsaid_lead_ins
from assistant.decide.model import ConfidenceModel
from assistant.embedding import Embedder
from assistant.index.state import Passage
from assistant.service import PlanAssistant
from assistant.settings import Settings
from tests.conftest import ingest_with

UNSURE = ConfidenceModel((), (), (), (), 0.0, answered=0.99, uncertain=0.1, fitted_on="every answer is uncertain")


def _passage(pid: str, units: list[str]) -> Passage:
    return Passage(
        pid, "\n".join(units), "d", "D", 1, "S", "/d", units, 0, frozenset(), tuple(frozenset() for _ in units)
    )


def test_a_line_ending_on_a_colon_with_nothing_after_it_is_not_quoted_after_the_answer() -> None:
    answer = _passage("a", ["The plan is reviewed every year."])
    dangling = _passage("b", ["Progress is shared with the board.", "Progress will be reported through:"])
    selection = Selection([Quote(answer, [0]), Quote(dangling, [1, 0])], 0.5)
    unsaid_lead_ins(selection)
    assert [(q.passage.id, q.positions) for q in selection.quotes] == [("a", [0]), ("b", [0])]
    alone = Selection([Quote(_passage("c", ["Contact the offices:"]), [0])], 0.5)
    unsaid_lead_ins(alone)  # the answer's own first line stays: better than an empty answer
    assert [q.positions for q in alone.quotes] == [[0]]


@pytest.mark.slow
def test_an_uncertain_answer_shows_the_closest_passages_marked_in_the_readers_language(
    built_settings: Settings, embedders: dict[str, Embedder]
) -> None:
    assistant = PlanAssistant(built_settings, embedders, UNSURE)
    for question, lead in (
        ("What is the district's mission?", "may not answer your question"),
        ("¿Cuál es la misión del distrito?", "puede que no respondan a su pregunta"),
    ):
        answer = assistant.ask(question)
        assert (answer.status, answer.grounded) == ("uncertain", True)
        assert lead in answer.answer.splitlines()[0] and answer.citations


@pytest.mark.slow
def test_a_refusal_names_the_district_and_where_to_ask_from_the_manifest(plan_assistant: PlanAssistant) -> None:
    answer = plan_assistant.ask("What is on the cafeteria menu on Friday?")
    assert answer.status == "not_found" and not answer.citations
    assert "PUSD's plans" in answer.answer and "Office of Planning, Innovation and Accountability" in answer.answer
    spanish = plan_assistant.ask("¿Qué hay en el menú de la cafetería el viernes?")
    assert "los planes de PUSD" in spanish.answer and "Oficina de Planificación" in spanish.answer


@pytest.mark.slow
def test_settings_speak_for_another_district_and_a_corpus_without_one_uses_plain_words(
    tmp_path: Path, fresh_settings: Settings, embedders: dict[str, Embedder]
) -> None:
    ingest_with(fresh_settings, embedders)
    overridden = fresh_settings.model_copy(
        update={"district_short_name": "Cedar Valley USD", "where_to_ask": {"en": "Call (541) 555-0142."}}
    )
    answer = PlanAssistant(overridden, embedders).ask("What is on the cafeteria menu on Friday?")
    assert "Cedar Valley USD's plans" in answer.answer and "Call (541) 555-0142." in answer.answer
    manifest = fresh_settings.corpus_dir / "manifest.json"
    data = json.loads(manifest.read_text())
    del data["district"]
    manifest.write_text(json.dumps(data))
    ingest_with(fresh_settings, embedders)
    answer = PlanAssistant(fresh_settings, embedders).ask("What is on the cafeteria menu on Friday?")
    assert "the district's plans" in answer.answer and "front office or the district office" in answer.answer


def test_unit_similarities_are_arrays() -> None:  # the toy passages above stand in for retrieved ones
    assert isinstance(_passage("x", ["a"]).unit_similarity, np.ndarray)
