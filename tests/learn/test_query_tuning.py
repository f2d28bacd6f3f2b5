"""Building the tuned question sides (learn/query_tuning.py) from settings that ask for them."""

from pathlib import Path

import pytest

import learn.query_tuning
from assistant.settings import Settings
from evals.districts import load_district_sets
from learn.examples import TRAINING


class _Read(Exception):
    pass


def test_the_districts_are_read_by_the_bundled_models_alone(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Settings that ask for the tuned sides must not ask for them again while they are being
    built: each training district's assistant would build the same folder, inside itself."""
    seen: list[float] = []

    def district_assistant(district, settings, embedders, work):  # type: ignore[no-untyped-def]
        seen.append(settings.tuned_question_weight)
        raise _Read

    monkeypatch.setattr(learn.query_tuning, "district_assistant", district_assistant)
    settings = Settings(data_dir=tmp_path, tuned_question_weight=0.5)
    with pytest.raises(_Read):
        learn.query_tuning.tune(settings, {}, load_district_sets(TRAINING)[:1], tmp_path / "work", tmp_path / "out")
    assert seen == [0.0]
