"""Ingest: corpus folder -> chunks -> embeddings of what is new -> a new generation of the index.

The index being served is never written. Each ingest that changes anything builds a whole new
generation beside it (assistant/index/generations.py), and only new text is embedded: an embedded
store's new generation starts as a copy of the current one's files and only what changed is
written into it; on a Chroma server, generations share their rows and an ingest adds what is new
and marks what went (assistant/index/rows.py). The pointer moves to the new generation once every
model's collection in it has been written and counted. An ingest stopped at any point (an error,
Ctrl-C, kill -9, a power cut) leaves the previous index serving, and new processes read it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant.embedding import Embedder
from assistant.errors import IngestError
from assistant.index import rows
from assistant.index.generations import (
    LEGACY,
    Generation,
    corpus_lock,
    exclusive_ingest,
    generations_for,
    new_generation_name,
)
from assistant.index.store import BATCH, PassageIndex, Record, chunk_records, goal_records
from assistant.settings import Settings
from ingest.blocks import Chunk, SourceDocument
from ingest.chunker import StructureMismatch, chunk_document, chunk_translation
from ingest.corpus import load_corpus, read_corpus_manifest
from ingest.embed_rows import embed_all
from ingest.framework import extract_framework

# An embedded generation is copied (then brought up to date) only when each of its collections
# holds this many rows. Chroma writes a collection's vector index to disk once it passes its sync
# threshold (1,000 rows); a smaller one's index files are written again by every process that
# opens it, so a copy could catch them mid-write. Writing so small a collection anew takes seconds.
COPY_FROM_ROWS = 5000
# (done, total, phase): phases come in this order; a phase may be skipped (nothing to embed).
Progress = Callable[[int, int, str], None]
PHASES = ("reading", "embedding", "writing", "checking", "switching")


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
    removed: int  # rows of the previous index left out of the new one, summed over models
    seconds: float
    copied: int = 0  # rows carried over with their stored vectors, summed over models
    generation: str = ""  # the generation served after this ingest

    def render(self) -> str:
        kept = "unchanged" if not (self.embedded or self.removed or self.copied) else f"copied {self.copied}"
        return (
            f"documents {self.documents} | pages {self.pages} | chunks {self.chunks} | units {self.units} "
            f"| framework goals {self.goals} ({self.goal_statements} statements)\n"
            f"embedded {self.embedded} new rows | {kept} | removed {self.removed} stale "
            f"| generation {self.generation or '-'} | {self.seconds:.1f} s"
        )


@dataclass
class _ModelPlan:
    key: str
    name: str  # the embedding model's name, stored with its collection
    kept: list[Record]  # rows the current generation holds (same text, same model): copied
    new: list[Record]  # rows to embed
    stale: list[str] = field(default_factory=list)  # rows the current generation holds, no longer wanted
    relabelled: list[Record] = field(default_factory=list)  # kept rows whose facts changed (a title, an edition)
    vectors: np.ndarray | None = None

    @property
    def whole(self) -> bool:
        """Nothing of the current generation's collection is kept: it is written whole."""
        return not self.kept


def _stamp(metadata: dict[str, str | int | float], facts: list[dict], position: int) -> dict[str, str | int | float]:
    """A model's collection metadata; the first model's also says what each document is (the admin
    area's table)."""
    return metadata | ({"documents": json.dumps(facts)} if position == 0 else {})


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def document_facts(
    documents: Sequence[SourceDocument], chunks: Sequence[Chunk], digests: dict[str, str], before: Sequence[dict]
) -> list[dict]:
    """What the admin area shows of each document: its file and hash, pages, passages, and when
    its current content was first ingested (kept from `before` while the file is unchanged)."""
    passages: dict[str, int] = {}
    for chunk in chunks:
        passages[chunk.doc_id] = passages.get(chunk.doc_id, 0) + 1
    earlier = {(d["doc_id"], d["sha256"]): d["ingested_at"] for d in before}
    now = datetime.now(UTC).isoformat(timespec="seconds")
    facts = []
    for document in documents:
        digest = digests[document.doc_id]
        facts.append(
            {
                "doc_id": document.doc_id,
                "file": document.url.rsplit("/", 1)[-1],
                "sha256": digest,
                "pages": document.pages,
                "passages": passages.get(document.doc_id, 0),
                "ingested_at": earlier.get((document.doc_id, digest), now),
            }
        )
    return facts


