"""The tutorial chain (evals/baseline.py) on a bench corpus, run as its own process by bench_scale.py.

    python bench/scale_tutorial.py CORPUS_DIR QUESTIONS_JSON

Prints one JSON line: its ingest seconds (read, split, embed, write to Chroma), its chunk count and
the median and 95th percentile of its query time (similarity search, in process, no HTTP).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evals.baseline import TutorialBaseline  # noqa: E402


def main(corpus: Path, questions_file: Path) -> int:
    questions = json.loads(questions_file.read_text(encoding="utf-8"))
    started = time.perf_counter()
    baseline = TutorialBaseline(corpus)
    ingest = time.perf_counter() - started
    baseline.store.similarity_search(questions[0], k=4)  # warm, as the server is warmed
    times = []
    for question in questions:
        begun = time.perf_counter()
        baseline.store.similarity_search(question, k=4)
        times.append(time.perf_counter() - begun)
    quantiles = statistics.quantiles(times, n=20)
    report = {"ingest_s": round(ingest, 1), "chunks": baseline.chunk_count}
    report |= {
        "query_p50_ms": round(1000 * statistics.median(times), 1),
        "query_p95_ms": round(1000 * quantiles[18], 1),
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
