"""Insights for the planning office: plain functions over the question store, each a table.

- questions asked by week and language;
- the share of questions answered / uncertain / not found;
- the questions the plans could not answer (not_found and uncertain), grouped into topics;
- thumbs-down with their comments;
- the plans' sections cited most.

GET /api/admin/insights/... (assistant/insights_api.py) serves them as JSON, `plan-assistant
insights` prints them and writes each as CSV. A report covers the last `weeks` weeks, whole
weeks from Monday 00:00 UTC, the current one included.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from assistant.embedding import Embedder
from assistant.schemas import Status
from assistant.store.database import Store
from assistant.store.models import Feedback, Question, QuestionCitation, as_utc
from assistant.topics import group_questions

UNANSWERED = ("not_found", "uncertain")
TOPIC_EXAMPLES = 5  # distinct questions shown per topic
TOP_SECTIONS = 25


class WeekCount(BaseModel):
    week: date = Field(description="The Monday the week starts on (UTC).")
    lang: str
    questions: int


class StatusShare(BaseModel):
    status: Status
    questions: int
    share: float = Field(description="Of all questions in the period, 0-1.")


class Topic(BaseModel):
    topic: str = Field(description="The topic's most central question.")
    questions: int = Field(description="Times a question of this topic was asked, repeats included.")
    distinct: int = Field(description="Distinct questions in the topic.")
    examples: list[str] = Field(description="Up to five of them, most central first.")


class ThumbsDown(BaseModel):
    time: datetime
    lang: str
    question: str
    comment: str
    grounded: bool
    cited: list[str] = Field(description='What the answer cited, e.g. "strategic-plan p.3".')


class CitedSection(BaseModel):
    doc_id: str
    section: str
    pages: list[int]
    citations: int = Field(description="Times an answer cited it.")


class InsightsReport(BaseModel):
    since: datetime = Field(description="Start of the period (UTC); it runs to now.")
    weeks: int
    questions: int = Field(description="Questions asked in the period.")
    by_week: list[WeekCount]
    statuses: list[StatusShare]
    unanswered_topics: list[Topic]
    thumbs_down: list[ThumbsDown]
    cited_sections: list[CitedSection]


def period_start(weeks: int, now: datetime | None = None) -> datetime:
    """Monday 00:00 UTC, `weeks - 1` weeks before the current week's."""
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    monday = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    return datetime.combine(monday, time(), tzinfo=UTC)


def questions_by_week(store: Store, since: datetime) -> list[WeekCount]:
    with store.session() as session:
        rows = session.execute(select(Question.asked_at, Question.lang).where(Question.asked_at >= since)).all()
    counts: Counter[tuple[date, str]] = Counter()
    for asked_at, lang in rows:
        day = as_utc(asked_at).date()
        counts[(day - timedelta(days=day.weekday()), lang)] += 1
    return [WeekCount(week=week, lang=lang, questions=n) for (week, lang), n in sorted(counts.items())]


def answer_statuses(store: Store, since: datetime) -> list[StatusShare]:
    """Every status, in the order answered, uncertain, not_found, with zeros shown."""
    with store.session() as session:
        query = select(Question.status, func.count()).where(Question.asked_at >= since).group_by(Question.status)
        counts = dict(session.execute(query).tuples().all())
    total = sum(counts.values())
    shares = []
    for status in get_args(Status):
        n = counts.get(status, 0)
        shares.append(StatusShare(status=status, questions=n, share=round(n / total, 4) if total else 0.0))
    return shares


def unanswered_topics(store: Store, since: datetime, embedder: Embedder, distance: float) -> list[Topic]:
    with store.session() as session:
        query = select(Question.text).where(Question.asked_at >= since, Question.status.in_(UNANSWERED))
        texts = list(session.scalars(query))
    return [
        Topic(topic=g.name, questions=g.count, distinct=len(g.questions), examples=g.questions[:TOPIC_EXAMPLES])
        for g in group_questions(texts, embedder, distance)
    ]


def thumbs_down(store: Store, since: datetime) -> list[ThumbsDown]:
    """Newest first."""
    with store.session() as session:
        query = select(Feedback).where(Feedback.rating == "down", Feedback.given_at >= since)
        rows = list(session.scalars(query.order_by(Feedback.given_at.desc(), Feedback.id.desc())))
    return [
        ThumbsDown(
            time=as_utc(row.given_at),
            lang=row.lang,
            question=row.question,
            comment=row.comment,
            grounded=row.grounded,
            cited=[c["doc_id"] + (f" p.{c['page']}" if c.get("page") else "") for c in row.citations],
        )
        for row in rows
    ]


def cited_sections(store: Store, since: datetime, limit: int = TOP_SECTIONS) -> list[CitedSection]:
    """The sections answers cited most, with the pages they were cited at."""
    with store.session() as session:
        query = (
            select(QuestionCitation.doc_id, QuestionCitation.section, QuestionCitation.page, func.count())
            .join(Question)
            .where(Question.asked_at >= since)
            .group_by(QuestionCitation.doc_id, QuestionCitation.section, QuestionCitation.page)
        )
        rows = session.execute(query).tuples().all()
    counts: Counter[tuple[str, str]] = Counter()
    pages: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    for doc_id, section, page, n in rows:
        counts[(doc_id, section)] += n
        if page is not None:
            pages[(doc_id, section)].add(page)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [
        CitedSection(doc_id=doc_id, section=section, pages=sorted(pages[(doc_id, section)]), citations=n)
        for (doc_id, section), n in ranked
    ]


def build_report(
    store: Store, embedder: Embedder, distance: float, weeks: int, now: datetime | None = None
) -> InsightsReport:
    since = period_start(weeks, now)
    statuses = answer_statuses(store, since)
    return InsightsReport(
        since=since,
        weeks=weeks,
        questions=sum(s.questions for s in statuses),
        by_week=questions_by_week(store, since),
        statuses=statuses,
        unanswered_topics=unanswered_topics(store, since, embedder, distance),
        thumbs_down=thumbs_down(store, since),
        cited_sections=cited_sections(store, since),
    )


# The report's tables, each written to <name>.csv.
TABLES = ("by_week", "statuses", "unanswered_topics", "thumbs_down", "cited_sections")
_MODELS: dict[str, type[BaseModel]] = {
    "by_week": WeekCount,
    "statuses": StatusShare,
    "unanswered_topics": Topic,
    "thumbs_down": ThumbsDown,
    "cited_sections": CitedSection,
}


def table_rows(report: InsightsReport, table: str) -> tuple[list[str], list[dict[str, Any]]]:
    """A table's column names and its rows as strings, lists joined by " | " (for CSV and the terminal)."""
    columns = list(_MODELS[table].model_fields)
    rows = []
    for item in getattr(report, table):
        values = item.model_dump(mode="json")
        rows.append({k: " | ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in values.items()})
    return columns, rows


def write_csv(report: InsightsReport, folder: Path) -> list[Path]:
    """One UTF-8 CSV file per table in `folder` (created); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        columns, rows = table_rows(report, table)
        path = folder / f"{table}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written
