"""Small real plans for the admin tests: PDFs written with fpdf2 (as scripts/build_corpus.py writes
the corpus's), a heading per section, so the ingest reads them as it reads a district's plan."""

from __future__ import annotations

from fpdf import FPDF

MEALS = "# School Meals Plan\n\n## Breakfast\n\nEvery school will serve a free breakfast to every student.\n"
ARTS = "# Arts Plan\n\n## Music\n\nEvery middle school will offer an orchestra class.\n"


def plan_pdf(title: str, sections: dict[str, str]) -> bytes:
    """A one-page plan: its title, then each section's heading and paragraph."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", style="B", size=20)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    for heading, text in sections.items():
        pdf.ln(4)
        pdf.set_font("helvetica", style="B", size=14)
        pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=11)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
