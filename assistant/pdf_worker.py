"""Uploaded PDFs are read in a child process, so a hostile file cannot starve /api/ask.

A 7 KB PDF whose one page holds 700,000 text operators keeps pypdf busy for close to a minute, and a
deflate bomb asks for hundreds of megabytes. Each upload is therefore read by a fresh
`python -m assistant.pdf_worker` that

- is niced, so the answering threads keep the CPU they need;
- has an address-space and CPU-time rlimit (its memory goes back to the system when it exits,
  where pypdf's in-process garbage stayed in the server's heap);
- is killed when `pdf_seconds` pass.

At most `pdf_workers` children run at once and `pdf_queue` uploads wait for one; any further
upload is answered 503 with Retry-After at once instead of queueing. A fresh process per file (not a
pool) is what makes "killed" simple: nothing is shared with the next upload. Start-up costs about
0.1-0.3 s, small beside the time alignment itself takes.

The child reads the PDF on stdin and writes one JSON object on stdout:
{"text": ...} or {"error": "unreadable" | "too_large", "message": ...}.
"""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
from dataclasses import dataclass, field

import anyio

from assistant.errors import AssistantError, ProposalTooLarge, ServerBusy, UnreadableProposal

_ERRORS: dict[str, type[AssistantError]] = {"unreadable": UnreadableProposal, "too_large": ProposalTooLarge}


@dataclass
class PdfReaders:
    """The server's bounded PDF reading: `await readers.text(data)`."""

    workers: int
    queue: int
    seconds: float
    memory_mb: int
    max_pages: int
    pending: int = 0  # running + waiting, counted on the event loop (no lock needed)
    outcomes: dict[str, int] = field(default_factory=dict)  # read, unreadable, too_large, timeout, busy
    _slots: anyio.Semaphore | None = None

    async def text(self, data: bytes) -> str:
        if self.pending >= self.workers + self.queue:
            self._count("busy")
            raise ServerBusy(
                "too many PDFs are being read right now: try again in a minute, or paste the text",
                retry_after=max(1, math.ceil(self.seconds)),
            )
        if self._slots is None:  # made on first use, inside the server's event loop
            self._slots = anyio.Semaphore(self.workers)
        self.pending += 1
        try:
            async with self._slots:
                return await anyio.to_thread.run_sync(self._read_in_child, data)
        finally:
            self.pending -= 1

    def _read_in_child(self, data: bytes) -> str:
        command = [
            sys.executable,
            "-m",
            "assistant.pdf_worker",
            str(self.max_pages),
            str(self.memory_mb),
            str(math.ceil(self.seconds)),
        ]
        try:
            done = subprocess.run(command, input=data, capture_output=True, timeout=self.seconds, check=False)
        except subprocess.TimeoutExpired as error:  # run() has killed the child
            self._count("timeout")
            raise UnreadableProposal(
                f"the PDF took longer than {self.seconds:g} s to read: paste its text instead"
            ) from error
        try:
            reply = json.loads(done.stdout)
        except ValueError:  # killed by its rlimit (memory, CPU) before it could answer
            self._count("too_large")
            raise ProposalTooLarge("the PDF needs more memory or time to read than a proposal may take") from None
        if "text" in reply:
            self._count("read")
            return str(reply["text"])
        self._count(reply["error"])
        raise _ERRORS[reply["error"]](reply["message"])

    def _count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def _limit_self(memory_mb: int, cpu_seconds: int) -> None:
    """Run in the child before it reads a byte of the upload."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds + 1, cpu_seconds + 2))
    os.nice(10)


def _main(argv: list[str]) -> int:
    max_pages, memory_mb, cpu_seconds = (int(arg) for arg in argv)
    _limit_self(memory_mb, cpu_seconds)
    from assistant.proposal_files import pdf_text  # after the limits: pypdf's import counts too

    data = sys.stdin.buffer.read()
    try:
        reply: dict[str, str] = {"text": pdf_text(data, max_pages)}
    except UnreadableProposal as error:
        reply = {"error": "unreadable", "message": error.message}
    except ProposalTooLarge as error:
        reply = {"error": "too_large", "message": error.message}
    sys.stdout.write(json.dumps(reply))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
