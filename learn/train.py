"""`plan-assistant train`: fit the learned ranker and the confidence model on the training
districts, and report how they do on districts they never saw (leave one district out).

Writes assistant/rank/ranker.json and assistant/decide/confidence.json (committed, so every refit
is a reviewed change). The training districts are ingested into their own data folders under
`<data_dir>/training/`, named by the embedding models, so a change of model re-ingests them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.decide.model import ConfidenceModel
from assistant.embedding import Embedder
from assistant.rank import FusionRanker, Ranker
from assistant.rank.features import feature_names
from assistant.rank.learned import LearnedRanker
from assistant.settings import Settings
from learn.confidence import MAX_WRONG_ANSWERED, MIN_REFUSED, Row, confidence_rows, fit_confidence, thresholds
from learn.examples import Example, training_examples
from learn.ranker import cross_validate, fit_ranker


def work_dir(settings: Settings, embedders: dict[str, Embedder]) -> Path:
    names = "\n".join(embedders[key].name for key in settings.embedding_models)
    return settings.data_dir / "training" / hashlib.sha256(names.encode()).hexdigest()[:10]


def _fusion_top(examples: Sequence[Example], names: list[str]) -> float:
    fusion = names.index("fusion")
    answerable = [e for e in examples if e.question.answerable and len(e.pids)]
    return float(np.mean([e.labels[int(np.argmax(e.features[:, fusion]))] > 0 for e in answerable]))


def reliability(probabilities: np.ndarray, rows: Sequence[Row]) -> list[tuple[str, int, float, float]]:
    """(band, questions, mean predicted, share whose first passage answers) by band of probability."""
    correct = np.array([row.correct for row in rows])
    bands = []
    for low, high in ((0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 0.9), (0.9, 1.01)):
        inside = (probabilities >= low) & (probabilities < high)
        if inside.any():
            bands.append(
                (
                    f"{low:.1f}-{min(high, 1):.1f}",
                    int(inside.sum()),
                    float(probabilities[inside].mean()),
                    float(correct[inside].mean()),
                )
            )
    return bands


def answered_threshold(settings: Settings, embedders: dict[str, Embedder]) -> list[str]:
    """Set the confidence model's `answered` threshold on PUSD's dev split (learn/threshold.py)."""
    from dataclasses import replace

    from learn.threshold import MAX_WRONG_ANSWERED as DEV_MAX_WRONG
    from learn.threshold import dev_threshold

    fitted = ConfidenceModel.load(settings.confidence_file)
    # A refit replaces the note of an earlier threshold rather than adding a second one.
    fitted_on = f"{fitted.fitted_on.split(';')[0]}; answered threshold on PUSD's dev split"
    model = replace(dev_threshold(settings, embedders, fitted), fitted_on=fitted_on)
    model.save(settings.confidence_file)
    return [
        f"answered threshold on PUSD's dev split (at most {DEV_MAX_WRONG} answered wrong): {model.answered:.3f}"
        f" (the training districts' was {fitted.answered:.3f}) -> {settings.confidence_file}"
    ]


def train(
    settings: Settings,
    embedders: dict[str, Embedder],
    ranker: bool = True,
    confidence: bool = True,
    threshold: bool = False,
) -> str:
    """Fit what is asked, save it beside the code, and return a report."""
    if not ranker and not confidence:  # the threshold alone needs no training examples
        return "\n".join(answered_threshold(settings, embedders))
    examples = training_examples(settings, embedders, work_dir(settings, embedders))
    districts = sorted({e.district for e in examples})
    models = list(settings.embedding_models)
    names = feature_names(models)
    what = f"training/districts: {len(districts)} districts, {len(examples)} questions and conversation turns"
    lines = [f"examples: {what}"]
    c_values = cross_validate(examples, names)
    best_c = max(c_values, key=lambda c: c_values[c])
    lines.append(f"first candidate answers, each district held out: fusion {_fusion_top(examples, names):.3f}")
    lines += [f"  learned ranker, C={c:g}: {share:.3f}" for c, share in c_values.items()]
    if ranker:
        fit_ranker(examples, names, best_c, what).save(settings.ranker_file)
        lines.append(f"ranker (C={best_c:g}) -> {settings.ranker_file}")
    if confidence:
        n, cite = settings.dense_candidates, settings.max_citations
        refusal = ConfidenceModel.load(settings.refusal_file)
        if settings.ranker == "learned":
            held_out_rankers: dict[str, Ranker] = {
                d: LearnedRanker(fit_ranker([e for e in examples if e.district != d], names, best_c, ""), tuple(models))
                for d in districts
            }
            rows = confidence_rows(examples, held_out_rankers.__getitem__, n, cite, refusal)
        else:
            fusion = FusionRanker(settings.rrf_k)
            rows = confidence_rows(examples, lambda _: fusion, n, cite, refusal)
        model, held_out = fit_confidence(rows, what)
        lines += _confidence_report(model, held_out, rows, str(settings.confidence_file))
        model.save(settings.confidence_file)
    if confidence or threshold:
        lines += answered_threshold(settings, embedders)
    return "\n".join(lines)


def _confidence_report(model: ConfidenceModel, held_out: np.ndarray, rows: Sequence[Row], path: str) -> list[str]:
    """The three outcomes on the training districts, each held out: answered (from the fitted
    threshold), uncertain (below it), not found (the refusal model's call)."""
    answerable = np.array([r.answerable for r in rows])
    correct = np.array([r.correct for r in rows])
    speaks = np.array([r.speaks for r in rows])
    answered = speaks & (held_out >= model.answered)
    _, alone = thresholds(held_out, rows)
    lines = [
        f"confidence -> {path}: answered from {model.answered:.3f}; not found is the refusal model's",
        f"  held out by district, {answerable.sum()} answerable: answered right "
        f"{np.mean(answered[answerable] & correct[answerable]):.3f}, answered wrong "
        f"{np.mean(answered[answerable] & ~correct[answerable]):.3f} (at most {MAX_WRONG_ANSWERED}), uncertain "
        f"{np.mean((speaks & ~answered)[answerable]):.3f}, not found {np.mean(~speaks[answerable]):.3f}",
        f"  {(~answerable).sum()} unanswerable: not found {np.mean(~speaks[~answerable]):.3f} (refusal model), "
        f"uncertain {np.mean((speaks & ~answered)[~answerable]):.3f}, answered {np.mean(answered[~answerable]):.3f}",
        f"  refusing by this model alone at {alone:.3f} ({MIN_REFUSED} of unanswerable refused) would refuse "
        f"{np.mean(held_out[answerable] < alone):.3f} of answerable",
        "  band       questions  predicted  first passage answers",
    ]
    lines += [
        f"  {band:9s}  {count:9d}  {predicted:9.3f}  {observed:.3f}"
        for band, count, predicted, observed in reliability(held_out, rows)
    ]
    return lines
