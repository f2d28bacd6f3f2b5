"""HTML -> blocks with BeautifulSoup: headings, paragraphs, (nested) list items and table rows.

Site chrome (header, nav, footer, scripts) is page furniture and is dropped. A list item's own
text excludes its nested lists and paragraphs, which become blocks of their own. A table row is
one block that names each cell by its column header (a <th> row, or the <thead>).
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from ingest.blocks import Block, table_row

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
    headers: dict[int, list[str]] = {}  # per table (by id), its column headers
    for element in root.find_all(list(_HEADINGS) + ["p", "li", "tr"]):
        table = element.find_parent("table")
        if element.name == "tr" and table is not None:
            cells = [" ".join(cell.get_text().split()) for cell in element.find_all(["th", "td"], recursive=False)]
            is_header = element.find_parent("thead") is not None or not element.find_all("td", recursive=False)
            if is_header and id(table) not in headers:
                headers[id(table)] = cells
            elif any(cells):
                blocks.append(table_row(cells, headers.get(id(table), []), anchor=anchor))
            continue
        if table is not None:
            continue  # a paragraph or list inside a cell is part of its row
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
