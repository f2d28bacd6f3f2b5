"""Structure-aware chunking: a pure function from a document's blocks to verbatim chunks.

- Every chunk lies inside one section and one page, and carries the heading path.
- A list stays with its lead-in (a bulleted label such as "Life Skills", or a paragraph ending
  in ":"): the lead-in opens the first chunk, and later chunks of a long list carry it as context.
  A short label also joins the heading path, so items read "... > Life Skills".
- Sentences are never split; a chunk grows by whole sentences or items up to `max_words`.
- A translation is cut where its original is cut (`chunk_translation`), so each translated
  chunk renders exactly one original chunk: same page, same section, same items.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

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
    block: int = 0  # index of the block it comes from
    position: int = 0  # its sentence number within that block


def lead_in_label(text: str) -> str:
    """The short name a lead-in gives its list: "Internal Values: Values ... will:" -> "Internal Values"."""
    head = text.split(":", 1)[0] if ":" in text else text
    first = (split_sentences(head) or [head])[0].rstrip(". ")
    return first if 0 < word_count(first) <= _LABEL_MAX_WORDS else ""


def _sentences(
    block: Block, index: int, section: tuple[str, ...], group: int, opens_list: bool, is_label: bool
) -> list[_Piece]:
    """A paragraph's or list item's sentences as pieces; the list marker goes on the first. A
    table row is one piece: its cells mean something only together."""
    sentences = [block.text] if block.kind == "row" else split_sentences(block.text)
    return [
        _Piece(
            section,
            block.page,
            block.anchor,
            group,
            sentence,
            block.marker if position == 0 else "",
            position == 0,
            opens_list,
            is_label,
            index,
            position,
        )
        for position, sentence in enumerate(sentences)
    ]


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
                pieces.append(_Piece(path, block.page, block.anchor, group, block.text, "", True, False, False, index))
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
            pieces += _sentences(block, index, section, group, opens_list, is_label)
            previous_kind = "item"
            continue
        if block.kind == "row":
            # A table is one group: its rows chunk together, under the headings above it; a
            # table with other columns right after it is another table.
            labels.clear()
            previous = blocks[index - 1] if index else None
            if previous is None or previous.kind != "row" or previous.headers != block.headers:
                group += 1
            pieces += _sentences(block, index, tuple(h for _, h in headings), group, False, False)
            previous_kind, lead_in_paragraph_open = "row", False
            continue
        # A paragraph: its sentences are the pieces; ":" at its end opens the list that follows.
        labels.clear()
        opens_list = block.text.rstrip().endswith(":") and following is not None and following.kind == "item"
        if previous_kind != "paragraph" or opens_list:
            group += 1
        pieces += _sentences(block, index, tuple(h for _, h in headings), group, opens_list, False)
        lead_in_paragraph_open = opens_list
        previous_kind = "paragraph"
    return pieces


def _render(pieces: list[_Piece]) -> str:
    text = ""
    for piece in pieces:
        line = f"{piece.marker} {piece.text}" if piece.marker else piece.text
        text = line if not text else f"{text}\n{line}" if piece.new_line else f"{text} {line}"
    return text


def _cut(pieces: list[_Piece], max_words: int) -> list[list[_Piece]]:
    """Group pieces into chunks: a new chunk at each group or page boundary, or past max_words."""
    chunks: list[list[_Piece]] = []
    current: list[_Piece] = []
    for piece in pieces:
        if current:
            first = current[0]
            words = sum(word_count(p.text) for p in current) + word_count(piece.text)
            boundary = piece.group != first.group or piece.page != first.page
            if boundary or (words > max_words and not piece.lead_in):
                chunks.append(current)
                current = []
        current.append(piece)
    if current:
        chunks.append(current)
    return chunks


def _lead_ins(pieces: list[_Piece]) -> dict[int, str]:
    """Each group's lead-in text, repeated as context by the group's later chunks."""
    lead_ins: dict[int, list[str]] = {}
    for piece in pieces:
        if piece.lead_in:
            lead_ins.setdefault(piece.group, []).append(piece.text)
    return {group: " ".join(texts) for group, texts in lead_ins.items()}


def _chunk(
    document: SourceDocument, pieces: list[_Piece], ordinal: int, lead_ins: dict[int, str], original_id: str = ""
) -> Chunk:
    first = pieces[0]
    has_lead_in = any(piece.lead_in for piece in pieces)
    return Chunk(
        doc_id=document.doc_id,
        title=document.title,
        url=document.url,
        page=first.page,
        section=" > ".join(first.section),
        text=_render(pieces),
        units=tuple(piece.text for piece in pieces if not piece.label),
        context="" if has_lead_in else lead_ins.get(first.group, ""),
        anchor=first.anchor,
        ordinal=ordinal,
        language=document.language,
        original_id=original_id,
        label=document.label,
        district=document.district,
        edition=document.edition,
        doc_kind=document.kind,
        featured=document.featured,
    )


def chunk_document(document: SourceDocument, max_words: int = DEFAULT_MAX_WORDS) -> list[Chunk]:
    """Cut a document into chunks of at most `max_words` (a single longer sentence stays whole)."""
    pieces = _pieces(document.blocks)
    lead_ins = _lead_ins(pieces)
    return [_chunk(document, group, ordinal, lead_ins) for ordinal, group in enumerate(_cut(pieces, max_words))]


class StructureMismatch(ValueError):
    """A translation whose blocks do not follow its original's, so passages cannot be linked."""


