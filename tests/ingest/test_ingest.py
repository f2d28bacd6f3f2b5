"""Ingest into a real Chroma store with the real bundled models."""

from pathlib import Path

import pytest

from assistant.embedding import Embedder
from assistant.errors import IngestError
from assistant.service import PlanAssistant
from assistant.settings import Settings
from tests.conftest import ingest_with

pytestmark = pytest.mark.slow


def test_full_ingest_then_unchanged_reingest_embeds_nothing(
    fresh_settings: Settings, embedders: dict[str, Embedder]
) -> None:
    first = ingest_with(fresh_settings, embedders)
    assert (first.documents, first.pages) == (4, 10)  # two plans and their Spanish translations
    rows = first.chunks + first.units + first.goals + first.goal_statements  # goals: for /api/align
    assert first.chunks > 30 and first.goals == 34 and first.embedded == rows * len(embedders)
    second = ingest_with(fresh_settings, embedders)
    assert (second.embedded, second.removed) == (0, 0)
    assert second.chunks == first.chunks


def test_a_new_markdown_file_is_picked_up_and_a_changed_one_reembeds_only_its_chunks(
    fresh_settings: Settings, embedders: dict[str, Embedder]
) -> None:
    ingest_with(fresh_settings, embedders)
    extra = fresh_settings.corpus_dir / "board-update.md"
    extra.write_text("# Board Update\n\nThe board adopted a new arts plan for every middle school.\n", "utf-8")
    added = ingest_with(fresh_settings, embedders)
    assert (added.documents, added.embedded, added.removed) == (5, 2 * len(embedders), 0)
    answer = PlanAssistant(fresh_settings, embedders).ask("What arts plan did the board adopt for middle schools?")
    assert any(c.doc_id == "board-update" for c in answer.citations)
    extra.write_text("# Board Update\n\nThe board adopted a new music plan for every middle school.\n", "utf-8")
    changed = ingest_with(fresh_settings, embedders)
    assert (changed.embedded, changed.removed) == (2 * len(embedders), 2 * len(embedders))


def test_a_broken_file_fails_the_ingest_and_the_old_index_keeps_serving(
    fresh_settings: Settings, embedders: dict[str, Embedder], tmp_path: Path
) -> None:
    ingest_with(fresh_settings, embedders)
    before = PlanAssistant(fresh_settings, embedders)
    fingerprint = before.index.fingerprint()
    (fresh_settings.corpus_dir / "scan.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(IngestError, match="scan.pdf"):
        ingest_with(fresh_settings, embedders)
    after = PlanAssistant(fresh_settings, embedders)
    assert after.index.fingerprint() == fingerprint
    assert after.ask("What is the district's mission?").grounded


def test_rebuild_drops_and_embeds_everything(fresh_settings: Settings, embedders: dict[str, Embedder]) -> None:
    first = ingest_with(fresh_settings, embedders)
    rebuilt = ingest_with(fresh_settings, embedders, rebuild=True)
    assert rebuilt.embedded == first.embedded
