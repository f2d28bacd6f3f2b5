"""A child process of a test or benchmark, its output kept line by line as it comes (what journald
would hold for a unit), and JSON lines read back as records."""

from __future__ import annotations

import json
import subprocess
import threading
from dataclasses import dataclass, field


@dataclass
class Process:
    popen: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, command: list[str], **kwargs: object) -> Process:
        """Start `command` (Popen's keyword arguments: env, cwd) with stderr joined to stdout."""
        popen = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)  # type: ignore[call-overload]
        process = cls(popen)
        stdout = popen.stdout
        assert stdout is not None
        threading.Thread(target=lambda: process.lines.extend(iter(stdout.readline, "")), daemon=True).start()
        return process

    def records(self) -> list[dict]:
        """The JSON log lines so far."""
        return [json.loads(line) for line in list(self.lines) if line.startswith("{")]

    def stop(self) -> None:
        """SIGTERM (uvicorn, chroma and nginx all stop cleanly on it), SIGKILL after 30 s."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