def structure_mismatch(original: tuple[Block, ...], translation: tuple[Block, ...]) -> str | None:
    """Why the two block sequences cannot be linked one to one, or None when they can."""
    if len(original) != len(translation):
        return f"{len(translation)} blocks where the original has {len(original)}"
    for number, (a, b) in enumerate(zip(original, translation), start=1):
        if (a.kind, a.level, a.page) != (b.kind, b.level, b.page):
            return (
                f"block {number} is a {b.kind} (level {b.level}, page {b.page}) where the original has a "
                f"{a.kind} (level {a.level}, page {a.page}): {b.text[:60]!r}"
            )
    return None


def chunk_translation(
    original: SourceDocument, translation: SourceDocument, max_words: int = DEFAULT_MAX_WORDS
) -> list[Chunk]:
    """Chunks of a translation, one per original chunk, each naming the original's chunk id.

    Blocks pair by position (same kind, level and page); sentences pair by position within a
    block. When a translated block has more sentences than the original, the extra ones go with
    the chunk that holds the original block's last sentence, so no translated text is dropped.
    """
    if reason := structure_mismatch(original.blocks, translation.blocks):
        raise StructureMismatch(f"{translation.doc_id} does not follow {original.doc_id}: {reason}")
    source_pieces = _pieces(original.blocks)
    source_lead_ins = _lead_ins(source_pieces)
    translated_pieces = _pieces(translation.blocks)
    translated_lead_ins = _lead_ins(translated_pieces)
    by_block: dict[int, list[_Piece]] = {}
    for piece in translated_pieces:
        by_block.setdefault(piece.block, []).append(piece)
    sentences_in_block = Counter(piece.block for piece in source_pieces)
    chunks = []
    for ordinal, group in enumerate(_cut(source_pieces, max_words)):
        rendered: list[_Piece] = []
        for piece in group:
            translated = by_block.get(piece.block, [])
            last = piece.position == sentences_in_block[piece.block] - 1
            taken = translated[piece.position :] if last else translated[piece.position : piece.position + 1]
            # A label in the original is a label in the translation: units stay paired one to one.
            rendered += [replace(t, label=piece.label) for t in taken]
        if rendered:
            original_id = _chunk(original, group, ordinal, source_lead_ins).id
            chunks.append(_chunk(translation, rendered, ordinal, translated_lead_ins, original_id))
    return chunks
