"""Real PDFs an attacker (or an unlucky staff member) might upload, made here with fpdf2 and pypdf:
each is a file pypdf really parses, not a stub. Shared by the tests and bench/bench_load.py."""

from __future__ import annotations

import io
import zlib

from fpdf import FPDF
from pypdf import PdfWriter

PROPOSAL = "Hire three counselors to support students' social-emotional well-being"


def text_pdf(text: str = PROPOSAL, pages: int = 1) -> bytes:
    """An ordinary PDF with a text layer, one paragraph per page."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for n in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"{text} (page {n + 1})" if pages > 1 else text)
    return bytes(pdf.output())


def encrypted_pdf(algorithm: str = "AES-256", user_password: str = "secret") -> bytes:
    """`text_pdf` encrypted by pypdf (AES needs the `cryptography` package to write and to read)."""
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf()))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def one_page_pdf(content: bytes, filters: bytes = b"/FlateDecode") -> bytes:
    """A minimal, well-formed PDF (correct xref offsets) whose one page's content stream is `content`,
    already encoded with `filters`."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter %s >>\nstream\n%s\nendstream" % (len(content), filters, content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def unknown_filter_pdf() -> bytes:
    return one_page_pdf(b"BT /F1 12 Tf 72 720 Td (Hire counselors) Tj ET", filters=b"/NoSuchDecode")


def deflate_bomb_pdf(inflated_bytes: int = 200_000_000) -> bytes:
    """About 200 KB that inflate to 200 MB of zeros."""
    return one_page_pdf(zlib.compress(b"0" * inflated_bytes, 9))


def slow_pdf(operators: int = 700_000) -> bytes:
    """About 7 KB whose one page draws one letter `operators` times: pypdf's text extraction takes
    close to a minute on it (measured on this machine), the kind of file the issue found."""
    return one_page_pdf(zlib.compress(b"BT /F1 12 Tf 72 720 Td " + b"(a) Tj " * operators + b"ET", 9))


def truncated_pdf() -> bytes:
    data = text_pdf()
    return data[: len(data) // 2]


def thousand_pages_pdf() -> bytes:
    return text_pdf(pages=1000)
