"""HTTP layer: validates, calls PlanAssistant, serialises. Nothing here knows how answers are made."""

from __future__ import annotations

import asyncio
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
from fastapi.sse import EventSourceResponse, ServerSentEvent
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from assistant.admin.documents_api import DOCUMENT_UPLOADS
from assistant.admin.install import install_admin
from assistant.embedding import Embedder, serving_embedders
from assistant.errors import AssistantError
from assistant.http_errors import install_error_handlers, require_json
from assistant.http_limits import BodyLimit, RateLimit, Slots
from assistant.insights_api import install_store
from assistant.observability import Metrics, RequestLog, metrics_router, note
from assistant.pdf_worker import PdfReaders
from assistant.proposal_files import decoded_text, kind_of
from assistant.schemas import AlignReply, AlignRequest, Answer, AskRequest, ErrorReply, Framework
from assistant.service import PlanAssistant, answer_events
from assistant.serving import ServedAssistant
from assistant.settings import Settings, get_settings
from assistant.web import allow_embedding, web_router
from assistant.web_security import HostCheck, SecurityHeaders

log = logging.getLogger(__name__)


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error replies a route may give, for its OpenAPI entry (all on the ErrorReply shape).
    Every /api/ route may be refused by the origin check (403) or the rate limit (429)."""
    return {status: {"model": ErrorReply} for status in sorted({403, 429, *statuses})}


ASK_ERRORS = errors(409, 413, 415, 422, 503)
# The stream's errors before it starts are JSON too (FastAPI would list them as text/event-stream);
# 409/503 from the index arrive as an `error` event once it has started.
STREAM_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorReply"}}}}
    for status in errors(413, 415, 422, 503)
}
READ_ERRORS = errors(409, 503)
JSON_ONLY = [Depends(require_json)]


@dataclass
class StreamCounts:
    """How streams ended, since the process started (read by tests and operators)."""

    completed: int = 0
    failed: int = 0
    cancelled: int = 0  # the client went away: the remaining events were never produced


def current_assistant(request: Request) -> PlanAssistant:
    """The process's assistant (assistant/serving.py): built on first use if the index was empty at
    start-up, and serving a re-ingest by another process within refresh_seconds."""
    served: ServedAssistant = request.app.state.served
    return served.get()


Assistant = Annotated[PlanAssistant, Depends(current_assistant)]


def create_app(
    settings: Settings | None = None,
    embedders: dict[str, Embedder] | None = None,
) -> FastAPI:
    """Build the app; models and the index are loaded once, in the lifespan."""
    settings = settings or get_settings()
    metrics = Metrics()
    answering = Slots(settings.max_concurrent_answers, settings.answer_wait_seconds, "questions")
    aligning = Slots(settings.max_concurrent_aligns, settings.answer_wait_seconds, "proposals")
    pdfs = PdfReaders(
        settings.pdf_workers, settings.pdf_queue, settings.pdf_seconds, settings.pdf_memory_mb, settings.pdf_max_pages
    )
    index_reloads: dict[str, int] = {}
    metrics.watch("plan_assistant_pdf_reads", "Uploaded PDFs by outcome", "outcome", lambda: pdfs.outcomes)
    metrics.watch("plan_assistant_index_reloads", "Re-ingests picked up by this server", "kind", lambda: index_reloads)

    served = ServedAssistant(settings, index_reloads)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        models = embedders or serving_embedders(settings)
        app.state.embedders = models
        app.state.settings = settings
        app.state.served = served
        app.state.streams = StreamCounts()
        app.state.pdfs = pdfs
        app.state.index_reloads = index_reloads
        await run_in_threadpool(served.start, models)
        watcher = asyncio.create_task(served.watch())  # picks up each new index generation
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    app = FastAPI(
        title="PUSD Plan Assistant",
        description="Answers questions about Pasadena Unified's Strategic Plan and Educational Master Plan "
        'with verbatim, cited passages. Every error is `{"error": code, "message": text}`; 429 and 503 '
        "carry Retry-After.",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)

    recorder = install_store(app, settings)  # the questions log and /api/admin/insights/...
    install_admin(app, settings)  # sign-in, /api/admin/documents, /api/admin/ingest, the /admin page

    # A slot is taken before anything else uses a thread of the pool (current_assistant, the answer):
    # under a flood the waiting requests hold no thread, only a coroutine, and give up in time.
    async def answer_slot() -> AsyncIterator[None]:
        async with answering.held():
            yield

    async def align_slot() -> AsyncIterator[None]:
        async with aligning.held():
            yield

    async def answer(request: Request, plan_assistant: PlanAssistant, body: AskRequest) -> Answer:
        """The one pipeline behind /api/ask and /api/ask/stream, off the event loop (inside a slot)."""
        history = body.history[-settings.max_history_turns :]
        reply = await run_in_threadpool(plan_assistant.ask, body.question, history, body.lang)
        recorder.record(body.question, reply, follow_up=bool(history))  # queued: never slows or fails the answer
        note(request, answer_status=reply.status, question=body.question)
        return reply

    @app.post("/api/ask", response_model=Answer, responses=ASK_ERRORS, dependencies=[*JSON_ONLY, Depends(answer_slot)])
    async def ask(request: Request, body: AskRequest, plan_assistant: Assistant) -> Answer:
        """Answer a question from the plans' own sentences, with citations; or refuse (grounded: false).
        503 `busy` (with Retry-After) when every answering slot stays taken for a moment."""
        return await answer(request, plan_assistant, body)

    @app.post("/api/ask/stream", response_class=EventSourceResponse, responses=STREAM_ERRORS, dependencies=JSON_ONLY)
    async def ask_stream(body: AskRequest, request: Request) -> AsyncIterator[ServerSentEvent]:
        """The same answer as /api/ask, as Server-Sent Events: `citations`, then `delta` events with
        the answer's text, then `done` with the whole reply. A failure is an `error` event
        `{"error": code, "message": ...}`; a client that disconnects stops the stream."""
        counts: StreamCounts = request.app.state.streams
        try:
            async with answering.held():
                reply = await answer(request, current_assistant(request), body)
            for event, data in answer_events(reply):
                if await request.is_disconnected():  # nobody is listening: produce nothing more
                    counts.cancelled += 1
                    return
                yield ServerSentEvent(event=event, data=data)
        except AssistantError as error:  # no index yet (503), model mismatch (409), busy: said, not dropped
            counts.failed += 1
            note(request, outcome=error.code)
            yield ServerSentEvent(event="error", data={"error": error.code, "message": error.message})
            return
        except Exception:  # anything else still ends the stream with an event, and is logged
            counts.failed += 1
            log.exception("stream failed")
            note(request, outcome="internal_error")
            yield ServerSentEvent(
                event="error", data={"error": "internal_error", "message": "the answer could not be completed"}
            )
            return
        except BaseException:  # cancelled: the client went away, so the rest is never produced
            counts.cancelled += 1
            raise
        counts.completed += 1

    @app.get("/api/framework", response_model=Framework, responses=READ_ERRORS)
    async def framework(plan_assistant: Assistant) -> Framework:
        """The plan framework read from the documents: frameworks, groups and goals, each verbatim with its page."""
        return plan_assistant.framework()

    @app.post(
        "/api/align", response_model=AlignReply, responses=ASK_ERRORS, dependencies=[*JSON_ONLY, Depends(align_slot)]
    )
    async def align(body: AlignRequest, plan_assistant: Assistant) -> AlignReply:
        """Which goals of the plan a proposal serves (aligned / partial), with the plan's words as evidence.
        A long input (a whole site plan) is scored by part, and each goal says which parts match it."""
        return await run_in_threadpool(plan_assistant.align, body.text)

    @app.post(
        "/api/align/file",
        response_model=AlignReply,
        responses=errors(409, 413, 415, 422, 503),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in UPLOAD_TYPES},
            }
        },
    )
    async def align_file(request: Request) -> AlignReply:
        """The same as /api/align for a proposal sent as the request body: a .txt, .md or .pdf file,
        with its media type as Content-Type (what the staff page's upload sends). A PDF is read in a
        child process with a page, memory and time bound: 413 or 422 when it is past them, encrypted
        or broken; 503 `busy` when too many are being read already."""
        kind = kind_of(request.headers.get("content-type", ""))  # 415 before the body is read
        data = await request.body()  # 413 past max_upload_bytes (BodyLimit)
        text = decoded_text(data) if kind == "text" else await pdfs.text(data)
        try:
            body = AlignRequest(text=text)
        except ValidationError as error:  # empty, or longer than a proposal may be
            raise RequestValidationError(error.errors()) from error
        async with aligning.held():  # the index is looked at only now: a refused upload costs no thread
            plan_assistant = await run_in_threadpool(current_assistant, request)
            return await run_in_threadpool(plan_assistant.align, body.text)

    @app.get("/api/health", responses=errors())
    async def health() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/api/ready", responses=READ_ERRORS)
    async def ready(plan_assistant: Assistant) -> dict[str, str | int]:
        """The index is loaded and answering (503 until the first ingest)."""
        return {"status": "ready", "passages": len(plan_assistant.retriever.passages)}

    app.include_router(web_router(settings))  # the demo and staff pages, widget.js, /api/feedback
    app.include_router(metrics_router(metrics, settings.metrics_clients))
    corpus = Path(settings.corpus_dir)
    if corpus.is_dir():
        app.mount("/corpus", StaticFiles(directory=corpus), name="corpus")
    _guard(app, settings, metrics)
    return app


UPLOAD_TYPES = ("text/plain", "text/markdown", "application/pdf")
UPLOADS = ("/api/align/file",)  # routes whose body is a file: max_upload_bytes, not max_body_bytes


def _guard(app: FastAPI, settings: Settings, metrics: Metrics) -> None:
    """The middleware, listed innermost first (Starlette runs the last added first). A request meets:
    the proxy rewrite of its client address, the request log, the security headers, the host check,
    the origin check, CORS, then the rate limit (inside CORS, so a widget on an allowed site can read
    its 429), then the body limit and the route."""
    uploads = dict.fromkeys(UPLOADS, settings.max_upload_bytes) | dict.fromkeys(
        DOCUMENT_UPLOADS, settings.max_document_bytes
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, uploads=uploads)
    app.add_middleware(RateLimit, settings=settings)
    allow_embedding(app, settings)  # CORS, then the origin check outside it
    app.add_middleware(HostCheck, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLog, metrics=metrics, log_questions=settings.log_questions)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
