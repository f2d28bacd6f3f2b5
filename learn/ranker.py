"""Fitting the learned ranker: a linear model over candidate features, fitted on pairs.

For each training question, every pair of a candidate that answers it and one that does not gives
one example: the difference of their (standardised) features should score above zero. A logistic
regression without intercept on those differences (a RankSVM-style pairwise model) is fitted with
scikit-learn; its regularisation is chosen by leave-one-district-out cross-validation on the
training districts, the measure being how often the first candidate answers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from assistant.rank.learned import RankerModel
from learn.examples import Example

C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
MAX_NEGATIVES = 40  # per question: the hardest by the fusion feature, so a question weighs alike


def _pairs(
    examples: Sequence[Example], mean: np.ndarray, scale: np.ndarray, fusion: int
) -> tuple[np.ndarray, np.ndarray]:
    differences = []
    for example in examples:
        positive = example.labels > 0
        if not positive.any() or positive.all():
            continue
        x = (example.features - mean) / scale
        negatives = np.flatnonzero(~positive)
        negatives = negatives[np.argsort(-example.features[negatives, fusion])][:MAX_NEGATIVES]
        for p in np.flatnonzero(positive):
            differences.append(x[p] - x[negatives])
    stacked = np.vstack(differences)
    # Both orders, so the classes balance and no intercept is needed.
    return np.vstack([stacked, -stacked]), np.concatenate([np.ones(len(stacked)), np.zeros(len(stacked))])


def fit_ranker(examples: Sequence[Example], names: list[str], c: float, fitted_on: str) -> RankerModel:
    matrix = np.vstack([e.features for e in examples])
    mean, scale = matrix.mean(0), matrix.std(0)
    scale[scale == 0] = 1.0
    x, y = _pairs(examples, mean, scale, names.index("fusion"))
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000).fit(x, y)
    return RankerModel(
        tuple(names), tuple(mean.tolist()), tuple(scale.tolist()), tuple(model.coef_[0].tolist()), fitted_on
    )


def top_answers(model: RankerModel, examples: Sequence[Example]) -> float:
    """Share of answerable questions whose best-scored candidate answers them."""
    answerable = [e for e in examples if e.question.answerable]
    hits = [e.labels[int(np.argmax(model.score(e.features)))] > 0 for e in answerable if len(e.pids)]
    return float(np.mean(hits)) if hits else 0.0


def cross_validate(examples: Sequence[Example], names: list[str]) -> dict[float, float]:
    """Leave-one-district-out: for each C, the share of held-out questions answered at the top."""
    districts = sorted({e.district for e in examples})
    results = {}
    for c in C_GRID:
        held_out = []
        for district in districts:
            model = fit_ranker([e for e in examples if e.district != district], names, c, "")
            held_out += [(model, e) for e in examples if e.district == district and e.question.answerable]
        results[c] = float(np.mean([e.labels[int(np.argmax(m.score(e.features)))] > 0 for m, e in held_out]))
    return results
