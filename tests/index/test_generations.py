"""Each ingest that changes anything writes a new generation beside the served one and moves the
pointer when it is whole; unchanged rows are copied with their vectors (an embedded store's files
are copied, then only what changed written), never embedded again.

A small corpus, the real bundled models and real embedded Chroma stores.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import ingest.run
from assistant.embedding import Embedder
from assistant.errors import IngestRunning
from assistant.index.generations import FolderGenerations, exclusive_ingest, generations_for
from assistant.index.store import read_all
from assistant.service import PlanAssistant
from assistant.settings import Settings
from tests.conftest import ingest_with, make_settings

pytestmark = pytest.mark.slow

MEALS = "# School Meals\n\n## Breakfast\n\nEvery school will serve a free breakfast to every student.\n"
BUS = "# Bus Safety\n\n## Monitors\n\nEvery school bus will carry a trained safety monitor.\n"
ARTS = "# Arts\n\n## Music\n\nEvery middle school will offer an orchestra class.\n"


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "school-meals.md").write_text(MEALS, encoding="utf-8")
    return make_settings(tmp_path / "data", corpus)


def _folders(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.chroma_path.iterdir() if p.is_dir())


def _pointer(settings: Settings) -> dict:
    return json.loads((settings.chroma_path / "CURRENT").read_text())


def test_an_ingest_writes_a_new_generation_and_copies_what_it_already_holds(
    small: Settings, embedders: dict[str, Embedder]
) -> None:
    first = ingest_with(small, embedders)
    rows = first.embedded // len(embedders)
    assert first.generation and _folders(small) == [first.generation]
    assert _pointer(small)["current"] == first.generation and _pointer(small)["previous"] is None

    again = ingest_with(small, embedders)  # nothing changed: no new generation, no model loaded
    assert (again.embedded, again.copied, again.generation) == (0, 0, first.generation)
    assert _folders(small) == [first.generation]

    (small.corpus_dir / "bus-safety.md").write_text(BUS, encoding="utf-8")
    second = ingest_with(small, embedders)
    assert second.generation > first.generation
    assert second.copied == first.embedded  # the meals rows, with their stored vectors
    assert second.embedded == (second.chunks + second.units + second.goals + second.goal_statements - rows) * 2
    assert _pointer(small) | {"at": ""} == {"current": second.generation, "previous": first.generation, "at": ""}
    assert _folders(small) == [first.generation, second.generation]  # the previous one is kept

    # Left behind by an ingest killed before it could finish: older than the current one.
    abandoned = small.chroma_path / "g20000101t000000000000-abcdef"
    abandoned.mkdir()
    (small.chroma_path / "CURRENT.4242.tmp").write_text("{}")
    (small.corpus_dir / "bus-safety.md").unlink()
    third = ingest_with(small, embedders)
    assert (third.embedded, third.removed) == (0, second.embedded)
    assert _folders(small) == [second.generation, third.generation]  # the first and the abandoned one are gone
    assert not (small.chroma_path / "CURRENT.4242.tmp").exists()


def test_a_server_serves_each_new_generation_without_a_restart(small: Settings, embedders: dict[str, Embedder]) -> None:
    ingest_with(small, embedders)
    assistant = PlanAssistant(small, embedders)
    before = assistant.generation
    assert assistant.refresh_if_changed(force=True) is False  # nothing new
    (small.corpus_dir / "arts.md").write_text(ARTS, encoding="utf-8")
    report = ingest_with(small, embedders)
    assert assistant.generation == before  # not until it looks
    assert assistant.refresh_if_changed(force=True) is True
    assert assistant.generation == report.generation
    answer = assistant.ask("Will middle schools offer an orchestra class?")
    assert any(c.doc_id == "arts" for c in answer.citations)


def test_an_ingest_is_refused_while_another_runs(small: Settings, embedders: dict[str, Embedder]) -> None:
    with exclusive_ingest(small), pytest.raises(IngestRunning) as refused:
        ingest_with(small, embedders)
    assert refused.value.status == 409 and refused.value.code == "ingest_running"
    assert generations_for(small).current() is None  # it wrote nothing


def test_each_document_is_recorded_with_its_file_pages_passages_and_when_it_was_ingested(
    small: Settings, embedders: dict[str, Embedder]
) -> None:
    ingest_with(small, embedders)
    (small.corpus_dir / "bus-safety.md").write_text(BUS, encoding="utf-8")
    ingest_with(small, embedders)
    documents = {d["doc_id"]: d for d in PlanAssistant(small, embedders).index.documents()}
    assert set(documents) == {"school-meals", "bus-safety"}
    meals, bus = documents["school-meals"], documents["bus-safety"]
    assert meals["file"] == "school-meals.md" and meals["pages"] is None and meals["passages"] == 1
    assert len(meals["sha256"]) == 64 and meals["ingested_at"] <= bus["ingested_at"]
    first_seen = meals["ingested_at"]
    (small.corpus_dir / "school-meals.md").write_text(MEALS + "\nBreakfast starts at 7:30.\n", encoding="utf-8")
    ingest_with(small, embedders)
    documents = {d["doc_id"]: d for d in PlanAssistant(small, embedders).index.documents()}
    assert documents["school-meals"]["ingested_at"] >= first_seen
    assert documents["bus-safety"]["ingested_at"] == bus["ingested_at"]  # unchanged file, unchanged date


def test_an_index_from_before_generations_is_served_then_replaced(
    small: Settings, embedders: dict[str, Embedder]
) -> None:
    report = ingest_with(small, embedders)
    # What earlier versions left: the collections in data_dir/chroma itself, no pointer.
    generation = small.chroma_path / report.generation
    for path in generation.iterdir():
        shutil.move(path, small.chroma_path / path.name)
    generation.rmdir()
    (small.chroma_path / "CURRENT").unlink()
    assert FolderGenerations(small).current() == ""
    assistant = PlanAssistant(small, embedders)
    assert assistant.generation == "" and assistant.ask("Is breakfast free at school?").grounded

    copied = ingest_with(small, embedders)  # its vectors carried into a generation: nothing embedded
    assert copied.embedded == 0 and copied.copied == report.embedded
    assert assistant.refresh_if_changed(force=True) and assistant.ask("Is breakfast free at school?").grounded
    (small.corpus_dir / "bus-safety.md").write_text(BUS, encoding="utf-8")
    ingest_with(small, embedders)  # the old layout is now neither current nor previous: removed
    assert not (small.chroma_path / "chroma.sqlite3").exists()
    assert len(_folders(small)) == 2


def _rows(settings: Settings, key: str) -> dict[str, tuple]:
    """Every row of one model's collection in the served generation: document, metadata, vector."""
    generations = generations_for(settings)
    generation = generations.open(generations.current() or "")
    try:
        collection = generation.client.get_collection(generation.collection(key), embedding_function=None)
        got = read_all(collection, ["documents", "metadatas", "embeddings"])
        metadata = dict(collection.metadata or {})
    finally:
        generation.close()
    rows = zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"])
    return {i: (d, dict(m), np.asarray(v)) for i, d, m, v in rows} | {"": (metadata, {}, np.zeros(1))}


