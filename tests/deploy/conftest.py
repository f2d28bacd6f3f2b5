"""The deployment of docs/deploy.md on this machine (tests/deploy/stack.py), built once for the
tests of this folder on a copy of the session's index."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from assistant.index.generations import FolderGenerations
from assistant.settings import Settings
from tests.conftest import CORPUS
from tests.deploy.stack import Stack, running_stack


@pytest.fixture(scope="package")
def stack(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    work = tmp_path_factory.mktemp("deploy")
    corpus = work / "corpus"  # the tests add a document: a copy
    shutil.copytree(CORPUS, corpus)
    # `chroma run` reads an embedded store's folder as it is: the generation the session's index
    # serves (assistant/index/generations.py), whose collections a server reads as the layout from
    # before generations until an ingest through it writes one of its own.
    index = work / "chroma"
    shutil.copytree(built_settings.chroma_path / FolderGenerations(built_settings).current(), index)  # type: ignore[operator]
    with running_stack(work, corpus, index) as running:
        for server in running.servers:
            server.wait_ready(180)
        yield running
