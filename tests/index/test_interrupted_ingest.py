"""Issue 22, items 3 and 4: no process ever answers from half an index, or 503 because of one.

Real parts throughout: `plan-assistant ingest` processes killed with SIGKILL at four points of
their work (tests/index/paused_ingest.py), real `plan-assistant serve` processes on the embedded
store, the bundled models, HTTP over loopback. The session's index is copied for each test.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.index.generations import generations_for
from assistant.settings import Settings
from tests.index.conftest import (
    BUS_QUESTION,
    BUS_SENTENCE,
    MISSION,
    REFRESH_SECONDS,
    Place,
    Server,
    generations_on_disk,
    ingest,
    killed_ingest,
    served_copy,
    transportation_plan,
)
from tests.index.paused_ingest import POINTS

pytestmark = pytest.mark.slow


def picked_up_within(servers: list[Server], seconds: float) -> list[float]:
    """Ask each server the bus question until it cites the new plan; how long each took (fails past `seconds`)."""
    started = time.monotonic()
    waited = []
    for server in servers:
        while not server.cites(BUS_QUESTION, BUS_SENTENCE):
            assert time.monotonic() - started < seconds, f"{server.base} still serves the old index"
            time.sleep(0.1)
        waited.append(time.monotonic() - started)
    return waited


def fresh_app_serves_the_old_index(place: Place, embedders: dict[str, Embedder], passages: int) -> None:
    """A process starting now (the real app, its own clients) serves the last complete index."""
    with TestClient(create_app(place.settings(), embedders)) as client:
        ready = client.get("/api/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["passages"] == passages
        reply = client.post("/api/ask", json={"question": BUS_QUESTION})
        assert reply.status_code == 200
        assert not any(BUS_SENTENCE in c["text"] for c in reply.json()["citations"])


def serving(built: Settings, tmp_path: Path, start_server) -> tuple[Place, Server, int]:  # type: ignore[no-untyped-def]
    """A copy of the built index, a server on it, and how many passages it serves."""
    place = served_copy(built, tmp_path)
    running = start_server(place)
    return place, running, httpx.get(f"{running.base}/api/ready").json()["passages"]


def test_an_ingest_killed_at_any_point_leaves_the_last_complete_index_serving(
    tmp_path: Path,
    built_settings: Settings,
    embedders: dict[str, Embedder],
    start_server,  # type: ignore[no-untyped-def]
) -> None:
    place, running, passages = serving(built_settings, tmp_path, start_server)
    mission = running.ask(MISSION).json()
    (place.corpus / "transportation-plan.md").write_text(transportation_plan(), encoding="utf-8")
    served = generations_for(place.settings()).current()

    for point in POINTS:
        killed_ingest(place, point)
        assert generations_for(place.settings()).current() == served, point  # the pointer never moved
        assert running.ask(MISSION).json() == mission, point  # the running server never noticed
        assert not running.cites(BUS_QUESTION, BUS_SENTENCE)
        fresh_app_serves_the_old_index(place, embedders, passages)
    assert len(generations_on_disk(place)) >= 1 + 2  # what the killed ingests left (after_loading writes none)

    later = start_server(place)  # a server started after all that, in its own process
    assert later.ask(MISSION).json() == mission

    ingest(place)  # the ingest run again, to the end: both servers pick it up, neither restarted
    waited = picked_up_within([running, later], REFRESH_SECONDS + 1)
    print(f"new index served {waited[0]:.2f} s and {waited[1]:.2f} s after the ingest ended")
    assert running.ask(MISSION).json()["citations"][0] == mission["citations"][0]  # the mission, as before
    # The killed ingests' generations are gone; the new one and the one before it are kept.
    current = generations_for(place.settings()).current()
    assert generations_on_disk(place) == sorted([served, current])  # type: ignore[type-var]


def test_a_rebuild_killed_then_repaired_never_leaves_a_process_answering_503(
    tmp_path: Path,
    built_settings: Settings,
    embedders: dict[str, Embedder],
    start_server,  # type: ignore[no-untyped-def]
) -> None:
    place, running, passages = serving(built_settings, tmp_path, start_server)
    statuses: list[int] = []
    stop = threading.Event()

    def keep_asking() -> None:  # a parent asking all along, one question at a time
        while not stop.is_set():
            statuses.append(running.ask(MISSION).status_code)
            time.sleep(0.05)

    asking = threading.Thread(target=keep_asking)
    asking.start()
    try:
        killed_ingest(place, "mid_embedding", "--rebuild")  # where the old ingest had dropped every collection
        fresh_app_serves_the_old_index(place, embedders, passages)
        (place.corpus / "transportation-plan.md").write_text(transportation_plan(), encoding="utf-8")
        ingest(place)  # the repair
        picked_up_within([running], REFRESH_SECONDS + 1)
    finally:
        stop.set()
        asking.join()
    assert statuses and set(statuses) == {200}, sorted(set(statuses))
    later = start_server(place)
    assert later.cites(BUS_QUESTION, BUS_SENTENCE)


def test_a_server_started_before_any_complete_index_serves_the_first_one_without_a_restart(
    tmp_path: Path,
    start_server,  # type: ignore[no-untyped-def]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "transportation-plan.md").write_text(transportation_plan(), encoding="utf-8")
    place = Place(tmp_path / "data", corpus)
    killed_ingest(place, "mid_writing")  # the very first ingest, stopped halfway
    waiting = start_server(place, ready=False)
    ready = httpx.get(f"{waiting.base}/api/ready")
    assert ready.status_code == 503 and ready.json()["error"] == "index_not_ready"  # said plainly, nothing half read
    ingest(place)
    picked_up_within([waiting], 60)  # it builds its assistant now (models warmed, glossary embedded)
    assert httpx.get(f"{waiting.base}/api/ready").status_code == 200
