"""Training examples: every training question asked of its own district's corpus, with each
candidate passage's features and whether it answers.

Each training district is ingested into its own data folder (as the district would run the
assistant); conversations are asked turn by turn with the assistant's own earlier answers as
history, as the evaluation asks them. A candidate answers when it shows one of the question's
expected passages, in its heading path or its text, or in its translation's (a Spanish question
answered by a district's Spanish translation names the Spanish words).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.embedding import Embedder
from assistant.index.state import Passage
from assistant.rank.features import candidate_features, candidates
from assistant.retrieve import Gathered
from assistant.schemas import Turn
from assistant.service import PlanAssistant
from assistant.settings import Settings
from evals.dataset import Question
from evals.districts import DistrictSet, load_district_sets
from evals.metrics import matches
from evals.runner import assistant_on

TRAINING = Path(__file__).resolve().parent.parent / "training" / "districts"


@dataclass
class Example:
    """One question asked of its district's corpus: its candidates' features and labels."""

    question: Question
    district: str
    pids: list[str]
    features: np.ndarray  # one row per candidate
    labels: np.ndarray  # 1 where the candidate answers
    gathered: Gathered  # what retrieval found (any ranker can rank it again)


def answers(passage_texts: list[tuple[str, str]], expected: list[str]) -> bool:
    return any(matches({"section": section, "text": text}, e) for section, text in passage_texts for e in expected)


def shown_texts(passage: Passage) -> list[tuple[str, str]]:
    """A passage's heading path and text, and its translation's: what a citation shows."""
    shown = [(passage.section, passage.text)]
    if passage.translation is not None:
        shown.append((passage.translation.section, passage.translation.text))
    return shown


def district_assistant(district: DistrictSet, settings: Settings, embedders: dict[str, Embedder], work: Path):  # type: ignore[no-untyped-def]
    """The district's corpus ingested into its own data folder under `work`, and an assistant on it."""
    assistant, _ = assistant_on(settings, embedders, district.corpus_dir, work / district.slug)
    return assistant


def examples_of(district: DistrictSet, assistant: PlanAssistant) -> list[Example]:
    """Every question and conversation turn of the district, asked of its assistant."""
    models = list(assistant.settings.embedding_models)
    asked: list[tuple[Question, list[Turn]]] = [(q, []) for q in district.questions]
    examples = []
    for conversation in district.conversations:
        history: list[Turn] = []
        for turn in conversation.questions():
            asked.append((turn, list(history)))
            answer = assistant.ask(turn.question, history)
            history += [Turn(role="user", content=turn.question), Turn(role="assistant", content=answer.answer)]
    for question, history in asked:
        query = assistant.read(question.question, history)
        gathered = assistant.retriever.gather(query)
        pids = candidates(gathered)
        features = candidate_features(gathered, pids, models)
        labels = np.array(
            [float(question.answerable and answers(shown_texts(gathered.passage(p)), question.passages)) for p in pids]
        )
        examples.append(Example(question, district.slug, pids, features, labels, gathered))
    return examples


def training_examples(
    settings: Settings, embedders: dict[str, Embedder], work: Path, root: Path = TRAINING
) -> list[Example]:
    """Every training district's examples (ingesting each district's corpus first)."""
    examples = []
    for district in load_district_sets(root):
        examples += examples_of(district, district_assistant(district, settings, embedders, work))
    return examples