def _fingerprint(records: Sequence[Record], districts: str) -> str:
    key = "".join(f"{r.id}{sorted(r.metadata.items())}\n" for r in sorted(records, key=lambda r: r.id)) + districts
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def run_ingest(
    settings: Settings,
    embedder_factory: Callable[[str], Embedder],
    model_name: Callable[[str], str],
    rebuild: bool = False,
    progress: bool = True,
    on_progress: Progress | None = None,
) -> IngestReport:
    """Bring the index in line with corpus/: a new generation when anything changed, none otherwise.

    A model is loaded only when something needs embedding with it, so an up-to-date index costs
    no model load. `rebuild` embeds every row again (still beside the index being served).
    `progress` is accepted for callers of the earlier signature; `on_progress(done, total, phase)`
    is told how far each phase (PHASES) has got. One ingest at a time per data folder: a second is
    refused with IngestRunning (409).
    """
    started = time.perf_counter()
    tell: Progress = on_progress or (_bars() if progress else lambda done, total, phase: None)
    with exclusive_ingest(settings):
        tell(0, 1, "reading")
        with corpus_lock(settings, exclusive=False):  # the admin area changes no file meanwhile
            documents = load_corpus(settings.corpus_dir, settings.data_dir / "parsed")
            manifest = read_corpus_manifest(settings.corpus_dir)
            digests = {d.doc_id: _digest(settings.corpus_dir / d.url.rsplit("/", 1)[-1]) for d in documents}
        chunks = chunk_corpus(documents, settings.chunk_max_words)
        goals = extract_framework(documents, tuple(settings.framework_words), tuple(settings.framework_kinds))
        districts = json.dumps([d.model_dump() for d in manifest.all_districts()])
        records = chunk_records(chunks) + goal_records(goals)
        generations = generations_for(settings)
        pointer = generations.pointer()
        tell(1, 1, "reading")
        current = generations.open(pointer.current) if pointer else None
        try:
            before = _index(current, settings.embedding_models[0], model_name).documents() if current else []
            facts = document_facts(documents, chunks, digests, before)
            plans, changed, removed = _plan(settings, records, current, model_name, districts, facts, before, rebuild)
            if current is not None and not changed and current.name != LEGACY:  # (the old layout moves into one)
                name = current.name
                copied = 0
            else:
                _embed(plans, embedder_factory, tell)
                name = new_generation_name()
                metadata: dict[str, str | int | float] = {
                    "fingerprint": _fingerprint(records, districts),
                    "districts": districts,
                    "generation": name,
                }
                # On a Chroma server, only what changed is written to the rows the generations
                # share; embedded, the current generation's files are copied and only what changed
                # is written into the copy (or, for a small index, every row into a new store).
                large = all(len(plan.kept) + len(plan.stale) >= COPY_FROM_ROWS for plan in plans)
                if settings.chroma_host:
                    _append(generations.create(name), plans, current, metadata, facts, tell)
                elif current is not None and large and (copy := generations.copy(current.name, name)):
                    _update(copy, plans, metadata, facts, tell)
                else:
                    _write(generations.create(name), plans, current, metadata, facts, tell)
                tell(0, 1, "switching")
                generations.publish(name, previous=current.name if current else None)
                tell(1, 1, "switching")
                copied = sum(len(plan.kept) for plan in plans)
        finally:
            if current:
                current.close()
        generations.discard()  # abandoned generations, and those older than the previous one
    return IngestReport(
        documents=len(documents),
        pages=sum(document.pages or 1 for document in documents),
        chunks=len(chunks),
        units=sum(len(chunk.units) for chunk in chunks),
        goals=len(goals),
        goal_statements=sum(len(goal.statements) for goal in goals),
        embedded=sum(len(plan.new) for plan in plans),
        removed=removed,
        seconds=time.perf_counter() - started,
        copied=copied,
        generation=name,
    )


