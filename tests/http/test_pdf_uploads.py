"""Hostile PDFs uploaded to POST /api/align/file (issue 22, item 1: these were 500s): each gets the
documented 413 or 422, on the real app with the session's index and models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.settings import Settings
from tests.http import hostile_pdfs
from tests.http.test_pdf_worker import HOSTILE, SECONDS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(built_settings: Settings, embedders: dict[str, Embedder]) -> Iterator[TestClient]:
    settings = built_settings.model_copy(update={"pdf_seconds": SECONDS, "pdf_queue": 8})
    with TestClient(create_app(settings, embedders)) as test_client:
        yield test_client


@pytest.mark.parametrize("name", list(HOSTILE))
def test_uploads_of_hostile_pdfs_get_the_documented_error(client: TestClient, name: str) -> None:
    make, status, code, words = HOSTILE[name]
    reply = client.post("/api/align/file", content=make(), headers={"content-type": "application/pdf"})
    assert reply.status_code == status, reply.text
    assert reply.json()["error"] == code and words in reply.json()["message"]


def test_the_upload_route_counts_pdf_outcomes_in_its_metrics(client: TestClient) -> None:
    client.post("/api/align/file", content=hostile_pdfs.truncated_pdf(), headers={"content-type": "application/pdf"})
    metrics = TestClient(client.app, client=("127.0.0.1", 5000)).get("/metrics")  # type: ignore[arg-type]
    assert metrics.status_code == 200
    assert 'plan_assistant_pdf_reads_total{outcome="unreadable"}' in metrics.text
