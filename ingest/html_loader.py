"""HTML -> blocks with BeautifulSoup: headings, paragraphs and (nested) list items.

Site chrome (header, nav, footer, scripts) is page furniture and is dropped. A list item's own
text excludes its nested lists and paragraphs, which become blocks of their own.
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from ingest.blocks import Block

_FURNITURE = ["header", "nav", "footer", "script", "style", "aside", "form", "noscript"]
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_NESTED = {"ul", "ol", "p", "div", "table"}


def _own_text(element: Tag) -> str:
    """Text of an element without its nested block children, white space folded."""
    parts: list[str] = []
    for child in element.children:
        if isinstance(child, NavigableString):
            parts.append(str(child))
        elif isinstance(child, Tag) and child.name not in _NESTED:
            parts.append(child.get_text())
    return " ".join("".join(parts).split())


def load_html(path: Path) -> list[Block]:
    """Read an HTML page into blocks in reading order (page is None: a web page has no pages)."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup.find_all(_FURNITURE):
        tag.decompose()
    root = soup.find("main") or soup.body or soup
    blocks: list[Block] = []
    anchor: str | None = None
    for element in root.find_all(list(_HEADINGS) + ["p", "li"]):
        if element.name in _HEADINGS:
            anchor = str(element.get("id") or "") or anchor
            text = " ".join(element.get_text().split())
            if text:
                blocks.append(Block("heading", text, None, level=_HEADINGS[element.name], anchor=anchor))
        elif element.name == "li":
            text = _own_text(element)
            if text:
                depth = len(element.find_parents(["ul", "ol"])) - 1
                parent = element.parent
                marker = (
                    f"{parent.find_all('li', recursive=False).index(element) + 1}."
                    if parent and parent.name == "ol"
                    else "•"
                )
                blocks.append(Block("item", text, None, level=depth, marker=marker, anchor=anchor))
        else:
            text = " ".join(element.get_text().split())
            if text:
                blocks.append(Block("paragraph", text, None, anchor=anchor))
    return blocks
