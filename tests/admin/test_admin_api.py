"""The admin API against a real server (uvicorn, the bundled models, a small corpus of its own):
who may call it, what an upload must be, changes served without a restart, the CSV export.

The tests of this module share one server and run in order; each leaves the corpus as it found it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import docx
import httpx
import pytest
from fastapi.routing import _IncludedRouter
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from assistant.admin.ingest_jobs import IngestJobs, IngestStatus
from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.index.generations import exclusive_ingest
from assistant.store.questions import AskedQuestion, add_questions
from tests.admin.conftest import PASSWORD, SCHOOL_SITE, AdminServer
from tests.conftest import serve
from tests.http.hostile_pdfs import deflate_bomb_pdf, encrypted_pdf, thousand_pages_pdf

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
ERROR_KEYS = {"error", "message"}


def _every_route(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    """The app's routes, those of included routers too (FastAPI 0.165 keeps an included router as one
    entry of app.routes, its routes reachable through effective_candidates)."""
    for route in routes:
        if isinstance(route, _IncludedRouter):
            yield from _every_route(route.effective_candidates())  # type: ignore[arg-type]
        else:
            yield route


def admin_routes(server: AdminServer) -> list[tuple[str, str]]:
    """Every (method, path) the app serves under /api/admin, path parameters filled in: a route added
    later is checked without anyone listing it here."""
    found = []
    for route in _every_route(server.app.routes):
        path = str(getattr(route, "path", ""))
        if path.startswith("/api/admin"):
            methods = getattr(getattr(route, "original_route", route), "methods", None) or {"GET"}
            found += [(method, path.replace("{file}", "arts.md")) for method in sorted(methods)]
    return found


def wait_for_ingest(client: httpx.Client, seconds: float = 120) -> dict:
    """The admin ingest's status once it is no longer running."""
    deadline = time.monotonic() + seconds
    while True:
        status = client.get("/api/admin/ingest").json()
        if status["state"] != "running":
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.3)


def test_every_admin_route_refuses_a_request_without_credentials(admin_server: AdminServer) -> None:
    routes = admin_routes(admin_server)
    assert {
        ("GET", "/api/admin/documents"),
        ("POST", "/api/admin/documents"),
        ("PUT", "/api/admin/documents/arts.md/file"),
        ("PATCH", "/api/admin/documents/arts.md"),
        ("DELETE", "/api/admin/documents/arts.md"),
        ("GET", "/api/admin/ingest"),
        ("GET", "/api/admin/insights/export.csv"),
        ("POST", "/api/admin/logout"),
    } <= set(routes)
    forged = "eyJzaWduZWRfaW4iOnRydWV9.axX2nA.not-this-servers-signature"
    with admin_server.client() as client:
        for method, path in routes:
            if path == "/api/admin/login":  # where credentials are given: a wrong one is 401 below
                continue
            missing = client.request(method, path)
            assert missing.status_code == 401, (method, path, missing.text)
            assert set(missing.json()) == ERROR_KEYS and missing.json()["error"] == "unauthorized"
            wrong = client.request(method, path, headers={"Authorization": "Bearer not-the-token"})
            assert wrong.status_code == 403 and wrong.json()["error"] == "forbidden", (method, path)
            client.cookies.set("plan_assistant_admin", forged, path="/api/admin")
            unsigned = client.get(path) if method == "GET" else client.request(method, path)
            client.cookies.clear()
            assert unsigned.status_code == 403 and unsigned.json()["error"] == "forbidden", (method, path)
        refused = client.post("/api/admin/login", json={"password": "not it"})
        assert refused.status_code == 401 and refused.json()["error"] == "sign_in_failed"
    assert sorted(p.name for p in admin_server.settings.corpus_dir.iterdir()) == [
        "arts.md",
        "manifest.json",
        "school-meals.md",
    ]


def test_without_a_token_or_password_the_admin_area_is_off(
    admin_server: AdminServer, embedders: dict[str, Embedder]
) -> None:
    settings = admin_server.settings.model_copy(update={"admin_token": None, "admin_password_hash": None})
    for base in serve(create_app(settings, embedders)):
        for path in ("/api/admin/documents", "/api/admin/insights/export.csv", "/api/admin/ingest"):
            off = httpx.get(base + path, headers={"Authorization": "Bearer anything"})
            assert off.status_code == 503 and off.json()["error"] == "admin_not_configured"
        login = httpx.post(base + "/api/admin/login", json={"password": PASSWORD})
        assert login.status_code == 503 and login.json()["error"] == "admin_not_configured"


