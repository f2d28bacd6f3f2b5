"""The admin area in the app: sign-in, the documents routes, their ingest, and the /admin page."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse

from assistant.admin.auth import auth_router
from assistant.admin.documents import Documents
from assistant.admin.documents_api import documents_router
from assistant.admin.ingest_jobs import IngestJobs
from assistant.embedding import Embedder, build_embedder
from assistant.settings import Settings
from assistant.web import STATIC
from assistant.web_security import page_csp


def install_admin(app: FastAPI, settings: Settings) -> IngestJobs:
    """Routes under /api/admin (each behind require_admin but the sign-in) and GET /admin."""

    def embedder(key: str) -> Embedder:  # the server's own models, loaded in its lifespan
        served: dict[str, Embedder] = getattr(app.state, "embedders", {})
        return served.get(key) or build_embedder(key, settings.model_cache_dir)

    jobs = IngestJobs(settings, embedder, on_success=lambda: app.state.served.refresh(True))
    app.state.ingest_jobs = jobs
    app.include_router(auth_router())
    app.include_router(documents_router(Documents(settings), jobs))
    app.include_router(page_router())
    return jobs


def page_router() -> APIRouter:
    router = APIRouter()
    page = (STATIC / "admin.html").read_text(encoding="utf-8")
    policy = {"Content-Security-Policy": page_csp(page), "Cache-Control": "no-store"}

    @router.get("/admin", response_class=HTMLResponse, include_in_schema=False)
    async def admin_page() -> HTMLResponse:
        """Sign in, manage the plans, watch the ingest, read the insights."""
        return HTMLResponse(page, headers=policy)

    return router
