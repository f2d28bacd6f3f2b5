"""The `answered` threshold of the confidence model, chosen on PUSD's dev split.

The model is fitted on the training districts, whose questions are easier than a parent's (more
of the plans' own words); a threshold chosen there at MAX_WRONG_ANSWERED left two thirds of PUSD's
dev answers marked uncertain, right ones included. So the model's weights come from the training
districts and its one threshold from the dev split, the set the project tunes on: the lowest
probability from which at most MAX_WRONG_ANSWERED of the dev split's answerable questions are
answered with a wrong first citation. The test split and the new districts are never read here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from assistant.decide.model import ConfidenceModel
from assistant.embedding import Embedder
from assistant.service import PlanAssistant
from assistant.settings import Settings
from evals.dataset import load_questions
from evals.runner import run_ours

MAX_WRONG_ANSWERED = 0.03  # of the dev split's answerable questions: the bar


def lowest_threshold(rows: Sequence[dict], max_wrong: float = MAX_WRONG_ANSWERED) -> float:
    """The lowest confidence from which at most `max_wrong` of the answerable rows that are shown
    (not refused) lead with a wrong passage."""
    answerable = [r for r in rows if r["answerable"]]
    allowed = max_wrong * len(answerable)
    shown = [r for r in answerable if r["grounded"]]
    for threshold in sorted({0.0, *(r["confidence"] for r in shown)}):
        wrong = sum(r["confidence"] >= threshold and r["hit_rank"] != 1 for r in shown)
        if wrong <= allowed:
            return float(threshold)
    return 1.0


def dev_threshold(settings: Settings, embedders: dict[str, Embedder], model: ConfidenceModel) -> ConfidenceModel:
    """`model` with its `answered` threshold chosen on the dev split (the index must be built)."""
    assistant = PlanAssistant(settings, embedders, confidence=replace(model, answered=0.0))
    dev = [q for q in load_questions() if q.split == "dev"]
    rows = run_ours(assistant, dev, settings.corpus_dir)
    return replace(model, answered=lowest_threshold(rows))


def shares(rows: Sequence[dict], threshold: float) -> tuple[float, float]:
    """(answered right, answered wrong) as shares of the answerable rows."""
    answerable = [r for r in rows if r["answerable"]]
    answered = np.array([r["grounded"] and r["confidence"] >= threshold for r in answerable])
    right = np.array([r["hit_rank"] == 1 for r in answerable])
    return float(np.mean(answered & right)), float(np.mean(answered & ~right))
