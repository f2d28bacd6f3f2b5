"""The learned ranker's opinion of a passage, one of the confidence model's signals, on the real
index: a share of the candidates' softmax, largest for the passage it would lead with itself."""

from __future__ import annotations

import pytest

from assistant.service import PlanAssistant


def test_the_learned_rankers_share_is_a_distribution_over_the_candidates(plan_assistant: PlanAssistant) -> None:
    learned = plan_assistant.judges.second_opinion
    gathered = plan_assistant.retriever.gather(plan_assistant.read("What is the mission of the district?", []))
    pids, _ = learned.scored(gathered)
    shares = [learned.share(gathered, pid) for pid in pids]
    assert sum(shares) == pytest.approx(1.0)
    own_first = learned.rank(gathered, 1).passages[0].id
    assert learned.share(gathered, own_first) == max(shares) > 1 / len(pids)
    assert learned.share(gathered, "not-a-passage") == 0.0


def test_the_reply_is_judged_with_the_learned_rankers_share_of_its_first_passage(plan_assistant: PlanAssistant) -> None:
    explained = plan_assistant.explain("What are the core values?")
    assert explained.retrieval.passages and explained.retrieval.gathered is not None
    led_with = explained.retrieval.passages[0].id
    expected = plan_assistant.judges.second_opinion.share(explained.retrieval.gathered, led_with)
    assert 0.0 < explained.features["ranker_top"] == pytest.approx(expected)
