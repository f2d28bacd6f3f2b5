"""The corpus's documents as the admin area changes them: plain Python, nothing of HTTP.

Every change writes the corpus folder and its manifest.json whole or not at all (a temporary file
beside the target, then os.replace) while holding the corpus lock exclusively
(assistant/index/generations.py), so an ingest, which reads under the shared lock, never sees a
file without its manifest entry or the reverse. A crash between the two writes of one change leaves
at worst a file the manifest does not name, which the ingest still reads (with default facts).
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.errors import (
    DocumentConflict,
    DocumentNotFound,
    InvalidDocumentEntry,
    UnreadableDocument,
    UnsupportedDocumentType,
)
from assistant.index.generations import corpus_lock
from assistant.settings import Settings
from ingest.corpus import LOADABLE, MANIFEST, Manifest, ManifestEntry, load_blocks, read_corpus_manifest

Kind = Literal["pdf", "docx", "html", "markdown"]
SUFFIX: dict[str, str] = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "markdown": ".md"}
NAMED = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}
# A .docx is a zip: one that inflates past this, or holds this many members, is a bomb, not a plan.
DOCX_MAX_INFLATED = 200_000_000
DOCX_MAX_MEMBERS = 5_000
TYPES = "a PDF, a Word document (.docx), an HTML page or a Markdown file"
OMITTED_WHEN_EMPTY = ("label", "featured")  # the manifest leaves these out rather than write "" or false


class EntryFields(BaseModel):
    """What staff may set of a document's manifest entry."""

    title: str = Field(min_length=1, max_length=300)
    edition: str = Field(default="", max_length=100, description='e.g. "2024-2028"')
    language: str = Field(default="en", pattern=r"^[a-z]{2}$", description="Two letters: en, es, ...")
    translation_of: str | None = Field(default=None, max_length=200, description="The doc_id this translates.")
    featured: bool | None = Field(
        default=None,
        description="One of the district's main plans, weighed first when a question names no document."
        " Left out: unchanged by an edit, false for a new document.",
    )


def sniff(data: bytes, filename: str) -> Kind:
    """The file's type by its content (the name only tells HTML from Markdown); 415 for any other
    type, and for a name whose ending says one type when the content is another."""
    named = NAMED.get(Path(filename).suffix.lower())
    kind: Kind
    if data.startswith(b"%PDF-"):
        kind = "pdf"
    elif data.startswith(b"PK\x03\x04"):
        kind = _docx(data)
    else:
        text = _utf8(data)
        if named == "html" or text.lstrip()[:100].lower().startswith(("<!doctype html", "<html")):
            kind = "html"
        elif named == "markdown" or Path(filename).suffix.lower() == ".txt":
            kind = "markdown"
        else:
            raise UnsupportedDocumentType(f"{filename[:100]} is not {TYPES}")
    if named is not None and named != kind:
        raise UnsupportedDocumentType(f"{filename[:100]} is named as a {named} file but holds a {kind} file")
    return kind


def _docx(data: bytes) -> Kind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > DOCX_MAX_MEMBERS or sum(m.file_size for m in members) > DOCX_MAX_INFLATED:
                raise UnreadableDocument("the Word file expands past what a plan may hold")
            if "word/document.xml" not in {m.filename for m in members}:
                raise UnsupportedDocumentType(f"a zip file that is not a Word document: send {TYPES}")
    except zipfile.BadZipFile as error:
        raise UnreadableDocument("the Word file is damaged: save it again and upload it") from error
    return "docx"