def _bars() -> Progress:
    """A tqdm bar per phase on stderr, for callers that pass no callback of their own."""
    bars: dict[str, tqdm] = {}

    def tell(done: int, total: int, phase: str) -> None:
        bar = bars.get(phase) or bars.setdefault(phase, tqdm(total=total, desc=phase, unit="row"))
        bar.total = total
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return tell


def _index(generation: Generation, key: str, model_name: Callable[[str], str]) -> PassageIndex:
    return PassageIndex(generation.client, generation.collection(key), model_name(key))


def _plan(
    settings: Settings,
    records: list[Record],
    current: Generation | None,
    model_name: Callable[[str], str],
    districts: str,
    facts: list[dict],
    before: list[dict],
    rebuild: bool,
) -> tuple[list[_ModelPlan], bool, int]:
    """Per model, the rows to copy and the rows to embed; whether anything changed; rows removed.
    `facts` are the documents as read now, `before` as the current generation recorded them."""
    wanted = {record.id for record in records}
    plans, changed, removed = [], rebuild, 0
    for key in settings.embedding_models:
        stored: dict[str, dict] = {}
        collection_metadata: dict = {}
        if current is not None:
            index = _index(current, key, model_name)
            stored, collection_metadata = index.metadata()
            if collection_metadata.get("embedding_model") != model_name(key):
                stored = {}  # built by another model (or absent): its vectors mean nothing to this one
        kept = [] if rebuild else [r for r in records if r.id in stored]
        plan = _ModelPlan(key, model_name(key), kept, [r for r in records if rebuild or r.id not in stored])
        plan.stale = sorted(set(stored) - wanted)
        # Same text, other facts (a title, an edition edited in the manifest): a new generation, no embedding.
        plan.relabelled = [r for r in kept if any(stored[r.id].get(k) != v for k, v in r.metadata.items())]
        plans.append(plan)
        removed += len(plan.stale)
        changed = changed or bool(plan.new) or bool(plan.stale) or bool(plan.relabelled)
        changed = changed or collection_metadata.get("districts", "[]") != districts
    if current is not None and not changed:
        # A file's bytes changed but not its text (a PDF saved again): a new generation says when.
        changed = before != facts
    return plans, changed, removed


def _embed(plans: list[_ModelPlan], embedder_factory: Callable[[str], Embedder], tell: Progress) -> None:
    """Every model's new rows, the models side by side (ingest/embed_rows.py)."""
    wanted = {plan.key: plan.new for plan in plans}
    vectors = embed_all(wanted, embedder_factory, lambda done, total: tell(done, total, "embedding"))
    for plan in plans:
        if plan.new:
            plan.vectors = vectors[plan.key]


def _copy(source: PassageIndex, index: PassageIndex, records: list[Record], born: int | None = None) -> Iterator[int]:
    """Write `records` into `index` with the vectors `source` stores for them, a batch at a time
    (`born`: as rows of a shared rows collection); yields how many rows each batch wrote."""
    for start in range(0, len(records), BATCH):
        batch = records[start : start + BATCH]
        stored = source.vectors([r.id for r in batch])
        index.add(batch, np.vstack([stored[r.id] for r in batch]), born=born)
        yield len(batch)


def _write(
    target: Generation,
    plans: list[_ModelPlan],
    current: Generation | None,
    metadata: dict[str, str | int | float],
    facts: list[dict],
    tell: Progress,
) -> None:
    """Fill the new generation: per model, the copied rows then the embedded ones; then count them."""
    total = sum(len(plan.kept) + len(plan.new) for plan in plans)
    written = 0
    try:
        tell(0, total, "writing")
        for position, plan in enumerate(plans):
            index = PassageIndex(target.client, target.collection(plan.key), plan.name)
            index.create(_stamp(metadata, facts, position))
            if plan.kept and current is not None:
                source = PassageIndex(current.client, current.collection(plan.key), plan.name)
                for count in _copy(source, index, plan.kept):
                    written += count
                    tell(written, total, "writing")
            if plan.new:
                assert plan.vectors is not None
                index.add(plan.new, plan.vectors)
                written += len(plan.new)
                tell(written, total, "writing")
        _check(target, plans, tell)
    finally:
        target.close()  # an embedded store is flushed and let go before any reader opens it


