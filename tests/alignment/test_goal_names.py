"""The align reply names what it finds for people: groups and documents in words, the scale in force."""

from __future__ import annotations

import pytest

from assistant.service import PlanAssistant

pytestmark = pytest.mark.slow

MONEY = "Add a semester of personal finance (budgeting, credit cards, saving) for all 11th graders"


def test_each_goal_names_its_group_and_document(plan_assistant: PlanAssistant) -> None:
    reply = plan_assistant.align(MONEY)
    framework = {goal.goal_id: goal for goal in plan_assistant.framework().goals}
    named = [*reply.goals, *reply.not_addressed_goals]
    assert named
    for goal in named:
        node = framework[goal.goal_id]
        parent = framework[node.parent] if node.parent else None
        assert goal.group == (parent.title if parent and parent.role == "group" else None)
        assert goal.document in (
            "PUSD Strategic Plan 2016-2020",
            "Planning for the Future: PUSD Educational Master Plan (2016)",
        )
    life = next(goal for goal in reply.goals if goal.goal_id == "pusd-graduate-profile/life-skills")
    assert (life.group, life.document) == ("Skills and Knowledge", "PUSD Strategic Plan 2016-2020")


def test_not_addressed_goals_name_the_not_addressed_ids_in_order(plan_assistant: PlanAssistant) -> None:
    reply = plan_assistant.align(MONEY)
    assert reply.not_addressed
    assert [goal.goal_id for goal in reply.not_addressed_goals] == reply.not_addressed
    titles = {goal.goal_id: goal.title for goal in plan_assistant.framework().goals}
    assert all(goal.title == titles[goal.goal_id] for goal in reply.not_addressed_goals)


def test_the_scale_is_the_one_the_verdicts_were_given_by(plan_assistant: PlanAssistant) -> None:
    settings = plan_assistant.settings
    reply = plan_assistant.align(MONEY)
    assert reply.scale.aligned == settings.align_aligned and reply.scale.partial == settings.align_partial
    assert reply.scale.near == pytest.approx(settings.align_partial - settings.align_near_margin)
    assert reply.scale.term_bonus == settings.align_term_bonus
    for goal in reply.goals:
        assert (goal.score >= reply.scale.aligned) == (goal.verdict == "aligned")
        assert goal.score >= reply.scale.partial