def test_a_copied_generation_brought_up_to_date_holds_what_a_rebuild_writes(
    small: Settings, embedders: dict[str, Embedder], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies: list[str] = []
    copy = FolderGenerations.copy
    monkeypatch.setattr(FolderGenerations, "copy", lambda self, *names: copies.append(names[1]) or copy(self, *names))
    monkeypatch.setattr(ingest.run, "COPY_FROM_ROWS", 0)  # a small corpus, copied as a large one is
    first = ingest_with(small, embedders)
    (small.corpus_dir / "bus-safety.md").write_text(BUS, encoding="utf-8")
    ingest_with(small, embedders)
    # Next: a document added, one removed, one given another title in a manifest (same text).
    (small.corpus_dir / "arts.md").write_text(ARTS, encoding="utf-8")
    (small.corpus_dir / "bus-safety.md").unlink()
    manifest = {
        "documents": [
            {"doc_id": "school-meals", "title": "Meals for Every Student", "kind": "plan", "file": "school-meals.md"}
        ]
    }
    (small.corpus_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    update = ingest_with(small, embedders)
    assert update.copied == first.embedded and update.removed > 0 and update.embedded > 0
    assert copies[-1] == update.generation  # made by copying the one before, then updating it

    rebuilt = make_settings(tmp_path / "rebuilt", small.corpus_dir)
    ingest_with(rebuilt, embedders, rebuild=True)
    for key in embedders:
        incremental, whole = _rows(small, key), _rows(rebuilt, key)
        assert set(incremental) == set(whole)
        meals = [m for _, m, _ in incremental.values() if m.get("doc_id") == "school-meals"]
        assert meals and all(m["title"] == "Meals for Every Student" for m in meals)
        for row, (document, metadata, vector) in whole.items():
            if row:
                assert incremental[row][:2] == (document, metadata), row
                assert np.allclose(incremental[row][2], vector, atol=1e-5), row
        ignored = {"generation", "documents"}  # its name, and when each document was first ingested
        assert {k: v for k, v in incremental[""][0].items() if k not in ignored} == {
            k: v for k, v in whole[""][0].items() if k not in ignored
        }
