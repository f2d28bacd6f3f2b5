"""plan-assistant: ingest the corpus, ask a question, serve the API, list feedback, report insights,
run the evaluations."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import ValidationError

from assistant.embedding import Embedder
from assistant.errors import AssistantError
from assistant.settings import Settings, get_settings


def _embedders(settings: Settings) -> dict[str, Embedder]:
    from assistant.embedding import serving_embedders

    return serving_embedders(settings)


def ingest(settings: Settings, rebuild: bool = False, progress: bool = True) -> int:
    from assistant.cli_output import ingest_progress
    from assistant.embedding import build_embedder, model_name
    from ingest.run import run_ingest

    with ingest_progress(progress) as bars:
        # One thread per model run: the ingest runs one per core side by side (ingest/embed_rows.py).
        def factory(key: str) -> Embedder:
            bars.loading(key)
            return build_embedder(key, settings.model_cache_dir, threads=1)

        report = run_ingest(settings, factory, model_name, rebuild, progress=False, on_progress=bars.tell)
    print(report.render())
    return 0


def ask(settings: Settings, question: str, as_json: bool, explain: bool = False) -> int:
    from assistant.schemas import AskRequest
    from assistant.service import PlanAssistant

    request = AskRequest(question=question)
    explained = PlanAssistant(settings, _embedders(settings)).explain(request.question)
    answer = explained.answer
    if explain:  # how the answer was made, stage by stage, before the answer itself
        print(explained.trace.render(), end="\n\n")
    if as_json:
        print(answer.model_dump_json(indent=2))
        return 0
    print(answer.answer)
    for citation in answer.citations:
        page = f", page {citation.page}" if citation.page else ""
        print(f"[{citation.n}] {citation.title}{page} - {citation.section}\n    {citation.url}")
    print(f"(grounded: {str(answer.grounded).lower()}, confidence {answer.confidence:.2f})")
    return 0


def framework(settings: Settings, as_json: bool) -> int:
    from assistant.service import PlanAssistant

    reply = PlanAssistant(settings, _embedders(settings)).framework()
    if as_json:
        print(reply.model_dump_json(indent=2))
        return 0
    from assistant.cli_output import console, framework_table

    console().print(framework_table(reply))
    return 0


def align(settings: Settings, text: str | None, file: Path | None, as_json: bool) -> int:
    from assistant.proposal_files import proposal_text
    from assistant.schemas import AlignRequest
    from assistant.service import PlanAssistant

    if file is not None:
        text = proposal_text(file.read_bytes(), file.suffix)
    request = AlignRequest(text=text or "")
    reply = PlanAssistant(settings, _embedders(settings)).align(request.text)
    if as_json:
        print(reply.model_dump_json(indent=2))
        return 0
    from assistant.cli_output import console, print_alignment

    print_alignment(console(), reply)
    return 0


def serve(settings: Settings, host: str | None, port: int | None) -> int:
    from assistant.http_server import run  # uvicorn with the header/body deadlines and JSON logs

    run(settings, host or settings.host, port or settings.port)
    return 0


def feedback(settings: Settings, as_json: bool, limit: int | None = None) -> int:
    from assistant.feedback import FeedbackStore, printable, printable_json
    from assistant.store.database import open_store

    store = open_store(settings)
    rows = FeedbackStore(store).all(limit)
    if as_json:
        print(printable_json(json.dumps(rows, ensure_ascii=False, indent=2)))
        return 0
    if not rows:
        print(f"no feedback yet ({store.describe()})")
        return 0
    from assistant.cli_output import console, feedback_table

    # Comments are strangers' text: control characters are shown, not obeyed.
    shown = [{k: printable(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]
    console().print(feedback_table(shown))
    ups = sum(row["rating"] == "up" for row in rows)
    print(f"{len(rows)} ratings: {ups} up, {len(rows) - ups} down")
    return 0


def evaluate(settings: Settings, baseline: bool, out: Path, report: Path | None = None) -> int:
    from assistant.service import PlanAssistant
    from evals.alignment import alignment_breakdown, run_alignment
    from evals.dataset import load_conversations, load_proposals, load_questions
    from evals.districts import DISTRICT_GROUPS, load_district_sets, run_district_sets
    from evals.runner import (
        THRESHOLDS,
        breakdown,
        gate,
        prefixed,
        reliability_tables,
        report_markdown,
        run_baseline,
        run_conversations,
        run_ours,
        write_outputs,
    )

    ingest(settings, progress=False)
    questions = load_questions()
    embedders = _embedders(settings)
    assistant = PlanAssistant(settings, embedders)
    rows = {
        "ours": run_ours(assistant, questions, settings.corpus_dir),
        "conversations": run_conversations(assistant, load_conversations(), settings.corpus_dir),
        "alignment": run_alignment(assistant, load_proposals()),
    }
    if baseline:
        from evals.baseline import TutorialBaseline

        rows["baseline"] = run_baseline(TutorialBaseline(settings.corpus_dir), questions)
    # The new-district split: each district on its own corpus, then all mixed with PUSD's.
    rows |= run_district_sets(settings, embedders, load_district_sets(), settings.data_dir / "evals", baseline)
    # Conversation turns are their own groups ("conv/kind:followup" ...): a follow-up is only
    # comparable with other follow-ups, and the baseline has no notion of a conversation.
    ours = breakdown(rows["ours"]) | prefixed(breakdown(rows["conversations"]), "conv/")
    ours |= alignment_breakdown(rows["alignment"])  # "align", "align:dev", "align:test", "align:kind:..."
    for name, prefix in DISTRICT_GROUPS.items():
        ours |= prefixed(breakdown(rows[name]), prefix)
    theirs = None
    if baseline:
        theirs = breakdown(rows["baseline"])
        for name, prefix in DISTRICT_GROUPS.items():
            if f"{name}-baseline" in rows:
                theirs |= prefixed(breakdown(rows[f"{name}-baseline"]), prefix)
    config = settings.model_dump(
        include={
            "chunk_max_words",
            "dense_candidates",
            "rrf_k",
            "dense_weight",
            "keyword_weight",
            "max_citations",
            "history_weight",
            "history_turns",
            "new_topic_share",
            "align_aligned",
            "align_partial",
            "align_max_goals",
            "align_term_bonus",
            "align_model_weights",
        }
    )
    thresholds = json.loads(THRESHOLDS.read_text())
    failures = gate(ours, theirs, thresholds)
    targets_missed = gate(ours, theirs, thresholds.get("targets", {}))
    bands = reliability_tables(rows)
    markdown = report_markdown(ours, theirs, failures, config, targets_missed, bands)
    summary = {
        "ours": ours,
        "baseline": theirs,
        "config": config,
        "failures": failures,
        "targets_missed": targets_missed,
        "reliability": bands,
    }
    write_outputs(out, summary, rows, markdown)
    print(markdown)
    print(f"wrote {out / 'summary.json'} and {out / 'report.md'}")
    if report is not None:
        from evals.page import evaluation_page

        command = "plan-assistant eval" + ("" if baseline else " --no-baseline") + f" --report {report}"
        report.write_text(evaluation_page(summary, command, markdown), encoding="utf-8")
        print(f"wrote {report}")
    return 1 if failures else 0


def train(settings: Settings, only: str | None) -> int:
    from learn.train import train as fit

    ingest(settings, progress=False)  # the dev split's answers set the confidence threshold
    ranker, confidence = only in (None, "ranker"), only in (None, "confidence")
    print(fit(settings, _embedders(settings), ranker, confidence, threshold=only == "threshold"))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="plan-assistant", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    p_ingest = commands.add_parser("ingest", help="bring the index in line with corpus/")
    p_ingest.add_argument(
        "--rebuild", action="store_true", help="embed everything again (the index being served stays until done)"
    )
    p_ask = commands.add_parser("ask", help="answer one question")
    p_ask.add_argument("question")
    p_ask.add_argument("--json", action="store_true", help="print the API's JSON reply")
    p_ask.add_argument("--explain", action="store_true", help="first print how the answer was made")
    p_framework = commands.add_parser("framework", help="print the plan framework read from the documents")
    p_framework.add_argument("--json", action="store_true", help="print the API's JSON reply")
    p_align = commands.add_parser("align", help="which plan goals a proposal serves, with evidence")
    source = p_align.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="the proposal's text")
    source.add_argument("--file", type=Path, help="a .txt, .md or .pdf file holding the proposal")
    p_align.add_argument("--json", action="store_true", help="print the API's JSON reply")
    p_serve = commands.add_parser("serve", help="run the HTTP API")
    p_serve.add_argument("--host")
    p_serve.add_argument("--port", type=int)
    p_feedback = commands.add_parser("feedback", help="list parents' ratings of answers (oldest first)")
    p_feedback.add_argument("--json", action="store_true", help="print the stored rows as JSON")
    p_feedback.add_argument("--limit", type=int, help="only the newest N")
    p_insights = commands.add_parser("insights", help="what parents asked: by week, answered or not, topics, feedback")
    p_insights.add_argument("--csv", type=Path, metavar="DIR", help="also write each table to DIR/<table>.csv")
    p_insights.add_argument("--weeks", type=int, help="weeks back, the current one included (default 12)")
    commands.add_parser("migrate", help="bring the question store's database up to date (start-up does it too)")
    p_eval = commands.add_parser("eval", help="score answers and gate on evals/thresholds.json")
    p_eval.add_argument("--no-baseline", action="store_true", help="skip the tutorial baseline")
    p_eval.add_argument("--out", type=Path, default=Path("evals/out"))
    p_eval.add_argument("--report", type=Path, help="also write the evaluation page, e.g. docs/evaluation.md")
    p_train = commands.add_parser("train", help="fit the ranker and the confidence model on training/districts")
    p_train.add_argument(
        "--only", choices=["ranker", "confidence", "threshold"], help="fit only this one (threshold: on the dev split)"
    )
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        if args.command == "ingest":
            return ingest(settings, args.rebuild)
        if args.command == "ask":
            return ask(settings, args.question, args.json, args.explain)
        if args.command == "framework":
            return framework(settings, args.json)
        if args.command == "align":
            return align(settings, args.text, args.file, args.json)
        if args.command == "serve":
            return serve(settings, args.host, args.port)
        if args.command == "train":
            return train(settings, args.only)
        if args.command == "feedback":
            return feedback(settings, args.json, args.limit)
        if args.command in ("insights", "migrate"):
            from assistant import insights_cli

            if args.command == "migrate":
                return insights_cli.migrate(settings)
            if args.weeks is not None and args.weeks < 1:
                parser.error("--weeks must be at least 1")
            return insights_cli.insights(settings, args.csv, args.weeks)
        return evaluate(settings, not args.no_baseline, args.out, args.report)
    except AssistantError as error:
        print(f"error ({error.code}): {error.message}", file=sys.stderr)
        return 2
    except ValidationError as error:  # the same limits as the API: an empty or over-long input
        print(f"error: {error.errors()[0]['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
