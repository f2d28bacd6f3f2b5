"""The widget's server side over HTTP (FastAPI's httpx test client): widget.js, the demo page,
POST /api/feedback, and which sites' pages may call /api/. No index is needed for any of it."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.feedback import FeedbackStore
from assistant.prompts import phrase_table
from assistant.settings import Settings
from assistant.store.database import open_store
from assistant.web import STATIC
from tests.conftest import free_port, make_settings

pytestmark = pytest.mark.slow  # the app loads the real models

DISTRICT = "https://www.pusd.us"
OTHER = "https://elsewhere.example"
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
RATING = {
    "question": "How can parents get involved?",
    "answer": 'Here is what the district\'s plans say:\n- Parent Engagement: "Diversified opportunities" [1]',
    "lang": "en",
    "rating": "up",
    "grounded": True,
    "citations": [{"doc_id": "strategic-plan", "page": 2}],
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # A trailing slash, as people type it: browsers send the origin without one.
    return make_settings(tmp_path / "data", allowed_origins=[DISTRICT + "/"])


@pytest.fixture
def client(settings: Settings, embedders: dict[str, Embedder]) -> Iterator[TestClient]:
    with TestClient(create_app(settings, embedders)) as test_client:
        yield test_client


def test_widget_js_is_one_small_script_with_both_languages(client: TestClient) -> None:
    reply = client.get("/widget.js")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/javascript")
    assert len(reply.content) < 30_000, f"widget.js is {len(reply.content)} bytes"
    script = reply.text
    assert "/*phrases*/ null" not in script  # the labels were filled in
    assert "Ask about the plans" in script and "Pregunte sobre los planes" in script
    assert "innerHTML" not in script and "import(" not in script and "https://" not in script.split("*/", 1)[1]


def test_every_label_the_widget_uses_exists_in_both_languages(settings: Settings) -> None:
    source = (STATIC / "widget.js").read_text(encoding="utf-8")
    used = set(re.findall(r"""\bt\("(\w+)\"""", source))
    en, es = (phrase_table(settings.prompts_dir, lang, "widget") for lang in ("en", "es"))
    assert used and used <= set(en)
    assert set(en) == set(es)
    assert len(en["starters"]) == len(es["starters"]) >= 3


def test_the_demo_page_carries_the_one_tag(client: TestClient) -> None:
    reply = client.get("/")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    assert '<script src="/widget.js" data-lang="auto" async></script>' in reply.text


def test_feedback_is_stored(client: TestClient, settings: Settings) -> None:
    reply = client.post("/api/feedback", json=RATING | {"comment": "Very clear"})
    assert reply.status_code == 201 and reply.json() == {"id": 1, "status": "stored"}
    (row,) = FeedbackStore(open_store(settings)).all()
    assert (row["rating"], row["comment"], row["citations"]) == (
        "up",
        "Very clear",
        [{"doc_id": "strategic-plan", "page": 2}],
    )


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"rating": "meh"}, "rating: Input should be 'up' or 'down'"),
        ({"comment": "x" * 1001}, "comment: String should have at most 1000 characters"),
        ({"lang": "fr"}, "lang: Input should be 'en' or 'es'"),
        ({"question": ""}, "question: String should have at least 1 character"),
        ({"citations": [{"doc_id": "strategic-plan", "page": 0}]}, "citations.0.page"),
        ({"grounded": "perhaps"}, "grounded"),
    ],
)
def test_bad_feedback_is_a_readable_422(client: TestClient, settings: Settings, change: dict, fragment: str) -> None:
    reply = client.post("/api/feedback", json=RATING | change)
    assert reply.status_code == 422 and reply.json()["error"] == "invalid_request"
    assert fragment in reply.json()["message"]
    assert FeedbackStore(open_store(settings)).all() == []


def test_feedback_that_cannot_be_written_is_a_503(settings: Settings, embedders: dict[str, Embedder]) -> None:
    down = SecretStr(f"postgresql://plan@127.0.0.1:{free_port()}/plans")  # a database server that is down
    with TestClient(create_app(settings.model_copy(update={"database_url": down}), embedders)) as client:
        reply = client.post("/api/feedback", json=RATING)
    assert reply.status_code == 503 and reply.json()["error"] == "feedback_unavailable"


def test_a_page_on_another_site_is_refused_with_a_clear_error(client: TestClient, settings: Settings) -> None:
    for path in ("/api/feedback", "/api/ask", "/api/ask/stream"):
        reply = client.post(path, json=RATING, headers={"Origin": OTHER})
        assert reply.status_code == 403, path
        assert reply.json()["error"] == "origin_not_allowed"
        assert OTHER in reply.json()["message"] and "PLAN_ASSISTANT_ALLOWED_ORIGINS" in reply.json()["message"]
        assert "access-control-allow-origin" not in reply.headers
    preflight = client.options(
        "/api/ask/stream",
        headers={
            "Origin": OTHER,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 403 and preflight.json()["error"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in preflight.headers
    assert FeedbackStore(open_store(settings)).all() == []  # refused before any work


def test_an_allowed_site_gets_cors_headers(client: TestClient) -> None:
    preflight = client.options(
        "/api/ask/stream",
        headers={
            "Origin": DISTRICT,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == DISTRICT
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    reply = client.post("/api/feedback", json=RATING, headers={"Origin": DISTRICT})
    assert reply.status_code == 201 and reply.headers["access-control-allow-origin"] == DISTRICT


def test_no_origin_and_same_origin_are_allowed(client: TestClient) -> None:
    assert client.post("/api/feedback", json=RATING).status_code == 201  # curl, the CLI: no Origin
    same = client.post("/api/feedback", json=RATING, headers={"Origin": "http://testserver"})  # the demo page
    assert same.status_code == 201 and "access-control-allow-origin" not in same.headers


def test_anyone_may_load_the_script_only_the_api_is_guarded(client: TestClient) -> None:
    assert client.get("/widget.js", headers={"Origin": OTHER}).status_code == 200
    assert client.get("/", headers={"Origin": OTHER}).status_code == 200


def test_the_widget_names_the_district_from_settings_or_the_manifest(settings: Settings) -> None:
    from assistant.web import widget_script

    pusd = widget_script(settings)  # the corpus manifest names Pasadena Unified
    assert "PUSD Plan Assistant" in pusd and "Pasadena Unified School District's plans" in pusd
    assert "Asistente de los planes de PUSD" in pusd and "page {page}" in pusd
    other = widget_script(
        settings.model_copy(update={"district_name": "Cedar Valley USD", "district_short_name": "CVUSD"})
    )
    assert "CVUSD Plan Assistant" in other and "Cedar Valley USD's plans" in other
    assert "Pasadena" not in other and "PUSD" not in other.split("*/", 1)[1]
