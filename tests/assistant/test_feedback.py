"""`plan-assistant feedback` over the question store (the store itself: tests/store/test_store.py)."""

import json
from pathlib import Path

import pytest

from assistant.cli import feedback
from assistant.feedback import FeedbackStore
from assistant.schemas import FeedbackRequest
from assistant.store.database import open_store
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


def test_cli_lists_feedback_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(tmp_path)
    store = FeedbackStore(open_store(settings))
    store.add(_rating("up"))
    store.add(_rating("down", lang="es", grounded=False, citations=[], comment="No era lo que buscaba"))
    assert feedback(settings, as_json=True, limit=1) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["rating"] == "down" and row["grounded"] is False and row["lang"] == "es"
