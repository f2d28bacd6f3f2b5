"""A trace of one answer: a step per stage, what went in and what came out, for a person to read
(`plan-assistant ask --explain`) and for the evaluation to score."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Step:
    stage: str  # question, retrieve, rank, select, decide, compose
    summary: str  # one line
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Trace:
    steps: list[Step] = field(default_factory=list)

    def add(self, stage: str, summary: str, **detail: Any) -> None:
        self.steps.append(Step(stage, summary, detail))

    def render(self) -> str:
        """The steps as lines a person reads."""
        lines = []
        for step in self.steps:
            lines.append(f"{step.stage}: {step.summary}")
            lines += [f"    {key}: {value}" for key, value in step.detail.items()]
        return "\n".join(lines)
