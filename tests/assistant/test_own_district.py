"""A district's own widget on a corpus that also holds another district's plans
(settings.answer_from_own_district): real ingest of PUSD's plans beside a training district's,
the bundled models, PlanAssistant as the API runs it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.embedding import Embedder
from assistant.retrieve import Gathered
from assistant.schemas import Turn
from assistant.service import PlanAssistant
from evals.districts import mixed_corpus
from tests.conftest import CORPUS, ROOT, ingest_with, make_settings

pytestmark = pytest.mark.slow

NEIGHBOUR = ROOT / "training" / "districts" / "copper-basin" / "corpus"


def _district_of(assistant: PlanAssistant, answer_doc: str) -> str:
    return assistant.retriever.state.catalog.documents[answer_doc].district


@pytest.fixture(scope="module")
def two_districts(tmp_path_factory: pytest.TempPathFactory, embedders: dict[str, Embedder]) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("two-districts")
    corpus = mixed_corpus([CORPUS, NEIGHBOUR], work / "corpus")
    ingest_with(make_settings(work / "data", corpus), embedders)
    return work / "data", corpus


def test_a_question_naming_no_district_is_answered_from_the_deployments_own(
    two_districts: tuple[Path, Path], embedders: dict[str, Embedder]
) -> None:
    data, corpus = two_districts
    own = PlanAssistant(make_settings(data, corpus, answer_from_own_district=True), embedders)
    every = PlanAssistant(make_settings(data, corpus), embedders)
    question = "What is the district's mission?"
    # Both districts' missions answer it when every district's plans do (a county's deployment)...
    assert {_district_of(every, c.doc_id) for c in every.ask(question).citations} == {
        "Pasadena Unified School District",
        "Copper Basin Public Schools",
    }
    # ...on PUSD's own site only PUSD's plans answer it.
    cited = own.ask(question).citations
    assert cited and {_district_of(own, c.doc_id) for c in cited} == {"Pasadena Unified School District"}
    # Naming the other district, its plans answer, and so does a follow-up that names no district.
    named = own.ask("What is Copper Basin's mission?").citations
    assert named and _district_of(own, named[0].doc_id) == "Copper Basin Public Schools"
    assert "think critically" in named[0].text
    history = [Turn(role="user", content="What is Copper Basin's mission?"), Turn(role="assistant", content="...")]
    follow_up = own.ask("And what is its vision?", history).citations
    assert follow_up and {_district_of(own, c.doc_id) for c in follow_up} == {"Copper Basin Public Schools"}


def test_the_plans_words_for_a_parents_words_are_looked_for_in_the_named_districts_plans_only(
    two_districts: tuple[Path, Path], embedders: dict[str, Embedder]
) -> None:
    data, corpus = two_districts
    every = PlanAssistant(make_settings(data, corpus), embedders)

    def homes(question: str) -> set[str]:
        gathered = every.retriever.gather(every.read(question, (), None))
        return {_district_of(every, every.retriever.passages[pid].doc_id) for pid in gathered.rankings["homes"]}

    # "manage money" is at home in PUSD's Graduate Profile ("basic money management skills")...
    assert "Pasadena Unified School District" in homes("Will students learn to manage money?")
    # ...which is not where a question about Copper Basin is answered.
    assert homes("Will Copper Basin students learn to manage money?") <= {"Copper Basin Public Schools"}


def test_keywords_rank_a_districts_passages_as_if_its_plans_were_the_only_ones(
    two_districts: tuple[Path, Path], embedders: dict[str, Embedder], plan_assistant: PlanAssistant
) -> None:
    data, corpus = two_districts
    own = PlanAssistant(make_settings(data, corpus, answer_from_own_district=True), embedders)
    question = "How will the district support the social and emotional wellness of students?"

    def keyword_scores(assistant: PlanAssistant) -> dict[tuple[str, int], float]:
        gathered = assistant.retriever.gather(assistant.read(question, (), None))
        state = gathered.state
        return {
            (state.passages[pid].doc_id, state.passages[pid].ordinal): round(float(score), 9)
            for pid, score in zip(state.ids, gathered.scores["keywords"])
            if np.isfinite(score)
        }

    # The other district's plans use these words too; how often says nothing of PUSD's passages.
    alone = keyword_scores(plan_assistant)
    assert alone and max(alone.values()) > 0
    assert keyword_scores(own) == alone


def test_the_passages_of_a_document_the_question_names_are_candidates_even_when_others_outrank_them(
    two_districts: tuple[Path, Path], embedders: dict[str, Embedder]
) -> None:
    data, corpus = two_districts
    state = PlanAssistant(make_settings(data, corpus), embedders).retriever.state
    in_plan = state.of_documents(frozenset({"planning-for-the-future"}))
    assert in_plan is not None and 5 < in_plan.sum() < state.originals - 5
    outranked = np.where(in_plan, 0.5, 1.0)  # every other passage scores higher
    ranking = state.ranking(outranked, 5, also_of=in_plan)
    documents = [state.passages[pid].doc_id for pid in ranking]
    assert len(ranking) == 10 and "planning-for-the-future" not in documents[:5]
    assert documents[5:] == ["planning-for-the-future"] * 5
    assert state.ranking(outranked, 5)[:5] == ranking[:5]
    # A passage the question may not be answered from (-inf) fills no ranking, however short.
    only_plan = np.where(in_plan, 1.0, -np.inf)
    ranked = state.ranking(only_plan, state.originals)
    assert len(ranked) == in_plan.sum()
    assert {state.passages[pid].doc_id for pid in ranked} == {"planning-for-the-future"}


def test_the_document_a_question_names_is_one_more_ranking_in_the_fusion(
    two_districts: tuple[Path, Path], embedders: dict[str, Embedder]
) -> None:
    data, corpus = two_districts
    named = "What does the Educational Master Plan say about families taking part in their children's schooling?"

    def gathered(question: str, weight: float) -> Gathered:
        assistant = PlanAssistant(make_settings(data, corpus, named_document_weight=weight), embedders)
        return assistant.retriever.gather(assistant.read(question, (), None))

    found = gathered(named, 1.0)
    ranking, k = found.rankings["document"], make_settings(data, corpus).rrf_k
    assert ranking and {found.state.passages[pid].doc_id for pid in ranking} == {"planning-for-the-future"}
    assert found.weights["document"] == 1.0
    # Its order is the other rankings' agreement: it opens with the plan's best fused passage.
    others = {name: ranks for name, ranks in found.rankings.items() if name != "document"}
    agreed = {
        pid: sum(found.weights[name] / (k + ranks.index(pid) + 1) for name, ranks in others.items() if pid in ranks)
        for pid in ranking
    }
    assert ranking[0] == max(agreed, key=lambda pid: agreed[pid])
    assert "document" not in gathered(named, 0.0).rankings
    assert "document" not in gathered("What does the plan say about families?", 1.0).rankings
