"""Parents' thumbs up/down on answers, kept in the question store's feedback table (SQLite in the
data folder by default, PostgreSQL when PLAN_ASSISTANT_DATABASE_URL is set; assistant/store/).

The question, answer and comment are scrubbed of e-mail addresses and phone numbers before they
are stored (docs/privacy.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from assistant.errors import FeedbackUnavailable, StoreUnavailable
from assistant.schemas import FeedbackRequest
from assistant.store.database import Store
from assistant.store.models import Feedback, as_utc
from assistant.store.scrub import scrub


def feedback_row(row: Feedback) -> dict[str, Any]:
    """A stored rating as `plan-assistant feedback --json` and the insights show it."""
    return {
        "id": row.id,
        "time": as_utc(row.given_at).isoformat(timespec="seconds"),
        "question": row.question,
        "answer": row.answer,
        "lang": row.lang,
        "rating": row.rating,
        "comment": row.comment,
        "grounded": row.grounded,
        "citations": row.citations,
    }


class FeedbackStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, item: FeedbackRequest, now: datetime | None = None) -> int:
        """Store one rating; returns its id."""
        row = Feedback(
            given_at=(now or datetime.now(UTC)).replace(microsecond=0),
            question=scrub(item.question),
            answer=scrub(item.answer),
            lang=item.lang,
            rating=item.rating,
            comment=scrub(item.comment),
            grounded=item.grounded,
            citations=[c.model_dump() for c in item.citations],
        )
        try:
            with self.store.session() as session:
                session.add(row)
                session.flush()  # assigns the id
                return row.id
        except StoreUnavailable as error:  # a 503 the widget can report, not a 500
            raise FeedbackUnavailable(f"feedback could not be stored: {error.message}") from error

    def all(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Stored ratings, oldest first; with `limit`, only the newest `limit` of them."""
        query = select(Feedback).order_by(Feedback.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.store.session() as session:
            rows = list(session.scalars(query))
        return [feedback_row(row) for row in reversed(rows)]
