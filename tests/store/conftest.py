"""A real PostgreSQL server for the store's tests: Debian's package (make install puts it in
/usr/lib/postgresql), a throwaway cluster made with initdb in a temporary folder, started with
pg_ctl on a free loopback port, once per session; each test gets a database of its own.

initdb and postgres refuse to run as root (CI runs as root): then the cluster is made and run by
the `postgres` user that the Debian package creates, through runuser.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from pydantic import SecretStr

from assistant.settings import Settings
from tests.conftest import free_port, make_settings

USER = "plan"


@dataclass
class PostgresServer:
    port: int

    def url(self, database: str) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    assert found, "PostgreSQL is not installed: `make install` installs Debian's postgresql package"
    return Path(found[-1]).parent


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    bin_dir = _postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="plan-assistant-pg-"))  # not pytest's tmp: only root may enter that
    as_owner: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    data = root / "data"
    port = free_port()
    subprocess.run(
        [*as_owner, str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    pg_ctl = [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data)]
    subprocess.run([*pg_ctl, "-o", options, "-l", str(root / "server.log"), "-w", "-t", "60", "start"], check=True)
    try:
        yield PostgresServer(port)
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings whose question store is a new SQLite file, or a new database on the test server."""
    if request.param == "sqlite":
        return make_settings(tmp_path / "data")
    server: PostgresServer = request.getfixturevalue("postgres")
    return make_settings(tmp_path / "data", database_url=SecretStr(server.new_database()))
