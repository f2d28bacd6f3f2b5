"""The evaluation set is written from the documents: every expected passage is verbatim."""

from collections import Counter

import pytest

from evals.dataset import load_questions
from ingest.text_units import normalize_for_match
from tests.conftest import SOURCES

FILES = {
    "strategic-plan": "pusd-strategic-plan-2016-2020.txt",
    "planning-for-the-future": "pusd-planning-for-the-future.txt",
}


def test_size_and_mix() -> None:
    questions = load_questions()
    kinds = Counter(q.kind for q in questions)
    assert len(questions) >= 60
    assert kinds["unanswerable"] >= 10
    assert min(kinds["direct"], kinds["paraphrase"], kinds["list"]) >= 10
    assert len({q.id for q in questions}) == len(questions)
    assert {q.split for q in questions} == {"dev", "test"}


@pytest.mark.skipif(not SOURCES.exists(), reason="../shared/source-documents is not beside the repo")
def test_expected_passages_are_verbatim_in_the_named_document() -> None:
    for question in load_questions():
        if not question.answerable:
            assert question.passages == [] and question.doc_id is None
            continue
        assert question.doc_id is not None
        source = normalize_for_match((SOURCES / FILES[question.doc_id]).read_text(encoding="utf-8"))
        other = normalize_for_match("\n".join((SOURCES / f).read_text(encoding="utf-8") for f in FILES.values()))
        assert question.passages, question.id
        for passage in question.passages:
            assert normalize_for_match(passage) in other, (question.id, passage)
        assert normalize_for_match(question.passages[0]) in source, question.id
