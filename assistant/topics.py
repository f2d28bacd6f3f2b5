"""Group the questions the plans could not answer into topics, for the planning office.

Each distinct question is embedded with the assistant's bundled MiniLM and the vectors are
clustered by scikit-learn's AgglomerativeClustering (average linkage over cosine distance, cut at
settings.topic_distance): no number of topics is fixed in advance, a question unlike any other
stays a topic of its own. A topic is named by its most central question, the one with the
highest mean cosine similarity to the others.

The cut, 0.6 (cosine similarity 0.4 on average between two groups that merge): on the dev list in
bench/topic_dev_questions.txt, printed by `python bench/bench_topics.py`, it keeps every
question about one thing (buses, lunch, ...) in one topic and no two things together; see that
script for the grid.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from assistant.embedding import Embedder

# Clustering holds a distance matrix of n² floats: 3,000 distinct questions are 72 MB.
MAX_DISTINCT = 3000


@dataclass
class Grouped:
    """One topic: its name (most central question), its questions, most central first."""

    name: str
    questions: list[str]  # distinct texts
    count: int  # times asked, repeats included


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def cluster(vectors: np.ndarray, distance: float) -> np.ndarray:
    """A topic label for each row of unit vectors."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    model = AgglomerativeClustering(n_clusters=None, distance_threshold=distance, metric="cosine", linkage="average")
    return np.asarray(model.fit_predict(vectors))


def group_questions(texts: Sequence[str], embedder: Embedder, distance: float) -> list[Grouped]:
    """Topics of the given questions (repeats counted), largest first."""
    counts = Counter(_normal(text) for text in texts)
    first_seen: dict[str, str] = {}
    for text in texts:
        first_seen.setdefault(_normal(text), " ".join(text.split()))
    # The most asked first, so a cap drops the rarest.
    distinct = [key for key, _ in counts.most_common(MAX_DISTINCT)]
    if not distinct:
        return []
    vectors = embedder.embed_documents([first_seen[key] for key in distinct])
    labels = cluster(vectors, distance)
    topics = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        similarity = vectors[members] @ vectors[members].T
        centrality = similarity.mean(axis=1)
        ordered = [distinct[members[i]] for i in np.argsort(-centrality, kind="stable")]
        topics.append(
            Grouped(
                name=first_seen[ordered[0]],
                questions=[first_seen[key] for key in ordered],
                count=sum(counts[key] for key in ordered),
            )
        )
    return sorted(topics, key=lambda topic: (-topic.count, topic.name))
