"""Speed benchmark: full and unchanged ingest; warm POST /api/ask over HTTP for English questions,
Spanish questions and follow-ups (with their conversation); the time to the first event of
POST /api/ask/stream; and the baseline chain.

    .venv/bin/python bench/bench_ask.py [--requests 300] [--align-only]

--align-only measures only POST /api/align (after the same fresh ingest), to time alignment changes.

Everything runs on this machine in one go: a fresh index is built in a temporary folder, a real
uvicorn server is started on a loopback port, and the tutorial baseline answers the same
questions in-process. Prints a markdown table and writes bench/out/bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.embedding import build_embedder, model_name  # noqa: E402
from assistant.schemas import MAX_PROPOSAL_CHARS  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench.common import free_port, percentile  # noqa: E402
from evals.dataset import load_conversations, load_proposals, load_questions  # noqa: E402
from ingest.run import run_ingest  # noqa: E402


def follow_up_bodies() -> list[dict]:
    """Each later turn of the evaluation conversations, with the user turns before it."""
    bodies = []
    for conversation in load_conversations():
        turns = [turn.question for turn in conversation.turns]
        for n in range(1, len(turns)):
            history = [{"role": "user", "content": text} for text in turns[:n]]
            bodies.append({"question": turns[n], "history": history})
    return bodies


def ask_ms(client: httpx.Client, body: dict) -> float:
    started = time.perf_counter()
    reply = client.post("/api/ask", json=body)
    assert reply.status_code == 200, reply.text
    return (time.perf_counter() - started) * 1000


def first_event_ms(client: httpx.Client, body: dict) -> float:
    """Time until the first whole Server-Sent Event (the citations) has arrived."""
    started = time.perf_counter()
    with client.stream("POST", "/api/ask/stream", json=body) as reply:
        assert reply.status_code == 200
        for line in reply.iter_lines():
            if line.startswith("data:"):
                elapsed = (time.perf_counter() - started) * 1000
                assert line.startswith("data: [") or "error" not in line, line
                return elapsed
    raise AssertionError("the stream sent no event")


def align_ms(client: httpx.Client, body: dict) -> float:
    started = time.perf_counter()
    reply = client.post("/api/align", json=body)
    assert reply.status_code == 200, reply.text
    return (time.perf_counter() - started) * 1000


def long_plan(chars: int = MAX_PROPOSAL_CHARS) -> str:
    """A whole site plan's worth of staff writing: the evaluation proposals, back to back, cut to size."""
    text = "\n\n".join(p.text for p in load_proposals())
    while len(text) < chars:
        text += "\n\n" + text
    return text[:chars]


def measure(
    results: dict, name: str, call: Callable[[httpx.Client, dict], float], client: httpx.Client, bodies: list, n: int
) -> None:
    latencies = [call(client, bodies[i % len(bodies)]) for i in range(n)]
    results[f"{name}_requests"] = len(latencies)
    results[f"{name}_p50_ms"] = round(statistics.median(latencies), 2)
    results[f"{name}_p95_ms"] = round(percentile(latencies, 0.95), 2)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--align-only", action="store_true", help="only the POST /api/align measures")
    args = parser.parse_args()
    questions = [q.question for q in load_questions() if q.lang == "en"]
    spanish = [{"question": q.question} for q in load_questions() if q.lang == "es"]
    english = [{"question": question} for question in questions]
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
                if not args.align_only:
                    for body in english[:30] + spanish[:10]:  # warm-up
                        client.post("/api/ask", json=body)
                    measure(results, "ask_http", ask_ms, client, english, args.requests)
                    measure(results, "ask_http_es", ask_ms, client, spanish, args.requests)
                    measure(results, "ask_http_followup", ask_ms, client, follow_up_bodies(), args.requests)
                    measure(results, "stream_first_event", first_event_ms, client, english + spanish, args.requests)
                paragraphs = [{"text": p.text} for p in load_proposals() if p.kind != "site-plan"]
                for body in paragraphs[:10]:  # warm-up
                    client.post("/api/align", json=body)
                measure(results, "align_paragraph", align_ms, client, paragraphs, args.requests)
                plan = {"text": long_plan()}
                results["align_20k_chars"] = len(plan["text"])
                measure(results, "align_20k", align_ms, client, [plan], 10)
        finally:
            server.terminate()
            server.wait(timeout=30)

    if not args.align_only:
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
