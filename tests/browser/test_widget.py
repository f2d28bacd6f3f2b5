"""The widget in a real browser (Debian's chromium), against the real server, index and models."""

from __future__ import annotations

import json

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from assistant.cli import feedback
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    ROOT_JS,
    Servers,
    ask,
    focused,
    new_page,
    open_widget,
    screenshot,
    show_latest_exchange,
    tab_to,
)

pytestmark = pytest.mark.slow

# Records what the newest answer bubble showed while it was still streaming, and what the live
# region said, so a test can tell streamed text from a reply painted all at once.
WATCH = f"""() => {{
    const root = {ROOT_JS};
    window.partials = [];
    window.announced = [];
    new MutationObserver(() => {{
        const bubble = [...root.querySelectorAll('.bot')].at(-1);
        if (bubble && bubble.getAttribute('aria-busy') === 'true' && !bubble.querySelector('.wait'))
            window.partials.push(bubble.querySelector('.text').textContent);
    }}).observe(root.querySelector('.log'), {{subtree: true, childList: true, characterData: true}});
    new MutationObserver(() => window.announced.push(root.querySelector('.announce').textContent))
        .observe(root.querySelector('.announce'), {{subtree: true, childList: true, characterData: true}});
}}"""


def test_an_english_answer_streams_in_and_cites_the_page_it_quotes(page: Page, servers: Servers) -> None:
    open_widget(page, servers.assistant + "/")
    assert focused(page)["id"] == "question"  # type: ignore[index]  # focus goes to the input on open
    assert page.locator(".starters button").first.text_content() == "What is the district's mission?"
    page.evaluate(WATCH)
    question = "Will my child learn to manage money?"
    bubble = ask(page, question)
    reply = httpx.post(f"{servers.assistant}/api/ask", json={"question": question}, timeout=30).json()

    final = bubble.locator(".text").text_content() or ""
    assert "financial literacy and basic money management skills" in final
    partials = page.evaluate("window.partials")
    shorter = {text for text in partials if text and len(text) < len(final)}
    assert len(shorter) >= 2, f"no streamed text before the done event: {partials}"
    assert all(final.startswith(text) for text in shorter)  # each delta extended the same answer
    # The live region heard the whole answer once it was done, never a piece of it. The widget says it
    # 50 ms after the bubble completes (so a screen reader hears a change), so wait for it to be said.
    expect(page.locator(".announce")).to_have_text(reply["answer"])
    said = [text for text in page.evaluate("window.announced") if text]
    assert said[-1] == reply["answer"] and set(said) <= {"Looking in the plans…", reply["answer"]}
    assert bubble.get_attribute("lang") == "en" and page.locator(".user").last.get_attribute("lang") == "en"

    citation = bubble.locator("details").first
    summary = citation.locator("summary").text_content() or ""
    assert "PUSD Strategic Plan 2016-2020" in summary and "page 3" in summary and "Life Skills" in summary
    citation.locator("summary").click()
    assert "financial literacy and basic money management skills" in (
        citation.locator("blockquote").text_content() or ""
    )
    link = citation.locator("a")
    href = link.get_attribute("href")
    assert href == f"{servers.assistant}/corpus/pusd-strategic-plan-2016-2020.pdf#page=3"  # absolute: works anywhere
    with page.context.expect_page() as opened:
        link.click()
    assert opened.value.url == href
    document = page.request.get(href)
    assert document.status == 200 and document.headers["content-type"] == "application/pdf"
    assert document.body().startswith(b"%PDF")

    show_latest_exchange(page)
    screenshot(page, "en-desktop")
    page.set_viewport_size(PHONE)
    show_latest_exchange(page)
    screenshot(page, "en-phone")


def test_a_spanish_reader_gets_spanish_labels_answers_and_the_translation(browser: Browser, servers: Servers) -> None:
    page = new_page(browser, "es-MX")  # data-lang="auto" and a Spanish browser: the widget speaks Spanish
    page.goto(servers.assistant + "/")
    assert page.locator(".launcher").text_content() == "Pregunte sobre los planes"
    page.locator(".launcher").click()
    page.get_by_role("button", name="¿Cómo pueden participar los padres?").click()  # a starter question
    bubble = page.locator(".bot").first
    bubble.and_(page.locator("[aria-busy=false]")).wait_for()
    assert bubble.get_attribute("lang") == "es"
    assert (bubble.locator(".text").text_content() or "").startswith("Esto es lo que dicen los planes del distrito:")

    citation = bubble.locator("details").first
    summary = citation.locator("summary").text_content() or ""
    assert "Plan Estratégico de PUSD 2016-2020" in summary and "página 2" in summary
    assert "Participación de los padres" in summary
    citation.locator("summary").click()
    assert citation.locator(".label").first.text_content() == "Traducción no oficial"
    assert "Comunicación y relaciones sólidas" in (citation.locator("blockquote[lang=es]").text_content() or "")
    assert "Strong communication and relationships" in (citation.locator("blockquote[lang=en]").text_content() or "")
    translation, original = citation.locator("a").all()
    assert (
        translation.get_attribute("href") == f"{servers.assistant}/corpus/pusd-strategic-plan-2016-2020.es.pdf#page=2"
    )
    assert original.get_attribute("href") == f"{servers.assistant}/corpus/pusd-strategic-plan-2016-2020.pdf#page=2"
    assert (translation.text_content() or "").startswith("Abrir la traducción en la página 2")

    # For the screenshots, a follow-on question whose answer and expanded source fit on one screen.
    ask(page, "¿Las escuelas serán seguras?").locator("summary").first.click()
    show_latest_exchange(page)
    screenshot(page, "es-desktop")
    page.set_viewport_size(PHONE)
    show_latest_exchange(page)
    screenshot(page, "es-phone")
    page.context.close()


