"""Plain text -> blocks (Markdown has its own loader, ingest/markdown_loader.py).

A heading is an all-capitals line, or a short line with no closing punctuation standing alone
between blank lines. A form feed starts a new page. Lines starting with "-", "*", "•" or "1."
are list items, nested by indent.
"""

from __future__ import annotations

from pathlib import Path

from ingest.blocks import Block
from ingest.text_units import split_marker


def _plain_heading_level(line: str, before_blank: bool, after_blank: bool) -> int:
    """1 for an all-capitals line, 2 for a short unpunctuated line standing alone, else 0."""
    stripped = line.strip()
    if stripped.isupper() and len(stripped) > 3:
        return 1
    short = len(stripped.split()) <= 8 and not stripped.endswith((".", ":", ";", ",", "?", "!"))
    return 2 if short and before_blank and after_blank else 0


def load_text(path: Path) -> list[Block]:
    """Read a plain text file into blocks."""
    # split("\n"), not splitlines(): splitlines() would swallow the form feeds that mark pages.
    lines = path.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
    blocks: list[Block] = []
    page = 1 if any("\f" in line for line in lines) else None
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph), page))
            paragraph.clear()

    for index, raw in enumerate(lines):
        if "\f" in raw and page is not None:
            flush()
            page += raw.count("\f")
            raw = raw.replace("\f", "")
        if not raw.strip():
            flush()
            continue
        marker, rest = split_marker(raw)
        before_blank = index == 0 or not lines[index - 1].strip()
        after_blank = index + 1 >= len(lines) or not lines[index + 1].strip()
        if marker:
            flush()
            depth = min((len(raw) - len(raw.lstrip())) // 2, 3) if raw[:1].isspace() else 0
            blocks.append(Block("item", rest, page, level=depth, marker=marker))
        elif not paragraph and (plain_level := _plain_heading_level(raw, before_blank, after_blank)):
            blocks.append(Block("heading", raw.strip(), page, level=plain_level))
        elif blocks and blocks[-1].kind == "item" and not paragraph and raw[:1].isspace():
            last = blocks[-1]  # an indented continuation of a list item
            blocks[-1] = Block("item", f"{last.text} {raw.strip()}", last.page, last.level, last.marker)
        else:
            paragraph.append(raw.strip())
    flush()
    return blocks
