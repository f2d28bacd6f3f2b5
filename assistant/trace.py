"""A trace of one answer: a step per stage, what went in and what came out, for a person to read
(`plan-assistant ask --explain`) and for the evaluation to score."""

from __future__ import annotations

import textwrap
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

    def render(self, width: int = 100) -> str:
        """The steps as lines a person reads, none wider than `width`."""
        lines = []
        for step in self.steps:
            lines += textwrap.wrap(f"{step.stage}: {step.summary}", width, subsequent_indent="    ")
            for key, value in step.detail.items():
                lines += textwrap.wrap(f"{key}: {value}", width, initial_indent="    ", subsequent_indent="        ")
        return "\n".join(lines)
