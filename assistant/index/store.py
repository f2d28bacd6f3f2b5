"""The passage index in Chroma: the rows an ingest writes, and one collection read and written.

Each ingest writes a new generation beside the one being served (assistant/index/generations.py),
so no reader ever sees rows being written: embedded, new collections; on a Chroma server, rows
added to a collection the generations share, which a generation reads as of its own time
(assistant/index/rows.py).

One collection holds four kinds of record, told apart by metadata `kind`:
- "chunk": a citable passage (verbatim text, page, section, link), ranked by retrieval;
- "unit": one sentence or list item of a chunk, used to pick what the answer quotes;
- "goal": one node of the plan framework (ingest/framework.py), for alignment (read by its
  metadata only: its vector is the mean of its statements', see ingest/embed_rows.py);
- "goal_unit": one statement of a goal (its title, a sentence, a point), matched to proposals.
The collection's metadata records the embedding model that built it; opening it with another
model is an EmbeddingModelMismatch, never a silent nonsense query.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

from assistant.errors import AssistantError, EmbeddingModelMismatch, IndexNotReady, IndexUnavailable
from assistant.index import rows
from assistant.settings import Settings
from ingest.blocks import Chunk
from ingest.framework import Goal

BATCH = 2048  # rows per Chroma call: within what Chroma takes in one (client.get_max_batch_size(): 5,461 here)


@dataclass(frozen=True)
class Record:
    """One row to store: `embed_text` is what is embedded, `document` what is shown."""

    id: str
    embed_text: str
    document: str
    metadata: dict[str, str | int | float]


def chunk_records(chunks: Sequence[Chunk]) -> list[Record]:
    """The chunk rows and their unit rows; ids are content hashes, so unchanged text keeps its id."""
    records: list[Record] = []
    for chunk in chunks:
        records.append(
            Record(
                chunk.id,
                chunk.embed_text,
                chunk.text,
                {
                    "kind": "chunk",
                    "doc_id": chunk.doc_id,
                    "title": chunk.title,
                    "page": chunk.page or 0,  # Chroma metadata has no null: 0 = no page
                    "section": chunk.section,
                    "context": chunk.context,
                    "url": chunk.link,
                    "ordinal": chunk.ordinal,
                    "units": json.dumps(chunk.units, ensure_ascii=False),
                    "language": chunk.language,
                    "original_id": chunk.original_id,  # "" unless the chunk translates another
                    "label": chunk.label,
                    "district": chunk.district,
                    "edition": chunk.edition,
                    "doc_kind": chunk.doc_kind,
                    "featured": chunk.featured,
                },
            )
        )
        for position, unit in enumerate(chunk.units):
            records.append(
                Record(
                    f"{chunk.id}-{position}",
                    f"{chunk.section}: {unit}" if chunk.section else unit,
                    unit,
                    {"kind": "unit", "chunk_id": chunk.id, "position": position},
                )
            )
    return records


def goal_records(goals: Sequence[Goal]) -> list[Record]:
    """A row per framework node and a row per statement; ids hash the content, as for chunks."""
    records: list[Record] = []
    for ordinal, goal in enumerate(goals):
        fields = dataclasses.asdict(goal)
        key = json.dumps(fields | {"ordinal": ordinal}, ensure_ascii=False, sort_keys=True)
        goal_key = "goal-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
        metadata: dict[str, str | int | float] = {k: v for k, v in fields.items() if isinstance(v, str)}
        metadata |= {"kind": "goal", "parent": goal.parent or "", "page": goal.page or 0, "ordinal": ordinal}
        metadata |= {
            "text": json.dumps(goal.text, ensure_ascii=False),
            "points": json.dumps(goal.points, ensure_ascii=False),
        }
        records.append(Record(goal_key, f"{goal.section}\n" + "\n".join(goal.statements), goal.title, metadata))
        for position, statement in enumerate(goal.statements):
            embed = goal.section if statement == goal.title else f"{goal.title}: {statement}"
            meta: dict[str, str | int | float] = {"kind": "goal_unit", "goal_id": goal.goal_id, "position": position}
            records.append(Record(f"{goal_key}-{position}", embed, statement, meta))
    return records


# Rows a read asks Chroma for at once: a read of every row in one call fails past about 32,000
# rows ("too many SQL variables", SQLite's limit), which a 1,000-page library's collections pass.
READ_PAGE = 5000


def read_all(collection: Collection, include: Sequence[str] = (), where: dict | None = None) -> dict[str, list]:
    """Every row (of `where`) with the fields in `include`, read a page at a time."""
    rows: dict[str, list] = {"ids": [], **{field: [] for field in include}}
    offset = 0
    while True:
        page = collection.get(where=where, include=list(include), limit=READ_PAGE, offset=offset)  # type: ignore[arg-type]
        for field, values in rows.items():
            values.extend(page[field])  # type: ignore[literal-required]
        if len(page["ids"]) < READ_PAGE:
            return rows
        offset += READ_PAGE


@contextlib.contextmanager
def _store(what: str) -> Iterator[None]:
    """A store that cannot be reached or read is a 503 that says so, not a 500."""
    try:
        yield
    except AssistantError:
        raise
    except Exception as error:
        raise IndexUnavailable(f"the vector store could not {what}: {error}") from error


def make_client(settings: Settings) -> ClientAPI:
    """Embedded (a folder) by default; a shared Chroma server when a host is set."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        headers = {}
        if settings.chroma_auth_token:
            headers["Authorization"] = f"Bearer {settings.chroma_auth_token.get_secret_value()}"
        with _store(f"be reached at {settings.chroma_host}:{settings.chroma_port}"):
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, headers=headers, settings=chroma_settings
            )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


