"""What recording each question costs POST /api/ask: the same questions over real HTTP (uvicorn
on loopback, in this process) with the recorder as served, and with its `record` made a no-op,
in alternating rounds; and the time of one `record` call itself.

    .venv/bin/python bench/bench_recording.py [--requests 200] [--rounds 4] [--database-url URL]

A fresh index is built in a temporary folder; the store is a SQLite file there unless
--database-url names another database (e.g. a PostgreSQL). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.api import create_app  # noqa: E402
from assistant.embedding import build_embedder, build_embedders, model_name  # noqa: E402
from assistant.schemas import Answer  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench.common import free_port, percentile  # noqa: E402
from evals.dataset import load_questions  # noqa: E402
from ingest.run import run_ingest  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200, help="per round")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of each mode, alternating")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    bodies = [{"question": q.question} for q in load_questions() if q.lang == "en"]
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            data_dir=Path(scratch) / "data",
            corpus_dir=ROOT / "corpus",
            model_cache_dir=ROOT / ".data/models",
            database_url=SecretStr(args.database_url) if args.database_url else None,
        )
        run_ingest(
            settings, lambda k: build_embedder(k, settings.model_cache_dir, threads=2), model_name, progress=False
        )
        app = create_app(settings, build_embedders(settings.embedding_models, settings.model_cache_dir))
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        recorder = app.state.recorder
        served_record = recorder.record
        times: dict[str, list[float]] = {"recorded": [], "not recorded": []}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for body in bodies[:20]:  # warm up
                client.post("/api/ask", json=body)
            for _ in range(args.rounds):
                for mode in times:
                    recorder.record = served_record if mode == "recorded" else (lambda *a, **k: None)
                    for i in range(args.requests):
                        started = time.perf_counter()
                        assert client.post("/api/ask", json=bodies[i % len(bodies)]).status_code == 200
                        times[mode].append((time.perf_counter() - started) * 1000)
        recorder.record = served_record
        assert recorder.flush(60)
        sample = Answer(answer="a", lang="en", status="not_found", grounded=False, confidence=0.1)
        started = time.perf_counter()
        for _ in range(10_000):
            recorder.record("When does the school bus come to Jefferson Elementary?", sample, follow_up=False)
        call_us = (time.perf_counter() - started) / 10_000 * 1e6
        assert recorder.flush(120)
        server.should_exit = True
        print(f"store: {recorder.store.describe()}; {args.rounds} rounds x {args.requests} requests per mode")
        print("| mode | requests | p50 ms | p95 ms | mean ms |\n|---|---|---|---|---|")
        for mode, values in times.items():
            print(
                f"| {mode} | {len(values)} | {statistics.median(values):.2f} | {percentile(values, 0.95):.2f} "
                f"| {statistics.fmean(values):.2f} |"
            )
        print(f"one record() call, 10,000 calls: {call_us:.1f} µs each; dropped: {recorder.dropped}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
