"""Feedback over HTTP is no longer an open write (issue 22, item 8): a per-client rate limit (429 with
Retry-After), X-Forwarded-For believed only from a trusted proxy, a maximum store size (503
feedback_full); a broken store's 503 names no server path while the log says why (item 9).
Real SQLite files, the real app through FastAPI's test client."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.feedback import FeedbackStore
from assistant.settings import Settings
from assistant.store.database import SQLITE_FILE, open_store
from tests.conftest import make_settings

pytestmark = pytest.mark.slow

RATING = {"question": "How?", "answer": "Like this [1]", "lang": "en", "rating": "up", "grounded": True}


def _client(settings: Settings, embedders: dict[str, Embedder], address: str = "127.0.0.1") -> TestClient:
    return TestClient(create_app(settings, embedders), client=(address, 40000))


def test_one_client_flooding_feedback_is_answered_429_within_the_default_limit(
    tmp_path: Path, embedders: dict[str, Embedder]
) -> None:
    settings = make_settings(tmp_path / "data")
    assert settings.rate_limit_feedback.startswith("10/minute")
    with _client(settings, embedders) as client:
        statuses = [client.post("/api/feedback", json=RATING).status_code for _ in range(12)]
        assert statuses == [201] * 10 + [429] * 2
        refused = client.post("/api/feedback", json=RATING | {"comment": "x" * 1000})
        assert refused.json()["error"] == "rate_limited" and "try again in" in refused.json()["message"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert client.post("/api/ask", json={"question": "x"}).status_code != 429  # its own budget
    assert len(FeedbackStore(open_store(settings)).all()) == 10


def test_forwarded_addresses_count_only_from_a_trusted_proxy(tmp_path: Path, embedders: dict[str, Embedder]) -> None:
    def sent(settings: Settings, forwarded_for: list[str]) -> list[int]:
        with _client(settings, embedders) as client:
            return [
                client.post("/api/feedback", json=RATING, headers={"X-Forwarded-For": address}).status_code
                for address in forwarded_for
            ]

    three_clients = ["203.0.113.1", "203.0.113.2", "203.0.113.3"] * 2
    proxied = make_settings(tmp_path / "a", rate_limit_feedback="2/minute", trusted_proxies=["127.0.0.1"])
    assert sent(proxied, three_clients) == [201] * 6  # three parents behind the district's proxy, twice each
    direct = make_settings(tmp_path / "b", rate_limit_feedback="2/minute")
    assert sent(direct, three_clients) == [201, 201, 429, 429, 429, 429]  # a client cannot pick its address


def test_a_full_store_is_a_503_that_says_so(tmp_path: Path, embedders: dict[str, Embedder]) -> None:
    settings = make_settings(tmp_path / "data", feedback_max_rows=20, rate_limit_feedback="1000/minute")
    with _client(settings, embedders) as client:
        statuses = [client.post("/api/feedback", json=RATING | {"comment": "y" * 1000}).status_code for _ in range(25)]
        assert statuses == [201] * 20 + [503] * 5
        full = client.post("/api/feedback", json=RATING)
        assert full.json()["error"] == "feedback_full" and "full" in full.json()["message"]
    assert len(FeedbackStore(open_store(settings)).all()) == 20


def test_a_broken_store_names_no_path_to_the_client_and_the_cause_in_the_log(
    tmp_path: Path, embedders: dict[str, Embedder], caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path / "data")
    stored_in = settings.data_dir / SQLITE_FILE
    stored_in.parent.mkdir(parents=True)
    stored_in.write_bytes(b"this is not a SQLite database" * 100)
    with _client(settings, embedders) as client, caplog.at_level(logging.INFO):
        reply = client.post("/api/feedback", json=RATING)
    assert reply.status_code == 503 and reply.json()["error"] == "feedback_unavailable"
    assert str(tmp_path) not in reply.text and "sqlite" not in reply.text
    causes = [r.getMessage() for r in caplog.records if r.name == "assistant.feedback"]
    assert any(str(stored_in) in m and "not a database" in m for m in causes), causes
    lines = [r for r in caplog.records if r.name == "assistant.requests" and getattr(r, "status", 0) == 503]
    assert lines and lines[-1].reason.startswith("feedback_unavailable")  # type: ignore[attr-defined]
