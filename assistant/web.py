"""The web pages' server side: the demo page, widget.js, feedback, which sites may embed the
widget, and the staff page."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.feedback import FeedbackStore
from assistant.http_errors import error_response, require_json
from assistant.prompts import phrase, phrase_table
from assistant.schemas import ErrorReply, FeedbackRequest, FeedbackStored
from assistant.settings import Settings
from assistant.store.database import open_store
from assistant.web_security import page_csp
from ingest.corpus import read_corpus_manifest

STATIC = Path(__file__).parent / "static"
PHRASES_SLOT = "/*phrases*/ null"  # where widget.js receives its labels


class _Names(dict[str, str]):
    """The district's names for str.format_map; other placeholders ({page}) stay for the widget."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def deployment_district(settings: Settings) -> tuple[str, str]:
    """(name, short name) of the district this deployment serves: from settings, else the corpus
    manifest's first district, else a neutral "the district"."""
    name, short = settings.district_name, settings.district_short_name
    if not name or not short:
        try:
            districts = read_corpus_manifest(settings.corpus_dir).all_districts()
        except (OSError, ValueError):  # no manifest yet: the labels must not stop the server
            districts = []
        own = next((d for d in districts if d.name == name), districts[0] if districts else None)
        if own is not None:
            name = name or own.name
            short = short or (own.short_names[0] if own.short_names else own.name)
    return name, short or name


def widget_script(settings: Settings) -> str:
    """widget.js with the labels of both languages from prompts/*.toml filled in, the district's
    names in them ({district}, {short_name}) from settings or the manifest."""
    source = (STATIC / "widget.js").read_text(encoding="utf-8")
    name, short = deployment_district(settings)
    phrases = {}
    for lang in ("en", "es"):
        fallback = phrase(settings.prompts_dir, lang, "the_district")
        names = _Names(district=name or fallback, short_name=short or fallback)
        table = phrase_table(settings.prompts_dir, lang, "widget")
        phrases[lang] = {k: v.format_map(names) if isinstance(v, str) else v for k, v in table.items()}
    return source.replace(PHRASES_SLOT, json.dumps(phrases, ensure_ascii=False, separators=(",", ":")), 1)


def web_router(settings: Settings) -> APIRouter:
    """GET / (the demo page), GET /widget.js, POST /api/feedback and GET /staff (the staff page);
    files are read once, here."""
    router = APIRouter()
    demo = (STATIC / "demo.html").read_text(encoding="utf-8")
    staff = (STATIC / "staff.html").read_text(encoding="utf-8")
    script = widget_script(settings)
    store = FeedbackStore(open_store(settings), settings.retention_days, settings.feedback_max_rows)
    demo_policy = {"Content-Security-Policy": page_csp(demo)}
    staff_policy = {"Content-Security-Policy": page_csp(staff)}

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def demo_page() -> HTMLResponse:
        return HTMLResponse(demo, headers=demo_policy)

    @router.get("/staff", response_class=HTMLResponse, include_in_schema=False)
    async def staff_page() -> HTMLResponse:
        """Paste or upload a proposal, see the goals it serves, download them as CSV."""
        return HTMLResponse(staff, headers=staff_policy)

    @router.get("/widget.js", include_in_schema=False)
    async def widget() -> Response:
        # Short cache: district pages pick up a new widget within minutes of a deploy.
        return Response(script, media_type="text/javascript", headers={"Cache-Control": "public, max-age=300"})

    @router.post(
        "/api/feedback",
        status_code=201,
        responses={status: {"model": ErrorReply} for status in (403, 413, 415, 422, 429, 503)},
        dependencies=[Depends(require_json)],
    )
    def feedback(body: FeedbackRequest) -> FeedbackStored:
        """Store a thumbs up or down on an answer, with an optional comment (`plan-assistant feedback` lists them).
        Each address may rate a few answers a minute (429 beyond); a full store is 503 `feedback_full`."""
        return FeedbackStored(id=store.add(body))  # sync route: the database call runs in the thread pool

    return router


def own_page(origin: str, host: str, own_hosts: set[str]) -> bool:
    """Whether a request's Origin is a page of this server: the same host, and one the operator
    listed exactly (the scheme may differ behind a TLS proxy)."""
    netloc = urlsplit(origin).netloc.lower()
    return netloc == host.lower() and urlsplit(f"//{netloc}").hostname in own_hosts


class OriginCheck:
    """Refuses /api/ requests sent by pages on sites that may not embed the widget: 403
    `origin_not_allowed`. CORS alone only stops a browser from *reading* a reply, so the server
    would still answer (and store feedback) for any site; this also covers CORS preflights, which
    never reach a route, so a refused site sees this message rather than a bare 400."""

    def __init__(self, app: ASGIApp, allowed: list[str], own_hosts: list[str]) -> None:
        self.app = app
        self.allowed = set(allowed)
        # Only names the operator listed exactly: a Host header is the client's to choose, so
        # "same host" alone would let any page whose name points here pass (DNS rebinding).
        self.own_hosts = {host.lower() for host in own_hosts if "*" not in host}

    def allows(self, origin: str, host: str) -> bool:
        if "*" in self.allowed or origin in self.allowed:
            return True
        return own_page(origin, host, self.own_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            headers = Headers(scope=scope)
            origin = headers.get("origin")  # absent for curl, the CLI and server-to-server calls
            if origin is not None and not self.allows(origin, headers.get("host", "")):
                message = (
                    f"pages on {origin[:200]} may not use this assistant; "
                    "its operator can add the site to PLAN_ASSISTANT_ALLOWED_ORIGINS"
                )
                refusal = error_response(403, "origin_not_allowed", message)
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


def allow_embedding(app: FastAPI, settings: Settings) -> None:
    """CORS for the allowed sites, behind the origin check (added last, so it runs first)."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        max_age=600,
    )
    app.add_middleware(OriginCheck, allowed=settings.allowed_origins, own_hosts=settings.allowed_hosts)
