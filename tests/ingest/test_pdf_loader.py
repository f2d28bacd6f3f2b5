"""The published 4-page PDF, parsed by pypdf: pages, headings, lists, furniture stripped."""

from ingest.blocks import Block
from ingest.pdf_loader import load_pdf
from tests.conftest import CORPUS

PDF = CORPUS / "pusd-strategic-plan-2016-2020.pdf"


def _blocks() -> list[Block]:
    blocks, pages = load_pdf(PDF)
    assert pages == 4
    return blocks


def test_running_header_and_footer_are_stripped() -> None:
    texts = [b.text for b in _blocks()]
    assert "PUSD STRATEGIC PLAN" not in texts
    assert not any("Page " in t and "Strategic Plan 2016-2020" in t for t in texts)


def test_each_part_is_on_its_printed_page() -> None:
    page_of = {b.text: b.page for b in _blocks()}
    assert page_of["OUR VISION FOR 2020"] == 1
    assert page_of["Honoring our Fiscal Responsibility"] == 1
    assert page_of["STRATEGIC PRIORITIES"] == 2
    assert page_of["Students will develop financial literacy and basic money management skills"] == 3
    assert page_of["Build self-confidence"] == 4
    assert page_of["ALL STUDENTS PREPARED FOR COLLEGE AND CAREER"] == 4


def test_headings_levels_and_list_depths() -> None:
    blocks = {b.text: b for b in _blocks()}
    assert blocks["OUR VALUES"].kind == "heading" and blocks["OUR VALUES"].level == 1
    assert blocks["Integrity and Respect"].kind == "heading" and blocks["Integrity and Respect"].level == 2
    assert blocks["Life Skills"].kind == "item" and blocks["Life Skills"].level == 0
    money = blocks["Students will develop financial literacy and basic money management skills"]
    assert (money.kind, money.level, money.marker) == ("item", 1, "1.")


def test_wrapped_lines_join_into_one_paragraph() -> None:
    vision = next(b for b in _blocks() if b.text.startswith("We are the internationally"))
    assert vision.text.endswith("to contribute to our democratic society.")
    # Bold runs in the source ("**student achievement**") read as plain words.
    assert any("improving student achievement, incorporating rigor" in b.text for b in _blocks())
