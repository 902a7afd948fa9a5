"""One PostgreSQL cluster per test session, started by the launchers' own code
(bot/tools/services.py: Debian's binaries, loopback, fsync off), and the application
database as every test gets it.

- `pg_server`: the cluster (a Postgres object); `postgres_server`: its admin URL.
- `postgres_url` / `pg_database`: a fresh, empty database for one test, dropped after.
- `app_db`: the application database migrated to heads like production, on SQLite and on
  PostgreSQL (the PostgreSQL half is marked `db`). Alembic runs once per session into a
  template (a SQLite file, a PostgreSQL template database); each test gets a copy.

TEST_POSTGRES_URL (a server whose user may CREATE DATABASE) uses an existing server.
Without the binaries: skipped on a developer's machine, a failure in CI (tests/support/ci.py).
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from typing import Iterator

import pytest

from tests.support.ci import unavailable

_TEMPLATE = "app_template"
_counter = itertools.count(1)


class _External:
    """An existing server named by TEST_POSTGRES_URL, used like our own cluster."""

    def __init__(self, url: str) -> None:
        self.url = url

    def admin_url(self) -> str:
        return self.url


@pytest.fixture(scope="session")
def pg_server():
    external = os.environ.get("TEST_POSTGRES_URL")
    if external:
        yield _External(external)
        return
    from bot.tools.services import Postgres, ServiceError, missing_binaries

    if "postgresql" in missing_binaries():
        unavailable("PostgreSQL binaries not found (make system-deps installs them)")
    try:
        import psycopg2  # noqa: F401  (the driver the store uses on PostgreSQL)
    except ImportError:
        unavailable("the psycopg2 driver is not installed")
    try:
        server = Postgres(durable=False, max_connections=200).start()
    except ServiceError as exc:
        unavailable(f"PostgreSQL did not start: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server(pg_server) -> str:
    """The cluster's admin URL (its `postgres` database)."""
    return pg_server.admin_url()


def _admin(server_url: str, *statements: str) -> None:
    import psycopg2

    conn = psycopg2.connect(server_url, connect_timeout=10)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
    finally:
        conn.close()


def _url_of(server_url: str, name: str) -> str:
    return server_url.rsplit("/", 1)[0] + "/" + name


def _drop(server_url: str, name: str) -> None:
    _admin(
        server_url,
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        f'DROP DATABASE IF EXISTS "{name}"',
    )


def _fresh(server_url: str, template: str = "") -> Iterator[str]:
    name = f"t_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    _admin(
        server_url, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
    )
    try:
        yield _url_of(server_url, name)
    finally:
        _drop(server_url, name)


@pytest.fixture
def postgres_url(postgres_server) -> Iterator[str]:
    """A fresh empty database on the session's cluster, for one test."""
    yield from _fresh(postgres_server)


@pytest.fixture
def pg_database(postgres_url) -> str:
    return postgres_url


def _migrate(url: str) -> None:
    from bot.store import reset_engine
    from bot.store.migrate import upgrade

    upgrade(url)
    reset_engine()  # no connection may stay open on a template


@pytest.fixture(scope="session")
def _pg_template(postgres_server) -> str:
    _drop(postgres_server, _TEMPLATE)
    _admin(postgres_server, f'CREATE DATABASE "{_TEMPLATE}"')
    _migrate(_url_of(postgres_server, _TEMPLATE))
    # Copying needs a template nobody is connected to: close what the migration left open
    # (Alembic's engine) and let no one in again.
    _admin(
        postgres_server,
        f'ALTER DATABASE "{_TEMPLATE}" WITH ALLOW_CONNECTIONS false',
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{_TEMPLATE}'",
    )
    return _TEMPLATE


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("template") / "app.db"
    _migrate(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def migrated_sqlite(tmp_path, _sqlite_template) -> str:
    """The URL of a fresh SQLite application database (tmp_path/app.db) migrated to heads:
    a copy of the session's template, since running the migrations costs about 1.5 s."""
    path = tmp_path / "app.db"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.db)])
def app_db(request, tmp_path, monkeypatch) -> Iterator[str]:
    """The application database on SQLite and on PostgreSQL, migrated to heads, with
    DATABASE_URL and VAR_DIR pointing at it for the code under test. Yields the URL."""
    from bot.store import reset_engine

    if request.param == "sqlite":
        path = tmp_path / "app.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        urls = iter([f"sqlite:///{path}"])
    else:
        server = request.getfixturevalue("postgres_server")
        urls = _fresh(server, request.getfixturevalue("_pg_template"))
    url = next(urls)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SMS_GATEWAY", raising=False)
    monkeypatch.delenv("SMS_GATEWAY_URL", raising=False)
    reset_engine()
    try:
        yield url
    finally:
        reset_engine()
        next(urls, None)  # drops the PostgreSQL copy
