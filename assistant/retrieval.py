"""Hybrid retrieval: dense (Chroma) and keyword (BM25) rankings fused by reciprocal rank."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from assistant.embedding import Embedder
from assistant.index import PassageIndex
from assistant.keywords import KeywordIndex, question_tokens, tokens
from assistant.settings import Settings


@dataclass
class Passage:
    """A retrieved chunk with what the answer writer needs."""

    id: str
    text: str
    doc_id: str
    title: str
    page: int | None
    section: str
    url: str
    ordinal: int
    units: list[str]
    unit_vectors: np.ndarray
    terms: set[str]
    dense: float = 0.0
    keyword: float = 0.0
    fused: float = 0.0

    @property
    def label(self) -> str:
        """The innermost heading: how an answer line introduces a quote."""
        return self.section.rsplit(" > ", 1)[-1] if self.section else self.title


@dataclass
class Retrieval:
    """Ranked passages for one question, with the signals the confidence model reads."""

    question_terms: list[str]
    query_vector: np.ndarray
    passages: list[Passage] = field(default_factory=list)


def fuse(rankings: list[list[str]], weights: list[float], k: int) -> dict[str, float]:
    """Weighted reciprocal rank fusion: score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


class HybridRetriever:
    """Loads the index's passages once; each search embeds the question once."""

    def __init__(self, index: PassageIndex, embedder: Embedder, settings: Settings) -> None:
        self._index = index
        self._embedder = embedder
        self._settings = settings
        self.reload()

    def reload(self) -> None:
        """(Re)read passages and unit vectors from the index, e.g. after a re-ingest."""
        self.fingerprint = self._index.fingerprint()
        chunks = self._index.load("chunk", with_vectors=False)
        units = self._index.load("unit", with_vectors=True)
        vectors: dict[str, dict[int, np.ndarray]] = {}
        for metadata, vector in zip(units["metadatas"], units["embeddings"]):
            vectors.setdefault(str(metadata["chunk_id"]), {})[int(metadata["position"])] = np.asarray(vector)
        self.passages: dict[str, Passage] = {}
        embed_texts = []
        for chunk_id, text, meta in zip(chunks["ids"], chunks["documents"], chunks["metadatas"]):
            unit_texts = json.loads(str(meta["units"]))
            by_position = vectors.get(chunk_id, {})
            matrix = np.vstack([by_position[i] for i in range(len(unit_texts))]) if unit_texts else np.zeros((0, 1))
            embed_text = "\n".join(p for p in (str(meta["section"]), str(meta["context"]), text) if p)
            embed_texts.append(embed_text)
            self.passages[chunk_id] = Passage(
                id=chunk_id,
                text=text,
                doc_id=str(meta["doc_id"]),
                title=str(meta["title"]),
                page=int(meta["page"]) or None,
                section=str(meta["section"]),
                url=str(meta["url"]),
                ordinal=int(meta["ordinal"]),
                units=unit_texts,
                unit_vectors=matrix,
                terms=set(tokens(embed_text)),
            )
        self._ids = list(self.passages)
        self.keywords = KeywordIndex(embed_texts)

    def search(self, question: str, k: int | None = None) -> Retrieval:
        settings = self._settings
        terms = question_tokens(question)
        vector = self._embedder.embed_query(question)
        dense_ids, similarities = self._index.nearest_chunks(vector, min(settings.dense_candidates, len(self._ids)))
        keyword_scores = self.keywords.scores(terms)
        keyword_order = [self._ids[i] for i in np.argsort(-keyword_scores) if keyword_scores[i] > 0]
        fused = fuse(
            [dense_ids, keyword_order[: settings.dense_candidates]],
            [settings.dense_weight, settings.keyword_weight],
            settings.rrf_k,
        )
        dense_by_id = dict(zip(dense_ids, similarities))
        keyword_by_id = dict(zip(self._ids, keyword_scores))
        ranked = sorted(fused, key=lambda pid: -fused[pid])[: k or settings.dense_candidates]
        passages = []
        for pid in ranked:
            passage = self.passages[pid]
            passages.append(
                Passage(**{**passage.__dict__, "dense": dense_by_id.get(pid, 0.0), "keyword": float(keyword_by_id[pid]), "fused": fused[pid]})
            )
        return Retrieval(terms, vector, passages)
