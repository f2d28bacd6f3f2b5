"""The new-district split and the training districts are well formed: every expected passage is
word for word in the published document it names (at its page, for a PDF), read independently of
ingest/."""

from pathlib import Path

import pytest

from evals.districts import load_district_sets, mixed_corpus
from evals.verbatim import page_texts
from ingest.corpus import read_corpus_manifest
from ingest.text_units import normalize_for_match
from tests.conftest import CORPUS, ROOT

SETS = load_district_sets()
TRAINING = load_district_sets(ROOT / "training" / "districts")


def test_there_are_six_districts_and_enough_questions_of_every_kind() -> None:
    assert len(SETS) >= 6
    questions = [q for s in SETS for q in s.questions]
    turns = [t for s in SETS for c in s.conversations for t in c.questions()]
    assert len(questions) >= 150 and len(turns) >= 28
    assert sum(not q.answerable for q in questions) >= 25
    assert sum(q.lang == "es" for q in questions) >= 20
    assert {q.kind for q in questions} >= {"direct", "paraphrase", "list", "yesno", "unanswerable"}
    assert {t.kind for t in turns} >= {"followup"}


def test_the_training_districts_are_other_districts_with_thousands_of_questions() -> None:
    assert len(TRAINING) >= 10 and not {s.slug for s in TRAINING} & {s.slug for s in SETS}
    assert sum(len(s.questions) for s in TRAINING) >= 2000


@pytest.mark.parametrize("district", SETS + TRAINING, ids=lambda s: s.slug)
def test_every_passage_is_word_for_word_in_the_document_it_names(district) -> None:  # type: ignore[no-untyped-def]
    files = {e.doc_id: district.corpus_dir / e.file for e in read_corpus_manifest(district.corpus_dir).documents}
    turns = [t for c in district.conversations for t in c.questions()]
    for question in district.questions + turns:
        for passage in question.passages:
            pages = page_texts(files[question.doc_id])
            # One page is named per question: the items of a list may run over several.
            stated = question.page is not None and len(question.passages) == 1
            text = pages[question.page] if stated else " ".join(t for t in pages.values() if t)
            assert normalize_for_match(passage) in text, (question.id, passage)


def test_the_mixed_corpus_names_each_documents_district(tmp_path: Path) -> None:
    corpus = mixed_corpus([CORPUS, *(s.corpus_dir for s in SETS)], tmp_path / "mixed")
    manifest = read_corpus_manifest(corpus)
    names = {d.name for d in manifest.all_districts()}
    assert len(names) == len(SETS) + 1 and "Pasadena Unified School District" in names
    assert all(e.district in names and (corpus / e.file).is_file() for e in manifest.documents)
