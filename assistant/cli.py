"""plan-assistant: ingest the corpus, ask a question, serve the API, list feedback, run the evaluations."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from assistant.embedding import Embedder
from assistant.errors import AssistantError
from assistant.settings import Settings, get_settings


def _embedders(settings: Settings) -> dict[str, Embedder]:
    from assistant.embedding import build_embedders

    return build_embedders(settings.embedding_models, settings.model_cache_dir)


def ingest(settings: Settings, rebuild: bool = False, progress: bool = True) -> int:
    from assistant.embedding import build_embedder, model_name
    from ingest.run import run_ingest

    def factory(key: str) -> Embedder:
        return build_embedder(key, settings.model_cache_dir, threads=2)

    report = run_ingest(settings, factory, model_name, rebuild, progress)
    print(report.render())
    return 0


def ask(settings: Settings, question: str, as_json: bool) -> int:
    from assistant.schemas import AskRequest
    from assistant.service import PlanAssistant

    request = AskRequest(question=question)
    answer = PlanAssistant(settings, _embedders(settings)).ask(request.question)
    if as_json:
        print(answer.model_dump_json(indent=2))
        return 0
    print(answer.answer)
    for citation in answer.citations:
        page = f", page {citation.page}" if citation.page else ""
        print(f"[{citation.n}] {citation.title}{page} - {citation.section}\n    {citation.url}")
    print(f"(grounded: {str(answer.grounded).lower()}, confidence {answer.confidence:.2f})")
    return 0


def _print_table(rows: Sequence[Sequence[str]]) -> None:
    """Columns padded to their widest cell (the header is the first row)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def framework(settings: Settings, as_json: bool) -> int:
    from assistant.service import PlanAssistant

    reply = PlanAssistant(settings, _embedders(settings)).framework()
    if as_json:
        print(reply.model_dump_json(indent=2))
        return 0
    depth: dict[str | None, int] = {None: -1}
    for goal in reply.goals:
        depth[goal.goal_id] = depth.get(goal.parent, -1) + 1
        page = f"page {goal.page}" if goal.page else "web page"
        print(f"{'  ' * depth[goal.goal_id]}{goal.title}  [{goal.goal_id}, {page}]")
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
    rows = [("goal", "framework", "verdict", "score", "parts", "evidence")]
    for goal in reply.goals:
        best = goal.evidence[0] if goal.evidence else None
        where = f"p.{best.page}: " if best and best.page else ""
        quote = f'{where}"{best.text[:70]}"' if best else ""
        parts = ",".join(map(str, goal.parts))
        rows.append((goal.title, goal.framework, goal.verdict, f"{goal.score:.3f}", parts, quote))
    _print_table(rows)
    if len(reply.parts) > 1:
        print("\nparts: " + "; ".join(f"{p.n}: {p.excerpt}" for p in reply.parts))
    print(f"\nnot addressed: {', '.join(reply.not_addressed) or '-'}\n{reply.summary}")
    return 0


def serve(settings: Settings, host: str | None, port: int | None) -> int:
    from assistant.http_server import run  # uvicorn with the header/body deadlines and JSON logs

    run(settings, host or settings.host, port or settings.port)
    return 0


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def feedback(settings: Settings, as_json: bool, limit: int | None = None) -> int:
    from assistant.feedback import FeedbackStore, printable, printable_json

    rows = FeedbackStore(settings.feedback_path).all(limit)
    if as_json:
        print(printable_json(json.dumps(rows, ensure_ascii=False, indent=2)))
        return 0
    if not rows:
        print(f"no feedback yet ({settings.feedback_path})")
        return 0
    table: list[tuple[str, ...]] = [("id", "time", "rating", "lang", "grounded", "question", "comment", "cited")]
    for row in rows:
        cited = ", ".join(c["doc_id"] + (f" p.{c['page']}" if c["page"] else "") for c in row["citations"])
        table.append(  # comments are strangers' text: control characters are shown, not obeyed
            tuple(
                printable(cell)
                for cell in (
                    str(row["id"]),
                    row["time"],
                    row["rating"],
                    row["lang"],
                    "yes" if row["grounded"] else "no",
                    _clip(row["question"], 40),
                    _clip(row["comment"], 40),
                    _clip(cited, 50),
                )
            )
        )
    _print_table(table)
    ups = sum(row["rating"] == "up" for row in rows)
    print(f"{len(rows)} ratings: {ups} up, {len(rows) - ups} down")
    return 0


