"""The pages keep working under their Content-Security-Policy (issue 22, item 10), in a real browser:
Debian's chromium reports every blocked script, style or fetch as a `securitypolicyviolation`
event and a console error, and the widget and the staff page still answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Servers, ask, open_widget

pytestmark = pytest.mark.slow

LISTEN = """() => {
    window.violations = [];
    document.addEventListener('securitypolicyviolation',
        (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));
}"""


@pytest.fixture
def watched(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A page whose console errors are kept, and which records CSP violations from its first script on."""
    context = browser.new_context(locale="en-US")
    context.add_init_script(f"({LISTEN})()")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page, errors
    context.close()


def test_the_widget_works_on_the_demo_page_under_its_policy(watched: tuple[Page, list[str]], servers: Servers) -> None:
    page, errors = watched
    response = page.goto(servers.assistant + "/")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    open_widget(page, servers.assistant + "/")
    bubble = ask(page, "Will my child learn to manage money?")
    assert "financial literacy" in (bubble.locator(".text").text_content() or "")
    assert page.evaluate("window.violations") == []
    assert not [text for text in errors if "Content Security Policy" in text], errors


def test_the_staff_pages_inline_script_runs_under_its_policy(watched: tuple[Page, list[str]], servers: Servers) -> None:
    page, errors = watched
    page.goto(servers.assistant + "/staff")
    page.get_by_label("Proposal text").fill("Hire three counselors to support students' well-being.")
    page.get_by_role("button", name="Check alignment").click()
    expect(page.locator("#summary")).to_contain_text("Aligned with")  # the inline script fetched and drew
    assert page.evaluate("window.violations") == []
    assert not [text for text in errors if "Content Security Policy" in text], errors


def test_a_page_that_frames_the_demo_is_refused(watched: tuple[Page, list[str]], servers: Servers) -> None:
    page, errors = watched
    page.goto(servers.other_site + "/")  # another origin, whose page frames the assistant's
    page.set_content(f'<iframe id="framed" src="{servers.assistant}/"></iframe>')
    page.wait_for_timeout(1500)
    assert page.frame_locator("#framed").locator(".brand").count() == 0  # the demo page is not drawn there
    assert any("frame-ancestors" in text for text in errors), errors  # chromium says why
