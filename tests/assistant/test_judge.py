"""The decision's two models on made-up signals: the refusal model alone refuses, the confidence
model alone says whether the reply leads with its passage or is marked uncertain."""

from __future__ import annotations

from assistant.decide import Judges, judge
from assistant.decide.model import ConfidenceModel


def _model(feature: str, answered: float, uncertain: float) -> ConfidenceModel:
    # probability = sigmoid(4 * (value - 0.5)): 0.5 at value 0.5, about 0.88 at 1.0
    return ConfidenceModel((feature,), (0.5,), (1.0,), (4.0,), 0.0, answered, uncertain)


JUDGES = Judges(refusal=_model("coverage", 0.5, 0.5), confidence=_model("margin", 0.8, 0.0))


def test_the_plans_not_speaking_to_it_is_not_found_however_sure_the_ranking() -> None:
    decision = judge({"coverage": 0.2, "margin": 1.0}, True, JUDGES)
    assert decision.status == "not_found" and decision.confidence > 0.8


def test_a_sure_ranking_is_answered_and_an_unsure_one_uncertain() -> None:
    assert judge({"coverage": 0.9, "margin": 1.0}, True, JUDGES).status == "answered"
    unsure = judge({"coverage": 0.9, "margin": 0.4}, True, JUDGES)
    assert unsure.status == "uncertain" and unsure.confidence < 0.5


def test_nothing_to_quote_is_not_found() -> None:
    assert judge({"coverage": 0.9, "margin": 1.0}, False, JUDGES).status == "not_found"


def test_across_languages_the_words_do_not_refuse_and_the_confidence_model_decides() -> None:
    spanish_over_english = {"coverage": 0.0, "margin": 0.4, "plans_in_its_language": 0.0}
    assert judge(spanish_over_english, True, JUDGES).status == "uncertain"
    assert judge(spanish_over_english | {"margin": 1.0}, True, JUDGES).status == "answered"
    assert judge(spanish_over_english | {"plans_in_its_language": 1.0}, True, JUDGES).status == "not_found"
