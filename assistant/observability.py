"""What the server did, for its operator: one JSON log line per request and Prometheus metrics.

RequestLog (ASGI middleware, outermost but for the proxy-header rewrite) gives each request an id
(the client's X-Request-ID when it is a short token, else a new one, echoed back), and when the
response is done logs `request` with the route template, status, latency in ms, client address,
the outcome a route noted (an answer's status) and, for every 4xx/5xx, the reason: the error code
and message of the body the server sent, or the exception. The question itself is personal: it is
logged only with PLAN_ASSISTANT_LOG_QUESTIONS=true. The same pass counts requests by route and
status, latencies, and answers by status for GET /metrics.

Logging is configured once, by `logging_config` handed to uvicorn (assistant/http_server.py):
python-json-logger formats every record, uvicorn's and pypdf's included, as one JSON object.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.http_errors import error_response
from assistant.http_limits import client_address
from assistant.settings import Settings

log = logging.getLogger("assistant.requests")

NOTES = "plan_assistant.notes"  # scope key: what a route adds to its request's log line
_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


def logging_config(settings: Settings) -> dict[str, Any]:
    """A logging.dictConfig: every record as one JSON line on stderr; uvicorn's access log is off,
    since RequestLog writes a richer line for each request."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            }
        },
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": settings.log_level.upper()},
        "loggers": {"uvicorn": {"level": "INFO"}, "uvicorn.access": {"level": "WARNING"}},
    }


def note(request: Request, **fields: object) -> None:
    """Add fields to this request's log line (e.g. outcome="answered", question=...)."""
    request.scope.setdefault(NOTES, {}).update(fields)


class _Counts(Collector):
    """A counter kept elsewhere as a plain dict (e.g. PdfReaders.outcomes), read at scrape time."""

    def __init__(self, name: str, documentation: str, label: str, counts: Callable[[], dict[str, int]]) -> None:
        self.name, self.documentation, self.label, self.counts = name, documentation, label, counts

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(self.name, self.documentation, labels=[self.label])
        for value, count in sorted(self.counts().items()):
            family.add_metric([value], count)
        yield family


class Metrics:
    """One registry per app (tests build many apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "plan_assistant_http_requests", "HTTP requests by route and status", ["method", "route", "status"],
            registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "plan_assistant_http_request_duration_seconds", "Time to the end of the response, by route", ["route"],
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.answers = Counter(
            "plan_assistant_answers", "Answers to questions by status (answered, uncertain, not_found)", ["status"],
            registry=self.registry,
        )  # fmt: skip

    def watch(self, name: str, documentation: str, label: str, counts: Callable[[], dict[str, int]]) -> None:
        self.registry.register(_Counts(name, documentation, label, counts))


def _reason(status: int, body: bytes) -> str:
    try:
        reply = json.loads(body)
        return f"{reply['error']}: {reply['message']}"[:300]
    except (ValueError, KeyError, TypeError):
        return body.decode("utf-8", "replace")[:300] or str(status)


class RequestLog:
    def __init__(self, app: ASGIApp, metrics: Metrics, log_questions: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.log_questions = log_questions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        request_id = given if _TOKEN.fullmatch(given) else uuid.uuid4().hex
        notes: dict[str, object] = scope.setdefault(NOTES, {})
        status = 0
        error_body = bytearray()

        async def send_logged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            elif message["type"] == "http.response.body" and status >= 400 and len(error_body) < 2000:
                error_body.extend(message.get("body", b""))
            await send(message)

        failure: BaseException | None = None
        try:
            await self.app(scope, receive, send_logged)
        except BaseException as error:  # logged here, then raised on to the server as before
            failure = error
            raise
        finally:
            self._record(scope, request_id, status, started, notes, error_body, failure)

    def _record(
        self,
        scope: Scope,
        request_id: str,
        status: int,
        started: float,
        notes: dict[str, object],
        error_body: bytearray,
        failure: BaseException | None,
    ) -> None:
        seconds = time.perf_counter() - started
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        if failure is not None and status == 0:
            status = 500 if isinstance(failure, Exception) else 499  # 499: the client went away (cancelled)
        line: dict[str, object] = {
            "request_id": request_id,
            "method": scope["method"],
            "route": route,
            "status": status,
            "latency_ms": round(seconds * 1000, 1),
            "client": client_address(scope),
        }
        if route == "unmatched":
            line["path"] = scope["path"][:200]
        for key, value in notes.items():
            if key != "question" or self.log_questions:
                line[key] = value
        if failure is not None:
            line["reason"] = f"{type(failure).__name__}: {failure}"[:300]
        elif status >= 400:
            line["reason"] = _reason(status, bytes(error_body))
        log.log(logging.ERROR if status >= 500 else logging.INFO, "request", extra=line)
        self.metrics.requests.labels(scope["method"], route, str(status)).inc()
        self.metrics.latency.labels(route).observe(seconds)
        if isinstance(notes.get("answer_status"), str):
            self.metrics.answers.labels(notes["answer_status"]).inc()


def metrics_router(metrics: Metrics, allowed_clients: list[str]) -> APIRouter:
    """GET /metrics in Prometheus' text format, for the addresses in PLAN_ASSISTANT_METRICS_CLIENTS."""
    networks = [ipaddress.ip_network(entry, strict=False) for entry in allowed_clients]
    router = APIRouter()

    def allowed(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)

    @router.get("/metrics", include_in_schema=False)
    async def prometheus(request: Request) -> Response:
        if not allowed(client_address(request.scope)):
            refusal = "metrics are served to the addresses in PLAN_ASSISTANT_METRICS_CLIENTS only"
            return error_response(403, "forbidden", refusal)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router
