"""`plan-assistant serve`: uvicorn, with the deadlines it lacks and JSON logs.

uvicorn (0.54, httptools) times out an idle keep-alive connection but not a request that arrives
slowly: a client that sends a header line every few seconds, or a body that never ends, holds its
connection (and, past limit_concurrency, everyone else's) for as long as it likes; httptools also
accepts headers of any size. GuardedProtocol adds, per connection:

- the request head (request line and headers) must be complete within header_timeout_seconds of
  its first byte (or of the connection, for a client that sends nothing): else 408 and close;
- the body must be complete within body_timeout_seconds of the head: else 408 (if no response has
  begun) and close;
- head bytes past max_header_bytes: 431 and close, before they are stored.

The body's size is the app's to bound (FastAPI's max_body_size, 413 before a byte is read when
Content-Length says too much); uvicorn itself buffers at most 64 KB ahead of the app.
"""

from __future__ import annotations

import asyncio
import json

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from assistant.observability import logging_config
from assistant.settings import Settings

_REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


class _Refused(Exception):
    """Raised inside a parser callback to stop httptools reading a request already answered."""


class GuardedProtocol(HttpToolsProtocol):
    header_seconds: float = 10.0
    body_seconds: float = 30.0
    max_header_bytes: int = 32_768

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        self._refused = False
        self._arm(self.header_seconds, "the request's headers did not arrive in time")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self._refused:  # an answered, closing connection reads nothing more
            super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        if not self._refused:  # httptools' error after a _Refused: the 431 or 408 is already sent
            super().send_400_response(msg)

    # Parser callbacks: a new request's head starts its clock; a complete head starts the body's.
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._arm(self.header_seconds, "the request's headers did not arrive in time")

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value))
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._arm(self.body_seconds, "the request's body did not arrive in time")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.max_header_bytes:
            self._refuse(431, "headers_too_large", f"the request's headers are over {self.max_header_bytes:,} bytes")
            raise _Refused

    def _arm(self, seconds: float, message: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._refuse, 408, "request_timeout", message)

    def _disarm(self) -> None:
        if getattr(self, "_deadline", None) is not None:
            self._deadline.cancel()  # type: ignore[union-attr]
            self._deadline = None

    def _refuse(self, status: int, code: str, message: str) -> None:
        """Answer `status` unless a response has begun, then close the connection."""
        self._disarm()
        if self._refused or self.transport.is_closing():
            return
        self._refused = True
        if self.cycle is None or not self.cycle.response_started:
            body = json.dumps({"error": code, "message": message}).encode()
            head = b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n" % (
                status,
                _REASONS[status],
                len(body),
            )
            self.transport.write(head + b"connection: close\r\n\r\n" + body)
            self.logger.info("refused a request on a connection from %s: %s", self.client, message)
        if self.cycle is not None:
            self.cycle.disconnected = True  # the app's reply, if it comes, is not written
            self.cycle.message_event.set()  # an app waiting for the body hears http.disconnect
        self.transport.close()


def guarded_protocol(settings: Settings) -> type[GuardedProtocol]:
    """GuardedProtocol with this server's numbers."""
    return type(
        "GuardedProtocol",
        (GuardedProtocol,),
        {
            "header_seconds": settings.header_timeout_seconds,
            "body_seconds": settings.body_timeout_seconds,
            "max_header_bytes": settings.max_header_bytes,
        },
    )


def server_config(settings: Settings, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        "assistant.api:create_app",
        factory=True,
        host=host,
        port=port,
        http=guarded_protocol(settings),
        # X-Forwarded-For is believed only from settings.trusted_proxies, by the app itself
        # (uvicorn's default would believe it from any loopback client).
        proxy_headers=False,
        limit_concurrency=settings.max_connections,
        timeout_keep_alive=5,
        access_log=False,  # RequestLog writes one richer line per request
        log_config=logging_config(settings),
        server_header=False,
    )


def run(settings: Settings, host: str, port: int) -> None:
    uvicorn.Server(server_config(settings, host, port)).run()
