"""Hybrid retrieval: dense rankings (each model, by passage and by its best sentence) and a
keyword (BM25) ranking, fused by weighted reciprocal rank."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.embedding import Embedder
from assistant.index import PassageIndex
from assistant.keywords import KeywordIndex, question_tokens, tokens
from assistant.settings import Settings


def _label(section: str) -> str:
    return section.rsplit(" > ", 1)[-1]


@dataclass(frozen=True)
class DenseModel:
    """One embedding model and the collection it built."""

    key: str
    index: PassageIndex
    embedder: Embedder


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with what the answer writer needs."""

    id: str
    text: str
    doc_id: str
    title: str
    page: int | None
    section: str
    url: str
    units: list[str]
    terms: frozenset[str]
    unit_terms: tuple[frozenset[str], ...]  # each unit's words with the passage's label, for coverage
    dense: float = 0.0  # cosine of question and passage, averaged over models
    unit_similarity: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per unit, averaged

    @property
    def label(self) -> str:
        """The innermost heading: how an answer line introduces a quote."""
        return _label(self.section) or self.title


@dataclass
class Retrieval:
    """Ranked passages for one question, with the terms the keyword side matched on."""

    question_terms: list[str]
    passages: list[Passage] = field(default_factory=list)


def fuse(rankings: list[list[str]], weights: list[float], k: int) -> dict[str, float]:
    """Weighted reciprocal rank fusion: score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


class HybridRetriever:
    """Loads passages and sentence vectors once; each search embeds the question once per model."""

    def __init__(self, models: list[DenseModel], settings: Settings) -> None:
        self._models = models
        self._settings = settings
        self._pool = ThreadPoolExecutor(max_workers=len(models), thread_name_prefix="embed")
        self.reload()

    def reload(self) -> None:
        """(Re)read passages and unit vectors from the index, e.g. after a re-ingest."""
        primary = self._models[0].index
        self.fingerprint = primary.fingerprint()
        chunks = primary.load("chunk", with_vectors=False)
        # Exact search in memory while the corpus is small (a district's plans are a few hundred
        # passages): ~0.1 ms against ~3 ms for a Chroma query per model. Past the limit, Chroma's
        # HNSW index answers instead.
        self._in_memory = len(chunks["ids"]) <= self._settings.in_memory_passage_limit
        self.passages: dict[str, Passage] = {}
        embed_texts = []
        for chunk_id, text, meta in zip(chunks["ids"], chunks["documents"], chunks["metadatas"]):
            section, context = str(meta["section"]), str(meta["context"])
            embed_text = "\n".join(part for part in (section, context, text) if part)
            # The heading path counts twice for keywords: a word in a heading names the topic.
            embed_texts.append(f"{section}\n{embed_text}")
            self.passages[chunk_id] = Passage(
                id=chunk_id,
                text=text,
                doc_id=str(meta["doc_id"]),
                title=str(meta["title"]),
                page=int(meta["page"]) or None,
                section=section,
                url=str(meta["url"]),
                units=(units := json.loads(str(meta["units"]))),
                terms=frozenset(tokens(embed_text)),
                unit_terms=tuple(frozenset(tokens(f"{_label(section)} {unit}")) for unit in units),
            )
        self._ids = list(self.passages)
        self._position = {pid: i for i, pid in enumerate(self._ids)}
        self.keywords = KeywordIndex(embed_texts)
        # Headings name topics: a question that names one ("What is the mission?") should find it.
        self.headings = KeywordIndex([self.passages[i].section for i in self._ids])
        # Per model, every unit vector in one matrix, grouped by passage in self._ids order:
        # passage i's units are rows _unit_bounds[i] to _unit_bounds[i + 1].
        sizes = [len(self.passages[i].units) for i in self._ids]
        self._unit_bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self._unit_matrix: dict[str, np.ndarray] = {}
        self._chunk_matrix: dict[str, np.ndarray] = {}
        for model in self._models:
            if self._in_memory:
                rows_by_id = model.index.load("chunk", with_vectors=True)
                by_id = dict(zip(rows_by_id["ids"], rows_by_id["embeddings"]))
                self._chunk_matrix[model.key] = np.vstack([np.asarray(by_id[i]) for i in self._ids])
            units = model.index.load("unit", with_vectors=True)
            vectors = {
                (str(m["chunk_id"]), int(m["position"])): np.asarray(v)
                for m, v in zip(units["metadatas"], units["embeddings"])
            }
            rows = [vectors[(chunk_id, i)] for chunk_id, size in zip(self._ids, sizes) for i in range(size)]
            self._unit_matrix[model.key] = np.vstack(rows)

    def _ranking(self, scores: np.ndarray, n: int, positive_only: bool = False) -> list[str]:
        """Passage ids by descending score, at most n (and only scores above 0 if asked)."""
        return [self._ids[i] for i in np.argsort(-scores)[:n] if not positive_only or scores[i] > 0]

    def _nearest(self, model: DenseModel, vector: np.ndarray, n: int) -> tuple[list[str], list[float]]:
        if not self._in_memory:
            return model.index.nearest_chunks(vector, n)
        similarities = self._chunk_matrix[model.key] @ vector
        ids = self._ranking(similarities, n)
        return ids, [float(similarities[self._position[pid]]) for pid in ids]

    def search(self, question: str) -> Retrieval:
        settings = self._settings
        terms = question_tokens(question)
        n = min(settings.dense_candidates, len(self._ids))
        rankings: list[list[str]] = []
        weights: list[float] = []
        dense: dict[str, float] = {}
        unit_similarity = np.zeros(int(self._unit_bounds[-1]))
        # The models embed the question side by side (onnxruntime and numpy release the GIL).
        vectors = list(self._pool.map(lambda model: model.embedder.embed_query(question), self._models))
        for model, vector in zip(self._models, vectors):
            ids, similarities = self._nearest(model, vector, n)
            rankings.append(ids)
            weights.append(settings.dense_weight)
            for pid, similarity in zip(ids, similarities):
                dense[pid] = dense.get(pid, 0.0) + similarity / len(self._models)
            per_unit = self._unit_matrix[model.key] @ vector
            unit_similarity += per_unit / len(self._models)
            best_unit = np.maximum.reduceat(per_unit, self._unit_bounds[:-1])
            rankings.append(self._ranking(best_unit, n))
            weights.append(settings.unit_weight)
        for keyword_index, weight in (
            (self.keywords, settings.keyword_weight),
            (self.headings, settings.heading_weight),
        ):
            if weight > 0:  # a ranking with no weight adds nothing to the fusion: skip its scoring
                rankings.append(self._ranking(keyword_index.scores(terms), n, positive_only=True))
                weights.append(weight)
        fused = fuse(rankings, weights, settings.rrf_k)
        bounds = self._unit_bounds
        passages = []
        for pid in sorted(fused, key=lambda p: -fused[p])[:n]:
            i = self._position[pid]
            passages.append(
                replace(
                    self.passages[pid],
                    dense=dense.get(pid, 0.0),
                    unit_similarity=unit_similarity[bounds[i] : bounds[i + 1]],
                )
            )
        return Retrieval(terms, passages)
