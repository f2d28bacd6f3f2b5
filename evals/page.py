"""docs/evaluation.md: how answer quality is measured and the figures of one `plan-assistant eval`,
written from that run's summary (`plan-assistant eval --report docs/evaluation.md`), so the page
cannot drift from what was measured.

Held-out sets come first: PUSD's test split and the new districts, on which nothing is tuned. The
dev split, which the project was tuned on for a long time, comes after them.
"""

from __future__ import annotations

from pathlib import Path

PREFACE = Path(__file__).with_name("page_preface.md")
HEADLINE = [
    "questions",
    "hit_at_1",
    "hit_at_3",
    "document_hit_at_1",
    "false_refusal_rate",
    "refusal_accuracy",
    "answered_right",
    "answered_wrong",
    "uncertain_share",
]
# (group in the summary, what it is): the sets nobody tuned on, then the ones that were.
HELD_OUT = [
    ("en:test", "PUSD test split, English"),
    ("es:test", "PUSD test split, Spanish"),
    ("nd/all", "New districts, each on its own corpus"),
    ("nd/en", "New districts, English"),
    ("nd/es", "New districts, Spanish"),
    ("nd/kind:unanswerable", "New districts, questions the plans cannot answer"),
    ("nd-conv/all", "New districts, conversation turns"),
    ("mix/all", "New districts mixed with PUSD in one corpus"),
    ("mix-named/all", "Mixed corpus, questions naming their district or document"),
]
TUNED_ON = [
    ("en:dev", "PUSD dev split, English"),
    ("es:dev", "PUSD dev split, Spanish"),
    ("conv/all", "PUSD conversations (dev and test turns)"),
]


def _value(metrics: dict, name: str) -> str:
    if name not in metrics:
        return "–"
    value = metrics[name]
    return str(value) if name == "questions" else f"{value:.3f}"


def _table(summary: dict, groups: list[tuple[str, str]]) -> list[str]:
    ours, baseline = summary["ours"], summary.get("baseline") or {}
    lines = ["| set | system | " + " | ".join(HEADLINE) + " |", "|" + "---|" * (len(HEADLINE) + 2)]
    for group, label in groups:
        if group not in ours:
            continue
        for system, metrics in (("ours", ours[group]), ("tutorial chain", baseline.get(group))):
            if metrics:
                lines.append(
                    f"| {label} (`{group}`) | {system} | " + " | ".join(_value(metrics, m) for m in HEADLINE) + " |"
                )
    return lines


def _reliability(summary: dict) -> list[str]:
    lines = []
    for name, bands in (summary.get("reliability") or {}).items():
        lines += ["", f"**{name}**", "", "| confidence | questions | mean confidence | first citation right |"]
        lines += ["|---|---|---|---|"]
        lines += [f"| {b['band']} | {b['questions']} | {b['predicted']:.3f} | {b['observed']:.3f} |" for b in bands]
    return lines


def _alignment(summary: dict) -> list[str]:
    ours = summary["ours"]
    metrics = ["precision_at_5", "recall_at_5", "top1_accuracy"]
    lines = ["| set | proposals | " + " | ".join(metrics) + " |", "|" + "---|" * (len(metrics) + 2)]
    for group in ("align:test", "align:dev", "align"):
        if group in ours:
            lines.append(
                f"| `{group}` | {ours[group]['proposals']} | "
                + " | ".join(f"{ours[group][m]:.3f}" for m in metrics)
                + " |"
            )
    return lines


def evaluation_page(summary: dict, command: str, full_report: str) -> str:
    """The page: the preface (how quality is measured), then this run's figures."""
    gate = summary.get("failures") or []
    missed = summary.get("targets_missed") or []
    lines = [PREFACE.read_text(encoding="utf-8").rstrip(), "", f"Written by `{command}`.", ""]
    lines += ["## Held-out sets (nothing is tuned on these)", "", *_table(summary, HELD_OUT), ""]
    lines += ["## Sets the project was tuned on", "", *_table(summary, TUNED_ON), ""]
    lines += ["## Reliability: confidence against the share answered right", *_reliability(summary), ""]
    lines += ["## Staff alignment (`/api/align`, top 5 goals)", "", *_alignment(summary), ""]
    lines += ["## The gate and the issues' bars", ""]
    lines += ["CI gate (evals/thresholds.json): " + ("passed" if not gate else "FAILED"), *[f"- {f}" for f in gate], ""]
    lines += [
        "Bars not reached yet:" if missed else "Every bar in evals/thresholds.json is reached.",
        *[f"- {t}" for t in missed],
    ]
    lines += ["", "## Every group and metric", "", full_report.split("\n", 2)[2].strip(), ""]
    return "\n".join(lines)
