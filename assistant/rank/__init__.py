"""Ranking: the signals retrieval gathered, combined into one order of the passages.

`FusionRanker` adds up weighted reciprocal ranks (the weights chosen on the dev questions);
`assistant/rank/learned.py` scores each candidate with a model fitted on the training districts.
Both hand the later stages the same `Retrieval`: the passages best first, with the sections the
question names and the passage a follow-up points back at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from assistant.index.state import Passage
from assistant.retrieve import Gathered
from assistant.retrieve.fusion import fuse
from assistant.text.keywords import KeywordIndex


@dataclass
class Retrieval:
    """Ranked passages for one question, with the terms the keyword side matched on."""

    question_terms: list[str]
    keywords: KeywordIndex  # the keyword index of the question's language (for coverage)
    passages: list[Passage] = field(default_factory=list)
    # The words of the earlier turns a follow-up leans on: "What else is in that group?" names
    # nothing by itself, so its confidence is judged with them.
    context_terms: list[str] = field(default_factory=list)
    # The passages whose heading the question names ("What are the strategic priorities?"):
    # the list a question for a whole list asks for.
    named: list[Passage] = field(default_factory=list)
    # The passage the previous answer led with, when the question points back at it ("What else
    # is in that group?"): what "that" refers to.
    referent: Passage | None = None
    scores: list[float] = field(default_factory=list)  # the ranker's score of each passage, best first
    gathered: Gathered | None = None  # what the ranking was made from


class Ranker(Protocol):
    def rank(self, gathered: Gathered, n: int) -> Retrieval: ...


def ranked(gathered: Gathered, order: list[str], scores: list[float]) -> Retrieval:
    """The Retrieval for passages in `order` (ids, best first) with their scores."""
    return Retrieval(
        gathered.terms,
        gathered.keywords,
        [gathered.passage(pid) for pid in order],
        gathered.context_terms,
        [gathered.passage(pid) for pid in gathered.named],
        gathered.passage(gathered.referent) if gathered.referent else None,
        scores,
        gathered,
    )


@dataclass(frozen=True)
class FusionRanker:
    """Weighted reciprocal rank fusion of every ranking retrieval gathered."""

    k: int

    def rank(self, gathered: Gathered, n: int) -> Retrieval:
        names = list(gathered.rankings)
        fused = fuse([gathered.rankings[r] for r in names], [gathered.weights[r] for r in names], self.k)
        order = sorted(fused, key=lambda pid: -fused[pid])[:n]
        return ranked(gathered, order, [fused[pid] for pid in order])
