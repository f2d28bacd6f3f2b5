"""A proposal given as a file (the CLI's --file, the staff page's upload): its text, or a clear error."""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from assistant.errors import UnreadableProposal, UnsupportedProposalType

# File name endings and the media types browsers send for them.
KINDS = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".pdf": "pdf",
    "text/plain": "text",
    "text/markdown": "text",
    "text/x-markdown": "text",
    "application/pdf": "pdf",
}


def proposal_text(data: bytes, kind: str) -> str:
    """The text of a .txt/.md (UTF-8) or .pdf file; `kind` is a file ending or a media type."""
    read_as = KINDS.get(kind.split(";")[0].strip().lower())
    if read_as is None:
        raise UnsupportedProposalType(f"cannot read a {kind or 'file of unknown type'}: send a .txt, .md or .pdf file")
    if read_as == "text":
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise UnreadableProposal("the text file is not UTF-8: save it as UTF-8 and try again") from error
    try:
        pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    except (PdfReadError, ValueError, OSError) as error:
        raise UnreadableProposal(f"the PDF could not be read ({error})") from error
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise UnreadableProposal("the PDF has no text layer (a scan?): paste its text instead")
    return text
