from pathlib import Path

from ingest.html_loader import load_html
from ingest.markdown_loader import load_markdown
from ingest.text_loader import load_text
from tests.conftest import CORPUS


def test_html_drops_site_furniture_and_keeps_structure() -> None:
    blocks = load_html(CORPUS / "pusd-planning-for-the-future.html")
    texts = [b.text for b in blocks]
    assert "Enrollment" not in texts and not any("©" in t for t in texts)
    headings = [(b.text, b.level, b.anchor) for b in blocks if b.kind == "heading"]
    assert headings[0] == ("Planning for the Future", 1, "planning-for-the-future")
    assert ("A Guide for the Future", 2, "a-guide-for-the-future") in headings
    road_map = next(b for b in blocks if b.text.startswith("The Road Map is"))
    assert (road_map.kind, road_map.level) == ("item", 1)
    assert sum(t.startswith("Recommendation ") for t in texts) == 7


def test_markdown_headings_lists_and_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text("# Title\n\nIntro line one\ncontinues here.\n\n## Goals\n\n- First goal\n  1. Detail\n", "utf-8")
    blocks = load_markdown(path)
    assert [(b.kind, b.text, b.level) for b in blocks] == [
        ("heading", "Title", 1),
        ("paragraph", "Intro line one continues here.", 0),
        ("heading", "Goals", 2),
        ("item", "First goal", 0),
        ("item", "Detail", 1),
    ]


def test_plain_text_headings_and_form_feed_pages(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text("OUR MISSION\n\nServe every student.\n\f\nNext Steps\n\nDo the work.\n", "utf-8")
    blocks = load_text(path)
    assert [(b.kind, b.text, b.page) for b in blocks] == [
        ("heading", "OUR MISSION", 1),
        ("paragraph", "Serve every student.", 1),
        ("heading", "Next Steps", 2),
        ("paragraph", "Do the work.", 2),
    ]
