"""What one client may ask of the server, and how much work runs at once.

- BodyLimit: a request body past its route's size is 413 `too_large`: at once when Content-Length
  says so (nothing is read), or as soon as a chunked body passes it. Starlette 1.10 has a
  RequestBodyLimitMiddleware (FastAPI's max_body_size), but it answers plain text "Content Too
  Large" in place of whatever the app replies, so the documented error shape could not be kept.
- RateLimit: requests per client address on every /api/ route and /metrics, counted in a moving
  window by the `limits` package; each group of routes has its own budget from settings. Beyond it,
  429 `rate_limited` with Retry-After (the seconds until the oldest counted request leaves the
  window). The address is the connecting one, or X-Forwarded-For's when the connection comes from
  settings.trusted_proxies (uvicorn's ProxyHeadersMiddleware rewrites it before this runs).
- Slots: at most N questions (or proposals) worked on at once. A request waits a moment for a
  slot and is then answered 503 `busy` with Retry-After, so under a flood every client hears back
  quickly instead of joining a queue that only grows.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.errors import ProposalTooLarge, RateLimited, ServerBusy
from assistant.http_errors import assistant_error_response
from assistant.settings import Settings

GROUPS = (
    ("/api/ask", "ask"),
    ("/api/align", "align"),
    ("/api/feedback", "feedback"),
    ("/api/admin/login", "login"),
    ("/api/", "other"),
)


def route_group(path: str) -> str | None:
    """Which budget a path draws on; None for the pages and widget.js, which are not limited."""
    if path == "/metrics":
        return "other"
    return next((group for prefix, group in GROUPS if path.startswith(prefix)), None)


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class BodyTooLarge(ProposalTooLarge):
    """Raised from receive() when a chunked body passes the limit: the route's handlers answer it."""


class BodyLimit:
    """ASGI middleware: each path of `uploads` (or, for a key ending in "/", each path under it) may
    send its own number of bytes, every other route `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int, uploads: dict[str, int]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.uploads = uploads

    def limit_for(self, path: str) -> int:
        if path in self.uploads:
            return self.uploads[path]
        under = [key for key in self.uploads if key.endswith("/") and path.startswith(key)]
        return self.uploads[max(under, key=len)] if under else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        too_large = BodyTooLarge(f"the request body is over {limit:,} bytes")
        declared = next((value for name, value in scope["headers"] if name == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(too_large, scope, receive, send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large
            return message

        async def noted_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, noted_send)
        except BodyTooLarge:  # read outside a route (none does today): answered here if nothing was sent
            if started:
                raise
            await self._refuse(too_large, scope, receive, send)

    @staticmethod
    async def _refuse(error: BodyTooLarge, scope: Scope, receive: Receive, send: Send) -> None:
        response = assistant_error_response(error)
        response.headers["Connection"] = "close"  # the rest of the body is not worth reading
        await response(scope, receive, send)


class RateLimit:
    """ASGI middleware: 429 past a client's budget for the route's group."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.budgets: dict[str, list[RateLimitItem]] = {
            "ask": parse_many(settings.rate_limit_ask),
            "align": parse_many(settings.rate_limit_align),
            "feedback": parse_many(settings.rate_limit_feedback),
            "login": parse_many(settings.rate_limit_login),
            "other": parse_many(settings.rate_limit_other),
        }

    def wait_seconds(self, group: str, client: str) -> int | None:
        """None when the request may go ahead (and is counted); else how long until it may."""
        for item in self.budgets[group]:
            if not self.limiter.hit(item, group, client):
                reset = self.limiter.get_window_stats(item, group, client).reset_time
                return max(1, math.ceil(reset - time.time()))
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        group = route_group(scope["path"]) if scope["type"] == "http" else None
        if group is not None and scope["method"] != "OPTIONS":  # a CORS preflight is not a request of its own
            wait = self.wait_seconds(group, client_address(scope))
            if wait is not None:
                error = RateLimited(f"too many requests from your address: try again in {wait} s", retry_after=wait)
                await assistant_error_response(error)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class Slots:
    """At most `size` holders at once; a caller waits up to `wait_seconds` for a place, then 503."""

    def __init__(self, size: int, wait_seconds: float, what: str) -> None:
        self.size = size
        self.wait_seconds = wait_seconds
        self.what = what
        self.refused = 0
        self._semaphore: anyio.Semaphore | None = None

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        if self._semaphore is None:  # made on first use, inside the server's event loop
            self._semaphore = anyio.Semaphore(self.size)
        semaphore = self._semaphore
        try:
            semaphore.acquire_nowait()
        except anyio.WouldBlock:
            with anyio.move_on_after(self.wait_seconds) as waited:
                await semaphore.acquire()
            if waited.cancelled_caught:
                self.refused += 1
                raise ServerBusy(
                    f"the assistant is busy with other {self.what}: try again in a moment", retry_after=1
                ) from None
        try:
            yield
        finally:
            semaphore.release()
