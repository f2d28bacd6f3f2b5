"""The selection set for what a question naming its district, document or year gets: the training
districts' questions that name one (`names` in their questions files), asked of one corpus holding
every training district's plans and PUSD's, as the evaluation's mixed corpus holds the new
districts'. Training data, never an evaluation set: settings are chosen on it before a held-out run.

    .venv/bin/python -m learn.named_selection WORK [--rows FILE]

Prints how many questions, then the share whose first citation is from the right document, hit@1,
hit@3, and the shares answered right and answered wrong. Settings come from the environment
(PLAN_ASSISTANT_*), so `PLAN_ASSISTANT_NAMED_DOCUMENT_WEIGHT=3 ...` measures another weight.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.embedding import build_embedders
from assistant.settings import Settings
from evals.districts import load_district_sets, mixed_corpus
from evals.metrics import answered_right, answered_wrong, document_hit_at_1, hit_at
from evals.runner import assistant_on, run_ours, write_rows
from learn.examples import TRAINING

PUSD = Path(__file__).resolve().parent.parent / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("work", type=Path, help="a folder for the mixed corpus and its index")
    parser.add_argument("--rows", type=Path, help="also write each question's scored answer here (JSON lines)")
    args = parser.parse_args()
    sets = load_district_sets(TRAINING)
    corpus = mixed_corpus([PUSD, *(d.corpus_dir for d in sets)], args.work / "corpus")
    settings = Settings()
    embedders = build_embedders(settings.embedding_models, settings.model_cache_dir)
    assistant, _ = assistant_on(settings, embedders, corpus, args.work / "data")
    questions = [q for district in sets for q in district.questions if q.names]
    rows = run_ours(assistant, questions, corpus)
    if args.rows:
        write_rows(args.rows, rows)
    figures = (document_hit_at_1(rows), hit_at(rows, 1), hit_at(rows, 3), answered_right(rows), answered_wrong(rows))
    print(f"{len(rows)} questions: right document / hit@1 / hit@3 / answered right / answered wrong")
    print(" / ".join(f"{x:.3f}" for x in figures))


if __name__ == "__main__":
    main()
