"""The answer's text and citations: each quote on its own line, introduced by its heading and
marked [n], and the citation list the markers point to."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

import numpy as np

from assistant.compose.quotes import Selection
from assistant.index.state import Passage
from assistant.prompts import phrase
from assistant.schemas import Citation, TranslatedPassage


class _Source(TypedDict):
    doc_id: str
    title: str
    page: int | None
    section: str
    text: str
    url: str


def _source(passage: Passage, base_url: str) -> _Source:
    """Where a passage stands and what it says, as a citation or its translation shows it."""
    return {
        "doc_id": passage.doc_id,
        "title": passage.title,
        "page": passage.page,
        "section": passage.section,
        "text": passage.text,
        "url": base_url.rstrip("/") + passage.url,
    }


def _translated(passage: Passage, lang: str, base_url: str) -> TranslatedPassage | None:
    translation = passage.translation
    if translation is None or translation.language != lang:
        return None
    return TranslatedPassage(label=translation.translation_label, **_source(translation, base_url))


def render(
    selection: Selection, prompts_dir: Path, lang: str, base_url: str = "", lead: str = "answer_lead"
) -> tuple[str, list[Citation]]:
    """Answer text with [n] markers, and the citations they point to, in answer order.

    In another language than the plans', a quote comes from the corpus's translation when its
    units pair with the original's; the citation keeps the original verbatim beside it.
    """
    lines = [phrase(prompts_dir, lang, lead)]
    citations = []
    for n, quote in enumerate(selection.quotes, start=1):
        passage = quote.passage
        paired = passage.paired_translation
        shown = paired if paired is not None and paired.language == lang else passage
        if quote.named_in:
            within = shown.section.rsplit(" > ", 2)[-2] if " > " in shown.section else quote.named_in
            lines.append(phrase(prompts_dir, lang, "quote_line", label=within, text=shown.label, n=n))
        for position in dict.fromkeys(quote.positions):  # the best first; a list in its own order
            lines.append(phrase(prompts_dir, lang, "quote_line", label=shown.label, text=shown.units[position], n=n))
        citations.append(
            Citation(
                n=n,
                score=round(float(np.clip(passage.dense, 0.0, 1.0)), 4),
                translation=_translated(passage, lang, base_url),
                **_source(passage, base_url),
            )
        )
    return "\n".join(lines), citations
