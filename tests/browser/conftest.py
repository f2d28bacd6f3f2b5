"""Real parts for the browser tests: the session's index and models, the app under uvicorn, a second
site that embeds the widget, and Debian's chromium driven by Playwright (one browser per module)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page

from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.settings import Settings
from tests.conftest import ROOT, serve

SCREENSHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ROOT_JS = "document.querySelector('pusd-plan-assistant').shadowRoot"


class _Site(BaseHTTPRequestHandler):
    """Another site's page with the one tag on it (the page is set once the assistant's URL is known)."""

    def do_GET(self) -> None:
        body = self.server.page.encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Servers:
    assistant: str  # http://127.0.0.1:P: the assistant, serving the demo page and the API
    allowed_site: str  # http://localhost:S: a school's page, in PLAN_ASSISTANT_ALLOWED_ORIGINS
    other_site: str  # http://127.0.0.1:S: the same page from an origin that is not allowed
    settings: Settings


@pytest.fixture(scope="module")
def servers(built_settings: Settings, embedders: dict[str, Embedder]) -> Iterator[Servers]:
    site = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    port = site.server_address[1]
    threading.Thread(target=site.serve_forever, daemon=True).start()
    # localhost and 127.0.0.1 are different origins for a browser: one allowed, one not.
    settings = built_settings.model_copy(update={"allowed_origins": [f"http://localhost:{port}"]})
    for base in serve(create_app(settings, embedders)):
        site.page = (  # type: ignore[attr-defined]
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A school</title></head>'
            f'<body><main><h1>A school\'s page</h1></main><script src="{base}/widget.js" data-lang="es" async>'
            "</script></body></html>"
        )
        yield Servers(base, f"http://localhost:{port}", f"http://127.0.0.1:{port}", settings)
    site.shutdown()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh desktop page in English; tests change the viewport or locale where they need to."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    yield context.new_page()
    context.close()


def new_page(browser: Browser, locale: str, viewport: dict[str, int] = DESKTOP) -> Page:
    return browser.new_context(viewport=viewport, locale=locale).new_page()  # type: ignore[arg-type]


def open_widget(page: Page, url: str) -> None:
    page.goto(url)
    page.locator(".launcher").click()
    page.locator(".panel").wait_for(state="visible")


def ask(page: Page, question: str) -> Locator:
    """Type a question, send it, wait until its answer is complete; returns the answer's bubble."""
    answered = page.locator(".bot[aria-busy=false]").count()
    page.locator("#question").fill(question)
    page.locator("#question").press("Enter")
    bubble = page.locator(".bot").nth(answered)
    bubble.and_(page.locator("[aria-busy=false]")).wait_for()
    return bubble


def focused(page: Page) -> dict[str, str] | None:
    """What has keyboard focus inside the widget (None when focus is outside it)."""
    return page.evaluate(
        f"""() => {{
            const el = {ROOT_JS}.activeElement;
            return el && {{tag: el.tagName.toLowerCase(), cls: el.className, id: el.id, text: el.textContent,
                           href: el.href || "", pressed: el.getAttribute("aria-pressed") || ""}};
        }}"""
    )


def tab_to(page: Page, matches, key: str = "Tab", limit: int = 40) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Press `key` until the focused element satisfies `matches`."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now and matches(now):
            return now
    raise AssertionError(f"{key} never reached the element; focus ended on {focused(page)}")


def show_latest_exchange(page: Page) -> None:
    """Scroll the transcript so the newest question and its answer are in view (for screenshots)."""
    page.evaluate(
        f"() => {{ const r = {ROOT_JS}; r.querySelector('.log').scrollTop = "
        "[...r.querySelectorAll('.user')].at(-1).offsetTop - 8; }"
    )


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.mouse.move(0, 0)  # no hover underline left where the test clicked
    page.screenshot(path=path, animations="disabled")
    return path
