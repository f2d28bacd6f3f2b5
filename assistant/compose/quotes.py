"""What an answer quotes: of the best-ranked passages, the sentences and list items that answer,
each scored by its similarity to the question, the question's rarer words it shares, the rank of
its passage and, for "Who ...?", whether it names a team, an office or a board."""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from assistant.index.state import Passage
from assistant.question.forms import Form
from assistant.rank import Retrieval
from ingest.text_units import ends_in_colon

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
    # An item of a list quoted by its name (its heading, verbatim), under the list's name: "What
    # are the strategic priorities?" is answered by the priorities' names, each cited.
    named_in: str = ""


def unsaid_lead_ins(selection: Selection) -> None:
    """Drop a line quoted after the answer's first that ends on a colon with nothing after it in its
    passage ("... progress will be communicated and reported through:"): alone it says nothing, and
    it only follows what answers. A passage left with nothing to quote is not cited."""
    for n, quote in enumerate(selection.quotes):
        units, lead = quote.passage.units, quote.positions[:1] if n == 0 else []
        quote.positions = [
            i for i in quote.positions if i in lead or not (ends_in_colon(units[i]) and i == len(units) - 1)
        ]
    selection.quotes[:] = [q for q in selection.quotes if q.positions or q.named_in]


@dataclass
class Selection:
    quotes: list[Quote]
    best_unit_similarity: float


def select_quotes(retrieval: Retrieval, max_citations: int, form: Form | None = None) -> Selection:
    """Score every unit of the top passages; keep the best and those close behind it. A question
    asking who (does something) prefers units that name a team, an office or a board."""
    candidates = retrieval.passages[:CANDIDATE_PASSAGES]
    scored = _scored_units(retrieval, candidates, form)
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
    retrieval: Retrieval, candidates: Sequence[Passage], form: Form | None, among: AbstractSet[str] = frozenset()
) -> list[tuple[float, int, int, float]]:
    """(score, passage index, unit position, similarity) of every unit worth quoting; with
    `among`, only the units whose text, or its translation's, is one of those, or that stand under
    a heading that is."""
    agent_weight = AGENT_WEIGHT if form is not None and form.asks_who else 0.0
    scored = []
    for rank, passage in enumerate(candidates):
        prior = RANK_WEIGHT * (len(candidates) - rank) / len(candidates)
        for position, (terms, similarity) in enumerate(zip(passage.unit_terms, passage.unit_similarity)):
            if not says_something(passage, position):
                continue
            # A list answer may have named its items by their headings: any unit under one counts.
            if among and among.isdisjoint(passage.renderings(position)) and not among & passage.labels:
                continue
            lexical = retrieval.keywords.coverage(retrieval.question_terms, terms)
            agent = agent_weight if _AGENT.search(passage.units[position]) else 0.0
            score = float(similarity) + LEXICAL_WEIGHT * lexical + prior + agent
            scored.append((score, rank, position, float(similarity)))
    return scored


def select_among(retrieval: Retrieval, shown: Sequence[str], form: Form) -> Selection:
    """For "Which one is about parents?" after a list: the one quote of the previous answer
    (`shown`) that answers best: of the passages holding them, the one retrieval ranked first,
    and of its quotes the best (Recommendations 1 and 2 share a passage)."""
    scored = _scored_units(retrieval, retrieval.passages, form, frozenset(shown))
    if not scored:
        return Selection([], 0.0)
    first = min(rank for _, rank, _, _ in scored)  # the passage retrieval ranked first, its best quote
    _, rank, position, similarity = max(s for s in scored if s[1] == first)
    return Selection([Quote(retrieval.passages[rank], [position])], similarity)


def said(units: Sequence[str]) -> list[int]:
    """The positions of the units that say something by themselves: all but a lead-in."""
    return [i for i, unit in enumerate(units) if not _LEAD_IN.match(unit)]


def says_something(passage: Passage, position: int) -> bool:
    """False for "Students will:", which says nothing alone (its items are quoted instead), and
    for a unit that only repeats the heading ("Commitment to community.") beside other units."""
    unit = passage.units[position]
    repeats_heading = len(passage.units) > 1 and unit.strip(" .:").lower() == passage.label.strip(" .:").lower()
    return not (_LEAD_IN.match(unit) or repeats_heading)
