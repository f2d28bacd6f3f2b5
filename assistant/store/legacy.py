"""Carry the ratings of the old feedback file (data_dir/feedback.sqlite3, stdlib sqlite3, before
the question store) into the store's feedback table.

Run at every start-up and by `plan-assistant migrate`; each row is keyed by a digest of its
content, so a second run, or two servers running it at once, adds nothing twice. The old file is
only read: once `plan-assistant feedback` lists its ratings, it can be deleted.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assistant.store.database import Store
from assistant.store.models import Feedback
from assistant.store.scrub import scrub

_COLUMNS = ("time", "question", "answer", "lang", "rating", "comment", "grounded", "citations")


def _legacy_rows(path: Path) -> list[dict[str, object]]:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        db.row_factory = sqlite3.Row
        if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feedback'").fetchone():
            return []
        return [dict(row) for row in db.execute(f"SELECT {', '.join(_COLUMNS)} FROM feedback ORDER BY id")]


def _key(row: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps([row[c] for c in _COLUMNS], ensure_ascii=False).encode()).hexdigest()


def import_legacy_feedback(store: Store, path: Path) -> int:
    """Add the old file's ratings that the store does not hold yet; returns how many were added."""
    if not path.is_file():
        return 0
    rows = _legacy_rows(path)
    if not rows:
        return 0
    try:
        with store.session() as session:
            known = set(session.scalars(select(Feedback.legacy_key).where(Feedback.legacy_key.is_not(None))))
            new = [row for row in rows if _key(row) not in known]
            for row in new:
                session.add(
                    Feedback(
                        given_at=datetime.fromisoformat(str(row["time"])),
                        question=scrub(str(row["question"])),
                        answer=scrub(str(row["answer"])),
                        lang=str(row["lang"]),
                        rating=str(row["rating"]),
                        comment=scrub(str(row["comment"])),
                        grounded=bool(row["grounded"]),
                        citations=json.loads(str(row["citations"])),
                        legacy_key=_key(row),
                    )
                )
    except IntegrityError:  # another server imported the same rows a moment before
        return 0
    return len(new)
