"""A district's whole plan library: ingest and answer at 100, 1,000 and 3,000 pages.

    nice -n 19 .venv/bin/python bench/bench_scale.py [--pages 100,1000,3000] [--out bench/out/scale.json]
        [--chroma-server] [--questions 60] [--seed 7] [--report docs/scale.md]

For each size, a corpus is published from the training districts (bench/scale_corpus.py: PDFs with
running headers and tables, web pages, Word files, Markdown, Spanish translations, and one plan of
about 50 pages), and each step runs as its own process, as an operator runs it:
- `python -m assistant.cli ingest`: full ingest, then again with nothing changed, then again after
  the 50-page document's next edition replaced it: seconds, peak RSS of that process (wait4), rows
  embedded (the ingest's own report);
- the index's size on disk (du of the data folder, or of the Chroma server's folder);
- `python -m assistant.cli serve` (uvicorn) on loopback: seconds until /api/ready answers, then
  --questions training questions (renamed to the corpus's districts) asked one after another over
  HTTP after a warm-up, /api/ask latency p50/p95, and the server's RSS and peak RSS after them;
- the tutorial chain (evals/baseline.py, bench/scale_tutorial.py) on the same corpus: ingest
  seconds and query time.
With --chroma-server, the ingests and the server use a `chroma run` server on loopback
(PLAN_ASSISTANT_CHROMA_HOST/PORT), whose RSS is reported too. Writes --out and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import commit, free_port, rss_mb  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))

import scale_corpus  # noqa: E402

PYTHON = sys.executable
OUT = ROOT / "bench" / "out"


def run_child(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Seconds, peak RSS in MB (this process alone, from wait4) and stdout of one command."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, stdout  # ru_maxrss is in KiB on Linux


def ingest(env: dict[str, str]) -> dict[str, float | int]:
    seconds, peak, stdout = run_child([PYTHON, "-m", "assistant.cli", "ingest"], env)
    embedded = re.search(r"embedded (\d+) new rows", stdout)
    chunks = re.search(r"chunks (\d+) \| units (\d+)", stdout)
    report = {
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak),
        "embedded": int(embedded.group(1)) if embedded else -1,
    }
    if chunks:
        report |= {"chunks": int(chunks.group(1)), "units": int(chunks.group(2))}
    return report


def du_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 1)


def _post(url: str, question: str) -> float:
    request = urllib.request.Request(
        url, data=json.dumps({"question": question}).encode(), headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as reply:
        reply.read()
        assert reply.status == 200, reply.status
    return time.perf_counter() - started


def serve_and_ask(env: dict[str, str], questions: list[str]) -> dict[str, float]:
    """A real server on loopback: time to ready, then each question once over HTTP after a warm-up."""
    port = free_port()
    command = [PYTHON, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    started = time.perf_counter()
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if server.poll() is not None:
                raise SystemExit("the server stopped before it was ready")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/ready", timeout=5) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            time.sleep(0.5)
        ready = time.perf_counter() - started
        url = f"http://127.0.0.1:{port}/api/ask"
        for question in questions[:10]:  # warm: first queries fill caches
            _post(url, question)
        latencies = [_post(url, question) for question in questions]
        memory = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    p95 = statistics.quantiles(latencies, n=20)[18]
    return {
        "ready_s": round(ready, 1),
        "ask_p50_ms": round(1000 * statistics.median(latencies), 1),
        "ask_p95_ms": round(1000 * p95, 1),
        "server_rss_mb": memory["rss_mb"],
        "server_peak_rss_mb": memory["peak_rss_mb"],
    }


def questions_for(count: int, seed: int) -> list[str]:
    """Training questions, their district's names replaced by the first copy's (bench/scale_corpus.py)."""
    copy = scale_corpus._district(0)
    asked = []
    for folder in sorted(scale_corpus.SOURCES.iterdir()):
        if not (folder / "questions.jsonl").is_file():
            continue
        district = json.loads((folder / "district.json").read_text(encoding="utf-8"))
        for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines():
            question = json.loads(line)["question"]
            asked.append(scale_corpus._rename(question, district, copy["name"], copy["short_names"][0]))
    random.Random(seed).shuffle(asked)
    return asked[:count]


def chroma_server(folder: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    chroma = str(Path(PYTHON).parent / "chroma")
    command = [chroma, "run", "--path", str(folder), "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2):
                return server, port
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("chroma run did not start")


def measure(pages: int, args: argparse.Namespace, work: Path) -> dict[str, object]:
    corpus, data = work / "corpus", work / "data"
    started = time.perf_counter()
    built = scale_corpus.build_corpus(corpus, pages, args.seed)
    result: dict[str, object] = {"pages": pages, "corpus": built, "publish_s": round(time.perf_counter() - started, 1)}
    # The machine may be shared (CI runs on the same cores): the load says how much of it this had.
    result["load_average_at_start"] = round(os.getloadavg()[1], 1)
    env = {**os.environ, "PLAN_ASSISTANT_CORPUS_DIR": str(corpus), "PLAN_ASSISTANT_DATA_DIR": str(data)}
    env |= {"PLAN_ASSISTANT_MODEL_CACHE_DIR": str(args.model_cache), "PLAN_ASSISTANT_RATE_LIMIT_ASK": "1000000/minute"}
    chroma = None
    index_dir = data
    if args.chroma_server:
        index_dir = work / "chroma-server"
        chroma, port = chroma_server(index_dir)
        env |= {"PLAN_ASSISTANT_CHROMA_HOST": "127.0.0.1", "PLAN_ASSISTANT_CHROMA_PORT": str(port)}
    try:
        result["ingest"] = ingest(env)
        result["index_mb"] = du_mb(index_dir)
        result["reingest_unchanged"] = ingest(env)
        scale_corpus.change_big_document(corpus)
        result["reingest_one_changed"] = ingest(env)
        questions = questions_for(args.questions, args.seed)
        result["serve"] = serve_and_ask(env, questions)
        if chroma is not None:
            result["chroma_server"] = rss_mb(chroma.pid)
    finally:
        if chroma is not None:
            chroma.terminate()
            chroma.wait(timeout=30)
    if not args.no_tutorial:
        asked = work / "questions.json"
        asked.write_text(json.dumps(questions_for(args.questions, args.seed)), encoding="utf-8")
        command = [PYTHON, str(ROOT / "bench" / "scale_tutorial.py"), str(corpus), str(asked)]
        try:
            seconds, peak, stdout = run_child(command, env)
        except SystemExit as failed:  # the size's own figures are kept; the table shows "-" for the chain
            result["tutorial_error"] = str(failed)[-500:]
        else:
            result["tutorial"] = json.loads(stdout.strip().splitlines()[-1]) | {"peak_rss_mb": round(peak)}
    return result


ROWS = (
    ("corpus documents", lambda r: r["corpus"]["documents"]),
    ("load average at start (5 min)", lambda r: r["load_average_at_start"]),
    ("full ingest (s)", lambda r: r["ingest"]["seconds"]),
    ("rows embedded (both models)", lambda r: r["ingest"]["embedded"]),
    ("ingest peak RSS (MB)", lambda r: r["ingest"]["peak_rss_mb"]),
    ("index on disk (MB)", lambda r: r["index_mb"]),
    ("unchanged re-ingest (s)", lambda r: r["reingest_unchanged"]["seconds"]),
    ("unchanged re-ingest: rows embedded", lambda r: r["reingest_unchanged"]["embedded"]),
    ("one 50-page document changed (s)", lambda r: r["reingest_one_changed"]["seconds"]),
    ("one 50-page document changed: rows embedded", lambda r: r["reingest_one_changed"]["embedded"]),
    ("server ready (s)", lambda r: r["serve"]["ready_s"]),
    ("warm /api/ask p50 over HTTP (ms)", lambda r: r["serve"]["ask_p50_ms"]),
    ("warm /api/ask p95 over HTTP (ms)", lambda r: r["serve"]["ask_p95_ms"]),
    ("server RSS / peak (MB)", lambda r: f"{r['serve']['server_rss_mb']} / {r['serve']['server_peak_rss_mb']}"),
    (
        "chroma server RSS / peak (MB)",
        lambda r: f"{r['chroma_server']['rss_mb']} / {r['chroma_server']['peak_rss_mb']}",
    ),
    ("tutorial chain ingest (s)", lambda r: r["tutorial"]["ingest_s"]),
    (
        "tutorial chain query p50 / p95 (ms)",
        lambda r: f"{r['tutorial']['query_p50_ms']} / {r['tutorial']['query_p95_ms']}",
    ),
    ("tutorial chain ingest peak RSS (MB)", lambda r: r["tutorial"]["peak_rss_mb"]),
)


def table(results: list[dict]) -> str:
    lines = ["| pages | " + " | ".join(str(r["corpus"]["pages"]) for r in results) + " |"]
    lines.append("|---|" + "---:|" * len(results))
    for name, value in ROWS:
        cells = []
        for result in results:
            try:
                cells.append(str(value(result)))
            except KeyError:
                cells.append("-")
        if any(cell != "-" for cell in cells):
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


PREFACE = """# A district's whole plan library: ingest and answers at scale

