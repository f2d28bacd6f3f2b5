"""The lists a passage belongs to, read from the documents' structure: the items it introduces
(its nearest subsections, or what follows when it announces them), or the list it is an item of."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.index.state import IndexState, Passage

# A sentence that announces the list after it: "... sets out the following seven recommendations".
_ANNOUNCES_LIST = re.compile(r":\s*$|\bthe following\b|\bas follows\b", re.IGNORECASE)


def announces_list(passage: Passage) -> bool:
    return any(_ANNOUNCES_LIST.search(unit) for unit in passage.units)


def continuation(state: IndexState, passage: Passage, reply_lang: str = "en") -> list[Passage]:
    """The items a passage introduces, in document order, with their translations into
    `reply_lang`: its nearest subsections ("OUR VALUES" -> each value), or, when it announces
    what follows ("the following seven recommendations", a closing colon), the rest of its
    section ("Recommendation 1.", ...)."""
    same_doc = sorted((p for p in state.passages.values() if p.doc_id == passage.doc_id), key=lambda p: p.ordinal)
    items = [p for p in same_doc if p.section.startswith(passage.section + " > ")]
    if items:
        nearest = min(p.section.count(" > ") for p in items)
        items = [p for p in items if p.section.count(" > ") == nearest]
        if len({p.section for p in items}) < len(items):
            return []  # subsections of several passages each are chapters, not list items
    elif announces_list(passage):
        items = [p for p in same_doc if p.section == passage.section and p.ordinal > passage.ordinal]
    return [replace(p, translation=state.translations.get((p.id, reply_lang))) for p in items]


def list_of(state: IndexState, passage: Passage, reply_lang: str = "en") -> tuple[Passage, list[Passage]]:
    """The list a passage stands for, as (the passage that heads it, its items): the items the
    passage introduces; or, for an item of a list announced before it (Recommendation 2 after
    "the following seven recommendations"), that list; else (the passage, [])."""
    items = continuation(state, passage, reply_lang)
    if items:
        return passage, items
    announcing = [
        p
        for p in state.passages.values()
        if p.doc_id == passage.doc_id
        and p.section == passage.section
        and p.ordinal < passage.ordinal
        and announces_list(p)
    ]
    if not announcing:
        return passage, []
    head = max(announcing, key=lambda p: p.ordinal)
    head = replace(head, translation=state.translations.get((head.id, reply_lang)))
    return head, continuation(state, head, reply_lang)
