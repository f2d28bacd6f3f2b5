"""End to end: two API server processes (`plan-assistant serve`, uvicorn) share one Chroma server
(`chroma run` on loopback) and one PostgreSQL. Questions asked of either show in one insights
report, whichever server it is read from, and so does a thumbs-down given on one of them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.embedding import Embedder
from tests.conftest import CORPUS, MODEL_CACHE, free_port, ingest_with, make_settings, wait_until_up
from tests.store.conftest import PostgresServer

pytestmark = pytest.mark.slow

TOKEN = "two-servers-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
BIN = Path(sys.executable).parent


@pytest.fixture
def chroma_port(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    command = [
        str(BIN / "chroma"),
        "run",
        "--path",
        str(tmp_path / "chroma"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/v2/heartbeat", process, 60, "chroma run")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _serve(tmp_path: Path, name: str, environment: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = os.environ | environment | {"PLAN_ASSISTANT_DATA_DIR": str(tmp_path / name)}  # nothing else of its own
    log = (tmp_path / f"{name}.log").open("wb")
    command = [str(BIN / "plan-assistant"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    # cwd: no .env of the repository is read; every setting comes from the environment above.
    return subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT
    ), f"http://127.0.0.1:{port}"


def _ask(base: str, question: str) -> dict:
    reply = httpx.post(f"{base}/api/ask", json={"question": question}, timeout=60)
    assert reply.status_code == 200, reply.text
    return reply.json()


def _report(base: str) -> dict:
    reply = httpx.get(f"{base}/api/admin/insights", headers=ADMIN, timeout=60)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_two_servers_write_one_report(
    tmp_path: Path, chroma_port: int, postgres: PostgresServer, embedders: dict[str, Embedder]
) -> None:
    database = postgres.new_database()
    ingest_with(make_settings(tmp_path / "ingest", chroma_host="127.0.0.1", chroma_port=chroma_port), embedders)
    environment = {
        "PLAN_ASSISTANT_CORPUS_DIR": str(CORPUS),
        "PLAN_ASSISTANT_MODEL_CACHE_DIR": str(MODEL_CACHE),
        "PLAN_ASSISTANT_CHROMA_HOST": "127.0.0.1",
        "PLAN_ASSISTANT_CHROMA_PORT": str(chroma_port),
        "PLAN_ASSISTANT_DATABASE_URL": database,
        "PLAN_ASSISTANT_ADMIN_TOKEN": TOKEN,
    }
    servers = [_serve(tmp_path, name, environment) for name in ("first", "second")]
    try:
        for process, base in servers:
            wait_until_up(f"{base}/api/ready", process, 240, "plan-assistant serve")
        (_, first), (_, second) = servers
        mission = _ask(first, "What is PUSD's mission?")
        bus = _ask(first, "What time does the school bus stop at Jefferson Elementary?")
        _ask(second, "¿Cuál es la misión de PUSD?")
        lunch = _ask(second, "What's on the cafeteria menu on Friday?")
        assert mission["status"] == "answered" and bus["status"] == lunch["status"] == "not_found"
        rating = {
            "question": "What is PUSD's mission?",
            "answer": mission["answer"],
            "lang": "en",
            "rating": "down",
            "comment": "I wanted this year's goals, not the mission",
            "grounded": True,
            "citations": [{"doc_id": c["doc_id"], "page": c["page"]} for c in mission["citations"]],
        }
        assert httpx.post(f"{first}/api/feedback", json=rating, timeout=30).status_code == 201

        deadline = time.monotonic() + 30  # each server writes its questions from a thread of its own
        while (report := _report(second))["questions"] < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert report["questions"] == 4
        statuses = {s["status"]: s["questions"] for s in report["statuses"]}
        assert statuses == {"answered": 2, "uncertain": 0, "not_found": 2}
        assert {(w["lang"], w["questions"]) for w in report["by_week"]} == {("en", 3), ("es", 1)}
        # Both refusals are in the topics (alone, these two are close enough to share one: cosine
        # 0.42 against the 0.40 of the cut; tests/store/test_insights_api.py tests the grouping).
        assert sum(t["questions"] for t in report["unanswered_topics"]) == 2
        assert {q for t in report["unanswered_topics"] for q in t["examples"]} == {
            "What time does the school bus stop at Jefferson Elementary?",
            "What's on the cafeteria menu on Friday?",
        }
        (down,) = report["thumbs_down"]
        assert down["comment"] == "I wanted this year's goals, not the mission" and down["lang"] == "en"
        cited = {(s["doc_id"], s["section"]) for s in report["cited_sections"]}
        assert (mission["citations"][0]["doc_id"], mission["citations"][0]["section"]) in cited
        assert _report(first) == report  # the same store, read from the other server
    finally:
        for process, _ in servers:
            process.terminate()
        for process, _ in servers:
            process.wait(timeout=60)
