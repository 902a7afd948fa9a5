"""A throwaway PostgreSQL server for the tests, from Debian's binaries.

`postgres_server` (session scope) runs initdb + pg_ctl from /usr/lib/postgresql/*/bin
in a temporary directory, listening on 127.0.0.1 on a free port (and a private
Unix socket directory), and stops and deletes it afterwards. PostgreSQL refuses
to run as root, so when the tests run as root the server runs as the `postgres`
system user that Debian's package creates.

`postgres_url` (function scope) gives every test a fresh, empty database:
postgresql+psycopg2://tests@127.0.0.1:PORT/t_N.

Missing binaries: skipped on a developer's machine, a hard failure when CI is set
(CI must never pass by silently skipping the PostgreSQL half of the suite).
Install them with `apt-get install postgresql` (scripts/system-deps.sh).
Set TEST_POSTGRES_URL (a server URL whose user may CREATE DATABASE) to use an
existing server instead.

Usage in a test module:  from tests.fixtures_pg import postgres_server, postgres_url  # noqa: F401
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from typing import Iterator, List, Optional

import pytest

USER = "tests"
_counter = itertools.count(1)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def find_bindir() -> Optional[str]:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0,
        reverse=True,
    )
    for bindir in candidates:
        if all(
            os.access(os.path.join(bindir, b), os.X_OK) for b in ("initdb", "pg_ctl", "postgres")
        ):
            return bindir
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb and shutil.which("pg_ctl") else None


def _unavailable(reason: str) -> None:
    message = (
        f"PostgreSQL for the tests is unavailable: {reason}. "
        "Install it with `apt-get install postgresql` (scripts/system-deps.sh)."
    )
    if in_ci():
        pytest.fail(
            message + " CI=true: the PostgreSQL tests must run, not be skipped.", pytrace=False
        )
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    def __init__(self, bindir: str) -> None:
        self.bindir = bindir
        self.root = tempfile.mkdtemp(prefix="pgtest-")
        self.data = os.path.join(self.root, "data")
        self.sockets = os.path.join(self.root, "sock")
        self.log = os.path.join(self.root, "server.log")
        self.port = _free_port()
        self.run_as: Optional[pwd.struct_passwd] = None
        if os.geteuid() == 0:
            try:
                self.run_as = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError(
                    "running as root and there is no `postgres` user to run the server"
                )
        os.makedirs(self.sockets)
        if self.run_as:
            for path in (self.root, self.sockets):
                os.chown(path, self.run_as.pw_uid, self.run_as.pw_gid)
            os.chmod(self.root, 0o700)

    def _demote(self):
        if not self.run_as:
            return None
        uid, gid = self.run_as.pw_uid, self.run_as.pw_gid

        def set_ids() -> None:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)

        return set_ids

    def _run(self, args: List[str], timeout: float = 60) -> subprocess.CompletedProcess:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LC_ALL": "C.UTF-8",
            "LANG": "C.UTF-8",
            "HOME": self.root,
        }
        return subprocess.run(
            args,
            preexec_fn=self._demote(),
            env=env,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self) -> None:
        init = self._run(
            [
                os.path.join(self.bindir, "initdb"),
                "-D",
                self.data,
                "-U",
                USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ]
        )
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {init.stderr[-2000:]}")
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=50"
        )
        start = self._run(
            [
                os.path.join(self.bindir, "pg_ctl"),
                "-D",
                self.data,
                "-l",
                self.log,
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            timeout=90,
        )
        if start.returncode != 0:
            log = open(self.log).read()[-2000:] if os.path.exists(self.log) else ""
            raise RuntimeError(f"pg_ctl start failed: {start.stderr[-1000:]} {log}")

    def stop(self) -> None:
        try:
            self._run(
                [
                    os.path.join(self.bindir, "pg_ctl"),
                    "-D",
                    self.data,
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                timeout=60,
            )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://{USER}@127.0.0.1:{self.port}/postgres"


def _create_database(server_url: str, name: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(server_url, future=True, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return str(make_url(server_url).set(database=name))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a running PostgreSQL server (its `postgres` database)."""
    external = os.environ.get("TEST_POSTGRES_URL")
    if external:
        yield external
        return
    bindir = find_bindir()
    if not bindir:
        _unavailable("no initdb/pg_ctl under /usr/lib/postgresql/*/bin")
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        _unavailable("the psycopg2 driver is not installed")
    server = _Server(bindir)
    try:
        server.start()
    except Exception as exc:
        server.stop()
        _unavailable(str(exc))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh empty database on the test server, for one test."""
    name = f"t_{os.getpid()}_{next(_counter)}_{int(time.time() * 1000) % 100000}"
    return _create_database(postgres_server, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def app_db(request, tmp_path, monkeypatch) -> Iterator[str]:
    """The application database on SQLite and on PostgreSQL, migrated to `heads`
    like production (python -m bot.store.migrate), with DATABASE_URL and VAR_DIR
    pointing at it for the code under test. Yields the URL."""
    from bot.store import reset_engine
    from bot.store.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SMS_GATEWAY", raising=False)
    monkeypatch.delenv("SMS_GATEWAY_URL", raising=False)
    reset_engine()
    upgrade(url)
    try:
        yield url
    finally:
        reset_engine()
