"""Which host names the server answers to, and the security headers on every response.

HostCheck: Starlette's TrustedHostMiddleware decides (exact names and "*.example.org"), and its
plain-text 400 is replaced by the documented {"error": "host_not_allowed", ...}. Without it a page
on evil.example, with its name pointed at this server (DNS rebinding), sends `Host: evil.example`
and `Origin: http://evil.example`, and the origin check took that for the server's own page.

SecurityHeaders: nosniff, a Referrer-Policy, X-Frame-Options and a Content-Security-Policy on
every response. The demo and staff pages get a CSP that lets exactly them work: scripts from this
server plus, for the staff page, its own inline script by hash (computed from the file, so an edit
cannot silently break it); inline styles are allowed, since the widget puts its stylesheet in a
<style> inside its shadow root. Everything else (JSON, widget.js, the corpus files) gets a policy
that lets a document load nothing but its own styles and images. widget.js is also marked
Cross-Origin-Resource-Policy: cross-origin, since the district's pages load it from elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.datastructures import MutableHeaders
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.http_errors import error_response

PAGE_CSP = (
    "default-src 'self'; script-src 'self'{scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)
DEFAULT_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


def page_csp(html: str) -> str:
    """The page's CSP: its inline <script> blocks allowed by their sha256, nothing else inline."""
    hashes = [
        base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        for body in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    ]
    return PAGE_CSP.format(scripts="".join(f" 'sha256-{digest}'" for digest in hashes))


class SecurityHeaders:
    """Adds COMMON and a CSP to every HTTP response that does not carry its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_widget = scope["path"] == "/widget.js"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
                if is_widget:
                    headers["Cross-Origin-Resource-Policy"] = "cross-origin"
            await send(message)

        await self.app(scope, receive, with_headers)


class HostCheck:
    """TrustedHostMiddleware's decision, with a refusal on the documented error shape."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        self.app = app
        self.trusted = TrustedHostMiddleware(self._passed, allowed_hosts=allowed_hosts, www_redirect=False)

    async def _passed(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["plan_assistant.host_ok"] = True
        await self.app(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return

        async def unless_refused(message: Message) -> None:
            if scope.get("plan_assistant.host_ok"):  # the app's own response
                await send(message)  # (TrustedHostMiddleware's own refusal is dropped)

        await self.trusted(scope, receive, unless_refused)
        if not scope.get("plan_assistant.host_ok"):
            refusal = error_response(
                400,
                "host_not_allowed",
                "this server does not answer to that host name (PLAN_ASSISTANT_ALLOWED_HOSTS lists them)",
            )
            await refusal(scope, receive, send)
