"""The process's PlanAssistant, kept current: a re-ingest by any process is served without a restart.

Built in the lifespan, or later, once an index exists (a server may start before the first
ingest). A background loop looks at the index pointer twice every refresh_seconds
(assistant/index/generations.py) and reads a newly published generation in full before serving
it; requests look too, at most once every refresh_seconds, so a server with refresh_seconds = 0 serves a
re-ingest as soon as it has read it. Nobody ever waits for a reload: while one runs, answers come
from the index already in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time

from fastapi.concurrency import run_in_threadpool

from assistant.embedding import Embedder
from assistant.errors import AssistantError, IndexNotReady
from assistant.service import PlanAssistant
from assistant.settings import Settings

log = logging.getLogger(__name__)
BUILD_WAIT_SECONDS = 60  # a request waits this long for an assistant another thread is building


class ServedAssistant:
    """Holds the PlanAssistant a server answers with; `reloads` counts re-ingests picked up (for /metrics)."""

    def __init__(self, settings: Settings, reloads: dict[str, int]) -> None:
        self.settings = settings
        self.reloads = reloads
        self.embedders: dict[str, Embedder] = {}
        self.assistant: PlanAssistant | None = None
        self._building = threading.Lock()

    def start(self, embedders: dict[str, Embedder]) -> None:
        """At start-up: no index yet (503) or one built by another model (409) leaves the process up,
        and every request reports the error until an ingest fixes it."""
        self.embedders = embedders
        with contextlib.suppress(AssistantError):
            self._build()

    def _build(self) -> PlanAssistant:
        if not self._building.acquire(timeout=BUILD_WAIT_SECONDS):
            raise IndexNotReady("the index is being loaded: try again shortly", retry_after=5)
        try:
            if self.assistant is None:
                self.assistant = PlanAssistant(self.settings, self.embedders)  # raises 503 / 409 errors
            return self.assistant
        finally:
            self._building.release()

    def get(self) -> PlanAssistant:
        """The assistant for a request (called in a worker thread): built if there was no index before."""
        assistant = self.assistant
        if assistant is None:
            return self._build()
        started = time.perf_counter()
        self._count(assistant.refresh_if_changed(), started)
        return assistant

    def refresh(self, force: bool = False) -> bool:
        """Look at the pointer now (`force`: even within refresh_seconds of the last look)."""
        if self.assistant is None:
            try:
                self._build()
            except AssistantError:
                return False
            return True
        started = time.perf_counter()
        changed = self.assistant.refresh_if_changed(force)
        self._count(changed, started)
        return changed

    def _count(self, reloaded: bool, started: float) -> None:
        if reloaded:
            self.reloads["reloaded"] = self.reloads.get("reloaded", 0) + 1
            assert self.assistant is not None
            generation = self.assistant.generation or "(from before generations)"
            log.info("serving index generation %s, read in %.2f s", generation, time.perf_counter() - started)

    async def watch(self) -> None:
        """Twice every refresh_seconds, in a worker thread: pick up a new generation, or build the
        assistant. A look is a file read (or one call to a Chroma server); reading a new generation
        takes about 0.3-1.5 s on PUSD's plans (more while answering), so looking twice as often as
        refresh_seconds is what has a re-ingest served within refresh_seconds + 1 s."""
        pause = max(self.settings.refresh_seconds / 2, 0.25)
        while True:
            await asyncio.sleep(pause)
            try:
                await run_in_threadpool(self.refresh, True)
            except Exception:  # never let the loop die: the next look may succeed
                log.exception("looking for a new index failed")
