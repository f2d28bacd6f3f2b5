"""One end-to-end test over real HTTP: `plan-assistant ingest`, then `serve`, then a question."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import CORPUS, MODEL_CACHE, free_port, wait_until_up

pytestmark = pytest.mark.slow


def test_cli_ingest_then_serve_answers_over_http(tmp_path: Path) -> None:
    env = os.environ | {
        "PLAN_ASSISTANT_DATA_DIR": str(tmp_path / "data"),
        "PLAN_ASSISTANT_CORPUS_DIR": str(CORPUS),
        "PLAN_ASSISTANT_MODEL_CACHE_DIR": str(MODEL_CACHE),
    }
    cli = [sys.executable, "-m", "assistant.cli"]
    ingest = subprocess.run([*cli, "ingest"], env=env, capture_output=True, text=True, timeout=300)
    assert ingest.returncode == 0, ingest.stderr
    assert "documents 4 | pages 10" in ingest.stdout  # two plans and their Spanish translations
    port = free_port()
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/api/ready", server, 120, "the API server")
        reply = httpx.post(f"{base}/api/ask", json={"question": "What is PUSD's mission?"}, timeout=30)
        assert reply.status_code == 200
        body = reply.json()
        assert body["grounded"] is True
        assert "caring, engaging, challenging educational experience" in body["citations"][0]["text"]
        assert body["citations"][0]["page"] == 1
        pdf = httpx.get(base + body["citations"][0]["url"].split("#")[0], timeout=10)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert httpx.post(f"{base}/api/ask", json={"question": ""}, timeout=10).status_code == 422
    finally:
        server.terminate()
        server.wait(timeout=30)
