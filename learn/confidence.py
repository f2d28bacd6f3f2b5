"""Fitting the confidence model (assistant/decide/model.py) and its two thresholds.

Each training question is ranked by a ranker fitted without its district (so its ranking is as
good as a new district's would be), the answer's quotes are selected as served, and the decide
stage's signals are read. The label: the passage the answer leads with answers the question (an
unanswerable question is never answered right). A logistic regression of the label on the signals
gives the probability; its `answered` threshold is chosen on probabilities predicted for each
district by a model fitted without it: the lowest probability from which at most
MAX_WRONG_ANSWERED of the answerable questions that the refusal model lets through are answered
with a wrong first passage. Below it they are `uncertain`; refusing is the refusal model's call
(assistant/decide), so the fitted model's `uncertain` threshold is 0. `thresholds` also gives the
threshold from which at most 1 - MIN_REFUSED of the unanswerable questions would be shown any
passage, for the report: what refusing by this model alone would cost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
from sklearn.linear_model import LogisticRegression

from assistant.compose.quotes import select_quotes
from assistant.decide import signals
from assistant.decide.model import ConfidenceModel
from assistant.rank import Ranker
from assistant.retrieve import plans_know, plans_say
from learn.examples import Example, answers, shown_texts

MAX_WRONG_ANSWERED = 0.02  # of answerable questions (the bar on held-out questions is 3%)
MIN_REFUSED = 0.95  # of unanswerable questions
C = 1.0


@dataclass(frozen=True)
class Row:
    features: dict[str, float]
    correct: bool  # the first passage answers
    answerable: bool
    district: str
    speaks: bool = True  # the refusal model lets it through (not_found otherwise)


def confidence_rows(
    examples: Sequence[Example], ranker_for: Callable[[str], Ranker], n: int, cite: int, refusal: ConfidenceModel
) -> list[Row]:
    """Each example ranked by `ranker_for(its district)`, its quotes selected, its signals read,
    and whether the refusal model lets it through."""
    rows = []
    for example in examples:
        gathered = example.gathered
        retrieval = ranker_for(example.district).rank(gathered, n)
        selection = select_quotes(retrieval, cite, gathered.query.form)
        says, knows = partial(plans_say, gathered.state), partial(plans_know, gathered.state)
        features = signals(gathered.query, retrieval, selection, says, knows)
        first = retrieval.passages[0] if retrieval.passages else None
        correct = bool(example.question.answerable and first and answers(shown_texts(first), example.question.passages))
        speaks = bool(selection.quotes) and refusal.status(refusal.probability(features)) != "not_found"
        rows.append(Row(features, correct, example.question.answerable, example.district, speaks))
    return rows


def _matrix(rows: Sequence[Row], names: list[str]) -> np.ndarray:
    return np.array([[row.features[name] for name in names] for row in rows])


def _fit(rows: Sequence[Row], names: list[str]) -> tuple[LogisticRegression, np.ndarray, np.ndarray]:
    x = _matrix(rows, names)
    mean, scale = x.mean(0), x.std(0)
    scale[scale == 0] = 1.0
    y = np.array([row.correct for row in rows])
    return LogisticRegression(C=C, max_iter=2000).fit((x - mean) / scale, y), mean, scale


def held_out_probabilities(rows: Sequence[Row], names: list[str]) -> np.ndarray:
    """Each row's probability from a model fitted without its district."""
    probabilities = np.zeros(len(rows))
    for district in sorted({row.district for row in rows}):
        inside = np.array([row.district == district for row in rows])
        model, mean, scale = _fit([r for r, i in zip(rows, inside) if not i], names)
        x = (_matrix([r for r, i in zip(rows, inside) if i], names) - mean) / scale
        probabilities[inside] = model.predict_proba(x)[:, 1]
    return probabilities


def thresholds(probabilities: np.ndarray, rows: Sequence[Row]) -> tuple[float, float]:
    """(answered, uncertain) as the module's docstring says."""
    answerable = np.array([row.answerable for row in rows])
    correct = np.array([row.correct for row in rows])
    wrong = answerable & ~correct & np.array([row.speaks for row in rows])
    candidates = np.unique(np.concatenate([probabilities, [1.0]]))
    allowed_wrong = MAX_WRONG_ANSWERED * answerable.sum()
    answered = next(t for t in candidates if (wrong & (probabilities >= t)).sum() <= allowed_wrong)
    unanswerable = probabilities[~answerable]
    allowed_shown = (1 - MIN_REFUSED) * len(unanswerable)
    uncertain = next(t for t in candidates if (unanswerable >= t).sum() <= allowed_shown)
    return float(answered), float(min(uncertain, answered))


def fit_confidence(rows: Sequence[Row], fitted_on: str) -> tuple[ConfidenceModel, np.ndarray]:
    """The model fitted on every row, with thresholds chosen on held-out probabilities (returned too)."""
    names = sorted(rows[0].features)
    held_out = held_out_probabilities(rows, names)
    answered, _alone = thresholds(held_out, rows)
    model, mean, scale = _fit(rows, names)
    confidence = ConfidenceModel(
        tuple(names),
        tuple(mean.tolist()),
        tuple(scale.tolist()),
        tuple(model.coef_[0].tolist()),
        float(model.intercept_[0]),
        answered,
        0.0,  # never not_found by itself: the refusal model decides that
        fitted_on,
    )
    return confidence, held_out
