"""Which host names the server answers to, the origin check that no longer trusts the Host header
(issue 22, item 7), and the security headers on every page and on widget.js (item 10).
FastAPI's test client on the real app (real models; no index is needed for any of it)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.feedback import FeedbackStore
from assistant.settings import Settings
from assistant.store.database import open_store
from assistant.web import STATIC
from tests.conftest import make_settings

pytestmark = pytest.mark.slow

RATING = {"question": "How?", "answer": "Like this [1]", "lang": "en", "rating": "up", "grounded": True}
EVIL = "evil.example"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", allowed_origins=["https://www.pusd.us"])


@pytest.fixture
def client(settings: Settings, embedders: dict[str, Embedder]) -> Iterator[TestClient]:
    with TestClient(create_app(settings, embedders)) as test_client:
        yield test_client


def test_a_page_on_a_name_pointed_at_the_server_is_refused(client: TestClient, settings: Settings) -> None:
    # The request: DNS rebinding gives the attacker's page Host and Origin of its own name.
    reply = client.post("/api/feedback", json=RATING, headers={"Host": EVIL, "Origin": f"http://{EVIL}"})
    assert reply.status_code == 400
    assert reply.json()["error"] == "host_not_allowed" and "PLAN_ASSISTANT_ALLOWED_HOSTS" in reply.json()["message"]
    assert client.get("/", headers={"Host": EVIL}).status_code == 400  # pages too, not only /api/
    assert FeedbackStore(open_store(settings)).all() == []


def test_with_every_host_allowed_the_origin_check_still_does_not_take_host_for_origin(
    tmp_path: Path, embedders: dict[str, Embedder]
) -> None:
    settings = make_settings(tmp_path / "data", allowed_hosts=["*"])  # an operator behind a proxy that checks names
    with TestClient(create_app(settings, embedders)) as client:
        reply = client.post("/api/feedback", json=RATING, headers={"Host": EVIL, "Origin": f"http://{EVIL}"})
        assert reply.status_code == 403 and reply.json()["error"] == "origin_not_allowed"
        assert client.post("/api/feedback", json=RATING, headers={"Host": EVIL}).status_code == 201  # no Origin: curl


def test_the_servers_own_pages_under_a_listed_name_may_call_the_api(client: TestClient) -> None:
    for host in ("localhost:8000", "127.0.0.1:8000"):
        reply = client.post("/api/feedback", json=RATING, headers={"Host": host, "Origin": f"http://{host}"})
        assert reply.status_code == 201, (host, reply.text)
    allowed = client.post("/api/feedback", json=RATING, headers={"Origin": "https://www.pusd.us"})
    assert allowed.status_code == 201 and allowed.headers["access-control-allow-origin"] == "https://www.pusd.us"


def _script_hashes(html: str) -> set[str]:
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    }


@pytest.mark.parametrize(
    "path", ["/", "/staff", "/admin", "/widget.js", "/api/health", "/corpus/pusd-planning-for-the-future.html"]
)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    reply = client.get(path)
    assert reply.status_code == 200
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert reply.headers["x-frame-options"] == "SAMEORIGIN"
    policy = reply.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in policy and "base-uri 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[-1].split(";")[0]  # never for scripts


def test_the_pages_policies_allow_exactly_their_own_scripts(client: TestClient) -> None:
    demo = client.get("/").headers["content-security-policy"]
    assert "script-src 'self';" in demo and "connect-src 'self'" in demo  # widget.js and its fetches
    staff = client.get("/staff")
    hashes = _script_hashes((STATIC / "staff.html").read_text(encoding="utf-8"))
    assert len(hashes) == 1 and all(digest in staff.headers["content-security-policy"] for digest in hashes)
    admin = client.get("/admin")
    hashes = _script_hashes((STATIC / "admin.html").read_text(encoding="utf-8"))
    assert len(hashes) == 1 and all(digest in admin.headers["content-security-policy"] for digest in hashes)
    assert admin.headers["cache-control"] == "no-store"
    api = client.get("/api/health").headers["content-security-policy"]
    assert api.startswith("default-src 'none'")


def test_widget_js_may_be_loaded_by_other_sites(client: TestClient) -> None:
    reply = client.get("/widget.js", headers={"Origin": "https://www.pusd.us"})
    assert reply.headers["cross-origin-resource-policy"] == "cross-origin"
    assert reply.headers["content-type"].startswith("text/javascript")  # nosniff needs the right type


def test_errors_from_the_middleware_carry_the_headers_and_a_request_id(client: TestClient) -> None:
    refused = client.get("/api/health", headers={"Host": EVIL})
    assert refused.headers["x-content-type-options"] == "nosniff" and len(refused.headers["x-request-id"]) == 32
    echoed = client.get("/api/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    assert client.get("/api/health", headers={"X-Request-ID": "no spaces\x7f"}).headers["x-request-id"] != "no spaces"
