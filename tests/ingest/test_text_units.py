import pytest

from ingest.text_units import normalize_for_match, split_marker, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two.", ["One.", "Two."]),
        ("Recommendation 1. To ensure x. Next.", ["Recommendation 1. To ensure x.", "Next."]),
        ("Approved in September 2016. It helps.", ["Approved in September 2016.", "It helps."]),
        ("Use e.g. LCAP data. Then act!", ["Use e.g. LCAP data.", "Then act!"]),
        ("No final stop", ["No final stop"]),
        ("Students will: read. Write.", ["Students will: read.", "Write."]),
        ("", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("- Life Skills", ("-", "Life Skills")),
        (" 1. Students will", ("1.", "Students will")),
        ("• Welcome", ("•", "Welcome")),
        ("2016-2020 Strategic Plan", ("", "2016-2020 Strategic Plan")),
        ("Plain text", ("", "Plain text")),
    ],
)
def test_split_marker(line: str, expected: tuple[str, str]) -> None:
    assert split_marker(line) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- Life Skills\n 1. Students  will", "Life Skills Students will"),
        ("improving **student achievement**, incorporating", "improving student achievement, incorporating"),
        ("Report\u00a0presents", "Report presents"),
        ("2. Be responsible", "Be responsible"),
    ],
)
def test_normalize_for_match(text: str, expected: str) -> None:
    assert normalize_for_match(text) == expected
