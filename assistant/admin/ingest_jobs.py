"""The ingest the admin area starts after each change, in a thread of its own, one at a time.

A change made while an ingest runs is not refused: the ingest is marked to run once more when the
current one ends (the corpus it read may predate the change), so several quick edits cost at most
two ingests; while another process ingests (`plan-assistant ingest`, another server) it waits for
it. An ingest that fails (an unreadable file, a translation whose structure does not match its
original) leaves the previous index serving
(ingest/run.py), and its error is kept for the status until the next ingest succeeds. The status
is also written to data_dir/admin-ingest.json, so every server process of the host reports it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from assistant.embedding import Embedder, model_name
from assistant.errors import AssistantError, IngestRunning
from assistant.settings import Settings
from ingest.run import IngestReport, run_ingest

log = logging.getLogger(__name__)
WAIT_FOR_OTHER_SECONDS = 3600  # an ingest of a large corpus from scratch takes minutes, not hours
STATUS_FILE = "admin-ingest.json"  # in data_dir: shared by the server processes of one host
SAVE_EVERY_SECONDS = 0.5


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)  # no signal is sent: only whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


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
    process: int = Field(default=0, description="The server process (pid) that ran it.")


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
        self._saved_at = 0.0

    @property
    def status_file(self) -> Path:
        return self.settings.data_dir / STATUS_FILE

    def status(self) -> IngestStatus:
        """This process's ingest while it runs; otherwise the last one any server process of this data
        folder ran (behind nginx, the page's next poll may reach another process than its upload)."""
        with self._lock:
            if self._status.state == "running":
                return self._status.model_copy()
            mine = self._status.model_copy()
        try:
            shared = IngestStatus.model_validate_json(self.status_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # none yet, or unreadable: what this process knows
            return mine
        if shared.state == "running" and not _alive(shared.process):
            message = "the update stopped when its server process did; the previous index is in use"
            shared = shared.model_copy(update={"state": "failed", "error": message, "queued": False})
        return shared

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
            process=os.getpid(),
        )
        self._save()

    def _tell(self, done: int, total: int, phase: str) -> None:
        with self._lock:
            changed_phase = phase != self._status.phase
            self._status.phase, self._status.done, self._status.total = phase, done, total
            if changed_phase or time.monotonic() - self._saved_at > SAVE_EVERY_SECONDS or done >= total:
                self._save()

    def _save(self) -> None:
        """The status, for every process of this data folder (called with self._lock held)."""
        self._saved_at = time.monotonic()
        try:
            self.status_file.parent.mkdir(parents=True, exist_ok=True)
            staged = self.status_file.with_name(f".{STATUS_FILE}.{os.getpid()}.tmp")
            staged.write_text(self._status.model_dump_json(), encoding="utf-8")
            os.replace(staged, self.status_file)
        except OSError:  # a full or read-only disk: the ingest matters more than its progress report
            log.exception("the ingest's status could not be written")

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
                self._save()
                if status.queued:
                    self._begin()
                    continue
                return
