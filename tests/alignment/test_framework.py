"""The plan framework, read from the real corpus documents (the PDF through pypdf, the web page's HTML)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.align.aligner import _goals_named
from assistant.settings import Settings
from assistant.text.glossary import Glossary
from ingest.blocks import Block, SourceDocument
from ingest.corpus import load_corpus
from ingest.framework import Goal, extract_framework
from tests.conftest import CORPUS, SOURCES

WORDS = tuple(Settings().framework_words)


@pytest.fixture(scope="module")
def framework() -> dict[str, Goal]:
    return {goal.goal_id: goal for goal in extract_framework(load_corpus(CORPUS), WORDS)}


def _children(framework: dict[str, Goal], parent: str) -> list[Goal]:
    return [goal for goal in framework.values() if goal.parent == parent]


def test_the_seven_emp_recommendations_come_from_the_web_page(framework: dict[str, Goal]) -> None:
    recommendations = _children(framework, "recommendations-of-the-2016-educational-master-plan")
    assert [goal.title for goal in recommendations] == [f"Recommendation {n}" for n in range(1, 8)]
    third = recommendations[2]
    assert third.text == (
        "Recommendation 3. To meet the social, emotional, and academic needs of widely variable learners, the "
        "District will provide robust supports for the development and well-being of all students, at risk or not.",
    )
    assert third.page is None and third.url.endswith("#recommendations-of-the-2016-educational-master-plan")
    assert third.doc_id == "planning-for-the-future"


def test_the_six_strategic_priorities_with_their_bullets_on_page_2(framework: dict[str, Goal]) -> None:
    priorities = _children(framework, "strategic-priorities")
    assert [goal.title for goal in priorities] == [
        "Powerful Instruction",
        "Outstanding Staff",
        "Quality Learning Environment",
        "High-Performing, Accountable Organization",
        "Meaningful Collaboration and Partnerships",
        "Parent Engagement",
    ]
    assert {goal.page for goal in priorities} == {2}
    staff = framework["strategic-priorities/outstanding-staff"]
    assert staff.points == (
        "Continuous professional development",
        "Individual accountability and responsibility",
        "Ongoing coaching and support",
    )
    assert staff.url == "/corpus/pusd-strategic-plan-2016-2020.pdf#page=2"


def test_graduate_profile_groups_and_outcomes_with_their_pages(framework: dict[str, Goal]) -> None:
    groups = _children(framework, "pusd-graduate-profile")
    assert [(g.title, g.role, g.page) for g in groups] == [
        ("Skills and Knowledge", "group", 3),
        ("Values", "group", 4),  # the heading repeated on page 4 continues the same framework
        ("Opportunities", "group", 4),
    ]
    life = framework["pusd-graduate-profile/life-skills"]
    assert life.parent == "pusd-graduate-profile/skills-and-knowledge" and life.page == 3
    assert life.points[0] == "Students will develop financial literacy and basic money management skills"
    assert [g.title for g in _children(framework, "pusd-graduate-profile/values")] == [
        "Internal Values",
        "External Values",
    ]
    assert len(_children(framework, "pusd-graduate-profile/opportunities")) == 3


def test_values_are_goals_with_their_paragraphs(framework: dict[str, Goal]) -> None:
    values = _children(framework, "our-values")
    assert len(values) == 6 and {goal.page for goal in values} == {1}
    equity = framework["our-values/equity"]
    assert equity.text[0].startswith("We believe that every child is entitled to the same, high quality education")


def test_every_statement_is_verbatim_from_the_sources(framework: dict[str, Goal]) -> None:
    sources = " ".join(" ".join(p.read_text().split()) for p in SOURCES.glob("*.txt"))
    sources = sources.replace("**", "")
    for goal in framework.values():
        for statement in goal.statements:
            assert " ".join(statement.split()) in sources, (goal.goal_id, statement)


def test_translations_add_no_goals(framework: dict[str, Goal]) -> None:
    assert {goal.doc_id for goal in framework.values()} == {"strategic-plan", "planning-for-the-future"}


def test_a_new_document_with_a_goals_heading_yields_its_goals_with_no_code_change() -> None:
    blocks = (
        Block("heading", "Site Plan Goals", 1, level=1),
        Block("paragraph", "Our school commits to three goals.", 1),
        Block("heading", "Goal A: Reading", 1, level=2),
        Block("item", "Every third grader reads at grade level", 1, marker="-"),
        Block("heading", "Goal B: Attendance", 2, level=2),
        Block("paragraph", "Chronic absence falls below 8 percent.", 2),
        Block("heading", "Budget", 2, level=1),
        Block("paragraph", "Not a goal.", 2),
    )
    document = SourceDocument("site", "Site plan", "site-plan", "/corpus/site.pdf", blocks, pages=2)
    goals = extract_framework([document], WORDS)
    assert [(g.goal_id, g.role, g.page) for g in goals] == [
        ("site-plan-goals", "framework", 1),
        ("site-plan-goals/goal-a-reading", "goal", 1),
        ("site-plan-goals/goal-b-attendance", "goal", 2),
    ]
    assert goals[0].text == ("Our school commits to three goals.",)
    assert goals[1].points == ("Every third grader reads at grade level",)
    assert goals[2].url == "/corpus/site.pdf#page=2"


def test_framework_words_come_from_settings(tmp_path: Path) -> None:
    blocks = (Block("heading", "Metas del distrito", 1, level=1), Block("heading", "Lectura", 1, level=2))
    document = SourceDocument("d", "D", "plan", "/corpus/d.pdf", blocks + (Block("paragraph", "Leer.", 1),))
    assert extract_framework([document], WORDS) == []
    assert [g.title for g in extract_framework([document], ("metas",))] == ["Metas del distrito", "Lectura"]


def test_staff_terms_name_the_goals_their_plan_words_quote(framework: dict[str, Goal]) -> None:
    goals = [goal for goal in framework.values() if goal.role == "goal"]
    terms = Glossary.load(Settings().staff_terms_file, said="staff")
    named = {
        words: {goals[i].goal_id for i in found}
        for words, found in zip(terms.plan_words, _goals_named(terms.plan_words, goals))
    }

    def goals_of(start: str) -> set[str]:
        return next(ids for words, ids in named.items() if words.startswith(start))

    assert "our-values/equity" in goals_of("Equity: every child entitled")  # by its head
    assert "strategic-priorities/outstanding-staff" in goals_of("Outstanding Staff: ongoing coaching")
    # "high-quality facilities" is a point of Quality Learning Environment, word for word.
    assert "strategic-priorities/quality-learning-environment" in goals_of("high-quality facilities; upgrade")
    # Plan words are copied from the plan, so nearly every term names a goal (5 of 137 name none:
    # the vision and the Graduate Profile's preamble, say, are no goal of the framework).
    assert sum(not ids for ids in named.values()) <= 5


def test_a_phrase_no_statement_contains_names_no_goal(framework: dict[str, Goal]) -> None:
    goals = [goal for goal in framework.values() if goal.role == "goal"]
    lanyards, safe = _goals_named(
        ["Lanyards: blue lanyards for every visitor", "safe, orderly and secure schools"], goals
    )
    assert lanyards == [] and [goals[i].title for i in safe] == ["Quality Learning Environment"]


def test_goals_come_only_from_plans_of_goals_when_the_manifest_says_which_those_are() -> None:
    def document(doc_id: str, kind: str) -> SourceDocument:
        blocks = (Block("heading", "Goals", 1, level=1), Block("heading", f"{doc_id} reading", 1, level=2))
        return SourceDocument(doc_id, doc_id, kind, f"/corpus/{doc_id}.pdf", blocks + (Block("paragraph", "x.", 1),))

    plan, budget = document("plan", "strategic-plan"), document("budget", "other")
    kinds = ("strategic-plan", "lcap")
    assert {g.doc_id for g in extract_framework([plan, budget], WORDS, kinds)} == {"plan"}
    # No document is a plan of goals (no manifest kinds): every document is read, as before.
    assert {g.doc_id for g in extract_framework([budget], WORDS, kinds)} == {"budget"}
