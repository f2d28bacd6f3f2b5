"""Parents' thumbs up/down on answers, kept in one SQLite file in the data folder (stdlib sqlite3).

A connection per call: writes are rare (a click), and sqlite3 connections must not cross the
threads FastAPI runs sync routes on.

Anyone may post feedback, so the store is bounded: rows older than `retention_days` are deleted as
new ones come in, and past `max_bytes` of rows nothing more is stored (FeedbackFull, a 503 that
says so) until old rows age out. How often one address may post is the API's rate limit. What a
comment holds is a stranger's text: `printable` escapes control characters before a terminal
shows it (an ESC sequence could rewrite the operator's screen).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import unicodedata
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from assistant.errors import FeedbackFull, FeedbackUnavailable
from assistant.schemas import FeedbackRequest

log = logging.getLogger(__name__)

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
);
CREATE INDEX IF NOT EXISTS feedback_time ON feedback (time);
"""


class FeedbackStore:
    def __init__(self, path: Path, retention_days: int = 365, max_bytes: int = 50_000_000) -> None:
        self.path = path
        self.retention = timedelta(days=retention_days)
        self.max_bytes = max_bytes

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        connection.row_factory = sqlite3.Row
        connection.executescript(_SCHEMA)
        return connection

    def add(self, item: FeedbackRequest, now: datetime | None = None) -> int:
        """Store one rating; returns its id. Rows past the retention period go first."""
        now = now or datetime.now(UTC)
        when = now.isoformat(timespec="seconds")
        cited = json.dumps([c.model_dump() for c in item.citations])
        try:
            with closing(self._connect()) as db, db:  # the inner `db` commits the delete and the insert
                oldest = (now - self.retention).isoformat(timespec="seconds")
                db.execute("DELETE FROM feedback WHERE time < ?", (oldest,))
                if _used_bytes(db) >= self.max_bytes:
                    log.warning("feedback store %s is full (%d bytes): a rating was refused", self.path, self.max_bytes)
                    raise FeedbackFull("feedback is not being taken right now: the store is full; its operator is told")
                row = db.execute(
                    "INSERT INTO feedback (time, question, answer, lang, rating, comment, grounded, citations)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (when, item.question, item.answer, item.lang, item.rating, item.comment, item.grounded, cited),
                )
                return int(row.lastrowid or 0)
        except (OSError, sqlite3.Error) as error:  # a 503 the widget can report, not a 500
            # The cause and the path are for the operator's log; the client learns neither.
            log.error("feedback could not be stored in %s: %s: %s", self.path, type(error).__name__, error)
            raise FeedbackUnavailable("feedback could not be stored right now; the server's log says why") from error

    def all(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Stored ratings, oldest first; with `limit`, only the newest `limit` of them."""
        if not self.path.exists():
            return []
        try:
            with closing(self._connect()) as db:
                rows = db.execute(
                    "SELECT * FROM (SELECT * FROM feedback ORDER BY id DESC LIMIT ?) ORDER BY id",
                    (-1 if limit is None else limit,),
                ).fetchall()
            return [
                dict(row) | {"grounded": bool(row["grounded"]), "citations": json.loads(row["citations"])}
                for row in rows
            ]
        except (OSError, sqlite3.Error, ValueError) as error:  # the operator's own command: the path helps
            raise FeedbackUnavailable(f"the feedback file {self.path} cannot be read: {error}") from error


def _used_bytes(db: sqlite3.Connection) -> int:
    """Bytes held by rows: the file's pages less the free ones a delete left for reuse."""
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    free = db.execute("PRAGMA freelist_count").fetchone()[0]
    size = db.execute("PRAGMA page_size").fetchone()[0]
    return int((pages - free) * size)


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
