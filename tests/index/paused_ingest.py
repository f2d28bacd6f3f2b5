"""`plan-assistant ingest`, stopped at a named point so that a test can kill -9 it right there.

    python -m tests.index.paused_ingest POINT [ingest arguments...]

Runs the real command (assistant.cli.main) in a real process; one function on its path is wrapped
so that, at POINT, the process prints "paused at POINT" on stdout and sleeps until it is killed:

- after_loading: the corpus has been read and chunked, nothing embedded yet;
- mid_embedding: the second slice of rows (of either model) is about to be embedded (ingest/embed_rows.py);
- mid_writing: the new generation's first collection is written, the next not yet;
- before_pointer: every collection is written and counted, the pointer is about to move.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import assistant.embedding
import ingest.run
from assistant.cli import main
from assistant.index import generations
from assistant.index.store import PassageIndex

POINTS = ("after_loading", "mid_embedding", "mid_writing", "before_pointer")


def pause(point: str) -> None:
    print(f"paused at {point}", flush=True)
    time.sleep(3600)


def on_call(owner: Any, name: str, point: str, nth: int = 1, after: bool = False) -> None:
    """Wrap owner.name: pause before (or after) its nth call."""
    original: Callable[..., Any] = getattr(owner, name)
    calls = 0

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == nth and not after:
            pause(point)
        result = original(*args, **kwargs)
        if calls == nth and after:
            pause(point)
        return result

    setattr(owner, name, wrapped)


class _Slow:
    """The real embedder; the second slice any model is given pauses (the models embed side by
    side, so the count is shared)."""

    calls = itertools.count(1)

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if next(_Slow.calls) == 2:
            pause("mid_embedding")
        return self.inner.embed_documents(texts)


def arm(point: str) -> None:
    if point == "after_loading":
        on_call(ingest.run, "chunk_corpus", point, after=True)
    elif point == "mid_embedding":
        build = assistant.embedding.build_embedder
        assistant.embedding.build_embedder = lambda *a, **k: _Slow(build(*a, **k))  # type: ignore[assignment]
    elif point == "mid_writing":
        on_call(PassageIndex, "add", point, nth=2)
    elif point == "before_pointer":
        for kind in (generations.FolderGenerations, generations.ServerGenerations):
            on_call(kind, "publish", point)
    else:
        raise SystemExit(f"unknown point {point!r}: one of {POINTS}")


if __name__ == "__main__":
    arm(sys.argv[1])
    sys.exit(main(["ingest", *sys.argv[2:]]))
