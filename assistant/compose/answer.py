"""Extractive answers: choose the sentences and list items that answer, quote them, cite them.

No generative model writes anything: each answer line is a verbatim unit of a retrieved passage,
introduced by its innermost heading and marked [n] to point into the citation list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import numpy as np

from assistant.prompts import phrase
from assistant.retrieve.hybrid import Passage, Retrieval
from assistant.schemas import Citation, TranslatedPassage

CANDIDATE_PASSAGES = 5
LEXICAL_WEIGHT = 0.25  # how much sharing the question's rarer words counts beside similarity
# A preference for what hybrid retrieval ranked first (rank r of 5 adds RANK_WEIGHT * (5 - r) / 5).
# On the dev split, 0.1 / 0.2 / 0.4 / 0.6 / 1.0 gave English hit@3 0.967 / 1.0 / 1.0 / 1.0 / 0.9
# and English conversation hit@1 1.0 up to 0.4, 0.938 from 0.6; citation precision rose and
# citations per answer fell (2.33 / 2.15 / 1.90 / 1.75 / 1.46). 0.2 is the smallest value at which
# the hit rates stop rising, the rule AGENT_WEIGHT follows too.
RANK_WEIGHT = 0.20
# For "Who ...?", naming a team, office or board counts this much. English dev citation precision
# rose 0.597 -> 0.607 / 0.618 / 0.630 at 0.05 / 0.1 / 0.2 and stayed at 0.630 for 0.3 and 0.5.
AGENT_WEIGHT = 0.2
# Also quote units of the same passage scoring this close to the best one. On the dev split
# (evals.runner's run_ours and run_conversations with evals.sweep's NEVER_REFUSE, this constant
# set in turn), 0.08 / 0.04 / 0.02 / 0 kept hit@1 and hit@3 and gave English quote precision
# 0.607 / 0.615 / 0.628 / 0.626 and conversation turns 0.709 / 0.732 / 0.732 / 0.736: at 0.02
# less of what is quoted is not the answer, and a parent on a phone reads less.
KEEP_WITHIN = 0.02
CITE_WITHIN = 0.20  # cite further passages whose best unit scores this close to the best one
MAX_UNITS = 6
MAX_LIST_ITEMS = 8  # items of a list quoted from passages of their own
# Questions that ask for the whole of a list ("What are the values...", "¿cuáles son ...?"), or
# for the rest of one ("What else is in that group?", "¿qué más hay?").
_LIST_QUESTION = re.compile(
    r"^\s*(what|which)\s+(are|were)\b|\b(list|all (of )?the|name the|each of|what else|the rest)\b"
    r"|\bqu[eé] m[aá]s\b|\b(lo|los|las) dem[aá]s\b|\b(what|which) (kinds|types|sorts) of\b|\bqu[eé] (tipos|clases) de\b"
    r"|\bcu[aá]l(es)?\s+son\b|\bqu[eé]\s+(son|valores|prioridades)\b|\btod[oa]s\s+l[oa]s\b|\blista\b|\benumer",
    re.I,
)
# "Which values does PUSD hold?" asks for a list when its plural noun names a section; "What
# years does the plan cover?", naming none, does not.
_WHICH_PLURAL = re.compile(
    r"^\s*(?:what|which)\s+(?!does\b|is\b|was\b|has\b)([^\W\d_]+s)\b"
    r"|^\W*(?:qu[eé]|cu[aá]les)\s+(?!es\b|m[aá]s\b)([^\W\d_]+s)\b",
    re.I,
)
# ... so does one that ends on it after "about" or a determiner: "What about its values?", "Tell
# me about the strategic priorities", "¿Y sus valores?".
_ENDS_ON_PLURAL = re.compile(
    r"\b(?:about|the|its|their|and|y|sobre|los|las|sus)\s+(?:[^\W\d_]+\s+){0,2}([^\W\d_]+s)\W*$",
    re.I,
)


# "Who ...?" asks for someone: in the plans, a team, an office, a board or the stakeholders.
_ASKS_WHO = re.compile(r"^\W*(?:who|qui[eé]n(?:es)?)\b", re.I)
_AGENT = re.compile(
    r"\b(?:team|office|division|board|committee|council|superintendent|department|stakeholders"
    r"|equipo|oficina|divisi[oó]n|junta|consejo|comit[eé]|superintendente|departamento|partes interesadas)\b",
    re.I,
)

# A list's lead-in that is a sentence only with its items: "Students will:".
_LEAD_IN = re.compile(r"^\W*(?:[^\W_]+\s+){0,3}[^\W_]+:\s*$")


@dataclass
class Quote:
    passage: Passage
    positions: list[int] = field(default_factory=list)


@dataclass
class Selection:
    quotes: list[Quote]
    best_unit_similarity: float


def select_quotes(retrieval: Retrieval, max_citations: int, question: str = "") -> Selection:
    """Score every unit of the top passages; keep the best and those close behind it. A question
    asking who (does something) prefers units that name a team, an office or a board."""
    candidates = retrieval.passages[:CANDIDATE_PASSAGES]
    scored = _scored_units(retrieval, candidates, question)
    if not scored:
        return Selection([], 0.0)
    scored.sort(reverse=True)
    best_score = scored[0][0]
    quotes: dict[int, Quote] = {}
    for score, rank, position, _ in scored:
        if score < best_score - CITE_WITHIN or sum(len(q.positions) for q in quotes.values()) >= MAX_UNITS:
            break
        if rank in quotes:
            # More of a passage already cited only when it is nearly as good as the best unit.
            if score >= best_score - KEEP_WITHIN:
                quotes[rank].positions.append(position)
        elif len(quotes) < max_citations:
            quotes[rank] = Quote(candidates[rank], [position])
    for quote in quotes.values():
        # A sentence ending in a colon ("Please click on links below to download reports:") is
        # quoted with what follows it in its passage: alone it says nothing.
        units = quote.passage.units
        if colons := [i for i in quote.positions if ends_in_colon(units[i])]:
            quote.positions = sorted({*quote.positions, *range(min(colons) + 1, len(units))})
    # Cite in retrieval's order: the fused ranking is better evidence than one sentence's score.
    return Selection([quotes[rank] for rank in sorted(quotes)], max(s[3] for s in scored))


def _scored_units(
    retrieval: Retrieval, candidates: Sequence[Passage], question: str, among: AbstractSet[str] = frozenset()
) -> list[tuple[float, int, int, float]]:
    """(score, passage index, unit position, similarity) of every unit worth quoting; with
    `among`, only the units whose text, or its translation's, is one of those."""
    agent_weight = AGENT_WEIGHT if _ASKS_WHO.search(question) else 0.0
    scored = []
    for rank, passage in enumerate(candidates):
        prior = RANK_WEIGHT * (len(candidates) - rank) / len(candidates)
        for position, (terms, similarity) in enumerate(zip(passage.unit_terms, passage.unit_similarity)):
            if not _says_something(passage, position):
                continue
            if among and among.isdisjoint(passage.renderings(position)):
                continue
            lexical = retrieval.keywords.coverage(retrieval.question_terms, terms)
            agent = agent_weight if _AGENT.search(passage.units[position]) else 0.0
            score = float(similarity) + LEXICAL_WEIGHT * lexical + prior + agent
            scored.append((score, rank, position, float(similarity)))
    return scored


