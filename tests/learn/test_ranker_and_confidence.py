"""The learning code on worked cases: the pairwise ranker, the confidence thresholds, the
reliability table (toy data, no models)."""

from dataclasses import dataclass

import numpy as np
import pytest

from learn.confidence import Row, thresholds
from learn.ranker import fit_ranker, top_answers
from learn.train import reliability

NAMES = ["useful", "noise", "fusion"]


@dataclass
class _Question:
    answerable: bool = True


@dataclass
class _Example:
    question: _Question
    district: str
    pids: list[str]
    features: np.ndarray
    labels: np.ndarray


def _examples(n: int, seed: int = 0) -> list[_Example]:
    """Each question has four candidates; the one that answers has the highest `useful`, while
    `noise` and `fusion` say nothing about which it is."""
    rng = np.random.default_rng(seed)
    examples = []
    for i in range(n):
        features = rng.normal(size=(4, 3))
        right = int(rng.integers(4))
        features[right, 0] = features[:, 0].max() + 1.0
        labels = np.zeros(4)
        labels[right] = 1.0
        examples.append(_Example(_Question(), f"d{i % 3}", ["a", "b", "c", "d"], features, labels))
    return examples


def test_the_pairwise_ranker_learns_the_feature_that_tells_answers_apart() -> None:
    model = fit_ranker(_examples(60), NAMES, c=1.0, fitted_on="toy")  # type: ignore[arg-type]
    weights = dict(zip(model.features, model.weights))
    assert weights["useful"] > 5 * max(abs(weights["noise"]), abs(weights["fusion"]))
    assert top_answers(model, _examples(30, seed=1)) == 1.0  # type: ignore[arg-type]


def _rows(probabilities: list[float], correct: list[bool], answerable: list[bool]) -> list[Row]:
    return [Row({}, c, a, "d") for c, a in zip(correct, answerable)]


def test_thresholds_answer_from_where_few_answers_are_wrong_and_refuse_most_unanswerable() -> None:
    # 50 answerable: from 0.9 up all right; 0.5-0.8 right and wrong; 20 unanswerable, at most 0.6.
    p = [0.95] * 30 + [0.8] * 10 + [0.6] * 5 + [0.5] * 5 + [0.1] * 19 + [0.6]
    correct = [True] * 30 + [True] * 9 + [False] + [False] * 5 + [True] * 5 + [False] * 20
    answerable = [True] * 50 + [False] * 20
    answered, uncertain = thresholds(np.array(p), _rows(p, correct, answerable))
    # 2% of 50 answerable is one wrong answer: at 0.8 one is wrong, at 0.6 six would be.
    assert answered == pytest.approx(0.8)
    # 5% of 20 unanswerable is one shown: from 0.6 that one is, and from 0.5 none more.
    assert uncertain == pytest.approx(0.5)


def test_the_uncertain_threshold_is_never_above_the_answered_one() -> None:
    p = [0.3] * 10 + [0.9] * 10
    rows = _rows(p, [True] * 10 + [False] * 10, [True] * 10 + [False] * 10)
    answered, uncertain = thresholds(np.array(p), rows)
    assert uncertain <= answered


def test_reliability_bands_compare_predicted_and_observed() -> None:
    p = np.array([0.1, 0.15, 0.95, 0.97, 0.99])
    rows = _rows(list(p), [False, True, True, True, False], [True] * 5)
    bands = reliability(p, rows)
    assert bands[0] == ("0.0-0.2", 2, pytest.approx(0.125), 0.5)
    assert bands[-1] == ("0.9-1.0", 3, pytest.approx(0.97), pytest.approx(2 / 3))


def test_the_dev_threshold_is_the_lowest_with_few_wrong_answers() -> None:
    from learn.threshold import lowest_threshold

    def row(confidence: float, right: bool, grounded: bool = True) -> dict:
        return {"answerable": True, "grounded": grounded, "confidence": confidence, "hit_rank": 1 if right else 2}

    rows = [row(0.9, True), row(0.8, True), row(0.7, False), row(0.6, True), row(0.5, False), row(0.4, True)]
    rows += [row(0.95, False, grounded=False)] + [row(0.85, True)] * 27  # 34 answerable: 1 wrong allowed at 3%
    assert lowest_threshold(rows) == 0.6  # from 0.6 up only the 0.7 answer is wrong
    assert lowest_threshold(rows, max_wrong=0.0) == 0.8
