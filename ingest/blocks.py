"""The shapes that flow through ingestion: documents made of blocks, and the chunks cut from them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["heading", "paragraph", "item", "row"]
ROW_SEPARATOR = " | "  # between a table row's "Header: cell" pairs


@dataclass(frozen=True)
class Block:
    """One structural piece of a document, its text verbatim (list markers kept apart)."""

    kind: BlockKind
    text: str
    page: int | None = None
    level: int = 0  # heading level (1 = top), or list depth for items (0 = outermost)
    marker: str = ""  # "-", "•", "1." for list items
    anchor: str | None = None  # id of the nearest HTML heading, for links
    # A table row: its cells verbatim and its table's column headers ("" where a column has none).
    cells: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()


def table_row(cells: list[str], headers: list[str], page: int | None = None, anchor: str | None = None) -> Block:
    """A table row as one block whose text names each cell by its column ("Total Funds: $1,240,000"),
    so "How much is budgeted for counselors?" finds the row and cites it whole. Empty cells are left out."""
    named = [
        f"{header}: {cell}" if header and header != cell else cell
        for cell, header in zip(cells, list(headers) + [""] * (len(cells) - len(headers)))
        if cell
    ]
    return Block("row", ROW_SEPARATOR.join(named), page, anchor=anchor, cells=tuple(cells), headers=tuple(headers))


@dataclass(frozen=True)
class SourceDocument:
    """A corpus document as loaded: manifest facts plus its blocks in reading order."""

    doc_id: str
    title: str
    kind: str
    url: str
    blocks: tuple[Block, ...]
    pages: int | None = None
    language: str = "en"
    translation_of: str | None = None  # doc_id of the original this document translates
    label: str = ""  # how a translation is labelled to readers, e.g. "Traducción no oficial"
    district: str = ""  # the name of the district whose document it is (the manifest's)
    edition: str = ""  # the years it covers or the year it was adopted: "2016-2020", "2024-25"
    featured: bool = False  # one of the district's main plans (the manifest's `featured`)


@dataclass(frozen=True)
class Chunk:
    """A contiguous, verbatim span of one document section: the unit retrieved and cited."""

    doc_id: str
    title: str
    url: str
    page: int | None
    section: str  # heading path, e.g. "PUSD GRADUATE PROFILE > Skills and Knowledge > Life Skills"
    text: str  # verbatim lines of the span (list markers included, as printed)
    units: tuple[str, ...]  # the sentences and list items of `text`, each verbatim
    context: str = ""  # the list lead-in when it is not inside `text` (continuation chunks)
    anchor: str | None = None
    ordinal: int = 0  # position in the document, for reading order
    language: str = "en"
    original_id: str = ""  # in a translation: id of the original's chunk that this one renders
    label: str = ""  # the document's label for readers ("Traducción no oficial"); not part of the id
    # The document's facts, which a question may name ("Lakeshore's 2024-25 board goals"); not part of the id.
    district: str = ""
    edition: str = ""
    doc_kind: str = ""
    featured: bool = False

    @property
    def id(self) -> str:
        """Content hash: unchanged text at the same place keeps its id, so re-ingest embeds nothing."""
        parts = [self.doc_id, str(self.page), self.section, self.context, self.text]
        key = "\x1f".join(parts + ([self.original_id] if self.original_id else []))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]

    @property
    def embed_text(self) -> str:
        """What retrieval sees: the heading path counts as part of the chunk's text."""
        return "\n".join(part for part in (self.section, self.context, self.text) if part)

    @property
    def link(self) -> str:
        return source_link(self.url, self.page, self.anchor)


def source_link(url: str, page: int | None, anchor: str | None) -> str:
    """A link that opens the source at a page (PDF) or section (HTML)."""
    if page is not None and url.lower().endswith(".pdf"):
        return f"{url}#page={page}"
    return f"{url}#{anchor}" if anchor else url
