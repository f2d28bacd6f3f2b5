"""The admin area's documents routes (/api/admin/documents, /api/admin/ingest): validate, call the
core (assistant/admin/documents.py), start the ingest (assistant/admin/ingest_jobs.py), serialise.

Uploads are bounded as /api/align/file's are: max_document_bytes before the body is read whole
(BodyLimit, on Content-Length or as a chunked body passes it), the type from the content, and a PDF
read by the bounded child process (assistant/pdf_worker.py), so an encrypted, bomb or 1,000-page
PDF is a 413 or 422 within pdf_seconds, never a 500.
"""

from __future__ import annotations

import hashlib
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from assistant.admin.auth import require_admin
from assistant.admin.documents import Documents, EntryFields, Kind, check_text, sniff
from assistant.admin.ingest_jobs import IngestJobs, IngestStatus
from assistant.errors import (
    AssistantError,
    InvalidRequest,
    ProposalTooLarge,
    UnreadableDocument,
    UnreadableProposal,
)
from assistant.http_errors import require_json
from assistant.pdf_worker import PdfReaders
from assistant.schemas import ErrorReply
from ingest.corpus import ManifestEntry

# Paths whose bodies are documents (max_document_bytes, not max_body_bytes); a key ending in "/"
# covers every path under it.
DOCUMENT_UPLOADS = ("/api/admin/documents", "/api/admin/documents/")
FIELDS = tuple(EntryFields.model_fields)  # the form fields of an upload: what staff may set
DOCUMENT_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorReply} for status in (401, 403, 404, 409, 413, 415, 422, 429, 503)
}


class DocumentRow(BaseModel):
    file: str
    doc_id: str
    title: str
    edition: str
    language: str
    translation_of: str | None
    featured: bool = Field(description="One of the district's main plans, weighed first when a question names none.")
    status: str = Field(description='"indexed", "waiting" (changed since the last ingest) or "failed".')
    pages: int | None = Field(description="As last ingested; none for HTML, Markdown and Word.")
    passages: int | None = Field(description="Passages the index holds of it, as last ingested.")
    ingested_at: datetime | None = Field(description="When its current contents were first ingested.")
    last_error: str | None = None


class DocumentList(BaseModel):
    documents: list[DocumentRow]
    ingest: IngestStatus


class Changed(BaseModel):
    document: ManifestEntry
    ingest: IngestStatus = Field(description="The ingest started (or queued) to serve the change.")


def document_rows(documents: Documents, indexed: list[dict], ingest: IngestStatus) -> list[DocumentRow]:
    """Each file with its manifest entry and what the served index holds of it."""
    facts = {fact["file"]: fact for fact in indexed}
    rows = []
    for entry in documents.entries():
        fact = facts.get(entry.file)
        path = documents.folder / entry.file
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        current = fact is not None and fact["sha256"] == digest
        error = ingest.error if ingest.error is not None and ingest.error.startswith(f"{entry.file}:") else None
        if digest is None:
            error = f"{entry.file}: the manifest names it but the file is missing: replace the file or remove it"
        failed = error is not None
        rows.append(
            DocumentRow(
                **entry.model_dump(include={"file", "doc_id", "title", "edition", "language", "translation_of"}),
                featured=entry.featured,
                status="failed" if failed else "indexed" if current else "waiting",
                pages=fact["pages"] if fact else None,
                passages=fact["passages"] if fact else None,
                ingested_at=fact["ingested_at"] if fact else None,
                last_error=error,
            )
        )
    return rows


def _indexed(request: Request) -> list[dict]:
    """What the index this server serves says of each document (nothing before the first ingest)."""
    try:
        return list(request.app.state.served.get().index.documents())
    except AssistantError:
        return []


async def _validated(request: Request, name: str, data: bytes) -> Kind:
    """The upload's type, once it is known to be readable as that type (else 413/415/422)."""
    kind = sniff(data, name)
    if kind == "pdf":
        pdfs: PdfReaders = request.app.state.pdfs
        try:
            await pdfs.text(data)
        except UnreadableProposal as error:  # the worker speaks of proposals; the message holds
            raise UnreadableDocument(error.message) from error
        except ProposalTooLarge:
            raise
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{'.docx' if kind == 'docx' else '.html' if kind == 'html' else '.md'}"
            path.write_bytes(data)
            await run_in_threadpool(check_text, path)
    return kind


