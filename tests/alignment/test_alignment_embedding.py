"""How the aligner embeds a proposal (assistant/alignment.py: Aligner._embed and what it is given):
batches of like length, each text once, the same vectors as one text at a time; long parts whole.
Fake models and a fake index, so these run in milliseconds."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.align.aligner import Aligner
from assistant.index.state import DenseModel
from assistant.settings import Settings

GOALS = {"equity": "Equity", "staff": "Outstanding Staff"}


class FakeEmbedder:
    """A vector that depends on the text alone (so batching cannot change it); records every call."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim
        self.calls: list[list[str]] = []

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([self.embed_query(text) for text in texts], dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
        vector = np.random.default_rng(seed).normal(size=self.dim)
        return (vector / np.linalg.norm(vector)).astype(np.float32)


class FakeIndex:
    """The two goals, each with its title as its one statement, as ingest stores them."""

    def __init__(self, embedder: FakeEmbedder) -> None:
        self.embedder = embedder

    def load(self, kind: str, with_vectors: bool) -> dict:
        if kind == "goal":
            metadatas = [
                {
                    "goal_id": goal_id,
                    "role": "goal",
                    "title": title,
                    "framework_id": "values",
                    "framework": "VALUES",
                    "parent": "values",
                    "doc_id": "plan",
                    "doc_title": "Plan",
                    "page": 1,
                    "section": f"VALUES > {title}",
                    "url": "/corpus/plan.pdf#page=1",
                    "text": json.dumps([]),
                    "points": json.dumps([]),
                    "ordinal": n,
                }
                for n, (goal_id, title) in enumerate(GOALS.items())
            ]
            return {"metadatas": metadatas}
        units = [{"goal_id": goal_id, "position": 0} for goal_id in GOALS]
        return {"metadatas": units, "embeddings": [self.embedder.embed_query(title) for title in GOALS.values()]}


def _aligner(**settings: object) -> tuple[Aligner, dict[str, FakeEmbedder]]:
    embedders = {"minilm": FakeEmbedder("fake-minilm", 8), "use-m3": FakeEmbedder("fake-use", 6)}
    models = [DenseModel(key, FakeIndex(e), e) for key, e in embedders.items()]  # type: ignore[arg-type]
    aligner = Aligner(models, Settings(staff_terms_file=Path("no-glossary.toml"), **settings))  # type: ignore[arg-type]
    for embedder in embedders.values():
        embedder.calls.clear()
    return aligner, embedders


def test_each_text_is_embedded_once_in_batches_of_like_length_with_its_own_vector() -> None:
    aligner, embedders = _aligner(align_batch_chars=400)
    texts = ["x" * 300, "short one", "y" * 90, "short one", "z" * 100, "w" * 80]
    vectors = aligner._embed(texts)
    for model, matrix in zip(aligner._models, vectors):
        assert matrix.shape == (len(texts), embedders[model.key].dim)
        expected = np.array([embedders[model.key].embed_query(text) for text in texts])
        np.testing.assert_allclose(matrix, expected)  # in the input's order, repeats included
    for embedder in embedders.values():
        batches = embedder.calls
        assert sorted(text for batch in batches for text in batch) == sorted(set(texts))  # each text once
        # A batch's padded size (its longest text times its length) stays within the budget,
        # unless it is one text: the 300-character text is not batched with the short ones.
        assert all(len(batch) == 1 or max(map(len, batch)) * len(batch) <= 400 for batch in batches)
        assert ["x" * 300] in batches


def test_a_long_part_is_matched_whole_and_a_short_ones_sentences_one_by_one() -> None:
    aligner, embedders = _aligner(align_sentence_words=12)
    short = "Hire two counselors. They support students."
    aligner.align(short)
    embedded = {text for batch in embedders["minilm"].calls for text in batch}
    assert embedded == {short, "Hire two counselors.", "They support students."}

    embedders["minilm"].calls.clear()
    long = "Hire two counselors for the middle schools. They support students in crisis every single week."
    aligner.align(long)
    assert [text for batch in embedders["minilm"].calls for text in batch] == [long]


@pytest.mark.parametrize("threads", [1, 3])
def test_the_result_does_not_depend_on_threads_or_batch_size(threads: int) -> None:
    text = "Hire two counselors for every middle school. They support students in crisis.\n\n" + "Fund it. " * 30
    reference, _ = _aligner(align_threads=1, align_batch_chars=1, align_sentence_words=1000)
    aligner, _ = _aligner(align_threads=threads, align_batch_chars=100_000, align_sentence_words=1000)
    first, second = reference.align(text), aligner.align(text)
    assert first.matches and len(first.parts) == 2
    assert [(m.goal.goal_id, m.score, m.parts) for m in first.matches] == [
        (m.goal.goal_id, m.score, m.parts) for m in second.matches
    ]
