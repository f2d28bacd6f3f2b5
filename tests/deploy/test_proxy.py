"""Through Debian's nginx with deploy/nginx/plan-assistant.conf, over HTTPS, to two `plan-assistant
serve` processes (tests/deploy/conftest.py builds the stack): what a parent's browser, the
district's IT person and the server's log each see."""

from __future__ import annotations

import json
import socket
import sqlite3
import ssl
import time

import httpx
import pytest
from httpx_sse import connect_sse

from tests.deploy.nginx import NAME
from tests.deploy.stack import ADMIN_TOKEN, Stack

pytestmark = pytest.mark.slow

MISSION = "What is PUSD's mission?"
SECURITY_HEADERS = ("x-content-type-options", "x-frame-options", "referrer-policy", "content-security-policy")


def _ask(client: httpx.Client, question: str, **kwargs: object) -> httpx.Response:
    return client.post("/api/ask", json={"question": question}, **kwargs)  # type: ignore[arg-type]


def test_requests_through_the_proxy_are_answered_by_both_processes(stack: Stack) -> None:
    names = ["Ada", "Grace", "Katherine", "Dorothy", "Mary", "Hedy"]
    with stack.client() as client:
        replies = [_ask(client, f"What is PUSD's mission, {name}?") for name in names]
    assert all(reply.status_code == 200 for reply in replies), [reply.text for reply in replies]
    ids = [reply.headers["x-request-id"] for reply in replies]  # made by nginx ($request_id)
    assert all(len(request_id) == 32 for request_id in ids) and len(set(ids)) == len(ids)
    time.sleep(0.5)  # a log line is written as its response ends
    answered_by = {}
    for request_id in ids:
        (server,) = [s for s in stack.servers if s.records_with(request_id)]  # exactly one process logged it
        answered_by[request_id] = server.port
    assert set(answered_by.values()) == {server.port for server in stack.servers}
    # nginx's access log names the same process for the same id.
    for line in stack.access_log():
        request_id = line.rsplit("request_id=", 1)[-1]
        if request_id in answered_by:
            assert f"upstream=127.0.0.1:{answered_by[request_id]} " in line
    # Both processes record into the one question store of the data folder (SQLite, one host).
    deadline = time.monotonic() + 10
    while True:
        with sqlite3.connect(stack.data / "plan-assistant.sqlite3") as db:
            stored = {text for (text,) in db.execute("SELECT text FROM questions")}
        if all(f"What is PUSD's mission, {name}?" in stored for name in names) or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert {f"What is PUSD's mission, {name}?" for name in names} <= stored


def test_the_log_names_the_client_nginx_forwards_not_nginx_nor_what_the_client_claims(stack: Stack) -> None:
    # The client connects from 127.0.0.5; nginx connects to the processes from 127.0.0.1, the
    # address PLAN_ASSISTANT_TRUSTED_PROXIES lists in deploy/plan-assistant.env.
    with stack.client(local_address="127.0.0.5") as client:
        reply = _ask(client, MISSION, headers={"X-Forwarded-For": "203.0.113.9"})
    assert reply.status_code == 200
    time.sleep(0.5)
    (line,) = [r for s in stack.servers for r in s.records_with(reply.headers["x-request-id"])]
    assert line["client"] == "127.0.0.5"
    assert any(row.startswith("127.0.0.5 ") for row in stack.access_log())


def _stream_reads(stack: Stack, question: str) -> list[bytes]:
    """POST /api/ask/stream through nginx on a raw TLS socket: each piece as it arrives."""
    context = ssl.create_default_context(cafile=str(stack.certificate))
    body = json.dumps({"question": question}).encode()
    head = (
        f"POST /api/ask/stream HTTP/1.1\r\nHost: {NAME}:{stack.https_port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    with (
        socket.create_connection(("127.0.0.1", stack.https_port), timeout=30) as raw,
        context.wrap_socket(raw, server_hostname=NAME) as sock,
    ):
        sock.sendall(head.encode() + body)
        reads = []
        while piece := sock.recv(65536):
            reads.append(piece)
    return reads


def test_the_stream_is_passed_on_as_it_is_written_not_when_it_ends(stack: Stack) -> None:
    question = "What are the priorities of the strategic plan?"
    reads = _stream_reads(stack, question)
    # The process sends its response head at once and the events once the answer is composed
    # (some milliseconds later). nginx passes the head on by itself, before any event exists;
    # with proxy_buffering on (and the API's X-Accel-Buffering ignored) all came in one piece.
    assert reads[0].startswith(b"HTTP/1.1 200 ") and b"event:" not in reads[0], reads[0][:200]
    head = reads[0].decode("latin-1").lower()
    assert "content-type: text/event-stream" in head and "content-length" not in head
    assert sum(b"event:" in piece for piece in reads) >= 2  # the events did not come as one block
    # What arrives through the proxy is the same stream, event for event, as from the process itself.
    with (
        stack.client() as client,
        connect_sse(client, "POST", "/api/ask/stream", json={"question": question}) as source,
    ):
        proxied = [(event.event, json.loads(event.data)) for event in source.iter_sse()]
    server = stack.servers[0]
    with (
        httpx.Client(base_url=server.base, timeout=60) as direct,
        connect_sse(direct, "POST", "/api/ask/stream", json={"question": question}) as source,
    ):
        straight = [(event.event, json.loads(event.data)) for event in source.iter_sse()]
    assert [kind for kind, _ in proxied][0] == "citations" and proxied[-1][0] == "done"
    assert proxied == straight


