"""Structure-aware chunking: a pure function from a document's blocks to verbatim chunks.

- Every chunk lies inside one section and one page, and carries the heading path.
- A list stays with its lead-in (a bulleted label such as "Life Skills", or a paragraph ending
  in ":"): the lead-in opens the first chunk, and later chunks of a long list carry it as context.
  A short label also joins the heading path, so items read "... > Life Skills".
- Sentences are never split; a chunk grows by whole sentences or items up to `max_words`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.blocks import Block, Chunk, SourceDocument
from ingest.text_units import split_sentences, word_count

DEFAULT_MAX_WORDS = 60
_LABEL_MAX_WORDS = 8


@dataclass(frozen=True)
class _Piece:
    section: tuple[str, ...]
    page: int | None
    anchor: str | None
    group: int  # pieces of one group (a paragraph run, or one list with its lead-in) chunk together
    text: str  # verbatim sentence or item
    marker: str  # list marker, "" for prose
    new_line: bool  # starts a new block (else continues the sentence before, after a space)
    lead_in: bool  # the group's lead-in
    label: bool  # a bare label (already in the heading path), not an answer on its own


def lead_in_label(text: str) -> str:
    """The short name a lead-in gives its list: "Internal Values: Values ... will:" -> "Internal Values"."""
    head = text.split(":", 1)[0] if ":" in text else text
    first = (split_sentences(head) or [head])[0].rstrip(". ")
    return first if 0 < word_count(first) <= _LABEL_MAX_WORDS else ""


def _pieces(blocks: tuple[Block, ...]) -> list[_Piece]:
    pieces: list[_Piece] = []
    headings: list[tuple[int, str]] = []
    labels: list[tuple[int, str]] = []  # (item depth, label) of the open lead-in items
    group = 0
    previous_kind = ""
    lead_in_paragraph_open = False  # a paragraph ending in ":" opened the list that follows
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if block.kind == "heading":
            while headings and headings[-1][0] >= block.level:
                headings.pop()
            headings.append((block.level, block.text))
            labels.clear()
            group, previous_kind, lead_in_paragraph_open = group + 1, "heading", False
            ends_section = following is None or (following.kind == "heading" and following.level <= block.level)
            if ends_section:  # a heading with nothing under it is itself the passage (a closing motto)
                path = tuple(h for _, h in headings)
                pieces.append(_Piece(path, block.page, block.anchor, group, block.text, "", True, False, False))
            continue
        if block.kind == "item":
            closed = False
            while labels and labels[-1][0] >= block.level:
                labels.pop()
                closed = True
            opens_list = following is not None and following.kind == "item" and following.level > block.level
            if opens_list or closed or (previous_kind != "item" and not lead_in_paragraph_open):
                group += 1
            section = tuple(h for _, h in headings) + tuple(label for _, label in labels if label)
            label = lead_in_label(block.text) if opens_list else ""
            if opens_list:
                labels.append((block.level, label))
                section += (label,) if label else ()
            is_label = bool(label) and block.text.rstrip(":") == label
            for position, sentence in enumerate(split_sentences(block.text)):
                marker = block.marker if position == 0 else ""
                pieces.append(
                    _Piece(
                        section, block.page, block.anchor, group, sentence, marker, position == 0, opens_list, is_label
                    )
                )
            previous_kind = "item"
            continue
        # A paragraph: its sentences are the pieces; ":" at its end opens the list that follows.
        labels.clear()
        opens_list = block.text.rstrip().endswith(":") and following is not None and following.kind == "item"
        if previous_kind != "paragraph" or opens_list:
            group += 1
        section = tuple(h for _, h in headings)
        for position, sentence in enumerate(split_sentences(block.text)):
            pieces.append(
                _Piece(section, block.page, block.anchor, group, sentence, "", position == 0, opens_list, False)
            )
        lead_in_paragraph_open = opens_list
        previous_kind = "paragraph"
    return pieces


def _render(pieces: list[_Piece]) -> str:
    text = ""
    for piece in pieces:
        line = f"{piece.marker} {piece.text}" if piece.marker else piece.text
        text = line if not text else f"{text}\n{line}" if piece.new_line else f"{text} {line}"
    return text


def chunk_document(document: SourceDocument, max_words: int = DEFAULT_MAX_WORDS) -> list[Chunk]:
    """Cut a document into chunks of at most `max_words` (a single longer sentence stays whole)."""
    chunks: list[Chunk] = []
    lead_ins: dict[int, list[str]] = {}  # group -> its lead-in text, repeated as later chunks' context
    current: list[_Piece] = []

    def emit() -> None:
        first = current[0]
        has_lead_in = any(piece.lead_in for piece in current)
        chunks.append(
            Chunk(
                doc_id=document.doc_id,
                title=document.title,
                url=document.url,
                page=first.page,
                section=" > ".join(first.section),
                text=_render(current),
                units=tuple(piece.text for piece in current if not piece.label),
                context="" if has_lead_in else " ".join(lead_ins.get(first.group, [])),
                anchor=first.anchor,
                ordinal=len(chunks),
            )
        )
        current.clear()

    for piece in _pieces(document.blocks):
        if piece.lead_in:
            lead_ins.setdefault(piece.group, []).append(piece.text)
        if current:
            first = current[0]
            words = sum(word_count(p.text) for p in current) + word_count(piece.text)
            boundary = piece.group != first.group or piece.page != first.page
            if boundary or (words > max_words and not piece.lead_in):
                emit()
        current.append(piece)
    if current:
        emit()
    return chunks