def test_a_person_signs_in_and_changes_need_the_admin_pages_origin(admin_server: AdminServer) -> None:
    own = {"Origin": admin_server.base}
    with admin_server.client() as client:
        signed = client.post("/api/admin/login", json={"password": PASSWORD}, headers=own)
        assert signed.status_code == 200 and signed.json()["signed_in"] is True
        cookie = signed.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/api/admin" in cookie
        assert "max-age=28800" in cookie and "secure" not in cookie  # plain http here: Secure only on https
        assert client.get("/api/admin/session").json()["via"] == "cookie"
        assert client.get("/api/admin/documents").status_code == 200

        edit = {"title": "Arts and Music Plan", "edition": "2024", "language": "en"}
        # A page of the school's site (allowed to embed the widget) cannot make changes with the cookie.
        cross = client.patch("/api/admin/documents/arts.md", json=edit, headers={"Origin": SCHOOL_SITE})
        assert cross.status_code == 403 and cross.json()["error"] == "origin_not_allowed"
        bare = client.patch("/api/admin/documents/arts.md", json=edit)  # neither Origin nor Sec-Fetch-Site
        assert bare.status_code == 403 and bare.json()["error"] == "origin_not_allowed"
        changed = client.patch("/api/admin/documents/arts.md", json=edit, headers=own)
        assert changed.status_code == 202, changed.text
        assert changed.json()["document"]["title"] == "Arts and Music Plan"
        assert wait_for_ingest(client)["state"] == "done"
        arts = next(d for d in client.get("/api/admin/documents").json()["documents"] if d["file"] == "arts.md")
        assert (arts["title"], arts["status"], arts["passages"]) == ("Arts and Music Plan", "indexed", 1)

        out = client.post("/api/admin/logout", headers=own)
        assert out.status_code == 200 and 'plan_assistant_admin=""' in out.headers["set-cookie"]
        assert client.get("/api/admin/documents").status_code == 401


def test_over_https_the_sign_in_cookie_is_secure(admin_server: AdminServer) -> None:
    # As behind the district's TLS proxy (its X-Forwarded-Proto believed): the request's scheme is https.
    https = TestClient(admin_server.app, base_url="https://testserver")  # the same app, not started twice
    signed = https.post("/api/admin/login", json={"password": PASSWORD}, headers={"Origin": "https://testserver"})
    assert signed.status_code == 200 and "; secure" in signed.headers["set-cookie"].lower()


def test_bad_uploads_are_refused_in_bounded_time_and_change_nothing(admin_server: AdminServer) -> None:
    before = sorted(p.name for p in admin_server.settings.corpus_dir.iterdir())
    manifest = (admin_server.settings.corpus_dir / "manifest.json").read_text(encoding="utf-8")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("notes.txt", "not a Word document")
    cases = [
        ("plan.pdf", b"Every school will have a garden.", 415, "unsupported_document_type"),
        ("plan.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", 415, "unsupported_document_type"),
        ("plan.docx", zipped.getvalue(), 415, "unsupported_document_type"),
        ("locked.pdf", encrypted_pdf(), 422, "unreadable_document"),
        ("long.pdf", thousand_pages_pdf(), 413, "too_large"),
        ("bomb.pdf", deflate_bomb_pdf(), 413, "too_large"),
        ("huge.md", b"# Plan\n\n" + b"word " * 500_000, 413, "too_large"),  # past max_document_bytes (2 MB)
    ]
    with admin_server.client(signed_in=True) as client:
        for name, data, status, code in cases:
            started = time.monotonic()
            reply = client.post("/api/admin/documents", files={"file": (name, data)}, data={"title": "A plan"})
            assert (reply.status_code, reply.json()["error"]) == (status, code), (name, reply.text)
            assert set(reply.json()) == ERROR_KEYS
            assert time.monotonic() - started < admin_server.settings.pdf_seconds + 5, name
        untitled = client.post("/api/admin/documents", files={"file": ("plan.md", b"# Plan\n\nText.\n")})
        assert untitled.status_code == 422 and untitled.json()["error"] == "invalid_request"
        unknown = client.post(
            "/api/admin/documents",
            files={"file": ("plan.md", b"# Plan\n\nText.\n")},
            data={"title": "Plan", "translation_of": "no-such-plan"},
        )
        assert unknown.status_code == 422 and unknown.json()["error"] == "invalid_document_entry"
        gone = client.delete("/api/admin/documents/no-such-file.pdf")
        assert gone.status_code == 404 and gone.json()["error"] == "document_not_found"
    assert sorted(p.name for p in admin_server.settings.corpus_dir.iterdir()) == before
    assert (admin_server.settings.corpus_dir / "manifest.json").read_text(encoding="utf-8") == manifest


