"""Build corpus/ from ../shared/source-documents, in the formats the district publishes.

Run once (`python scripts/build_corpus.py`); its output is committed. The Strategic Plan becomes
a 4-page PDF (one page per `PUSD STRATEGIC PLAN` running header, with a page footer, as a printed
plan has); the planning page becomes HTML with site navigation and footer around the content.
Wording is copied line by line: only layout is added, so citations stay verbatim.

The unofficial Spanish translations in scripts/translations/ (written by hand, line for line with
the sources) are laid out the same way, so each translated passage sits on the same page, in the
same section, as the passage it translates.
"""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT.parent / "shared" / "source-documents"
TRANSLATIONS = ROOT / "scripts" / "translations"
CORPUS = ROOT / "corpus"
NUMBERED = re.compile(r"^\s+(\d+)\.\s+(.*)$")


@dataclass(frozen=True)
class PdfEdition:
    """What differs between the plan's PDF and its translation: the printed furniture."""

    running_header: str
    footer: str  # "{page}" is the page number
    title: str


ENGLISH_PDF = PdfEdition(
    "PUSD STRATEGIC PLAN",
    "Pasadena Unified School District | Strategic Plan 2016-2020 | Page {page}",
    "PUSD Strategic Plan 2016-2020",
)
SPANISH_PDF = PdfEdition(
    "PLAN ESTRATÉGICO DE PUSD",
    "Traducción no oficial | Distrito Escolar Unificado de Pasadena | Plan Estratégico 2016-2020 | Página {page}",
    "Plan Estratégico de PUSD 2016-2020 (traducción no oficial)",
)


# Embedded, so that every viewer draws the glyphs whose widths the lines were wrapped with. The PDF
# used to name Helvetica without embedding it: a viewer lacking Helvetica drew a wider stand-in
# (DejaVu Sans, on a Debian desktop) from the same start points, and the longest lines of the plan
# ran off the page ("High schools will offe", page 3). Liberation Sans has Helvetica's widths, so
# every line breaks where it did. Debian's fonts-liberation (`make corpus` installs it).
FONT_DIR = Path("/usr/share/fonts/truetype/liberation")
FONT = "LiberationSans"
FONT_FILES = {"": "LiberationSans-Regular.ttf", "B": "LiberationSans-Bold.ttf"}
# Lines are set flush left (align="L"), not justified: fpdf2 justifies an embedded font by moving
# each word, which pypdf and a viewer's copy-and-paste read as double spaces between the words.


class PlanPDF(FPDF):
    def __init__(self, edition: PdfEdition) -> None:
        super().__init__(format="Letter")
        self.edition = edition
        for style, name in FONT_FILES.items():
            if not (FONT_DIR / name).is_file():
                raise SystemExit(f"{FONT_DIR / name} is missing: apt-get install fonts-liberation")
            self.add_font(FONT, style, FONT_DIR / name)

    def header(self) -> None:
        self.set_font(FONT, "B", 9)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, self.edition.running_header, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(4)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, self.edition.footer.format(page=self.page_no()), align="C")
        self.set_text_color(0, 0, 0)


def _is_heading(line: str) -> bool:
    return len(line) < 60 and not line.endswith((".", ":")) and not line.startswith("- ")


