"""Ingest: corpus folder -> chunks -> embeddings of what is new -> the index. Prints one screen."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from assistant.embedding import Embedder
from assistant.index import PassageIndex, chunk_records, make_client
from assistant.settings import Settings
from ingest.chunker import chunk_document
from ingest.corpus import load_corpus


@dataclass(frozen=True)
class IngestReport:
    documents: int
    pages: int
    chunks: int
    units: int
    embedded: int
    removed: int
    seconds: float

    def render(self) -> str:
        return (
            f"documents {self.documents} | pages {self.pages} | chunks {self.chunks} | units {self.units}\n"
            f"embedded {self.embedded} new | removed {self.removed} stale | {self.seconds:.1f} s"
        )


def run_ingest(
    settings: Settings,
    embedder_factory: Callable[[], Embedder],
    model_name: str,
    rebuild: bool = False,
    progress: bool = True,
) -> IngestReport:
    """Bring the index in line with corpus/; unchanged passages are not embedded again.

    The embedder is only built when something needs embedding, so an up-to-date index costs
    no model load. Reading, chunking and embedding all finish before the store is touched.
    """
    started = time.perf_counter()
    documents = load_corpus(settings.corpus_dir)
    chunks = [chunk for document in documents for chunk in chunk_document(document, settings.chunk_max_words)]
    records = chunk_records(chunks)
    index = PassageIndex(make_client(settings), settings.collection, model_name)
    if rebuild:
        index.drop()
    existing = index.ids()
    new = [record for record in records if record.id not in existing]
    wanted = {record.id for record in records}
    stale = sorted(existing - wanted)
    if new or stale:
        embedder = embedder_factory() if new else None
        texts = [record.embed_text for record in new]
        batches = range(0, len(texts), 32)
        vectors = [
            embedder.embed_documents(texts[start : start + 32])  # type: ignore[union-attr]
            for start in tqdm(batches, desc="embedding", unit="batch", disable=not progress or not new)
        ]
        matrix = np.vstack(vectors) if vectors else np.zeros((0, 1), dtype=np.float32)
        index.apply(new, matrix, stale, sorted(wanted))
    return IngestReport(
        documents=len(documents),
        pages=sum(document.pages or 1 for document in documents),
        chunks=len(chunks),
        units=sum(len(chunk.units) for chunk in chunks),
        embedded=len(new),
        removed=len(stale),
        seconds=time.perf_counter() - started,
    )
