"""The HTTP contract (and the CLI's --json): request and reply models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

MAX_QUESTION_CHARS = 2000


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_QUESTION_CHARS * 4)


class AskRequest(BaseModel):
    """A question, with earlier turns of the conversation if there were any."""

    question: str = Field(
        min_length=1,
        max_length=MAX_QUESTION_CHARS,
        description="The question, 1 to 2,000 characters, not all blank.",
        json_schema_extra={"pattern": r"\S"},  # the contract says what _not_blank refuses (issue 22)
    )
    history: list[Turn] = Field(
        default_factory=list,
        max_length=40,
        description="Earlier turns, oldest first; follow-ups ('and what about facilities?') are read in their light.",
    )
    lang: Literal["en", "es"] | None = Field(
        default=None, description="Answer in this language; by default the question's language is detected."
    )

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty: type a question about the district's plans")
        return value.strip()


class TranslatedPassage(BaseModel):
    """The cited passage in the reader's language, from a translation in the corpus."""

    doc_id: str
    title: str
    label: str = Field(description='How the translation is labelled, e.g. "Traducción no oficial".')
    page: int | None
    section: str
    text: str = Field(description="The passage, verbatim from the translated document at that page.")
    url: str


class Citation(BaseModel):
    n: int = Field(description="The marker [n] that points here from the answer.")
    doc_id: str
    title: str
    page: int | None = Field(description="Page in the published PDF; null for web pages.")
    section: str = Field(description="Heading path, outermost first, joined by ' > '.")
    text: str = Field(description="The passage, verbatim from the document at that page.")
    url: str = Field(description="Opens the source at that page (PDF) or section (web page).")
    score: float = Field(description="Cosine similarity of the question to the passage, 0-1.")
    translation: TranslatedPassage | None = Field(
        default=None, description="In a Spanish reply: the same passage in the corpus's Spanish translation."
    )


Status = Literal["answered", "uncertain", "not_found"]


class Answer(BaseModel):
    answer: str
    lang: Literal["en", "es"] = "en"
    status: Status = Field(
        description="answered: the plans answer this, the answer leads with it; uncertain: the closest passages, "
        "which may not answer the question; not_found: the plans do not answer, the reply says where to ask."
    )
    grounded: bool = Field(description="False when the plans do not answer: the reply says so and cites nothing.")
    confidence: float = Field(ge=0, le=1, description="Calibrated probability that the plans answer the question.")
    citations: list[Citation] = Field(default_factory=list)


class ErrorReply(BaseModel):
    error: str
    message: str


MAX_PROPOSAL_CHARS = 20_000


class AlignRequest(BaseModel):
    """A proposal, a paragraph up to a whole site plan."""

    text: str = Field(
        min_length=1,
        max_length=MAX_PROPOSAL_CHARS,
        description="The proposal, 1 to 20,000 characters, not all blank.",
        json_schema_extra={"pattern": r"\S"},  # the contract says what _not_blank refuses (issue 22)
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the proposal is empty: paste the text of the proposal or plan to check")
        return value


class FrameworkGoal(BaseModel):
    """One node of the plan framework, as the documents state it."""

    goal_id: str
    role: Literal["framework", "group", "goal"]
    title: str
    framework: str = Field(description="The framework's heading, verbatim, e.g. 'STRATEGIC PRIORITIES'.")
    parent: str | None = Field(description="The group or framework it belongs to; null for a framework.")
    doc_id: str
    page: int | None
    section: str
    text: list[str] = Field(description="Its own paragraphs, verbatim.")
    points: list[str] = Field(description="Its list items, verbatim.")
    url: str = Field(description="Opens the source at that page (PDF) or section (web page).")


class Framework(BaseModel):
    goals: list[FrameworkGoal] = Field(description="Frameworks, groups and goals; parents before children.")


class InputPart(BaseModel):
    n: int = Field(description="Parts are numbered from 1 in reading order.")
    start: int = Field(description="Character offset of the part in the input.")
    end: int
    excerpt: str = Field(description="The part's first words.")


# Where a goal sits, in the plan's words, for people to read (goal_id and parent are for programs).
_GROUP = "The title of the group the goal sits in within its framework (e.g. 'Skills and Knowledge'); null when none."
_DOCUMENT = "The title of the document that states the goal."


class AlignedGoal(BaseModel):
    goal_id: str
    title: str
    framework: str
    parent: str | None
    verdict: Literal["aligned", "partial"]
    score: float = Field(
        description="How far the goal stands out from the rest for the best-matching part; see AlignReply.scale."
    )
    parts: list[int] = Field(description="The parts of the input (see `parts`) that match the goal, best first.")
    evidence: list[Citation] = Field(description="The goal's own words nearest the proposal, verbatim and cited.")
    group: str | None = Field(description=_GROUP)
    document: str = Field(description=_DOCUMENT)


class NamedGoal(BaseModel):
    """A goal as the plan names it, with where it sits."""

    goal_id: str
    title: str
    framework: str
    group: str | None = Field(description=_GROUP)
    document: str = Field(description=_DOCUMENT)
    page: int | None = Field(description="Page in the published PDF; null for web pages.")


class ScoreScale(BaseModel):
    """What a score means. A goal's score is how far its closest statement stands out, in cosine
    similarity, above the typical goal's for the same part of the proposal (0: no closer than an
    ordinary goal), plus a bonus when the proposal uses a staff term that names the goal."""

    aligned: float = Field(description="From this score a goal is 'aligned': a strong match.")
    partial: float = Field(description="From this score up to `aligned`, 'partial': some match.")
    near: float = Field(description="From this score up to `partial`, close but not addressed: a weak match.")
    term_bonus: float = Field(description="Added to a goal's score when the proposal uses a staff term naming it.")


class AlignReply(BaseModel):
    goals: list[AlignedGoal] = Field(description="Goals the proposal serves, strongest first.")
    not_addressed: list[str] = Field(
        description="Goals close to the proposal that it does not reach: what a reviewer would look for next."
    )
    summary: str
    parts: list[InputPart]
    not_addressed_goals: list[NamedGoal] = Field(
        description="The goals of `not_addressed`, in the same order, named as the plan names them."
    )
    scale: ScoreScale = Field(description="The score thresholds in force.")


MAX_COMMENT_CHARS = 1000


class CitedPage(BaseModel):
    doc_id: str = Field(min_length=1, max_length=200)
    page: int | None = Field(default=None, ge=1)


class FeedbackRequest(BaseModel):
    """A parent's thumbs up or down on one answer, with an optional comment."""

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    answer: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS * 10, description="The reply's answer text.")
    lang: Literal["en", "es"]
    rating: Literal["up", "down"]
    comment: str = Field(default="", max_length=MAX_COMMENT_CHARS, description="Optional, up to 1,000 characters.")
    grounded: bool
    citations: list[CitedPage] = Field(default_factory=list, max_length=20, description="What the answer cited.")

    @field_validator("comment")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return value.strip()


class FeedbackStored(BaseModel):
    id: int
    status: Literal["stored"] = "stored"
