"""The collection records its embedding model; another model is refused with a clear error."""

from pathlib import Path

import numpy as np
import pytest

from assistant.errors import EmbeddingModelMismatch, IndexNotReady
from assistant.index.store import PassageIndex, Record, make_client
from tests.conftest import make_settings


def test_querying_with_another_model_is_a_clear_error(tmp_path: Path) -> None:
    client = make_client(make_settings(tmp_path))
    built = PassageIndex(client, "passages-test", "model-a")
    record = Record("r1", "text", "text", {"kind": "chunk"})
    built.create({})
    built.add([record], np.ones((1, 3), dtype=np.float32))
    with pytest.raises(EmbeddingModelMismatch, match="model-a") as error:
        PassageIndex(client, "passages-test", "model-b").collection()
    assert error.value.status == 409
    assert "ingest --rebuild" in error.value.message


def test_an_empty_index_is_not_ready(tmp_path: Path) -> None:
    index = PassageIndex(make_client(make_settings(tmp_path)), "passages-empty", "model-a")
    with pytest.raises(IndexNotReady):
        index.collection()


@pytest.mark.parametrize(
    "question",
    ["What is PUSD's mission?", "What are the strategic priorities?", "¿Cuál es la visión del distrito?"],
)
def test_dense_search_in_memory_and_by_chroma_rank_alike(question: str, built_settings, embedders) -> None:  # type: ignore[no-untyped-def]
    """Past in_memory_passage_limit Chroma's HNSW answers: on PUSD's plans it ranks as the matrix does."""
    from assistant.service import PlanAssistant

    in_memory = PlanAssistant(built_settings, embedders)
    by_chroma = PlanAssistant(built_settings.model_copy(update={"in_memory_passage_limit": 0}), embedders)
    assert in_memory.retriever.state.in_memory and not by_chroma.retriever.state.in_memory
    first, second = in_memory.search(question), by_chroma.search(question)
    assert [p.id for p in first.passages[:3]] == [p.id for p in second.passages[:3]]
