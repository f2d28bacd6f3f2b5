"""Publish fictional districts' plan documents in the shapes districts use, from Markdown sources.

    python scripts/build_districts.py evals/districts training/districts

Each `<root>/<slug>/` holds a `district.json` and one Markdown file per document, opening with a
front-matter block (doc_id, title, kind, edition, language, translation_of, publish_as,
running_header; see evals/districts/README.md). This writes `<root>/<slug>/corpus/`: every document
as a web page (.html, with site navigation and footer around it), a printed plan (.pdf, a running
header and a page footer on every page, pages where the source says `\\pagebreak`), a Word file
(.docx, headings, lists and tables in Word's own styles) or Markdown (.md), and the manifest that
names the district and where to ask. Wording is copied as written: only layout is added, so
citations stay verbatim. The output is committed; run this again after editing a source.
"""

from __future__ import annotations

import html
import json
import re
import sys
import tempfile
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

from docx import Document
from fpdf import FPDF
from fpdf.fonts import FontFace
from markdown_it import MarkdownIt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from ingest.blocks import Block  # noqa: E402
from ingest.markdown_loader import load_markdown  # noqa: E402

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core: every accent and dash
PAGE_BREAK = "\\pagebreak"
EXTENSIONS = {"html": ".html", "pdf": ".pdf", "docx": ".docx", "md": ".md"}
SPANISH_LABEL = "Versión en español"


def read_source(path: Path) -> tuple[dict[str, str], str]:
    """The front matter (key: value lines between two `---` lines) and the Markdown after it."""
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n", text, re.DOTALL)
    if not match:
        raise SystemExit(f"{path}: no front matter")
    facts = {}
    for line in match.group(1).splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            facts[key.strip()] = value.split("  (")[0].strip().strip('"')
    return facts, text[match.end() :]


def _blocks(body: str) -> list[Block]:
    """The source's blocks, with pages where it breaks them (the same loader ingest uses)."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "source.md"
        path.write_text(body.replace(PAGE_BREAK, "\f"), encoding="utf-8")
        return load_markdown(path)


# ------------------------------------------------------------------------------------------ html
PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title} - {district}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body>
<header class="site-header"><a href="/">{district}</a></header>
<nav class="site-nav" aria-label="{nav_label}">
<ul>{nav}</ul>
</nav>
<main>
{content}</main>
<footer class="site-footer"><p>&copy; {year} {district}. {rights}</p></footer>
</body>
</html>
"""
NAV = {
    "en": ("District", ["About Us", "Schools", "Families", "Board of Education", "Careers"], "All rights reserved."),
    "es": ("Distrito", ["Quiénes somos", "Escuelas", "Familias", "Junta Educativa", "Empleos"], "Derechos reservados."),
}


def _anchor(match: re.Match[str]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", html.unescape(re.sub(r"<[^>]+>", "", match.group(2))).lower()).strip("-")
    return f'<h{match.group(1)} id="{slug}">{match.group(2)}</h{match.group(1)}>'


def build_html(facts: dict[str, str], body: str, district: str, target: Path) -> None:
    content = MarkdownIt("commonmark").enable("table").render(body.replace(PAGE_BREAK, ""))
    content = re.sub(r"<h([1-6])>(.*?)</h\1>", _anchor, content)  # anchors the citations link to
    lang = facts.get("language", "en")
    nav_label, nav, rights = NAV.get(lang, NAV["en"])
    items = "".join(f'<li><a href="#">{html.escape(item)}</a></li>' for item in nav)
    year = re.findall(r"\d{4}", facts.get("edition", "")) or ["2024"]
    page = PAGE.format(
        lang=lang,
        title=html.escape(facts["title"]),
        district=html.escape(district),
        nav_label=nav_label,
        nav=items,
        content=content,
        year=year[0],
        rights=rights,
    )
    target.write_text(page, encoding="utf-8")


# ------------------------------------------------------------------------------------------- pdf
HEADING_SIZES = {1: 16.0, 2: 13.0, 3: 11.5, 4: 10.5}
BODY_SIZES = (9.5, 8.5, 7.5)  # the largest type at which every page of the source fits its page


class PlanPDF(FPDF):
    def __init__(self, running_header: str, footer: str) -> None:
        super().__init__(format="Letter")
        for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
            self.add_font("DejaVu", style, str(FONT_DIR / name))
        self.running_header = running_header
        self.footer_text = footer

    def header(self) -> None:
        self.set_font("DejaVu", "B", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, self.running_header, new_x="LMARGIN", new_y="NEXT")
        self.ln(4)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("DejaVu", "", 7.5)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, self.footer_text.format(page=self.page_no()), align="C")
        self.set_text_color(0, 0, 0)


def _pdf_table(pdf: PlanPDF, rows: list[Block], body: float) -> None:
    pdf.set_font("DejaVu", "", body - 1.5)
    with pdf.table(
        line_height=body * 0.5 - 0.8,
        headings_style=FontFace(emphasis="BOLD"),
        first_row_as_headings=bool(rows[0].headers),
    ) as table:
        if rows[0].headers:
            table.row(list(rows[0].headers))
        for row in rows:
            table.row(list(row.cells))
    pdf.ln(2)


