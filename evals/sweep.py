"""Grid search of chunk size and fusion weights on the dev split (the test split stays unseen).

python -m evals.sweep            # prints a table, best first; pick, then set the defaults
python -m evals.sweep glossary_weight=0,0.5 label_weight=0,1   # query-side settings, current index
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

from assistant.decide.model import ConfidenceModel
from assistant.embedding import build_embedders, model_name
from assistant.service import PlanAssistant
from assistant.settings import Settings
from evals.dataset import load_conversations, load_questions
from evals.metrics import hit_at, mrr
from evals.runner import run_conversations, run_ours
from ingest.run import run_ingest

NEVER_REFUSE = ConfidenceModel((), (), (), (), 0.0, 0.0, 0.0, "sweep: every answer counts as answered")
GRID: dict[str, list] = {
    "chunk_max_words": [30, 60, 100],
    "rrf_k": [5, 20, 60],
    "dense_weight": [0.5, 1.0],
    "unit_weight": [0.5, 1.0],
    "keyword_weight": [0.5, 1.0, 2.0],
    "heading_weight": [0.0, 0.5, 1.0, 2.0],
}


def main() -> int:
    base = Settings()
    embedders = build_embedders(base.embedding_models, base.model_cache_dir)
    dev = [q for q in load_questions() if q.split == "dev"]
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for size in GRID["chunk_max_words"]:
            settings = base.model_copy(update={"data_dir": Path(scratch) / str(size), "chunk_max_words": size})
            run_ingest(settings, lambda key: embedders[key], model_name, progress=False)
            for rrf_k, dense, unit, keyword, heading in itertools.product(
                GRID["rrf_k"], GRID["dense_weight"], GRID["unit_weight"], GRID["keyword_weight"], GRID["heading_weight"]
            ):
                update = {"rrf_k": rrf_k, "dense_weight": dense, "unit_weight": unit, "keyword_weight": keyword}
                tuned = settings.model_copy(update=update | {"heading_weight": heading})
                # Retrieval quality alone (never refuse): refusals are calibrated on the chosen setting.
                results = run_ours(PlanAssistant(tuned, embedders, NEVER_REFUSE), dev, tuned.corpus_dir)
                rows.append(
                    (hit_at(results, 1), mrr(results), hit_at(results, 3), size, rrf_k, dense, unit, keyword, heading)
                )
    rows.sort(reverse=True)
    best_per_size = [next(r for r in rows if r[3] == size) for size in GRID["chunk_max_words"]]
    print("hit@1  mrr    hit@3  words rrf_k dense unit keyword heading")
    for row in rows[:10] + best_per_size:
        print("{:.3f}  {:.3f}  {:.3f}  {:5d} {:5d} {:5.1f} {:4.1f} {:7.1f} {:7.1f}".format(*row))
    return 0


def grid(specs: list[str]) -> int:
    """hit@1 / hit@3 of the dev questions (English, Spanish) and of the dev conversation turns for
    every combination of the settings given as name=v1,v2,... (no re-ingest: query-side settings)."""
    base = Settings()
    axes = {name: [float(v) for v in values.split(",")] for name, values in (spec.split("=", 1) for spec in specs)}
    embedders = build_embedders(base.embedding_models, base.model_cache_dir)
    dev = [q for q in load_questions() if q.split == "dev"]
    conversations = [c for c in load_conversations() if c.split == "dev"]
    print(" ".join(axes), "| en hit@1 hit@3 | es hit@1 hit@3 | conv hit@1 hit@3")
    for values in itertools.product(*axes.values()):
        tuned = base.model_copy(update=dict(zip(axes, values)))
        assistant = PlanAssistant(tuned, embedders, NEVER_REFUSE)
        rows = run_ours(assistant, dev, tuned.corpus_dir)
        turns = run_conversations(assistant, conversations, tuned.corpus_dir)
        groups = [[r for r in rows if r["lang"] == lang] for lang in ("en", "es")] + [turns]
        cells = " | ".join(f"{hit_at(g, 1):.3f} {hit_at(g, 3):.3f}" for g in groups)
        print(" ".join(f"{v:g}" for v in values), "|", cells)
    return 0


if __name__ == "__main__":
    sys.exit(grid(sys.argv[1:]) if sys.argv[1:] else main())
