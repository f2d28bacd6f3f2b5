"""Questions asked through the real API are recorded, and the admin insights read them back: the
bundled models, a real index, FastAPI's test client. The grouping bar: 35 questions parents ask
that the plans do not answer (tests/store/unanswerable_questions.txt) are refused and grouped
into topics, one thing to a topic."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.settings import Settings
from assistant.store.models import Question
from tests.conftest import free_port

pytestmark = pytest.mark.slow

TOKEN = "test-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
HERE = Path(__file__).parent


def _labelled() -> list[tuple[str, str]]:
    lines = (HERE / "unanswerable_questions.txt").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line.strip() and not line.startswith("#")]  # type: ignore[misc]


def _with_store(settings: Settings, url: str, **changes: object) -> Settings:
    return settings.model_copy(update={"database_url": SecretStr(url), "admin_token": SecretStr(TOKEN)} | changes)


@pytest.fixture
def client(tmp_path: Path, built_settings: Settings, embedders: dict[str, Embedder]) -> Iterator[TestClient]:
    """The shared index, and a question store of this test's own."""
    settings = _with_store(built_settings, f"sqlite:///{tmp_path / 'store.sqlite3'}")
    with TestClient(create_app(settings, embedders)) as test_client:
        yield test_client


def _recorded(client: TestClient) -> list[Question]:
    recorder = client.app.state.recorder  # type: ignore[attr-defined]
    assert recorder.flush()
    with recorder.store.session() as session:
        query = select(Question).options(selectinload(Question.citations)).order_by(Question.id)
        return list(session.scalars(query))


def test_questions_asked_both_ways_are_recorded_with_their_outcome(client: TestClient) -> None:
    answered = client.post("/api/ask", json={"question": "Will my kid learn to handle money? I'm at 626-555-0123"})
    assert answered.status_code == 200
    history = [{"role": "user", "content": "How can parents get involved?"}, {"role": "assistant", "content": "..."}]
    with client.stream("POST", "/api/ask/stream", json={"question": "¿Y los voluntarios?", "history": history}) as r:
        assert r.status_code == 200 and "event: done" in r.read().decode()
    first, second = _recorded(client)
    reply = answered.json()
    assert (first.text, first.lang, first.status, first.confidence, first.follow_up) == (
        "Will my kid learn to handle money? I'm at [phone]",
        "en",
        reply["status"],
        reply["confidence"],
        False,
    )
    assert [(c.doc_id, c.page, c.section) for c in first.citations] == [
        (c["doc_id"], c["page"], c["section"]) for c in reply["citations"]
    ]
    assert (second.text, second.lang, second.follow_up) == ("¿Y los voluntarios?", "es", True)


def test_a_database_that_is_down_never_costs_a_parent_the_answer(
    built_settings: Settings, embedders: dict[str, Embedder]
) -> None:
    settings = _with_store(built_settings, f"postgresql://plan@127.0.0.1:{free_port()}/plans")  # nothing listens
    with TestClient(create_app(settings, embedders)) as client:
        started = time.monotonic()
        reply = client.post("/api/ask", json={"question": "What is PUSD's mission?"})
        assert reply.status_code == 200 and reply.json()["status"] == "answered"
        assert time.monotonic() - started < 2  # not held up by a 5-second connect timeout
        recorder = client.app.state.recorder  # type: ignore[attr-defined]
        assert recorder.flush(timeout=30) and recorder.dropped == 1
        down = client.get("/api/admin/insights/statuses", headers=ADMIN)
        assert down.status_code == 503 and down.json()["error"] == "store_unavailable"


def test_the_admin_routes_want_the_token(
    client: TestClient, built_settings: Settings, embedders: dict[str, Embedder]
) -> None:
    missing = client.get("/api/admin/insights/statuses")
    assert missing.status_code == 401 and missing.json()["error"] == "unauthorized"
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = client.get("/api/admin/insights/statuses", headers={"Authorization": "Bearer not-it"})
    assert wrong.status_code == 403 and wrong.json()["error"] == "forbidden"
    assert client.get("/api/admin/insights/statuses", headers=ADMIN).status_code == 200
    bad = client.get("/api/admin/insights/by-week?weeks=0", headers=ADMIN)
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_request"
    with TestClient(create_app(built_settings, embedders)) as unset:  # no admin token configured: the routes are off
        off = unset.get("/api/admin/insights", headers=ADMIN)
        assert off.status_code == 503 and off.json()["error"] == "admin_not_configured"


def test_refused_questions_are_grouped_one_thing_to_a_topic(client: TestClient) -> None:
    labelled = _labelled()
    assert len(labelled) >= 30
    refused = []
    for label, question in labelled:
        reply = client.post("/api/ask", json={"question": question}).json()
        if reply["status"] != "answered":
            refused.append((label, question))
    bus = next(q for label, q in refused if label == "bus")
    client.post("/api/ask", json={"question": bus})  # asked twice: counted twice, listed once
    client.post("/api/ask", json={"question": "What is PUSD's mission?"})  # answered: in no topic
    assert len(refused) >= 20, f"only {len(refused)} of {len(labelled)} were refused"
    assert _recorded(client)

    topics = client.get("/api/admin/insights/unanswered-topics", headers=ADMIN).json()
    assert sum(t["questions"] for t in topics) == len(refused) + 1
    assert sum(t["distinct"] for t in topics) == len(refused)
    label_of = dict((q, label) for label, q in refused)
    topic_of = {}
    for topic in topics:
        members = [q for q in label_of if q in topic["examples"] or q == topic["topic"]]
        assert topic["topic"] in label_of and topic["topic"] == topic["examples"][0]
        # No topic mixes two things (every member is checked: examples hold at most five).
        assert len({label_of[q] for q in members}) == 1, topic
        topic_of |= {q: topic["topic"] for q in members}
        if topic["distinct"] <= 5:
            assert len(members) == topic["distinct"]
    by_label: defaultdict[str, list[str]] = defaultdict(list)
    for question, label in label_of.items():
        by_label[label].append(topic_of.get(question, ""))
    for label, homes in by_label.items():
        largest = max(homes.count(home) for home in set(homes))
        # Questions about one thing land together: most of them in one topic.
        assert largest * 2 >= len(homes), (label, homes)
    bus_topic = next(t for t in topics if label_of[t["topic"]] == "bus")
    assert bus_topic["questions"] >= 4 and bus_topic["questions"] == bus_topic["distinct"] + 1
