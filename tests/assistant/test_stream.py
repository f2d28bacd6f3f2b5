"""POST /api/ask/stream over real HTTP (uvicorn in this process, so its counters can be read)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from httpx_sse import connect_sse

from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.settings import Settings
from tests.conftest import make_settings, serve

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app(built_settings: Settings, embedders: dict[str, Embedder]) -> FastAPI:
    return create_app(built_settings, embedders)


@pytest.fixture(scope="module")
def base_url(app: FastAPI) -> Iterator[str]:
    yield from serve(app)


def _events(base_url: str, body: dict) -> list[tuple[str, object]]:
    with (
        httpx.Client(base_url=base_url, timeout=30) as client,
        connect_sse(client, "POST", "/api/ask/stream", json=body) as source,
    ):
        assert source.response.status_code == 200
        assert source.response.headers["content-type"].startswith("text/event-stream")
        return [(event.event, json.loads(event.data)) for event in source.iter_sse()]


def test_stream_sends_citations_then_deltas_then_the_same_reply_as_ask(base_url: str) -> None:
    body = {"question": "What are the strategic priorities?"}
    events = _events(base_url, body)
    names = [name for name, _ in events]
    assert names[0] == "citations" and names[-1] == "done"
    assert set(names[1:-1]) == {"delta"} and len(names) > 3
    done = events[-1][1]
    assert isinstance(done, dict)
    assert events[0][1] == done["citations"]  # the citations come first, as the reply will hold them
    assert "".join(str(data) for name, data in events if name == "delta") == done["answer"]
    assert done == httpx.post(f"{base_url}/api/ask", json=body, timeout=30).json()


def test_stream_answers_spanish_in_spanish(base_url: str) -> None:
    events = _events(base_url, {"question": "¿Cómo pueden participar los padres en la escuela?"})
    done = events[-1][1]
    assert isinstance(done, dict)
    assert done["lang"] == "es" and done["answer"].startswith("Esto es lo que dicen")
    assert done["citations"][0]["translation"]["label"] == "Traducción no oficial"


def test_a_failure_is_an_error_event_not_a_silent_close(tmp_path, embedders: dict[str, Embedder]) -> None:  # type: ignore[no-untyped-def]
    empty = make_settings(tmp_path / "never-ingested")  # nothing ingested: the index is not ready
    for url in serve(create_app(empty, embedders)):
        events = _events(url, {"question": "What is the mission?"})
        assert [name for name, _ in events] == ["error"]
        assert events[0][1]["error"] == "index_not_ready"  # type: ignore[index]


def test_invalid_body_is_a_422_before_any_stream(base_url: str) -> None:
    reply = httpx.post(f"{base_url}/api/ask/stream", json={"question": "   "}, timeout=10)
    assert reply.status_code == 422 and reply.json()["error"] == "invalid_request"


def test_a_client_that_disconnects_stops_the_stream(app: FastAPI, base_url: str) -> None:
    counts = app.state.streams
    before = (counts.completed, counts.cancelled)
    host, port = base_url.removeprefix("http://").split(":")
    payload = json.dumps({"question": "What are the values of the district?"}).encode()
    request = (
        f"POST /api/ask/stream HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload
    with socket.create_connection((host, int(port))) as raw:
        raw.sendall(request)
    # Closed before the answer was ready (retrieval takes milliseconds): no event may follow.
    deadline = time.monotonic() + 10
    while counts.cancelled == before[1]:
        assert time.monotonic() < deadline, f"the stream was not stopped: {counts}"
        time.sleep(0.02)
    assert counts.completed == before[0]
