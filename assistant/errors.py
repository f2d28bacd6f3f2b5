"""One error family: each carries its HTTP status and a short code for clients."""

from __future__ import annotations


class AssistantError(Exception):
    """Base error; the API turns it into `{"error": code, "message": ...}` with `status`."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after  # seconds, sent as Retry-After with a 429 or 503


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


class IngestRunning(AssistantError):
    """An ingest is already updating the index (this server's admin area, or `plan-assistant ingest`)."""

    status, code = 409, "ingest_running"


class UnreadableProposal(AssistantError):
    """An uploaded proposal file that is not text or a PDF with a text layer."""

    status, code = 422, "unreadable_proposal"


class UnsupportedProposalType(AssistantError):
    status, code = 415, "unsupported_proposal_type"


class ProposalTooLarge(AssistantError):
    status, code = 413, "too_large"


class FeedbackUnavailable(AssistantError):
    """The feedback file could not be written or read (disk full, read-only data folder, a corrupt file)."""

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


class FeedbackFull(AssistantError):
    """The feedback store reached PLAN_ASSISTANT_FEEDBACK_MAX_MB: nothing more is kept until old rows age out."""

    status, code = 503, "feedback_full"


class InvalidRequest(AssistantError):
    """A body that is not JSON at all (not UTF-8, nested too deeply): the same code as a body that fails validation."""

    status, code = 422, "invalid_request"


class UnsupportedMediaType(AssistantError):
    """A JSON route sent something other than application/json."""

    status, code = 415, "unsupported_media_type"


class RateLimited(AssistantError):
    """One client address sent more requests than PLAN_ASSISTANT_RATE_LIMIT_* allow."""

    status, code = 429, "rate_limited"


class ServerBusy(AssistantError):
    """Every answering slot (or PDF reader) is taken: try again shortly rather than wait in a queue."""

    status, code = 503, "busy"


class AdminSignInFailed(AssistantError):
    """The admin sign-in form was sent a password (or token) this server does not accept."""

    status, code = 401, "sign_in_failed"


class DocumentNotFound(AssistantError):
    status, code = 404, "document_not_found"


class DocumentConflict(AssistantError):
    """The change would leave the corpus inconsistent: a file name taken, a translation left without its original."""

    status, code = 409, "document_conflict"


class UnsupportedDocumentType(AssistantError):
    status, code = 415, "unsupported_document_type"


class UnreadableDocument(AssistantError):
    """An uploaded plan that cannot be read: broken, encrypted, no text layer, not UTF-8."""

    status, code = 422, "unreadable_document"


class InvalidDocumentEntry(AssistantError):
    """A manifest entry the corpus cannot take (an unknown original, an empty title)."""

    status, code = 422, "invalid_document_entry"


class AdminOriginRejected(AssistantError):
    """A change sent with the admin sign-in cookie from a page that is not this server's own (CSRF)."""

    status, code = 403, "origin_not_allowed"
