"""Reference page texts of the published corpus files, read independently of ingest/.

A citation is verbatim when its words (presentation folded by normalize_for_match) appear in
the raw text pypdf extracts from the cited PDF page, or in the web page's visible text.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bs4 import BeautifulSoup
from pypdf import PdfReader

from ingest.text_units import normalize_for_match


@lru_cache
def page_texts(path: Path) -> dict[int | None, str]:
    """Normalized text by page number (None = the whole file, for formats without pages)."""
    if path.suffix.lower() == ".pdf":
        reader = PdfReader(path)
        return {n: normalize_for_match(page.extract_text()) for n, page in enumerate(reader.pages, start=1)}
    if path.suffix.lower() in {".html", ".htm"}:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        return {None: normalize_for_match(soup.get_text("\n"))}
    return {None: normalize_for_match(path.read_text(encoding="utf-8"))}


def is_verbatim(corpus_dir: Path, url: str, page: int | None, text: str) -> bool:
    """True when `text` is word for word on the cited page of the file the url names."""
    name = url.split("#", 1)[0].rsplit("/", 1)[-1]
    path = corpus_dir / name
    if not path.exists():
        return False
    pages = page_texts(path)
    reference = pages.get(page) if page is not None else " ".join(pages.values())
    return bool(reference) and normalize_for_match(text) in reference  # type: ignore[operator]
