"""Probe batches: questions written the way parents ask, one a line, run as they are.

python -m evals.probe evals/probes/exists-unanswerable.txt

Prints each question's confidence and the answer's first quote (or REFUSED), then how many were
refused. A batch is written before it is run, and is not scored in the gated evaluation: it
shows how a rule or a change does on questions nobody tuned it on (README, "Refusal").
"""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.embedding import build_embedders
from assistant.service import PlanAssistant
from assistant.settings import Settings


def main(paths: list[str]) -> int:
    settings = Settings()
    assistant = PlanAssistant(settings, build_embedders(settings.embedding_models, settings.model_cache_dir))
    for path in paths:
        questions = [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
        refused = 0
        for question in questions:
            answer = assistant.ask(question)
            refused += not answer.grounded
            first = answer.answer.splitlines()[1][:110] if answer.grounded else "REFUSED"
            print(f"[{answer.confidence:.2f}] {question} -> {first}")
        print(f"{path}: refused {refused} of {len(questions)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