def _utf8(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnsupportedDocumentType(f"the file is not {TYPES} (or not saved as UTF-8)") from error
    if "\x00" in text:
        raise UnsupportedDocumentType(f"the file is not {TYPES}")
    return text


def check_text(path: Path) -> None:
    """A .docx, HTML or Markdown file is read as the ingest will read it: it must hold text. (PDFs
    are read by the bounded worker instead: pypdf on an untrusted PDF may take any time.)"""
    try:
        blocks, _ = load_blocks(path)
    except Exception as error:  # any parser failure on untrusted input: unreadable, not a 500
        raise UnreadableDocument(f"the file could not be read ({type(error).__name__})") from error
    if not blocks:
        raise UnreadableDocument("the file holds no text")


def slug(filename: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", Path(filename).stem.lower()).strip("-")[:80]
    return stem or "document"


class Documents:
    """The corpus folder of `settings`, changed one whole step at a time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.folder = settings.corpus_dir

    # --- reading ---

    def manifest(self) -> Manifest:
        return read_corpus_manifest(self.folder)

    def files(self) -> list[str]:
        """The files an ingest reads (as ingest/corpus.py chooses them)."""
        return sorted(
            p.name for p in self.folder.iterdir() if p.suffix.lower() in LOADABLE and not p.name.startswith((".", "~$"))
        )

    def entries(self) -> list[ManifestEntry]:
        """One entry per file: the manifest's, or the defaults the ingest gives a file it does not name;
        then the manifest's entries whose file is missing (the ingest refuses those: staff must see them)."""
        named = {entry.file: entry for entry in self.manifest().documents}
        files = self.files()
        return [named.get(name) or _default_entry(name) for name in files] + [
            entry for entry in named.values() if entry.file not in files
        ]

    def entry(self, file: str) -> ManifestEntry:
        found = next((entry for entry in self.entries() if entry.file == file), None)
        if found is None:
            raise DocumentNotFound(f"no document {file[:200]!r} in the corpus")
        return found

    # --- changing (each under the exclusive corpus lock) ---

    def add(self, filename: str, data: bytes, kind: Kind, fields: EntryFields) -> ManifestEntry:
        """A new document: its file written, then its manifest entry."""
        with corpus_lock(self.settings, exclusive=True):
            named, everyone = self.manifest().documents, self.entries()
            doc_id = slug(filename)
            name = doc_id + SUFFIX[kind]
            if any(e.file == name or e.doc_id == doc_id for e in everyone):
                raise DocumentConflict(f"the corpus already holds {name}: replace that document instead")
            entry = ManifestEntry(doc_id=doc_id, kind="plan", file=name, **_checked(fields, everyone, doc_id))
            self._write_file(name, data)
            self._write_manifest([*named, entry])
        return entry

    def replace(self, file: str, data: bytes, kind: Kind) -> ManifestEntry:
        """New contents for a document; its entry keeps its facts (a new type changes its file's ending)."""
        with corpus_lock(self.settings, exclusive=True):
            named, everyone = self.manifest().documents, self.entries()
            old = self._find(everyone, file)
            name = Path(old.file).stem + SUFFIX[kind]
            if name != old.file and any(e.file == name for e in everyone):
                raise DocumentConflict(f"the corpus already holds {name}")
            entry = old.model_copy(update={"file": name})
            self._write_file(name, data)
            self._write_manifest(_put(named, file, entry))
            if name != old.file:
                (self.folder / old.file).unlink(missing_ok=True)
        return entry

    def remove(self, file: str) -> ManifestEntry:
        """The entry first, then the file: a crash between leaves a file the ingest still reads."""
        with corpus_lock(self.settings, exclusive=True):
            named, everyone = self.manifest().documents, self.entries()
            old = self._find(everyone, file)
            translations = [e.file for e in everyone if e.translation_of == old.doc_id]
            if translations:
                raise DocumentConflict(f"{', '.join(translations)} translate {file}: remove them first")
            self._write_manifest([e for e in named if e.file != file])
            (self.folder / file).unlink(missing_ok=True)
        return old

    def edit(self, file: str, fields: EntryFields) -> ManifestEntry:
        """New title, edition, language, original or featured flag; the file itself is unchanged."""
        with corpus_lock(self.settings, exclusive=True):
            named, everyone = self.manifest().documents, self.entries()
            old = self._find(everyone, file)
            entry = old.model_copy(update=_checked(fields, everyone, old.doc_id))
            self._write_manifest(_put(named, file, entry))
        return entry

    def _find(self, entries: list[ManifestEntry], file: str) -> ManifestEntry:
        found = next((entry for entry in entries if entry.file == file), None)
        if found is None:
            raise DocumentNotFound(f"no document {file[:200]!r} in the corpus")
        return found

    def _write_file(self, name: str, data: bytes) -> None:
        _atomic_write(self.folder / name, data)

    def _write_manifest(self, entries: list[ManifestEntry]) -> None:
        """The manifest with these documents; everything else in it (the district) kept as it was."""
        path = self.folder / MANIFEST
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        raw["documents"] = []
        for entry in entries:  # written as people write them: no empty label, no null original, no false flag
            dumped = entry.model_dump(exclude_none=True)
            raw["documents"].append({k: v for k, v in dumped.items() if v or k not in OMITTED_WHEN_EMPTY})
        Manifest.model_validate(raw)  # never write a manifest the ingest would refuse
        _atomic_write(path, (json.dumps(raw, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def _put(named: list[ManifestEntry], file: str, entry: ManifestEntry) -> list[ManifestEntry]:
    """The manifest's entries with `file`'s replaced by `entry` (added, for a file it did not name)."""
    if any(e.file == file for e in named):
        return [entry if e.file == file else e for e in named]
    return [*named, entry]


def _default_entry(name: str) -> ManifestEntry:
    return ManifestEntry(
        doc_id=Path(name).stem, title=Path(name).stem, kind=Path(name).suffix.lstrip(".").lower(), file=name
    )


def _checked(fields: EntryFields, entries: list[ManifestEntry], doc_id: str) -> dict[str, Any]:
    """The fields as manifest values, once the original a translation names is known to be there.
    A featured flag left out is not a value: the entry keeps its own (a new one, the default)."""
    values = fields.model_dump(exclude={"featured"} if fields.featured is None else set())
    values["title"] = " ".join(fields.title.split())
    original = fields.translation_of or None
    if original is not None:
        if original == doc_id:
            raise InvalidDocumentEntry("a document cannot be a translation of itself")
        if original not in {e.doc_id for e in entries}:
            raise InvalidDocumentEntry(f"translation_of names {original!r}, which is not in the corpus")
    values["translation_of"] = original
    return values


def _atomic_write(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never half of it; the hidden temporary name is one
    the ingest skips."""
    staged = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with staged.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(staged, path)
