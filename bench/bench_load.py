"""Load benchmark for the public-website hardening (issue 22): POST /api/ask under 1, 4, 16 and 64
concurrent clients, and /api/ask beside 48 clients uploading hostile PDFs.

    .venv/bin/python bench/bench_load.py [--data DIR] [--requests 200] [--seconds 60] [--hostile 48]

Everything stays on this machine: a `plan-assistant serve` process on a loopback port, on the index
in --data (a data folder from `plan-assistant ingest`) or on one this script builds in a temporary
folder. Each simulated client sends its own X-Forwarded-For (an address in 127.0.0.0/8, a header
only: no traffic leaves loopback) with the server told to trust the loopback proxy, so the per-client
rate limits apply per simulated client as they would to separate parents. Every phase is bounded by
--requests and --seconds. Prints a markdown table and writes bench/out/load.json.

Reports, per level: replies per second, p50/p95/p99 latency of the 200s, and how many were 429 or
503 (and the slowest reply of any status, the 2 s bar). Then the p95 of one client's /api/ask with
the server idle and while --hostile clients each upload a 7 KB PDF that takes pypdf about a minute,
one after another, for the phase's length (bar: under 3x the idle p95): first each uploader waits
1 s after a refusal (48 uploads in flight or about to be), then none waits (48 threads of this
script re-sending as fast as they are refused: a flood whose sender shares the server's two cores).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.embedding import build_embedder, model_name  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench.common import commit, free_port, percentile, rss_mb  # noqa: E402
from evals.dataset import load_questions  # noqa: E402
from ingest.run import run_ingest  # noqa: E402
from tests.http.hostile_pdfs import slow_pdf  # noqa: E402

LEVELS = (1, 4, 16, 64)


@dataclass
class Tally:
    """Replies of one phase, shared by its client threads."""

    latencies_ms: list[float] = field(default_factory=list)  # 200s only
    slowest_ms: float = 0.0  # any status
    statuses: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, ms: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.slowest_ms = max(self.slowest_ms, ms)
            if status == 200:
                self.latencies_ms.append(ms)

    @property
    def sent(self) -> int:
        return sum(self.statuses.values())


_next_client = iter(range(1, 60_000))  # each simulated client, in every phase, its own address


def client_address() -> str:
    n = next(_next_client)
    return f"127.{n // 62500 + 1}.{n // 250 % 250}.{n % 250 + 1}"


def ask_loop(base: str, n: int, questions: list[str], tally: Tally, budget: int, stop: threading.Event) -> None:
    """One parent: questions one after another until the phase's count or time is spent."""
    headers = {"X-Forwarded-For": client_address()}
    with httpx.Client(base_url=base, timeout=30, headers=headers) as client:
        i = n
        while not stop.is_set():
            with tally.lock:
                if tally.sent >= budget:
                    return
            started = time.perf_counter()
            try:
                status = client.post("/api/ask", json={"question": questions[i % len(questions)]}).status_code
            except httpx.TransportError:
                status = 599
            tally.add(status, (time.perf_counter() - started) * 1000)
            i += 7


def hostile_loop(base: str, pdf: bytes, pause: float, tally: Tally, stop: threading.Event) -> None:
    """One attacker: the slow PDF, again and again until the phase ends, `pause` seconds after each
    refusal (0: at once, a flood of refused requests from the same two cores the server has)."""
    headers = {"X-Forwarded-For": client_address(), "content-type": "application/pdf"}
    with httpx.Client(base_url=base, timeout=60, headers=headers) as client:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                status = client.post("/api/align/file", content=pdf).status_code
            except httpx.TransportError:
                status = 599
            tally.add(status, (time.perf_counter() - started) * 1000)
            if status in (429, 503):
                stop.wait(pause)


def run_phase(base: str, clients: int, questions: list[str], requests: int, seconds: float) -> tuple[Tally, float]:
    tally, stop = Tally(), threading.Event()
    threads = [
        threading.Thread(target=ask_loop, args=(base, n, questions, tally, requests, stop)) for n in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, seconds - (time.perf_counter() - started)))
    stop.set()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started


def summary(name: str, tally: Tally, wall: float) -> dict[str, float | int | str]:
    return {
        "phase": name,
        "sent": tally.sent,
        "replies_per_s": round(tally.sent / wall, 1),
        "answered": tally.statuses[200],
        "answered_per_s": round(tally.statuses[200] / wall, 1),
        "p50_ms": round(percentile(tally.latencies_ms, 0.50), 1),
        "p95_ms": round(percentile(tally.latencies_ms, 0.95), 1),
        "p99_ms": round(percentile(tally.latencies_ms, 0.99), 1),
        "429": tally.statuses[429],
        "503": tally.statuses[503],
        "other": tally.sent - tally.statuses[200] - tally.statuses[429] - tally.statuses[503],
        "slowest_ms": round(tally.slowest_ms, 1),
    }


