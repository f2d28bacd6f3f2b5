"""The HTTP contract, through FastAPI's test client, on a real index and real models."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.settings import Settings
from evals.verbatim import is_verbatim
from tests.conftest import CORPUS, make_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(built_settings: Settings, embedders: dict[str, Embedder]) -> Iterator[TestClient]:
    with TestClient(create_app(built_settings, embedders)) as test_client:
        yield test_client


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/api/health").json() == {"status": "ok"}
    ready = client.get("/api/ready")
    assert ready.status_code == 200 and ready.json()["passages"] > 30


def test_answer_quotes_the_plan_and_cites_the_right_page(client: TestClient) -> None:
    reply = client.post("/api/ask", json={"question": "Will my kid learn to handle money?"})
    assert reply.status_code == 200
    body = reply.json()
    assert body["grounded"] is True and body["lang"] == "en" and 0 <= body["confidence"] <= 1
    first = body["citations"][0]
    assert "financial literacy and basic money management skills" in first["text"]
    assert (first["n"], first["page"], first["doc_id"]) == (1, 3, "strategic-plan")
    assert first["section"].endswith("Life Skills")
    assert first["url"] == "/corpus/pusd-strategic-plan-2016-2020.pdf#page=3"
    assert "[1]" in body["answer"] and "financial literacy" in body["answer"]
    for citation in body["citations"]:
        assert is_verbatim(CORPUS, citation["url"], citation["page"], citation["text"])
        assert f"[{citation['n']}]" in body["answer"]


@pytest.mark.parametrize(
    ("question", "cited"),
    [
        ("Do the high schools offer A-G classes?", "A-G classes"),
        # "prep" is short for the plans' "preparatory": refused by the subject rule before.
        ("Will my child be able to take college prep classes?", "college preparatory courses"),
    ],
)
def test_classes_in_a_subject_the_plans_name_are_answered(client: TestClient, question: str, cited: str) -> None:
    body = client.post("/api/ask", json={"question": question}).json()
    assert body["grounded"] is True and cited in body["citations"][0]["text"]


def test_citation_link_opens_the_document(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "Who monitors progress on the master plan?"}).json()
    url = body["citations"][0]["url"].split("#")[0]
    document = client.get(url)
    assert document.status_code == 200 and document.headers["content-type"].startswith(("text/html", "application/pdf"))


@pytest.mark.parametrize(
    "question",
    [
        "What's for lunch at the elementary schools this week?",
        "Who won the Lakers game last night?",
        "Is there a school board meeting tomorrow?",
        "Where can I find my son's class schedule?",  # answered from the plans without the records rule
        "Does PUSD offer art classes?",  # answered from "broad-based experiences" without the subject rule
        "Does the high school have a football team?",  # answered from "High School Reform" without
        "Is there a school nurse at every elementary school?",  # the existence rule (a thing never named)
        "How do I change my child's emergency contact?",  # answered from Recommendation 7 without the procedure rule
    ],
)
def test_unanswerable_questions_are_refused_with_a_pointer(client: TestClient, question: str) -> None:
    body = client.post("/api/ask", json={"question": question}).json()
    assert body["grounded"] is False
    assert body["citations"] == []
    assert "front office" in body["answer"]


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"question": ""}, "question"),
        ({"question": "   \n "}, "empty"),
        ({"question": "x" * 2001}, "2000"),
        ({}, "question: Field required"),
        ({"question": 42}, "string"),
        ([1, 2], "JSON object"),
        ({"question": "ok", "history": [{"role": "robot", "content": "hi"}]}, "history.0.role"),
    ],
)
def test_bad_input_is_a_readable_422(client: TestClient, payload: object, fragment: str) -> None:
    reply = client.post("/api/ask", json=payload)
    assert reply.status_code == 422
    assert reply.json()["error"] == "invalid_request"
    assert fragment in reply.json()["message"]


def test_malformed_json_is_a_422(client: TestClient) -> None:
    reply = client.post("/api/ask", content=b'{"question": ', headers={"content-type": "application/json"})
    assert reply.status_code == 422 and "not valid JSON" in reply.json()["message"]


def test_before_any_ingest_ready_and_ask_are_503(tmp_path: Path, embedders: dict[str, Embedder]) -> None:
    with TestClient(create_app(make_settings(tmp_path), embedders)) as empty:
        assert empty.get("/api/health").status_code == 200
        assert empty.get("/api/ready").status_code == 503
        reply = empty.post("/api/ask", json={"question": "What is the mission?"})
        assert reply.status_code == 503 and reply.json()["error"] == "index_not_ready"


def test_an_index_built_by_another_model_is_a_409(built_settings: Settings, embedders: dict[str, Embedder]) -> None:
    class Impostor:
        name, dim = "some-other-model", 384

        def embed_documents(self, texts):  # type: ignore[no-untyped-def]
            raise AssertionError("never called")

        def embed_query(self, text):  # type: ignore[no-untyped-def]
            raise AssertionError("never called")

    swapped = {**embedders, "minilm": Impostor()}
    with TestClient(create_app(built_settings, swapped)) as mismatched:  # type: ignore[arg-type]
        reply = mismatched.post("/api/ask", json={"question": "What is the mission?"})
    assert reply.status_code == 409
    assert reply.json()["error"] == "embedding_model_mismatch"
