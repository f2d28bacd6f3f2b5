"""The feedback store's bounds and `plan-assistant feedback` (issue 22, items 8 and 9): old rows deleted,
a maximum number of rows, control characters escaped when a comment is printed, a corrupt database
a one-line error. Real SQLite files; the CLI as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.cli import feedback
from assistant.errors import FeedbackFull
from assistant.feedback import FeedbackStore, printable
from assistant.schemas import FeedbackRequest
from assistant.store.database import SQLITE_FILE, open_store
from tests.conftest import make_settings

RATING = {"question": "How?", "answer": "Like this [1]", "lang": "en", "rating": "up", "grounded": True}
ESCAPES = "\x1b[2J\x1b]0;pwned\x07 red \x1b[31mtext\x1b[0m \x9b6n \u202egnp.exe"


def _rating(**changes: object) -> FeedbackRequest:
    return FeedbackRequest.model_validate(RATING | changes)


def test_rows_older_than_the_retention_period_are_deleted(tmp_path: Path) -> None:
    store = FeedbackStore(open_store(make_settings(tmp_path)), retention_days=30)
    now = datetime(2026, 5, 4, tzinfo=UTC)
    store.add(_rating(comment="old"), now=now - timedelta(days=31))
    store.add(_rating(comment="recent"), now=now - timedelta(days=29))
    store.add(_rating(comment="today"), now=now)
    assert [row["comment"] for row in store.all()] == ["recent", "today"]


def test_the_store_takes_at_most_its_rows_until_old_ones_age_out(tmp_path: Path) -> None:
    store = FeedbackStore(open_store(make_settings(tmp_path)), retention_days=30, max_rows=12)
    now = datetime(2026, 5, 4, tzinfo=UTC)
    with pytest.raises(FeedbackFull):
        for _ in range(100):
            store.add(_rating(comment="z" * 1000), now=now)
    stored = len(store.all())
    # A month later the old rows are gone and the store takes ratings.
    store.add(_rating(comment="new"), now=now + timedelta(days=31))
    assert stored == 12 and [row["comment"] for row in store.all()] == ["new"]


def test_the_cli_shows_control_characters_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(tmp_path)
    FeedbackStore(open_store(settings)).add(_rating(comment=ESCAPES, question="Why\x1b[8m hidden?"))
    assert feedback(settings, as_json=False) == 0
    table = capsys.readouterr().out
    assert "\x1b" not in table and "\x9b" not in table and "\u202e" not in table and "\x07" not in table
    assert "\\x1b[2J" in table and "\\u202e" in table
    assert feedback(settings, as_json=True) == 0
    listed = capsys.readouterr().out
    assert "\x1b" not in listed and "\x9b" not in listed and "\u202e" not in listed
    assert json.loads(listed)[0]["comment"] == ESCAPES.strip()  # the same text, escaped only on screen


def test_printable_leaves_ordinary_text_alone() -> None:
    text = "¿Cómo participan los padres? 家长 — “quotes” ✓"
    assert printable(text) == text


def test_a_corrupt_database_is_a_one_line_error_not_a_traceback(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / SQLITE_FILE).write_bytes(b"garbage, not SQLite" * 50)
    env = {"PLAN_ASSISTANT_DATA_DIR": str(data), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "feedback"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error (") and "not a database" in done.stderr