def test_malformed_admin_requests_get_a_4xx_on_the_error_shape(admin_server: AdminServer) -> None:
    two_files = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.md"\r\n\r\n# A\r\n'
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="b.md"\r\n\r\n# B\r\n--b--\r\n'
    )
    cases = [
        ("POST", "/api/admin/documents", b"garbage", "multipart/form-data", 422),  # no boundary
        ("POST", "/api/admin/documents", two_files, "multipart/form-data; boundary=b", 422),
        ("POST", "/api/admin/documents", b'{"title": "x"}', "application/json", 422),  # no file
        ("PUT", "/api/admin/documents/arts.md/file", b"# A\n", "text/markdown", 422),
        ("PATCH", "/api/admin/documents/arts.md", b"not json", "application/json", 422),
        ("PATCH", "/api/admin/documents/arts.md", b'{"title": "x"}', "text/plain", 415),
        ("PATCH", "/api/admin/documents/arts.md", b'{"title": "x", "language": "english"}', "application/json", 422),
        ("POST", "/api/admin/login", b"password", "text/plain", 415),
        ("GET", "/api/admin/insights/export.csv?table=passwords", b"", "text/plain", 422),
    ]
    with admin_server.client(signed_in=True) as client:
        for method, path, body, media_type, status in cases:
            reply = client.request(method, path, content=body, headers={"content-type": media_type})
            assert reply.status_code == status and set(reply.json()) == ERROR_KEYS, (method, path, reply.text)


def _word_plan() -> bytes:
    document = docx.Document()
    document.add_heading("Library Plan", level=1)
    document.add_heading("Reading Hours", level=2)
    document.add_paragraph("Every school library will stay open until six in the evening for families.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_plan_is_added_served_then_a_failed_ingest_keeps_the_index(admin_server: AdminServer) -> None:
    question = {"question": "Will the school library stay open until six in the evening?"}
    with admin_server.client(signed_in=True) as client:
        added = client.post(
            "/api/admin/documents",
            files={"file": ("Library Plan.docx", _word_plan())},
            data={"title": "Library Plan", "edition": "2026", "featured": "true"},  # as the admin page sends it
        )
        assert added.status_code == 202, added.text
        assert added.json()["document"] | {"title": ""} == {
            "doc_id": "library-plan",
            "title": "",
            "kind": "plan",
            "edition": "2026",
            "file": "library-plan.docx",
            "language": "en",
            "translation_of": None,
            "label": "",
            "district": None,
            "featured": True,
        }
        again = client.post(
            "/api/admin/documents", files={"file": ("library plan.docx", _word_plan())}, data={"title": "x"}
        )
        assert again.status_code == 409 and again.json()["error"] == "document_conflict"
        done = wait_for_ingest(client)
        assert done["state"] == "done" and done["error"] is None and done["finished"] >= done["started"]
        answer = client.post("/api/ask", json=question).json()  # this server looked as the ingest ended
        assert answer["citations"] and answer["citations"][0]["doc_id"] == "library-plan"
        row = next(d for d in client.get("/api/admin/documents").json()["documents"] if d["doc_id"] == "library-plan")
        assert row["status"] == "indexed" and row["passages"] >= 1 and row["ingested_at"] and row["featured"]

        # A "translation" whose sections do not match its original's: the ingest fails, nothing changes.
        mismatched = b"# Plan de la biblioteca\n\n## Uno\n\nTexto.\n\n## Dos\n\nTexto.\n\n## Tres\n\nTexto.\n"
        client.post(
            "/api/admin/documents",
            files={"file": ("library-plan-es.md", mismatched)},
            data={"title": "Plan de la biblioteca", "language": "es", "translation_of": "library-plan"},
        )
        failed = wait_for_ingest(client)
        assert failed["state"] == "failed" and failed["error"] and failed["generation"] == done["generation"]
        listing = client.get("/api/admin/documents").json()
        assert listing["ingest"]["error"] == failed["error"]
        assert next(d for d in listing["documents"] if d["doc_id"] == "library-plan-es")["status"] != "indexed"
        still = client.post("/api/ask", json=question).json()
        assert still["citations"][0]["doc_id"] == "library-plan"

        removed = [client.delete(f"/api/admin/documents/{name}") for name in ("library-plan.docx",)]
        assert removed[0].status_code == 409 and removed[0].json()["error"] == "document_conflict"  # translated
        for name in ("library-plan-es.md", "library-plan.docx"):
            assert client.delete(f"/api/admin/documents/{name}").status_code == 202
        cleared = wait_for_ingest(client)
        assert cleared["state"] == "done" and cleared["error"] is None
        after = client.post("/api/ask", json=question).json()
        assert all(c["doc_id"] != "library-plan" for c in after["citations"])


def test_an_ingest_started_while_another_process_ingests_waits_for_it(admin_server: AdminServer) -> None:
    with admin_server.client(signed_in=True) as client:
        with exclusive_ingest(admin_server.settings):  # as `plan-assistant ingest` holds it
            assert client.post("/api/admin/ingest").status_code == 202
            deadline = time.monotonic() + 30
            while (status := client.get("/api/admin/ingest").json())["phase"] != "waiting for another ingest":
                assert time.monotonic() < deadline, status
                time.sleep(0.2)
            assert status["state"] == "running"
        done = wait_for_ingest(client)
        assert done["state"] == "done" and done["error"] is None


def test_every_process_of_the_host_reports_the_last_ingest(admin_server: AdminServer) -> None:
    with admin_server.client(signed_in=True) as client:
        client.post("/api/admin/ingest")
        done = wait_for_ingest(client)
    # Another server process on the same data folder (nginx spreads the page's polls over them).
    other = IngestJobs(admin_server.settings, lambda key: None, on_success=lambda: None)  # type: ignore[arg-type,return-value]
    assert other.status().model_dump(mode="json") == done and done["process"] == os.getpid()

    # A process killed mid-ingest leaves "running" behind: reported as stopped, not running forever.
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = IngestStatus(state="running", phase="embedding", done=3, total=9, process=int(gone.stdout))
    other.status_file.write_text(stale.model_dump_json(), encoding="utf-8")
    reported = other.status()
    assert reported.state == "failed" and reported.error and "stopped" in reported.error
    other.status_file.write_text(json.dumps(done), encoding="utf-8")


def _labelled() -> list[tuple[str, str]]:
    lines = (HERE.parent / "store" / "unanswerable_questions.txt").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line.strip() and not line.startswith("#")]  # type: ignore[misc]


