"""A re-ingest while servers run, and a Chroma server that several API processes share.

Real parts throughout: the bundled models, real Chroma stores (embedded, and `chroma run` on
loopback), real HTTP. A server must never answer from half an index, nor fail a parent's
question because an ingest is under way or the store is out of reach: the index it read before
keeps serving from memory until the new one can be read whole.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.errors import IndexUpdating
from assistant.service import PlanAssistant
from assistant.settings import Settings
from tests.conftest import free_port, ingest_with, make_settings, serve, wait_until_up

pytestmark = pytest.mark.slow

BUS_NOTE = "# Bus Safety\n\nEvery school bus will carry a trained safety monitor.\n"
BUS_QUESTION = "Will every school bus carry a trained safety monitor?"
MISSION = "What is PUSD's mission?"


def _first_ingest_only(settings: Settings, embedders: dict[str, Embedder]) -> None:
    """What an ingest leaves when it stops after the first model's collection."""
    ingest_with(settings.model_copy(update={"embedding_models": settings.embedding_models[:1]}), embedders)


def _cites_bus_note(answer: dict) -> bool:
    return answer["grounded"] and any("trained safety monitor" in c["text"] for c in answer["citations"])


def test_a_reingest_stopped_halfway_leaves_the_previous_index_serving(
    fresh_settings: Settings, embedders: dict[str, Embedder]
) -> None:
    settings = fresh_settings.model_copy(update={"refresh_seconds": 0.0})
    ingest_with(settings, embedders)
    assistant = PlanAssistant(settings, embedders)
    before = assistant.ask(MISSION)
    (settings.corpus_dir / "bus-safety.md").write_text(BUS_NOTE, encoding="utf-8")
    _first_ingest_only(settings, embedders)

    assert assistant.refresh_if_changed() is False  # the collections disagree: nothing is swapped in
    assert assistant.ask(MISSION) == before
    assert not any("safety monitor" in c.text for c in assistant.ask(BUS_QUESTION).citations)
    with pytest.raises(IndexUpdating):  # a process starting now says so rather than serve half an index
        PlanAssistant(settings, embedders)
    with TestClient(create_app(settings, embedders)) as client:
        ready = client.get("/api/ready")
        assert ready.status_code == 503 and ready.json()["error"] == "index_updating"

    ingest_with(settings, embedders)  # the ingest run again, to the end
    assert assistant.refresh_if_changed() is True
    assert _cites_bus_note(assistant.ask(BUS_QUESTION).model_dump())
    assert assistant.ask(MISSION).citations[0].text == before.citations[0].text


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`chroma run` (the chromadb package's own server) on a loopback port of its own."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_up(f"http://127.0.0.1:{port}/api/v2/heartbeat", process, 60, "chroma run")
    yield process, port
    process.terminate()
    process.wait(timeout=30)


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
        assert all(_cites_bus_note(_ask(base, BUS_QUESTION)) for base in bases)

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
