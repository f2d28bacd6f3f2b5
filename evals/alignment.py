"""Alignment evaluation: does /api/align name the goals a reviewer would, for staff's own words?

Per proposal, the goals returned (aligned + partial), at most the top 5, against the labels:
- precision@5: share of returned goals that are labelled (a proposal labelled with none, and
  given none, counts 1; given some, 0);
- recall@5: share of labelled goals returned (proposals labelled with none are left out);
- top-1 accuracy: the first goal returned is a labelled one (proposals with labels only);
- none_correct: proposals labelled with no goal that got none.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import mean

from assistant.service import PlanAssistant
from evals.dataset import Proposal

TOP = 5


def run_alignment(assistant: PlanAssistant, proposals: Sequence[Proposal]) -> list[dict]:
    rows = []
    for proposal in proposals:
        reply = assistant.align(proposal.text)
        rows.append(
            {
                "id": proposal.id,
                "split": proposal.split,
                "kind": proposal.kind,
                "expected": proposal.goals,
                "returned": [goal.goal_id for goal in reply.goals],
                "verdicts": [goal.verdict for goal in reply.goals],
                "evidence": [citation.text for goal in reply.goals for citation in goal.evidence],
            }
        )
    return rows


def _precision(row: dict) -> float:
    returned = row["returned"][:TOP]
    if not returned:
        return 1.0 if not row["expected"] else 0.0
    return sum(goal in row["expected"] for goal in returned) / len(returned)


def summarize_alignment(rows: Sequence[dict]) -> dict[str, float | int]:
    labelled = [row for row in rows if row["expected"]]
    unlabelled = [row for row in rows if not row["expected"]]
    returned = [row for row in labelled if row["returned"]]
    return {
        "proposals": len(rows),
        "precision_at_5": round(mean(_precision(row) for row in rows), 4) if rows else 0.0,
        "recall_at_5": round(
            mean(sum(g in row["returned"][:TOP] for g in row["expected"]) / len(row["expected"]) for row in labelled), 4
        )
        if labelled
        else 0.0,
        "top1_accuracy": round(sum(r["returned"][0] in r["expected"] for r in returned) / len(labelled), 4)
        if labelled
        else 0.0,
        "none_correct": round(mean(not row["returned"] for row in unlabelled), 4) if unlabelled else 1.0,
        "goals_returned": round(mean(len(row["returned"][:TOP]) for row in rows), 2) if rows else 0.0,
    }


def alignment_breakdown(rows: Sequence[dict]) -> dict[str, dict]:
    """`align` (every proposal), `align:dev`, `align:test`, and per kind."""
    groups: dict[str, list[dict]] = {"align": list(rows)}
    for row in rows:
        groups.setdefault(f"align:{row['split']}", []).append(row)
        groups.setdefault(f"align:kind:{row['kind']}", []).append(row)
    return {name: summarize_alignment(group) for name, group in groups.items()}
