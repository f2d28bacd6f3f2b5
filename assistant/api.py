"""HTTP layer: validates, calls PlanAssistant, serialises. Nothing here knows how answers are made."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError

from assistant.embedding import Embedder, build_embedders
from assistant.errors import AssistantError, ProposalTooLarge
from assistant.insights_api import install_store
from assistant.proposal_files import proposal_text
from assistant.schemas import AlignReply, AlignRequest, Answer, AskRequest, ErrorReply, Framework
from assistant.service import PlanAssistant, answer_events
from assistant.settings import Settings, get_settings
from assistant.web import allow_embedding, web_router

log = logging.getLogger(__name__)

MAX_PROPOSAL_FILE_BYTES = 5_000_000
ERRORS: dict[int | str, dict[str, Any]] = {status: {"model": ErrorReply} for status in (403, 409, 422, 503)}
STREAM_ERRORS: dict[int | str, dict[str, Any]] = {status: {"model": ErrorReply} for status in (403, 422)}


def _readable(error: RequestValidationError) -> str:
    """One line a person can act on, e.g. "question: String should have at most 2000 characters"."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "body") or "body"
        message = str(item.get("msg", "invalid")).removeprefix("Value error, ")
        if item.get("type") == "json_invalid":
            where, message = "body", "is not valid JSON"
        elif item.get("type") == "model_attributes_type":
            message = 'must be a JSON object like {"question": "..."}'
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


@dataclass
class StreamCounts:
    """How streams ended, since the process started (read by tests and operators)."""

    completed: int = 0
    failed: int = 0
    cancelled: int = 0  # the client went away: the remaining events were never produced


def current_assistant(request: Request) -> PlanAssistant:
    """The process's assistant; built on first use if the index was empty at start-up."""
    state = request.app.state
    if state.assistant is None:
        state.assistant = PlanAssistant(state.settings, state.embedders)  # raises 503 / 409 errors
    else:
        state.assistant.refresh_if_changed()
    return state.assistant


Assistant = Annotated[PlanAssistant, Depends(current_assistant)]


