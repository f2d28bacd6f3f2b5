from evals.runner import gate

OURS = {"all": {"hit_at_1": 0.8, "false_refusal_rate": 0.02}, "test": {"hit_at_1": 0.7}}
BASELINE = {"all": {"hit_at_1": 0.5, "false_refusal_rate": 0.0}, "test": {"hit_at_1": 0.4}}


def test_gate_passes_at_the_bars() -> None:
    thresholds = {"min": {"all.hit_at_1": 0.8}, "max": {"all.false_refusal_rate": 0.02}}
    assert gate(OURS, BASELINE, thresholds | {"min_margin_over_baseline": {"test.hit_at_1": 0.3}}) == []


def test_gate_names_every_bar_missed() -> None:
    thresholds = {
        "min": {"all.hit_at_1": 0.81},
        "max": {"all.false_refusal_rate": 0.01},
        "min_margin_over_baseline": {"test.hit_at_1": 0.31},
    }
    failures = gate(OURS, BASELINE, thresholds)
    assert len(failures) == 3
    assert failures[0].startswith("all.hit_at_1 = 0.8000 < 0.81")
