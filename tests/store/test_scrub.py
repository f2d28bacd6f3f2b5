"""The scrubber that runs on every parent's text before it is stored (pure unit tests)."""

import pytest

from assistant.store.scrub import scrub


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("Email me at maria.lopez+pusd@gmail.com please", "Email me at [email] please"),
        ("write to j_smith@mail.pusd.us or ANA@EXAMPLE.ORG", "write to [email] or [email]"),
        ("Call me at (626) 555-0123 please", "Call me at [phone] please"),
        ("my cell is 626.555.0123", "my cell is [phone]"),
        ("text 626-555-0123 or 6265550142", "text [phone] or [phone]"),
        ("+1 626 555 0123", "[phone]"),
        ("at home 555-0123", "at home [phone]"),  # a local number, no area code
        ("llámame al 626 555 0123, gracias", "llámame al [phone], gracias"),
        ("my sister in London: +44 20 7946 0958", "my sister in London: [phone]"),
        ("from Mexico City +52 55 1234 5678", "from Mexico City [phone]"),
        ("en España 0034 612 34 56 78", "en España [phone]"),
        ("dialled from the US: 011 44 20 7946 0958", "dialled from the US: [phone]"),
        ("mi móvil 612 34 56 78", "mi móvil [phone]"),
        ("Paris +33 1 23 45 67 89 or me@x.fr", "Paris [phone] or [email]"),
    ],
)
def test_addresses_and_phone_numbers_are_replaced(text: str, scrubbed: str) -> None:
    assert scrub(text) == scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "What does the 2016-2020 strategic plan say about parents?",
        "Goal 3 of 7: 1,200 students in 2024",
        "Recommendation 5 (page 12) and zip codes 91101 and 91106",
        "my son is in grade 10, room 214, since 2019 2020",
        "Is the plan @ risk? Ask me at the meeting",
        "¿Qué dice el plan 2016-2020 sobre la seguridad?",
    ],
)
def test_plan_years_counts_and_plain_text_are_left_alone(text: str) -> None:
    assert scrub(text) == text
