"""The same guarantees on a Chroma server (`chroma run`, the chromadb package's own): generations are
collections named with their generation, the pointer is a small collection's metadata."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from assistant.index.generations import ServerGenerations
from tests.index.conftest import (
    BUS_QUESTION,
    BUS_SENTENCE,
    REFRESH_SECONDS,
    Place,
    ingest,
    killed_ingest,
    transportation_plan,
)
from tests.index.test_interrupted_ingest import picked_up_within

pytestmark = pytest.mark.slow

MEALS = "# School Meals\n\n## Breakfast\n\nEvery school will serve a free breakfast to every student.\n"


def test_servers_on_a_chroma_server_pick_up_each_ingest_and_never_see_a_killed_one(
    tmp_path: Path,
    chroma_server: tuple[subprocess.Popen[bytes], int],
    start_server,  # type: ignore[no-untyped-def]
) -> None:
    _, port = chroma_server
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "school-meals.md").write_text(MEALS, encoding="utf-8")
    place = Place(
        tmp_path / "data", corpus, {"PLAN_ASSISTANT_CHROMA_HOST": "127.0.0.1", "PLAN_ASSISTANT_CHROMA_PORT": str(port)}
    )
    ingest(place)
    generations = ServerGenerations(place.settings())
    first = generations.current()
    assert first and generations.names() == [first]
    assert not (place.data / "chroma").exists()  # the vectors live in the server, not a folder here
    server = start_server(place)
    passages = httpx.get(f"{server.base}/api/ready").json()["passages"]

    (corpus / "transportation-plan.md").write_text(transportation_plan(), encoding="utf-8")
    killed_ingest(place, "mid_writing")
    assert generations.current() == first and len(generations.names()) == 2  # a half-written generation, unread
    killed_ingest(place, "before_pointer")
    assert generations.current() == first and len(generations.names()) == 3
    assert httpx.get(f"{server.base}/api/ready").json()["passages"] == passages
    assert not server.cites(BUS_QUESTION, BUS_SENTENCE)

    ingest(place)
    waited = picked_up_within([server], REFRESH_SECONDS + 1)
    print(f"new index served {waited[0]:.2f} s after the ingest ended")
    assert generations.names() == sorted([first, generations.current()])  # type: ignore[type-var]
    collections = {c.name for c in generations.client.list_collections()}
    assert collections == {f"plan_passages-{m}-{g}" for m in ("minilm", "use-m3") for g in generations.names()} | {
        "plan_passages-current"
    }