def select_among(retrieval: Retrieval, shown: Sequence[str], question: str) -> Selection:
    """For "Which one is about parents?" after a list: the one quote of the previous answer
    (`shown`) that answers best: of the passages holding them, the one retrieval ranked first,
    and of its quotes the best (Recommendations 1 and 2 share a passage)."""
    scored = _scored_units(retrieval, retrieval.passages, question, frozenset(shown))
    if not scored:
        return Selection([], 0.0)
    first = min(rank for _, rank, _, _ in scored)  # the passage retrieval ranked first, its best quote
    _, rank, position, similarity = max(s for s in scored if s[1] == first)
    return Selection([Quote(retrieval.passages[rank], [position])], similarity)


def widen_for_lists(
    question: str,
    selection: Selection,
    list_of: Callable[[Passage], tuple[Passage, list[Passage]]],
    named: Sequence[Passage] = (),
) -> None:
    """A question asking for a whole list gets every item of the list it asks for: the section
    it names ("What are the strategic priorities?") or points back at ("What else is in that
    group?": `list_of` gives the items it introduces, or the list it is an item of), else the
    items the best quoted passage introduces, or its own units.

    When the items are passages of their own (subsections, or what follows "the following ..."),
    each is quoted and cited in document order. The passage that announced them is left out:
    "What are the seven recommendations?" is answered by Recommendation 1 to 7, not by the
    sentence that says there are seven, and "the last one" or "el tercero" in a follow-up then
    counts in the list itself (assistant/conversation.py)."""
    plural = _WHICH_PLURAL.search(question)
    asks_for_list = (
        _LIST_QUESTION.search(question)
        or (plural and (named or _announced(plural[1] or plural[2], selection)))
        or _ends_on_the_name_of(named, question)
    )
    if not (selection.quotes and asks_for_list):
        return
    if named:
        head, items = list_of(named[0])
    elif listed := _listed_after_lead_in(selection, list_of):
        # "What are the three reports you can download?" quoted "Please click on links below to
        # download reports:": the list is what follows it, in its passage and the rest of its section.
        selection.quotes[:] = listed[:MAX_LIST_ITEMS]
        return
    else:  # the best quote's own list only: "all the outside groups" does not ask for all seven recommendations
        head = selection.quotes[0].passage
        announcer, items = list_of(head)
        items = items if announcer.id == head.id else []
    if items:
        # The rest of the list's own section is quoted whole (its units are the items); a
        # subsection by its opening sentence, under its heading (the item's name).
        selection.quotes[:] = [
            Quote(p, _said(p.units) if p.section == head.section else [0]) for p in items[:MAX_LIST_ITEMS]
        ]
        return
    # The passage is the list: all of its units first, then what else was quoted.
    quoted_head = next((q for q in selection.quotes if q.passage.id == head.id), None) or Quote(head)
    quoted_head.positions = _said(head.units[: MAX_UNITS + 4])
    selection.quotes[:] = [quoted_head] + [q for q in selection.quotes if q.passage.id != head.id]


