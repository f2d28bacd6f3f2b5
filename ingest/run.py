"""Ingest: corpus folder -> chunks -> embeddings of what is new -> the index. Prints one screen."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from assistant.embedding import Embedder
from assistant.errors import IngestError
from assistant.index.store import PassageIndex, chunk_records, goal_records, make_client
from assistant.settings import Settings
from ingest.blocks import Chunk, SourceDocument
from ingest.chunker import StructureMismatch, chunk_document, chunk_translation
from ingest.corpus import load_corpus, read_corpus_manifest
from ingest.embed_rows import embed_all
from ingest.framework import extract_framework


def chunk_corpus(documents: list[SourceDocument], max_words: int) -> list[Chunk]:
    """Every document's chunks; a translation is cut where its original is, and linked to it."""
    by_id = {document.doc_id: document for document in documents}
    chunks: list[Chunk] = []
    for document in documents:
        if document.translation_of is None:
            chunks += chunk_document(document, max_words)
            continue
        try:
            chunks += chunk_translation(by_id[document.translation_of], document, max_words)
        except StructureMismatch as error:  # before any write: the previous index keeps serving
            raise IngestError(str(error)) from error
    return chunks


@dataclass(frozen=True)
class IngestReport:
    documents: int
    pages: int
    chunks: int
    units: int
    goals: int  # framework nodes found (frameworks, groups and goals)
    goal_statements: int  # their titles, sentences and points, each embedded for alignment
    embedded: int  # rows embedded, summed over models
    removed: int
    seconds: float

    def render(self) -> str:
        return (
            f"documents {self.documents} | pages {self.pages} | chunks {self.chunks} | units {self.units} "
            f"| framework goals {self.goals} ({self.goal_statements} statements)\n"
            f"embedded {self.embedded} new rows | removed {self.removed} stale | {self.seconds:.1f} s"
        )


def run_ingest(
    settings: Settings,
    embedder_factory: Callable[[str], Embedder],
    model_name: Callable[[str], str],
    rebuild: bool = False,
    progress: bool = True,
) -> IngestReport:
    """Bring every model's collection in line with corpus/; unchanged passages are not embedded.

    A model is loaded only when something needs embedding with it, so an up-to-date index costs
    no model load. Reading, chunking and embedding all finish before the store is touched, so a
    bad file leaves the previous index serving.
    """
    started = time.perf_counter()
    documents = load_corpus(settings.corpus_dir, settings.data_dir / "parsed")
    districts = json.dumps([d.model_dump() for d in read_corpus_manifest(settings.corpus_dir).all_districts()])
    chunks = chunk_corpus(documents, settings.chunk_max_words)
    goals = extract_framework(documents, tuple(settings.framework_words), tuple(settings.framework_kinds))
    records = chunk_records(chunks) + goal_records(goals)
    wanted = sorted({record.id for record in records})
    client = make_client(settings)
    plans = []
    for key in settings.embedding_models:
        index = PassageIndex(client, settings.collection_for(key), model_name(key))
        if rebuild:
            index.drop()
        stored, collection_metadata = index.metadata()
        new = [record for record in records if record.id not in stored]
        stale = sorted(set(stored) - set(wanted))
        # Same text, other facts (a title or an edition edited in the manifest): no new embedding.
        relabelled = [
            r for r in records if r.id in stored and any(stored[r.id].get(k) != v for k, v in r.metadata.items())
        ]
        districts_changed = collection_metadata.get("districts", "[]") != districts
        plans.append((key, index, new, stale, relabelled, districts_changed))
    vectors = embed_all({plan[0]: plan[2] for plan in plans}, embedder_factory, progress)
    # Only now, with every model's vectors in hand, is anything written. The first model's
    # collection goes last: servers watch its fingerprint, so when it changes the others are
    # already whole (and a server that looks in between keeps serving, see Retriever.reload).
    for key, index, new, stale, relabelled, districts_changed in reversed(plans):
        if new or stale or relabelled or districts_changed:
            index.apply(new, vectors[key], stale, wanted, relabelled, districts)
    return IngestReport(
        documents=len(documents),
        pages=sum(document.pages or 1 for document in documents),
        chunks=len(chunks),
        units=sum(len(chunk.units) for chunk in chunks),
        goals=len(goals),
        goal_statements=sum(len(goal.statements) for goal in goals),
        embedded=sum(len(plan[2]) for plan in plans),
        removed=sum(len(plan[3]) for plan in plans),
        seconds=time.perf_counter() - started,
    )
