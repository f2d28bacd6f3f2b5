"""The confidence model: the probability that the passage an answer leads with answers the
question, from signals that tell a right answer from a wrong one, and two thresholds on it.

Fitted by `plan-assistant train` on the training districts' questions, answerable and not, with
each question's ranking made by a ranker that never saw that question's district (learn/
confidence.py). At or above `answered` the reply leads with the passage; from `uncertain` up it
shows the closest passages marked as perhaps not answering; below, it says the plans do not
answer and where to ask. Committed in assistant/decide/confidence.json, so changes are reviewed.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.schemas import Status


@dataclass(frozen=True)
class ConfidenceModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    answered: float  # from this probability the plans answer: lead with it
    uncertain: float  # from this one, show the closest passages, marked as perhaps not answering
    fitted_on: str = ""

    def probability(self, values: dict[str, float]) -> float:
        z = self.bias + sum(
            w * (values.get(name, 0.0) - m) / s
            for name, m, s, w in zip(self.features, self.mean, self.scale, self.weights)
        )
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def status(self, probability: float) -> Status:
        if probability >= self.answered:
            return "answered"
        return "uncertain" if probability >= self.uncertain else "not_found"

    @classmethod
    def load(cls, path: Path) -> ConfidenceModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            tuple(data["features"]),
            tuple(data["mean"]),
            tuple(data["scale"]),
            tuple(data["weights"]),
            float(data["bias"]),
            float(data["answered"]),
            float(data["uncertain"]),
            data.get("fitted_on", ""),
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")
