"""What only the real server process shows (issue 22, items 5, 6 and 10, and the 2 s bar): `plan-assistant
serve` on the session's index, driven over loopback sockets by slow clients, oversized bodies and 64
clients at once; its stderr read as the JSON log it now is; /metrics."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from assistant.settings import Settings
from tests.conftest import CORPUS, MODEL_CACHE, free_port, wait_until_up

pytestmark = pytest.mark.slow

HEADER_SECONDS = 1.5
BODY_SECONDS = 2.0
QUESTION = "Will my kid learn to handle money?"


@dataclass
class Server:
    base: str
    port: int
    log: list[str] = field(default_factory=list)  # stderr lines, as they come

    def records(self) -> list[dict]:
        return [json.loads(line) for line in list(self.log) if line.startswith("{")]


@pytest.fixture(scope="module")
def server(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("served")
    data.joinpath("chroma").symlink_to(built_settings.chroma_path, target_is_directory=True)
    env = os.environ | {
        "PLAN_ASSISTANT_DATA_DIR": str(data),
        "PLAN_ASSISTANT_CORPUS_DIR": str(CORPUS),
        "PLAN_ASSISTANT_MODEL_CACHE_DIR": str(MODEL_CACHE),
        "PLAN_ASSISTANT_HEADER_TIMEOUT_SECONDS": str(HEADER_SECONDS),
        "PLAN_ASSISTANT_BODY_TIMEOUT_SECONDS": str(BODY_SECONDS),
    }
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    served = Server(f"http://127.0.0.1:{port}", port)
    assert process.stderr is not None
    stderr = process.stderr
    threading.Thread(target=lambda: served.log.extend(iter(stderr.readline, "")), daemon=True).start()
    try:
        wait_until_up(f"{served.base}/api/ready", process, 180, "plan-assistant serve")
        yield served
    finally:
        process.terminate()
        process.wait(timeout=30)


def _connect(server: Server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=15)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or 15 s pass)."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_slow_headers_are_cut_off_with_a_408(server: Server) -> None:
    def slowloris() -> tuple[float, bytes]:
        with _connect(server) as sock:
            started = time.monotonic()
            sock.sendall(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            try:
                for n in range(40):  # a header line every 0.25 s, never the blank line that ends them
                    sock.sendall(b"X-Slow-%d: 1\r\n" % n)
                    time.sleep(0.25)
            except OSError:  # closed by the server: what the test wants
                pass
            return time.monotonic() - started, _read_all(sock)

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda _: slowloris(), range(50)))
    for held, reply in results:
        assert reply.startswith(b"HTTP/1.1 408 ") and b'"error": "request_timeout"' in reply
        assert held < HEADER_SECONDS + 3  # the issue saw 500 such connections all held for 20 s


def test_a_connection_that_sends_nothing_is_closed(server: Server) -> None:
    with _connect(server) as sock:
        started = time.monotonic()
        assert _read_all(sock).startswith(b"HTTP/1.1 408 ")
        assert time.monotonic() - started < HEADER_SECONDS + 3


def test_a_body_that_stops_coming_is_cut_off_with_a_408(server: Server) -> None:
    def partial_body() -> tuple[float, bytes]:
        with _connect(server) as sock:
            started = time.monotonic()
            head = b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            sock.sendall(head + b"Content-Length: 1000\r\n\r\n" + b'{"question": "')
            return time.monotonic() - started, _read_all(sock)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: partial_body(), range(20)))
    for held, reply in results:
        assert reply.startswith(b"HTTP/1.1 408 ") and b"body did not arrive in time" in reply
        assert held < BODY_SECONDS + 3


def test_a_50_mb_body_is_refused_before_it_is_sent(server: Server) -> None:
    with _connect(server) as sock:
        head = b"POST /api/align/file HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pdf\r\n"
        sock.sendall(head + b"Content-Length: 50000000\r\n\r\n")  # and not one byte of the body
        reply = _read_all(sock)
    assert reply.startswith(b"HTTP/1.1 413 ") and b"connection: close" in reply.lower()
    assert b'"error":"too_large"' in reply and b"over 5,000,000 bytes" in reply


def test_a_chunked_body_past_the_limit_is_refused_as_it_passes_it(server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(40):  # 40 x 64 KB: past the 1 MB limit on the 16th
            yield b"x" * 65536

    reply = httpx.post(f"{server.base}/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert reply.status_code == 413 and reply.json()["error"] == "too_large"


def test_headers_past_their_size_are_refused(server: Server) -> None:
    reply = httpx.get(f"{server.base}/api/health", headers={"X-Big": "y" * 40_000})
    assert reply.status_code == 431 and reply.json()["error"] == "headers_too_large"


def test_64_clients_at_once_each_hear_back_within_2_seconds(server: Server) -> None:
    start = threading.Barrier(64)

    def one_client(n: int) -> tuple[int, float]:
        with httpx.Client(base_url=server.base, timeout=30) as client:
            start.wait()
            started = time.monotonic()
            reply = client.post("/api/ask", json={"question": f"{QUESTION} ({n})"})
            return reply.status_code, time.monotonic() - started

    httpx.post(f"{server.base}/api/ask", json={"question": QUESTION}, timeout=30)  # warm
    with ThreadPoolExecutor(max_workers=64) as pool:
        results = list(pool.map(one_client, range(64)))
    statuses = [status for status, _ in results]
    assert set(statuses) <= {200, 429, 503} and statuses.count(200) >= 8, statuses
    slowest = max(seconds for _, seconds in results)
    assert slowest < 2.0, f"slowest reply took {slowest:.2f} s ({statuses.count(503)} busy)"


def test_each_request_is_one_json_log_line_without_the_question(server: Server) -> None:
    reply = httpx.post(
        f"{server.base}/api/ask", json={"question": "Who monitors the master plan?"}, headers={"X-Request-ID": "t-42"}
    )
    assert reply.status_code == 200 and reply.headers["x-request-id"] == "t-42"
    httpx.post(f"{server.base}/api/ask", json={"question": ""})  # a 422
    time.sleep(0.5)  # the log line is written as the response ends
    records = server.records()
    line = next(r for r in records if r.get("request_id") == "t-42")
    assert line["message"] == "request" and line["route"] == "/api/ask" and line["status"] == 200
    assert line["answer_status"] == reply.json()["status"] and line["latency_ms"] > 0 and line["level"] == "INFO"
    refused = [r for r in records if r.get("status") == 422 and r.get("route") == "/api/ask"]
    assert refused and refused[-1]["reason"].startswith("invalid_request: question")
    assert not any("Who monitors the master plan" in text for text in server.log)


def test_metrics_count_requests_latencies_and_answers(server: Server) -> None:
    httpx.post(f"{server.base}/api/ask", json={"question": QUESTION}, timeout=30)
    text = httpx.get(f"{server.base}/metrics").text
    assert 'plan_assistant_http_requests_total{method="POST",route="/api/ask",status="200"}' in text
    assert 'plan_assistant_http_request_duration_seconds_bucket{le="0.5",route="/api/ask"}' in text
    assert 'plan_assistant_answers_total{status="answered"}' in text


def test_the_log_has_no_raw_tracebacks_or_plain_text(server: Server) -> None:
    plain = [line for line in server.log if line.strip() and not line.startswith("{")]
    assert not plain, plain[:5]


def test_forwarded_for_is_not_believed_from_a_client_not_listed_as_a_proxy(server: Server) -> None:
    httpx.get(f"{server.base}/api/health", headers={"X-Forwarded-For": "198.51.100.7"})
    time.sleep(0.3)
    assert not any(r.get("client") == "198.51.100.7" for r in server.records())
    assert Path(server.base).name  # (the address logged is the connection's: 127.0.0.1)
