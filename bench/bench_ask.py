"""Speed benchmark: full and unchanged ingest, warm POST /api/ask over HTTP, and the baseline chain.

    .venv/bin/python bench/bench_ask.py [--requests 300]

Everything runs on this machine in one go: a fresh index is built in a temporary folder, a real
uvicorn server is started on a loopback port, and the tutorial baseline answers the same
questions in-process. Prints a markdown table and writes bench/out/bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.embedding import build_embedder, model_name  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from evals.dataset import load_questions  # noqa: E402
from ingest.run import run_ingest  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    questions = [q.question for q in load_questions()]
    results: dict[str, float | int] = {}
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            data_dir=Path(scratch) / "data", corpus_dir=ROOT / "corpus", model_cache_dir=ROOT / ".data/models"
        )
        started = time.perf_counter()
        report = run_ingest(
            settings, lambda k: build_embedder(k, settings.model_cache_dir, threads=2), model_name, progress=False
        )
        results["ingest_full_s"] = round(time.perf_counter() - started, 2)
        results["ingest_full_rows_embedded"] = report.embedded
        again = run_ingest(
            settings, lambda k: build_embedder(k, settings.model_cache_dir, threads=2), model_name, progress=False
        )
        results["ingest_unchanged_embedded"] = again.embedded
        results["ingest_unchanged_s"] = round(again.seconds, 2)

        env = os.environ | {
            "PLAN_ASSISTANT_DATA_DIR": str(settings.data_dir),
            "PLAN_ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
            "PLAN_ASSISTANT_MODEL_CACHE_DIR": str(settings.model_cache_dir),
        }
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=30) as client:
                deadline = time.monotonic() + 120
                while True:
                    try:
                        if client.get("/api/ready").status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.2)
                    if time.monotonic() > deadline:
                        raise SystemExit("server did not become ready")
                for question in questions[:30]:  # warm-up
                    client.post("/api/ask", json={"question": question})
                latencies = []
                for i in range(args.requests):
                    t0 = time.perf_counter()
                    reply = client.post("/api/ask", json={"question": questions[i % len(questions)]})
                    latencies.append((time.perf_counter() - t0) * 1000)
                    assert reply.status_code == 200, reply.text
        finally:
            server.terminate()
            server.wait(timeout=30)
        results["ask_http_requests"] = len(latencies)
        results["ask_http_p50_ms"] = round(statistics.median(latencies), 2)
        results["ask_http_p95_ms"] = round(percentile(latencies, 0.95), 2)

    from evals.baseline import TutorialBaseline

    baseline = TutorialBaseline(ROOT / "corpus")
    for question in questions[:10]:
        baseline.cite(question)
    baseline_ms = [baseline.cite(questions[i % len(questions)])[1] * 1000 for i in range(args.requests)]
    results["baseline_query_p50_ms"] = round(statistics.median(baseline_ms), 2)
    results["baseline_query_p95_ms"] = round(percentile(baseline_ms, 0.95), 2)

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    print("| measure | value |\n|---|---|")
    for key, value in results.items():
        print(f"| {key} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
