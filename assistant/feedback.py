"""Parents' thumbs up/down on answers, kept in the question store's feedback table (SQLite in the
data folder by default, PostgreSQL when PLAN_ASSISTANT_DATABASE_URL is set; assistant/store/).

The question, answer and comment are scrubbed of e-mail addresses and phone numbers before they
are stored (docs/privacy.md). Anyone may post feedback, so the store is bounded: rows older than
`retention_days` are deleted as new ones come in, and past `max_rows` nothing more is stored
(FeedbackFull, a 503 that says so) until old rows age out. How often one address may post is the
API's rate limit. What a comment holds is a stranger's text: `printable` escapes control
characters before a terminal shows it (an ESC sequence could rewrite the operator's screen).
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from assistant.errors import FeedbackFull, FeedbackUnavailable, StoreUnavailable
from assistant.schemas import FeedbackRequest
from assistant.store.database import Store
from assistant.store.models import Feedback, as_utc
from assistant.store.scrub import scrub

log = logging.getLogger(__name__)


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
    def __init__(self, store: Store, retention_days: int = 180, max_rows: int = 100_000) -> None:
        self.store = store
        self.retention = timedelta(days=retention_days)
        self.max_rows = max_rows

    def add(self, item: FeedbackRequest, now: datetime | None = None) -> int:
        """Store one rating; returns its id. Rows past the retention period go first."""
        now = (now or datetime.now(UTC)).replace(microsecond=0)
        row = Feedback(
            given_at=now,
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
                session.execute(delete(Feedback).where(Feedback.given_at < now - self.retention))
                if (session.scalar(select(func.count()).select_from(Feedback)) or 0) >= self.max_rows:
                    log.warning(
                        "feedback store %s is full (%d rows): a rating was refused",
                        self.store.describe(),
                        self.max_rows,
                    )
                    raise FeedbackFull("feedback is not being taken right now: the store is full; its operator is told")
                session.add(row)
                session.flush()  # assigns the id
                return row.id
        except StoreUnavailable as error:  # a 503 the widget can report, not a 500
            # The cause and the database are for the operator's log; the client learns neither.
            log.error("feedback could not be stored: %s", error.message)
            raise FeedbackUnavailable("feedback could not be stored right now; the server's log says why") from error

    def all(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Stored ratings, oldest first; with `limit`, only the newest `limit` of them."""
        query = select(Feedback).order_by(Feedback.id.desc())
        if limit is not None:
            query = query.limit(limit)
        try:
            with self.store.session() as session:
                rows = list(session.scalars(query))
        except StoreUnavailable as error:  # the operator's own command: where and why help
            raise FeedbackUnavailable(f"the feedback cannot be read: {error.message}") from error
        return [feedback_row(row) for row in reversed(rows)]


# Controls (C0, DEL, C1), format characters (bidi overrides, zero-width) and line separators.
_HIDDEN = {"Cc", "Cf", "Zl", "Zp"}


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    """`text` with every control or invisible formatting character shown as an escape (ESC -> \\x1b)."""
    return "".join(_escape(c) if unicodedata.category(c) in _HIDDEN else c for c in text)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON writes a character past the BMP as its UTF-16 surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def printable_json(text: str) -> str:
    """JSON from json.dumps(..., ensure_ascii=False) with the characters it leaves raw that a terminal
    acts on (C1 controls, bidi overrides) written as \\uXXXX escapes: the JSON means the same. Below
    0x20 json.dumps has escaped every one already, so what is left there is the layout's newlines."""
    return "".join(_json_escape(c) if ord(c) >= 0x7F and unicodedata.category(c) in _HIDDEN else c for c in text)
