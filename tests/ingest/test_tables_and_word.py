"""Tables kept as rows named by their column headers, in every shape a district publishes them:
Markdown, a web page, a Word file and a printed PDF; and Word documents read with their styles."""

from pathlib import Path

from docx import Document
from fpdf import FPDF
from fpdf.fonts import FontFace

from evals.verbatim import is_verbatim
from ingest.blocks import Block, SourceDocument
from ingest.chunker import chunk_document
from ingest.docx_loader import load_docx
from ingest.html_loader import load_html
from ingest.markdown_loader import load_markdown
from ingest.pdf_loader import load_pdf

HEADERS = ["Action #", "Title", "Description", "Total Funds"]
ROWS = [
    ["1.1", "Counselors", "Add four school counselors at the middle schools.", "$1,240,000"],
    ["1.2", "Tutors", "Hire reading tutors for kindergarten through grade 3.", "$310,500"],
]
COUNSELORS = (
    "Action #: 1.1 | Title: Counselors | Description: Add four school counselors at the middle schools."
    " | Total Funds: $1,240,000"
)


def _rows(blocks: list[Block]) -> list[str]:
    return [b.text for b in blocks if b.kind == "row"]


def test_a_markdown_table_is_rows_named_by_the_header_and_markup_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "lcap.md"
    table = "\n".join("| " + " | ".join(row) + " |" for row in [HEADERS, ["---"] * 4, *ROWS])
    path.write_text(
        f"# Goal 1\n\nWe **will** add [staff](https://x.example).\n\n{table}\n\n1. Next\n2. Then\n", "utf-8"
    )
    blocks = load_markdown(path)
    assert blocks[1] == Block("paragraph", "We will add staff.", None)
    assert _rows(blocks)[0] == COUNSELORS and len(_rows(blocks)) == 2
    assert [(b.text, b.marker) for b in blocks if b.kind == "item"] == [("Next", "1."), ("Then", "2.")]


def test_an_html_table_with_a_head_is_rows_and_a_paragraph_in_a_cell_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "lcap.html"
    head = "".join(f"<th>{h}</th>" for h in HEADERS)
    body = "".join("<tr>" + "".join(f"<td><p>{c}</p></td>" for c in row) + "</tr>" for row in ROWS)
    path.write_text(f"<main><h2>Actions</h2><table><thead><tr>{head}</tr></thead>{body}</table></main>", "utf-8")
    blocks = load_html(path)
    assert [b.kind for b in blocks] == ["heading", "row", "row"]
    assert blocks[1].text == COUNSELORS and blocks[1].cells == tuple(ROWS[0])


def test_a_word_file_is_read_with_its_heading_and_list_styles_and_its_tables(tmp_path: Path) -> None:
    document = Document()
    document.add_heading("Local Control and Accountability Plan", level=1)
    document.add_heading("Goal 1", level=2)
    document.add_paragraph("Every student reads at grade level by grade 3.")
    document.add_paragraph("Tutoring", style="List Bullet")
    document.add_paragraph("After school", style="List Bullet 2")
    document.add_paragraph("Hire", style="List Number")
    document.add_paragraph("Train", style="List Number")
    table = document.add_table(rows=0, cols=4, style="Table Grid")
    for row in [HEADERS, *ROWS]:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    document.add_paragraph("Progress is reported each spring.")
    path = tmp_path / "lcap.docx"
    document.save(str(path))
    blocks = load_docx(path)
    assert [(b.kind, b.level, b.marker) for b in blocks[:7]] == [
        ("heading", 1, ""),
        ("heading", 2, ""),
        ("paragraph", 0, ""),
        ("item", 0, "•"),
        ("item", 1, "•"),
        ("item", 0, "1."),
        ("item", 0, "2."),
    ]
    assert _rows(blocks) == [COUNSELORS, blocks[8].text] and blocks[-1].text == "Progress is reported each spring."
    assert is_verbatim(tmp_path, "/corpus/lcap.docx", None, COUNSELORS)


def _ruled_table_pdf(path: Path) -> None:
    pdf = FPDF(format="Letter")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, "Goal 1 Actions", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 5, "The district will fund these actions.", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(15, 25, 45, 20), headings_style=FontFace(emphasis="BOLD")) as table:
        for row in [HEADERS, *ROWS]:
            table.row(row)
    pdf.multi_cell(0, 5, "Progress is reported each spring.", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def test_a_ruled_pdf_table_is_rows_even_where_its_cells_wrap_and_the_citation_is_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "lcap.pdf"
    _ruled_table_pdf(path)
    blocks, pages = load_pdf(path)
    assert pages == 1
    assert [b.kind for b in blocks] == ["heading", "paragraph", "row", "row", "paragraph"]
    assert blocks[2].text == COUNSELORS  # the description wraps inside its cell and is read whole
    assert is_verbatim(tmp_path, "/corpus/lcap.pdf#page=1", 1, COUNSELORS)
    assert not is_verbatim(tmp_path, "/corpus/lcap.pdf#page=1", 1, COUNSELORS.replace("$1,240,000", "$2,000,000"))


def test_a_table_chunks_as_one_group_one_unit_a_row_and_a_table_with_other_columns_starts_anew() -> None:
    first = [Block("row", f"A: {n}", None, cells=(str(n),), headers=("A",)) for n in range(3)]
    second = [Block("row", f"B: {n}", None, cells=(str(n),), headers=("B",)) for n in range(2)]
    document = SourceDocument("d", "D", "lcap", "/corpus/d.md", (Block("heading", "Actions", None, 1), *first, *second))
    chunks = chunk_document(document, max_words=100)
    assert [c.units for c in chunks] == [("A: 0", "A: 1", "A: 2"), ("B: 0", "B: 1")]
    assert all(c.section == "Actions" for c in chunks)
