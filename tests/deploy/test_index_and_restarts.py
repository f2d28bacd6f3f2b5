"""What changes need what, on the stack of tests/deploy/conftest.py: the Chroma server answers only
through its token check; a new document is served after `plan-assistant ingest`, with no restart;
a process restarted (an upgrade, one process at a time) costs parents nothing."""

from __future__ import annotations

import time

import httpx
import pytest

from assistant.embedding import Embedder
from tests.conftest import ingest_with
from tests.deploy.nginx import CHROMA_TOKEN
from tests.deploy.stack import Stack, start_api

pytestmark = pytest.mark.slow

BUS_NOTE = "# Bus Safety\n\nEvery school bus will carry a trained safety monitor.\n"
BUS_QUESTION = "Will every school bus carry a trained safety monitor?"


def test_chroma_answers_only_with_the_token(stack: Stack) -> None:
    heartbeat = f"http://127.0.0.1:{stack.chroma_proxy_port}/api/v2/heartbeat"
    assert httpx.get(heartbeat).status_code == 401
    assert httpx.get(heartbeat, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(heartbeat, headers={"Authorization": f"Bearer {CHROMA_TOKEN}"}).status_code == 200
    # The API processes read their index through the check, with PLAN_ASSISTANT_CHROMA_AUTH_TOKEN.
    reads = (stack.nginx_dir / "plan-assistant-chroma.access.log").read_text().splitlines()
    assert any('"GET /api/v2/tenants/default_tenant/databases/default_database/collections/' in r for r in reads)
    assert all(" 401 " not in r or "heartbeat" in r for r in reads)  # only this test was refused


def _answered_from_the_note(stack: Stack, client: httpx.Client) -> int | None:
    """Which process answered BUS_QUESTION from the new note (its port), or None."""
    reply = client.post("/api/ask", json={"question": BUS_QUESTION})
    assert reply.status_code == 200, reply.text
    if not any("trained safety monitor" in c["text"] for c in reply.json()["citations"]):
        return None
    time.sleep(0.3)
    (server,) = [s for s in stack.servers if s.records_with(reply.headers["x-request-id"])]
    return server.port


def test_a_new_document_is_served_after_an_ingest_without_a_restart(
    stack: Stack, embedders: dict[str, Embedder]
) -> None:
    pids = [server.process.popen.pid for server in stack.servers]
    with stack.client() as client:
        assert _answered_from_the_note(stack, client) is None
        (stack.corpus / "bus-safety.md").write_text(BUS_NOTE, encoding="utf-8")
        # `plan-assistant ingest` on this host: through the token check, like the processes.
        report = ingest_with(stack.settings, embedders)
        assert 0 < report.embedded < 20  # only the new note's rows; the rest was there
        # Each process looks for a new index at most every PLAN_ASSISTANT_REFRESH_SECONDS (5).
        deadline = time.monotonic() + 30
        served_by: set[int] = set()
        while served_by != {server.port for server in stack.servers} and time.monotonic() < deadline:
            if (port := _answered_from_the_note(stack, client)) is not None:
                served_by.add(port)
            time.sleep(0.2)
    assert served_by == {server.port for server in stack.servers}
    assert [server.process.popen.pid for server in stack.servers] == pids  # nothing was restarted


def test_a_process_restarted_alone_costs_parents_nothing(stack: Stack) -> None:
    """The upgrade of docs/deploy.md: restart one process, wait until it is ready, then the next."""
    first, second = stack.servers
    with stack.client() as client:
        first.process.stop()
        # nginx skips the process that refuses connections: every question is still answered.
        down = [client.post("/api/ask", json={"question": f"What is PUSD's mission? ({n})"}) for n in range(6)]
        assert [reply.status_code for reply in down] == [200] * 6
        time.sleep(0.3)
        assert all(second.records_with(reply.headers["x-request-id"]) for reply in down)

        first.process = start_api(first.port, stack.data, stack.environment).process
        deadline = time.monotonic() + 120
        while not first.is_ready():  # while it loads, the other process answers
            assert client.get("/api/ready").status_code == 200
            assert first.process.popen.poll() is None and time.monotonic() < deadline, first.process.lines[-20:]
            time.sleep(0.5)
        # nginx tries a process again fail_timeout (5 s) after it last failed to connect to it.
        back: list[httpx.Response] = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            back.append(client.post("/api/ask", json={"question": f"What is PUSD's mission? ({len(back)})"}))
            time.sleep(0.3)
            if first.records_with(back[-1].headers["x-request-id"]):
                break
    assert {reply.status_code for reply in back} == {200}
    assert first.records_with(back[-1].headers["x-request-id"])  # the restarted process answers again
