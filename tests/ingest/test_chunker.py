"""The chunker on the real documents."""

import pytest

from ingest.blocks import Chunk
from ingest.chunker import chunk_document, lead_in_label
from ingest.corpus import load_corpus
from ingest.text_units import normalize_for_match, split_sentences, word_count
from tests.conftest import CORPUS, SOURCES


@pytest.fixture(scope="module")
def chunks() -> list[Chunk]:
    # The originals; translations are chunked (and checked) by tests/ingest/test_translation.py.
    return [c for d in load_corpus(CORPUS) if d.translation_of is None for c in chunk_document(d, 60)]


def _holding(chunks: list[Chunk], words: str) -> Chunk:
    return next(c for c in chunks if words in c.text)


def test_heading_path_includes_the_list_label(chunks: list[Chunk]) -> None:
    money = _holding(chunks, "financial literacy")
    assert money.section == "PUSD GRADUATE PROFILE > Skills and Knowledge > Life Skills"
    assert money.page == 3
    assert money.link == "/corpus/pusd-strategic-plan-2016-2020.pdf#page=3"


def test_list_items_stay_with_their_lead_in(chunks: list[Chunk]) -> None:
    values = _holding(chunks, "Possess positive motivation")
    assert values.text.startswith("- Internal Values: Values developed by and originating within students.")
    later = _holding(chunks, "5. Students will understand the global economy")
    # A continuation chunk of a long list carries the lead-in as context, not as its text.
    assert "Life Skills" in later.context or later.text.startswith("- Life Skills")


def test_no_sentence_is_split(chunks: list[Chunk]) -> None:
    units = {normalize_for_match(u) for c in chunks for u in c.units}
    source = (SOURCES / "pusd-strategic-plan-2016-2020.txt").read_text(encoding="utf-8")
    for paragraph in source.split("\n\n"):
        if paragraph.strip() and len(paragraph.split()) > 12 and "\n" not in paragraph.strip():
            for sentence in split_sentences(paragraph.strip()):
                assert normalize_for_match(sentence) in units


def test_chunks_respect_the_size_unless_one_sentence_is_longer(chunks: list[Chunk]) -> None:
    for chunk in chunks:
        assert word_count(" ".join(chunk.units)) <= 60 or len(chunk.units) == 1


@pytest.mark.skipif(not SOURCES.exists(), reason="../shared/source-documents is not beside the repo")
def test_every_chunk_is_verbatim_from_its_source(chunks: list[Chunk]) -> None:
    sources = {
        "strategic-plan": "pusd-strategic-plan-2016-2020.txt",
        "planning-for-the-future": "pusd-planning-for-the-future.txt",
    }
    for chunk in chunks:
        reference = normalize_for_match((SOURCES / sources[chunk.doc_id]).read_text(encoding="utf-8"))
        assert normalize_for_match(chunk.text) in reference, chunk.text


def test_ids_are_content_hashes(chunks: list[Chunk]) -> None:
    again = [c for d in load_corpus(CORPUS) if d.translation_of is None for c in chunk_document(d, 60)]
    assert [c.id for c in chunks] == [c.id for c in again]
    assert len({c.id for c in chunks}) == len(chunks)


@pytest.mark.parametrize(
    ("lead_in", "label"),
    [
        ("Life Skills", "Life Skills"),
        ("Internal Values: Values developed by and originating within students. Students will:", "Internal Values"),
        (
            "Awareness and appreciation of future potential. Students will:",
            "Awareness and appreciation of future potential",
        ),
        ("Please click on links below to download the many reports we published this year:", ""),
    ],
)
def test_lead_in_label(lead_in: str, label: str) -> None:
    assert lead_in_label(lead_in) == label
