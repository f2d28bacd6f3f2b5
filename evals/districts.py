"""The new-district split: six fictional districts' plans and parents' questions about them, written
by the team in its own words (evals/districts/<slug>/), never tuned on.

Each district is scored on its own corpus, as the district would run the assistant, and mixed into
one corpus with PUSD's documents, where a question that names its district, document or year must
be answered from it. The published files in each `corpus/` folder are built from the Markdown
sources by scripts/build_districts.py and committed.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from assistant.embedding import Embedder
from assistant.settings import Settings
from evals.dataset import Conversation, Question, load_conversations, load_questions
from ingest.corpus import MANIFEST, read_corpus_manifest

DISTRICTS = Path(__file__).parent / "districts"
# The rows of run_district_sets and their groups in the evaluation's summary: "nd/all" is every
# district on its own corpus, "mix-named/all" the questions that name their district, document or
# year asked of the mixed corpus.
DISTRICT_GROUPS = {"districts": "nd/", "districts-conv": "nd-conv/", "mixed": "mix/", "mixed-named": "mix-named/"}


@dataclass(frozen=True)
class DistrictSet:
    slug: str
    corpus_dir: Path
    questions: list[Question]
    conversations: list[Conversation]


def load_district_sets(root: Path = DISTRICTS) -> list[DistrictSet]:
    """Every district folder under `root` that has a built corpus, its questions (every
    questions*.jsonl: batches written at different times, each before any run) and conversations."""
    sets = []
    for folder in sorted(p for p in root.iterdir() if (p / "corpus" / MANIFEST).is_file()):
        conversations = folder / "conversations.jsonl"
        sets.append(
            DistrictSet(
                folder.name,
                folder / "corpus",
                [q for batch in sorted(folder.glob("questions*.jsonl")) for q in load_questions(batch, split="test")],
                load_conversations(conversations) if conversations.is_file() else [],
            )
        )
    return sets


def mixed_corpus(corpora: list[Path], target: Path) -> Path:
    """One corpus folder holding the documents of several corpora, its manifest naming every
    district and each document's. File names must not collide."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    districts, documents = [], []
    for corpus in corpora:
        manifest = read_corpus_manifest(corpus)
        districts += [d.model_dump() for d in manifest.all_districts()]
        for entry in manifest.documents:
            documents.append(entry.model_dump(exclude_none=True) | {"district": manifest.district_of(entry)})
            shutil.copy2(corpus / entry.file, target / entry.file)
    (target / MANIFEST).write_text(json.dumps({"districts": districts, "documents": documents}, indent=2), "utf-8")
    return target


def _named(rows: list[dict], questions: list[Question]) -> list[dict]:
    named = {q.id for q in questions if q.names}
    return [row for row in rows if row["id"] in named]


def run_district_sets(
    settings: Settings,
    embedders: dict[str, Embedder],
    sets: list[DistrictSet],
    work_dir: Path,
    with_baseline: bool = True,
) -> dict[str, list[dict]]:
    """Score every district on its own corpus (`districts`, `districts-conv`), then all of them
    mixed into one corpus with the settings' own (`mixed`; `mixed-named`: the questions that name
    their district, document or year), with the tutorial baseline beside ours."""
    from evals.baseline import TutorialBaseline
    from evals.runner import assistant_on, run_baseline, run_conversations, run_ours

    rows: dict[str, list[dict]] = {name: [] for name in ("districts", "districts-conv", "mixed", "mixed-named")}
    if with_baseline:
        rows |= {"districts-baseline": [], "mixed-baseline": [], "mixed-named-baseline": []}
    questions = [q for district in sets for q in district.questions]
    for district in sets:
        assistant, _ = assistant_on(settings, embedders, district.corpus_dir, work_dir / district.slug)
        rows["districts"] += run_ours(assistant, district.questions, district.corpus_dir)
        rows["districts-conv"] += run_conversations(assistant, district.conversations, district.corpus_dir)
        if with_baseline:
            rows["districts-baseline"] += run_baseline(TutorialBaseline(district.corpus_dir), district.questions)
    corpus = mixed_corpus([settings.corpus_dir, *(d.corpus_dir for d in sets)], work_dir / "mixed" / "corpus")
    mixed, _ = assistant_on(settings, embedders, corpus, work_dir / "mixed")
    rows["mixed"] = run_ours(mixed, questions, corpus)
    rows["mixed-named"] = _named(rows["mixed"], questions)
    if with_baseline:
        rows["mixed-baseline"] = run_baseline(TutorialBaseline(corpus), questions)
        rows["mixed-named-baseline"] = _named(rows["mixed-baseline"], questions)
    return rows