def _multipart(with_fields: bool = False) -> dict[str, Any]:
    """The upload's schema for OpenAPI. The routes read the form themselves, after require_admin:
    FastAPI reads declared File/Form parameters before any dependency, so a request without
    credentials would have its whole upload read before its 401."""
    properties: dict[str, Any] = {"file": {"type": "string", "format": "binary"}}
    if with_fields:
        # Each field's type and limits, as the routes check them.
        described = EntryFields.model_json_schema()["properties"]
        properties |= {name: described[name] for name in FIELDS}
    required = ["file", "title"] if with_fields else ["file"]
    schema = {"type": "object", "properties": properties, "required": required}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


async def _upload(request: Request) -> tuple[dict[str, str], str, bytes]:
    """The form's text fields (those left empty out: they take their defaults, and a missing title
    is "title: Field required"), the file's name and its bytes (bounded by BodyLimit)."""
    try:
        form = await request.form(max_files=1, max_fields=10)
    except HTTPException as error:  # Starlette's 400 for a malformed multipart body
        raise InvalidRequest(f"send the file as multipart/form-data ({error.detail})") from error
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise RequestValidationError([{"loc": ("body", "file"), "msg": "Field required", "type": "missing"}])
        values = {name: value for name in FIELDS if isinstance(value := form.get(name), str) and value}
        return values, upload.filename or "", await upload.read()
    finally:
        await form.close()  # the spooled temporary file goes now, not when it is collected


def _fields(**values: Any) -> EntryFields:
    try:
        return EntryFields(**values)
    except ValidationError as error:
        raise RequestValidationError(error.errors()) from error


def documents_router(documents: Documents, jobs: IngestJobs) -> APIRouter:
    router = APIRouter(prefix="/api/admin", dependencies=[Depends(require_admin)], responses=DOCUMENT_ERRORS)

    @router.get("/documents", response_model=DocumentList)
    def listing(request: Request) -> DocumentList:
        """Every document of the corpus: its manifest entry, and pages, passages and when it was
        ingested as the served index says; "waiting" until an ingest has read its current file."""
        status = jobs.status()
        return DocumentList(documents=document_rows(documents, _indexed(request), status), ingest=status)

    @router.post("/documents", response_model=Changed, status_code=202, openapi_extra=_multipart(with_fields=True))
    async def add(request: Request) -> Changed:
        """Add a plan (multipart: file, title, edition, language, translation_of, featured): its file is checked,
        written into the corpus with its manifest entry, and an ingest starts. 409 when the name is taken."""
        values, name, data = await _upload(request)
        fields = _fields(**values)
        kind = await _validated(request, name, data)
        entry = await run_in_threadpool(documents.add, name or "document", data, kind, fields)
        return Changed(document=entry, ingest=jobs.start())

    @router.put("/documents/{file}/file", response_model=Changed, status_code=202, openapi_extra=_multipart())
    async def replace(request: Request, file: str) -> Changed:
        """Replace a document's file (multipart: file), a new edition of the plan; its entry is kept."""
        documents.entry(file)  # 404 before the upload is read
        _, name, data = await _upload(request)
        kind = await _validated(request, name, data)
        entry = await run_in_threadpool(documents.replace, file, data, kind)
        return Changed(document=entry, ingest=jobs.start())

    @router.patch("/documents/{file}", response_model=Changed, status_code=202, dependencies=[Depends(require_json)])
    def edit(file: str, body: EntryFields) -> Changed:
        """Change a document's title, edition, language, the document it translates or whether it is
        one of the district's main plans (featured; left out, unchanged)."""
        return Changed(document=documents.edit(file, body), ingest=jobs.start())

    @router.delete("/documents/{file}", response_model=Changed, status_code=202)
    def remove(file: str) -> Changed:
        """Remove a document and its manifest entry; 409 while a translation names it."""
        return Changed(document=documents.remove(file), ingest=jobs.start())

    @router.get("/ingest", response_model=IngestStatus)
    def ingest_status() -> IngestStatus:
        """The admin area's ingest: phase, done of total, when it started and finished, its error."""
        return jobs.status()

    @router.post("/ingest", response_model=IngestStatus, status_code=202)
    def ingest_now() -> IngestStatus:
        """Ingest the corpus now (after a failed ingest, or files changed by hand)."""
        return jobs.start()

    return router