def _ends_on_the_name_of(named: Sequence[Passage], question: str) -> bool:
    """Whether the question ends on the plural that names the section it names: "What about its
    values?" (OUR VALUES), not "... anything about learning other languages?" (the Graduate Profile)."""
    plural = _ENDS_ON_PLURAL.search(question)
    if not (named and plural):
        return False
    labels = [named[0].label] + ([named[0].translation.label] if named[0].translation else [])
    return any(plural[1].lower() in label.lower().split() for label in labels)


def _listed_after_lead_in(
    selection: Selection, list_of: Callable[[Passage], tuple[Passage, list[Passage]]]
) -> list[Quote]:
    """What follows the first quoted unit that ends in a colon and has something after it: the
    rest of its passage and of its section (nothing follows "progress will be ... reported through:")."""
    for quote in selection.quotes:
        for at in sorted(quote.positions):
            if ends_in_colon(quote.passage.units[at]):
                passage = quote.passage
                after = [i for i in _said(passage.units) if i > at]
                rest = [p for p in list_of(passage)[1] if p.section == passage.section]
                if after or rest:
                    return ([Quote(passage, after)] if after else []) + [Quote(p, _said(p.units)) for p in rest]
    return []


def _announced(plural: str, selection: Selection) -> bool:
    """Whether a quoted unit announces a list of what the question's plural names: "What reports
    can I download?" quoted "Please click on links below to download reports:"."""
    said = re.compile(rf"\b{re.escape(plural)}\b", re.I)
    # A Spanish question names the translation's words.
    return any(
        ends_in_colon(unit) and said.search(unit)
        for quote in selection.quotes
        for i in quote.positions
        for unit in quote.passage.renderings(i)
    )


def ends_in_colon(unit: str) -> bool:
    """Whether a unit introduces what follows it ("... to download reports:")."""
    return unit.rstrip().endswith(":")


def _said(units: Sequence[str]) -> list[int]:
    """The positions of the units that say something by themselves: all but a lead-in."""
    return [i for i, unit in enumerate(units) if not _LEAD_IN.match(unit)]


def _says_something(passage: Passage, position: int) -> bool:
    """False for "Students will:", which says nothing alone (its items are quoted instead), and
    for a unit that only repeats the heading ("Commitment to community.") beside other units."""
    unit = passage.units[position]
    repeats_heading = len(passage.units) > 1 and unit.strip(" .:").lower() == passage.label.strip(" .:").lower()
    return not (_LEAD_IN.match(unit) or repeats_heading)


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


def render(selection: Selection, prompts_dir: Path, lang: str, base_url: str = "") -> tuple[str, list[Citation]]:
    """Answer text with [n] markers, and the citations they point to, in answer order.

    In another language than the plans', a quote comes from the corpus's translation when its
    units pair with the original's; the citation keeps the original verbatim beside it.
    """
    lines = [phrase(prompts_dir, lang, "answer_lead")]
    citations = []
    for n, quote in enumerate(selection.quotes, start=1):
        passage = quote.passage
        paired = passage.paired_translation
        shown = paired if paired is not None and paired.language == lang else passage
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