def start_server(data: Path, corpus: Path, models: Path) -> tuple[subprocess.Popen, str]:  # type: ignore[type-arg]
    env = os.environ | {
        "PLAN_ASSISTANT_DATA_DIR": str(data),
        "PLAN_ASSISTANT_CORPUS_DIR": str(corpus),
        "PLAN_ASSISTANT_MODEL_CACHE_DIR": str(models),
        "PLAN_ASSISTANT_TRUSTED_PROXIES": '["127.0.0.1"]',  # the simulated clients' X-Forwarded-For
    }
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(f"{base}/api/ready", timeout=5).status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.terminate()
            raise SystemExit("the server did not become ready")
        time.sleep(0.3)


def measure(base: str, server_pid: int, args: argparse.Namespace) -> dict:
    questions = [q.question for q in load_questions() if q.lang == "en"]
    results: dict = {
        "commit": commit(),
        "load_average": round(os.getloadavg()[1], 2),
        "levels": [],
        "rss_mb_start": rss_mb(server_pid)["rss_mb"],
    }
    run_phase(base, 4, questions, 40, args.seconds)  # warm-up
    for clients in LEVELS:
        tally, wall = run_phase(base, clients, questions, args.requests, args.seconds)
        results["levels"].append(summary(f"{clients} clients", tally, wall))
        time.sleep(1)
    idle, wall = run_phase(base, 1, questions, args.requests // 2, args.seconds)
    results["idle"] = summary("1 client, idle", idle, wall)
    results["beside_uploads"] = []
    for pause in (1.0, 0.0):
        hostile, stop = Tally(), threading.Event()
        pdf = slow_pdf()
        attackers = [
            threading.Thread(target=hostile_loop, args=(base, pdf, pause, hostile, stop)) for _ in range(args.hostile)
        ]
        for thread in attackers:
            thread.start()
        time.sleep(2)  # the uploads are in before the measure starts
        beside, wall = run_phase(base, 1, questions, args.requests // 2, args.seconds)
        results["rss_mb_under_uploads"] = rss_mb(server_pid)["rss_mb"]
        stop.set()
        for thread in attackers:
            thread.join()
        name = f"1 client, {args.hostile} uploaders beside, {pause:g} s pause after a refusal"
        row = summary(name, beside, wall)
        row["uploads"] = dict(hostile.statuses)
        row["p95_ratio"] = round(float(row["p95_ms"]) / float(results["idle"]["p95_ms"]), 2)
        results["beside_uploads"].append(row)
        time.sleep(2)
    results["pdf_bytes"] = len(slow_pdf())
    results["rss_mb_end"] = rss_mb(server_pid)["rss_mb"]
    return results


PREFACE = """# Load: many parents at once, and hostile uploads beside them

Generated by `bench/bench_load.py --report docs/load.md` (`make bench-load` prints the same
without writing this page). One `plan-assistant serve` process on loopback, on PUSD's index, with
the settings' default limits; each simulated parent sends its own client address through the
trusted-proxy header, so per-client rate limits apply to each as they would to separate parents.
The clients run on the same two cores as the server: their own work is in every figure.

"""


def table(rows: list[dict]) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return "\n".join(lines + ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows])


def render(results: dict, command: str) -> str:
    """The figures as markdown: the table by phase, then each bar of issue 22 beside its figure."""
    slowest = max(float(row["slowest_ms"]) for row in results["levels"])
    lines = [
        f"Measured at commit {results['commit']}, 5-minute load average {results['load_average']} at the start:",
        "",
        f"    {command}",
        "",
        table([*results["levels"], results["idle"], *results["beside_uploads"]]),
        "",
        "- Slowest reply of any status at 1-64 clients: "
        f"{slowest} ms (bar: every client answered, or told 503/429, within 2,000 ms).",
    ]
    for row in results["beside_uploads"]:
        lines.append(
            f"- {row['phase']}: /api/ask p95 {row['p95_ms']} ms, {row['p95_ratio']}x the idle p95 (bar: under 3x); "
            f"the {results['pdf_bytes']}-byte uploads were answered {row['uploads']}."
        )
    lines.append(
        f"- Server memory (MB): {results['rss_mb_start']} at the start, {results['rss_mb_under_uploads']} under the "
        f"uploads, {results['rss_mb_end']} at the end."
    )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, help="a data folder with an index (default: build one)")
    parser.add_argument("--requests", type=int, default=200, help="questions per concurrency level")
    parser.add_argument("--seconds", type=float, default=60, help="longest any phase may run")
    parser.add_argument("--hostile", type=int, default=48, help="clients uploading the slow PDF")
    parser.add_argument("--report", type=Path, help="also write the figures as a page (docs/load.md)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(data_dir=args.data or Path(scratch) / "data", corpus_dir=ROOT / "corpus")
        settings = settings.model_copy(update={"model_cache_dir": ROOT / ".data" / "models"})
        if args.data is None:
            embedder = lambda key: build_embedder(key, settings.model_cache_dir, threads=2)  # noqa: E731
            run_ingest(settings, embedder, model_name, progress=False)
        server, base = start_server(settings.data_dir, settings.corpus_dir, settings.model_cache_dir)
        try:
            results = measure(base, server.pid, args)
        finally:
            server.terminate()
            server.wait(timeout=30)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(json.dumps(results, indent=2) + "\n")
    page = render(results, " ".join(["python bench/bench_load.py", *sys.argv[1:]]))
    print(page)
    if args.report:
        args.report.write_text(PREFACE + page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
