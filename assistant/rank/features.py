"""The features a learned ranker reads for each candidate passage: every signal retrieval gathered,
made comparable across questions and corpora (a cosine beside the best cosine of the question, a
BM25 score as a share of the question's best), and what the documents' structure says of the
passage. None of them names a word or a section of any one plan.
"""

from __future__ import annotations

import math

import numpy as np

from assistant.index.state import Passage
from assistant.retrieve import Gathered
from assistant.retrieve.fusion import fuse
from ingest.blocks import ROW_SEPARATOR

FUSION_K = 5  # the fusion's own constant, for the `fusion` feature


def feature_names(models: list[str]) -> list[str]:
    """The feature vector's layout for the given dense models."""
    names = []
    for key in models:
        for kind in ("dense", "unit"):
            names += [f"{kind}:{key}", f"{kind}_gap:{key}", f"{kind}_rr:{key}"]
            names += [f"{kind}:{key}:other_language", f"{kind}_gap:{key}:other_language"]
    names += ["bm25", "bm25_rr", "coverage", "context_coverage", "named", "named_rr", "home", "shown"]
    names += ["in_named_document", "outside_named_document", "heading_only", "units", "depth", "opening", "row"]
    names += ["fusion", "agreement"]
    return names


def _reciprocal_ranks(ranking: list[str]) -> dict[str, float]:
    return {pid: 1.0 / rank for rank, pid in enumerate(ranking, start=1)}


def candidates(gathered: Gathered) -> list[str]:
    """Every passage some ranking put in its top: what the ranker chooses among."""
    return list(dict.fromkeys(pid for ranking in gathered.rankings.values() for pid in ranking))


def candidate_features(gathered: Gathered, pids: list[str], models: list[str]) -> np.ndarray:
    """One row per candidate, columns as feature_names(models)."""
    state, query = gathered.state, gathered.query
    rows = np.array([state.position[pid] for pid in pids], dtype=np.int64)
    other_language = query.lang != "en"
    columns: dict[str, np.ndarray] = {}
    for key in models:
        for kind in ("dense", "unit"):
            raw = gathered.scores.get(f"{kind}:{key}", np.zeros(state.originals))[rows]
            finite = np.isfinite(raw)
            value = np.where(finite, raw, 0.0)
            best = value[finite].max() if finite.any() else 0.0
            gap = np.where(finite, value - best, -1.0)
            ranks = _reciprocal_ranks(gathered.rankings.get(f"{kind}:{key}", []))
            # A model may read one language only: its scores mean something else for another.
            own, other = (0.0, 1.0) if other_language else (1.0, 0.0)
            columns[f"{kind}:{key}"] = value * own
            columns[f"{kind}_gap:{key}"] = gap * own
            columns[f"{kind}_rr:{key}"] = np.array([ranks.get(pid, 0.0) for pid in pids])
            columns[f"{kind}:{key}:other_language"] = value * other
            columns[f"{kind}_gap:{key}:other_language"] = gap * other
    bm25 = gathered.scores.get("keywords", np.zeros(state.originals))[rows]
    bm25 = np.where(np.isfinite(bm25), bm25, 0.0)
    columns["bm25"] = bm25 / bm25.max() if bm25.max() > 0 else bm25
    bm25_ranks = _reciprocal_ranks(gathered.rankings.get("keywords", []))
    columns["bm25_rr"] = np.array([bm25_ranks.get(pid, 0.0) for pid in pids])
    passages: list[Passage] = [gathered.passage(pid) for pid in pids]
    keywords = gathered.keywords
    columns["coverage"] = np.array([keywords.coverage(gathered.terms, p.terms) for p in passages])
    columns["context_coverage"] = np.array(
        [keywords.coverage(gathered.context_terms, p.terms) if gathered.context_terms else 0.0 for p in passages]
    )
    named = _reciprocal_ranks(gathered.named)
    columns["named"] = np.array([float(pid in named) for pid in pids])
    columns["named_rr"] = np.array([named.get(pid, 0.0) for pid in pids])
    homes = set(gathered.rankings.get("homes", []))
    columns["home"] = np.array([float(pid in homes) for pid in pids])
    columns["shown"] = np.array([float(pid == gathered.referent) for pid in pids])
    documents = query.scope.documents
    columns["in_named_document"] = np.array([float(bool(documents) and p.doc_id in documents) for p in passages])
    columns["outside_named_document"] = np.array(
        [float(bool(documents) and p.doc_id not in documents) for p in passages]
    )
    columns["heading_only"] = np.array(
        [float(len(p.units) <= 1 and p.text.strip(" .:").lower() == p.label.strip(" .:").lower()) for p in passages]
    )
    columns["units"] = np.array([math.log1p(len(p.units)) for p in passages])
    columns["depth"] = np.array([float(p.section.count(" > ")) for p in passages])
    columns["opening"] = np.array([float(p.ordinal == 0) for p in passages])
    columns["row"] = np.array([float(ROW_SEPARATOR in p.text) for p in passages])
    names = list(gathered.rankings)
    fused = fuse([gathered.rankings[r] for r in names], [gathered.weights[r] for r in names], FUSION_K)
    best = max(fused.values(), default=0.0) or 1.0
    columns["fusion"] = np.array([fused.get(pid, 0.0) / best for pid in pids])
    # How many of the rankings put the passage in their top three.
    tops = [set(ranking[:3]) for ranking in gathered.rankings.values() if ranking]
    columns["agreement"] = np.array([sum(pid in top for top in tops) / max(len(tops), 1) for pid in pids])
    return np.column_stack([columns[name] for name in feature_names(models)])
