"""PUSD's evaluation with its plans alone, then inside a published library of N pages (issue 24:
hit@1 within 0.03 of the two-document figure).

    .venv/bin/python bench/scale_eval.py [--pages 1000] [--seed 7] [--other-districts --own-district] [--new-districts]
        [--report docs/scale-eval.md] [--rows DIR] [--work DIR]

The library is bench/scale_corpus.py's (strategic plans, LCAPs with their tables, board goals,
graduate profiles, wellness and technology plans, translations, one 50-page plan). By default its
documents join corpus/ as PUSD's own, as a district's library is: the manifest's district is
PUSD's and every document is its. With --other-districts each keeps its made-up district, as
the evaluation mixes the new districts with PUSD (evals/districts.py): then a question that names
no district may fairly be answered from another's plan, unless --own-district sets PUSD's widget to
answer such questions from PUSD's plans (settings.answer_from_own_district). Every PUSD question of evals/ is asked of
both indexes through PlanAssistant, as `plan-assistant eval` asks them; the groups are
evals/runner.py's.

With --new-districts the evaluation's six new districts (evals/districts/, a test split) join the
library too. With --other-districts their questions that name a district, document or year are
asked of it, beside the same questions asked of PUSD's and their plans alone (the evaluation's
mixed corpus): whether a question naming a document is answered from it (the first citation is
from the document the expected passage is in) and from the right passage. Without it their
documents are PUSD's own, as the library's, and their questions that name nothing are asked: what
a question about a document other than the district's main plans (corpus/manifest.json's
`featured`) gets in a library where those are weighed first.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.embedding import build_embedders  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench import scale_corpus  # noqa: E402
from bench.common import commit  # noqa: E402
from evals.dataset import Question, load_questions  # noqa: E402
from evals.districts import DISTRICTS, load_district_sets, mixed_corpus  # noqa: E402
from evals.metrics import document_hit_at_1  # noqa: E402
from evals.runner import assistant_on, breakdown, run_ours, write_rows  # noqa: E402

GROUPS = ("en:test", "es:test", "en:dev", "es:dev", "all")
METRICS = ("hit_at_1", "hit_at_3")


def answered(
    settings: Settings, embedders: dict, questions: list[Question], rows_file: Path | None = None
) -> list[dict]:
    """Ingest the settings' corpus, then each question's scored answer (evals/runner.py's rows)."""
    assistant, report = assistant_on(settings, embedders, settings.corpus_dir, settings.data_dir)
    print(f"{settings.corpus_dir}: {report.render()}", file=sys.stderr)
    rows = run_ours(assistant, questions, settings.corpus_dir)
    if rows_file is not None:
        write_rows(rows_file, rows)
    return rows


def district_figures(rows: list[dict]) -> dict[str, float | int]:
    """The new districts' questions: answered from the document the answer is in, and from the
    right passage."""
    pool = [row for row in rows if row["answerable"]]
    groups = breakdown(rows)["all"]
    return {"answerable": len(pool), "document_hit_at_1": round(document_hit_at_1(rows), 4)} | {
        metric: groups[metric] for metric in METRICS
    }


def own_library(corpus: Path, libraries: list[Path], target: Path) -> Path:
    """corpus/ with the documents of `libraries` added as the corpus district's own."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    for library in libraries:
        added = json.loads((library / "manifest.json").read_text(encoding="utf-8"))["documents"]
        manifest["documents"] += [{k: v for k, v in entry.items() if k != "district"} for entry in added]
    for folder in (corpus, *libraries):
        for path in folder.iterdir():
            if path.name != "manifest.json":
                shutil.copy2(path, target / path.name)
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return target


def render(alone: dict, library: dict, built: dict, command: str, whose: str, theirs: dict | None = None) -> str:
    """The page: PUSD's groups alone and in the library; with `theirs` ({"alone": ..., "library": ...}
    of district_figures), the new districts' questions too."""
    lines = [
        f"Measured at commit {commit()}: PUSD's questions on its own plans, then with its "
        f"plans inside a library of {built['pages']} pages ({built['documents']} documents, {whose}):",
        "",
        f"    {command}",
        "",
        "| group | answerable | "
        + " | ".join(f"{m.replace('_at_', '@')} alone | in the library | change" for m in METRICS)
        + " |",
        "|---|---:|" + "---:|---:|---:|" * len(METRICS),
    ]
    for group in GROUPS:
        if group not in alone:
            continue
        cells = [group, str(alone[group]["answerable"])]
        for metric in METRICS:
            before, after = alone[group][metric], library[group][metric]
            cells += [f"{before:.3f}", f"{after:.3f}", f"{after - before:+.3f}"]
        lines.append("| " + " | ".join(cells) + " |")
    worst = min(library[g]["hit_at_1"] - alone[g]["hit_at_1"] for g in GROUPS if g in alone)
    lines += ["", f"Largest drop of hit@1 in any group: {-min(worst, 0):.3f} (bar: at most 0.03)."]
    if theirs:
        lines += [
            "",
            f"The new districts' {theirs['alone']['answerable']} answerable questions {theirs['what']} "
            f"({theirs['source']}), asked of PUSD's and their plans alone, then of the library that holds them too:",
            "",
            "| | alone | in the library | change |",
            "|---|---:|---:|---:|",
        ]
        for metric, label in DISTRICT_METRICS.items():
            before, after = theirs["alone"][metric], theirs["library"][metric]
            lines.append(f"| {label} | {before:.3f} | {after:.3f} | {after - before:+.3f} |")
    return "\n".join(lines) + "\n"


