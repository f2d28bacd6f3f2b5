"""The OpenAPI schema against the server (issue 22, item 10): schemathesis generates requests for every
operation the schema lists, valid and invalid, sends them to the real app under uvicorn (on the
session's index, real models), and checks each reply: never a 5xx, status and body as the schema
says. A bounded number of examples per operation keeps this to a minute or two."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from pydantic import SecretStr
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from schemathesis.schemas import APIOperation

from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.settings import Settings
from tests.conftest import serve

pytestmark = pytest.mark.slow

EXAMPLES = 25  # per operation and generation mode
ADMIN_TOKEN = "contract-test-token"  # the admin routes are fuzzed signed in, as their users call them


@pytest.fixture(scope="module")
def base_url(built_settings: Settings, embedders: dict[str, Embedder], tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    data = tmp_path_factory.mktemp("contract-data")  # feedback is written here, not in the shared index
    data.joinpath("chroma").symlink_to(built_settings.chroma_path, target_is_directory=True)
    corpus = tmp_path_factory.mktemp("contract-corpus")  # nothing generated ever reaches corpus/
    shutil.copytree(built_settings.corpus_dir, corpus, dirs_exist_ok=True)
    unlimited = "100000/minute"  # generated requests test the contract, not the rate limit
    app_settings = built_settings.model_copy(
        update={
            "data_dir": data,
            "rate_limit_ask": unlimited,
            "rate_limit_align": unlimited,
            "rate_limit_feedback": unlimited,
            "rate_limit_other": unlimited,
            "rate_limit_login": unlimited,
            "corpus_dir": corpus,
            "pdf_queue": 20,
            "max_concurrent_aligns": 4,
            "answer_wait_seconds": 30.0,
            "admin_token": SecretStr(ADMIN_TOKEN),
        }
    )
    yield from serve(create_app(app_settings, embedders))


@pytest.fixture(scope="module")
def operations(base_url: str) -> list[APIOperation]:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def test_the_schema_lists_every_api_route(operations: list[APIOperation]) -> None:
    assert {operation.label for operation in operations} == {
        "POST /api/ask",
        "POST /api/ask/stream",
        "GET /api/framework",
        "POST /api/align",
        "POST /api/align/file",
        "GET /api/health",
        "GET /api/ready",
        "POST /api/feedback",
        "GET /api/admin/insights",
        "GET /api/admin/insights/by-week",
        "GET /api/admin/insights/statuses",
        "GET /api/admin/insights/unanswered-topics",
        "GET /api/admin/insights/thumbs-down",
        "GET /api/admin/insights/cited-sections",
        "GET /api/admin/insights/export.csv",
        "POST /api/admin/login",
        "POST /api/admin/logout",
        "GET /api/admin/session",
        "GET /api/admin/documents",
        "POST /api/admin/documents",
        "PUT /api/admin/documents/{file}/file",
        "PATCH /api/admin/documents/{file}",
        "DELETE /api/admin/documents/{file}",
        "GET /api/admin/ingest",
        "POST /api/admin/ingest",
    }


def test_the_upload_form_describes_its_fields_as_the_route_checks_them(base_url: str) -> None:
    """The add form's schema is EntryFields': a client reads that `featured` is a flag and a title's
    limits before sending, rather than learning them from a 422."""
    openapi = httpx.get(f"{base_url}/openapi.json").json()
    form = openapi["paths"]["/api/admin/documents"]["post"]["requestBody"]["content"]["multipart/form-data"]
    fields = form["schema"]["properties"]
    assert {"type": "boolean"} in fields["featured"]["anyOf"]
    assert (fields["title"]["minLength"], fields["title"]["maxLength"]) == (1, 300)
    assert fields["language"]["pattern"] == "^[a-z]{2}$"
    assert form["schema"]["required"] == ["file", "title"]


# Operations that change the corpus and start an ingest: generated requests would ingest into the
# session's shared index (this server's data folder points at it). tests/admin checks them instead.
CHANGES_THE_CORPUS = {
    "POST /api/admin/documents",
    "PUT /api/admin/documents/{file}/file",
    "PATCH /api/admin/documents/{file}",
    "DELETE /api/admin/documents/{file}",
    "POST /api/admin/ingest",
}


def checker(operation: APIOperation, mode: GenerationMode) -> Callable[[], None]:
    """A Hypothesis test of one operation: EXAMPLES generated requests, each sent and checked."""
    # The upload's schema is "any bytes": it cannot say "a readable PDF or UTF-8 text", so a
    # schema-valid body may rightly be refused (422 unreadable_proposal) there, and only there.
    skipped = [positive_data_acceptance] if operation.path == "/api/align/file" else []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def check(case: schemathesis.Case) -> None:
        # Valid requests to the admin routes are signed in; invalid ones go as generated (a missing
        # or wrong Authorization is theirs to test, and a 401 is the refusal expected).
        admin = operation.path.startswith("/api/admin/") and mode == GenerationMode.POSITIVE
        signed_in = {"Authorization": f"Bearer {ADMIN_TOKEN}"} if admin else {}
        case.call_and_validate(timeout=60, excluded_checks=skipped, headers=signed_in)

    return check  # type: ignore[no-any-return]


# (schemathesis.pytest.from_fixture, the usual pytest route, fails under pytest 9 in schemathesis
# 4.32.5: 'Function' object has no attribute '_nodeid'; the strategies it wraps are used directly.)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_keeps_to_its_schema(operations: list[APIOperation], mode: GenerationMode) -> None:
    failures: dict[str, str] = {}
    for operation in (o for o in operations if o.label not in CHANGES_THE_CORPUS):
        try:
            checker(operation, mode)()
        except Unsatisfiable:  # no parameters, or any bytes: nothing can be made invalid for this one
            assert mode == GenerationMode.NEGATIVE, operation.label
        except Exception as failure:  # each operation's failures are collected, then reported together
            failures[operation.label] = str(failure)[:3000]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
