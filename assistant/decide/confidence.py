"""Confidence: a logistic model over retrieval signals, fitted on the evaluation's dev split.

`confidence` is the fitted probability that the plans answer the question: among dev questions
given 0.8, about 80% were answerable. `grounded` is confidence >= the stored threshold, chosen
on the dev split to refuse the most unanswerable questions while wrongly refusing at most 5% of
answerable ones. `plan-assistant eval --calibrate` refits both; the result is committed in
assistant/calibration.json so every change to it is reviewed.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

FEATURES = ("dense_top", "unit_top", "coverage_corpus", "coverage_top")
MAX_FALSE_REFUSALS = 0.05


@dataclass(frozen=True)
class Calibration:
    weights: tuple[float, ...]
    bias: float
    threshold: float
    fitted_on: str = ""

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(w * features[name] for w, name in zip(self.weights, FEATURES))
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def load(cls, path: Path) -> Calibration:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(tuple(data["weights"]), data["bias"], data["threshold"], data.get("fitted_on", ""))

    def save(self, path: Path) -> None:
        data = asdict(self) | {"features": list(FEATURES)}
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def choose_threshold(probabilities: list[float], answerable: list[bool]) -> float:
    """Highest threshold whose false-refusal rate on answerable questions stays within the bound."""
    positives = sorted(p for p, a in zip(probabilities, answerable) if a)
    if not positives:
        return 0.5
    allowed = math.floor(MAX_FALSE_REFUSALS * len(positives))  # answerable questions we may refuse
    # Refusing everything strictly below positives[allowed] refuses exactly `allowed` of them.
    lowest_kept = positives[allowed]
    negatives_below = [p for p, a in zip(probabilities, answerable) if not a and p < lowest_kept]
    # Sit midway between the highest refused unanswerable score and the lowest kept answerable one.
    return (max(negatives_below) + lowest_kept) / 2 if negatives_below else lowest_kept * 0.999


def fit(rows: list[dict[str, float]], answerable: list[bool], fitted_on: str) -> Calibration:
    """Logistic regression (scikit-learn) of answerable-or-not on the retrieval features."""
    from sklearn.linear_model import LogisticRegression

    matrix = [[row[name] for name in FEATURES] for row in rows]
    model = LogisticRegression(C=10.0, max_iter=1000).fit(matrix, answerable)
    weights = tuple(float(w) for w in model.coef_[0])
    draft = Calibration(weights, float(model.intercept_[0]), 0.5, fitted_on)
    threshold = choose_threshold([draft.probability(row) for row in rows], answerable)
    return Calibration(weights, draft.bias, threshold, fitted_on)
