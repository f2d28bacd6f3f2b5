"""Parents' thumbs up/down on answers, kept in one SQLite file in the data folder (stdlib sqlite3).

A connection per call: writes are rare (a click), and sqlite3 connections must not cross the
threads FastAPI runs sync routes on.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.errors import FeedbackUnavailable
from assistant.schemas import FeedbackRequest

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,          -- UTC, ISO 8601
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    lang TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL,
    grounded INTEGER NOT NULL,
    citations TEXT NOT NULL      -- JSON list of {"doc_id", "page"}
)
"""


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        connection.row_factory = sqlite3.Row
        connection.execute(_SCHEMA)
        return connection

    def add(self, item: FeedbackRequest, now: datetime | None = None) -> int:
        """Store one rating; returns its id."""
        when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
        cited = json.dumps([c.model_dump() for c in item.citations])
        try:
            with closing(self._connect()) as db, db:  # the inner `db` commits the insert
                row = db.execute(
                    "INSERT INTO feedback (time, question, answer, lang, rating, comment, grounded, citations)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (when, item.question, item.answer, item.lang, item.rating, item.comment, item.grounded, cited),
                )
                return int(row.lastrowid or 0)
        except (OSError, sqlite3.Error) as error:  # a 503 the widget can report, not a 500
            raise FeedbackUnavailable(f"feedback could not be stored in {self.path}: {error}") from error

    def all(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Stored ratings, oldest first; with `limit`, only the newest `limit` of them."""
        if not self.path.exists():
            return []
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT * FROM (SELECT * FROM feedback ORDER BY id DESC LIMIT ?) ORDER BY id",
                (-1 if limit is None else limit,),
            ).fetchall()
        return [
            dict(row) | {"grounded": bool(row["grounded"]), "citations": json.loads(row["citations"])} for row in rows
        ]
