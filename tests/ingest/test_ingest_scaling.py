"""What makes a large ingest fast must not change what it reads or stores: the parsed-file cache,
the worker processes, and the embedding phase's order and derived goal vectors."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import IngestError
from assistant.index.store import Record, goal_records
from ingest.corpus import load_blocks, load_corpus
from ingest.embed_rows import derived_goal_rows, embed_all
from ingest.framework import Goal
from ingest.parsed_files import MIN_FOR_WORKERS, read_files

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def test_a_cached_file_is_not_parsed_again_and_an_edited_one_is(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    cache = tmp_path / "parsed"
    first = load_corpus(corpus, cache)
    calls: list[Path] = []

    def counting(path: Path):  # type: ignore[no-untyped-def]
        calls.append(path)
        return load_blocks(path)

    paths = sorted(p for p in corpus.iterdir() if p.suffix != ".json")
    again = read_files(paths, counting, cache)
    assert calls == []
    assert [again[p] for p in paths] == [load_blocks(p) for p in paths]
    assert load_corpus(corpus, cache) == first
    html = next(p for p in paths if p.suffix == ".html")
    html.write_text(html.read_text(encoding="utf-8").replace("</main>", "<p>One more line.</p></main>"), "utf-8")
    read_files(paths, counting, cache)
    assert calls == [html]


def test_worker_processes_read_what_one_process_reads(tmp_path: Path) -> None:
    for n in range(MIN_FOR_WORKERS):
        (tmp_path / f"plan-{n}.md").write_text(f"# Plan {n}\n\n## Goals\n\n- Goal {n} for every student.\n", "utf-8")
    (tmp_path / "broken.docx").write_bytes(b"not a word file")
    paths = sorted(tmp_path.iterdir())
    together = read_files(paths, load_blocks, None)
    for path in paths:
        if path.suffix == ".md":
            assert together[path] == load_blocks(path)
    assert isinstance(together[tmp_path / "broken.docx"], str)
    with pytest.raises(IngestError, match=r"broken\.docx: could not be read"):
        load_corpus(tmp_path)


class LengthEmbedder:
    """A pure stand-in: a text's vector says which text it was; records every call."""

    name, dim = "fake", 4

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.seen += texts
        rng = [np.random.default_rng(abs(hash(t)) % 2**32).normal(size=self.dim) for t in texts]
        return np.array([v / np.linalg.norm(v) for v in rng], dtype=np.float32)


def embed_rows(embedder: LengthEmbedder, rows: Sequence[Record]) -> np.ndarray:
    """One vector per row, in its order, with one model on one thread."""
    return embed_all({"model": rows}, lambda key: embedder, workers=1)["model"]


def test_rows_keep_their_order_and_a_goal_stores_its_statements_mean() -> None:
    goal = Goal(
        goal_id="goals/strong-readers", role="goal", title="Strong readers", framework_id="goals",
        framework="Goals", parent="goals", doc_id="plan", doc_title="Plan", page=1,
        section="Goals > Strong readers", url="/corpus/plan.pdf#page=1",
        text=("Every child reads well by the end of grade 3.",), points=("Tutoring after school",),
    )  # fmt: skip
    chunk = Record("c1", "Goals\nEvery child reads by grade 3, with tutoring where needed.", "text", {"kind": "chunk"})
    rows = [chunk, *goal_records([goal])]
    embedder = LengthEmbedder()
    vectors = embed_rows(embedder, rows)
    goal_row = rows[1]
    assert goal_row.metadata["kind"] == "goal" and goal_row.id in derived_goal_rows(rows)
    assert goal_row.embed_text not in embedder.seen
    alone = LengthEmbedder()
    for i, row in enumerate(rows):
        if i != 1:
            assert np.allclose(vectors[i], alone.embed_documents([row.embed_text])[0], atol=1e-6)
    statements = vectors[2:]
    mean = statements.mean(axis=0)
    assert np.allclose(vectors[1], mean / np.linalg.norm(mean), atol=1e-6)


def test_every_row_is_read_a_page_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import chromadb

    from assistant.index import store

    client = chromadb.PersistentClient(str(tmp_path))
    collection = client.create_collection("rows", embedding_function=None)
    ids = [f"row-{n:02d}" for n in range(11)]
    kinds = ["unit" if n % 3 else "chunk" for n in range(11)]
    collection.add(ids=ids, embeddings=[[float(n), 1.0] for n in range(11)], metadatas=[{"kind": k} for k in kinds])
    monkeypatch.setattr(store, "READ_PAGE", 4)  # 11 rows in pages of 4: three reads
    everything = store.read_all(collection, ["metadatas", "embeddings"])
    assert sorted(everything["ids"]) == ids and len(everything["embeddings"]) == 11
    units = store.read_all(collection, ["metadatas"], where={"kind": "unit"})
    assert sorted(units["ids"]) == [i for i, k in zip(ids, kinds) if k == "unit"]


def test_both_models_progress_is_told_in_rows_to_the_end() -> None:
    rows = [Record(f"r{n}", f"word{n} " * (n % 40 + 1), "text", {"kind": "chunk"}) for n in range(600)]
    heard: list[tuple[int, int]] = []
    models = {"a": LengthEmbedder(), "b": LengthEmbedder()}
    vectors = embed_all(
        {"a": rows, "b": rows[:300]}, models.__getitem__, lambda done, total: heard.append((done, total))
    )
    assert heard[0] == (0, 900) and heard[-1] == (900, 900)
    assert [done for done, _ in heard] == sorted(done for done, _ in heard)  # never backwards
    assert len(heard) > 4  # told after each slice, not only at the ends
    assert vectors["a"].shape == (600, 4) and vectors["b"].shape == (300, 4)
    assert np.allclose(vectors["b"][7], models["a"].embed_documents([rows[7].embed_text])[0], atol=1e-6)


def test_a_text_held_by_several_rows_is_embedded_once() -> None:
    rows = [
        Record(f"r{n}", ["Every child reads.", "Safe schools.", "Every child reads."][n % 3], "t", {}) for n in range(9)
    ]
    embedder = LengthEmbedder()
    vectors = embed_rows(embedder, rows)
    assert sorted(embedder.seen) == ["Every child reads.", "Safe schools."]
    assert np.allclose(vectors[0], vectors[2]) and np.allclose(vectors[0], vectors[8])
    assert not np.allclose(vectors[0], vectors[1]) and np.allclose(vectors[1], vectors[4])
