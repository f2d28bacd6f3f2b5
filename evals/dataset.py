"""The evaluation questions (evals/questions.jsonl), written from the documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

QUESTIONS = Path(__file__).parent / "questions.jsonl"


class Question(BaseModel):
    id: str
    question: str
    kind: Literal["direct", "paraphrase", "list", "unanswerable"]
    split: Literal["dev", "test"]
    passages: list[str]
    doc_id: str | None
    page: int | None

    @property
    def answerable(self) -> bool:
        return self.kind != "unanswerable"


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Question.model_validate(json.loads(line)) for line in lines if line.strip()]