def test_the_csv_export_lists_refused_questions_by_topic_with_counts(admin_server: AdminServer) -> None:
    labelled = _labelled()
    assert len(labelled) >= 20
    now = datetime.now(UTC)
    asked = [AskedQuestion(now, question, "en", "not_found", 0.1, False) for _, question in labelled]
    bus = next(question for label, question in labelled if label == "bus")
    asked += [AskedQuestion(now, bus, "en", "not_found", 0.1, False)]  # asked twice
    asked += [AskedQuestion(now, '=HYPERLINK("http://evil.example","click")', "en", "not_found", 0.1, False)]
    # The module's server also records what the other tests asked it (its recorder writes from a
    # thread of its own): let it finish, then count only what is added here.
    assert admin_server.app.state.recorder.flush()
    with admin_server.client(signed_in=True) as client:
        before = list(csv.DictReader(io.StringIO(client.get("/api/admin/insights/export.csv").text)))
    add_questions(admin_server.app.state.recorder.store, asked)

    with admin_server.client(signed_in=True) as client:
        reply = client.get("/api/admin/insights/export.csv")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
    assert reply.headers["content-disposition"].startswith('attachment; filename="insights-unanswered-topics-')
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert list(rows[0]) == ["topic", "questions", "distinct", "examples"]
    earlier = sum(int(row["questions"]) for row in before), sum(int(row["distinct"]) for row in before)
    assert sum(int(row["questions"]) for row in rows) == earlier[0] + len(asked)
    assert sum(int(row["distinct"]) for row in rows) == earlier[1] + len(labelled) + 1
    label_of = {question: label for label, question in labelled}
    bus_row = next(row for row in rows if label_of.get(row["topic"]) == "bus")
    assert int(bus_row["questions"]) == int(bus_row["distinct"]) + 1  # the repeat is counted, listed once
    assert len(rows) < len(labelled) + len(before)  # grouped, not one row a question
    cells = [cell for row in rows for cell in row.values()]
    assert not any(cell.startswith("=") for cell in cells)  # a parent's text never runs as a formula
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)


@pytest.fixture(autouse=True)
def _no_ingest_left_running(admin_server: AdminServer) -> Iterator[None]:
    yield
    assert admin_server.app.state.ingest_jobs.wait(120)