def test_an_unanswerable_question_is_refused_visibly_with_where_to_ask(page: Page, servers: Servers) -> None:
    open_widget(page, servers.assistant + "/")
    for question, flag, where in [
        ("What is the cafeteria menu on Friday?", "Not in the plans", "your school's front office"),
        ("¿Cuál es el menú de la cafetería el viernes?", "No está en los planes", "la oficina de su escuela"),
    ]:
        bubble = ask(page, question)
        assert "refusal" in (bubble.get_attribute("class") or "")
        assert bubble.locator(".flag").is_visible() and bubble.locator(".flag").text_content() == flag
        assert where in (bubble.locator(".text").text_content() or "")
        assert bubble.locator(".sources").count() == 0


def test_feedback_with_a_comment_is_stored(page: Page, servers: Servers, capsys: pytest.CaptureFixture[str]) -> None:
    open_widget(page, servers.assistant + "/")
    bubble = ask(page, "How will schools stay safe?")
    bubble.get_by_role("button", name="No, not helpful").click()
    assert bubble.locator(".down").get_attribute("aria-pressed") == "true"
    comment = "Browser test: I wanted the safety plan for my son's school"
    bubble.get_by_label("Tell us more (optional)").fill(comment)
    bubble.get_by_role("button", name="Send feedback").click()
    assert bubble.locator(".thanks").text_content() == "Thank you for your feedback."

    feedback(servers.settings, as_json=True)  # what `plan-assistant feedback --json` prints
    (row,) = [row for row in json.loads(capsys.readouterr().out) if row["comment"] == comment]
    assert row["rating"] == "down" and row["lang"] == "en" and row["grounded"] is True
    assert row["question"] == "How will schools stay safe?" and "Safe, orderly and secure schools" in row["answer"]
    assert {"doc_id": "strategic-plan", "page": 2} in row["citations"]


def test_everything_works_from_the_keyboard_alone(page: Page, servers: Servers) -> None:
    page.goto(servers.assistant + "/")
    launcher = tab_to(page, lambda el: "launcher" in el["cls"])
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "question"  # type: ignore[index]
    page.keyboard.type("Will my child learn to manage money?")
    page.keyboard.press("Enter")
    page.locator(".bot[aria-busy=false]").wait_for()

    # Back from the input: the newest answer's rating, then its sources.
    tab_to(page, lambda el: el["tag"] == "summary", key="Shift+Tab")
    page.keyboard.press("Enter")
    assert page.locator("details").first.get_attribute("open") is not None
    link = tab_to(page, lambda el: el["tag"] == "a")
    assert link["href"].endswith("pusd-strategic-plan-2016-2020.pdf#page=3")
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    assert opened.value.url.endswith("#page=3")
    opened.value.close()
    page.bring_to_front()

    tab_to(page, lambda el: "up" in el["cls"])
    page.keyboard.press("Space")
    assert focused(page)["tag"] == "textarea"  # type: ignore[index]  # the comment box, right away
    page.keyboard.type("Typed without a mouse")
    tab_to(page, lambda el: el["text"] == "Send feedback")
    page.keyboard.press("Enter")
    page.locator(".thanks").wait_for()
    assert "thanks" in focused(page)["cls"]  # type: ignore[index]  # focus is not lost with the button

    tab_to(page, lambda el: "switch" in el["cls"], key="Shift+Tab")
    page.keyboard.press("Enter")
    assert page.locator(".panel h2").text_content() == "Asistente de los planes de PUSD"
    assert page.locator(".panel").get_attribute("lang") == "es"
    page.keyboard.press("Escape")
    assert page.locator(".panel").is_hidden()
    assert focused(page) == launcher | {"text": "Pregunte sobre los planes"}  # back on the launcher
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "question"  # type: ignore[index]


