"""How well the insights' topic grouping (assistant/topics.py) separates labelled questions, over a
grid of distance cuts: the number of topics found, homogeneity (no topic mixes two labels),
completeness (no label split across topics) and the adjusted Rand index, from scikit-learn.

    .venv/bin/python bench/bench_topics.py [bench/topic_dev_questions.txt] [--cuts 0.4,0.5,...]

The file holds one "label<TAB>question" a line (# comments). The dev list chose
settings.topic_distance; run it on tests/store/unanswerable_questions.txt to see the held-out list.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, completeness_score, homogeneity_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.embedding import build_embedder  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.topics import cluster  # noqa: E402


def read_labelled(path: Path) -> tuple[list[str], list[str]]:
    labels, questions = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, question = line.split("\t", 1)
            labels.append(label)
            questions.append(question)
    return labels, questions


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?", type=Path, default=ROOT / "bench" / "topic_dev_questions.txt")
    parser.add_argument("--cuts", default="0.3,0.4,0.5,0.55,0.6,0.65,0.7,0.8")
    args = parser.parse_args()
    labels, questions = read_labelled(args.file)
    settings = Settings()
    vectors = build_embedder("minilm", ROOT / ".data" / "models").embed_documents(questions)
    served = settings.topic_distance
    print(f"{len(questions)} questions, {len(set(labels))} labels ({args.file.name}); served cut {served}")
    print("| cut | topics | homogeneity | completeness | adjusted Rand |\n|---|---|---|---|---|")
    for cut in (float(c) for c in args.cuts.split(",")):
        found = cluster(np.asarray(vectors), cut)
        print(
            f"| {cut} | {len(set(found))} | {homogeneity_score(labels, found):.3f} "
            f"| {completeness_score(labels, found):.3f} | {adjusted_rand_score(labels, found):.3f} |"
        )


if __name__ == "__main__":
    main()