DISTRICT_METRICS = {
    "document_hit_at_1": "first citation from the document the answer is in",
    "hit_at_1": "first citation the right passage (hit@1)",
    "hit_at_3": "right passage among the first three (hit@3)",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model-cache", type=Path, default=ROOT / ".data" / "models")
    parser.add_argument("--other-districts", action="store_true", help="the library's documents keep their districts")
    parser.add_argument("--report", type=Path, help="also write the table as a page")
    parser.add_argument("--rows", type=Path, help="a folder for each question's answer, alone and in the library")
    parser.add_argument(
        "--own-district",
        action="store_true",
        help="with --other-districts: PUSD's deployment answers questions naming no district from its own plans "
        "(settings.answer_from_own_district)",
    )
    parser.add_argument(
        "--new-districts",
        action="store_true",
        help="with --other-districts: the evaluation's new districts join the library, and their questions that "
        "name a district, document or year are asked of it",
    )
    parser.add_argument(
        "--districts",
        type=Path,
        help="with --new-districts: another folder of districts in evals/districts/'s format, such as "
        "training/districts (the districts the learned parts are fitted on: a run to read the misses of)",
    )
    parser.add_argument("--work", type=Path, help="keep the corpora and indexes here (a later run reuses them)")
    args = parser.parse_args()
    embedders = build_embedders(Settings().embedding_models, args.model_cache)
    pusd = load_questions()
    sets = load_district_sets(args.districts or DISTRICTS) if args.new_districts else []
    # Among other districts' plans, their questions that name their district or document; in PUSD's
    # own library, where their documents are PUSD's too, those that name none.
    theirs = [q for district in sets for q in district.questions if q.names == args.other_districts]

    def rows_file(name: str) -> Path | None:
        return args.rows / f"{name}.jsonl" if args.rows else None

    with tempfile.TemporaryDirectory(prefix="scale-eval-") as scratch:
        work = args.work or Path(scratch)
        base = Settings(model_cache_dir=args.model_cache, data_dir=work / "alone", corpus_dir=ROOT / "corpus")
        base = base.model_copy(update={"answer_from_own_district": args.own_district})
        if args.rows:
            args.rows.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        alone = breakdown(answered(base, embedders, pusd, rows_file("alone")))
        seconds_alone = time.perf_counter() - started
        theirs_alone = None
        if sets:
            corpora = [ROOT / "corpus", *(d.corpus_dir for d in sets)]
            if args.other_districts:
                small = mixed_corpus(corpora, work / "small" / "corpus")
            else:
                small = own_library(corpora[0], corpora[1:], work / "small" / "corpus")
            small_settings = base.model_copy(update={"corpus_dir": small, "data_dir": work / "small" / "data"})
            theirs_alone = district_figures(answered(small_settings, embedders, theirs, rows_file("districts-alone")))
        built = scale_corpus.build_corpus(work / "library", args.pages, args.seed)
        if args.other_districts:
            corpora = [ROOT / "corpus", *(d.corpus_dir for d in sets), work / "library"]
            corpus = mixed_corpus(corpora, work / "mixed" / "corpus")
        else:
            corpora = [*(d.corpus_dir for d in sets), work / "library"]
            corpus = own_library(ROOT / "corpus", corpora, work / "mixed" / "corpus")
        mixed = base.model_copy(update={"corpus_dir": corpus, "data_dir": work / "mixed" / "data"})
        started = time.perf_counter()
        library_rows = answered(mixed, embedders, pusd + theirs, rows_file("library"))
        seconds_library = time.perf_counter() - started
    library = breakdown(library_rows[: len(pusd)])
    source = "evals/districts/, a test split" if args.districts is None else f"{args.districts}, not a test split"
    what = (
        "that name their district, document or year"
        if args.other_districts
        else "that name no district, document or year, their documents PUSD's own as the library's are"
    )
    both = (
        None
        if theirs_alone is None
        else {
            "alone": theirs_alone,
            "library": district_figures(library_rows[len(pusd) :]),
            "source": source,
            "what": what,
        }
    )
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    summary = {"alone": alone, "library": library, "districts": both, "corpus": built}
    summary["seconds"] = [seconds_alone, seconds_library]
    (out / "scale_eval.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    whose = f"{built['districts']} other districts'" if args.other_districts else "all of them PUSD's own"
    if sets:
        whose += f", and the {len(sets)} districts of {args.districts or 'the evaluation'}"
    if args.own_district:
        whose += "; a question naming no district answered from PUSD's plans"
    page = render(alone, library, built, " ".join(["python bench/scale_eval.py", *sys.argv[1:]]), whose, both)
    print(page)
    if args.report:
        heading = "other districts' plans" if args.other_districts else "other districts' plans labelled as its own"
        title = f"# PUSD's answers inside a library of {heading}\n\nGenerated by `bench/scale_eval.py --report`.\n\n"
        args.report.write_text(title + page, encoding="utf-8")
    print(f"load average (5 min) at the end: {os.getloadavg()[1]:.2f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
