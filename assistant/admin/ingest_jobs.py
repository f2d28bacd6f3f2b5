"""The ingest the admin area starts after each change, in a thread of its own, one at a time.

A change made while an ingest runs is not refused: the ingest is marked to run once more when the
current one ends (the corpus it read may predate the change), so several quick edits cost at most
two ingests; while another process ingests (`plan-assistant ingest`, another server) it waits for
it. An ingest that fails (an unreadable file, a translation whose structure does not match its
original) leaves the previous index serving
(ingest/run.py), and its error is kept for the status until the next ingest succeeds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from assistant.embedding import Embedder, model_name
from assistant.errors import AssistantError, IngestRunning
from assistant.settings import Settings
from ingest.run import IngestReport, run_ingest

log = logging.getLogger(__name__)
WAIT_FOR_OTHER_SECONDS = 3600  # an ingest of a large corpus from scratch takes minutes, not hours


class IngestStatus(BaseModel):
    state: Literal["idle", "running", "done", "failed"]
    phase: str = Field(
        default="", description="reading, embedding, writing, checking, switching, or waiting for another ingest"
    )
    done: int = 0
    total: int = 0
    queued: bool = Field(default=False, description="Another ingest will run when this one ends (a later change).")
    started: datetime | None = None
    finished: datetime | None = None
    error: str | None = Field(default=None, description="Why the last ingest failed; the previous index serves.")
    generation: str = Field(default="", description="The index generation the last successful ingest served.")


class IngestJobs:
    """Runs run_ingest in the background; `status()` is safe to call from any thread."""

    def __init__(
        self, settings: Settings, embedder: Callable[[str], Embedder], on_success: Callable[[], object]
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.on_success = on_success  # this server serves the new index at once (others within refresh_seconds)
        self._lock = threading.Lock()
        self._status = IngestStatus(state="idle")
        self._thread: threading.Thread | None = None

    def status(self) -> IngestStatus:
        with self._lock:
            return self._status.model_copy()

    def start(self) -> IngestStatus:
        """Start an ingest, or, while one runs, have another follow it."""
        with self._lock:
            if self._status.state == "running":
                self._status.queued = True
            else:
                self._begin()
                self._thread = threading.Thread(target=self._run, name="admin-ingest", daemon=True)
                self._thread.start()
            return self._status.model_copy()

    def wait(self, timeout: float) -> bool:
        """For tests and shutdown: whether the background ingest (if any) ended within `timeout`."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def _begin(self) -> None:
        previous = self._status
        self._status = IngestStatus(
            state="running",
            phase="reading",
            started=datetime.now(UTC),
            error=previous.error,
            generation=previous.generation,
        )

    def _tell(self, done: int, total: int, phase: str) -> None:
        with self._lock:
            self._status.phase, self._status.done, self._status.total = phase, done, total

    def _ingest_when_free(self) -> IngestReport:
        """run_ingest; while another process's ingest holds the lock (`plan-assistant ingest`, another
        server's admin area), wait for it, then ingest: the change may be newer than what it read."""
        waited = 0.0
        while True:
            try:
                return run_ingest(self.settings, self.embedder, model_name, progress=False, on_progress=self._tell)
            except IngestRunning:
                if waited >= WAIT_FOR_OTHER_SECONDS:
                    raise
                self._tell(0, 0, "waiting for another ingest")
                time.sleep(1.0)
                waited += 1.0

    def _run(self) -> None:
        while True:
            error, generation = None, None
            try:
                report = self._ingest_when_free()
                generation = report.generation
            except AssistantError as failure:  # the corpus or the lock: said to staff as it is
                error = failure.message
            except Exception as failure:  # anything else: logged, and still shown
                log.exception("the admin area's ingest failed")
                error = f"the ingest failed ({type(failure).__name__}: {failure})"[:1000]
            if generation is not None:
                try:
                    self.on_success()
                except Exception:  # the watcher will pick it up within refresh_seconds anyway
                    log.exception("serving the new index at once failed")
            with self._lock:
                status = self._status
                status.finished = datetime.now(UTC)
                status.state = "failed" if error else "done"
                status.error = error
                status.generation = generation or status.generation
                if status.queued:
                    self._begin()
                    continue
                return
