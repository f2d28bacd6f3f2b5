"""Grid search of the alignment verdict thresholds on the dev proposals (the test split stays unseen).

python -m evals.sweep_alignment          # prints the best settings on dev, best first
python -m evals.sweep_alignment --ceiling  # how many labelled goals the ranking itself puts in its top k
"""

from __future__ import annotations

import itertools
import sys
from statistics import mean

from assistant.embedding import build_embedders
from assistant.service import PlanAssistant
from assistant.settings import Settings
from evals.alignment import alignment_breakdown, run_alignment
from evals.dataset import load_proposals

GRID: dict[str, list[float]] = {
    "align_term_bonus": [0.0, 0.04, 0.06, 0.1, 0.15],
    "align_partial": [0.04, 0.06, 0.08, 0.10, 0.12],
    "gap": [0.05, 0.1],
    "align_max_goals": [4, 5],
}


def main() -> int:
    base = Settings()
    assistant = PlanAssistant(base, build_embedders(base.embedding_models, base.model_cache_dir))
    dev = [p for p in load_proposals() if p.split == "dev"]
    rows = []
    for bonus, partial, gap, most in itertools.product(*GRID.values()):
        update = {"align_term_bonus": bonus, "align_partial": partial, "align_aligned": partial + gap}
        settings = base.model_copy(update=update | {"align_max_goals": most})
        assistant.aligner._settings = settings
        metrics = alignment_breakdown(run_alignment(assistant, dev))["align"]
        rows.append((metrics["recall_at_5"] + metrics["precision_at_5"], bonus, partial, gap, most, metrics))
    print("recall+precision | term bonus | partial | aligned - partial | max goals | dev metrics")
    for row in sorted(rows, key=lambda r: -r[0])[:10]:
        print(f"{row[0]:.4f} | {row[1]:.2f} | {row[2]:.2f} | {row[3]:.2f} | {row[4]} | {row[5]}")
    return 0


def ceiling() -> int:
    """Recall of the labelled goals within the top k of the ranking with no verdict threshold and
    no cap: no choice of thresholds can give a recall@5 above the one printed for k = 5."""
    base = Settings()
    loose = base.model_copy(update={"align_partial": -10.0, "align_near_margin": 0.0, "align_max_goals": 30})
    assistant = PlanAssistant(loose, build_embedders(base.embedding_models, base.model_cache_dir))
    rows = [row for row in run_alignment(assistant, load_proposals()) if row["expected"]]
    print("split | proposals | " + " | ".join(f"recall in top {k}" for k in (3, 5, 10)))
    for split in ("dev", "test", "all"):
        group = [row for row in rows if split in ("all", row["split"])]
        recalls = [
            mean(mean(goal in row["returned"][:k] for goal in row["expected"]) for row in group) for k in (3, 5, 10)
        ]
        print(f"{split} | {len(group)} | " + " | ".join(f"{r:.3f}" for r in recalls))
    return 0


if __name__ == "__main__":
    raise SystemExit(ceiling() if "--ceiling" in sys.argv[1:] else main())
