"""The corpus's PDFs as a parent's viewer shows them: every word on the page, in an embedded font.

scripts/build_corpus.py lays the plan out; these tests read what it wrote (pypdf for the fonts and
the words, pdfplumber for where each line sits, measured with the widths the PDF itself carries).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pdfplumber
import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from tests.conftest import CORPUS, ROOT, SOURCES

MM = 72 / 25.4  # points per millimetre
# Home and office printers leave a rim of a few millimetres unprinted: a word must clear it.
PRINTER_RIM = 5 * MM


def _build_corpus() -> ModuleType:
    """scripts/build_corpus.py, for its editions (the running header and footer it prints)."""
    spec = importlib.util.spec_from_file_location("build_corpus", ROOT / "scripts" / "build_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


BUILD = _build_corpus()
# Each PDF with the text it is laid out from and the furniture printed on its pages.
EDITIONS = {
    "pusd-strategic-plan-2016-2020.pdf": (SOURCES / "pusd-strategic-plan-2016-2020.txt", BUILD.ENGLISH_PDF),
    "pusd-strategic-plan-2016-2020.es.pdf": (
        ROOT / "scripts" / "translations" / "pusd-strategic-plan-2016-2020.es.txt",
        BUILD.SPANISH_PDF,
    ),
}


def test_every_pdf_in_the_corpus_is_checked_here() -> None:
    assert sorted(path.name for path in CORPUS.glob("*.pdf")) == sorted(EDITIONS)


def _fonts(reader: PdfReader) -> dict[str, DictionaryObject]:
    fonts: dict[str, DictionaryObject] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


@pytest.mark.parametrize("name", EDITIONS)
def test_every_font_is_embedded(name: str) -> None:
    """A font only named (Helvetica, as before) is drawn by the viewer with a stand-in of other
    widths from the same start points: with DejaVu Sans the longest lines ran off page 3."""
    fonts = _fonts(PdfReader(CORPUS / name))
    assert fonts
    for base_font, font in fonts.items():
        described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = described.get("/FontDescriptor")
        assert descriptor is not None, f"{name}: {base_font} is not embedded"
        files = {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.get_object())
        assert files, f"{name}: {base_font} is not embedded"


@pytest.mark.parametrize("name", EDITIONS)
def test_every_line_lies_inside_the_page(name: str) -> None:
    with pdfplumber.open(CORPUS / name) as pdf:
        lines = 0
        for number, page in enumerate(pdf.pages, start=1):
            for line in page.extract_text_lines(return_chars=False):
                lines += 1
                where = f"{name} page {number}: {line['text']!r}"
                assert line["x0"] >= PRINTER_RIM and line["x1"] <= page.width - PRINTER_RIM, where
                assert line["top"] >= PRINTER_RIM and line["bottom"] <= page.height - PRINTER_RIM, where
        assert lines > 100  # the lines were read, not skipped


def _source_pages(source: Path, running_header: str) -> list[list[str]]:
    """The words of each printed page: the source text cut at its running headers."""
    pages: list[list[str]] = []
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.strip() == running_header:
            pages.append([])
        elif pages:
            pages[-1] += line.replace("**", "").split()  # **bold** is drawn bold, not with stars
    return pages


@pytest.mark.parametrize("name", EDITIONS)
def test_each_page_prints_the_words_of_its_source_page_between_header_and_footer(name: str) -> None:
    """Citations name pages, and a translation's pages pair with the original's: layout may move
    lines, never a word, and never a word to another page."""
    source, edition = EDITIONS[name]
    expected = _source_pages(source, edition.running_header)
    pages = PdfReader(CORPUS / name).pages
    assert len(pages) == len(expected)
    for number, (page, words) in enumerate(zip(pages, expected), start=1):
        printed = page.extract_text().split()
        header = edition.running_header.split()
        footer = edition.footer.format(page=number).split()
        assert printed[: len(header)] == header, f"page {number}: no running header"
        assert printed[len(printed) - len(footer) :] == footer, f"page {number}: no footer"
        assert printed[len(header) : len(printed) - len(footer)] == words, f"page {number}"