def create_app(
    settings: Settings | None = None,
    embedders: dict[str, Embedder] | None = None,
) -> FastAPI:
    """Build the app; models and the index are loaded once, in the lifespan."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        models = embedders or build_embedders(settings.embedding_models, settings.model_cache_dir)
        app.state.embedders = models
        app.state.settings = settings
        app.state.assistant = None
        app.state.streams = StreamCounts()
        # No index yet (503) or one built by another model (409): the process stays up and
        # every request reports the error until an ingest fixes it.
        with contextlib.suppress(AssistantError):
            app.state.assistant = PlanAssistant(settings, models)
        yield

    app = FastAPI(
        title="PUSD Plan Assistant",
        description="Answers questions about Pasadena Unified's Strategic Plan and Educational Master Plan "
        "with verbatim, cited passages.",
        version="0.1.0",
        lifespan=lifespan,
    )

    recorder = install_store(app, settings)  # the questions log and /api/admin/insights/...

    @app.exception_handler(AssistantError)
    async def _assistant_error(request: Request, error: AssistantError) -> JSONResponse:
        return JSONResponse({"error": error.code, "message": error.message}, status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "invalid_request", "message": _readable(error)}, status_code=422)

    async def answer(plan_assistant: PlanAssistant, body: AskRequest) -> Answer:
        """The one pipeline behind /api/ask and /api/ask/stream, off the event loop."""
        history = body.history[-settings.max_history_turns :]
        reply = await run_in_threadpool(plan_assistant.ask, body.question, history, body.lang)
        recorder.record(body.question, reply, follow_up=bool(history))  # queued: never slows or fails the answer
        return reply

    @app.post("/api/ask", response_model=Answer, responses=ERRORS)
    async def ask(body: AskRequest, plan_assistant: Assistant) -> Answer:
        """Answer a question from the plans' own sentences, with citations; or refuse (grounded: false)."""
        return await answer(plan_assistant, body)

    @app.post("/api/ask/stream", response_class=EventSourceResponse, responses=STREAM_ERRORS)
    async def ask_stream(body: AskRequest, request: Request) -> AsyncIterator[ServerSentEvent]:
        """The same answer as /api/ask, as Server-Sent Events: `citations`, then `delta` events with
        the answer's text, then `done` with the whole reply. A failure is an `error` event
        `{"error": code, "message": ...}`; a client that disconnects stops the stream."""
        counts: StreamCounts = request.app.state.streams
        try:
            reply = await answer(current_assistant(request), body)
            for event, data in answer_events(reply):
                if await request.is_disconnected():  # nobody is listening: produce nothing more
                    counts.cancelled += 1
                    return
                yield ServerSentEvent(event=event, data=data)
        except AssistantError as error:  # no index yet (503), model mismatch (409): said, not dropped
            counts.failed += 1
            yield ServerSentEvent(event="error", data={"error": error.code, "message": error.message})
            return
        except Exception:  # anything else still ends the stream with an event, and is logged
            counts.failed += 1
            log.exception("stream failed")
            yield ServerSentEvent(
                event="error", data={"error": "internal_error", "message": "the answer could not be completed"}
            )
            return
        except BaseException:  # cancelled: the client went away, so the rest is never produced
            counts.cancelled += 1
            raise
        counts.completed += 1

    @app.get("/api/framework", response_model=Framework, responses=ERRORS)
    async def framework(plan_assistant: Assistant) -> Framework:
        """The plan framework read from the documents: frameworks, groups and goals, each verbatim with its page."""
        return plan_assistant.framework()

    @app.post("/api/align", response_model=AlignReply, responses=ERRORS)
    async def align(body: AlignRequest, plan_assistant: Assistant) -> AlignReply:
        """Which goals of the plan a proposal serves (aligned / partial), with the plan's words as evidence.
        A long input (a whole site plan) is scored by part, and each goal says which parts match it."""
        return await run_in_threadpool(plan_assistant.align, body.text)

    @app.post(
        "/api/align/file",
        response_model=AlignReply,
        responses={status: {"model": ErrorReply} for status in (409, 413, 415, 422, 503)},
        openapi_extra={
            "requestBody": {"content": {kind: {} for kind in ("text/plain", "text/markdown", "application/pdf")}}
        },
    )
    async def align_file(request: Request, plan_assistant: Assistant) -> AlignReply:
        """The same as /api/align for a proposal sent as the request body: a .txt, .md or .pdf file,
        with its media type as Content-Type (what the staff page's upload sends)."""
        data = await request.body()
        if len(data) > MAX_PROPOSAL_FILE_BYTES:
            raise ProposalTooLarge(f"the file is over {MAX_PROPOSAL_FILE_BYTES // 1_000_000} MB")
        text = await run_in_threadpool(proposal_text, data, request.headers.get("content-type", ""))
        try:
            body = AlignRequest(text=text)
        except ValidationError as error:  # empty, or longer than a proposal may be
            raise RequestValidationError(error.errors()) from error
        return await run_in_threadpool(plan_assistant.align, body.text)

    @app.get("/api/health")
    async def health() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/api/ready", responses={503: {"model": ErrorReply}})
    async def ready(plan_assistant: Assistant) -> dict[str, str | int]:
        """The index is loaded and answering (503 until the first ingest)."""
        return {"status": "ready", "passages": len(plan_assistant.retriever.passages)}

    app.include_router(web_router(settings))  # the demo and staff pages, widget.js, /api/feedback
    allow_embedding(app, settings)  # which other sites' pages may call /api/

    corpus = Path(settings.corpus_dir)
    if corpus.is_dir():
        app.mount("/corpus", StaticFiles(directory=corpus), name="corpus")
    return app
