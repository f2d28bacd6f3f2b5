"""A district's main plans (the manifest's `featured`) inside a library of its other documents:
real ingest of PUSD's plans beside a school's plan of the same district, the bundled models,
PlanAssistant as the API runs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.embedding import Embedder
from assistant.question.scope import Catalog, DistrictFacts, DocumentFacts, Scope
from assistant.retrieve import Gathered
from assistant.service import PlanAssistant
from tests.conftest import CORPUS, ingest_with, make_settings

FEATURED = {"strategic-plan", "planning-for-the-future"}  # corpus/manifest.json's main plans


def test_the_featured_documents_are_the_asked_districts_main_plans() -> None:
    a, b = DistrictFacts("A"), DistrictFacts("B")
    documents = [
        DocumentFacts("a-plan", "A Strategic Plan", "A", featured=True),
        DocumentFacts("a-school", "A School Plan", "A"),
        DocumentFacts("b-plan", "B Strategic Plan", "B", featured=True),
    ]
    one, several = Catalog(documents[:2], [a]), Catalog(documents, [a, b])
    assert one.featured(Scope()) == {"a-plan"}
    assert several.featured(Scope(districts=frozenset({"B"}))) == {"b-plan"}
    # Several districts' plans may answer a question that names none: no district's come first.
    assert several.featured(Scope()) == frozenset()
    # A question that names a document is answered from that one.
    assert one.featured(Scope(documents=frozenset({"a-school"}))) == frozenset()


SCHOOL_PLAN = """# Longfellow Elementary School Plan 2016-2020

## OUR MISSION

Our mission is providing a caring, engaging, challenging educational experience for every Longfellow student every day.

## OUR GOALS

Every Longfellow student reads at grade level by the end of third grade.
"""


@pytest.mark.slow
def test_a_question_naming_no_document_is_answered_from_the_main_plans_of_a_library(
    tmp_path: Path, embedders: dict[str, Embedder], plan_assistant: PlanAssistant
) -> None:
    library = tmp_path / "corpus"
    shutil.copytree(CORPUS, library)
    (library / "longfellow-plan.md").write_text(SCHOOL_PLAN, encoding="utf-8")
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    school = {"doc_id": "longfellow-plan", "title": "Longfellow Elementary School Plan 2016-2020", "kind": "other"}
    manifest["documents"].append(school | {"edition": "2016-2020", "file": "longfellow-plan.md"})
    (library / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    ingest_with(make_settings(tmp_path / "data", library), embedders)
    assistant = PlanAssistant(make_settings(tmp_path / "data", library), embedders)
    question = "What is the mission?"
    # A school's plan says its mission in nearly the district's words: the district's comes first.
    gathered = assistant.retriever.gather(assistant.read(question, (), None))
    assert gathered.rankings["featured"]
    assert {assistant.retriever.passages[pid].doc_id for pid in gathered.rankings["featured"]} <= FEATURED
    answer = assistant.ask(question)
    assert answer.citations[0].doc_id == "strategic-plan" and "every student" in answer.citations[0].text
    # A question that names the school's plan is answered from it.
    named = assistant.ask("What is the mission in the Longfellow school plan?").citations
    assert named and named[0].doc_id == "longfellow-plan"
    # In a library of a thousand pages the main plans may be outranked in every ranking: their best
    # passages join each ranking's candidates all the same (here each ranking keeps one passage).
    narrow = PlanAssistant(make_settings(tmp_path / "data", library, dense_candidates=1), embedders)
    in_its_words = "Will every student read at grade level by the end of third grade?"
    outranked = narrow.retriever.gather(narrow.read(in_its_words, (), None))
    unweighed = PlanAssistant(
        make_settings(tmp_path / "data", library, dense_candidates=1, featured_document_weight=0), embedders
    )
    alike = unweighed.retriever.gather(unweighed.read(in_its_words, (), None))

    def documents(gathered: Gathered, ranking: str) -> set[str]:
        return {narrow.retriever.passages[pid].doc_id for pid in gathered.rankings[ranking]}

    # Without the main plans weighed, the school's goal is the one passage of some rankings ...
    school_only = [r for r in ("dense:minilm", "unit:minilm", "keywords") if not documents(alike, r) & FEATURED]
    assert school_only
    # ... with them, the main plans' best passage follows it in each.
    assert all(documents(outranked, r) & FEATURED for r in school_only)
    # PUSD's plans alone are all main plans: nothing to weigh first.
    alone = plan_assistant.retriever.gather(plan_assistant.read(question, (), None))
    assert "featured" not in alone.rankings
