"""The ingest's embedding phase: every model's new rows, the models side by side, with an ETA.

What makes it fast on two cores, without changing a vector beyond float rounding:
- rows are embedded shortest first, in slices, so a batch is padded to texts of its own length
  (in the corpus's order a sentence waits in a batch padded to a 100-word passage: twice the work);
- every model's slices are embedded by one thread per core (onnxruntime and numpy release the
  GIL), each model run on one thread, so both cores stay busy until the last slice of either;
- a "goal" row (a framework node) is never searched by its vector (the aligner matches its
  statements, the "goal_unit" rows): it stores the mean of its statements' vectors instead of
  an embedding of its own.
"""

from __future__ import annotations

import os
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


def _slices(new: Sequence[Record], derived: dict[str, list[str]]) -> list[list[int]]:
    """Positions of the rows to embed, shortest text first, cut into slices of SLICE."""
    embedded = [i for i, record in enumerate(new) if record.id not in derived]
    order = sorted(embedded, key=lambda i: len(new[i].embed_text))
    return [order[start : start + SLICE] for start in range(0, len(order), SLICE)]


def _fill_goals(vectors: np.ndarray, new: Sequence[Record], derived: dict[str, list[str]]) -> None:
    position = {record.id: i for i, record in enumerate(new)}
    for goal_id, statement_ids in derived.items():
        mean = vectors[[position[s] for s in statement_ids]].mean(axis=0)
        vectors[position[goal_id]] = mean / max(float(np.linalg.norm(mean)), 1e-12)


def embed_rows(embedder: Embedder, new: Sequence[Record], bar: Callable[[int], None] = lambda n: None) -> np.ndarray:
    """One vector per row of `new`, in its order; `bar` is told how many characters each slice held
    (the work grows with the text's length, so a bar of characters gives an honest time left)."""
    return embed_all({"model": new}, lambda key: embedder, progress=False, workers=1, bar=bar)["model"]


def embed_all(
    wanted: dict[str, Sequence[Record]],
    embedder_factory: Callable[[str], Embedder],
    progress: bool,
    workers: int | None = None,
    bar: Callable[[int], None] = lambda n: None,
) -> dict[str, np.ndarray]:
    """Each model's vectors for its new rows; a bar each on stderr (characters embedded, rate, time
    left) when `progress`, and `bar` told each slice's characters too.

    Every model's slices go into one queue that `workers` threads (one per core) take from in
    turn: both cores work on whichever model has slices left, so the slower model is not left to
    one core when the faster is done. A slice's vectors do not depend on which thread ran it.
    """
    keys = [key for key, rows in wanted.items() if rows]
    vectors = {key: np.zeros((0, 1), dtype=np.float32) for key in wanted}
    derived = {key: derived_goal_rows(wanted[key]) for key in keys}
    embedders = {key: embedder_factory(key) for key in keys}  # loaded only when something needs it
    bars = {}
    for position, key in enumerate(keys):
        rows = wanted[key]
        vectors[key] = np.zeros((len(rows), embedders[key].dim), dtype=np.float32)
        total = sum(len(row.embed_text) for row in rows if row.id not in derived[key])
        options = {"unit": "char", "unit_scale": True, "position": position, "disable": not progress}
        bars[key] = tqdm(total=total, desc=f"embedding ({key}) {len(rows)} rows", **options)

    def run(key: str, part: list[int]) -> None:
        texts = [wanted[key][i].embed_text for i in part]
        vectors[key][part] = embedders[key].embed_documents(texts)
        bars[key].update(sum(map(len, texts)))
        bar(sum(map(len, texts)))

    try:
        with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1, thread_name_prefix="embed") as pool:
            jobs = [pool.submit(run, key, part) for key in keys for part in _slices(wanted[key], derived[key])]
            for job in jobs:
                job.result()  # the first failure is raised here
    finally:
        for each in bars.values():
            each.close()
    for key in keys:
        _fill_goals(vectors[key], wanted[key], derived[key])
    return vectors
