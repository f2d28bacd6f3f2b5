"""docs/evaluation.md is written from one run's summary: held-out sets first, every figure as run."""

from __future__ import annotations

from evals.page import evaluation_page

METRICS = {"hit_at_1": 0.7112, "hit_at_3": 0.8161, "false_refusal_rate": 0.0263, "refusal_accuracy": 0.9}
SUMMARY = {
    "ours": {
        "en:dev": {"questions": 98, **METRICS, "hit_at_1": 0.923},
        "en:test": {"questions": 96, **METRICS, "answered_wrong": 0.263},
        "nd/all": {"questions": 375, **METRICS, "hit_at_1": 0.448},
        "align:test": {"proposals": 22, "precision_at_5": 0.527, "recall_at_5": 0.657, "top1_accuracy": 0.6},
    },
    "baseline": {"en:test": {"questions": 96, **METRICS, "hit_at_1": 0.25}},
    "failures": [],
    "targets_missed": ["en:test.hit_at_1 = 0.7112 < 0.9"],
    "reliability": {"PUSD test split": [{"band": "0.9-1.0", "questions": 34, "predicted": 0.957, "observed": 0.912}]},
}
REPORT = "# Evaluation report\n\nConfiguration: `{}`\n\n| group | ... |"


def test_the_page_gives_held_out_sets_before_dev_with_the_runs_figures() -> None:
    page = evaluation_page(SUMMARY, "plan-assistant eval --report docs/evaluation.md", REPORT)
    held_out, tuned = page.index("PUSD test split, English"), page.index("PUSD dev split, English")
    assert held_out < tuned and page.index("New districts, each on its own corpus") < tuned
    assert (
        "| PUSD test split, English (`en:test`) | ours | 96 | 0.711 | 0.816 | – | 0.026 | 0.900 | – | 0.263 | – |"
        in page
    )
    assert "| PUSD test split, English (`en:test`) | tutorial chain | 96 | 0.250 |" in page
    assert "| 0.9-1.0 | 34 | 0.957 | 0.912 |" in page and "| `align:test` | 22 | 0.527 | 0.657 | 0.600 |" in page
    assert "- en:test.hit_at_1 = 0.7112 < 0.9" in page and "CI gate (evals/thresholds.json): passed" in page
    assert "Written by `plan-assistant eval --report docs/evaluation.md`." in page
    assert page.rstrip().endswith("| group | ... |") and "# Evaluation report" not in page
