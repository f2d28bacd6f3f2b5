"""PDF -> blocks with pypdf: page numbers kept, headings found by type size and weight.

pypdf reports every text run with its font and position. Runs on one baseline make a line; a line
set in bold at a larger size than the body text is a heading (larger = higher level); a line that
starts with a list marker is an item, its depth read from its indent; other lines continue the
block above when they sit at the ordinary line pitch. Lines that repeat on most pages (running
headers, "Page N" footers) are page furniture and are dropped.

A ruled table (an LCAP's actions and their funds) is read by pdfplumber, which finds its cells
from the lines drawn around them; each row becomes one block naming its cells by the header row,
and the text lines inside the table are not read again. Only pages that draw lines are searched
for tables: pdfplumber reads a page several times slower than pypdf.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from pypdf import PdfReader

from ingest.blocks import Block, table_row
from ingest.text_units import split_marker

_DIGITS = re.compile(r"\d+")
# Path operators that draw a rectangle or a line: a page with a ruled table has many.
_DRAWING = re.compile(rb"\sre\s|\sl\s")
_MIN_DRAWINGS = 6


@dataclass
class _Line:
    page: int
    x: float
    y: float
    size: float
    bold: bool
    text: str
    table: tuple[Block, ...] = ()  # a whole table, standing where its top is


@dataclass(frozen=True)
class _Table:
    page: int
    x0: float
    x1: float
    top: float  # page space (from the bottom), as pypdf reports text
    bottom: float
    rows: tuple[Block, ...]

    def holds(self, line: _Line) -> bool:
        return line.page == self.page and self.bottom - 2 <= line.y <= self.top + 2 and self.x0 - 2 <= line.x <= self.x1


def _draws_lines(page: object) -> bool:
    try:
        contents = page.get_contents()  # type: ignore[attr-defined]
    except Exception:
        return False
    return contents is not None and len(_DRAWING.findall(contents.get_data())) >= _MIN_DRAWINGS


def _tables(path: Path, reader: PdfReader) -> list[_Table]:
    """The ruled tables of the pages that draw lines, each row a block named by the header row."""
    drawn = [number for number, page in enumerate(reader.pages, start=1) if _draws_lines(page)]
    if not drawn:
        return []
    tables = []
    with pdfplumber.open(path) as pdf:
        for number in drawn:
            page = pdf.pages[number - 1]
            for found in page.find_tables():
                cells = [[" ".join((cell or "").split()) for cell in row] for row in found.extract()]
                cells = [row for row in cells if any(row)]
                if len(cells) < 2 or max(len(row) for row in cells) < 2:
                    continue  # a box around a paragraph is no table
                header, body = cells[0], cells[1:]
                x0, top, x1, bottom = found.bbox
                rows = tuple(table_row(row, header, number) for row in body)
                tables.append(_Table(number, x0, x1, float(page.height) - top, float(page.height) - bottom, rows))
    return tables


def _page_lines(reader: PdfReader) -> list[_Line]:
    lines: list[_Line] = []
    for page_number, page in enumerate(reader.pages, start=1):
        runs: list[tuple[float, float, float, bool, str]] = []

        def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float, runs=runs) -> None:
            if not text.strip("\n"):
                return
            name = str((font or {}).get("/BaseFont", ""))
            # Text-space position -> page space (cm scales and moves text space).
            x = tm[4] * cm[0] + cm[4]
            y = tm[5] * cm[3] + cm[5]
            runs.append((round(y, 1), x, size * cm[3] if cm[3] else size, "Bold" in name, text.replace("\n", " ")))

        page.extract_text(visitor_text=visit)
        by_y: dict[float, list[tuple[float, float, float, bool, str]]] = {}
        for run in runs:
            by_y.setdefault(run[0], []).append(run)
        for y in sorted(by_y, reverse=True):
            parts = sorted(by_y[y], key=lambda run: run[1])
            text = "".join(part[4] for part in parts)
            if not text.strip():
                continue
            worded = [part for part in parts if part[4].strip()]
            bold = all(part[3] for part in worded)
            size = max(part[2] for part in worded)
            lines.append(_Line(page_number, min(p[1] for p in worded), y, size, bold, " ".join(text.split())))
    return lines


def _furniture(lines: list[_Line], page_count: int) -> set[str]:
    """Texts (digits folded) that recur on more than half the pages: headers and footers."""
    if page_count < 2:
        return set()
    seen: dict[str, set[int]] = {}
    for line in lines:
        seen.setdefault(_DIGITS.sub("#", line.text), set()).add(line.page)
    return {text for text, pages in seen.items() if len(pages) > page_count / 2}


def load_pdf(path: Path) -> tuple[list[Block], int]:
    """Read a PDF into blocks in reading order; returns the blocks and the page count."""
    reader = PdfReader(path)
    page_count = len(reader.pages)
    tables = _tables(path, reader)
    lines = [line for line in _page_lines(reader) if not any(table.holds(line) for table in tables)]
    furniture = _furniture(lines, page_count)
    content = [line for line in lines if _DIGITS.sub("#", line.text) not in furniture]
    if not content and not tables:
        return [], page_count
    placed = [_Line(t.page, t.x0, t.top, 0.0, False, "", t.rows) for t in tables]
    reading_order = sorted(content + placed, key=lambda line: (line.page, -line.y))
    content = content or placed

    body_size = Counter(line.size for line in content for _ in line.text).most_common(1)[0][0]
    heading_sizes = sorted({line.size for line in content if line.bold and line.size > body_size}, reverse=True)
    marker_xs = sorted({round(line.x) for line in content if split_marker(line.text)[0]})
    gaps = Counter(
        round(a.y - b.y, 1) for a, b in zip(content, content[1:]) if a.page == b.page and a.size == b.size == body_size
    )
    pitch = gaps.most_common(1)[0][0] if gaps else body_size * 1.2

    blocks: list[Block] = []
    previous: _Line | None = None
    for line in reading_order:
        if line.table:
            blocks.extend(line.table)
            previous = None
            continue
        marker, rest = split_marker(line.text)
        if line.bold and line.size in heading_sizes:
            level = heading_sizes.index(line.size) + 1
            last = blocks[-1] if blocks else None
            if (
                last is not None
                and previous is not None
                and (last.kind, last.level, last.page) == ("heading", level, line.page)
                and previous.y - line.y <= line.size * 1.6
            ):  # a long heading wrapped onto a second line
                blocks[-1] = Block("heading", f"{last.text} {line.text}", line.page, level)
            else:
                blocks.append(Block("heading", line.text, line.page, level=level))
        elif marker:
            depth = marker_xs.index(round(line.x)) if round(line.x) in marker_xs else 0
            blocks.append(Block("item", rest, line.page, level=depth, marker=marker))
        elif (
            previous is not None
            and blocks
            and blocks[-1].kind != "heading"
            and previous.page == line.page
            and previous.y - line.y <= pitch * 1.2
        ):
            last = blocks[-1]
            blocks[-1] = Block(last.kind, f"{last.text} {line.text}", last.page, last.level, last.marker)
        else:
            blocks.append(Block("paragraph", line.text, line.page))
        previous = line
    return blocks, page_count
