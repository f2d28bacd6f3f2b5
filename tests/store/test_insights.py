"""The insights' tables over a store with known rows, on SQLite and PostgreSQL, and their CSV."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from assistant.embedding import Embedder
from assistant.feedback import FeedbackStore
from assistant.insights import (
    TABLES,
    answer_statuses,
    build_report,
    cited_sections,
    period_start,
    questions_by_week,
    thumbs_down,
    write_csv,
)
from assistant.insights_cli import print_report
from assistant.schemas import Answer, Citation, FeedbackRequest
from assistant.settings import Settings
from assistant.store.database import open_store
from assistant.store.questions import AskedQuestion, add_questions

NOW = datetime(2026, 5, 6, 15, 0, tzinfo=UTC)  # a Wednesday
MONDAY = date(2026, 5, 4)


def _cited(*sections: tuple[str, int]) -> list[Citation]:
    return [
        Citation(n=n, doc_id="strategic-plan", title="Plan", page=page, section=section, text="t", url="/u", score=0.5)
        for n, (section, page) in enumerate(sections, start=1)
    ]


def _answer(status: str, lang: str = "en", citations: list[Citation] | None = None) -> Answer:
    return Answer(
        answer="a", lang=lang, status=status, grounded=status == "answered", confidence=0.5, citations=citations or []
    )  # type: ignore[arg-type]


def _seed(settings: Settings) -> None:
    store = open_store(settings)
    parents = ("STRATEGIC PRIORITIES > Parent Engagement", 2)
    safety = ("STRATEGIC PRIORITIES > Safe Schools", 4)
    rows = [
        ("How can parents get involved?", _answer("answered", citations=_cited(parents, safety)), NOW),
        ("And volunteering?", _answer("answered", citations=_cited(parents)), NOW - timedelta(days=1)),
        ("¿Cómo participan los padres?", _answer("answered", "es", _cited(parents)), NOW - timedelta(days=2)),
        ("When is the school bus coming?", _answer("not_found"), NOW - timedelta(days=3)),  # Sunday, last week
        ("What is for lunch?", _answer("uncertain"), NOW - timedelta(days=9)),
        ("Too old for a 2-week report", _answer("not_found"), NOW - timedelta(days=16)),
    ]
    add_questions(store, [AskedQuestion.of(text, answer, False, when) for text, answer, when in rows])
    feedback = FeedbackStore(store)
    base = {"answer": "a", "lang": "en", "grounded": True, "citations": [{"doc_id": "strategic-plan", "page": 2}]}
    for rating, comment, when in [
        ("down", "Did not say when", NOW - timedelta(days=2)),
        ("up", "Great", NOW - timedelta(days=1)),
        ("down", "Wrong section, mail me at a@b.org", NOW - timedelta(hours=1)),
        ("down", "Too old to show", NOW - timedelta(days=20)),
    ]:
        item = FeedbackRequest.model_validate(
            base | {"question": "How can parents help?", "rating": rating, "comment": comment}
        )
        feedback.add(item, now=when)


def test_each_table_counts_what_the_store_holds(store_settings: Settings) -> None:
    _seed(store_settings)
    store = open_store(store_settings)
    since = period_start(2, NOW)
    assert since == datetime(2026, 4, 27, tzinfo=UTC)  # the Monday a week before this one
    assert [(w.week, w.lang, w.questions) for w in questions_by_week(store, since)] == [
        (MONDAY - timedelta(days=7), "en", 2),  # the bus on Sunday the 3rd and lunch on the 27th
        (MONDAY, "en", 2),
        (MONDAY, "es", 1),
    ]
    assert [(s.status, s.questions, s.share) for s in answer_statuses(store, since)] == [
        ("answered", 3, 0.6),
        ("uncertain", 1, 0.2),
        ("not_found", 1, 0.2),
    ]
    sections = cited_sections(store, since)
    assert [(s.section.split(" > ")[1], s.pages, s.citations) for s in sections] == [
        ("Parent Engagement", [2], 3),
        ("Safe Schools", [4], 1),
    ]
    down = thumbs_down(store, since)
    assert [d.comment for d in down] == ["Wrong section, mail me at [email]", "Did not say when"]  # newest first
    assert down[0].cited == ["strategic-plan p.2"]


def test_the_report_is_written_as_csv_and_read_back(
    tmp_path: Path, store_settings: Settings, embedders: dict[str, Embedder]
) -> None:
    _seed(store_settings)
    report = build_report(open_store(store_settings), embedders["minilm"], 0.6, weeks=2, now=NOW)
    assert report.questions == 5
    assert {t.topic for t in report.unanswered_topics} == {"When is the school bus coming?", "What is for lunch?"}
    written = write_csv(report, tmp_path / "csv")
    assert [path.name for path in written] == [f"{table}.csv" for table in TABLES]
    with (tmp_path / "csv" / "statuses.csv").open(encoding="utf-8", newline="") as file:
        assert list(csv.DictReader(file)) == [
            {"status": "answered", "questions": "3", "share": "0.6"},
            {"status": "uncertain", "questions": "1", "share": "0.2"},
            {"status": "not_found", "questions": "1", "share": "0.2"},
        ]
    with (tmp_path / "csv" / "thumbs_down.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["comment"] for row in rows] == ["Wrong section, mail me at [email]", "Did not say when"]
    with (tmp_path / "csv" / "by_week.csv").open(encoding="utf-8", newline="") as file:
        assert [row["week"] for row in csv.DictReader(file)] == ["2026-04-27", "2026-05-04", "2026-05-04"]

    console = Console(record=True, width=200)
    print_report(report, console)
    printed = console.export_text()
    assert "5 questions since 2026-04-27 (2 weeks)" in printed
    assert "Wrong section, mail me at [email]" in printed  # "[email]" is text, not rich markup


@pytest.mark.parametrize("weeks", [1, 3])
def test_the_period_starts_on_a_monday_in_utc(weeks: int) -> None:
    start = period_start(weeks, NOW)
    assert start.weekday() == 0 and start.time().hour == 0 and start.tzinfo == UTC
    assert start.date() == MONDAY - timedelta(weeks=weeks - 1)


def test_the_insights_and_migrate_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.insights_cli import insights, migrate
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "data")
    assert migrate(settings) == 0
    assert "plan-assistant.sqlite3: up to date" in capsys.readouterr().out
    add_questions(
        open_store(settings), [AskedQuestion.of("When does the bus come?", _answer("not_found"), False)]
    )  # now, so in any period
    console = Console(record=True, width=160)
    assert insights(settings, tmp_path / "out", weeks=1, console=console) == 0
    printed = console.export_text()
    assert "1 question since" in printed and "(1 week)" in printed and "When does the bus come?" in printed
    with (tmp_path / "out" / "unanswered_topics.csv").open(encoding="utf-8", newline="") as file:
        assert list(csv.DictReader(file)) == [
            {
                "topic": "When does the bus come?",
                "questions": "1",
                "distinct": "1",
                "examples": "When does the bus come?",
            }
        ]
