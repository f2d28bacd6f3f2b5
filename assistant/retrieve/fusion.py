"""Weighted reciprocal rank fusion, shared by retrieval (the named document's own ranking) and
the rank stage (FusionRanker, the learned ranker's `fusion` feature)."""

from __future__ import annotations


def fuse(rankings: list[list[str]], weights: list[float], k: int) -> dict[str, float]:
    """Weighted reciprocal rank fusion: score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores
