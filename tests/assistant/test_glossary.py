"""The everyday-words glossary: matching (pure), the shipped file's plan words (real corpus), and
what it does to retrieval (real index, real models)."""

import tomllib
from pathlib import Path

import pytest

from assistant.embedding import Embedder
from assistant.service import PlanAssistant
from assistant.settings import Settings
from assistant.text.glossary import Glossary
from evals.verbatim import page_texts
from ingest.text_units import normalize_for_match
from tests.conftest import CORPUS

GLOSSARY = """
[[term]]
en = ["handle money", "budgeting"]
es = ["manejar el dinero", "educación financiera"]
plan = "financial literacy and basic money management skills"
plan_es = "educación financiera"

[[term]]
en = ["buildings", "fix up"]
plan = "High-quality facilities"

[[term]]
en = ["grades"]
plan = "academic achievement"

[[term]]
en = ["not just with grades", "not just grades"]
plan = "social and emotional needs"

[[term]]
en = ["who oversees"]
es = ["quién supervisa"]
plan = "monitoring and reporting"
plan_es = "el seguimiento y la presentación de informes"
"""


@pytest.fixture
def glossary_file(tmp_path: Path) -> Path:
    path = tmp_path / "terms.toml"
    path.write_text(GLOSSARY, encoding="utf-8")
    return path


def test_phrases_match_whole_words_whatever_the_case(glossary_file: Path) -> None:
    english = Glossary.load(glossary_file, said="en")
    assert english.expansion("Will my kid learn to HANDLE MONEY?") == [
        "financial literacy and basic money management skills"
    ]
    assert english.found("Are they going to fix up the old buildings?") == [1]
    assert english.found("The handle moneybox is broken") == []  # part of a word is not the phrase


def test_a_phrase_is_found_with_a_possessive_or_an_article_inside_it(glossary_file: Path) -> None:
    english = Glossary.load(glossary_file, said="en")
    assert english.found("Will my son learn to handle his money?") == [0]
    assert english.found("Are they going to fix up the buildings?") == [1]
    assert english.found("Can they handle lots of money?") == []  # any other word still breaks the phrase
    spanish = Glossary.load(glossary_file, said="es", plan="plan_es")
    assert spanish.found("¿Y quién lo supervisa?") == [1]  # an object pronoun, in Spanish
    assert spanish.found("¿Le enseñan a manejar bien el dinero?") == []


def test_a_phrase_inside_a_longer_one_names_nothing_of_its_own(glossary_file: Path) -> None:
    english = Glossary.load(glossary_file, said="en")
    assert english.found("What help is there, not just with grades?") == [3]
    assert english.found("How are grades reported?") == [2]
    assert english.found("Not just grades: what about grades in art?") == [2, 3]  # the later "grades" stands alone


def test_spanish_phrases_match_without_their_accents(glossary_file: Path) -> None:
    spanish = Glossary.load(glossary_file, said="es", plan="plan_es")
    # a term with no Spanish phrases is left out
    assert spanish.plan_words == ["educación financiera", "el seguimiento y la presentación de informes"]
    assert spanish.found("le enseñan educacion financiera?") == [0]


def test_bridging_keeps_only_the_phrases_the_plan_never_uses(glossary_file: Path) -> None:
    english = Glossary.load(glossary_file, said="en").bridging("Students learn budgeting. High-quality facilities.")
    assert english.found("a class on budgeting") == []  # the plan says it itself: no expansion
    assert english.found("can my kid handle money") == [0]


def test_a_missing_file_is_an_empty_glossary(tmp_path: Path) -> None:
    empty = Glossary.load(tmp_path / "absent.toml", said="en")
    assert empty.plan_words == [] and empty.found("handle money") == []


def _corpus_text(*names: str) -> str:
    return " ".join(text for name in names for text in page_texts(CORPUS / name).values())


def test_the_parent_glossary_speaks_in_the_plans_own_words() -> None:
    terms = tomllib.loads(Settings().parent_terms_file.read_text(encoding="utf-8"))["term"]
    assert len(terms) >= 100
    english = _corpus_text("pusd-strategic-plan-2016-2020.pdf", "pusd-planning-for-the-future.html")
    spanish = _corpus_text("pusd-strategic-plan-2016-2020.es.pdf", "pusd-planning-for-the-future.es.html")
    for term in terms:
        assert term["en"] and term["es"], term["plan"]
        for field, text in (("plan", english), ("plan_es", spanish)):
            for phrase in term[field].split("; "):
                assert normalize_for_match(phrase).lower() in text.lower(), (field, phrase)


@pytest.fixture(scope="module")
def without_glossary(built_settings: Settings, embedders: dict[str, Embedder]) -> PlanAssistant:
    return PlanAssistant(
        built_settings.model_copy(
            update={"glossary_weight": 0, "glossary_keyword_weight": 0, "glossary_home_weight": 0}
        ),
        embedders,
    )


@pytest.fixture(scope="module")
def homes_alone(built_settings: Settings, embedders: dict[str, Embedder]) -> tuple[PlanAssistant, PlanAssistant]:
    """With and without the ideas' homes, the question's frame read as asked (unframed_share 0):
    reading past "Is PUSD trying to" also finds the vision, and here the homes are seen alone."""
    framed = built_settings.model_copy(update={"unframed_share": 0.0})
    return (
        PlanAssistant(framed, embedders),
        PlanAssistant(framed.model_copy(update={"glossary_home_weight": 0}), embedders),
    )


def _rank(assistant: PlanAssistant, question: str, lang: str, passage: str) -> int | None:
    ranked = assistant.search(question).passages
    return next((n for n, p in enumerate(ranked, start=1) if passage in p.text), None)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "lang", "passage"),
    [
        ("my son gets anxious and depressed, is there support?", "en", "social, emotional, and academic needs"),
        ("Are the old classrooms getting air conditioning?", "en", "upgrade facilities"),
        ("will kids do hands-on projects?", "en", "learn in meaningful and active ways"),
        # Both homes of the idea are lifted; the first in the document ("vocational ... skills")
        # now leads "Enter career, vocation or employment ...", which it followed before.
        ("my daughter wants to go to trade school, will she be ready?", "en", "academic, vocational"),
        ("los salones están viejos, los van a arreglar?", "es", "upgrade facilities"),
    ],
)
def test_everyday_words_lift_the_plans_passage_to_the_top(
    plan_assistant: PlanAssistant, without_glossary: PlanAssistant, question: str, lang: str, passage: str
) -> None:
    assert _rank(plan_assistant, question, lang, passage) == 1
    assert (_rank(without_glossary, question, lang, passage) or 99) > 1  # the glossary is what lifts it


@pytest.mark.parametrize(
    ("question", "said", "plan"),
    [
        ("Who monitors progress on the plans?", "en", "plan"),
        ("que oficina vigila el avance de los planes del distrito?", "es", "plan_es"),
    ],
)
def test_naming_the_plans_does_not_send_a_question_to_the_planning_page(question: str, said: str, plan: str) -> None:
    # "the plans" names what every question is about, as "plan" does; before, it expanded to
    # "Welcome to the ... master planning home page" and that passage was cited first.
    glossary = Glossary.load(Settings().parent_terms_file, said=said, plan=plan)
    assert not any("planning home page" in words or "planificación" in words for words in glossary.expansion(question))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "section"),
    [
        # The district's money is its fiscal responsibility; a child's is a life skill.
        ("How does the district spend its money?", "OUR VALUES > Honoring our Fiscal Responsibility"),
        ("¿Cómo gasta el distrito su dinero?", "OUR VALUES > Honoring our Fiscal Responsibility"),
        ("Will my kid learn to handle money?", "PUSD GRADUATE PROFILE > Skills and Knowledge > Life Skills"),
        ("¿Mi hijo aprenderá a cuidar su dinero?", "PUSD GRADUATE PROFILE > Skills and Knowledge > Life Skills"),
    ],
)
def test_whose_money_a_question_is_about(plan_assistant: PlanAssistant, question: str, section: str) -> None:
    answer = plan_assistant.ask(question)
    assert answer.grounded and answer.citations[0].section == section


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "section"),
    [
        # The glossary's plan words are the plan's: "entrepreneurial skills" is said in Strong
        # Academic Skills, "internationally recognized leader" in the vision.
        ("Will my daughter learn how to be an entrepreneur someday?", "Skills and Knowledge > Strong Academic Skills"),
        ("Is PUSD trying to be the best school district in the country?", "OUR VISION FOR 2020"),
    ],
)
def test_an_idea_is_found_where_the_plan_says_its_words(
    homes_alone: tuple[PlanAssistant, PlanAssistant], question: str, section: str
) -> None:
    with_homes, without = homes_alone
    assert with_homes.search(question).passages[0].section.endswith(section)
    assert not without.search(question).passages[0].section.endswith(section)


@pytest.mark.slow
def test_a_question_naming_a_section_is_not_sent_to_an_ideas_home(plan_assistant: PlanAssistant) -> None:
    # "teacher training" is at home in STRATEGIC PRIORITIES ("invest in training ..."), but the
    # question asks what Outstanding Staff says.
    ranked = plan_assistant.search("What does the Outstanding Staff priority say about teacher training?")
    assert ranked.passages[0].section == "STRATEGIC PRIORITIES > Outstanding Staff"
