"""A Chroma server index written before generations shared their rows (every row in each
generation's own collections) keeps serving after the upgrade, and the first ingest that changes
something carries its rows over; `ingest --rebuild` starts a new rows collection. Real `chroma run`,
the bundled models, run_ingest in this process."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import ingest.run
from assistant.embedding import Embedder
from assistant.index.generations import ServerGenerations
from assistant.service import PlanAssistant
from assistant.settings import Settings
from tests.conftest import ingest_with, make_settings
from tests.index.test_chroma_server_generations import MEALS

pytestmark = pytest.mark.slow

BUS = "# Bus Safety\n\nEvery school bus will carry a trained safety monitor.\n"


def _collections(generations: ServerGenerations) -> set[str]:
    return {c.name for c in generations.client.list_collections()}


def _server_settings(tmp_path: Path, port: int) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "school-meals.md").write_text(MEALS, encoding="utf-8")
    return make_settings(tmp_path / "data", corpus, chroma_host="127.0.0.1", chroma_port=port)


def _cites(settings: Settings, embedders: dict[str, Embedder], question: str, words: str) -> bool:
    answer = PlanAssistant(settings, embedders).ask(question)
    return any(words in citation.text for citation in answer.citations)


def test_an_index_from_before_shared_rows_serves_and_its_rows_are_carried_over(
    tmp_path: Path,
    chroma_server: tuple[subprocess.Popen[bytes], int],
    embedders: dict[str, Embedder],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = _server_settings(tmp_path, chroma_server[1])
    with monkeypatch.context() as before:  # the ingest of the release before: every row written anew
        before.setattr(ingest.run, "_append", ingest.run._write)
        ingest_with(settings, embedders)
    generations = ServerGenerations(settings)
    old = generations.current()
    assert not any("-rows-" in name for name in _collections(generations))
    assert _cites(settings, embedders, "Is breakfast free?", "free breakfast")

    unchanged = ingest_with(settings, embedders)
    assert generations.current() == old and not unchanged.embedded  # nothing changed: nothing rewritten

    (settings.corpus_dir / "bus-safety.md").write_text(BUS, encoding="utf-8")
    report = ingest_with(settings, embedders)
    new = generations.current()
    assert new != old and report.copied > 0  # the meals' rows, vectors and all, into the shared rows
    assert {f"plan_passages-{m}-rows-{new}" for m in ("minilm", "use-m3")} <= _collections(generations)
    assert _cites(settings, embedders, "Is breakfast free?", "free breakfast")
    assert _cites(settings, embedders, "Will buses have a safety monitor?", "trained safety monitor")


def test_a_rebuild_on_a_server_starts_new_rows_and_the_old_go_once_no_generation_reads_them(
    tmp_path: Path, chroma_server: tuple[subprocess.Popen[bytes], int], embedders: dict[str, Embedder]
) -> None:
    settings = _server_settings(tmp_path, chroma_server[1])
    ingest_with(settings, embedders)
    generations = ServerGenerations(settings)
    first = generations.current()
    ingest_with(settings, embedders, rebuild=True)
    rebuilt = generations.current()
    rows_of = {g: {f"plan_passages-{m}-rows-{g}" for m in ("minilm", "use-m3")} for g in (first, rebuilt)}
    assert rows_of[first] | rows_of[rebuilt] <= _collections(generations)  # the previous generation reads its own
    (settings.corpus_dir / "bus-safety.md").write_text(BUS, encoding="utf-8")
    ingest_with(settings, embedders)
    assert not rows_of[first] & _collections(generations) and rows_of[rebuilt] <= _collections(generations)
    assert _cites(settings, embedders, "Is breakfast free?", "free breakfast")
