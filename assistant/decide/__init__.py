"""Deciding: do the plans answer this question (answered), perhaps (uncertain), or not (not_found)?

An instruction to the assistant ("ignore your rules ...") is not a question about the plans: it is
not found whatever it resembles. Otherwise two models read the signals below (assistant/decide/
model.py). The refusal model says whether the plans speak to the question at all: the guard's
checks of what a question asks for (assistant/decide/guard.py: a date, an amount, a thing the plans
never name) and how much of the question the plans use; below its threshold, not found (when the
plans are in the question's language: across languages their words say nothing). The
confidence model, fitted on the training districts (`plan-assistant train`), gives the probability
that the passage the answer leads with answers the question; from its `answered` threshold the
reply leads with it, below it the closest passages are shown as perhaps not answering (uncertain).
The learned model does not refuse by itself: on the training districts, held out by district, it
could not refuse 95% of unanswerable questions without refusing most answerable ones, which the
refusal model's checks do not.
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
        # Whether the plans are written (or translated) in the question's language: word overlap
        # and the guard's checks of the plans' words mean nothing across languages.
        "plans_in_its_language": float(gathered is None or query.lang in gathered.state.eligible),
    }


@dataclass(frozen=True)
class Judges:
    """The two models of the decision: whether the plans speak to the question, and how sure."""

    refusal: ConfidenceModel
    confidence: ConfidenceModel


def decide(
    query: Query,
    retrieval: Retrieval,
    selection: Selection,
    judges: Judges,
    says: Callable[[str], bool],
    knows: Callable[[str], bool],
) -> Decision:
    features = signals(query, retrieval, selection, says, knows)
    if is_instruction(query.text):
        return Decision("not_found", 0.0, features, "an instruction to the assistant, not a question")
    return judge(features, bool(selection.quotes), judges)


def judge(features: dict[str, float], quotable: bool, judges: Judges) -> Decision:
    """The status the two models give a question's signals."""
    probability = judges.confidence.probability(features)
    if not quotable:
        return Decision("not_found", probability, features, "nothing to quote")
    speaks = judges.refusal.probability(features)
    # The refusal model weighs the question's words against the plans' words, which says nothing
    # when the plans are not written in the question's language: then the confidence model,
    # fitted on such questions too, decides alone between answered and uncertain.
    readable = features.get("plans_in_its_language", 1.0) > 0
    if readable and judges.refusal.status(speaks) == "not_found":
        return Decision("not_found", probability, features, f"the plans do not speak to it ({speaks:.2f})")
    status = judges.confidence.status(probability)
    return Decision(status, probability, features, f"confidence {probability:.2f} ({status})")
