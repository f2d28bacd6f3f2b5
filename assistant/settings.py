"""The one settings object: every tunable, read from PLAN_ASSISTANT_* variables or `.env`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Paths are relative to the working directory (the repository root under `make`)."""

    model_config = SettingsConfigDict(env_prefix="PLAN_ASSISTANT_", env_file=".env", extra="ignore")

    corpus_dir: Path = Path("corpus")
    data_dir: Path = Path(".data")
    # Exported model files are shared by every data folder (tests make many data folders).
    model_cache_dir: Path = Path(".data/models")
    collection: str = "plan_passages"  # one collection per model: plan_passages-minilm, ...
    # Dense models, each with its own collection and ranking; fused with BM25 (see README).
    embedding_models: list[str] = ["minilm", "use-m3"]
    # MiniLM reads English only (../shared/OFFLINE-MODELS.md: 1 of 10 Spanish questions matched):
    # for a question in another language its rankings weigh this share. Spanish dev hit@1 at 1.0,
    # 0.5 and 0: 0.941, 1.000, 1.000; dev conversations 0.950, 0.975, 0.975 (python -m evals.sweep
    # english_only_share_for_other_languages=1,0.5,0, re-run at b07209b).
    english_only_models: list[str] = ["minilm"]
    # Each model's question side tuned on the training districts (learn/query_tuning.py; built once
    # into model_cache_dir) is asked beside the model's own, its rankings at this share of the
    # model's in the fusion; 0: not asked. Off by default: at 0.5 (the largest weight of 0.25, 0.5
    # and 1 that keeps PUSD's dev split) other districts' plans gain and PUSD's test split does not.
    tuned_question_weight: float = Field(default=0.0, ge=0)
    english_only_share_for_other_languages: float = Field(default=0.5, ge=0, le=1)

    # Embedded Chroma (a folder in data_dir) unless a host is given; see README for server mode.
    chroma_host: str | None = None
    chroma_port: int = 8001
    chroma_auth_token: SecretStr | None = None  # sent as a Bearer token, for a proxy to check: chroma run checks none

    # Chunking and retrieval: the best setting on the dev split of `python -m evals.sweep`.
    chunk_max_words: int = Field(default=100, ge=5, le=1000)
    dense_candidates: int = Field(default=20, ge=1, le=200)
    rrf_k: int = Field(default=5, ge=1)
    dense_weight: float = Field(default=0.5, ge=0)  # each model's passage ranking
    unit_weight: float = Field(default=1.0, ge=0)  # each model's ranking by a passage's best sentence
    keyword_weight: float = Field(default=2.0, ge=0)  # BM25 over heading path + text
    heading_weight: float = Field(default=0.0, ge=0)  # BM25 over the heading path alone
    # Passages whose innermost heading the question names, when its words make up at least
    # label_min_share of the question's. Dev grid (`python -m evals.sweep label_weight=0.5,1,2,4
    # label_min_share=0,0.2,0.3,0.5`): weight 0.5 misses "What falls under the Outstanding Staff
    # priority?"; shares 0 and 0.2 let "cultura" in passing rank OUR CULTURE; weights 1-4 with
    # shares 0.3-0.5 tie, and the smallest of each is kept.
    label_weight: float = Field(default=1.0, ge=0)
    # The passages of the documents a question names by title ("the Equity Plan"), in the order the
    # other rankings agree on, as one more ranking in the fusion at this weight.
    named_document_weight: float = Field(default=1.0, ge=0)
    # When a question names no document, the passages of the district's main plans (the manifest's
    # `featured`), in the same order, at this weight: the same ranking as a named document's, at its weight
    # (their best passages among every ranking's candidates, as a named document's are).
    featured_document_weight: float = Field(default=1.0, ge=0)
    label_min_share: float = Field(default=0.3, ge=0, le=1)
    max_citations: int = Field(default=3, ge=1, le=10)
    # Everyday words -> the plan's words (assistant/glossary.py): how far a question that uses them
    # is moved toward the plan's words, in vector space and in the keyword query.
    parent_terms_file: Path = Path(__file__).parent / "text" / "parent_terms.toml"
    glossary_weight: float = Field(default=0.5, ge=0)
    glossary_keyword_weight: float = Field(default=0.5, ge=0)
    # The glossary's plan words are copied from the plans: the passages that hold them word for
    # word are the idea's home, ranked as one more list in the fusion at this weight (not when the
    # question names a section: it is about that section). English dev hit@1 / hit@3 at 0 and 2,
    # re-measured after the frame change (`python -m evals.sweep glossary_home_weight=0,2`):
    # 0.885 / 0.962 and 0.923 / 0.974.
    glossary_home_weight: float = Field(default=2.0, ge=0)
    # A yes/no question's vector is this share that of its words without the frame ("will my kid
    # be taught to", assistant/framing.py). Dev grid (`python -m evals.sweep unframed_share=...`),
    # English hit@1 / hit@3 and conversation hit@1 at 0, 0.5, 0.7, 1: 0.897 / 0.949 / 0.975,
    # 0.923 / 0.974 / 0.975, 0.923 / 0.974 / 0.975, 0.923 / 0.962 / 0.950; the least of the best.
    unframed_share: float = Field(default=0.5, ge=0, le=1)
    # Up to this many passages, dense search runs exactly in memory; beyond it, Chroma's HNSW. The
    # vectors cost 3.5 KB a passage (both models): 60,000 passages (about 8,000 pages) hold 215 MB.
    in_memory_passage_limit: int = 60_000

    # How the rankings are combined: "learned", the model fitted on the training districts
    # (assistant/rank/learned.py, its weights in ranker_file), or "fusion", weighted reciprocal ranks.
    ranker: Literal["learned", "fusion"] = "fusion"
    ranker_file: Path = Path(__file__).parent / "rank" / "ranker.json"
    # The confidence model and its thresholds (assistant/decide/model.py), fitted by `plan-assistant train`,
    # and the refusal model that says whether the plans speak to a question at all (assistant/decide).
    confidence_file: Path = Path(__file__).parent / "decide" / "confidence.json"
    refusal_file: Path = Path(__file__).parent / "decide" / "refusal.json"
    prompts_dir: Path = Path(__file__).parent.parent / "prompts"

    # A re-ingest by any process is served within this many seconds + 1 (assistant/serving.py): a
    # server looks at the index pointer twice in this time and reads a new index in about 0.3-1.5 s.
    refresh_seconds: float = Field(default=5.0, ge=0)
    max_history_turns: int = 20
    # Follow-ups: earlier user turns pull retrieval toward the conversation's topic (see
    # assistant/conversation.py); chosen on the dev conversations of evals/conversations.jsonl.
    # Best on the dev conversations (hit@1 0.727 of 11 turns, grid in the commit message):
    # the last user turn at full weight, and no pull at all for a self-contained question.
    history_weight: float = Field(default=1.0, ge=0)
    history_turns: int = Field(default=1, ge=0, le=10)
    new_topic_share: float = Field(default=0.0, ge=0, le=1)  # of history_weight, for self-contained questions
    # A follow-up that points back ("What else is in that group?") ranks the passage the previous
    # answer led with, at the weight of one dense passage ranking. The dev conversations do not
    # move with it (0.25 to 2.0 alike): the weight is dense_weight's by argument, not tuning.
    shown_weight: float = Field(default=0.5, ge=0)
    # Plan alignment (assistant/alignment.py). A heading with one of these words opens a framework
    # of goals (ingest/framework.py), so a new plan's "Goals" or "Objectives" need no code change.
    framework_words: list[str] = ["values", "priorities", "recommendations", "profile", "goals", "objectives"]
    # The manifest kinds of documents read for that framework (the plans of goals); a corpus with
    # no document of these kinds is read whole.
    framework_kinds: list[str] = ["strategic-plan", "master-plan", "lcap", "board-goals", "graduate-profile"]
    staff_terms_file: Path = Path(__file__).parent / "align" / "staff_terms.toml"
    # MiniLM separates staff proposals' goals better than USE-m3 on the dev proposals (recall of
    # the top five 0.599 at 2:1 against 0.535 at 1:1, measured by hand; see git log).
    align_model_weights: dict[str, float] = {"minilm": 2.0, "use-m3": 1.0}
    align_part_words: int = Field(default=120, ge=10, le=1000)  # a long proposal is scored in parts of this size
    align_sentence_parts: int = Field(default=3, ge=0)  # up to this many parts, each sentence is matched too
    # ... in parts of up to this many words. Any value from 0 to 200 gives the same dev metrics
    # (PLAN_ASSISTANT_ALIGN_SENTENCE_WORDS=... plan-assistant eval): one-liners keep sentence
    # matching, a 70-90-word paragraph is matched whole, a third of the work (see git log).
    align_sentence_words: int = Field(default=40, ge=0)
    # Speed only (the vectors do not change): the proposal's texts are embedded in batches of like
    # length, each padded to at most this many characters, on this many threads (one per core).
    align_batch_chars: int = Field(default=2000, ge=1)
    align_threads: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    # Best recall + precision on the dev proposals: python -m evals.sweep_alignment
    align_aligned: float = Field(default=0.13, ge=0)  # score from which a goal is "aligned"
    align_partial: float = Field(default=0.08, ge=0)  # ... and "partial"
    align_near_margin: float = Field(default=0.05, ge=0)  # below "partial" by less: listed as not addressed
    # A goal is reached only by a part whose cosine with one of its statements is at least this.
    # Midway between the dev proposals that serve no goal (best statement 0.18: lanyard colours,
    # email fonts) and the lowest best statement of a dev proposal that serves some (0.43).
    align_min_similarity: float = Field(default=0.3, ge=-1, le=1)
    # Added to the score of each goal the proposal names in staff words (assistant/staff_terms.toml):
    # the plan words of "Title I schools" are Equity's. Chosen with the thresholds by the sweep.
    align_term_bonus: float = Field(default=0.1, ge=0)
    align_max_goals: int = Field(default=5, ge=1, le=30)
    align_evidence: int = Field(default=2, ge=1, le=10)  # statements cited per goal
    # The district a deployment speaks for, as answers and the widget name it. Empty: as the corpus's
    # manifest names it (corpus/manifest.json "district"); set these to override the manifest.
    district_name: str = ""
    district_short_name: str = ""
    # A district's own widget on a corpus that also holds other districts' plans (a neighbour's, the
    # county's): a question that names no district is answered from this deployment's district's
    # plans only (district_name, else the manifest's first district), as a parent on the district's
    # site means. Off: every district's plans answer it (a county's deployment for several districts).
    answer_from_own_district: bool = False
    # By language, where a parent can ask a person when the plans do not answer, e.g.
    # PLAN_ASSISTANT_WHERE_TO_ASK='{"en": "Call the Family Center at ...", "es": "Llame al ..."}'.
    where_to_ask: dict[str, str] = {}
    host: str = "127.0.0.1"
    port: int = 8000
    # Prefix for citation links, e.g. "https://assistant.pusd.us"; empty = links relative to this server.
    public_base_url: str = ""
    # Sites that may embed the widget (CORS and the server's own origin check), e.g.
    # PLAN_ASSISTANT_ALLOWED_ORIGINS='["https://www.pusd.us"]'. Empty: only pages served by this
    # server and clients that send no Origin (curl, the CLI); "*" would allow any site.
    allowed_origins: list[str] = []

    @field_validator("allowed_origins")
    @classmethod
    def _bare_origins(cls, origins: list[str]) -> list[str]:
        # Browsers send "https://www.pusd.us", never with a trailing slash: compare like with like.
        return [origin.strip().rstrip("/") for origin in origins]

    def collection_for(self, model_key: str) -> str:
        return f"{self.collection}-{model_key}"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def feedback_path(self) -> Path:
        """Where feedback was kept before the question store; its rows are imported once."""
        return self.data_dir / "feedback.sqlite3"

    # --- The question store and insights (assistant/store/, assistant/insights.py, docs/privacy.md) ---
    # SQLAlchemy URL of the database that several servers share, e.g.
    # postgresql://user:password@db.internal/plan_assistant (psycopg 3 is used). Unset: a SQLite
    # file in data_dir, for one server.
    database_url: SecretStr | None = None
    # Questions and feedback older than this are deleted (at start-up, then hourly).
    retention_days: int = Field(default=180, ge=1)
    # Questions waiting to be written; past this, new ones are dropped (and logged), never waited for.
    record_queue_size: int = Field(default=10_000, ge=1)
    # The admin area (/admin, /api/admin/...; docs/admin.md). Scripts send the token as a Bearer
    # token; people sign in with it or with the password whose hash is admin_password_hash
    # (`python -m assistant.admin.passwords` makes one). Neither set: 503 admin_not_configured.
    admin_token: SecretStr | None = None
    admin_password_hash: SecretStr | None = None
    # A sign-in lasts this long. Its cookie is signed with admin_session_secret, or (unset) with a
    # key derived from the token and hash, so changing either signs everyone out.
    admin_session_hours: float = Field(default=8.0, gt=0, le=24 * 30)
    admin_session_secret: SecretStr | None = None
    # Sign-in attempts per client address (a password can be guessed, so far fewer than other routes).
    rate_limit_login: str = "10/minute;100/day"
    # A plan uploaded through the admin area may be this large (checked before it is read whole).
    max_document_bytes: int = Field(default=30_000_000, ge=1_000)
    # Unanswered questions whose MiniLM vectors lie closer than this (cosine distance, average
    # linkage) share a topic; see assistant/insights.py for how it was chosen.
    topic_distance: float = Field(default=0.6, gt=0, le=2)
    insights_weeks: int = Field(default=12, ge=1, le=520)  # how far back a report looks by default

    # --- Safe on a public website (issue 22): what one client, one request and one upload may cost. ---
    # Host names this server answers to (Starlette's TrustedHostMiddleware; "*.pusd.us" matches
    # subdomains). Add the public name, e.g. '["assistant.pusd.us"]'. "testserver" is the name
    # FastAPI's test client sends. Pages served under one of these names count as this server's own
    # for the origin check; a wildcard never does.
    allowed_hosts: list[str] = ["127.0.0.1", "localhost", "testserver"]
    # Addresses (or networks, "10.0.0.0/8") of reverse proxies whose X-Forwarded-For is believed.
    # Empty: the connecting address is the client, whatever the header says.
    trusted_proxies: list[str] = []
    # Request bodies: larger is 413 before the body is read (Content-Length) or as soon as a
    # chunked body passes the size. Uploads to /api/align/file have their own, larger, cap.
    max_body_bytes: int = Field(default=1_000_000, ge=1_000)
    max_upload_bytes: int = Field(default=5_000_000, ge=1_000)
    # A request whose headers (or body) have not all arrived this long after it began is answered
    # 408 and its connection closed (slowloris). Header bytes beyond max_header_bytes: 431.
    header_timeout_seconds: float = Field(default=10.0, gt=0)
    body_timeout_seconds: float = Field(default=30.0, gt=0)
    max_header_bytes: int = Field(default=32_768, ge=1_024)
    max_connections: int = Field(default=1_000, ge=1)  # uvicorn's limit_concurrency: a plain 503 beyond it
    # Answering routes: at most this many questions (and proposals) are worked on at once; a request
    # waits up to answer_wait_seconds for a slot, then gets 503 with Retry-After instead of queueing.
    # Two per core: on this 2-core machine 4 and 16 concurrent clients got the same throughput (64.4
    # and 63.0 answers/s), and with 8 slots 64 looping clients waited up to 2.6 s (bench/bench_load.py).
    max_concurrent_answers: int = Field(default=4, ge=1)
    max_concurrent_aligns: int = Field(default=2, ge=1)
    answer_wait_seconds: float = Field(default=0.5, ge=0)
    # Requests per client address, in the `limits` package's notation ("10/minute;100/day"); each
    # group of /api/ routes has its own budget. Beyond it: 429 with Retry-After.
    rate_limit_ask: str = "300/minute"  # /api/ask, /api/ask/stream (a school's parents may share one address)
    rate_limit_align: str = "30/minute"  # /api/align, /api/align/file
    rate_limit_feedback: str = "10/minute;200/day"
    rate_limit_other: str = "600/minute"  # /api/health, /api/ready, /api/framework, /metrics
    # Uploaded PDFs are read in a child process, at most pdf_workers at once and pdf_queue waiting
    # (more: 503), each killed after pdf_seconds or past pdf_memory_mb, over pdf_max_pages: 413.
    pdf_workers: int = Field(default=1, ge=1)
    pdf_queue: int = Field(default=2, ge=0)
    pdf_seconds: float = Field(default=10.0, gt=0)
    pdf_memory_mb: int = Field(default=512, ge=64)
    pdf_max_pages: int = Field(default=100, ge=1)
    # Past this many ratings nothing more is stored (503 feedback_full) until old ones age out
    # (retention_days). Each is at most a few kilobytes: a question, an answer, a 1,000-character comment.
    feedback_max_rows: int = Field(default=100_000, ge=1)
    # One JSON line per request on stderr. Questions are personal: logged only when this is true.
    log_level: str = "INFO"
    log_questions: bool = False
    # Who may read GET /metrics (Prometheus): addresses or networks; others get 403.
    metrics_clients: list[str] = ["127.0.0.1", "::1"]


@lru_cache
def get_settings() -> Settings:
    """Read once per process; tests build their own `Settings(...)` instead."""
    return Settings()
