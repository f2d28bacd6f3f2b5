"""The bookkeeping of rows that generations share on a Chroma server (assistant/index/rows.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from assistant.index import rows
from assistant.index.generations import GENERATION, new_generation_name


def test_a_generations_time_is_its_names_to_the_microsecond_and_later_names_read_later() -> None:
    assert rows.time_of("g20261207t143045499591-7589c0") == int(
        datetime(2026, 12, 7, 14, 30, 45, 499591, tzinfo=UTC).timestamp() * 1_000_000
    )
    names = [new_generation_name() for _ in range(50)]
    assert all(GENERATION.fullmatch(name) for name in names)
    times = [rows.time_of(name) for name in names]
    assert times == sorted(times) and times[-1] < rows.NEVER


def test_a_row_is_read_from_the_generation_it_was_born_in_until_the_one_that_retired_it() -> None:
    assert rows.visible(5) == {"$and": [{"born": {"$lte": 5}}, {"died": {"$gt": 5}}]}
    assert rows.visible(5, {"kind": "chunk"})["$and"][-1] == {"kind": "chunk"}
    stored = rows.chroma_id("goal-0a1b-3", 1796653845499590)
    assert stored != "goal-0a1b-3" and rows.record_id(stored) == "goal-0a1b-3"
    assert rows.stamped("c1", {"kind": "unit"}, 7) == {"kind": "unit", "row": "c1", "born": 7, "died": rows.NEVER}