def test_axe_finds_no_serious_or_critical_violations(page: Page, servers: Servers) -> None:
    open_widget(page, servers.assistant + "/")
    for question in (
        "Will my child learn to manage money?",
        "¿Cómo pueden participar los padres?",
        "What is the cafeteria menu on Friday?",
    ):
        bubble = ask(page, question)
        if bubble.locator("summary").count():
            bubble.locator("summary").first.click()  # an expanded citation, with its translation
    bubble.get_by_role("button", name="Yes, helpful").click()  # the comment form open too
    results = Axe().run(page)
    grave = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not grave, results.generate_report()


@pytest.mark.parametrize(("width", "height"), [(320, 640), (640, 400)], ids=["320px", "200%-zoom"])
def test_narrow_and_zoomed_panels_never_scroll_sideways(
    browser: Browser, servers: Servers, width: int, height: int
) -> None:
    page = new_page(browser, "es-ES", {"width": width, "height": height})  # 640x400 = 1280x800 at 200%
    open_widget(page, servers.assistant + "/")
    bubble = ask(page, "¿Cómo pueden participar los padres?")
    bubble.locator("summary").first.click()
    layout = page.evaluate(
        f"""() => {{
            const root = {ROOT_JS};
            const wide = (el) => [el.scrollWidth, el.clientWidth];
            const cut = [...root.querySelectorAll('.panel *')]
                .filter((el) => !el.closest('.sr') && el.getClientRects().length)
                .filter((el) => {{ const box = el.getBoundingClientRect();
                                  return box.left < -0.5 || box.right > innerWidth + 0.5; }})
                .map((el) => el.tagName + '.' + el.className);
            const input = root.querySelector('#question').getBoundingClientRect();
            return {{panel: wide(root.querySelector('.panel')), log: wide(root.querySelector('.log')),
                     page: [document.documentElement.scrollWidth, innerWidth], cut,
                     input: input.bottom <= innerHeight && input.right <= innerWidth}};
        }}"""
    )
    for part in ("panel", "log", "page"):
        scrolled, visible = layout[part]
        assert scrolled <= visible, f"{part} scrolls sideways at {width}px: {scrolled} > {visible}"
    assert layout["cut"] == [], f"cut off at {width}px: {layout['cut']}"
    assert layout["input"], "the question box is not fully on screen"
    # The panel covers the page here, so Tab goes round inside it rather than behind it.
    page.locator("#question").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert "switch" in focused(page)["cls"]  # type: ignore[index]
    page.keyboard.press("Shift+Tab")
    assert "send" in focused(page)["cls"]  # type: ignore[index]
    page.context.close()


def test_another_site_embeds_it_when_allowed_and_is_refused_when_not(browser: Browser, servers: Servers) -> None:
    page = new_page(browser, "en-US")
    open_widget(page, servers.allowed_site + "/")  # its tag says data-lang="es"
    assert page.locator(".panel h2").text_content() == "Asistente de los planes de PUSD"
    bubble = ask(page, "Will my child learn to manage money?")  # answered in the question's language
    assert bubble.get_attribute("lang") == "en" and "refusal" not in (bubble.get_attribute("class") or "")
    href = bubble.locator(".passage a").first.get_attribute("href")
    assert (
        href == f"{servers.assistant}/corpus/pusd-strategic-plan-2016-2020.pdf#page=3"
    )  # the assistant's, not the site's

    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text))
    open_widget(page, servers.other_site + "/")
    bubble = ask(page, "Will my child learn to manage money?")
    assert "error" in (bubble.get_attribute("class") or "")
    assert (bubble.text_content() or "").endswith("pregunte en la oficina de su escuela.")
    assert any("plan assistant: no answer" in text for text in warnings)
    page.context.close()

    # The same two origins over plain HTTP: the refusal is the server's own, before any answer.
    body = {"question": "Will my child learn to manage money?"}
    refused = httpx.post(f"{servers.assistant}/api/ask", json=body, headers={"Origin": servers.other_site})
    assert refused.status_code == 403 and refused.json()["error"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in refused.headers
    allowed = httpx.post(
        f"{servers.assistant}/api/ask", json=body, headers={"Origin": servers.allowed_site}, timeout=30
    )
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == servers.allowed_site


def test_reduced_motion_turns_the_opening_animation_off(browser: Browser, servers: Servers) -> None:
    for motion, animation in (("no-preference", "rise"), ("reduce", "none")):
        context = browser.new_context(reduced_motion=motion)  # type: ignore[arg-type]
        page = context.new_page()
        open_widget(page, servers.assistant + "/")
        assert page.locator(".panel").evaluate("el => getComputedStyle(el).animationName") == animation
        context.close()


def test_the_demo_page_never_scrolls_sideways(page: Page, servers: Servers) -> None:
    for viewport in (DESKTOP, PHONE, {"width": 320, "height": 640}):
        page.set_viewport_size(viewport)
        page.goto(servers.assistant + "/")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
