"""The ingest's embedding phase: every model's new rows, the models side by side, with an ETA.

What makes it fast on two cores, without changing a vector beyond float rounding:
- rows are embedded shortest first, in slices, so a batch is padded to texts of its own length
  (in the corpus's order a sentence waits in a batch padded to a 100-word passage: twice the work);
- each model embeds on its own thread (onnxruntime and numpy release the GIL), each with its
  share of the cores, so the two models run at once rather than one after the other;
- a "goal" row (a framework node) is never searched by its vector (the aligner matches its
  statements, the "goal_unit" rows): it stores the mean of its statements' vectors instead of
  an embedding of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from tqdm import tqdm

from assistant.embedding import Embedder
from assistant.index.store import Record

SLICE = 256  # texts per call of the model: its own batches inside, the bar advanced after each


def derived_goal_rows(new: Sequence[Record]) -> dict[str, list[str]]:
    """New goal rows whose statements are all new too, each with its statements' ids in order."""
    new_ids = {record.id for record in new}
    statements: dict[str, list[str]] = defaultdict(list)
    for record in new:
        if record.metadata.get("kind") == "goal_unit":
            statements[record.id.rsplit("-", 1)[0]].append(record.id)
    return {
        record.id: statements[record.id]
        for record in new
        if record.metadata.get("kind") == "goal" and statements[record.id] and set(statements[record.id]) <= new_ids
    }


def embed_rows(embedder: Embedder, new: Sequence[Record], bar: Callable[[int], None] = lambda n: None) -> np.ndarray:
    """One vector per row of `new`, in its order; `bar` is told how many characters each slice held
    (the work grows with the text's length, so a bar of characters gives an honest time left)."""
    derived = derived_goal_rows(new)
    embedded = [i for i, record in enumerate(new) if record.id not in derived]
    order = sorted(embedded, key=lambda i: len(new[i].embed_text))
    vectors = np.zeros((len(new), embedder.dim), dtype=np.float32)
    for start in range(0, len(order), SLICE):
        part = order[start : start + SLICE]
        vectors[part] = embedder.embed_documents([new[i].embed_text for i in part])
        bar(sum(len(new[i].embed_text) for i in part))
    position = {record.id: i for i, record in enumerate(new)}
    for goal_id, statement_ids in derived.items():
        mean = vectors[[position[s] for s in statement_ids]].mean(axis=0)
        vectors[position[goal_id]] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return vectors


def embed_all(
    wanted: dict[str, Sequence[Record]], embedder_factory: Callable[[str], Embedder], progress: bool
) -> dict[str, np.ndarray]:
    """Each model's vectors for its new rows, the models on threads of their own; a bar each on
    stderr (characters embedded, rate, time left) when `progress`."""
    keys = [key for key, rows in wanted.items() if rows]

    def run(position: int, key: str) -> np.ndarray:
        rows = wanted[key]
        derived = derived_goal_rows(rows)
        total = sum(len(row.embed_text) for row in rows if row.id not in derived)
        description = f"embedding ({key}) {len(rows)} rows"
        options = {"unit": "char", "unit_scale": True, "position": position, "disable": not progress}
        with tqdm(total=total, desc=description, **options) as bar:
            embedder = embedder_factory(key)  # loaded only when something needs it
            return embed_rows(embedder, rows, bar.update)

    vectors = {key: np.zeros((0, 1), dtype=np.float32) for key in wanted}
    with ThreadPoolExecutor(max_workers=max(1, len(keys)), thread_name_prefix="embed") as pool:
        futures = {key: pool.submit(run, position, key) for position, key in enumerate(keys)}
        vectors |= {key: future.result() for key, future in futures.items()}
    return vectors