def evaluate(settings: Settings, calibrate: bool, baseline: bool, out: Path) -> int:
    from assistant.confidence import Calibration
    from assistant.service import PlanAssistant
    from evals.alignment import alignment_breakdown, run_alignment
    from evals.dataset import load_conversations, load_proposals, load_questions
    from evals.runner import (
        THRESHOLDS,
        breakdown,
        gate,
        report_markdown,
        run_baseline,
        run_conversations,
        run_ours,
        write_outputs,
    )
    from evals.runner import calibrate as fit_calibration

    ingest(settings, progress=False)
    questions = load_questions()
    assistant = PlanAssistant(settings, _embedders(settings))
    if calibrate:
        calibration: Calibration = fit_calibration(assistant, questions)
        calibration.save(settings.calibration_file)
        assistant.calibration = calibration
        print(f"calibration refitted on the dev split -> {settings.calibration_file}")
    rows = {
        "ours": run_ours(assistant, questions, settings.corpus_dir),
        "conversations": run_conversations(assistant, load_conversations(), settings.corpus_dir),
        "alignment": run_alignment(assistant, load_proposals()),
    }
    if baseline:
        from evals.baseline import TutorialBaseline

        rows["baseline"] = run_baseline(TutorialBaseline(settings.corpus_dir), questions)
    # Conversation turns are their own groups ("conv/kind:followup" ...): a follow-up is only
    # comparable with other follow-ups, and the baseline has no notion of a conversation.
    ours = breakdown(rows["ours"]) | {f"conv/{k}": v for k, v in breakdown(rows["conversations"]).items()}
    ours |= alignment_breakdown(rows["alignment"])  # "align", "align:dev", "align:test", "align:kind:..."
    theirs = breakdown(rows["baseline"]) if baseline else None
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
    markdown = report_markdown(ours, theirs, failures, config, targets_missed)
    summary = {
        "ours": ours,
        "baseline": theirs,
        "config": config,
        "failures": failures,
        "targets_missed": targets_missed,
    }
    write_outputs(out, summary, rows, markdown)
    print(markdown)
    print(f"wrote {out / 'summary.json'} and {out / 'report.md'}")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="plan-assistant", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    p_ingest = commands.add_parser("ingest", help="bring the index in line with corpus/")
    p_ingest.add_argument("--rebuild", action="store_true", help="drop the index and embed everything again")
    p_ask = commands.add_parser("ask", help="answer one question")
    p_ask.add_argument("question")
    p_ask.add_argument("--json", action="store_true", help="print the API's JSON reply")
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
    p_eval = commands.add_parser("eval", help="score answers and gate on evals/thresholds.json")
    p_eval.add_argument("--calibrate", action="store_true", help="refit confidence on the dev split first")
    p_eval.add_argument("--no-baseline", action="store_true", help="skip the tutorial baseline")
    p_eval.add_argument("--out", type=Path, default=Path("evals/out"))
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        if args.command == "ingest":
            return ingest(settings, args.rebuild)
        if args.command == "ask":
            return ask(settings, args.question, args.json)
        if args.command == "framework":
            return framework(settings, args.json)
        if args.command == "align":
            return align(settings, args.text, args.file, args.json)
        if args.command == "serve":
            return serve(settings, args.host, args.port)
        if args.command == "feedback":
            return feedback(settings, args.json, args.limit)
        return evaluate(settings, args.calibrate, not args.no_baseline, args.out)
    except AssistantError as error:
        print(f"error ({error.code}): {error.message}", file=sys.stderr)
        return 2
    except ValidationError as error:  # the same limits as the API: an empty or over-long input
        print(f"error: {error.errors()[0]['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
