"""The store's database: an engine per URL, its migrations, and sessions that turn a database
that is down into one error (StoreUnavailable, a 503) instead of a driver's own.

SQLite (a file in the data folder) by default; PostgreSQL through psycopg 3 when
PLAN_ASSISTANT_DATABASE_URL is set, which is what several servers share.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import StoreUnavailable
from assistant.settings import Settings

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_FILE = "plan-assistant.sqlite3"
# Any fixed number: PostgreSQL's advisory lock that lets one server at a time run migrations.
_MIGRATION_LOCK = 7_202_302
# Alembic keeps its running migration in module globals (alembic.context, the loaded env.py), so
# two threads migrating two databases at once (a recorder thread and a request) trip over each
# other: one process runs one migration at a time.
_migrating = threading.Lock()


def database_url(settings: Settings) -> URL:
    """The configured URL, with plain postgresql:// read as psycopg 3 (SQLAlchemy's own default
    driver for it is psycopg2, which is not installed); else the SQLite file in data_dir."""
    if settings.database_url is None:
        return make_url(f"sqlite:///{(settings.data_dir / SQLITE_FILE).resolve()}")
    url = make_url(settings.database_url.get_secret_value())
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    # WAL: readers (an insights report) never block the writer that records questions.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")  # citations go with their question
    cursor.close()


def make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A server that is down must fail a write in seconds, not hang the recorder for minutes.
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


def migrate(engine: Engine) -> None:
    """Bring the database's tables to the newest migration (a no-op when they are)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _migrating, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Servers started together would otherwise race to create the same tables.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _cause(error: BaseException) -> str:
    """The driver's own one-line reason (SQLAlchemy adds a second line pointing to its docs)."""
    return str(getattr(error, "orig", None) or error).strip().splitlines()[0]


class Store:
    """One database, migrated on first use; `session()` is a transaction that commits on success."""

    def __init__(self, url: URL) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._migrated = False
        self._lock = threading.Lock()

    def describe(self) -> str:
        """The URL without its password, for messages and logs."""
        return self.url.render_as_string(hide_password=True)

    def ready(self) -> None:
        """Run the migrations once per process; StoreUnavailable if the database cannot be reached."""
        if self._migrated:
            return
        with self._lock:
            if self._migrated:
                return
            for attempt in range(3):
                try:
                    if self.url.get_backend_name() == "sqlite" and self.url.database:
                        Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
                    migrate(self.engine)
                    break
                except (SQLAlchemyError, OSError) as error:
                    # Two processes migrating one SQLite file at once: the second finds the
                    # tables half made; a moment later it finds them done.
                    if attempt == 2:
                        raise StoreUnavailable(
                            f"the database {self.describe()} is unavailable: {_cause(error)}"
                        ) from error
                    time.sleep(0.5)
            self._migrated = True

    @contextmanager
    def session(self) -> Iterator[Session]:
        self.ready()
        try:
            with self._sessions.begin() as session:
                yield session
        except (OperationalError, InterfaceError, PoolTimeout, OSError) as error:  # unreachable, not a bug
            raise StoreUnavailable(f"the database {self.describe()} is unavailable: {_cause(error)}") from error


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def open_store(settings: Settings) -> Store:
    """The process's Store for the configured database: one engine (and pool) per URL."""
    url = database_url(settings)
    key = url.render_as_string(hide_password=False)
    with _stores_lock:
        if key not in _stores:
            _stores[key] = Store(url)
        return _stores[key]
