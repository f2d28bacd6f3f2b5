"""The corpus folder: its manifest, and every readable file in it loaded as a SourceDocument.

A file the manifest does not name is still ingested (doc id from its file name, title from its
first heading), so dropping a new plan into corpus/ and running `plan-assistant ingest` is enough.
The manifest also names the district (or districts) whose plans these are, and where a parent can
ask a person when the plans do not answer.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ValidationError

from assistant.errors import IngestError
from ingest.blocks import Block, SourceDocument
from ingest.docx_loader import load_docx
from ingest.html_loader import load_html
from ingest.markdown_loader import load_markdown
from ingest.parsed_files import read_files
from ingest.pdf_loader import load_pdf
from ingest.text_loader import load_text

MANIFEST = "manifest.json"
LOADABLE = {".pdf", ".html", ".htm", ".md", ".markdown", ".txt", ".docx"}


class District(BaseModel):
    """Whose plans these are: how a question names the district, and where a parent can ask a person."""

    name: str
    short_names: list[str] = []
    # By language, what the assistant says when the plans do not answer: the offices to ask.
    where_to_ask: dict[str, str] = {}


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
    # The name of the district whose document this is, one of the manifest's; by default its first.
    district: str | None = None
    # One of the district's main plans (its strategic plan, its master plan): a question that names
    # no document weighs their passages first, as a library's many other documents (each school's
    # plan with its own mission, last decade's plan) would otherwise answer it as readily.
    featured: bool = False


class Manifest(BaseModel):
    district: District | None = None  # a corpus of one district's plans
    districts: list[District] = []  # ... or of several (documents name theirs)
    documents: list[ManifestEntry] = []

    def all_districts(self) -> list[District]:
        return ([self.district] if self.district else []) + self.districts

    def district_of(self, entry: ManifestEntry | None) -> str:
        """The name of the document's district ("" when the manifest names none)."""
        names = [d.name for d in self.all_districts()]
        if entry is not None and entry.district:
            return entry.district
        return names[0] if names else ""


def read_corpus_manifest(corpus_dir: Path) -> Manifest:
    """The corpus's manifest; an absent one means defaults for every file and no district."""
    path = corpus_dir / MANIFEST
    if not path.exists():
        return Manifest()
    try:
        manifest = Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as error:
        raise IngestError(f"{path}: not a valid manifest ({error})") from error
    names = {d.name for d in manifest.all_districts()}
    unknown = sorted({e.district for e in manifest.documents if e.district and e.district not in names})
    if unknown:
        raise IngestError(f"{path}: documents name districts the manifest does not describe: {unknown}")
    return manifest


def read_manifest(corpus_dir: Path) -> dict[str, ManifestEntry]:
    """Manifest entries by file name; an absent manifest means defaults for every file."""
    return {entry.file: entry for entry in read_corpus_manifest(corpus_dir).documents}


def load_blocks(path: Path) -> tuple[list[Block], int | None]:
    """Blocks and page count (None where the format has no pages)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return load_pdf(path)
    if suffix in {".html", ".htm"}:
        return load_html(path), None
    if suffix in {".md", ".markdown"}:
        return load_markdown(path), None
    if suffix == ".docx":
        return load_docx(path), None
    return load_text(path), None


def load_corpus(corpus_dir: Path, cache_dir: Path | None = None) -> list[SourceDocument]:
    """Load every document in the folder; any unreadable file fails the whole load (nothing is written).

    With `cache_dir`, a file read before (same bytes, same loaders) is not parsed again
    (ingest/parsed_files.py)."""
    if not corpus_dir.is_dir():
        raise IngestError(f"corpus folder {corpus_dir} does not exist")
    manifest = read_corpus_manifest(corpus_dir)
    entries = {entry.file: entry for entry in manifest.documents}
    documents = []
    # Hidden files and Word's "~$" lock files beside an open document are no documents.
    readable = (p for p in corpus_dir.iterdir() if p.suffix.lower() in LOADABLE and not p.name.startswith((".", "~$")))
    paths = sorted(readable)
    loaded = read_files(paths, load_blocks, cache_dir)
    for path in paths:
        read = loaded[path]
        if isinstance(read, str):  # any parser failure names the file; the old index keeps serving
            raise IngestError(f"{path.name}: could not be read ({read})")
        blocks, pages = read
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
                district=manifest.district_of(entry),
                edition=entry.edition if entry else "",
                featured=entry.featured if entry else False,
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
