"""What a question names, read against the corpus's own facts (worked cases, no index)."""

import pytest

from assistant.question.scope import Catalog, DistrictFacts, DocumentFacts, years_of

HARBOR_CITY = DistrictFacts("Harbor City Schools", ("Harbor City",))
CATALOG = Catalog(
    [
        DocumentFacts(
            "hc-2023", "Harbor City Schools Board Goals 2023-24", "Harbor City Schools", "2023-24", "board-goals"
        ),
        DocumentFacts(
            "hc-2024", "Harbor City Schools Board Goals 2024-25", "Harbor City Schools", "2024-25", "board-goals"
        ),
        DocumentFacts(
            "pr-plan", "Prairie Ridge Strategic Plan 2024-2029", "Prairie Ridge Community Schools", "2024-2029"
        ),
        DocumentFacts("pr-equity", "Prairie Ridge Equity Plan", "Prairie Ridge Community Schools", "2024"),
        DocumentFacts(
            "mv-lcap", "Mesa Verde USD Local Control and Accountability Plan (LCAP)", "Mesa Verde", "2024-27", "lcap"
        ),
    ],
    [
        HARBOR_CITY,
        DistrictFacts("Prairie Ridge Community Schools", ("Prairie Ridge", "PRCS")),
        DistrictFacts("Mesa Verde", ("MVUSD",)),
    ],
)


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("the 2023-24 goals", [(2023, 2024)]),
        ("from 2016-2020", [(2016, 2020)]),
        ("in 2024", [(2024, 2024)]),
        ("2023–24 and 2024/25", [(2023, 2024), (2024, 2025)]),
        ("no year here, only 150 students", []),
    ],
)
def test_years_and_school_years(text: str, spans: list[tuple[int, int]]) -> None:
    assert years_of(text) == spans


@pytest.mark.parametrize(
    ("question", "districts", "documents"),
    [
        ("What are Prairie Ridge's core values?", {"Prairie Ridge Community Schools"}, set()),
        # A document only one district publishes names that district too.
        ("what does the equity plan say about discipline", {"Prairie Ridge Community Schools"}, {"pr-equity"}),
        ("What does PRCS's strategic plan say about reading?", {"Prairie Ridge Community Schools"}, {"pr-plan"}),
        ("In the 2023-24 board goals, what was the attendance target?", {"Harbor City Schools"}, {"hc-2023"}),
        ("what were the goals for 2024-25", set(), {"hc-2024"}),  # a year alone names no district
        ("How much does the LCAP spend on counselors?", {"Mesa Verde"}, {"mv-lcap"}),
        ("What does the plan say about counselors?", set(), set()),  # "plan" alone names no title
        ("Harbor City goals in 2024", {"Harbor City Schools"}, {"hc-2023", "hc-2024"}),
        ("What is the mission?", set(), set()),
    ],
)
def test_a_question_names_districts_documents_and_editions(question: str, districts: set, documents: set) -> None:
    scope = CATALOG.scope_of(question)
    assert (set(scope.districts), set(scope.documents)) == (districts, documents)


@pytest.mark.parametrize(
    ("question", "titled"),
    [
        ("In the 2023-24 board goals, what was the attendance target?", {"hc-2023"}),
        ("How much does the 2025-26 LCAP spend on counselors?", {"mv-lcap"}),  # its 2024-27 edition covers it
        ("What does the equity plan say about the class of 2030?", {"pr-equity"}),  # no edition covers 2030
        ("what were the goals for 2024-25", set()),  # a year alone names an edition, not the document asked of
        ("What does the plan say about counselors?", set()),
    ],
)
def test_the_documents_a_question_names_by_title_are_those_it_is_answered_from(question: str, titled: set) -> None:
    assert set(CATALOG.scope_of(question).titled) == titled


def test_the_first_district_is_the_corpus_own_and_its_short_name_is_how_answers_call_it() -> None:
    district = CATALOG.district()
    assert district is not None and district.short_name == "Harbor City"
    assert CATALOG.district("Mesa Verde").short_name == "MVUSD"  # type: ignore[union-attr]


def test_the_words_that_name_the_district_are_kept_apart() -> None:
    scope = CATALOG.scope_of("What are the core values of Prairie Ridge Community Schools?")
    assert scope.districts == {"Prairie Ridge Community Schools"}
    assert scope.naming_words == {"prairie", "ridge", "community", "schools"}
    assert CATALOG.scope_of("What are the core values?").naming_words == frozenset()


@pytest.mark.parametrize(
    ("question", "districts", "documents"),
    [
        # Naming no district: the deployment's own (Harbor City's site).
        ("What is the mission?", {"Harbor City Schools"}, set()),
        ("what were the goals for 2024-25", {"Harbor City Schools"}, {"hc-2024"}),
        # Naming another district, or a document only another district holds: that one decides.
        ("What are Prairie Ridge's core values?", {"Prairie Ridge Community Schools"}, set()),
        ("what does the equity plan say about discipline", {"Prairie Ridge Community Schools"}, {"pr-equity"}),
    ],
)
def test_a_question_naming_no_district_keeps_to_the_deployments_own(
    question: str, districts: set, documents: set
) -> None:
    scope = CATALOG.own_scope(CATALOG.scope_of(question), HARBOR_CITY)
    assert (set(scope.districts), set(scope.documents)) == (districts, documents)


def test_a_corpus_of_one_district_or_an_unknown_own_district_changes_nothing() -> None:
    alone = Catalog([DocumentFacts("hc-2023", "Board Goals 2023-24", "Harbor City Schools")], [])
    assert alone.own_scope(alone.scope_of("What is the mission?"), HARBOR_CITY).districts == frozenset()
    elsewhere = DistrictFacts("Elsewhere Unified")
    assert CATALOG.own_scope(CATALOG.scope_of("What is the mission?"), elsewhere).districts == frozenset()


def test_a_title_several_districts_publish_names_none_of_them() -> None:
    catalog = Catalog(
        [
            DocumentFacts("a-plan", "Ashford Strategic Plan 2024-2029", "Ashford"),
            DocumentFacts("b-plan", "Bayview Strategic Plan 2023-2028", "Bayview"),
        ],
        [DistrictFacts("Ashford"), DistrictFacts("Bayview")],
    )
    scope = catalog.scope_of("What does the strategic plan say about reading?")
    assert scope.districts == frozenset() and scope.documents == {"a-plan", "b-plan"}
