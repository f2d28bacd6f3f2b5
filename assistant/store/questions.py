"""The questions log, and the recorder that writes to it off the answer's path.

A parent's answer must never wait for, or fail because of, the database: `record` only puts a
plain record on a queue (microseconds); a thread of its own scrubs and writes the records in
batches. A database that is down is logged and the records are dropped; a queue that is full
(the database far behind) drops new records, also logged. Neither reaches the parent.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, insert, select

from assistant.schemas import Answer
from assistant.settings import Settings
from assistant.store.database import Store, open_store
from assistant.store.legacy import import_legacy_feedback
from assistant.store.models import Feedback, Question, QuestionCitation
from assistant.store.scrub import scrub

log = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(hours=1)
BATCH = 200  # records written in one transaction at most
# A batch waits this long for more records: under load, one transaction per many questions.
GATHER_SECONDS = 0.25


@dataclass(frozen=True)
class AskedQuestion:
    """What is kept of one question and its answer (nothing about who asked)."""

    asked_at: datetime
    text: str
    lang: str
    status: str
    confidence: float
    follow_up: bool
    citations: list[tuple[int, str, int | None, str]] = field(default_factory=list)  # n, doc_id, page, section

    @classmethod
    def of(cls, question: str, answer: Answer, follow_up: bool, now: datetime | None = None) -> AskedQuestion:
        cited = [(c.n, c.doc_id, c.page, c.section) for c in answer.citations]
        when = now or datetime.now(UTC)
        return cls(when, question, answer.lang, answer.status, answer.confidence, follow_up, cited)


def add_questions(store: Store, records: list[AskedQuestion]) -> None:
    """Write records in one transaction, their text scrubbed. Core inserts, not ORM objects: this
    runs beside the answers being computed, and the ORM's bookkeeping would take their CPU."""
    if not records:
        return
    questions = [
        {
            "asked_at": r.asked_at,
            "text": scrub(r.text),
            "lang": r.lang,
            "status": r.status,
            "confidence": r.confidence,
            "follow_up": r.follow_up,
        }
        for r in records
    ]
    with store.session() as session:
        returning = insert(Question).returning(Question.id, sort_by_parameter_order=True)
        ids = session.scalars(returning, questions).all()
        cited = [
            {"question_id": question_id, "n": n, "doc_id": doc_id, "page": page, "section": section}
            for question_id, record in zip(ids, records)
            for n, doc_id, page, section in record.citations
        ]
        if cited:
            session.execute(insert(QuestionCitation), cited)


def prune(store: Store, retention_days: int, now: datetime | None = None) -> int:
    """Delete questions (with their citations) and feedback older than the retention period."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    with store.session() as session:
        old = select(Question.id).where(Question.asked_at < cutoff)
        # Explicit, not left to ON DELETE CASCADE: SQLite honours it only with its pragma set.
        session.execute(delete(QuestionCitation).where(QuestionCitation.question_id.in_(old)))
        questions = cast(CursorResult[Any], session.execute(delete(Question).where(Question.asked_at < cutoff)))
        feedback = cast(CursorResult[Any], session.execute(delete(Feedback).where(Feedback.given_at < cutoff)))
    return questions.rowcount + feedback.rowcount


def prepare(store: Store, settings: Settings) -> None:
    """What start-up and `plan-assistant migrate` do: migrate, carry old feedback over, prune."""
    store.ready()
    imported = import_legacy_feedback(store, settings.feedback_path)
    if imported:
        log.info("imported %d ratings from %s", imported, settings.feedback_path)
    pruned = prune(store, settings.retention_days)
    if pruned:
        log.info("deleted %d rows older than %d days", pruned, settings.retention_days)


_STOP = object()


class QuestionRecorder:
    """Records asked questions from a thread of its own; see the module's docstring."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or open_store(settings)
        self.dropped = 0  # records lost to a full queue or a database that was down
        self._queue: queue.Queue[object] = queue.Queue(maxsize=settings.record_queue_size)
        self._pruned_at = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="question-recorder", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def record(self, question: str, answer: Answer, follow_up: bool) -> None:
        """Queue a question for the log; never raises, never blocks."""
        try:
            self._queue.put_nowait(AskedQuestion.of(question, answer, follow_up))
        except queue.Full:
            self.dropped += 1
            log.warning("question not recorded: %d waiting for the database", self._queue.qsize())
        except Exception:  # recording is a by-product: whatever goes wrong, the answer goes out
            self.dropped += 1
            log.exception("question not recorded")

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued record is written or dropped (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued, then stop the thread (called at exit)."""
        if self._thread.is_alive():
            try:
                self._queue.put(_STOP, timeout=timeout)
            except queue.Full:
                return
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            prepare(self.store, self.settings)
        except Exception as error:  # down at start-up: migrations are retried on the first write
            log.warning("question store not ready at start-up: %s", error)
        while True:
            batch = [self._queue.get()]
            deadline = time.monotonic() + GATHER_SECONDS
            while len(batch) < BATCH and batch[-1] is not _STOP:
                try:
                    batch.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            records = [item for item in batch if isinstance(item, AskedQuestion)]
            try:
                if records:
                    add_questions(self.store, records)
                self._prune_now_and_then()
            except Exception as error:
                self.dropped += len(records)
                log.warning("%d questions not recorded: %s", len(records), error)
            finally:
                for _ in batch:
                    self._queue.task_done()
            if any(item is _STOP for item in batch):
                return

    def _prune_now_and_then(self) -> None:
        if time.monotonic() - self._pruned_at >= PRUNE_EVERY.total_seconds():
            self._pruned_at = time.monotonic()
            prune(self.store, self.settings.retention_days)