Generated by `bench/bench_scale.py --report docs/scale.md`. The script publishes a plan library of
N pages from the training districts' sources (`bench/scale_corpus.py`: PDFs with running headers,
page footers and tables, web pages, Word files, Markdown, Spanish translations, and one plan of
about 50 printed pages; a page is a printed page of a PDF, or 400 words), then runs each step as
its own process: a full ingest, an ingest with nothing changed, an ingest after the 50-page plan's
next edition replaced it, a real server (`python -m assistant.cli serve`) asked training questions
over HTTP on loopback after a warm-up, and the tutorial chain (`evals/baseline.py`) on the same
corpus. Peak memory is the process's own peak RSS (wait4), the index size the data folder's files.
The machine has 2 cores; the 5-minute load average at the start of each size is in the table.
The same with the index in a Chroma server: [scale-chroma-server.md](scale-chroma-server.md); PUSD's
answers inside such a library: [scale-eval.md](scale-eval.md) (each plan under its own district,
PUSD's widget answering from PUSD's plans) and [scale-eval-own-library.md](scale-eval-own-library.md)
(every plan labelled as PUSD's own).

"""

BARS = (  # issue 24's bars at 1,000 pages: (row, test, the bar in words)
    ("full ingest (s)", lambda r: r["ingest"]["seconds"] <= 300, "at most 300 s"),
    ("ingest peak RSS (MB)", lambda r: r["ingest"]["peak_rss_mb"] <= 2048, "at most 2 GB"),
    ("unchanged re-ingest (s)", lambda r: r["reingest_unchanged"]["seconds"] <= 20, "at most 20 s"),
    ("unchanged re-ingest: rows embedded", lambda r: r["reingest_unchanged"]["embedded"] == 0, "0"),
    ("one 50-page document changed (s)", lambda r: r["reingest_one_changed"]["seconds"] <= 30, "at most 30 s"),
    ("warm /api/ask p95 over HTTP (ms)", lambda r: r["serve"]["ask_p95_ms"] <= 100, "at most 100 ms"),
    ("server RSS / peak (MB)", lambda r: r["serve"]["server_peak_rss_mb"] <= 2048, "at most 2 GB"),
)


def page(results: list[dict], command: str, chroma_server: bool) -> str:
    where = " with the index in a Chroma server (`chroma run`)" if chroma_server else ""
    lines = [f"Measured at commit {commit()}{where}:", "", f"    {command}", ""]
    lines += [table(results), ""]
    for result in results:
        if result["corpus"]["pages"] < 1000:
            continue
        pages = result["corpus"]["pages"]
        if pages < 2000:
            lines.append(f"Issue 24's bars at {pages} pages:")
        else:  # the issue sets its bars at 1,000 pages and asks only for figures at 3,000
            lines.append(f"Issue 24's 1,000-page bars, beside the figures at {pages} pages (no bar is set there):")
        lines.append("")
        values = dict(ROWS)
        for name, test, bar in BARS:
            lines.append(f"- {name}: {values[name](result)} (bar: {bar}): {'met' if test(result) else 'not met'}")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default="100,1000,3000", help="corpus sizes, comma-separated")
    parser.add_argument("--out", type=Path, default=OUT / "scale.json")
    parser.add_argument("--chroma-server", action="store_true", help="store the index in a `chroma run` server")
    parser.add_argument("--questions", type=int, default=60, help="questions asked over HTTP per size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model-cache", type=Path, default=ROOT / ".data" / "models")
    parser.add_argument("--no-tutorial", action="store_true", help="skip the tutorial chain")
    parser.add_argument("--report", type=Path, help="also write the figures as a page (docs/scale.md)")
    args = parser.parse_args()
    results = []
    for pages in (int(p) for p in args.pages.split(",")):
        work = Path(tempfile.mkdtemp(prefix=f"bench-scale-{pages}-"))
        try:
            results.append(measure(pages, args, work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        report = {"chroma_server": args.chroma_server, "cores": os.cpu_count(), "results": results}
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")  # each size as it ends
        print(f"{pages} pages done", file=sys.stderr)
    text = page(results, " ".join(["python bench/bench_scale.py", *sys.argv[1:]]), args.chroma_server)
    print(text)
    if args.report:
        args.report.write_text(PREFACE + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