def build_pdf(facts: dict[str, str], body: str, district: str, target: Path) -> None:
    expected = body.count(PAGE_BREAK) + 1
    for size in BODY_SIZES:
        pdf = _layout(facts, body, district, size)
        if pdf.page_no() == expected:  # a page that overflowed would shift every citation after it
            pdf.output(str(target))
            return
    raise SystemExit(f"{target.name}: layout overflowed: {pdf.page_no()} pages for {expected} in the source")


def _layout(facts: dict[str, str], body: str, district: str, body_size: float) -> PlanPDF:
    line = body_size * 0.5
    lang = facts.get("language", "en")
    footer = f"{district} | {facts['title']} | " + ("Página {page}" if lang == "es" else "Page {page}")
    pdf = PlanPDF(facts.get("running_header") or facts["title"].upper(), footer)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 15, 20)
    pdf.set_creator("scripts/build_districts.py")
    pdf.set_title(facts["title"])
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))  # byte-stable rebuilds
    blocks = _blocks(body)
    pdf.add_page()
    page = 1
    for is_row, run in groupby(blocks, key=lambda b: b.kind == "row"):
        run = list(run)
        for block in [] if is_row else run:
            while (block.page or 1) > page:
                pdf.add_page()
                page += 1
            if block.kind == "heading":
                size = HEADING_SIZES.get(block.level, HEADING_SIZES[4])
                pdf.ln(1.5)
                pdf.set_font("DejaVu", "B", size)
                pdf.multi_cell(0, size * 0.5, block.text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1.5)
            elif block.kind == "item":
                pdf.set_font("DejaVu", "", body_size)
                pdf.set_x(pdf.l_margin + 6 * block.level)
                marker = "•" if block.marker == "-" else block.marker
                pdf.cell(6, line, marker)
                pdf.multi_cell(0, line, block.text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(0.6)
            else:
                pdf.set_font("DejaVu", "", body_size)
                pdf.multi_cell(0, line, block.text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2.2)
        if is_row:
            while (run[0].page or 1) > page:
                pdf.add_page()
                page += 1
            for _, table in groupby(run, key=lambda b: b.headers):
                _pdf_table(pdf, list(table), body_size)
    return pdf


# ------------------------------------------------------------------------------------------ docx
def build_docx(facts: dict[str, str], body: str, district: str, target: Path) -> None:
    document = Document()
    document.core_properties.title = facts["title"]
    document.core_properties.author = district
    document.core_properties.created = datetime(2024, 1, 1, tzinfo=UTC)
    document.core_properties.modified = datetime(2024, 1, 1, tzinfo=UTC)
    for is_row, run in groupby(_blocks(body), key=lambda b: b.kind == "row"):
        run = list(run)
        if is_row:
            for headers, rows in groupby(run, key=lambda b: b.headers):
                rows = list(rows)
                columns = max(len(headers), *(len(r.cells) for r in rows))
                table = document.add_table(rows=0, cols=columns, style="Table Grid")
                for cells in ([list(headers)] if headers else []) + [list(r.cells) for r in rows]:
                    for cell, text in zip(table.add_row().cells, cells):
                        cell.text = text
            continue
        for block in run:
            if block.kind == "heading":
                document.add_heading(block.text, level=min(block.level, 4))
            elif block.kind == "item":
                style = "List Bullet" if block.marker == "-" else "List Number"
                document.add_paragraph(block.text, style=style + (f" {block.level + 1}" if block.level else ""))
            else:
                document.add_paragraph(block.text)
    document.save(str(target))


def build_md(facts: dict[str, str], body: str, district: str, target: Path) -> None:
    target.write_text(body.replace(PAGE_BREAK + "\n", "").lstrip("\n"), encoding="utf-8")


BUILDERS = {"html": build_html, "pdf": build_pdf, "docx": build_docx, "md": build_md}


def build_district(folder: Path) -> Path:
    """Publish one district's documents into folder/corpus with their manifest."""
    district = json.loads((folder / "district.json").read_text(encoding="utf-8"))
    out = folder / "corpus"
    out.mkdir(exist_ok=True)
    for old in out.iterdir():
        old.unlink()
    entries = []
    for source in sorted(folder.glob("*.md")):
        if source.name.lower() == "readme.md":
            continue
        facts, body = read_source(source)
        shape = facts.get("publish_as", "md")
        target = out / f"{facts['doc_id']}{EXTENSIONS[shape]}"
        BUILDERS[shape](facts, body, district["name"], target)
        entry = {
            "doc_id": facts["doc_id"],
            "title": facts["title"],
            "kind": facts.get("kind", "other"),
            "edition": facts.get("edition", ""),
            "file": target.name,
            "language": facts.get("language", "en"),
        }
        if facts.get("translation_of"):
            entry |= {"translation_of": facts["translation_of"], "label": facts.get("label", SPANISH_LABEL)}
        entries.append(entry)
    manifest = {"district": district, "documents": entries}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def main(roots: list[str]) -> int:
    for root in map(Path, roots):
        for folder in sorted(p for p in root.iterdir() if (p / "district.json").is_file()):
            out = build_district(folder)
            print(f"{out}: {', '.join(sorted(p.name for p in out.iterdir()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["evals/districts"]))
