"""Where each complete index lives, and the pointer that names the one being served.

An ingest never writes into the index that servers read. It writes a new *generation* beside it,
and only once every model's collection in it is whole does it move a pointer to it:

- embedded Chroma (a folder): each generation is its own store, data_dir/chroma/<generation>/,
  and data_dir/chroma/CURRENT names the one served. CURRENT is replaced with os.replace, which is
  atomic: a reader sees the old name or the new one, never half a file.
- a Chroma server: each generation's collections carry its name ("plan_passages-minilm-g2026...")
  and the pointer is the metadata of a small collection, "<collection>-current", changed in one call.
  A generation's collections there hold no rows: the rows live in a collection per model that
  generations share ("plan_passages-minilm-rows-g2026...", named after the generation that started
  it), each row marked with the generations that read it (rows.py), so that an ingest writes only
  what changed.

A process killed at any point before the pointer moves leaves a generation nobody reads; the next
ingest removes it. The generation served before the current one is kept, so a server that has not
looked at the pointer since can still read it. Servers look every refresh_seconds (PlanAssistant).

The layout from before generations (collections written in place: data_dir/chroma itself, or
names without a generation on a server) is read as generation "" until an ingest replaces it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

from assistant.errors import IndexUnavailable, IngestRunning
from assistant.index import rows
from assistant.index.store import BATCH, PassageIndex, make_client
from assistant.settings import Settings

# "g" + UTC time to the microsecond + random: names sort by age, and two machines never pick the same.
GENERATION = re.compile(r"g\d{8}t\d{12}-[0-9a-f]{6}")
_CHROMA_FOLDER = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # a segment's folder
POINTER = "CURRENT"
LEGACY = ""  # the layout before generations


def new_generation_name() -> str:
    return f"g{datetime.now(UTC):%Y%m%dt%H%M%S%f}-{secrets.token_hex(3)}"


@dataclass
class Generation:
    """One index: the client that reads it and the names of its collections."""

    name: str
    client: ClientAPI
    settings: Settings
    owns_client: bool  # an embedded store's own client, closed with it

    def collection(self, model_key: str) -> str:
        base = self.settings.collection_for(model_key)
        return f"{base}-{self.name}" if self.name and self.settings.chroma_host else base

    def new_rows_collection(self, model_key: str) -> str:
        """On a server: the shared rows collection this generation starts, when it writes every row (rows.py)."""
        return rows.collection_name(self.settings.collection_for(model_key), self.name)

    def close(self) -> None:
        if self.owns_client:
            with contextlib.suppress(Exception):  # already closed, or its folder removed meanwhile
                self.client.close()  # type: ignore[attr-defined]  # Client has it, the ClientAPI type not


@dataclass(frozen=True)
class Pointer:
    current: str
    previous: str | None


class Generations:
    """The generations of one index, and its pointer (see the module's docstring)."""

    def pointer(self) -> Pointer | None:
        """The generation being served (LEGACY for the layout before generations); None before any ingest."""
        raise NotImplementedError

    def current(self) -> str | None:
        pointer = self.pointer()
        return pointer.current if pointer else None

    def open(self, name: str) -> Generation:
        """A complete generation, for reading."""
        raise NotImplementedError

    def create(self, name: str) -> Generation:
        """A new, empty generation, for the ingest to fill."""
        raise NotImplementedError

    def copy(self, source: str, name: str) -> Generation | None:
        """A new generation that starts as a copy of `source`, for the ingest to bring up to date
        by writing only what changed; None where no copy is cheaper than writing every row."""
        return None

    def publish(self, name: str, previous: str | None) -> None:
        """Point at `name`: from now on, servers that look read it."""
        raise NotImplementedError

    def discard(self) -> list[str]:
        """Remove every generation that is neither current nor the previous one, and older than the
        current (a newer one may be another ingest's, still being written); returns their names."""
        raise NotImplementedError

    def names(self) -> list[str]:
        """Every generation present, complete or not (LEGACY included when it is there)."""
        raise NotImplementedError

    def _unwanted(self) -> list[str]:
        pointer = self.pointer()
        if pointer is None:
            return []
        keep = {pointer.current, pointer.previous}
        return [n for n in self.names() if n not in keep and (n == LEGACY or n < pointer.current)]


class FolderGenerations(Generations):
    """Embedded Chroma: a folder per generation under data_dir/chroma, and the CURRENT file."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.chroma_path

    def pointer(self) -> Pointer | None:
        try:
            saved = json.loads((self.root / POINTER).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Pointer(LEGACY, None) if (self.root / "chroma.sqlite3").exists() else None
        except (OSError, ValueError) as error:  # never half-written (os.replace), so: unreadable disk
            raise IndexUnavailable(f"the index pointer {self.root / POINTER} could not be read: {error}") from error
        return Pointer(str(saved["current"]), saved.get("previous"))

    def _path(self, name: str) -> Path:
        return self.root / name if name else self.root

    def _client(self, path: Path) -> ClientAPI:
        return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))

    def open(self, name: str) -> Generation:
        path = self._path(name)
        # Chroma would make an empty store where there is none: look first.
        if not (path / "chroma.sqlite3").is_file():
            raise IndexUnavailable(f"the index generation {path} is missing: run plan-assistant ingest")
        return Generation(name, self._client(path), self.settings, owns_client=True)

    def create(self, name: str) -> Generation:
        path = self._path(name)
        path.mkdir(parents=True)
        return Generation(name, self._client(path), self.settings, owns_client=True)

    def copy(self, source: str, name: str) -> Generation | None:
        """The source's files copied: its database through SQLite's backup (a consistent copy even
        while a server reads it), its segments' folders as they are (only the ingest that wrote
        them ever writes them, and it closed them before publishing)."""
        origin, path = self._path(source), self._path(name)
        path.mkdir(parents=True)
        for segment in origin.iterdir():
            if segment.is_dir() and _CHROMA_FOLDER.fullmatch(segment.name):
                shutil.copytree(segment, path / segment.name)
        with (
            contextlib.closing(sqlite3.connect(origin / "chroma.sqlite3")) as reading,
            contextlib.closing(sqlite3.connect(path / "chroma.sqlite3")) as writing,
        ):
            reading.backup(writing)
        return Generation(name, self._client(path), self.settings, owns_client=True)

    def publish(self, name: str, previous: str | None) -> None:
        staged = self.root / f"{POINTER}.{os.getpid()}.tmp"
        with staged.open("w", encoding="utf-8") as out:
            json.dump({"current": name, "previous": previous, "at": datetime.now(UTC).isoformat()}, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(staged, self.root / POINTER)
        _sync_folder(self.root)  # the rename itself survives a power cut

    def names(self) -> list[str]:
        found = [p.name for p in self.root.iterdir() if p.is_dir() and GENERATION.fullmatch(p.name)]
        return sorted(found) + ([LEGACY] if (self.root / "chroma.sqlite3").exists() else [])

    def discard(self) -> list[str]:
        removed = self._unwanted()
        for name in removed:
            if name == LEGACY:  # the old in-place store: its database and its segments' folders
                for path in self.root.iterdir():
                    if path.name.startswith("chroma.sqlite3"):
                        path.unlink()
                    elif path.is_dir() and _CHROMA_FOLDER.fullmatch(path.name):
                        shutil.rmtree(path, ignore_errors=True)
            else:
                shutil.rmtree(self.root / name, ignore_errors=True)
        for stale in self.root.glob(f"{POINTER}.*.tmp"):  # a pointer staged by an ingest killed meanwhile
            stale.unlink(missing_ok=True)
        return removed


class ServerGenerations(Generations):
    """A Chroma server: collections suffixed with their generation, the pointer in a collection's metadata."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = make_client(settings)
        self.pointer_name = f"{settings.collection}-current"

    def pointer(self) -> Pointer | None:
        try:
            metadata = self.client.get_collection(self.pointer_name, embedding_function=None).metadata or {}
        except NotFoundError:
            legacy = self._legacy_exists()
            return Pointer(LEGACY, None) if legacy else None
        except Exception as error:
            raise IndexUnavailable(f"the vector store could not be reached for the index pointer: {error}") from error
        return Pointer(str(metadata["current"]), str(metadata.get("previous", "")) or None)

    def _legacy_exists(self) -> bool:
        try:
            self.client.get_collection(self.settings.collection_for(self.settings.embedding_models[0]))
        except NotFoundError:
            return False
        except Exception as error:
            raise IndexUnavailable(f"the vector store could not be reached: {error}") from error
        return True

    def open(self, name: str) -> Generation:
        return Generation(name, self.client, self.settings, owns_client=False)

    def create(self, name: str) -> Generation:
        return Generation(name, self.client, self.settings, owns_client=False)

    def publish(self, name: str, previous: str | None) -> None:
        metadata = {"current": name, "previous": previous or "", "at": datetime.now(UTC).isoformat()}
        # One call that replaces the metadata: readers see the old pointer or the new one.
        pointer = self.client.get_or_create_collection(self.pointer_name, metadata=metadata, embedding_function=None)
        pointer.modify(metadata=metadata)

    def _collections(self) -> tuple[dict[str, list[str]], dict[str, str]]:
        """Each generation's collection names (LEGACY: those without a generation), and the shared
        rows collections by name, each with the generation that started it."""
        bases = {self.settings.collection_for(key) for key in self.settings.embedding_models}
        by_generation: dict[str, list[str]] = {}
        shared: dict[str, str] = {}
        for collection in self.client.list_collections():
            name = collection.name
            for base in bases:
                suffix = name[len(base) + 1 :] if name.startswith(base + "-") else None
                if name == base:
                    by_generation.setdefault(LEGACY, []).append(name)
                elif suffix and GENERATION.fullmatch(suffix):
                    by_generation.setdefault(suffix, []).append(name)
                elif suffix and suffix.startswith("rows-") and GENERATION.fullmatch(suffix[5:]):
                    shared[name] = suffix[5:]
        return by_generation, shared

    def names(self) -> list[str]:
        found, _ = self._collections()
        return sorted(n for n in found if n) + ([LEGACY] if LEGACY in found else [])

    def discard(self) -> list[str]:
        """As Generations.discard; and the shared rows no kept generation reads are removed: the
        rows collections they name no longer, the rows the oldest of them no longer sees, and what
        ingests stopped before their pointer moved left there (run_ingest calls this holding the
        ingest lock, so no other ingest is writing)."""
        removed = self._unwanted()
        collections, shared = self._collections()
        for name in removed:
            for collection in collections.get(name, []):
                with contextlib.suppress(NotFoundError):
                    self.client.delete_collection(collection)
        pointer = self.pointer()
        if pointer is None:
            return removed
        oldest_read: dict[str, int] = {}  # rows collection -> the earliest time a kept generation reads it at
        latest_read: dict[str, int] = {}  # ... and the latest
        for kept_name in {pointer.current, pointer.previous or LEGACY} - {LEGACY}:
            for collection in collections.get(kept_name, []):
                with contextlib.suppress(NotFoundError):
                    read = PassageIndex.shared_rows(self.client.get_collection(collection, embedding_function=None))
                    if read is not None:
                        oldest_read[read[0]] = min(read[1], oldest_read.get(read[0], read[1]))
                        latest_read[read[0]] = max(read[1], latest_read.get(read[0], read[1]))
        for collection, started_by in shared.items():
            if collection in oldest_read:
                kept = self.client.get_collection(collection, embedding_function=None)
                rows.forget_unpublished(kept, latest_read[collection], BATCH)
                rows.forget_dead(kept, oldest_read[collection])
            elif started_by < pointer.current:  # (a newer one may be another ingest's, still being written)
                with contextlib.suppress(NotFoundError):
                    self.client.delete_collection(collection)
        return removed


