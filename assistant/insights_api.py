"""The admin insights routes, GET /api/admin/insights/..., and the store's place in the app.

Each route asks for `Authorization: Bearer <PLAN_ASSISTANT_ADMIN_TOKEN>` (require_admin): 401
without a token, 403 with a wrong one, 503 when no token is configured (the routes are off).
The admin login of issue 23 will replace the token with its own dependency of the same name.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.embedding import Embedder, build_embedder
from assistant.errors import AdminNotConfigured, AdminTokenMissing, AdminTokenRejected
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
    thumbs_down,
    unanswered_topics,
)
from assistant.schemas import ErrorReply
from assistant.settings import Settings
from assistant.store.database import Store, open_store
from assistant.store.questions import QuestionRecorder

_bearer = HTTPBearer(auto_error=False)  # its own 403 would not be on our error shape
Weeks = Annotated[int, Query(ge=1, le=520, description="Weeks back, the current one included.")]
ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {status: {"model": ErrorReply} for status in (401, 403, 422, 503)}


def require_admin(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """Let the request through only with the configured admin token."""
    expected = request.app.state.admin_token
    if expected is None:
        raise AdminNotConfigured("the admin routes are off: set PLAN_ASSISTANT_ADMIN_TOKEN on the server")
    if credentials is None:
        raise AdminTokenMissing("send the admin token as 'Authorization: Bearer <token>'")
    if not hmac.compare_digest(credentials.credentials.encode(), expected.get_secret_value().encode()):
        raise AdminTokenRejected("the admin token is not the one this server was given")


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

    return router


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
    app.state.admin_token = settings.admin_token
    app.include_router(insights_router(settings, store))
    app.add_exception_handler(AdminTokenMissing, _unauthorized)
    return recorder
