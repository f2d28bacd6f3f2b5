"""Markdown -> blocks with markdown-it-py (CommonMark with tables): headings, paragraphs, nested
list items and table rows, their text as a reader sees it (emphasis marks and link targets
dropped). A form feed starts a new page, as in plain text.
"""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ingest.blocks import Block, table_row

_PARSER = MarkdownIt("commonmark").enable("table")


def _plain(inline: Token) -> str:
    """An inline token's words: text and code, line breaks as spaces, markup dropped."""
    parts = []
    for child in inline.children or []:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return " ".join("".join(parts).split())


def load_markdown(path: Path) -> list[Block]:
    """Read a Markdown file into blocks in reading order."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    lines = text.split("\n")
    paged = "\f" in text
    # Page of each line: one more after every form feed before it.
    page_of_line = []
    page = 1
    for line in lines:
        page_of_line.append(page)
        page += line.count("\f")
    tokens = _PARSER.parse(text.replace("\f", " "))  # a line that only breaks the page is a blank line

    blocks: list[Block] = []
    lists: list[tuple[str, int]] = []  # open lists: (marker kind, next number)
    item_parts: list[list[str]] = []  # the text of each open list item, innermost last
    headers: list[str] = []
    row: list[str] = []
    in_head = False
    current_page: int | None = None

    def flush_item() -> None:
        if item_parts and item_parts[-1]:
            kind, number = lists[-1]
            marker = "-" if kind == "bullet" else f"{number - 1}."
            blocks.append(Block("item", " ".join(item_parts[-1]), current_page, level=len(lists) - 1, marker=marker))
            item_parts[-1] = []

    for index, token in enumerate(tokens):
        if token.map and paged:
            current_page = page_of_line[min(token.map[0], len(page_of_line) - 1)]
        if token.type in {"bullet_list_open", "ordered_list_open"}:
            flush_item()  # an item's own words come before its sublist
            start = int(token.attrs.get("start", 1) or 1) if token.type == "ordered_list_open" else 1
            lists.append(("bullet" if token.type == "bullet_list_open" else "ordered", start))
        elif token.type in {"bullet_list_close", "ordered_list_close"}:
            lists.pop()
        elif token.type == "list_item_open":
            kind, number = lists[-1]
            lists[-1] = (kind, number + 1)
            item_parts.append([])
        elif token.type == "list_item_close":
            flush_item()
            item_parts.pop()
        elif token.type == "heading_open":
            words = _plain(tokens[index + 1])
            if words:
                blocks.append(Block("heading", words, current_page, level=int(token.tag[1])))
        elif token.type == "thead_open":
            in_head, headers = True, []
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row = []
        elif token.type in {"th_open", "td_open"}:
            row.append(_plain(tokens[index + 1]))
        elif token.type == "tr_close":
            if in_head:
                headers = row
            elif any(row):
                blocks.append(table_row(row, headers, current_page))
        elif token.type == "inline" and tokens[index - 1].type == "paragraph_open":
            words = _plain(token)
            if not words:
                continue
            if item_parts:
                item_parts[-1].append(words)
            else:
                blocks.append(Block("paragraph", words, current_page))
    return blocks
