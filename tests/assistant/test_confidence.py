import pytest

from assistant.decide.confidence import FEATURES, Calibration, choose_threshold, fit


def test_threshold_keeps_all_answerable_when_five_percent_allows_none() -> None:
    # 10 answerable: floor(0.05 * 10) = 0 may be refused, so the threshold sits below 0.6,
    # midway between the highest unanswerable score under it (0.4) and 0.6.
    probabilities = [0.6, 0.7, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.95, 0.4, 0.65]
    answerable = [True] * 10 + [False, False]
    assert choose_threshold(probabilities, answerable) == pytest.approx(0.5)


def test_threshold_may_refuse_one_in_twenty() -> None:
    # 20 answerable, floor(0.05 * 20) = 1 may be refused: the lowest (0.1) is given up.
    probabilities = [0.1] + [0.8] * 19 + [0.3]
    answerable = [True] * 20 + [False]
    assert choose_threshold(probabilities, answerable) == pytest.approx((0.3 + 0.8) / 2)


def test_fit_separates_clear_cases_and_round_trips(tmp_path) -> None:  # type: ignore[no-untyped-def]
    high = dict.fromkeys(FEATURES, 0.9)
    low = dict.fromkeys(FEATURES, 0.1)
    calibration = fit([high, high, low, low], [True, True, False, False], "toy")
    assert calibration.probability(high) > calibration.threshold > calibration.probability(low)
    path = tmp_path / "calibration.json"
    calibration.save(path)
    assert Calibration.load(path) == calibration
