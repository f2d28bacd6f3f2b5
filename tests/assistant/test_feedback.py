"""The feedback store (stdlib sqlite3) and `plan-assistant feedback`, on a temporary data folder."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.cli import feedback
from assistant.errors import FeedbackUnavailable
from assistant.feedback import FeedbackStore
from assistant.schemas import FeedbackRequest
from tests.conftest import make_settings


def _rating(rating: str = "up", **changes: object) -> FeedbackRequest:
    fields: dict[str, object] = {
        "question": "Will my kid learn to handle money?",
        "answer": 'Here is what the plans say:\n- Life Skills: "Students will develop financial literacy" [1]',
        "lang": "en",
        "rating": rating,
        "comment": "  Clear, thanks!  ",
        "grounded": True,
        "citations": [{"doc_id": "strategic-plan", "page": 3}, {"doc_id": "planning-for-the-future", "page": None}],
    }
    return FeedbackRequest.model_validate(fields | changes)


def test_a_rating_is_stored_with_everything_the_issue_names(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "data" / "feedback.sqlite3")  # the folder is created on first write
    when = datetime(2026, 5, 4, 12, 30, tzinfo=UTC)
    assert store.add(_rating(), now=when) == 1
    (row,) = store.all()
    assert row == {
        "id": 1,
        "time": "2026-05-04T12:30:00+00:00",
        "question": "Will my kid learn to handle money?",
        "answer": _rating().answer,
        "lang": "en",
        "rating": "up",
        "comment": "Clear, thanks!",  # trimmed
        "grounded": True,
        "citations": [{"doc_id": "strategic-plan", "page": 3}, {"doc_id": "planning-for-the-future", "page": None}],
    }


def test_limit_keeps_the_newest_in_time_order(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    assert store.all() == []  # no file yet: nothing, and no file is created by reading
    assert not store.path.exists()
    for rating in ("up", "down", "down"):
        store.add(_rating(rating))
    assert [row["id"] for row in store.all(limit=2)] == [2, 3]


def test_an_unwritable_data_folder_is_a_503_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the data folder should be")
    with pytest.raises(FeedbackUnavailable) as raised:
        FeedbackStore(tmp_path / "data" / "feedback.sqlite3").add(_rating())
    assert raised.value.status == 503 and raised.value.code == "feedback_unavailable"


def test_cli_lists_feedback_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The table is read in tests/assistant/test_cli_output.py."""
    settings = make_settings(tmp_path)
    store = FeedbackStore(settings.feedback_path)
    store.add(_rating("up"))
    store.add(_rating("down", lang="es", grounded=False, citations=[], comment="No era lo que buscaba"))
    assert feedback(settings, as_json=True, limit=1) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["rating"] == "down" and row["grounded"] is False and row["lang"] == "es"
