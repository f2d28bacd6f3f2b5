"""Runs the evaluation: our assistant and the tutorial baseline on the same questions.

Writes evals/out/summary.json and evals/out/report.md; `gate` lists every bar missed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from assistant.embedding import Embedder, model_name
from assistant.question.conversation import quoted_texts
from assistant.schemas import Answer
from assistant.schemas import Turn as HistoryTurn
from assistant.service import Explained, PlanAssistant
from assistant.settings import Settings
from evals.baseline import TutorialBaseline
from evals.dataset import Conversation, Question
from evals.metrics import first_hit_rank, reliability, summarize
from evals.verbatim import is_verbatim
from ingest.run import IngestReport, run_ingest

THRESHOLDS = Path(__file__).parent / "thresholds.json"
OUT = Path(__file__).parent / "out"


def _row(question: Question, grounded: bool, citations: list[dict], extra: dict | None = None) -> dict:
    row = {
        "id": question.id,
        "question": question.question,
        "kind": question.kind,
        "split": question.split,
        "lang": question.lang,
        "answerable": question.answerable,
        "passages": question.passages,
        "doc_id": question.doc_id,
        "grounded": grounded,
        "citations": citations,
    }
    row["hit_rank"] = first_hit_rank(row)
    return row | (extra or {})


def _scored(question: Question, explained: Explained, corpus_dir: Path) -> dict:
    answer = explained.answer
    citations = [
        {
            "doc_id": c.doc_id,
            "section": c.section,
            "text": c.text,
            "page": c.page,
            "verbatim": is_verbatim(corpus_dir, c.url, c.page, c.text),
            # A translation shown beside the original must be verbatim from the translated document.
            "translation_verbatim": None
            if c.translation is None
            else is_verbatim(corpus_dir, c.translation.url, c.translation.page, c.translation.text),
        }
        for c in answer.citations
    ]
    retrieved = [{"section": p.section, "text": p.text} for p in explained.retrieval.passages[:3]]
    return _row(
        question,
        answer.grounded,
        citations,
        {
            "reply_lang": answer.lang,
            "status": answer.status,
            "confidence": answer.confidence,
            "features": explained.features,
            "retrieval_hit_rank": first_hit_rank({"citations": retrieved, "passages": question.passages}),
            # The quoted lines, where they are the plans' English (quote_precision).
            "quotes": quoted_texts(answer.answer) if answer.lang == "en" else [],
        },
    )


def assistant_on(
    settings: Settings, embedders: dict[str, Embedder], corpus_dir: Path, data_dir: Path
) -> tuple[PlanAssistant, IngestReport]:
    """An assistant on another corpus than the settings' (a district's, a mixed one, a library),
    its index built or brought up to date in `data_dir` first."""
    local = settings.model_copy(update={"corpus_dir": corpus_dir, "data_dir": data_dir})
    report = run_ingest(local, lambda key: embedders[key], model_name, progress=False)
    return PlanAssistant(local, embedders), report


def run_ours(assistant: PlanAssistant, questions: Sequence[Question], corpus_dir: Path) -> list[dict]:
    """Each question on its own; the reply's language is detected, never passed."""
    return [_scored(q, assistant.explain(q.question), corpus_dir) for q in questions]


def _as_history(question: str, answer: Answer) -> list[HistoryTurn]:
    """A turn as a chat client sends it back: the question and the answer it was shown."""
    return [HistoryTurn(role="user", content=question), HistoryTurn(role="assistant", content=answer.answer)]


def run_conversations(assistant: PlanAssistant, conversations: Sequence[Conversation], corpus_dir: Path) -> list[dict]:
    """Every turn, asked with the conversation so far (our own earlier answers included)."""
    rows = []
    for conversation in conversations:
        history: list[HistoryTurn] = []
        for question in conversation.questions():
            explained = assistant.explain(question.question, history)
            rows.append(_scored(question, explained, corpus_dir))
            history += _as_history(question.question, explained.answer)
    return rows


def run_baseline(baseline: TutorialBaseline, questions: Sequence[Question]) -> list[dict]:
    rows = []
    for question in questions:
        citations, seconds = baseline.cite(question.question)
        rows.append(_row(question, True, citations, {"seconds": seconds}))
    return rows


def breakdown(rows: Sequence[dict]) -> dict[str, dict]:
    """Metrics for all questions, per language, per language and split, and per kind.

    The foundation's gate reads `en` and `en:test`; Spanish questions are `es`; turns of the
    conversations are `conversation` (every turn) and `kind:followup` / `kind:newtopic`.
    """
    groups: dict[str, list[dict]] = {"all": list(rows)}
    for row in rows:
        groups.setdefault(row["lang"], []).append(row)
        groups.setdefault(f"{row['lang']}:{row['split']}", []).append(row)
        groups.setdefault(f"kind:{row['kind']}", []).append(row)
    return {name: summarize(group) for name, group in groups.items()}


