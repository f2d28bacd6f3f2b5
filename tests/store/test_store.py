"""The question store on SQLite and on a real PostgreSQL server: migrations, the questions log,
retention, feedback, the old feedback file carried over, and a database that is down."""

from __future__ import annotations

import json
import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import SecretStr
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from assistant.errors import FeedbackUnavailable, StoreUnavailable
from assistant.feedback import FeedbackStore
from assistant.schemas import Answer, Citation, FeedbackRequest
from assistant.settings import Settings
from assistant.store.database import Store, database_url, open_store
from assistant.store.legacy import import_legacy_feedback
from assistant.store.models import Base, Feedback, Question, QuestionCitation
from assistant.store.questions import AskedQuestion, QuestionRecorder, add_questions, prepare, prune
from tests.conftest import free_port, make_settings

NOW = datetime(2026, 5, 6, 12, 0, tzinfo=UTC)


def _answer(status: str = "answered", cited: int = 2, lang: str = "en") -> Answer:
    citations = [
        Citation(
            n=n,
            doc_id="strategic-plan",
            title="PUSD Strategic Plan 2016-2020",
            page=n + 1,
            section=f"STRATEGIC PRIORITIES > Priority {n}",
            text="verbatim",
            url=f"/corpus/plan.pdf#page={n + 1}",
            score=0.5,
        )
        for n in range(1, cited + 1)
    ]
    grounded = status == "answered"
    return Answer(answer="text", lang=lang, status=status, grounded=grounded, confidence=0.81, citations=citations)  # type: ignore[arg-type]


def _rating(**changes: object) -> FeedbackRequest:
    fields: dict[str, object] = {
        "question": "Will my kid learn to handle money? I'm at ana@example.org",
        "answer": 'Here is what the plans say: "financial literacy" [1]',
        "lang": "en",
        "rating": "down",
        "comment": "  Not what I asked, call me on (626) 555-0199  ",
        "grounded": True,
        "citations": [{"doc_id": "strategic-plan", "page": 3}, {"doc_id": "planning-for-the-future", "page": None}],
    }
    return FeedbackRequest.model_validate(fields | changes)


def test_the_migrations_make_exactly_the_tables_the_models_describe(store_settings: Settings) -> None:
    store = open_store(store_settings)
    store.ready()
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert {"questions", "question_citations", "feedback", "alembic_version"} <= set(
            inspect(connection).get_table_names()
        )
    store.ready()  # a second start-up finds nothing to do


def test_a_question_is_kept_with_its_outcome_and_citations_and_no_address(store_settings: Settings) -> None:
    store = open_store(store_settings)
    asked = AskedQuestion.of("When is the bus? Text me at 626-555-0123", _answer(), follow_up=True, now=NOW)
    add_questions(store, [asked, AskedQuestion.of("¿Y el almuerzo?", _answer("not_found", 0, "es"), False, NOW)])
    with store.session() as session:
        first, second = session.scalars(select(Question).order_by(Question.id)).all()
        assert (first.text, first.lang, first.status, first.confidence, first.follow_up) == (
            "When is the bus? Text me at [phone]",
            "en",
            "answered",
            0.81,
            True,
        )
        assert [(c.n, c.doc_id, c.page, c.section) for c in first.citations] == [
            (1, "strategic-plan", 2, "STRATEGIC PRIORITIES > Priority 1"),
            (2, "strategic-plan", 3, "STRATEGIC PRIORITIES > Priority 2"),
        ]
        assert (second.lang, second.status, second.follow_up, second.citations) == ("es", "not_found", False, [])
        columns = {column.name for column in Question.__table__.columns}
    assert not {"ip", "ip_address", "client", "user_agent"} & columns


def test_rows_older_than_the_retention_period_are_deleted(store_settings: Settings) -> None:
    store = open_store(store_settings)
    old, recent = NOW - timedelta(days=31), NOW - timedelta(days=29)
    add_questions(
        store, [AskedQuestion.of("old", _answer(), False, old), AskedQuestion.of("new", _answer(), False, recent)]
    )
    feedback = FeedbackStore(store)
    feedback.add(_rating(), now=old)
    feedback.add(_rating(), now=recent)
    assert prune(store, retention_days=30, now=NOW) == 2  # one question, one rating
    with store.session() as session:
        assert session.scalars(select(Question.text)).all() == ["new"]
        assert session.scalar(select(func.count()).select_from(QuestionCitation)) == 2  # the old one's went too
        assert session.scalar(select(func.count()).select_from(Feedback)) == 1


def test_feedback_is_stored_scrubbed_and_listed_oldest_first(store_settings: Settings) -> None:
    feedback = FeedbackStore(open_store(store_settings))
    assert feedback.all() == []
    given = datetime.now(UTC).replace(hour=12, minute=30, second=15, microsecond=123) - timedelta(days=1)
    first = feedback.add(_rating(), now=given)  # within the retention period: older ones go as new ones come
    second = feedback.add(_rating(rating="up", comment="", lang="es", citations=[]))
    assert second > first
    listed = feedback.all()
    assert listed[0] == {
        "id": first,
        "time": given.replace(microsecond=0).isoformat(),
        "question": "Will my kid learn to handle money? I'm at [email]",
        "answer": 'Here is what the plans say: "financial literacy" [1]',
        "lang": "en",
        "rating": "down",
        "comment": "Not what I asked, call me on [phone]",  # trimmed, scrubbed
        "grounded": True,
        "citations": [{"doc_id": "strategic-plan", "page": 3}, {"doc_id": "planning-for-the-future", "page": None}],
    }
    assert [row["id"] for row in feedback.all(limit=1)] == [second]


