"""The staff page in a real browser (Debian's chromium driven by Playwright) against a real server."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.settings import Settings
from tests.conftest import serve

pytestmark = pytest.mark.slow

PROPOSAL = (
    "Hire three counselors to support students' social-emotional well-being.\n\n"
    "Replace the Wi-Fi access points and buy Chromebook carts for every grade level."
)


@pytest.fixture(scope="module")
def base_url(built_settings: Settings, embedders: dict[str, Embedder]) -> Iterator[str]:
    yield from serve(create_app(built_settings, embedders))


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A page whose relative URLs go to the app (the browser itself comes from conftest.py)."""
    context = browser.new_context(base_url=base_url, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def test_the_demo_page_links_to_the_staff_page(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Staff: check a proposal").click()
    expect(page.get_by_role("heading", name="Check a proposal against the plan")).to_be_visible()


def test_paste_a_proposal_see_goals_open_evidence_and_download_csv(page: Page, tmp_path: Path) -> None:
    page.goto("/staff")
    page.get_by_label("Proposal text").fill(PROPOSAL)
    page.get_by_role("button", name="Check alignment").click()
    rows = page.locator("#goals tr")
    expect(rows.first).to_be_visible()
    table = rows.all_inner_texts()
    assert any("Recommendation 3" in row for row in table)
    assert any("Recommendation 7" in row and "2: Replace the Wi-Fi" in row for row in table)
    expect(page.locator("#summary")).to_contain_text("Aligned with")

    details = rows.first.locator("details")
    details.locator("summary").click()
    link = details.get_by_role("link").first
    expect(link).to_be_visible()
    assert details.locator("blockquote").first.inner_text().strip()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    saved = tmp_path / "alignment.csv"
    download.value.save_as(saved)
    lines = list(csv.DictReader(io.StringIO(saved.read_text())))
    assert len(lines) == rows.count()
    assert lines[0]["verdict"] in ("aligned", "partial") and lines[0]["link"].startswith("http")
    assert {line["goal"] for line in lines} == {row.split("\t")[0] for row in table}


def test_upload_a_text_file(page: Page, tmp_path: Path) -> None:
    proposal = tmp_path / "site-plan.md"
    proposal.write_text("# Goal 1\n\nMonthly parent workshops on reading report cards, with Spanish interpretation.")
    page.goto("/staff")
    page.get_by_label("Or upload a file (.txt, .md, .pdf)").set_input_files(str(proposal))
    page.get_by_role("button", name="Check alignment").click()
    expect(page.locator("#goals tr").first).to_contain_text("Parent Engagement")


def test_an_empty_proposal_is_refused_with_the_servers_reason(page: Page) -> None:
    page.goto("/staff")
    page.get_by_label("Proposal text").fill("   ")
    page.get_by_role("button", name="Check alignment").click()
    expect(page.get_by_role("alert")).to_contain_text("the proposal is empty")
    expect(page.locator("#results")).to_be_hidden()


def test_axe_finds_no_serious_or_critical_violations_on_the_staff_page(page: Page) -> None:
    page.goto("/staff")
    page.get_by_label("Proposal text").fill(PROPOSAL)
    page.get_by_role("button", name="Check alignment").click()
    page.locator("#goals tr details summary").first.click()  # evidence open
    results = Axe().run(page)
    grave = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not grave, results.generate_report()
