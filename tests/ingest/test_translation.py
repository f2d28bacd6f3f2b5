"""Translated documents: linked to their original by structure (same page, section and item)."""

import re
from pathlib import Path

import pytest

from assistant.embedding import Embedder
from assistant.errors import IngestError
from assistant.service import PlanAssistant
from assistant.settings import Settings
from ingest.blocks import Block, Chunk
from ingest.chunker import StructureMismatch, chunk_document, chunk_translation, structure_mismatch
from ingest.corpus import load_corpus
from ingest.text_units import normalize_for_match
from tests.conftest import CORPUS, ROOT, ingest_with

PAIRS = [("strategic-plan", "strategic-plan-es"), ("planning-for-the-future", "planning-for-the-future-es")]
SPANISH_SOURCES = {
    "strategic-plan-es": ROOT / "scripts" / "translations" / "pusd-strategic-plan-2016-2020.es.txt",
    "planning-for-the-future-es": ROOT / "scripts" / "translations" / "pusd-planning-for-the-future.es.txt",
}


@pytest.fixture(scope="module")
def linked() -> dict[str, tuple[list[Chunk], list[Chunk]]]:
    documents = {document.doc_id: document for document in load_corpus(CORPUS)}
    return {
        translated: (
            chunk_document(documents[original], 100),
            chunk_translation(documents[original], documents[translated], 100),
        )
        for original, translated in PAIRS
    }


def test_the_manifest_labels_translations_and_names_their_originals() -> None:
    documents = {document.doc_id: document for document in load_corpus(CORPUS)}
    for original, translated in PAIRS:
        assert documents[translated].translation_of == original
        assert documents[translated].language == "es" and documents[translated].label == "Traducción no oficial"
        assert documents[original].translation_of is None


@pytest.mark.parametrize(("original", "translated"), PAIRS)
def test_every_translated_chunk_renders_one_original_chunk_at_the_same_place(
    linked: dict[str, tuple[list[Chunk], list[Chunk]]], original: str, translated: str
) -> None:
    originals, translations = linked[translated]
    by_id = {chunk.id: chunk for chunk in originals}
    assert len(translations) == len(originals)
    for chunk in translations:
        source = by_id[chunk.original_id]
        assert chunk.page == source.page
        assert chunk.section.count(" > ") == source.section.count(" > ")  # same depth of heading path
        assert len(chunk.units) == len(source.units)  # sentences and items pair one to one
        assert chunk.anchor == source.anchor  # the web page's sections share their anchors


@pytest.mark.parametrize("translated", SPANISH_SOURCES)
def test_translated_chunks_are_verbatim_from_the_translation(
    linked: dict[str, tuple[list[Chunk], list[Chunk]]], translated: str
) -> None:
    source = normalize_for_match(SPANISH_SOURCES[translated].read_text(encoding="utf-8"))
    for chunk in linked[translated][1]:
        for unit in chunk.units:
            assert normalize_for_match(unit) in source, unit


def test_known_pairs(linked: dict[str, tuple[list[Chunk], list[Chunk]]]) -> None:
    originals, translations = linked["strategic-plan-es"]
    by_id = {chunk.id: chunk for chunk in originals}
    pairs = {by_id[t.original_id].section: t.section for t in translations}
    assert pairs["OUR MISSION"] == "NUESTRA MISIÓN"
    assert pairs["PUSD GRADUATE PROFILE > Skills and Knowledge > Life Skills"] == (
        "PERFIL DEL GRADUADO DE PUSD > Habilidades y conocimientos > Habilidades para la vida"
    )


def test_structure_mismatch_says_where() -> None:
    original = (Block("heading", "A", 1, 1), Block("item", "x", 1, 0, "-"))
    assert structure_mismatch(original, original) is None
    assert "4 blocks" in str(structure_mismatch(original, original + original))
    moved = (Block("heading", "A", 1, 1), Block("item", "x", 2, 0, "-"))
    assert "block 2" in str(structure_mismatch(original, moved))


@pytest.mark.slow
def test_a_translation_that_does_not_follow_its_original_fails_the_ingest_and_keeps_the_old_index(
    fresh_settings: Settings, embedders: dict[str, Embedder]
) -> None:
    ingest_with(fresh_settings, embedders)
    fingerprint = PlanAssistant(fresh_settings, embedders).index.fingerprint()
    page = fresh_settings.corpus_dir / "pusd-planning-for-the-future.es.html"
    html = page.read_text(encoding="utf-8")
    # One list item lost in the translation: every block after it would pair with the wrong one.
    dropped = re.sub(r"<li>La Hoja de Ruta.*?</li>", "", html, count=1, flags=re.S)
    assert dropped != html
    page.write_text(dropped, encoding="utf-8")
    with pytest.raises(IngestError, match="planning-for-the-future-es does not follow planning-for-the-future"):
        ingest_with(fresh_settings, embedders)
    assert PlanAssistant(fresh_settings, embedders).index.fingerprint() == fingerprint


def test_a_translation_of_a_missing_document_is_refused(corpus_copy: Path) -> None:
    manifest = corpus_copy / "manifest.json"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(
            '"translation_of": "strategic-plan"', '"translation_of": "no-such-plan"'
        ),
        "utf-8",
    )
    with pytest.raises(IngestError, match="no-such-plan"):
        load_corpus(corpus_copy)


def test_chunk_translation_raises_on_mismatch() -> None:
    documents = {document.doc_id: document for document in load_corpus(CORPUS)}
    with pytest.raises(StructureMismatch):
        chunk_translation(documents["strategic-plan"], documents["planning-for-the-future-es"])
