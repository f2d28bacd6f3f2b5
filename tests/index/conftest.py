"""Real processes for the index tests: `plan-assistant serve` and `plan-assistant ingest` (whole, or
paused at a point and killed with SIGKILL), each with its settings in PLAN_ASSISTANT_* variables."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from assistant.settings import Settings
from tests.conftest import CORPUS, MODEL_CACHE, ROOT, free_port, wait_until_up

REFRESH_SECONDS = 2.0
BUS_QUESTION = "Will every school bus carry a trained safety monitor?"
BUS_SENTENCE = "trained safety monitor"
MISSION = "What is PUSD's mission?"


def transportation_plan() -> str:
    """A plan with one distinctive sentence and enough other text (about 120 rows a model) that
    embedding it takes several batches: an ingest can be stopped in the middle of it."""
    routes = "".join(
        f"\n## Route {n}\n\nRoute {n} serves the neighborhood around school number {n}. "
        f"Its first bus leaves the depot at {6 + n % 3}:{10 + n} in the morning. "
        f"Riders on route {n} wait at the marked stop closest to their home. "
        f"The route {n} schedule is posted at every stop in English and Spanish. "
        f"Changes to route {n} are sent to families a week before they start.\n"
        for n in range(1, 21)
    )
    return f"# Transportation Plan\n\n## Bus Safety\n\nEvery school bus will carry a {BUS_SENTENCE}.\n{routes}"


@dataclass
class Place:
    """A data folder and a corpus folder, and the variables that point a process at them."""

    data: Path
    corpus: Path
    extra: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return (
            os.environ
            | {
                "PLAN_ASSISTANT_DATA_DIR": str(self.data),
                "PLAN_ASSISTANT_CORPUS_DIR": str(self.corpus),
                "PLAN_ASSISTANT_MODEL_CACHE_DIR": str(MODEL_CACHE),
                "PLAN_ASSISTANT_REFRESH_SECONDS": str(REFRESH_SECONDS),
                "PLAN_ASSISTANT_RATE_LIMIT_ASK": "100000/minute",  # the tests ask over and over, from one address
            }
            | self.extra
        )

    def settings(self) -> Settings:
        overrides: dict[str, object] = {"data_dir": self.data, "corpus_dir": self.corpus}
        overrides["model_cache_dir"] = MODEL_CACHE
        if "PLAN_ASSISTANT_CHROMA_HOST" in self.extra:
            overrides["chroma_host"] = self.extra["PLAN_ASSISTANT_CHROMA_HOST"]
            overrides["chroma_port"] = int(self.extra["PLAN_ASSISTANT_CHROMA_PORT"])
        return Settings(**overrides)  # type: ignore[arg-type]


def served_copy(built: Settings, target: Path) -> Place:
    """A copy of the session's index and of the corpus, for processes that change them."""
    shutil.copytree(built.chroma_path, target / "data" / "chroma")
    shutil.copytree(CORPUS, target / "corpus")
    return Place(target / "data", target / "corpus")


@dataclass
class Server:
    base: str
    process: subprocess.Popen  # type: ignore[type-arg]

    def ask(self, question: str) -> httpx.Response:
        return httpx.post(f"{self.base}/api/ask", json={"question": question}, timeout=60)

    def cites(self, question: str, sentence: str) -> bool:
        reply = self.ask(question)
        assert reply.status_code == 200, reply.text
        return any(sentence in c["text"] for c in reply.json()["citations"])


@pytest.fixture
def start_server() -> Iterator:  # type: ignore[type-arg]
    """start_server(place, ready=True): a real `plan-assistant serve` on a free port, stopped after the test."""
    started: list[subprocess.Popen] = []  # type: ignore[type-arg]

    def start(place: Place, ready: bool = True) -> Server:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
            env=place.env(),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/api/{'ready' if ready else 'health'}", process, 180, "plan-assistant serve")
        return Server(base, process)

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)


def ingest(place: Place, *args: str) -> subprocess.CompletedProcess[str]:
    """The real `plan-assistant ingest`, to the end."""
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", *args],
        env=place.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def killed_ingest(place: Place, point: str, *args: str) -> None:
    """`plan-assistant ingest` run until it stops at `point` (tests/index/paused_ingest.py), then SIGKILL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.index.paused_ingest", point, *args],
        env=place.env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: [lines.put(line) for line in iter(stdout.readline, "")], daemon=True).start()
    deadline = time.monotonic() + 300
    try:
        while True:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                assert process.poll() is None, f"the ingest ended (code {process.returncode}) before {point}"
                assert time.monotonic() < deadline, f"the ingest never reached {point}"
                continue
            if line.strip() == f"paused at {point}":
                break
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def generations_on_disk(place: Place) -> list[str]:
    return sorted(p.name for p in (place.data / "chroma").iterdir() if p.is_dir() and p.name.startswith("g"))