def prefixed(groups: dict[str, dict], prefix: str) -> dict[str, dict]:
    """The groups of one question set under its own names: "nd/en", "conv/kind:followup"."""
    return {f"{prefix}{name}": metrics for name, metrics in groups.items()}


def _lookup(summary: dict, dotted: str) -> float:
    group, metric = dotted.split(".", 1)
    return float(summary[group][metric])


def gate(ours: dict, baseline: dict | None, thresholds: dict) -> list[str]:
    """Every bar missed, as readable lines; empty when the change may land."""
    failures = []
    for key, bar in thresholds.get("min", {}).items():
        if (value := _lookup(ours, key)) < bar:
            failures.append(f"{key} = {value:.4f} < {bar}")
    for key, bar in thresholds.get("max", {}).items():
        if (value := _lookup(ours, key)) > bar:
            failures.append(f"{key} = {value:.4f} > {bar}")
    if baseline is not None:
        for key, margin in thresholds.get("min_margin_over_baseline", {}).items():
            gap = round(_lookup(ours, key) - _lookup(baseline, key), 6)  # 0.7 - 0.4 is 0.29999...
            if gap < margin:
                failures.append(f"{key}: ours - baseline = {gap:.4f} < {margin}")
    return failures


METRICS = [
    "hit_at_1",
    "hit_at_3",
    "mrr",
    "citation_precision",
    "quote_precision",
    "refusal_accuracy",
    "false_refusal_rate",
    "verbatim_share",
    "reply_lang_match",
    "answered_right",
    "answered_wrong",
    "uncertain_share",
]

ALIGN_METRICS = ["precision_at_5", "recall_at_5", "top1_accuracy", "none_correct", "goals_returned"]


def reliability_tables(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The reliability table (evals.metrics.reliability) of each held-out set: PUSD's test split
    and the new districts, each on its own corpus."""
    held_out = {
        "PUSD test split": [r for r in rows["ours"] if r["split"] == "test"],
        "new districts": rows.get("districts", []) + rows.get("districts-conv", []),
    }
    return {name: reliability(group) for name, group in held_out.items() if group}


def report_markdown(
    ours: dict,
    baseline: dict | None,
    failures: list[str],
    config: dict,
    targets_missed: list[str] | None = None,
    bands: dict[str, list[dict]] | None = None,
) -> str:
    lines = ["# Evaluation report", "", f"Configuration: `{json.dumps(config)}`", ""]
    header = "| group | system | questions | " + " | ".join(METRICS) + " |"
    lines += [header, "|" + "---|" * (len(METRICS) + 3)]
    for group in (g for g in ours if "questions" in ours[g]):
        systems = [("ours", ours[group])] + ([("baseline", baseline[group])] if baseline and group in baseline else [])
        for name, metrics in systems:
            values = " | ".join(f"{metrics[m]:.3f}" if m in metrics else "–" for m in METRICS)
            lines.append(f"| {group} | {name} | {metrics['questions']} | {values} |")
    for name, table in (bands or {}).items():
        lines += ["", f"Reliability, {name}: confidence given against the share whose first citation is right:", ""]
        lines += ["| confidence | questions | mean confidence | first citation right |", "|---|---|---|---|"]
        lines += [f"| {b['band']} | {b['questions']} | {b['predicted']:.3f} | {b['observed']:.3f} |" for b in table]
    lines += ["", "Alignment (evals/proposals.jsonl, top 5 goals returned):", ""]
    lines += ["| group | proposals | " + " | ".join(ALIGN_METRICS) + " |", "|" + "---|" * (len(ALIGN_METRICS) + 2)]
    for group in (g for g in ours if "proposals" in ours[g]):
        values = " | ".join(f"{ours[group][m]:.3f}" for m in ALIGN_METRICS)
        lines.append(f"| {group} | {ours[group]['proposals']} | {values} |")
    lines += ["", "Gate: " + ("passed" if not failures else "FAILED"), *[f"- {f}" for f in failures], ""]
    if targets_missed is not None:
        lines += ["Targets (issue bars, not gating): " + ("all reached" if not targets_missed else "not reached")]
        lines += [f"- {t}" for t in targets_missed] + [""]
    return "\n".join(lines)


def write_rows(path: Path, rows: Sequence[dict]) -> None:
    """Each question's scored answer, one JSON object a line."""
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_outputs(out_dir: Path, summary: dict, rows: dict[str, list[dict]], markdown: str) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    (out_dir / "report.md").write_text(markdown, encoding="utf-8")
    for name, system_rows in rows.items():
        write_rows(out_dir / f"results-{name}.jsonl", system_rows)