def _update(
    target: Generation,
    plans: list[_ModelPlan],
    metadata: dict[str, str | int | float],
    facts: list[dict],
    tell: Progress,
) -> None:
    """Bring a copy of the current generation in line: per model, the stale rows removed, the
    relabelled given their facts, the new ones added (a model of which nothing is kept is written
    whole: its collection may be another model's); then count them."""
    total = sum(len(plan.stale) + len(plan.relabelled) + len(plan.new) for plan in plans)
    written = 0
    try:
        tell(0, total, "writing")
        for position, plan in enumerate(plans):
            index = PassageIndex(target.client, target.collection(plan.key), plan.name)
            stamped = _stamp(metadata, facts, position)
            if plan.whole:
                index.drop()
                index.create(stamped)
            else:
                index.update(plan.relabelled, plan.stale, stamped)
            if plan.new:
                assert plan.vectors is not None
                index.add(plan.new, plan.vectors)
            written += len(plan.stale) + len(plan.relabelled) + len(plan.new)
            tell(written, total, "writing")
        _check(target, plans, tell)
    finally:
        target.close()


def _append(
    target: Generation,
    plans: list[_ModelPlan],
    current: Generation | None,
    metadata: dict[str, str | int | float],
    facts: list[dict],
    tell: Progress,
) -> None:
    """On a Chroma server: per model, the new rows added to the rows the current generation reads
    and the rows it drops marked gone (assistant/index/rows.py), what a stopped ingest left there
    undone first; a model of which nothing is kept (the first ingest, a rebuild, another model) or
    whose current generation holds its rows itself starts a rows collection, copying what it keeps.
    The generation's own collections then say which rows collection to read, and at what time."""
    at = rows.time_of(target.name)
    total = sum(len(plan.kept) + len(plan.new) + len(plan.stale) for plan in plans)
    written = 0
    tell(0, total, "writing")
    for position, plan in enumerate(plans):
        source = PassageIndex(current.client, current.collection(plan.key), plan.name) if current else None
        read = source.rows_read() if source is not None and not plan.whole else None
        if read is None:
            shared = target.new_rows_collection(plan.key)
            index = PassageIndex(target.client, shared, plan.name)
            index.create({})
            copied = plan.kept
        else:
            shared, now = read
            index = PassageIndex(target.client, shared, plan.name)
            collection = target.client.get_collection(shared, embedding_function=None)
            rows.forget_unpublished(collection, now, BATCH)
            rows.retire(collection, plan.stale + [r.id for r in plan.relabelled], now, at, BATCH)
            copied = plan.relabelled  # a new row each, with its new facts; the others stay as they are
            written += len(plan.kept) - len(plan.relabelled) + len(plan.stale)
        for count in _copy(source, index, copied, born=at) if source is not None else ():
            written += count
            tell(written, total, "writing")
        if plan.new:
            assert plan.vectors is not None
            index.add(plan.new, plan.vectors, born=at)
            written += len(plan.new)
        tell(written, total, "writing")
        stamp = PassageIndex(target.client, target.collection(plan.key), plan.name)
        stamp.create(_stamp(metadata, facts, position) | {"rows": shared, "as_of": at})
    _check(target, plans, tell)


def _check(target: Generation, plans: list[_ModelPlan], tell: Progress) -> None:
    """Every model's collection in the new generation holds exactly the rows wanted."""
    tell(0, len(plans), "checking")
    for position, plan in enumerate(plans):
        count = PassageIndex(target.client, target.collection(plan.key), plan.name).count()
        if count != len(plan.kept) + len(plan.new):
            raise IngestError(f"the new {plan.key} index holds {count} rows, not {len(plan.kept) + len(plan.new)}")
        tell(position + 1, len(plans), "checking")
