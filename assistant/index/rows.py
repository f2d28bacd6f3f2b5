"""Rows that generations share, on a Chroma server.

A Chroma server stores about 2,600 rows a second whatever the client does, so writing every row of
a 1,000-page library into a new generation's collections takes half a minute even when one
document changed. On a server, then, a model's rows live in one collection that generations share:
each row carries the time of the generation it appeared in (`born`) and of the one that replaced or
removed it (`died`, NEVER while no generation has), and a generation reads the rows with
born <= its time < died. An ingest adds what is new and marks what went, a metadata change with
no vector written; the generation's own collection (see generations.py) holds no rows, only its
metadata and the name of the rows collection with the time to read it at.

A generation's time is later than that of every generation published before it, so rows an ingest
adds are read by nobody until its pointer moves, and rows it marks stay visible to every reader
until then: a stopped ingest leaves the served index as it was. The next ingest removes what the
stopped one added and unmarks what it marked (forget_unpublished), before it writes and, changed
or not, at its end, which needs one ingest at a time per index (ingest.lock); rows no reader of
the current or the previous generation sees are removed at the end of each ingest (forget_dead).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from chromadb.api.models.Collection import Collection

NEVER = 2**62  # `died` of a row no generation has replaced (Chroma's integers are 64-bit)
_AT = "@"  # a row's Chroma id is its record's id, "@", its `born`: a record may come back later


def time_of(generation: str) -> int:
    """A generation's time in microseconds since 1970, read from its name (generations.new_generation_name)."""
    stamp = datetime.strptime(generation[1:22], "%Y%m%dt%H%M%S%f").replace(tzinfo=UTC)
    return int(stamp.timestamp()) * 1_000_000 + stamp.microsecond


def collection_name(base: str, generation: str) -> str:
    """The rows collection first written by `generation` (later generations add to it)."""
    return f"{base}-rows-{generation}"


def visible(at: int, where: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Chroma filter for the rows a generation of time `at` reads (and `where`, if given)."""
    clauses: list[dict[str, Any]] = [{"born": {"$lte": at}}, {"died": {"$gt": at}}]
    return {"$and": clauses + ([where] if where else [])}


def chroma_id(record_id: str, born: int) -> str:
    return f"{record_id}{_AT}{born}"


def record_id(stored_id: str) -> str:
    return stored_id.rsplit(_AT, 1)[0]


def stamped(record_id: str, metadata: dict[str, str | int | float], born: int) -> dict[str, str | int | float]:
    """A row's metadata in a shared collection: its record's, which record it is, and since when."""
    return metadata | {"row": record_id, "born": born, "died": NEVER}


def retire(collection: Collection, record_ids: Sequence[str], current: int, at: int, batch: int) -> None:
    """Mark the rows of these records that generation `current` reads as gone from generation `at` on."""
    for start in range(0, len(record_ids), batch):
        wanted = list(record_ids[start : start + batch])
        found = collection.get(where=visible(current, {"row": {"$in": wanted}}), include=[])["ids"]
        if found:
            collection.update(ids=found, metadatas=[{"died": at}] * len(found))


def forget_unpublished(collection: Collection, current: int, batch: int) -> None:
    """Undo what ingests stopped before their pointer moved did: their rows removed, their marks undone."""
    added_later: dict[str, Any] = {"born": {"$gt": current}}
    collection.delete(where=added_later)
    marked_later: dict[str, Any] = {"$and": [{"died": {"$gt": current}}, {"died": {"$lt": NEVER}}]}
    while marked := collection.get(where=marked_later, limit=batch, include=[])["ids"]:
        collection.update(ids=marked, metadatas=[{"died": NEVER}] * len(marked))


def forget_dead(collection: Collection, oldest_read: int) -> None:
    """Remove the rows that no generation from `oldest_read` on reads."""
    unread: dict[str, Any] = {"died": {"$lte": oldest_read}}
    collection.delete(where=unread)
