"""The same guarantees on a Chroma server (`chroma run`, the chromadb package's own): generations are
collections named with their generation, the pointer is a small collection's metadata."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest

from assistant.embedding import model_name
from assistant.index import rows
from assistant.index.generations import ServerGenerations
from assistant.index.store import PassageIndex
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
    models = ("minilm", "use-m3")
    shared = {f"plan_passages-{m}-rows-{first}" for m in models}  # started by the first ingest, shared since
    stamps = {f"plan_passages-{m}-{g}" for m in models for g in generations.names()}
    assert collections == stamps | shared | {"plan_passages-current"}
    # What the two killed ingests added is gone: the shared rows are exactly those the served generation reads.
    for model in models:
        served = PassageIndex(generations.client, f"plan_passages-{model}-{generations.current()}", model_name(model))
        assert generations.client.get_collection(f"plan_passages-{model}-rows-{first}").count() == served.count()


def test_on_a_chroma_server_an_ingest_writes_only_what_changed_and_each_generation_reads_its_own_rows(
    tmp_path: Path, chroma_server: tuple[subprocess.Popen[bytes], int]
) -> None:
    _, port = chroma_server
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "school-meals.md").write_text(MEALS, encoding="utf-8")
    (corpus / "transportation-plan.md").write_text(transportation_plan(), encoding="utf-8")
    place = Place(
        tmp_path / "data", corpus, {"PLAN_ASSISTANT_CHROMA_HOST": "127.0.0.1", "PLAN_ASSISTANT_CHROMA_PORT": str(port)}
    )
    ingest(place)
    generations = ServerGenerations(place.settings())
    first = generations.current()
    assert first

    def index(generation: str, model: str) -> PassageIndex:
        return PassageIndex(generations.client, f"plan_passages-{model}-{generation}", model_name(model))

    def passages(generation: str) -> str:
        return " ".join(index(generation, "minilm").load("chunk", with_vectors=False)["documents"])

    def shared(model: str):  # type: ignore[no-untyped-def]
        return generations.client.get_collection(f"plan_passages-{model}-rows-{first}")

    counts = {model: index(first, model).count() for model in ("minilm", "use-m3")}

    # Killed once its first model's new rows are written and the old ones marked: nothing read changes.
    (corpus / "school-meals.md").write_text(MEALS.replace("breakfast", "lunch"), encoding="utf-8")
    killed_ingest(place, "mid_writing")
    assert "free breakfast" in passages(first) and "free lunch" not in passages(first)
    assert {model: index(first, model).count() for model in counts} == counts
    # Put back as it was, the next ingest changes nothing, and what the killed one left is gone.
    (corpus / "school-meals.md").write_text(MEALS, encoding="utf-8")
    ingest(place)
    assert generations.current() == first
    assert {model: shared(model).count() for model in counts} == counts

    (corpus / "school-meals.md").write_text(MEALS.replace("breakfast", "lunch"), encoding="utf-8")
    report = ingest(place).stdout
    second = generations.current()
    assert second and second != first
    embedded = int(re.search(r"embedded (\d+) new rows", report).group(1))  # type: ignore[union-attr]
    added = sum(len(shared(m).get(where={"born": rows.time_of(second)}, include=[])["ids"]) for m in counts)
    assert 0 < embedded == added < sum(counts.values()) / 4  # the meals' rows only, written once
    assert {model: index(second, model).count() for model in counts} == counts
    assert "free lunch" in passages(second) and "free breakfast" not in passages(second)
    # A server that has not looked at the pointer since still reads the generation before, whole.
    assert "free breakfast" in passages(first) and "free lunch" not in passages(first)
    assert {model: index(first, model).count() for model in counts} == counts

    (corpus / "school-meals.md").write_text(MEALS.replace("breakfast", "dinner"), encoding="utf-8")
    ingest(place)
    third = generations.current()
    assert generations.names() == [second, third]
    assert "free dinner" in passages(third)
    for model in counts:  # the rows only the discarded first generation read are gone
        assert not shared(model).get(where_document={"$contains": "breakfast"}, include=[])["ids"]
        assert shared(model).get(where_document={"$contains": "lunch"}, include=[])["ids"]
