"""What the deployment of docs/deploy.md costs on this machine: a fresh install's first ingest, the
time each API process takes to start, its memory, and answers per second through nginx with one
process and with two.

    .venv/bin/python bench/bench_deploy.py [--servers 1,2] [--clients 8] [--seconds 20]

Everything is the single-host deployment that tests/deploy/ run (tests/deploy/stack.py): Debian's
nginx with deploy/nginx/*.conf over HTTPS, `chroma run` behind the token check, and the API
processes started with deploy/plan-assistant@.service's command and deploy/plan-assistant.env,
on loopback ports. It starts from nothing: an empty Chroma folder and an empty model folder, so the
first `plan-assistant ingest` (deploy/plan-assistant-ingest.service's command) also exports the
MiniLM model, as on a new server; then a second ingest with nothing changed (an upgrade's).

Memory per process, read from /proc/<pid>/smaps_rollup: RSS, and USS (the pages only that process
holds: what one more process adds) once the process is ready and again after the load phase, and
its peak (VmHWM). The load phase: --clients threads, each asking the English evaluation questions
in turn through nginx for --seconds. Answering slots are two per core in all (PLAN_ASSISTANT_MAX_
CONCURRENT_ANSWERS = 4 / processes, as deploy/plan-assistant.env has for two); the per-address
rate limit is raised, since every client here comes from one address. Prints a markdown table
and writes bench/out/deploy.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evals.dataset import load_questions  # noqa: E402
from tests.deploy.files import DEPLOY, exec_start  # noqa: E402
from tests.deploy.stack import BIN, Stack, running_stack  # noqa: E402

OUT = ROOT / "bench" / "out"


def memory_mb(pid: int) -> dict[str, float]:
    """RSS, USS (private pages) and the peak RSS of one process, in MB (10^6 bytes)."""
    rollup = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:] if ":" in line
    )
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)

    def kb(text: str) -> float:
        return int(text.split()[0]) * 1024 / 1e6

    return {
        "rss": round(kb(rollup["Rss"]), 1),
        "uss": round(kb(rollup["Private_Clean"]) + kb(rollup["Private_Dirty"]), 1),
        "peak": round(kb(status["VmHWM"]), 1),
    }


def tree_memory_mb(pid: int) -> float:
    """RSS of a process and its children (nginx's master and workers), in MB."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return round(sum(memory_mb(p)["rss"] for p in [pid, *map(int, children)]), 1)


def ingest(stack: Stack) -> dict[str, float | str]:
    """deploy/plan-assistant-ingest.service's command, timed; its last line is its report."""
    command = exec_start(DEPLOY / "plan-assistant-ingest.service", bin_dir=BIN)
    started = time.perf_counter()
    result = subprocess.run(command, env=stack.environment, cwd=stack.data, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return {"seconds": round(time.perf_counter() - started, 1), "report": result.stdout.strip().splitlines()[-1]}


def load(stack: Stack, questions: list[str], clients: int, seconds: float) -> dict[str, object]:
    """`clients` threads asking through nginx for `seconds`: answers per second, latency, statuses."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        with stack.client() as session:
            n = offset
            while time.monotonic() < stop:
                started = time.perf_counter()
                reply = session.post("/api/ask", json={"question": questions[n % len(questions)]})
                with lock:
                    statuses[reply.status_code] = statuses.get(reply.status_code, 0) + 1
                    if reply.status_code == 200:
                        latencies.append((time.perf_counter() - started) * 1000)
                n += clients

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies)
    return {
        "answers_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(ordered[len(ordered) // 2], 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "statuses": statuses,
    }


def run_servers(work: Path, index: Path, models: Path, count: int, clients: int, seconds: float) -> dict:
    questions = [q.question for q in load_questions() if q.lang == "en"]
    settings = {
        "PLAN_ASSISTANT_MODEL_CACHE_DIR": str(models),
        "PLAN_ASSISTANT_MAX_CONCURRENT_ANSWERS": str(max(1, 4 // count)),
        "PLAN_ASSISTANT_RATE_LIMIT_ASK": "1000000/minute",
    }
    started = time.monotonic()
    with running_stack(work, ROOT / "corpus", index, servers=count, settings=settings) as stack:
        ready_after = []
        pending = list(stack.servers)
        while pending:  # they start together; each is timed to its first 200 from /api/ready
            for server in [s for s in pending if s.is_ready()]:
                ready_after.append(round(time.monotonic() - started, 1))
                pending.remove(server)
            assert all(s.process.popen.poll() is None for s in pending) and time.monotonic() - started < 300
            time.sleep(0.1)
        loaded = [memory_mb(s.process.popen.pid) for s in stack.servers]
        with stack.client() as warm:
            warm.post("/api/ask", json={"question": questions[0]})
        result = load(stack, questions, clients, seconds)
        return {
            "processes": count,
            "ready_after_seconds": ready_after,
            "memory_when_ready_mb": loaded,
            "memory_after_load_mb": [memory_mb(s.process.popen.pid) for s in stack.servers],
            "chroma_mb": memory_mb(stack.chroma.popen.pid),
            "nginx_mb": tree_memory_mb(stack.nginx.popen.pid),
            **result,
        }


def table(results: list[dict]) -> str:
    rows = [
        "| processes | ready after (s) | RSS / USS when ready (MB) | RSS / USS / peak after load (MB) "
        "| chroma RSS (MB) | nginx RSS (MB) | answers/s | p50 / p95 (ms) | statuses |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ready = ", ".join(f"{m['rss']:.0f} / {m['uss']:.0f}" for m in r["memory_when_ready_mb"])
        after = ", ".join(f"{m['rss']:.0f} / {m['uss']:.0f} / {m['peak']:.0f}" for m in r["memory_after_load_mb"])
        rows.append(
            f"| {r['processes']} | {', '.join(map(str, r['ready_after_seconds']))} | {ready} | {after} "
            f"| {r['chroma_mb']['rss']:.0f} | {r['nginx_mb']:.0f} | {r['answers_per_second']} "
            f"| {r['p50_ms']} / {r['p95_ms']} | {r['statuses']} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", default="1,2", help="numbers of API processes to measure, comma-separated")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-deploy-"))
    try:
        index, models = work / "chroma", work / "models"
        index.mkdir()
        (work / "install").mkdir()
        no_models = {"PLAN_ASSISTANT_MODEL_CACHE_DIR": str(models)}
        with running_stack(work / "install", ROOT / "corpus", index, servers=0, settings=no_models) as stack:
            first = ingest(stack)  # empty index, no model files: a new server's first ingest
            again = ingest(stack)  # nothing changed: what an upgrade's ingest costs
        print(f"first ingest (models exported, everything embedded): {first['seconds']} s: {first['report']}")
        print(f"ingest again, nothing changed: {again['seconds']} s: {again['report']}")
        results = []
        for count in (int(n) for n in args.servers.split(",")):
            (work / f"run-{count}").mkdir()
            results.append(run_servers(work / f"run-{count}", index, models, count, args.clients, args.seconds))
        print(f"\n{args.clients} clients for {args.seconds:.0f} s through nginx (HTTPS), {os.cpu_count()} cores:\n")
        print(table(results))
        OUT.mkdir(parents=True, exist_ok=True)
        summary = {"first_ingest": first, "ingest_again": again, "servers": results}
        (OUT / "deploy.json").write_text(json.dumps(summary, indent=2))
        print(f"\nwrote {OUT / 'deploy.json'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
