"""The tables of the question store (SQLAlchemy 2). Their history is in migrations/versions/:
change a model here, then add a migration there (tests/store/test_migrations.py checks they agree).

Nothing here holds an IP address, a cookie or any other mark of who asked: a question is its
time, language, outcome and (scrubbed) words. See docs/privacy.md.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Float, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# SQLite makes only an INTEGER PRIMARY KEY an auto-increasing rowid; PostgreSQL gets 64 bits.
Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    # Named as the migrations name them, so PostgreSQL and SQLite agree with the models.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_name)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s",
        }
    )


class Question(Base):
    """One question asked through /api/ask or /api/ask/stream, and how it was answered."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)  # UTC
    lang: Mapped[str] = mapped_column(String(8))  # the reply's language
    status: Mapped[str] = mapped_column(String(16))  # answered | uncertain | not_found
    confidence: Mapped[float] = mapped_column(Float)
    follow_up: Mapped[bool]  # asked with earlier turns of a conversation
    text: Mapped[str] = mapped_column(Text)  # the question, scrubbed of e-mail addresses and phone numbers
    citations: Mapped[list[QuestionCitation]] = relationship(
        back_populates="question", cascade="all, delete-orphan", passive_deletes=True, order_by="QuestionCitation.n"
    )


class QuestionCitation(Base):
    """A passage the answer cited: where in the plans, not what it says (the corpus has that)."""

    __tablename__ = "question_citations"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    n: Mapped[int]
    doc_id: Mapped[str] = mapped_column(String(200))
    page: Mapped[int | None]
    section: Mapped[str] = mapped_column(Text)
    question: Mapped[Question] = relationship(back_populates="citations")


class Feedback(Base):
    """A parent's thumbs up or down on an answer (POST /api/feedback)."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)  # UTC
    question: Mapped[str] = mapped_column(Text)  # scrubbed
    answer: Mapped[str] = mapped_column(Text)  # scrubbed
    lang: Mapped[str] = mapped_column(String(8))
    rating: Mapped[str] = mapped_column(String(4))  # up | down
    comment: Mapped[str] = mapped_column(Text)  # scrubbed
    grounded: Mapped[bool]
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"doc_id", "page"}]
    # A row carried over from the old feedback.sqlite3: a digest of its content, so importing
    # the same file twice (or from two servers at once) adds each row once.
    legacy_key: Mapped[str | None] = mapped_column(String(64), unique=True)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored in UTC); PostgreSQL aware ones in its own zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
