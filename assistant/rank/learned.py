"""A ranker learned from the training districts (training/districts/): a linear model over the
candidate features (assistant/rank/features.py), fitted by `plan-assistant train` on pairs of a
passage that answers a training question and one that does not (learn/ranker.py). Its weights are
committed in assistant/rank/ranker.json, so every change to them is reviewed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.rank import Retrieval, ranked
from assistant.rank.features import candidate_features, candidates
from assistant.retrieve import Gathered


@dataclass(frozen=True)
class RankerModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    fitted_on: str = ""

    def score(self, matrix: np.ndarray) -> np.ndarray:
        return ((matrix - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.weights)

    @classmethod
    def load(cls, path: Path) -> RankerModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            tuple(data["features"]),
            tuple(data["mean"]),
            tuple(data["scale"]),
            tuple(data["weights"]),
            data.get("fitted_on", ""),
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class LearnedRanker:
    model: RankerModel
    models: tuple[str, ...]  # the dense models whose signals it reads, in the features' order

    def scored(self, gathered: Gathered) -> tuple[list[str], np.ndarray]:
        """Every candidate and its score."""
        pids = candidates(gathered)
        if not pids:
            return [], np.zeros(0)
        return pids, self.model.score(candidate_features(gathered, pids, list(self.models)))

    def rank(self, gathered: Gathered, n: int) -> Retrieval:
        pids, scores = self.scored(gathered)
        order = np.argsort(-scores, kind="stable")[:n]
        return ranked(gathered, [pids[i] for i in order], [float(scores[i]) for i in order])
