"""Local PostgreSQL and Redis from Debian's packages, on loopback, for run-prod, tests and benchmarks.

    with Postgres() as pg, Redis() as redis:      # throwaway: temp dir, free port, removed on exit
        os.environ["DATABASE_URL"] = pg.url         # postgresql://postgres@127.0.0.1:<port>/citizen
        os.environ["REDIS_URL"] = redis.url         # redis://127.0.0.1:<port>/0

    Postgres(data_dir=Path("var/pgdata"), port=5433, keep=True)   # persistent (make run-prod)

    python -m bot.tools.services check              # are the binaries there? (exit 1 if not)

Nothing here is for a real deployment: the clusters trust every loopback connection
(no password) and listen on 127.0.0.1 only. A deployment sets DATABASE_URL and
REDIS_URL to the servers it operates (docs/deployment.md).

PostgreSQL refuses to run as root; when we are root the cluster runs as the
`postgres` user the Debian package creates, in a directory owned by it.
`durable=False` turns fsync off (tests: faster, and a crash loses nothing we need);
run-prod and the load benchmark keep PostgreSQL's durable defaults.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Set

from bot import settings

PG_USER = "postgres"  # OS user that runs the cluster when we are root
DB_SUPERUSER = "postgres"  # database superuser created by initdb
DEFAULT_DB = "citizen"


def spawn_logged(args: List[str], log_path: Path, **kwargs) -> subprocess.Popen:
    """Start a server in its own session (a Ctrl-C meant for us does not reach it, and a
    stop can signal its whole group), its output appended to log_path, no stdin."""
    log = open(log_path, "ab")
    try:
        return subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            **kwargs,
        )
    finally:
        log.close()


class ServiceError(RuntimeError):
    pass


_handed_out: Set[int] = set()


def free_port() -> int:
    """A loopback port nobody listens on now, never the same one twice in this process.
    Bind-then-close leaves a window in which another process may take it: a service given
    a port this way picks another if it is taken by the time it starts (_Service)."""
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port
    raise ServiceError("no free loopback port")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def pg_bin_dir() -> Optional[Path]:
    """Directory of initdb/postgres: $PG_BIN, the newest /usr/lib/postgresql/*/bin, or PATH."""
    if settings.get().pg_bin:
        return Path(settings.get().pg_bin)
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


def redis_bin() -> Optional[str]:
    return settings.get().redis_server or shutil.which("redis-server")


def missing_binaries() -> List[str]:
    """Debian packages whose binaries are missing (empty list: all there)."""
    missing = []
    if pg_bin_dir() is None or not (pg_bin_dir() / "postgres").exists():
        missing.append("postgresql")
    if redis_bin() is None:
        missing.append("redis-server")
    return missing


def _wait(
    predicate,
    timeout: float,
    what: str,
    proc: Optional[subprocess.Popen] = None,
    log: Optional[Path] = None,
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise ServiceError(f"{what} exited with code {proc.returncode}\n{tail}")
        try:
            if predicate():
                return
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise ServiceError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(0.2)


class _Service:
    name = "service"

    def __init__(
        self, data_dir: Optional[Path], port: int, keep: bool, host: str = "127.0.0.1"
    ) -> None:
        self.host = host  # a loopback address: 127.0.2.1 plays the database machine (make hosts)
        self.throwaway = data_dir is None
        self.base = (
            Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix=f"cza-{self.name}-"))
        )
        self.chosen_port = not port  # ours to change if someone takes it before we start
        self.port = port or free_port()
        self.keep = keep or not self.throwaway
        self.proc: Optional[subprocess.Popen] = None

    @property
    def log_path(self) -> Path:
        return self.base / f"{self.name}.log"

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _popen(self, args: List[str], **kwargs) -> subprocess.Popen:
        return spawn_logged(args, self.log_path, **kwargs)

    def _signal_stop(self, sig: int, timeout: float = 30) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        self.proc = None

    def kill(self) -> None:
        """Crash it (SIGKILL): the outage benchmark."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def restart(self) -> None:
        self.stop(remove=False)
        self.start()

    def _claim_port(self) -> None:
        if port_open(self.port, self.host):
            if not self.chosen_port:
                raise ServiceError(f"port {self.port} is already in use")
            self.port = free_port()

    def start(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def stop(self, remove: bool = True) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Postgres(_Service):
    """A PostgreSQL cluster of its own: initdb on first start, `postgres` in the foreground."""

    name = "postgres"

    def __init__(
        self,
        data_dir: Optional[Path] = None,
        port: int = 0,
        database: str = DEFAULT_DB,
        durable: bool = True,
        keep: bool = False,
        max_connections: int = 100,
        settings: Optional[Dict[str, str]] = None,
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(data_dir, port, keep, host)
        self.database = database
        self.durable = durable
        self.max_connections = max_connections
        self.settings = settings or {}
        self.bin = pg_bin_dir()
        if self.bin is None:
            raise ServiceError(
                "PostgreSQL binaries not found: apt-get install postgresql (or set PG_BIN)"
            )

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def url(self) -> str:
        return f"postgresql://{DB_SUPERUSER}@{self.host}:{self.port}/{self.database}"

    def admin_url(self) -> str:
        return f"postgresql://{DB_SUPERUSER}@{self.host}:{self.port}/postgres"

    def _as_owner(self) -> Dict:
        if os.geteuid() != 0:
            return {}
        return {"user": PG_USER, "group": pwd.getpwnam(PG_USER).pw_gid}

    def _prepare_dirs(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            entry = pwd.getpwnam(PG_USER)
            os.chown(self.base, entry.pw_uid, entry.pw_gid)
            os.chmod(self.base, 0o755)
            # The postgres user must be able to reach the directory.
            for parent in self.base.resolve().parents:
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    raise ServiceError(
                        f"{parent} is not searchable by the '{PG_USER}' user; "
                        f"choose a data directory elsewhere (PG_DATA_DIR)"
                    )
            if self.log_path.exists():
                os.chown(self.log_path, entry.pw_uid, entry.pw_gid)

    def initdb(self) -> None:
        if (self.data / "PG_VERSION").exists():
            return
        self._prepare_dirs()
        result = subprocess.run(
            [
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                DB_SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-instructions",
            ],
            capture_output=True,
            text=True,
            cwd=self.base,
            **self._as_owner(),
        )
        if result.returncode != 0:
            raise ServiceError(f"initdb failed: {result.stderr[-2000:]}")

    def start(self, timeout: float = 60) -> "Postgres":
        if self.running():
            return self
        self._claim_port()
        self.initdb()
        self._prepare_dirs()
        options = {
            "listen_addresses": self.host,
            "port": str(self.port),
            "unix_socket_directories": str(self.base),
            "max_connections": str(self.max_connections),
            "shared_buffers": "128MB",
        }
        if not self.durable:
            options.update(fsync="off", synchronous_commit="off", full_page_writes="off")
        options.update(self.settings)
        args = [str(self.bin / "postgres"), "-D", str(self.data)]
        for key, value in options.items():
            args += ["-c", f"{key}={value}"]
        self.proc = self._popen(args, cwd=self.base, **self._as_owner())
        _wait(self._accepts, timeout, "PostgreSQL", self.proc, self.log_path)
        self.create_database()
        return self

    def _accepts(self) -> bool:
        import psycopg2

        psycopg2.connect(self.admin_url(), connect_timeout=2).close()
        return True

    def create_database(self, name: str = "") -> None:
        import psycopg2

        name = name or self.database
        conn = psycopg2.connect(self.admin_url(), connect_timeout=5)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cur.fetchone() is None:
                    cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()

    def connections(self) -> int:
        """Client connections currently open (what the pool sizes decide)."""
        import psycopg2

        conn = psycopg2.connect(self.admin_url(), connect_timeout=5)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                    "AND pid <> pg_backend_pid()"
                )
                return int(cur.fetchone()[0])
        finally:
            conn.close()

    def stop(self, remove: bool = True) -> None:
        self._signal_stop(signal.SIGINT)  # "fast" shutdown: roll back clients, checkpoint
        if remove and not self.keep:
            shutil.rmtree(self.base, ignore_errors=True)


class Redis(_Service):
    """A redis-server of its own, on loopback. Throwaway instances keep nothing on disk."""

    name = "redis"

    def __init__(
        self,
        data_dir: Optional[Path] = None,
        port: int = 0,
        keep: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(data_dir, port, keep, host)
        self.bin = redis_bin()
        if self.bin is None:
            raise ServiceError(
                "redis-server not found: apt-get install redis-server (or set REDIS_SERVER)"
            )

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def start(self, timeout: float = 30) -> "Redis":
        if self.running():
            return self
        self._claim_port()
        self.base.mkdir(parents=True, exist_ok=True)
        persistence = (
            ["--appendonly", "yes", "--save", "60 1"]
            if not self.throwaway
            else ["--appendonly", "no", "--save", ""]
        )
        args = [
            self.bin,
            "--port",
            str(self.port),
            "--bind",
            self.host,
            "--protected-mode",
            "yes",
            "--dir",
            str(self.base),
            "--daemonize",
            "no",
            "--logfile",
            "",
        ] + persistence
        self.proc = self._popen(args, cwd=self.base)
        _wait(self._pong, timeout, "Redis", self.proc, self.log_path)
        return self

    def _pong(self) -> bool:
        import redis

        return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())

    def stop(self, remove: bool = True) -> None:
        self._signal_stop(signal.SIGTERM)
        if remove and not self.keep:
            shutil.rmtree(self.base, ignore_errors=True)


def main(argv: List[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "check":
        missing = missing_binaries()
        if missing:
            print(
                f"missing Debian packages: {' '.join(missing)} (apt-get install {' '.join(missing)})"
            )
            return 1
        print(f"PostgreSQL: {pg_bin_dir()}  Redis: {redis_bin()}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
