"""Deciding: do the plans answer this question (answered), perhaps (uncertain), or not (not_found)?

An instruction to the assistant ("ignore your rules ...") is not a question about the plans: it is
not found whatever it resembles. Otherwise the confidence model (assistant/decide/model.py) reads
the signals below and gives the probability that the passage the answer leads with answers the
question; its two thresholds say which of the three it is. The guard's checks of what a question
asks for (assistant/decide/guard.py: a date, an amount, a thing the plans never name) are signals
among the others, weighed as the training districts' questions taught.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.compose.quotes import Selection
from assistant.decide.guard import (
    answer_type_found,
    asks_for_what_the_plans_never_name,
    is_instruction,
    names_an_unknown_subject,
    names_what_the_plans_lack,
    outside_the_plans,
)
from assistant.decide.model import ConfidenceModel
from assistant.question import Query
from assistant.rank import Retrieval
from assistant.schemas import Status

# The rankings whose first choice the signal `agreement` compares with the answer's.
_VOTERS = ("dense:", "unit:", "keywords")


@dataclass(frozen=True)
class Decision:
    status: Status
    confidence: float
    features: dict[str, float]
    reason: str  # why, in a few words (the trace shows it)


def signals(
    query: Query,
    retrieval: Retrieval,
    selection: Selection,
    says: Callable[[str], bool],
    knows: Callable[[str], bool],
) -> dict[str, float]:
    """What tells a right answer from a wrong one: how far the first passage stands out, whether
    the rankings agree on it, how much of the question's words the plans and the passage use, and
    whether the question asks for something the quoted words do not state."""
    passages, scores = retrieval.passages, retrieval.scores
    top = passages[0] if passages else None
    keywords = retrieval.keywords
    asked = retrieval.question_terms + retrieval.context_terms
    question, uses = query.text, keywords.uses
    # What the answer quotes, in the plans' words and, where a translation pairs with them, in
    # the reader's: "¿Cuántas recomendaciones?" is answered by "siete recomendaciones".
    quoted = [unit for q in selection.quotes for i in q.positions for unit in q.passage.renderings(i)]
    gathered = retrieval.gathered
    voters = [r for name, r in (gathered.rankings.items() if gathered else ()) if name.startswith(_VOTERS)]
    return {
        "top_score": scores[0] if scores else 0.0,
        "margin": scores[0] - scores[1] if len(scores) > 1 else 0.0,
        "agreement": sum(bool(r) and top is not None and r[0] == top.id for r in voters) / max(len(voters), 1),
        "dense_top": max((p.dense for p in passages[:3]), default=0.0),
        "unit_top": selection.best_unit_similarity,
        "coverage_corpus": keywords.coverage(asked),
        "coverage_top": keywords.coverage(asked, top.terms) if top else 0.0,
        "named_top": float(top is not None and any(p.id == top.id for p in retrieval.named)),
        "type_missing": float(not answer_type_found(question, quoted)),
        "outside": float(outside_the_plans(question, says)),
        "unknown_name": float(names_what_the_plans_lack(question, knows)),
        "unknown_subject": float(names_an_unknown_subject(question, uses)),
        "unknown_thing": float(asks_for_what_the_plans_never_name(question, uses, knows)),
        "followup": float(bool(query.context)),
        "other_language": float(query.lang != "en"),
    }


def decide(
    query: Query,
    retrieval: Retrieval,
    selection: Selection,
    model: ConfidenceModel,
    says: Callable[[str], bool],
    knows: Callable[[str], bool],
) -> Decision:
    features = signals(query, retrieval, selection, says, knows)
    if is_instruction(query.text):
        return Decision("not_found", 0.0, features, "an instruction to the assistant, not a question")
    probability = model.probability(features)
    if not selection.quotes:
        return Decision("not_found", probability, features, "nothing to quote")
    status = model.status(probability)
    return Decision(status, probability, features, f"confidence {probability:.2f} ({status})")