def build_pdf(source: Path, target: Path, edition: PdfEdition = ENGLISH_PDF) -> None:
    pdf = PlanPDF(edition)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 15, 20)
    pdf.set_creator("scripts/build_corpus.py")
    pdf.set_title(edition.title)
    pdf.set_creation_date(datetime(2016, 1, 1, tzinfo=UTC))  # byte-stable rebuilds
    lines = source.read_text(encoding="utf-8").splitlines()
    for line in lines:
        text = line.rstrip()
        if not text.strip():
            continue
        if text == edition.running_header:
            pdf.add_page()
            continue
        if numbered := NUMBERED.match(text):
            pdf.set_font(FONT, "", 9.5)
            pdf.set_x(pdf.l_margin + 8)
            pdf.cell(7, 4.6, f"{numbered.group(1)}.")
            pdf.multi_cell(0, 4.6, numbered.group(2), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(0.6)
        elif text.startswith("- "):
            pdf.set_font(FONT, "", 9.5)
            pdf.cell(5, 4.6, "-")
            pdf.multi_cell(0, 4.6, text[2:], align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(0.6)
        elif text.isupper():
            pdf.ln(2)
            pdf.set_font(FONT, "B", 14)
            pdf.multi_cell(0, 7, text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif _is_heading(text):
            pdf.ln(1)
            pdf.set_font(FONT, "B", 11)
            pdf.multi_cell(0, 5.8, text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        else:
            pdf.set_font(FONT, "", 9.5)
            pdf.multi_cell(0, 4.6, text, align="L", new_x="LMARGIN", new_y="NEXT", markdown=True)
            pdf.ln(2.2)
    # One printed page per running header: a plan page that overflowed would shift every citation.
    expected_pages = sum(1 for line in lines if line.strip() == edition.running_header)
    if pdf.page_no() != expected_pages:
        raise SystemExit(f"layout overflowed: {pdf.page_no()} pages for {expected_pages} headers")
    pdf.output(str(target))


@dataclass(frozen=True)
class HtmlEdition:
    """What differs between the web page and its translation: language and site chrome."""

    lang: str
    title: str
    site: str
    nav_label: str
    nav: tuple[str, ...]
    notice: str = ""  # shown in the site header, outside the page's content

    def head(self) -> str:
        items = "".join(f'<li><a href="#">{item}</a></li>' for item in self.nav)
        return HTML_HEAD.format(
            lang=self.lang, title=self.title, site=self.site, notice=self.notice, nav_label=self.nav_label, nav=items
        )


HTML_HEAD = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body>
<header class="site-header"><a href="/">{site}</a>{notice}</header>
<nav class="site-nav" aria-label="{nav_label}">
<ul>{nav}</ul>
</nav>
<main>
"""
ENGLISH_HTML = HtmlEdition(
    "en",
    "Planning for the Future - Pasadena Unified School District",
    "Pasadena Unified School District",
    "District",
    ("About PUSD", "Schools", "Enrollment", "Board of Education"),
)
SPANISH_HTML = HtmlEdition(
    "es",
    "Planificación para el futuro - Distrito Escolar Unificado de Pasadena (traducción no oficial)",
    "Distrito Escolar Unificado de Pasadena",
    "Distrito",
    ("Acerca de PUSD", "Escuelas", "Inscripción", "Junta de Educación"),
    '\n<p class="translation-notice">Traducción no oficial. El texto oficial es la versión en inglés: '
    '<a href="pusd-planning-for-the-future.html">Planning for the Future</a>.</p>',
)
HTML_FOOT = """</main>
<footer class="site-footer"><p>&copy; Pasadena Unified School District</p></footer>
</body>
</html>
"""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def build_html(
    source: Path, target: Path, edition: HtmlEdition = ENGLISH_HTML, anchors: list[str] | None = None
) -> list[str]:
    """Headings become <h1>/<h2>; "•" lines become list items, nested by indent; others <p>.

    Returns the heading anchors; a translation passes its original's, so links pair by section.
    """
    out = [edition.head()]
    made: list[str] = []
    open_lists = 0
    first = True

    def close_lists(to: int) -> None:
        nonlocal open_lists
        while open_lists > to:
            out.append("</li></ul>\n")
            open_lists -= 1

    for raw in source.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        if stripped.startswith("•"):
            depth = 1 if indent <= 2 else 2
            body = html.escape(stripped.lstrip("•").strip(), quote=False)
            if depth > open_lists:
                out.append("<ul>\n" * (depth - open_lists))
                open_lists = depth
            else:
                close_lists(depth)
                out.append("</li>\n")
            out.append(f"<li>{body}")
        elif indent >= 4:
            # A paragraph inside the open list item (e.g. "Recommendation 1. ...").
            out.append(f"\n<p>{html.escape(stripped, quote=False)}</p>")
        else:
            close_lists(0)
            tag = "h1" if first else "h2"
            first = False
            anchor = anchors[len(made)] if anchors else _slug(stripped)
            made.append(anchor)
            out.append(f'<{tag} id="{anchor}">{html.escape(stripped, quote=False)}</{tag}>\n')
    close_lists(0)
    out.append(HTML_FOOT)
    target.write_text("".join(out), encoding="utf-8")
    return made


def main() -> int:
    CORPUS.mkdir(exist_ok=True)
    build_pdf(SOURCES / "pusd-strategic-plan-2016-2020.txt", CORPUS / "pusd-strategic-plan-2016-2020.pdf")
    build_pdf(
        TRANSLATIONS / "pusd-strategic-plan-2016-2020.es.txt",
        CORPUS / "pusd-strategic-plan-2016-2020.es.pdf",
        SPANISH_PDF,
    )
    anchors = build_html(SOURCES / "pusd-planning-for-the-future.txt", CORPUS / "pusd-planning-for-the-future.html")
    build_html(
        TRANSLATIONS / "pusd-planning-for-the-future.es.txt",
        CORPUS / "pusd-planning-for-the-future.es.html",
        SPANISH_HTML,
        anchors,
    )
    print(f"wrote {CORPUS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