@dataclass(frozen=True)
class _Source:
    """Where a collection's rows are read: in it, or in the shared rows collection its metadata
    names, as of its generation's time (rows.py)."""

    named: Collection  # the collection asked for: its metadata says what built it
    rows: Collection
    at: int | None = None  # None: every row of `rows` is this collection's

    def where(self, where: dict | None = None) -> dict | None:
        return rows.visible(self.at, where) if self.at is not None else where

    def ids(self, stored: Sequence[str]) -> list[str]:
        return [rows.record_id(i) for i in stored] if self.at is not None else list(stored)

    def read_all(self, include: Sequence[str] = (), where: dict | None = None) -> dict[str, list]:
        found = read_all(self.rows, include, self.where(where))
        return found | {"ids": self.ids(found["ids"])}

    def count(self) -> int:
        return self.rows.count() if self.at is None else len(read_all(self.rows, where=self.where())["ids"])

    def empty(self) -> bool:
        return not self.rows.get(where=self.where(), limit=1, include=[])["ids"]  # type: ignore[arg-type]


class PassageIndex:
    """Reads and writes one Chroma collection built by one embedding model."""

    def __init__(self, client: ClientAPI, name: str, model_name: str) -> None:
        self._client = client
        self._name = name
        self.model_name = model_name
        self._reader: _Source | None = None  # validated once, reused by every query

    def _existing(self) -> Collection | None:
        try:
            collection = self._client.get_collection(self._name, embedding_function=None)
        except NotFoundError:
            return None  # nothing ingested yet
        except Exception as error:  # a server that is down or answers garbage
            raise IndexUnavailable(f"the vector store could not open {self._name!r}: {error}") from error
        built_by = (collection.metadata or {}).get("embedding_model")
        if built_by != self.model_name:
            raise EmbeddingModelMismatch(
                f"index '{self._name}' was built with {built_by!r}; this process embeds with "
                f"{self.model_name!r}. Rebuild it: plan-assistant ingest --rebuild"
            )
        return collection

    def _source(self) -> _Source | None:
        named = self._existing()
        if named is None:
            return None
        shared = self.shared_rows(named)
        if shared is None:
            return _Source(named, named)
        try:
            return _Source(named, self._client.get_collection(shared[0], embedding_function=None), shared[1])
        except NotFoundError as error:  # removed by a later ingest (this generation is no longer read)
            raise IndexUnavailable(f"the rows of index '{self._name}' are gone: {error}") from error

    @staticmethod
    def shared_rows(named: Collection) -> tuple[str, int] | None:
        """The shared rows collection a generation reads on a server (rows.py), and the time it reads it at."""
        metadata = named.metadata or {}
        return (str(metadata["rows"]), int(metadata["as_of"])) if "rows" in metadata else None

    def rows_read(self) -> tuple[str, int] | None:
        """shared_rows() of this collection (None when it holds its rows itself, or is absent)."""
        named = self._existing()
        return self.shared_rows(named) if named is not None else None

    def collection(self) -> _Source:
        """Where the rows are read; IndexNotReady when nothing has been ingested yet."""
        if self._reader is None:
            source = self._source()
            if source is None or source.empty():
                raise IndexNotReady(f"index '{self._name}' is empty: run plan-assistant ingest")
            self._reader = source
        return self._reader

    def districts(self) -> list[dict]:
        """The manifest's districts (name, short names, where to ask) as the last ingest stored them."""
        with _store(f"read collection {self._name!r}"):
            return list(json.loads(str((self.collection().named.metadata or {}).get("districts", "[]"))))

    def fingerprint(self) -> str:
        """Changes whenever the indexed passages change."""
        collection = self._existing()
        return str((collection.metadata or {}).get("fingerprint", "")) if collection else ""

    def metadata(self) -> tuple[dict[str, dict], dict]:
        """Every row's metadata by id, and the collection's own (empty when nothing is ingested)."""
        source = self._source()
        if source is None:
            return {}, {}
        found = source.read_all(["metadatas"])
        return {i: dict(m) for i, m in zip(found["ids"], found["metadatas"])}, dict(source.named.metadata or {})

    def count(self) -> int:
        source = self._source()
        return source.count() if source else 0

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these rows, by id (to copy them into a new generation)."""
        source = self._source()
        found: dict[str, np.ndarray] = {}
        if source is None:
            return found
        for start in range(0, len(ids), BATCH):
            wanted = list(ids[start : start + BATCH])
            if source.at is None:
                got = source.rows.get(ids=wanted, include=["embeddings"])
            else:
                got = source.rows.get(where=source.where({"row": {"$in": wanted}}), include=["embeddings"])  # type: ignore[arg-type]
            found |= {i: np.asarray(v, dtype=np.float32) for i, v in zip(source.ids(got["ids"]), got["embeddings"])}  # type: ignore[arg-type]
        return found

    def documents(self) -> list[dict]:
        """Each document as the ingest that built this index saw it: file, hash, pages, passages, when."""
        collection = self._existing()
        return list(json.loads(str((collection.metadata or {}).get("documents", "[]")))) if collection else []

    def create(self, metadata: dict[str, str | int | float]) -> None:
        """Make the (new, empty) collection; `metadata` is stored with the model that built it."""
        self._reader = None
        self._client.create_collection(
            self._name,
            metadata={"embedding_model": self.model_name, **metadata},
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )

    def add(self, records: Sequence[Record], vectors: np.ndarray, born: int | None = None) -> None:
        """Write rows into the collection made by create(), in batches; `born`: into a shared rows
        collection, as rows of the generation of that time (rows.py)."""
        collection = self._client.get_collection(self._name, embedding_function=None)
        for start in range(0, len(records), BATCH):
            batch = records[start : start + BATCH]
            collection.add(
                ids=[r.id if born is None else rows.chroma_id(r.id, born) for r in batch],
                embeddings=vectors[start : start + BATCH],
                documents=[r.document for r in batch],
                metadatas=[r.metadata if born is None else rows.stamped(r.id, r.metadata, born) for r in batch],
            )

    def update(
        self, relabelled: Sequence[Record], stale: Sequence[str], metadata: dict[str, str | int | float]
    ) -> None:
        """In a copied generation: give rows their new facts (same text, so same vector), remove
        the stale ones, and stamp the collection's metadata as create() would."""
        collection = self._client.get_collection(self._name, embedding_function=None)
        for start in range(0, len(relabelled), BATCH):
            rows = relabelled[start : start + BATCH]
            collection.update(ids=[r.id for r in rows], metadatas=[r.metadata for r in rows])
        for start in range(0, len(stale), BATCH):
            collection.delete(ids=list(stale[start : start + BATCH]))
        collection.modify(metadata={"embedding_model": self.model_name, **metadata})

    def drop(self) -> None:
        """Remove the collection (none there is no matter)."""
        self._reader = None
        with contextlib.suppress(NotFoundError):
            self._client.delete_collection(self._name)

    def point_at(self, client: ClientAPI, name: str) -> None:
        """Read another collection from now on (a new generation of the index, assistant/index/generations.py)."""
        self._client, self._name, self._reader = client, name, None

    @property
    def target(self) -> tuple[ClientAPI, str]:
        return self._client, self._name

    def load(self, kind: str, with_vectors: bool) -> dict[str, Any]:
        """Every row of one kind, for the in-memory keyword index and the unit matrix."""
        include = ["documents", "metadatas"] + (["embeddings"] if with_vectors else [])
        with _store(f"read collection {self._name!r}"):
            return cast(dict[str, Any], self.collection().read_all(include, where={"kind": kind}))

    def nearest_chunks(self, vector: np.ndarray, n: int) -> tuple[list[str], list[float]]:
        """Ids of the n chunks nearest the vector, and their cosine similarities."""
        with _store(f"search collection {self._name!r}"):
            source = self.collection()
            where = source.where({"kind": "chunk"})
            result = source.rows.query(
                query_embeddings=[vector.tolist()], n_results=n, where=where, include=["distances"]
            )
        distances = (result["distances"] or [[]])[0]
        return source.ids(result["ids"][0]), [1.0 - d for d in distances]
