"""The evaluation data, written from the documents: single questions (evals/questions.jsonl, in
English and Spanish) and conversations whose later turns only make sense after the earlier ones
(evals/conversations.jsonl)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

QUESTIONS = Path(__file__).parent / "questions.jsonl"
CONVERSATIONS = Path(__file__).parent / "conversations.jsonl"

Kind = Literal["direct", "paraphrase", "list", "yesno", "unanswerable", "followup", "newtopic"]


class Question(BaseModel):
    id: str
    question: str
    kind: Kind
    split: Literal["dev", "test"]
    passages: list[str]  # expected citations: verbatim English text of the plans
    doc_id: str | None
    page: int | None
    lang: Literal["en", "es"] = "en"  # the language the question is written in (and the reply's)
    # The new-district sets (evals/districts/): whose plans the question is about, and whether it
    # names the district, a document, an edition or a year ("the 2024-25 board goals").
    district: str | None = None
    names: bool = False

    @property
    def answerable(self) -> bool:
        return self.kind != "unanswerable"


class Turn(BaseModel):
    question: str
    kind: Kind
    passages: list[str]
    doc_id: str | None
    page: int | None


class Conversation(BaseModel):
    id: str
    lang: Literal["en", "es"]
    split: Literal["dev", "test"] = "test"
    turns: list[Turn] = Field(min_length=2, max_length=3)
    district: str | None = None

    def questions(self) -> list[Question]:
        """Each turn as a Question (ids conv-01/1, conv-01/2 ...), in conversation order."""
        return [
            Question(id=f"{self.id}/{n}", lang=self.lang, split=self.split, district=self.district, **turn.model_dump())
            for n, turn in enumerate(self.turns, start=1)
        ]


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_questions(path: Path = QUESTIONS, **defaults: object) -> list[Question]:
    return [Question.model_validate(defaults | row) for row in _jsonl(path)]


def load_conversations(path: Path = CONVERSATIONS) -> list[Conversation]:
    return [Conversation.model_validate(row) for row in _jsonl(path)]


PROPOSALS = Path(__file__).parent / "proposals.jsonl"


class Proposal(BaseModel):
    """A proposal in staff's words, labelled with the plan goals a reviewer says it serves (best first)."""

    id: str
    split: Literal["dev", "test"]
    kind: Literal["short", "paragraph", "site-plan"]
    text: str
    goals: list[str]  # goal ids of ingest/framework.py; empty: it serves no goal of the plan
    note: str = ""


def load_proposals(path: Path = PROPOSALS) -> list[Proposal]:
    return [Proposal(**row) for row in _jsonl(path)]
