"""Bad input on every route (issue 22, item 10): a table of well over 200 bad requests, each answered
with a 4xx on the documented shape {"error": code, "message": text}, never a 5xx and never
FastAPI's 400 {"detail": ...}. Real app, real index, real models (the session's), FastAPI's test client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.settings import Settings
from tests.http import hostile_pdfs

pytestmark = pytest.mark.slow

JSON = {"content-type": "application/json"}
RATING = {
    "question": "How can parents get involved?",
    "answer": "Here is what the plans say [1]",
    "lang": "en",
    "rating": "up",
    "grounded": True,
}
GOOD = {
    "/api/ask": {"question": "What is the mission?"},
    "/api/ask/stream": {"question": "What is the mission?"},
    "/api/align": {"text": "Hire counselors"},
    "/api/feedback": RATING,
}


@dataclass
class Bad:
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None  # when the issue names the status this must get

    def __str__(self) -> str:
        return f"{self.method} {self.path[:40]} {self.body[:40]!r} {self.headers}"


def _not_json() -> list[bytes]:
    return [
        b"{",
        b"[",
        b"}",
        b"{'question': 'single quotes'}",
        b'{"question": "unterminated}',
        b"NaN",
        b'{"question": "x",}',
        b"\x00\x01\x02",
    ]


def _not_utf8() -> list[bytes]:
    return [
        b'{"question": "\xff\xfe"}',
        b'{"question": "\xc3\x28"}',
        b'{"question": "\xe2\x82"}',
        b'{"question": "\xc0\xaf overlong"}',
        b'{"text": "\xed\xa0\x80 surrogate"}',
        b"\xff" * 100,
    ]


def _nested() -> list[bytes]:
    return [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"question": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
        b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
        b'{"history": ' + b"[" * 3_000 + b"]" * 3_000 + b', "question": "x"}',
    ]


def _wrong_fields(path: str) -> list[dict]:
    good = GOOD[path]
    key = next(iter(good))
    changes: list[dict] = [
        {},
        {key: None},
        {key: 1},
        {key: True},
        {key: []},
        {key: {}},
        {key: ""},
        {key: "   "},
        {key: "x" * 20_001},
        good | {"extra": "ignored or refused"} | {key: 5},
    ]
    if path.startswith("/api/ask"):
        changes += [
            good | {"history": "not a list"},
            good | {"history": [1, 2]},
            good | {"history": [{"role": "bot", "content": "x"}]},
            good | {"history": [{"role": "user"}]},
            good | {"history": [{"role": "user", "content": "x"}] * 41},
            good | {"lang": "fr"},
            good | {"lang": 1},
            good | {"question": "\ud800 a lone surrogate"},
            good | {"question": "\x00\x1b[31m control characters \x7f"},
        ]
    if path == "/api/feedback":
        changes += [
            RATING | {"rating": "meh"},
            RATING | {"comment": "x" * 1001},
            RATING | {"citations": [{"doc_id": "", "page": 0}]},
            RATING | {"citations": [{"doc_id": "a"}] * 21},
            RATING | {"grounded": "perhaps"},
            RATING | {"answer": "x" * 20_001},
        ]
    return changes


def table() -> list[Bad]:
    rows: list[Bad] = []
    for path in GOOD:
        rows += [Bad("POST", path, body, JSON, 422) for body in _not_json()]
        rows += [Bad("POST", path, body, JSON, 422) for body in _not_utf8()]
        rows += [Bad("POST", path, body, JSON, 422) for body in _nested()]
        rows += [Bad("POST", path, json.dumps(change).encode(), JSON) for change in _wrong_fields(path)]
        good = json.dumps(GOOD[path]).encode()
        for media_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "text/xml"):
            rows.append(Bad("POST", path, good, {"content-type": media_type}, 415))
        rows.append(Bad("POST", path, good, {}, 415))  # no Content-Type at all
        rows.append(Bad("POST", path, b"", JSON, 422))  # no body
        rows.append(Bad("POST", path, b'{"question": "' + b"x" * 1_100_000 + b'"}', JSON, 413))
        for method in ("GET", "PUT", "DELETE", "PATCH"):
            rows.append(Bad(method, path, status=405))
    upload = "/api/align/file"
    for media_type, body in [
        ("image/png", b"\x89PNG\r\n"),
        ("application/octet-stream", b"x"),
        ("", b"no type"),
        ("application/json", b'{"text": "x"}'),
        ("text/plain", b"\xff\xfe\x00"),
        ("text/plain", b""),
        ("text/plain", b"   "),
        ("text/markdown", b"x" * 20_001),
        ("application/pdf", b""),
        ("application/pdf", b"%PDF-1.7 garbage"),
        ("application/pdf", b"not a pdf at all"),
        ("application/pdf", hostile_pdfs.truncated_pdf()),
        ("application/pdf", hostile_pdfs.unknown_filter_pdf()),
        ("application/pdf", hostile_pdfs.encrypted_pdf()),
        ("application/pdf", hostile_pdfs.deflate_bomb_pdf()),
        ("application/pdf", hostile_pdfs.thousand_pages_pdf()),
        ("application/pdf", b"%PDF-1.7\n" + bytes(range(256)) * 50),
        ("text/plain", b"x" * 5_000_001),
        ("application/pdf; charset=utf-8; x=" + "y" * 200, b"%PDF"),
    ]:
        rows.append(Bad("POST", upload, body, {"content-type": media_type} if media_type else {}))
    rows += [Bad(method, upload, status=405) for method in ("GET", "PUT", "DELETE")]
    for path in ("/api/framework", "/api/health", "/api/ready"):
        rows += [Bad(method, path, status=405) for method in ("POST", "PUT", "DELETE")]
        rows.append(Bad("GET", path + "?x=%ff%fe&y=" + "z" * 2000))
        rows.append(Bad("GET", path, b"a body on a GET", JSON))
    for path in (
        "/api/nothing",
        "/api/ask/extra",
        "/nothing",
        "/corpus/missing.pdf",
        "/corpus/../pyproject.toml",
        "/corpus/%2e%2e/pyproject.toml",
        "/corpus/%00",
        "/corpus/a%00b.pdf",
        "/widget.js/extra",
        "/staff/%ff",
        "/%c0%ae%c0%ae/etc/passwd",
        "/" + "a" * 5000,
    ):
        rows.append(Bad("GET", path))
    rows += [Bad("POST", path, status=405) for path in ("/", "/staff", "/widget.js")]
    rows.append(Bad("GET", "/metrics", status=403))  # the test client's address is not a metrics client
    rows.append(Bad("GET", "/api/health", headers={"host": "evil.example"}, status=400))
    rows.append(
        Bad("POST", "/api/feedback", json.dumps(RATING).encode(), JSON | {"origin": "https://evil.example"}, 403)
    )
    return rows


TABLE = table()


@pytest.fixture(scope="module")
def client(built_settings: Settings, embedders: dict[str, Embedder], tmp_path_factory) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = built_settings.model_copy(
        update={
            "data_dir": tmp_path_factory.mktemp("sweep-data"),  # feedback is written here, not the shared index
            "rate_limit_ask": "100000/minute",
            "rate_limit_align": "100000/minute",
            "rate_limit_feedback": "100000/minute",
            "rate_limit_other": "100000/minute",
            "pdf_seconds": 5.0,
            "pdf_queue": 50,
        }
    )
    settings.data_dir.joinpath("chroma").symlink_to(built_settings.chroma_path, target_is_directory=True)
    with TestClient(create_app(settings, embedders), raise_server_exceptions=False) as test_client:
        yield test_client


def test_the_table_is_large_and_covers_every_route() -> None:
    assert len(TABLE) >= 200
    routes = {"/api/ask", "/api/ask/stream", "/api/align", "/api/align/file", "/api/feedback"}
    routes |= {"/api/framework", "/api/health", "/api/ready", "/", "/staff", "/widget.js", "/metrics"}
    assert routes <= {bad.path.split("?")[0] for bad in TABLE}


def test_no_bad_request_gets_a_5xx_or_a_reply_off_the_documented_shape(client: TestClient) -> None:
    failures = []
    for bad in TABLE:
        reply = client.request(bad.method, bad.path, content=bad.body, headers=bad.headers)
        if reply.status_code >= 500 or (bad.status is not None and reply.status_code != bad.status):
            failures.append(f"{reply.status_code} for {bad}: {reply.text[:200]}")
        elif reply.status_code >= 400:
            body = reply.json()
            if set(body) != {"error", "message"} or not all(isinstance(v, str) and v for v in body.values()):
                failures.append(f"shape {body} for {bad}")
    assert not failures, f"{len(failures)} of {len(TABLE)}:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    ("body", "headers", "status", "code", "words"),
    [
        (b"[" * 100_000, JSON, 422, "invalid_request", "nests too deeply"),
        (b'{"question": "\xff"}', JSON, 422, "invalid_request", "not valid UTF-8"),
        (b"{", JSON, 422, "invalid_request", "not valid JSON"),
        (b'{"question": "x"}', {"content-type": "text/plain"}, 415, "unsupported_media_type", "application/json"),
        (b"x" * 1_000_001, JSON, 413, "too_large", "over 1,000,000 bytes"),
    ],
)
def test_each_kind_of_unreadable_body_says_what_is_wrong(
    client: TestClient, body: bytes, headers: dict, status: int, code: str, words: str
) -> None:
    reply = client.post("/api/ask", content=body, headers=headers)
    assert reply.status_code == status and reply.json()["error"] == code
    assert words in reply.json()["message"]


def test_unknown_paths_and_methods_are_on_the_documented_shape(client: TestClient) -> None:
    missing = client.get("/api/nothing")
    assert missing.status_code == 404 and missing.json() == {
        "error": "not_found",
        "message": "nothing here: /api/nothing",
    }
    wrong = client.get("/api/ask")
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"
    assert "POST" in wrong.headers["allow"]
