"""The admin insights routes, GET /api/admin/insights/..., and the store's place in the app.

Each route asks for the admin token or a sign-in at /admin (assistant/admin/auth.py, require_admin):
401 without either, 403 with a wrong one, 503 when neither a token nor a password is configured.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from assistant.admin.auth import AdminAuth, require_admin
from assistant.embedding import Embedder, build_embedder
from assistant.errors import AdminTokenMissing
from assistant.insights import (
    CitedSection,
    InsightsReport,
    StatusShare,
    ThumbsDown,
    Topic,
    WeekCount,
    answer_statuses,
    build_report,
    cited_sections,
    period_start,
    questions_by_week,
    table_rows,
    thumbs_down,
    unanswered_topics,
)
from assistant.schemas import ErrorReply
from assistant.settings import Settings
from assistant.store.database import Store, open_store
from assistant.store.questions import QuestionRecorder

Weeks = Annotated[int, Query(ge=1, le=520, description="Weeks back, the current one included.")]
Table = Annotated[
    Literal["unanswered_topics", "by_week", "statuses", "thumbs_down", "cited_sections"],
    Query(description="Which table of the report."),
]
ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {status: {"model": ErrorReply} for status in (401, 403, 422, 503)}


def _minilm(request: Request, settings: Settings) -> Embedder:
    """The server's MiniLM, or one loaded on first use when the server serves without it."""
    state = request.app.state
    embedder = state.embedders.get("minilm") or getattr(state, "topic_embedder", None)
    if embedder is None:
        embedder = state.topic_embedder = build_embedder("minilm", settings.model_cache_dir)
    return embedder


def insights_router(settings: Settings, store: Store) -> APIRouter:
    """Five tables and the whole report, each over the last `weeks` weeks."""
    router = APIRouter(prefix="/api/admin/insights", dependencies=[Depends(require_admin)], responses=ADMIN_ERRORS)

    @router.get("", response_model=InsightsReport)
    async def report(request: Request, weeks: Weeks = settings.insights_weeks) -> InsightsReport:
        """Every table below in one reply."""
        embedder = _minilm(request, settings)
        return await run_in_threadpool(build_report, store, embedder, settings.topic_distance, weeks)

    @router.get("/by-week", response_model=list[WeekCount])
    def by_week(weeks: Weeks = settings.insights_weeks) -> list[WeekCount]:
        """Questions asked, by week (from Monday, UTC) and language."""
        return questions_by_week(store, period_start(weeks))

    @router.get("/statuses", response_model=list[StatusShare])
    def statuses(weeks: Weeks = settings.insights_weeks) -> list[StatusShare]:
        """How many questions were answered, uncertain and not found, and their shares."""
        return answer_statuses(store, period_start(weeks))

    @router.get("/unanswered-topics", response_model=list[Topic])
    async def topics(request: Request, weeks: Weeks = settings.insights_weeks) -> list[Topic]:
        """The questions the plans could not answer (not_found, uncertain), grouped by topic, largest first."""
        embedder = _minilm(request, settings)
        since = period_start(weeks)
        return await run_in_threadpool(unanswered_topics, store, since, embedder, settings.topic_distance)

    @router.get("/thumbs-down", response_model=list[ThumbsDown])
    def down(weeks: Weeks = settings.insights_weeks) -> list[ThumbsDown]:
        """Answers parents rated down, with their comments, newest first."""
        return thumbs_down(store, period_start(weeks))

    @router.get("/cited-sections", response_model=list[CitedSection])
    def cited(weeks: Weeks = settings.insights_weeks) -> list[CitedSection]:
        """The plans' sections that answers cited most."""
        return cited_sections(store, period_start(weeks))

    @router.get(
        "/export.csv",
        response_class=Response,
        responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    )
    async def export_csv(
        request: Request, table: Table = "unanswered_topics", weeks: Weeks = settings.insights_weeks
    ) -> Response:
        """One table of the report as CSV (UTF-8, a header row; lists joined by " | "): by default the
        questions the plans could not answer, grouped by topic with their counts."""
        embedder = _minilm(request, settings)
        report = await run_in_threadpool(build_report, store, embedder, settings.topic_distance, weeks)
        columns, rows = table_rows(report, table)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)
        name = f"insights-{table.replace('_', '-')}-{report.since:%Y-%m-%d}.csv"
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return router


def spreadsheet_safe(cell: str) -> str:
    """Parents wrote these questions: a cell that a spreadsheet would run as a formula ("=HYPERLINK(...")
    is kept as text by a leading apostrophe (OWASP's advice for CSV injection)."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


async def _unauthorized(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AdminTokenMissing)
    # RFC 9110: a 401 names the scheme the client should use.
    return JSONResponse(
        {"error": error.code, "message": error.message}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
    )


def install_store(app: FastAPI, settings: Settings) -> QuestionRecorder:
    """The question recorder (migrations run as it starts) and the admin insights routes."""
    store = open_store(settings)
    recorder = QuestionRecorder(settings, store)
    app.state.recorder = recorder
    app.state.admin_auth = AdminAuth.from_settings(settings)
    app.include_router(insights_router(settings, store))
    app.add_exception_handler(AdminTokenMissing, _unauthorized)
    return recorder
