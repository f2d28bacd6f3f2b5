"""PDF -> blocks with pypdf: page numbers kept, headings found by type size and weight.

pypdf reports every text run with its font and position. Runs on one baseline make a line; a line
set in bold at a larger size than the body text is a heading (larger = higher level); a line that
starts with a list marker is an item, its depth read from its indent; other lines continue the
block above when they sit at the ordinary line pitch. Lines that repeat on most pages (running
headers, "Page N" footers) are page furniture and are dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from ingest.blocks import Block
from ingest.text_units import split_marker

_DIGITS = re.compile(r"\d+")


@dataclass
class _Line:
    page: int
    x: float
    y: float
    size: float
    bold: bool
    text: str


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
    furniture = _furniture(lines := _page_lines(reader), page_count)
    content = [line for line in lines if _DIGITS.sub("#", line.text) not in furniture]
    if not content:
        return [], page_count

    body_size = Counter(line.size for line in content for _ in line.text).most_common(1)[0][0]
    heading_sizes = sorted({line.size for line in content if line.bold and line.size > body_size}, reverse=True)
    marker_xs = sorted({round(line.x) for line in content if split_marker(line.text)[0]})
    gaps = Counter(
        round(a.y - b.y, 1) for a, b in zip(content, content[1:]) if a.page == b.page and a.size == b.size == body_size
    )
    pitch = gaps.most_common(1)[0][0] if gaps else body_size * 1.2

    blocks: list[Block] = []
    previous: _Line | None = None
    for line in content:
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
