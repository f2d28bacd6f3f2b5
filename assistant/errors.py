"""One error family: each carries its HTTP status and a short code for clients."""

from __future__ import annotations


class AssistantError(Exception):
    """Base error; the API turns it into `{"error": code, "message": ...}` with `status`."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidQuestion(AssistantError):
    status, code = 422, "invalid_question"


class IndexNotReady(AssistantError):
    status, code = 503, "index_not_ready"


class IndexUnavailable(AssistantError):
    """The vector store cannot be reached or read (a Chroma server that is down)."""

    status, code = 503, "index_unavailable"


class IndexUpdating(AssistantError):
    """The models' collections disagree: an ingest is under way, or stopped between two of them."""

    status, code = 503, "index_updating"


class EmbeddingModelMismatch(AssistantError):
    """The index was built by another embedding model: its vectors mean nothing to this one."""

    status, code = 409, "embedding_model_mismatch"


class IngestError(AssistantError):
    """A corpus file could not be read; nothing was written, the previous index keeps serving."""

    status, code = 422, "ingest_failed"


class UnreadableProposal(AssistantError):
    """An uploaded proposal file that is not text or a PDF with a text layer."""

    status, code = 422, "unreadable_proposal"


class UnsupportedProposalType(AssistantError):
    status, code = 415, "unsupported_proposal_type"


class ProposalTooLarge(AssistantError):
    status, code = 413, "too_large"


class FeedbackUnavailable(AssistantError):
    """The feedback file could not be written (disk full, read-only data folder)."""

    status, code = 503, "feedback_unavailable"


class StoreUnavailable(AssistantError):
    """The question store's database cannot be reached (a PostgreSQL server that is down)."""

    status, code = 503, "store_unavailable"


class AdminNotConfigured(AssistantError):
    """No PLAN_ASSISTANT_ADMIN_TOKEN is set: the admin routes are off."""

    status, code = 503, "admin_not_configured"


class AdminTokenMissing(AssistantError):
    """An admin route asked without `Authorization: Bearer <token>`."""

    status, code = 401, "unauthorized"


class AdminTokenRejected(AssistantError):
    status, code = 403, "forbidden"
