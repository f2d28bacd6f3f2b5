"""A Chroma server that several API processes share, and a re-ingest while they run.

Real parts throughout: the bundled models, `chroma run` on loopback, real HTTP. A server must
never fail a parent's question because the store is out of reach: the index it read before keeps
serving from memory. (Ingests stopped halfway, on either store: tests/index/.)
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.embedding import Embedder
from tests.conftest import ingest_with, make_settings, serve

pytestmark = pytest.mark.slow

BUS_NOTE = "# Bus Safety\n\nEvery school bus will carry a trained safety monitor.\n"
BUS_QUESTION = "Will every school bus carry a trained safety monitor?"
MISSION = "What is PUSD's mission?"
# With refresh_seconds 0 a server looks at the pointer on every request, but a request never waits
# for a read already under way (0.3-1.5 s): the one that lands mid-read is answered from the old
# index. The timing bar itself (refresh_seconds + 1 s) is tests/index/test_interrupted_ingest.py's.
PICKED_UP_SECONDS = 10.0


def _cites_bus_note(answer: dict) -> bool:
    return answer["grounded"] and any("trained safety monitor" in c["text"] for c in answer["citations"])


def _serves_bus_note_soon(base: str) -> bool:
    deadline = time.monotonic() + PICKED_UP_SECONDS
    while not _cites_bus_note(_ask(base, BUS_QUESTION)):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _ask(base: str, question: str) -> dict:
    reply = httpx.post(f"{base}/api/ask", json={"question": question}, timeout=60)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_api_processes_share_a_chroma_server_and_see_each_reingest(
    tmp_path: Path,
    corpus_copy: Path,
    chroma_server: tuple[subprocess.Popen[bytes], int],
    embedders: dict[str, Embedder],
) -> None:
    process, port = chroma_server
    settings = make_settings(
        tmp_path / "data", corpus_copy, chroma_host="127.0.0.1", chroma_port=port, refresh_seconds=0.0
    )
    ingest_with(settings, embedders)
    assert not (tmp_path / "data" / "chroma").exists()  # the vectors live in the server, not a folder here
    first = serve(create_app(settings, embedders))
    second = serve(create_app(settings, embedders))
    try:
        bases = [next(first), next(second)]
        mission = [_ask(base, MISSION) for base in bases]
        assert mission[0] == mission[1] and mission[0]["grounded"]
        assert not any(_cites_bus_note(_ask(base, BUS_QUESTION)) for base in bases)

        # A re-ingest by a third process: both servers answer from the new index.
        (corpus_copy / "bus-safety.md").write_text(BUS_NOTE, encoding="utf-8")
        report = ingest_with(settings, embedders)
        assert report.embedded > 0
        assert all(_serves_bus_note_soon(base) for base in bases)

        # The store goes away: what the servers read keeps serving; a new process says why it can't.
        process.terminate()
        process.wait(timeout=30)
        assert _ask(bases[0], MISSION)["citations"] == mission[0]["citations"]
        with TestClient(create_app(settings, embedders)) as client:
            ready = client.get("/api/ready")
            assert ready.status_code == 503 and ready.json()["error"] == "index_unavailable"
            asked = client.post("/api/ask", json={"question": MISSION})
            assert asked.status_code == 503 and "could not be reached" in asked.json()["message"]
    finally:
        for server in (first, second):
            next(server, None)  # shut each uvicorn down
