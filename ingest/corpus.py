"""The corpus folder: its manifest, and every readable file in it loaded as a SourceDocument.

A file the manifest does not name is still ingested (doc id from its file name, title from its
first heading), so dropping a new plan into corpus/ and running `plan-assistant ingest` is enough.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ValidationError

from assistant.errors import IngestError
from ingest.blocks import Block, SourceDocument
from ingest.html_loader import load_html
from ingest.pdf_loader import load_pdf
from ingest.text_loader import load_text

MANIFEST = "manifest.json"
LOADABLE = {".pdf", ".html", ".htm", ".md", ".markdown", ".txt"}


class ManifestEntry(BaseModel):
    doc_id: str
    title: str
    kind: str
    edition: str = ""
    file: str
    language: str = "en"
    # A translation names the doc_id it translates; its passages are linked to the original's.
    translation_of: str | None = None
    label: str = ""


class Manifest(BaseModel):
    documents: list[ManifestEntry]


def read_manifest(corpus_dir: Path) -> dict[str, ManifestEntry]:
    """Manifest entries by file name; an absent manifest means defaults for every file."""
    path = corpus_dir / MANIFEST
    if not path.exists():
        return {}
    try:
        manifest = Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as error:
        raise IngestError(f"{path}: not a valid manifest ({error})") from error
    return {entry.file: entry for entry in manifest.documents}


def load_blocks(path: Path) -> tuple[list[Block], int | None]:
    """Blocks and page count (None where the format has no pages)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return load_pdf(path)
    if suffix in {".html", ".htm"}:
        return load_html(path), None
    return load_text(path), None


def load_corpus(corpus_dir: Path) -> list[SourceDocument]:
    """Load every document in the folder; any unreadable file fails the whole load (nothing is written)."""
    if not corpus_dir.is_dir():
        raise IngestError(f"corpus folder {corpus_dir} does not exist")
    entries = read_manifest(corpus_dir)
    documents = []
    for path in sorted(p for p in corpus_dir.iterdir() if p.suffix.lower() in LOADABLE):
        try:
            blocks, pages = load_blocks(path)
        except Exception as error:  # any parser failure names the file; the old index keeps serving
            raise IngestError(f"{path.name}: could not be read ({type(error).__name__}: {error})") from error
        if not blocks:
            raise IngestError(f"{path.name}: no text found (a scanned PDF needs OCR first)")
        entry = entries.get(path.name)
        first_heading = next((b.text for b in blocks if b.kind == "heading"), path.stem)
        documents.append(
            SourceDocument(
                doc_id=entry.doc_id if entry else path.stem,
                title=entry.title if entry else first_heading,
                kind=entry.kind if entry else path.suffix.lstrip(".").lower(),
                url=f"/corpus/{path.name}",
                blocks=tuple(blocks),
                pages=pages,
                language=entry.language if entry else "en",
                translation_of=entry.translation_of if entry else None,
                label=entry.label if entry else "",
            )
        )
    missing = set(entries) - {d.url.rsplit("/", 1)[-1] for d in documents}
    if missing:
        raise IngestError(f"manifest names files that are not in {corpus_dir}: {sorted(missing)}")
    known = {d.doc_id for d in documents}
    for document in documents:
        if document.translation_of and document.translation_of not in known:
            raise IngestError(f"{document.doc_id}: translates {document.translation_of!r}, which is not in the corpus")
    return documents
