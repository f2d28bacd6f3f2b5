"""The staff page in a real browser (Debian's chromium driven by Playwright) against a real server."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect

from assistant.api import create_app
from assistant.embedding import Embedder
from assistant.settings import Settings
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.conftest import serve

pytestmark = pytest.mark.slow

SITE_PLAN = (
    "Goal 1: Reading\n\nEvery K-2 classroom gets a reading aide four mornings a week, and we run a summer reading "
    "camp for students below benchmark.\n\n"
    "Goal 2: Technology\n\nReplace the Wi-Fi access points in all classroom buildings and buy a Chromebook cart "
    "for each grade level so every student can do research and coding projects.\n\n"
    "Goal 3: Families\n\nHold monthly family nights with Spanish and Armenian interpretation, and send a weekly "
    "newsletter home by text message."
)
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


def _check(page: Page, proposal: str) -> dict:
    """Paste `proposal`, press the button, wait for the goals; returns the server's reply."""
    page.goto("/staff")
    page.get_by_label("Proposal text").fill(proposal)
    with page.expect_response("**/api/align") as response:
        page.get_by_role("button", name="Check alignment").click()
    expect(page.locator("#goals .card").first).to_be_visible()
    return response.value.json()


def test_paste_a_proposal_see_goals_open_evidence_and_download_csv(page: Page, tmp_path: Path) -> None:
    reply = _check(page, PROPOSAL)
    cards = page.locator("#goals .card")
    assert cards.count() == len(reply["goals"])
    names = [heading.strip() for heading in cards.locator("h3").all_inner_texts()]
    assert "Recommendation 3" in names
    wifi = cards.filter(has=page.get_by_role("heading", name="Recommendation 7"))
    expect(wifi).to_contain_text("Matches parts 2 and 1")
    expect(page.locator("#summary")).to_contain_text("Aligned with")

    first = cards.first
    assert first.locator("blockquote").first.inner_text().strip()  # the best passage is shown at once
    expect(first.get_by_role("link", name=f"Open {names[0]} in the plan")).to_be_visible()
    more = page.locator("#goals details").first  # further passages fold away
    more.locator("summary").click()
    expect(more.locator("blockquote").first).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    saved = tmp_path / "alignment.csv"
    download.value.save_as(saved)
    lines = list(csv.DictReader(io.StringIO(saved.read_text())))
    assert len(lines) == cards.count()
    assert lines[0]["verdict"] in ("aligned", "partial") and lines[0]["link"].startswith("http")
    assert [line["goal"] for line in lines] == names
    assert {line["match"] for line in lines} <= {"Strong match", "Some match"}


def test_goals_are_named_and_placed_in_words_never_by_id(page: Page) -> None:
    reply = _check(page, SITE_PLAN)
    shown = page.locator("#results").inner_text()
    ids = [goal["goal_id"] for goal in reply["goals"]] + reply["not_addressed"]
    assert ids and not [goal_id for goal_id in ids if goal_id in shown]
    for goal, card in zip(reply["goals"], page.locator("#goals .card").all()):
        expect(card.locator("h3")).to_have_text(goal["title"])
        where = card.locator(".where").inner_text()
        assert goal["document"] in where and goal["framework"] in where
        assert goal["group"] is None or goal["group"] in where
    near = page.locator("#not-addressed li").all_inner_texts()
    assert [line.split(" — ")[0] for line in near] == [goal["title"] for goal in reply["not_addressed_goals"]]
    # The Graduate Profile's outcomes sit in a group: the page names it ("Skills and Knowledge").
    grouped = [g for g in reply["goals"] + reply["not_addressed_goals"] if g["group"]]
    assert grouped and all(g["group"] in shown for g in grouped)


