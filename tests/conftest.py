"""Shared fixtures: the real corpus, the real bundled models, real Chroma stores in tmp folders."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, sync_playwright

from assistant.embedding import Embedder, build_embedders, model_name
from assistant.service import PlanAssistant
from assistant.settings import Settings
from ingest.run import run_ingest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SOURCES = ROOT.parent / "shared" / "source-documents"
MODEL_CACHE = ROOT / ".data" / "models"  # exported model files are shared by every test
CHROMIUM = "/usr/bin/chromium"  # Debian's; `make install` puts it there (Playwright's download does not work here)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def make_settings(data_dir: Path, corpus_dir: Path = CORPUS, **overrides: object) -> Settings:
    return Settings(data_dir=data_dir, corpus_dir=corpus_dir, model_cache_dir=MODEL_CACHE, **overrides)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def embedders() -> dict[str, Embedder]:
    """The real bundled models, loaded once for the session."""
    return build_embedders(Settings().embedding_models, MODEL_CACHE)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium driven by Playwright, one per test module (tests/browser, tests/admin)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def ingest_with(settings: Settings, embedders: dict[str, Embedder], **kwargs: object):  # type: ignore[no-untyped-def]
    return run_ingest(settings, lambda key: embedders[key], model_name, progress=False, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory, embedders: dict[str, Embedder]) -> Settings:
    """One index of the real corpus, built once and only read by the tests that share it."""
    settings = make_settings(tmp_path_factory.mktemp("index"))
    ingest_with(settings, embedders)
    return settings


@pytest.fixture(scope="session")
def plan_assistant(built_settings: Settings, embedders: dict[str, Embedder]) -> PlanAssistant:
    return PlanAssistant(built_settings, embedders)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of corpus/ that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def fresh_settings(tmp_path: Path, corpus_copy: Path) -> Iterator[Settings]:
    """Its own data folder and corpus copy: for tests that write."""
    yield make_settings(tmp_path / "data", corpus_copy)


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen, seconds: float, what: str) -> None:  # type: ignore[type-arg]
    """Poll `url` until it answers 200; fail if `process` exits or `seconds` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline and process.poll() is None, f"{what} did not start"
        time.sleep(0.2)


def serve(app: FastAPI) -> Iterator[str]:
    """Run `app` under uvicorn on a free loopback port in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`chroma run` (the chromadb package's own server) on a loopback port of its own."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_up(f"http://127.0.0.1:{port}/api/v2/heartbeat", process, 60, "chroma run")
    yield process, port
    process.terminate()
    process.wait(timeout=30)
