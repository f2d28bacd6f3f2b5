"""Hostile PDFs (issue 22, items 1 and 2) read by assistant/pdf_worker.py: each is a clear 413 or 422 in
bounded time, read in a child process with a page, memory and time bound, never a crash; a full
queue is 503 with Retry-After at once.

The PDFs are real files made in tests/http/hostile_pdfs.py; pypdf really parses each one."""

from __future__ import annotations

import asyncio
import time

import pytest

from assistant.errors import AssistantError, ProposalTooLarge, ServerBusy, UnreadableProposal
from assistant.pdf_worker import PdfReaders
from assistant.proposal_files import ENCRYPTED, pdf_text
from tests.http import hostile_pdfs

SECONDS = 3.0  # the time bound these tests give the reader
# (PDF, status, code, words the message must hold)
HOSTILE = {
    "AES-256 with a password": (
        lambda: hostile_pdfs.encrypted_pdf("AES-256"),
        422,
        "unreadable_proposal",
        "encrypted PDFs cannot be read: remove the password",
    ),
    "AES-128 with a password": (
        lambda: hostile_pdfs.encrypted_pdf("AES-128"),
        422,
        "unreadable_proposal",
        "remove the password",
    ),
    "RC4 with a password": (
        lambda: hostile_pdfs.encrypted_pdf("RC4-128"),
        422,
        "unreadable_proposal",
        "remove the password",
    ),
    "an unknown /Filter": (hostile_pdfs.unknown_filter_pdf, 422, "unreadable_proposal", "/NoSuchDecode"),
    "a deflate bomb": (hostile_pdfs.deflate_bomb_pdf, 413, "too_large", "expand past"),
    "a truncated file": (hostile_pdfs.truncated_pdf, 422, "unreadable_proposal", "could not be read"),
    "1,000 pages": (hostile_pdfs.thousand_pages_pdf, 413, "too_large", "1000 pages"),
    "a minute of text operators": (hostile_pdfs.slow_pdf, 422, "unreadable_proposal", "took longer than 3 s"),
}


def readers(**changes: object) -> PdfReaders:
    fields: dict = {"workers": 1, "queue": 2, "seconds": SECONDS, "memory_mb": 512, "max_pages": 100} | changes
    return PdfReaders(**fields)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_hostile_pdf_is_a_clear_error_in_bounded_time(name: str) -> None:
    make, status, code, words = HOSTILE[name]
    started = time.monotonic()
    with pytest.raises(AssistantError) as raised:
        asyncio.run(readers().text(make()))
    assert (raised.value.status, raised.value.code) == (status, code)
    assert words in raised.value.message
    assert time.monotonic() - started < SECONDS + 5  # the slow PDF is cut off at 3 s, plus start-up


def test_an_ordinary_pdf_and_one_locked_by_an_owner_password_alone_are_read() -> None:
    reader = readers()
    assert asyncio.run(reader.text(hostile_pdfs.text_pdf())) == hostile_pdfs.PROPOSAL
    # No user password: any viewer opens it, so the reader does too (AES, with `cryptography`).
    assert asyncio.run(reader.text(hostile_pdfs.encrypted_pdf("AES-256", user_password=""))) == hostile_pdfs.PROPOSAL
    assert reader.outcomes == {"read": 2}


def test_the_encrypted_message_is_the_documented_one_in_process_too() -> None:
    with pytest.raises(UnreadableProposal) as raised:
        pdf_text(hostile_pdfs.encrypted_pdf("AES-256"))
    assert raised.value.message == ENCRYPTED and ENCRYPTED.startswith(
        "encrypted PDFs cannot be read: remove the password"
    )


def test_a_child_past_its_memory_bound_is_a_413_not_a_dead_server() -> None:
    # 60 MB of content stays under pypdf's own 75 MB cap: only the child's address-space limit stops it.
    bomb = hostile_pdfs.deflate_bomb_pdf(60_000_000)
    with pytest.raises(ProposalTooLarge):
        asyncio.run(readers(memory_mb=150).text(bomb))
    # The same file, given room (and time: inflating 60 MB on a loaded machine takes seconds), is read: empty.
    with pytest.raises(UnreadableProposal, match="no text layer"):
        asyncio.run(readers(memory_mb=512, seconds=60).text(bomb))


def test_a_full_queue_is_answered_503_at_once_with_retry_after() -> None:
    reader = readers(workers=1, queue=1)

    async def three_at_once() -> list[object]:
        slow = [asyncio.create_task(reader.text(hostile_pdfs.slow_pdf())) for _ in range(2)]
        await asyncio.sleep(0.1)  # both are in: one reading, one waiting
        started = time.monotonic()
        with pytest.raises(ServerBusy) as raised:
            await reader.text(hostile_pdfs.text_pdf())
        assert time.monotonic() - started < 0.5  # refused at once, not queued
        assert raised.value.status == 503 and raised.value.retry_after == 3
        return await asyncio.gather(*slow, return_exceptions=True)

    finished = asyncio.run(three_at_once())
    assert all(isinstance(outcome, UnreadableProposal) for outcome in finished)
    assert reader.outcomes == {"busy": 1, "timeout": 2} and reader.pending == 0
