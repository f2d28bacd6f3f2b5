"""The Spanish -> English lexicon learned from the plans' translations (learn/lexicon.py), and a
Spanish question about a plan published only in English ranked by its translated keywords."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.embedding import Embedder
from assistant.service import PlanAssistant
from assistant.text.lexicon import Lexicon, spanish_to_english
from learn.lexicon import learn
from tests.conftest import ingest_with, make_settings


def test_words_that_keep_appearing_in_the_same_sentence_pairs_translate_each_other() -> None:
    pairs = [
        ("Every counselor supports families.", "Cada consejero apoya a las familias."),
        ("Counselors meet with students.", "Los consejeros se reúnen con los estudiantes."),
        ("Families read with students.", "Las familias leen con los estudiantes."),
    ]
    lexicon = learn(pairs)
    assert lexicon["consejer"] == ["counselor"]
    assert lexicon["famil"] == ["famili"] and lexicon["estudi"] == ["student"]
    assert "leen" not in lexicon  # seen once: chance as likely as translation
    assert Lexicon(lexicon).translate(["consejer", "lcap"]) == ["counselor", "lcap"]


def test_the_committed_lexicon_knows_the_plans_common_words() -> None:
    assert spanish_to_english().translate(["estudi", "salud", "apoy"]) == ["student", "health", "support"]


@pytest.mark.slow
def test_a_spanish_question_finds_a_passage_published_only_in_english_by_its_words(
    tmp_path: Path, embedders: dict[str, Embedder]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sections = [
        ("Counseling", "Every middle school will have two counselors for student health."),
        ("Facilities", "Every school will replace its roof and windows by 2030."),
        ("Transportation", "Buses will run every twenty minutes."),
        ("Meals", "Lunch menus will be posted a week ahead."),
        ("Arts", "Each school will offer music and theater."),
    ]
    (corpus / "wellness-plan.md").write_text(
        "# Wellness Plan\n\n" + "".join(f"## {heading}\n\n{text}\n\n" for heading, text in sections), encoding="utf-8"
    )
    settings = make_settings(tmp_path / "data", corpus)
    ingest_with(settings, embedders)
    assistant = PlanAssistant(settings, embedders)
    gathered = assistant.retriever.gather(
        assistant.read("¿Habrá consejeros para la salud de los estudiantes?", (), None)
    )
    first = gathered.state.passages[gathered.rankings["translated"][0]]
    assert "counselors" in first.text
    english = assistant.retriever.gather(assistant.read("Will there be counselors for student health?", (), None))
    assert "translated" not in english.rankings
