"""Word (.docx) -> blocks with python-docx: headings by their styles, list paragraphs as items,
tables as rows named by their header row, in the order the document shows them.

A .docx has no fixed pages (Word lays them out when it prints), so page is None, as for a web page.
"""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from ingest.blocks import Block, table_row

_HEADING_STYLE = re.compile(r"^(?:Heading (\d)|Title)$")
_LIST_STYLE = re.compile(r"^List (Bullet|Number|Paragraph)(?: (\d))?$")


def _words(text: str) -> str:
    return " ".join(text.split())


def _list_level(paragraph: Paragraph) -> int | None:
    """The depth of a list paragraph (0 = outermost), None for any other paragraph."""
    style = paragraph.style.name if paragraph.style is not None else ""
    numbering = getattr(paragraph._p.pPr, "numPr", None)  # Word's own numbering, where a style has none
    depth = getattr(numbering, "ilvl", None)
    if depth is not None:
        return int(depth.val)
    if match := _LIST_STYLE.match(style):
        return int(match.group(2) or 1) - 1
    return None


def _rows(table: Table) -> list[list[str]]:
    """Each row's cells, a cell merged across columns counted once."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(_words(cell.text))
        rows.append(cells)
    return rows


def load_docx(path: Path) -> list[Block]:
    """Read a Word document into blocks in reading order."""
    blocks: list[Block] = []
    numbers: dict[int, int] = {}  # numbered list counters by depth
    for part in Document(str(path)).iter_inner_content():
        if isinstance(part, Table):
            numbers.clear()
            rows = _rows(part)
            headers, body = (rows[0], rows[1:]) if len(rows) > 1 else ([], rows)
            blocks += [table_row(cells, headers) for cells in body if any(cells)]
            continue
        text = _words(part.text)
        if not text:
            continue
        style = part.style.name if part.style is not None else ""
        if heading := _HEADING_STYLE.match(style):
            numbers.clear()
            blocks.append(Block("heading", text, None, level=int(heading.group(1) or 1)))
        elif (level := _list_level(part)) is not None:
            numbered = "Number" in style
            if numbered:
                numbers[level] = numbers.get(level, 0) + 1
                for deeper in [d for d in numbers if d > level]:
                    del numbers[deeper]
            marker = f"{numbers[level]}." if numbered else "•"
            blocks.append(Block("item", text, None, level=level, marker=marker))
        else:
            numbers.clear()
            blocks.append(Block("paragraph", text, None))
    return blocks
