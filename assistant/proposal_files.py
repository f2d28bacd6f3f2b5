"""A proposal given as a file (the CLI's --file, the staff page's upload): its text, or a clear error.

An uploaded PDF is untrusted input for pypdf, which raises a dozen kinds of exception on malformed
files (NotImplementedError for an unknown filter, LimitReachedError for a deflate bomb,
DependencyError for AES without `cryptography`...): every one of them means "this PDF cannot be
read", so each becomes a 413 or 422 here, never a 500. The server reads PDFs through
assistant/pdf_worker.py, in a child process with a time and memory bound; the CLI calls this directly.
"""

from __future__ import annotations

import io
from typing import Literal

from pypdf import PdfReader
from pypdf.errors import LimitReachedError

from assistant.errors import ProposalTooLarge, UnreadableProposal, UnsupportedProposalType
from assistant.schemas import MAX_PROPOSAL_CHARS

# File name endings and the media types browsers send for them.
KINDS: dict[str, Literal["text", "pdf"]] = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".pdf": "pdf",
    "text/plain": "text",
    "text/markdown": "text",
    "text/x-markdown": "text",
    "application/pdf": "pdf",
}
DEFAULT_MAX_PAGES = 100  # the server's bound is settings.pdf_max_pages
ENCRYPTED = "encrypted PDFs cannot be read: remove the password (or paste the text) and try again"


def kind_of(kind: str) -> Literal["text", "pdf"]:
    """Whether a file ending or a media type is read as text or as a PDF; 415 for anything else."""
    read_as = KINDS.get(kind.split(";")[0].strip().lower())
    if read_as is None:
        shown = kind[:80] or "file of unknown type"
        raise UnsupportedProposalType(f"cannot read a {shown}: send a .txt, .md or .pdf file")
    return read_as


def decoded_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableProposal("the text file is not UTF-8: save it as UTF-8 and try again") from error


def pdf_text(data: bytes, max_pages: int = DEFAULT_MAX_PAGES) -> str:
    """The text layer of a PDF, page by page; stops once it holds more than a proposal may
    (the caller's 422 says so), so a long document costs no more than its first pages."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opens_without_password(reader):
            raise UnreadableProposal(ENCRYPTED)
        if len(reader.pages) > max_pages:
            raise ProposalTooLarge(f"the PDF has {len(reader.pages)} pages; a proposal may have at most {max_pages}")
        pages: list[str] = []
        read = 0
        for page in reader.pages:
            text = (page.extract_text() or "").strip()
            if text:
                pages.append(text)
                read += len(text)
            if read > MAX_PROPOSAL_CHARS:
                break
    except (UnreadableProposal, ProposalTooLarge):
        raise
    except (LimitReachedError, MemoryError) as error:  # a stream that inflates past pypdf's or our bound
        raise ProposalTooLarge("the PDF's contents expand past what a proposal may hold") from error
    except Exception as error:  # any parser failure on untrusted input: unreadable, not a 500
        raise UnreadableProposal(f"the PDF could not be read ({_reason(error)})") from error
    text = "\n\n".join(pages)
    if not text:
        raise UnreadableProposal("the PDF has no text layer (a scan?): paste its text instead")
    return text


def _opens_without_password(reader: PdfReader) -> bool:
    """An owner password alone (no copying, no printing) opens in any viewer, and here too."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # AES without `cryptography`, a broken /Encrypt dictionary
        return False


def _reason(error: Exception) -> str:
    message = " ".join(str(error).split())[:120]
    return message or type(error).__name__


def proposal_text(data: bytes, kind: str, max_pages: int = DEFAULT_MAX_PAGES) -> str:
    """The text of a .txt/.md (UTF-8) or .pdf file; `kind` is a file ending or a media type."""
    if kind_of(kind) == "text":
        return decoded_text(data)
    return pdf_text(data, max_pages)
