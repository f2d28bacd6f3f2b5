"""A real server for the admin tests: a small corpus of its own (two short plans, in tmp), indexed
once with the real bundled models, served by uvicorn with an admin token and password."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from assistant.admin.passwords import hash_password
from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.settings import Settings
from tests.admin.plans import ARTS, MEALS
from tests.conftest import CORPUS, ingest_with, make_settings, serve

TOKEN = "admin-test-token"
PASSWORD = "correct horse battery staple"
SCHOOL_SITE = "http://school.example"  # a site allowed to embed the widget: not an admin page
UNLIMITED = "100000/minute"


@dataclass
class AdminServer:
    base: str
    app: FastAPI
    settings: Settings

    def client(self, signed_in: bool = False) -> httpx.Client:
        """A client of this server; signed in with the Bearer token when asked."""
        headers = {"Authorization": f"Bearer {TOKEN}"} if signed_in else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=60)


def small_corpus(folder: Path) -> Path:
    """Two short Markdown plans and a manifest naming them (the district's as the real corpus's)."""
    folder.mkdir(parents=True)
    (folder / "school-meals.md").write_text(MEALS, encoding="utf-8")
    (folder / "arts.md").write_text(ARTS, encoding="utf-8")
    district = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["district"]
    documents = [
        {"doc_id": "school-meals", "title": "School Meals Plan", "kind": "plan", "file": "school-meals.md"},
        {"doc_id": "arts", "title": "Arts Plan", "kind": "plan", "file": "arts.md", "edition": "2024"},
    ]
    manifest = {"district": district, "documents": documents}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


def admin_settings(root: Path, **overrides: object) -> Settings:
    return make_settings(
        root / "data",
        small_corpus(root / "corpus"),
        admin_token=SecretStr(TOKEN),
        admin_password_hash=SecretStr(hash_password(PASSWORD)),
        database_url=SecretStr(f"sqlite:///{root / 'store.sqlite3'}"),
        refresh_seconds=1.0,
        allowed_origins=[SCHOOL_SITE],
        rate_limit_ask=UNLIMITED,
        rate_limit_other=UNLIMITED,
        rate_limit_login=UNLIMITED,
        max_document_bytes=2_000_000,  # a plan of a page is a few kilobytes; the cap is tested
        **overrides,
    )


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory: pytest.TempPathFactory, embedders: dict[str, Embedder]) -> Iterator[AdminServer]:
    """One per test module: its corpus and index are changed by the module's tests, in order."""
    settings = admin_settings(tmp_path_factory.mktemp("admin"))
    ingest_with(settings, embedders)
    app = create_app(settings, embedders)
    for base in serve(app):
        yield AdminServer(base, app, settings)
