"""The ingest's embedding phase: every model's new rows, the models side by side, with an ETA.

What makes it fast on two cores, without changing a vector beyond float rounding:
- rows are sorted by length and cut into slices, so a batch is padded to texts of its own length
  (in the corpus's order a sentence waits in a batch padded to a 100-word passage: twice the work);
  the slices then run in a shuffled (fixed) order, so rows done per second is steady from the
  first slice to the last and the bar's time left is honest;
- every model's slices are embedded by one thread per core (onnxruntime and numpy release the
  GIL), each model run on one thread, so both cores stay busy until the last slice of either;
- a text met twice (a sentence that is also a goal's statement, a line every school's plan
  repeats) is embedded once, its vector given to each row that holds it;
- a "goal" row (a framework node) is never searched by its vector (the aligner matches its
  statements, the "goal_unit" rows): it stores the mean of its statements' vectors instead of
  an embedding of its own.
"""

from __future__ import annotations

import os
import random
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from assistant.embedding import Embedder
from assistant.index.store import Record

SLICE = 256  # texts per call of the model: its own batches inside, progress told after each
Tell = Callable[[int, int], None]  # (rows done, rows in all)


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


def _same_text(new: Sequence[Record], derived: dict[str, list[str]]) -> dict[int, list[int]]:
    """The rows to embed, each text once: its first row's position -> every row holding it."""
    first: dict[str, int] = {}
    rows: dict[int, list[int]] = defaultdict(list)
    for i, record in enumerate(new):
        if record.id not in derived:
            rows[first.setdefault(record.embed_text, i)].append(i)
    return rows


def _slices(new: Sequence[Record], embedded: Sequence[int]) -> list[list[int]]:
    """These positions sorted by their text's length, cut into slices of SLICE."""
    order = sorted(embedded, key=lambda i: len(new[i].embed_text))
    return [order[start : start + SLICE] for start in range(0, len(order), SLICE)]


def _fill_goals(vectors: np.ndarray, new: Sequence[Record], derived: dict[str, list[str]]) -> None:
    position = {record.id: i for i, record in enumerate(new)}
    for goal_id, statement_ids in derived.items():
        mean = vectors[[position[s] for s in statement_ids]].mean(axis=0)
        vectors[position[goal_id]] = mean / max(float(np.linalg.norm(mean)), 1e-12)


def embed_all(
    wanted: Mapping[str, Sequence[Record]],
    embedder_factory: Callable[[str], Embedder],
    tell: Tell = lambda done, total: None,
    workers: int | None = None,
) -> dict[str, np.ndarray]:
    """Each model's vectors for its new rows; `tell(done, total)` hears how many rows of every
    model are done after each slice (derived goal rows count when their statements are done).

    Every model's slices go into one queue that `workers` threads (one per core) take from in
    turn: both cores work on whichever model has slices left, so the slower model is not left to
    one core when the faster is done. A slice's vectors do not depend on which thread ran it.
    """
    keys = [key for key, rows in wanted.items() if rows]
    vectors = {key: np.zeros((0, 1), dtype=np.float32) for key in wanted}
    derived = {key: derived_goal_rows(wanted[key]) for key in keys}
    same_text = {key: _same_text(wanted[key], derived[key]) for key in keys}
    embedders = {key: embedder_factory(key) for key in keys}  # loaded only when something needs it
    for key in keys:
        vectors[key] = np.zeros((len(wanted[key]), embedders[key].dim), dtype=np.float32)
    total = sum(len(wanted[key]) for key in keys)
    done = 0
    lock = threading.Lock()

    def run(key: str, part: list[int]) -> None:
        nonlocal done
        embedded = embedders[key].embed_documents([wanted[key][i].embed_text for i in part])
        holders = [same_text[key][i] for i in part]
        for vector, rows in zip(embedded, holders):
            vectors[key][rows] = vector
        with lock:
            done += sum(map(len, holders))
            tell(done, total)

    jobs = [(key, part) for key in keys for part in _slices(wanted[key], list(same_text[key]))]
    random.Random(0).shuffle(jobs)
    tell(0, total)
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1, thread_name_prefix="embed") as pool:
        for job in [pool.submit(run, key, part) for key, part in jobs]:
            job.result()  # the first failure is raised here
    for key in keys:
        _fill_goals(vectors[key], wanted[key], derived[key])
    if total:
        tell(total, total)
    return vectors