def test_a_body_over_the_cap_is_a_413_from_nginx_on_the_error_shape(stack: Stack) -> None:
    with stack.client() as client:
        question = b'{"question": "' + b"x" * 1_100_000 + b'"}'
        too_big = client.post("/api/ask", content=question, headers={"content-type": "application/json"})
        # Uploads have their own, larger cap: a 1.5 MB text file passes nginx and is the API's to judge.
        upload = client.post("/api/align/file", content=b"word " * 300_000, headers={"content-type": "text/plain"})
        too_big_upload = client.post(
            "/api/align/file", content=b"x" * 5_100_000, headers={"content-type": "text/plain"}
        )
    for reply in (too_big, too_big_upload):
        assert reply.status_code == 413 and reply.json() == {
            "error": "too_large",
            "message": "the request body is over the size this server accepts",
        }  # nginx's own reply (deploy/nginx/plan-assistant.conf): refused before a process was used
        assert "x-request-id" not in reply.headers
    assert upload.status_code == 422 and upload.json()["error"] == "invalid_request"  # the API's limit on a proposal
    assert "x-request-id" in upload.headers


def test_a_plan_upload_to_the_admin_area_has_the_documents_cap(stack: Stack) -> None:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with stack.client() as client:
        # 2 MB, past the 1 MB of other routes: nginx passes it, and the API judges it (not a plan).
        passed = client.post("/api/admin/documents", files={"file": ("plan.pdf", b"x" * 2_000_000)}, headers=headers)
        refused = client.post("/api/admin/documents", files={"file": ("plan.pdf", b"x" * 30_100_000)}, headers=headers)
    assert passed.status_code == 422 and "x-request-id" in passed.headers, passed.text  # no title: the API's 422
    assert refused.status_code == 413 and "x-request-id" not in refused.headers  # nginx's own 413


def test_the_security_headers_reach_the_client_once_each(stack: Stack) -> None:
    with stack.client() as client:
        page, answer, refused = (
            client.get("/"),
            _ask(client, MISSION),
            client.post("/api/ask", content=b"x" * 2_000_000, headers={"content-type": "application/json"}),
        )
    assert (page.status_code, answer.status_code, refused.status_code) == (200, 200, 413)
    for reply in (page, answer):
        for name in SECURITY_HEADERS:
            assert len(reply.headers.get_list(name)) == 1, (reply.url, name, reply.headers.get_list(name))
    assert "script-src 'self'" in page.headers["content-security-policy"]  # the page's own policy, not nginx's
    assert answer.headers["content-security-policy"].startswith("default-src 'none'")
    for reply in (page, answer, refused):
        assert reply.headers.get_list("strict-transport-security") == ["max-age=31536000"]
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["server"] == "nginx"  # no version (server_tokens off), no uvicorn


def test_plain_http_is_sent_to_https_and_unknown_names_get_nothing(stack: Stack) -> None:
    reply = httpx.get(f"http://{NAME}:{stack.http_port}/staff?x=1")
    assert reply.status_code == 301
    assert reply.headers["location"] == f"https://{NAME}/staff?x=1"  # port 443 in production
    with pytest.raises(httpx.RemoteProtocolError):  # 444: the connection closed without a reply
        httpx.get(f"http://127.0.0.1:{stack.http_port}/", headers={"Host": "evil.example"})
    context = ssl.create_default_context(cafile=str(stack.certificate))
    context.check_hostname = False
    with (
        socket.create_connection(("127.0.0.1", stack.https_port), timeout=10) as raw,
        pytest.raises(ssl.SSLError),  # no certificate shown for a name this server does not serve
    ):
        context.wrap_socket(raw, server_hostname="evil.example")


def test_metrics_stay_on_the_host(stack: Stack) -> None:
    with stack.client() as client:
        assert client.get("/metrics").status_code == 404
    direct = httpx.get(f"{stack.servers[0].base}/metrics")
    assert direct.status_code == 200 and "plan_assistant_http_requests_total" in direct.text


def test_the_assistants_own_pages_and_the_districts_site_may_ask_others_may_not(stack: Stack) -> None:
    own = f"https://{NAME}:{stack.https_port}"  # the demo page served through the proxy
    with stack.client() as client:
        replies = {
            origin: _ask(client, MISSION, headers={"Origin": origin})
            for origin in (own, "https://www.example.org", "https://evil.example")
        }
    assert replies[own].status_code == 200  # nginx passed the Host the browser used, port and all
    assert replies["https://www.example.org"].status_code == 200  # PLAN_ASSISTANT_ALLOWED_ORIGINS
    assert replies["https://evil.example"].status_code == 403
    assert replies["https://evil.example"].json()["error"] == "origin_not_allowed"