def test_scores_are_read_against_the_scale_the_page_states(page: Page) -> None:
    reply = _check(page, PROPOSAL)
    scale = reply["scale"]
    terms = page.locator("#scale-bands dt").all_inner_texts()
    ranges = page.locator("#scale-bands dd").all_inner_texts()
    stated = dict(zip(terms, ranges))
    assert stated["Strong match"] == f"{scale['aligned']:.2f} or more"
    assert stated["Some match"] == f"{scale['partial']:.2f} to {scale['aligned']:.2f}"
    assert stated["Weak match"].startswith(f"{scale['near']:.2f} to {scale['partial']:.2f}")
    assert stated["Not listed"] == f"below {scale['near']:.2f}"
    page.get_by_text("What the score measures").click()
    expect(page.locator("#scale")).to_contain_text("less its similarity to a typical goal")
    words = {"aligned": "Strong match", "partial": "Some match"}
    for goal, card in zip(reply["goals"], page.locator("#goals .card").all()):
        expect(card.locator(".band")).to_have_text(words[goal["verdict"]])
        expect(card).to_contain_text(f"score {goal['score']:.2f}")
        low = scale["aligned"] if goal["verdict"] == "aligned" else scale["partial"]
        assert goal["score"] >= low  # the band the page shows is the one the stated scale gives


def test_each_part_of_the_proposal_is_shown_once_and_goals_point_to_it(page: Page) -> None:
    reply = _check(page, SITE_PLAN)
    assert len(reply["parts"]) == 3
    shown = page.locator("#results").inner_text()
    for part in reply["parts"]:
        assert shown.count(part["excerpt"]) == 1, part["excerpt"]
    expect(page.locator("#parts li")).to_have_count(3)
    for goal, card in zip(reply["goals"], page.locator("#goals .card").all()):
        targets = card.locator("a[href^='#part-']")
        assert [int(href.removeprefix("#part-")) for href in _hrefs(targets)] == goal["parts"]
    link = page.locator("#goals a[href^='#part-']").first
    target = link.get_attribute("href")
    link.click()
    expect(page.locator(str(target))).to_be_in_viewport()


def _hrefs(links: Locator) -> list[str]:
    return [str(link.get_attribute("href")) for link in links.all()]


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "staff-phone"), (DESKTOP, "staff-desktop")])
def test_results_fit_the_screen_without_sideways_scrolling(
    browser: Browser, base_url: str, viewport: dict[str, int], name: str
) -> None:
    context = browser.new_context(base_url=base_url, viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    _check(page, SITE_PLAN)
    page.locator("#goals details summary").first.click()  # the widest content open: a folded passage
    layout = page.evaluate(
        """() => ({
            page: [document.documentElement.scrollWidth, innerWidth],
            cut: [...document.querySelectorAll('body *')]
                .filter((el) => el.getClientRects().length)
                .filter((el) => { const box = el.getBoundingClientRect();
                                  return box.left < -0.5 || box.right > innerWidth + 0.5; })
                .map((el) => el.tagName + '#' + el.id + '.' + el.className),
        })"""
    )
    scrolled, visible = layout["page"]
    assert scrolled <= visible, f"the page scrolls sideways at {viewport['width']}px: {scrolled} > {visible}"
    assert layout["cut"] == [], f"cut off at {viewport['width']}px: {layout['cut']}"
    # The results as they open: on a phone from the parts (then the first goal), on a desktop from the heading.
    top = "parts-panel" if viewport == PHONE else "results-heading"
    page.evaluate(f"window.scrollTo(0, document.getElementById('{top}').offsetTop - 8)")
    screenshot(page, name)
    context.close()


def test_upload_a_text_file(page: Page, tmp_path: Path) -> None:
    proposal = tmp_path / "site-plan.md"
    proposal.write_text("# Goal 1\n\nMonthly parent workshops on reading report cards, with Spanish interpretation.")
    page.goto("/staff")
    page.get_by_label("Or upload a file (.txt, .md, .pdf)").set_input_files(str(proposal))
    page.get_by_role("button", name="Check alignment").click()
    expect(page.locator("#goals .card").first).to_contain_text("Parent Engagement")


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
    page.locator("#goals details summary").first.click()  # further evidence open
    page.get_by_text("What the score measures").click()
    results = Axe().run(page)
    grave = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not grave, results.generate_report()
