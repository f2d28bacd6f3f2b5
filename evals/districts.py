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

from evals.dataset import Conversation, Question, load_conversations, load_questions
from ingest.corpus import MANIFEST, read_corpus_manifest

DISTRICTS = Path(__file__).parent / "districts"


@dataclass(frozen=True)
class DistrictSet:
    slug: str
    corpus_dir: Path
    questions: list[Question]
    conversations: list[Conversation]


def load_district_sets(root: Path = DISTRICTS) -> list[DistrictSet]:
    """Every district folder under `root` that has a built corpus, its questions and conversations."""
    sets = []
    for folder in sorted(p for p in root.iterdir() if (p / "corpus" / MANIFEST).is_file()):
        conversations = folder / "conversations.jsonl"
        sets.append(
            DistrictSet(
                folder.name,
                folder / "corpus",
                load_questions(folder / "questions.jsonl", split="test"),
                load_conversations(conversations) if conversations.is_file() else [],
            )
        )
    return sets


def mixed_corpus(corpora: list[Path], target: Path) -> Path:
    """One corpus folder holding the documents of several corpora, its manifest naming every
    district and each document's. File names must not collide."""
    target.mkdir(parents=True, exist_ok=True)
    districts, documents = [], []
    for corpus in corpora:
        manifest = read_corpus_manifest(corpus)
        districts += [d.model_dump() for d in manifest.all_districts()]
        for entry in manifest.documents:
            documents.append(entry.model_dump(exclude_none=True) | {"district": manifest.district_of(entry)})
            shutil.copy2(corpus / entry.file, target / entry.file)
    (target / MANIFEST).write_text(json.dumps({"districts": districts, "documents": documents}, indent=2), "utf-8")
    return target