OLD_SCHEMA = """
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,
    lang TEXT NOT NULL, rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), comment TEXT NOT NULL,
    grounded INTEGER NOT NULL, citations TEXT NOT NULL
)
"""


def _old_feedback_file(path: Path) -> None:
    """The feedback file as assistant/feedback.py wrote it before the store (same schema and values)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute(OLD_SCHEMA)
        rows = [
            ("2026-04-01T09:00:00+00:00", "What is the mission?", "The mission ... [1]", "en", "up", "", 1,
             json.dumps([{"doc_id": "strategic-plan", "page": 1}])),
            ("2026-04-02T10:15:00+00:00", "¿Hay autobús?", "No está en los planes.", "es", "down",
             "Necesito saber, mi número es 626 555 0123", 0, "[]"),
        ]  # fmt: skip
        db.executemany(
            "INSERT INTO feedback (time, question, answer, lang, rating, comment, grounded, citations)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def test_the_old_feedback_files_rows_are_carried_over_once(store_settings: Settings) -> None:
    _old_feedback_file(store_settings.feedback_path)
    store = open_store(store_settings)
    prepare(store, store_settings.model_copy(update={"retention_days": 3650}))  # what start-up does
    assert import_legacy_feedback(store, store_settings.feedback_path) == 0  # a second start-up adds nothing
    rows = FeedbackStore(store).all()
    assert [(r["time"], r["rating"], r["lang"], r["grounded"]) for r in rows] == [
        ("2026-04-01T09:00:00+00:00", "up", "en", True),
        ("2026-04-02T10:15:00+00:00", "down", "es", False),
    ]
    assert rows[0]["citations"] == [{"doc_id": "strategic-plan", "page": 1}]
    assert rows[1]["comment"] == "Necesito saber, mi número es [phone]"


def test_the_default_database_is_a_file_in_the_data_folder(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    assert database_url(settings).database == str((tmp_path / "data" / "plan-assistant.sqlite3").resolve())
    url = database_url(settings.model_copy(update={"database_url": SecretStr("postgresql://u:secret@db/plans")}))
    assert url.drivername == "postgresql+psycopg"  # psycopg 3, not SQLAlchemy's default psycopg2
    assert "secret" not in Store(url).describe()


def _down(tmp_path: Path) -> Settings:
    """A PostgreSQL URL on a loopback port nothing listens on."""
    return make_settings(tmp_path / "data", database_url=SecretStr(f"postgresql://plan@127.0.0.1:{free_port()}/x"))


def test_a_database_that_is_down_is_a_503_error(tmp_path: Path) -> None:
    store = open_store(_down(tmp_path))
    with pytest.raises(StoreUnavailable) as raised:
        store.ready()
    assert (raised.value.status, raised.value.code) == (503, "store_unavailable")
    with pytest.raises(FeedbackUnavailable) as unavailable:
        FeedbackStore(store).add(_rating())
    assert unavailable.value.status == 503 and unavailable.value.code == "feedback_unavailable"


def test_an_unwritable_data_folder_is_a_503_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the data folder should be")
    with pytest.raises(FeedbackUnavailable):
        FeedbackStore(open_store(make_settings(tmp_path / "data"))).add(_rating())


def test_the_recorder_logs_a_database_that_is_down_and_never_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = QuestionRecorder(_down(tmp_path))
    with caplog.at_level(logging.WARNING, logger="assistant.store.questions"):
        recorder.record("When is the bus?", _answer(), follow_up=False)  # returns at once
        assert recorder.flush(timeout=30)
    assert recorder.dropped == 1
    assert "not recorded" in caplog.text


def test_the_recorder_drops_what_does_not_fit_its_queue(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", record_queue_size=1)
    recorder = QuestionRecorder(settings)
    for _ in range(200):
        recorder.record("When is the bus?", _answer(), follow_up=False)
    assert recorder.flush()
    with recorder.store.session() as session:
        kept = session.scalar(select(func.count()).select_from(Question))
    assert kept is not None and kept + recorder.dropped == 200 and recorder.dropped > 0


def test_databases_migrated_from_several_threads_at_once_all_get_their_tables(tmp_path: Path) -> None:
    # A recorder thread and a request can migrate two databases at once (two data folders
    # in one process, as the tests have); Alembic's module-level state must not mix them up.
    stores = [Store(make_url(f"sqlite:///{tmp_path / f'db{n}.sqlite3'}")) for n in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda store: store.ready(), stores))
    for store in stores:
        assert {"questions", "feedback"} <= set(inspect(store.engine).get_table_names())