def generations_for(settings: Settings) -> Generations:
    return ServerGenerations(settings) if settings.chroma_host else FolderGenerations(settings)


def _sync_folder(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def _locked(path: Path, mode: int) -> Iterator[IO[str]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, mode)  # released when the file closes, or when the process dies (kill -9)
        yield handle


@contextlib.contextmanager
def exclusive_ingest(settings: Settings) -> Iterator[None]:
    """One ingest at a time per data folder: a second one is refused at once (IngestRunning, 409)."""
    try:
        with _locked(settings.data_dir / "ingest.lock", fcntl.LOCK_EX | fcntl.LOCK_NB):
            yield
    except BlockingIOError as error:
        raise IngestRunning("another ingest is updating this index: wait for it to finish") from error


def ingest_running(settings: Settings) -> bool:
    """Whether an ingest (of this process or another) holds the lock right now."""
    try:
        with _locked(settings.data_dir / "ingest.lock", fcntl.LOCK_EX | fcntl.LOCK_NB):
            return False
    except BlockingIOError:
        return True


@contextlib.contextmanager
def corpus_lock(settings: Settings, exclusive: bool) -> Iterator[None]:
    """Shared while an ingest reads the corpus folder, exclusive while the admin area changes it
    (a file and the manifest entry that names it), so an ingest never reads half a change."""
    with _locked(settings.data_dir / "corpus.lock", fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH):
        yield
