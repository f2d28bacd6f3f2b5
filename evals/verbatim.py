"""Reference page texts of the published corpus files, read independently of ingest/.

A citation is verbatim when its words (presentation folded by normalize_for_match) appear in
the raw text pypdf extracts from the cited PDF page, in the web page's visible text, in a Word
file's paragraphs and cells, or in a Markdown file. A table row is cited as its cells named by
their column headers ("Total Funds: $1,240,000 | ..."): each header and each cell must be there.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pdfplumber
from bs4 import BeautifulSoup
from docx import Document
from pypdf import PdfReader

from ingest.blocks import ROW_SEPARATOR
from ingest.text_units import normalize_for_match


def _pdf_pages(path: Path) -> dict[int | None, str]:
    reader = PdfReader(path)
    texts = {n: page.extract_text() for n, page in enumerate(reader.pages, start=1)}
    # pypdf reads a table's wrapped cells line by line across the row; pdfplumber reads each cell whole.
    with pdfplumber.open(path) as pdf:
        for n, page in enumerate(pdf.pages, start=1):
            cells = [cell for table in page.extract_tables() for row in table for cell in row if cell]
            texts[n] += "\n" + "\n".join(cells)
    return {n: normalize_for_match(text) for n, text in texts.items()}


def _docx_text(path: Path) -> str:
    document = Document(str(path))
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@lru_cache
def page_texts(path: Path) -> dict[int | None, str]:
    """Normalized text by page number (None = the whole file, for formats without pages)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf_pages(path)
    if suffix in {".html", ".htm"}:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        return {None: normalize_for_match(soup.get_text("\n"))}
    if suffix == ".docx":
        return {None: normalize_for_match(_docx_text(path))}
    return {None: normalize_for_match(path.read_text(encoding="utf-8"))}


def _pieces(text: str) -> list[str]:
    """What must be found word for word: each line, or each header and cell of a table row."""
    pieces = []
    for line in text.splitlines():
        if ROW_SEPARATOR not in line:
            pieces.append(line)
            continue
        for named in line.split(ROW_SEPARATOR):
            pieces += named.split(": ", 1)
    return [piece for piece in pieces if piece.strip()]


def is_verbatim(corpus_dir: Path, url: str, page: int | None, text: str) -> bool:
    """True when `text` is word for word on the cited page of the file the url names."""
    name = url.split("#", 1)[0].rsplit("/", 1)[-1]
    path = corpus_dir / name
    if not path.exists():
        return False
    pages = page_texts(path)
    reference = pages.get(page) if page is not None else " ".join(v for v in pages.values() if v)
    if not reference:
        return False
    if ROW_SEPARATOR not in text:
        return normalize_for_match(text) in reference
    return all(normalize_for_match(piece) in reference for piece in _pieces(text))
