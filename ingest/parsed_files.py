"""Reading the corpus's files: on both cores, and each file once until it or the parsers change.

Parsing is most of an unchanged re-ingest (pypdf and pdfplumber read a page in tens of ms), so a
file's blocks are kept in `cache_dir`, named by a hash of the file's bytes and of the loaders'
source code: an edited file, or an edited loader, is read again. Files still to read are read in
worker processes, one per core, when there are enough of them to pay for starting the workers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

from ingest.blocks import Block

Loaded = tuple[list[Block], int | None]  # blocks and page count (None where the format has none)
MIN_FOR_WORKERS = 8  # files to read before worker processes pay for their start (about a second)
_LOADERS = ("blocks", "corpus", "docx_loader", "html_loader", "markdown_loader", "pdf_loader", "text_loader")


@cache
def _loaders_hash() -> str:
    folder = Path(__file__).parent
    digest = hashlib.sha256()
    for name in _LOADERS + ("text_units", "parsed_files"):
        digest.update((folder / f"{name}.py").read_bytes())
    return digest.hexdigest()[:16]


def _key(path: Path) -> str:
    return hashlib.sha256(_loaders_hash().encode() + path.read_bytes()).hexdigest()[:32]


def _read_cached(file: Path) -> Loaded | None:
    try:
        saved = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # not there, or half written by a stopped ingest: read the file again
    blocks = [Block(**b | {"cells": tuple(b["cells"]), "headers": tuple(b["headers"])}) for b in saved["blocks"]]
    return blocks, saved["pages"]


def _write_cached(file: Path, loaded: Loaded) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    scratch = file.with_suffix(".tmp")
    blocks = [dataclasses.asdict(block) for block in loaded[0]]
    scratch.write_text(json.dumps({"blocks": blocks, "pages": loaded[1]}, ensure_ascii=False), encoding="utf-8")
    os.replace(scratch, file)  # atomic: a concurrent ingest never reads half a file


def _guarded(load: Callable[[Path], Loaded], path: Path) -> Loaded | str:
    """The file's blocks, or why it could not be read (an error message crosses processes safely)."""
    try:
        return load(path)
    except Exception as error:
        return f"{type(error).__name__}: {error}"


def read_files(paths: list[Path], load: Callable[[Path], Loaded], cache_dir: Path | None) -> dict[Path, Loaded | str]:
    """Each file's blocks and pages, or the message of the error that stopped its reading."""
    keys = {path: _key(path) for path in paths} if cache_dir else {}
    result: dict[Path, Loaded | str] = {}
    for path in paths:
        cached = _read_cached(cache_dir / f"{keys[path]}.json") if cache_dir else None
        if cached is not None:
            result[path] = cached
    # The largest first, so that no worker is left with a 50-page PDF while the other is idle.
    todo = sorted((path for path in paths if path not in result), key=lambda p: -p.stat().st_size)
    workers = min(os.cpu_count() or 1, len(todo))
    if workers > 1 and len(todo) >= MIN_FOR_WORKERS:
        # Spawned, not forked: the caller may be running threads (a server, a progress bar).
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            result |= dict(zip(todo, pool.map(_guarded, [load] * len(todo), todo)))
    else:
        result |= {path: _guarded(load, path) for path in todo}
    if cache_dir:
        for path in todo:
            loaded = result[path]
            if not isinstance(loaded, str) and loaded[0]:
                _write_cached(cache_dir / f"{keys[path]}.json", loaded)
    return result
