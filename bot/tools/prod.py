"""Production profile: PostgreSQL + Redis, several Rasa workers, one action server.

    python -m bot.tools.prod            # `make run-prod`; Ctrl-C stops everything it started
    python -m bot.tools.prod plan       # print the environment and connection budget, start nothing

Selected by environment variables only (docs/deployment.md):
    DATABASE_URL     PostgreSQL for our tables and Rasa's tracker store. Unset: a local
                     cluster from Debian's postgresql package is started on 127.0.0.1:LOCAL_PG_PORT
                     (default 5433), data in VAR_DIR/pg (kept between runs).
    REDIS_URL        lock store, webhook de-duplication, rate limits, widget fan-out. Unset: a
                     local redis-server on 127.0.0.1:LOCAL_REDIS_PORT (default 6380), data in
                     VAR_DIR/redis.
    SANIC_WORKERS    Rasa server processes sharing one port (default 2)
    ACTION_SERVER_SANIC_WORKERS  action server processes (default 1)
    SQL_POOL_SIZE / SQL_MAX_OVERFLOW   tracker store pool per Rasa worker (default 4 / 1)
    TF_INTRA_OP_PARALLELISM_THREADS / TF_INTER_OP_PARALLELISM_THREADS   TensorFlow threads per
                     worker (default: cores / SANIC_WORKERS, at least 1)
    DB_POOL_SIZE / DB_MAX_OVERFLOW     our tables' pool per process (default 6 / 4)
    RASA_PORT, ACTIONS_PORT, VAR_DIR, RASA_API_TOKEN (HTTP API only with a token)
    ACTIONS_HOST     action server interface (default 127.0.0.1). Anything else needs
                     ACTION_SERVER_TOKEN from the environment (the secret Rasa on the other
                     machines sends): without it this profile refuses to start.
    ACTION_SERVER_TOKEN, WEBCHAT_SECRET, OTP_SECRET, LOG_ID_SALT   shared secrets; unset,
                     generated once into VAR_DIR/secrets (docs/security.md)
    DESK_COOKIE_SECURE   default 1 here: the desk cookie is sent over HTTPS only (browsers
                     also treat http://localhost as secure); 0 only for plain HTTP tests

Steps: start missing services → check the connection budget against PostgreSQL's
max_connections → migrate (python -m bot.store.migrate, plus Rasa's `events` table) →
supervisord (deploy/supervisord.conf.in, bot/tools/supervisord.py) runs the action
server, SANIC_WORKERS Rasa worker processes on one socket and the notification sender →
wait until every worker has loaded the model. A worker, the action server or the sender
that dies is restarted by supervisord within seconds (its log says so); the other
workers keep serving meanwhile.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bot import settings
from bot.tools.prod_env import (
    PROD_DEFAULTS,
    READY_LINE,
    TF_THREADS,
    action_server_exposure_error,
    connection_budget,
    mask_url,
    shared_secrets,
)
from bot.tools.serve import ROOT, Stack, actions_base, stop_on_sigterm
from bot.tools.services import Postgres, Redis, ServiceError
from bot.tools.supervisord import SupervisedHost


@dataclass
class ProdStack:
    """Services (started only if not configured) + migrations + one supervisord host."""

    model: Path
    rasa_port: int = 5005
    actions_port: int = 5055
    var_dir: Path = ROOT / "var"
    log_dir: Optional[Path] = None
    env_overrides: Dict[str, str] = field(default_factory=dict)
    throwaway_services: bool = False  # tests/bench: temp dirs, free ports, removed at stop
    durable: bool = True  # PostgreSQL fsync on (what production does)
    services_host: str = "127.0.0.1"  # where the local PostgreSQL and Redis listen
    postgres: Optional[Postgres] = None
    redis: Optional[Redis] = None
    rasa_host: str = "0.0.0.0"  # what `rasa run` binds by default
    name: str = "app"  # the host's name: VAR_DIR/run/<name>, supervisord's identifier
    stack: Optional[Stack] = None
    host: Optional[SupervisedHost] = None

    def environment(self) -> Dict[str, str]:
        env = {k: v for k, v in PROD_DEFAULTS.items()}
        passed = set(PROD_DEFAULTS) | {"DATABASE_URL", "REDIS_URL", "TRACKER_STORE_URL"}
        # what the operator set wins over the profile's defaults (copied, not interpreted)
        env.update({k: v for k, v in os.environ.items() if k in passed | set(TF_THREADS) and v})
        env.update(self.env_overrides)
        # TensorFlow sizes its thread pools to every core in every worker; N workers on C
        # cores then fight over them. Give each worker its share (measured: docs/benchmarks.md).
        share = str(max(1, (os.cpu_count() or 1) // max(1, int(env.get("SANIC_WORKERS") or 1))))
        for key in TF_THREADS:
            env.setdefault(key, share)
        env.update(shared_secrets(self.var_dir, env))
        # Every worker writes its metrics here and /metrics adds them up (bot/metrics.py).
        env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(self.var_dir / "metrics"))
        return env

    def start_services(self, env: Dict[str, str]) -> Dict[str, str]:
        database = env.get("DATABASE_URL", "")
        if database and not database.startswith(("postgres://", "postgresql")):
            raise ServiceError(
                f"the production profile needs PostgreSQL; DATABASE_URL is {database.split(':')[0]}:"
            )
        if not database:
            if self.throwaway_services:
                self.postgres = Postgres(durable=self.durable, host=self.services_host)
            else:
                cfg = settings.get()
                self.postgres = Postgres(
                    data_dir=Path(cfg.pg_data_dir or self.var_dir / "pg"),
                    port=cfg.local_pg_port,
                    keep=True,
                    host=self.services_host,
                )
            self.postgres.start()
            env["DATABASE_URL"] = self.postgres.url
            print(
                f"PostgreSQL (local, {self.postgres.bin.parent.name}): {self.postgres.url}",
                flush=True,
            )
        if not env.get("REDIS_URL"):
            if self.throwaway_services:
                self.redis = Redis(host=self.services_host)
            else:
                self.redis = Redis(
                    data_dir=self.var_dir / "redis",
                    port=settings.get().local_redis_port,
                    keep=True,
                    host=self.services_host,
                )
            self.redis.start()
            env["REDIS_URL"] = self.redis.url
            print(f"Redis (local): {self.redis.url}", flush=True)
        return env

    @staticmethod
    def check_budget(env: Dict[str, str]) -> Dict[str, int]:
        import psycopg2

        budget = connection_budget(env)
        conn = psycopg2.connect(
            env["DATABASE_URL"].replace("postgres://", "postgresql://", 1), connect_timeout=5
        )
        try:
            with conn.cursor() as cur:
                cur.execute("SHOW max_connections")
                budget["max_connections"] = int(cur.fetchone()[0])
                cur.execute("SHOW superuser_reserved_connections")
                budget["reserved"] = int(cur.fetchone()[0])
        finally:
            conn.close()
        usable = budget["max_connections"] - budget["reserved"]
        if budget["per_machine"] > usable:
            raise ServiceError(
                f"connection budget: {budget['per_machine']} connections in the worst case "
                f"({budget['rasa_workers']} Rasa workers x {budget['per_rasa_worker']} + "
                f"{budget['action_workers']} action workers x {budget['per_action_worker']}) but PostgreSQL "
                f"allows {usable}; lower SQL_POOL_SIZE/SQL_MAX_OVERFLOW/DB_POOL_SIZE/DB_MAX_OVERFLOW or workers"
            )
        return budget

    @staticmethod
    def migrate(env: Dict[str, str]) -> None:
        from bot.store.migrate import upgrade
        from bot.store.tracker_store import ensure_tracker_tables, tracker_store_url

        upgrade(env["DATABASE_URL"])
        ensure_tracker_tables(tracker_store_url(env))

    def prepare(self) -> Dict[str, str]:
        """Services started if not configured, the connection budget checked, the schema
        migrated: the environment every host's programs get."""
        problem = action_server_exposure_error({**os.environ, **self.env_overrides})
        if problem:
            raise ServiceError(problem)
        env = self.start_services(self.environment())
        self.budget = self.check_budget(env)
        self.migrate(env)
        # The last run's workers' counts would add up with the new ones.
        shutil.rmtree(env["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
        return env

    def start(self, timeout: float = 420.0) -> "ProdStack":
        try:
            self.start_host(self.prepare(), timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def start_host(self, env: Dict[str, str], timeout: float) -> None:
        """supervisord with this host's programs; returns once every worker is ready."""
        self.stack = Stack(
            model=self.model,
            rasa_port=self.rasa_port,
            actions_port=self.actions_port,
            var_dir=self.var_dir,
            log_dir=self.log_dir or self.var_dir / "logs",
            extra_env=env,
        )
        self.host = SupervisedHost(
            self.name,
            self.stack,
            workers=max(1, int(env.get("SANIC_WORKERS") or 1)),
            rasa_host=self.rasa_host,
        )
        self._log_mark = self._log_size()
        self.host.start()
        self.wait_workers(self.workers, timeout)

    @property
    def workers(self) -> int:
        return max(
            1,
            int(
                (self.stack.extra_env if self.stack else self.environment()).get("SANIC_WORKERS", 1)
            ),
        )

    @property
    def url(self) -> str:
        return self.stack.url

    @property
    def env(self) -> Dict[str, str]:
        return self.stack.env()

    def _rasa_log(self) -> Path:
        return self.stack.log_dir / "rasa.log"

    def _log_size(self) -> int:
        path = (self.log_dir or self.var_dir / "logs") / "rasa.log"
        return path.stat().st_size if path.exists() else 0

    def worker_pids(self) -> List[int]:
        """The Rasa worker processes serving now (supervisord's RUNNING ones)."""
        return self.host.worker_pids()

    def pids(self) -> List[int]:
        """Every process of this host's programs."""
        return self.host.pids()

    def rasa_main_pid(self) -> int:
        return self.worker_pids()[0]

    def wait_workers(self, count: int, timeout: float) -> None:
        """Every worker logs READY_LINE once its model is loaded (it accepts only then);
        `count` lines since the start (a replaced worker adds one)."""
        deadline = time.monotonic() + timeout
        while True:
            text = self._rasa_log().read_bytes()[self._log_mark :].decode(errors="replace")
            ready = text.count(READY_LINE)
            if ready >= count:
                return
            if not self.host.running():
                raise ServiceError("supervisord exited while starting; see the logs")
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"only {ready} of {count} Rasa workers ready after {timeout:.0f} s"
                )
            time.sleep(0.5)

    def ready_count(self) -> int:
        text = self._rasa_log().read_bytes()[self._log_mark :].decode(errors="replace")
        return text.count(READY_LINE)

    def kill_worker(self) -> int:
        pids = self.worker_pids()
        victim = pids[-1]
        os.kill(victim, signal.SIGKILL)
        return victim

    def stop(self) -> None:
        if self.host is not None:
            self.host.stop()
        for service in (self.redis, self.postgres):
            if service is not None:
                try:
                    service.stop()
                except Exception as e:  # keep stopping the rest
                    print(f"could not stop {service.name}: {e}", file=sys.stderr)


def main(argv: List[str]) -> int:
    from bot.masking import install_log_masking

    install_log_masking()
    command = argv[0] if argv else "run"
    var_dir = Path(settings.get().var_dir)
    if command == "plan":
        env = ProdStack(model=Path("-"), var_dir=var_dir).environment()
        for key in sorted(env):
            print(f"{key}={mask_url(env[key])}")
        for key, value in connection_budget(env).items():
            print(f"budget.{key}={value}")
        return 0
    if command != "run":
        print(__doc__, file=sys.stderr)
        return 2
    problem = action_server_exposure_error(dict(os.environ))
    if problem:
        print(f"Refusing to start: {problem}", file=sys.stderr)
        return 2
    from bot.tools.model import ensure

    prod = ProdStack(
        model=ensure(),
        rasa_port=settings.get().rasa_port,
        actions_port=settings.get().actions_port,
        var_dir=var_dir,
    )
    print(f"Starting the production profile with {prod.model.name} ...", flush=True)
    started = time.monotonic()
    # Ctrl-C and SIGTERM (systemd) both stop everything in order.
    stop_on_sigterm()
    try:
        prod.start()
        env = prod.env
        from bot.services.privacy.schedule import start_scheduler

        start_scheduler(env)  # the retention purge (docs/privacy.md)
        print(
            f"""
Ready in {time.monotonic() - started:.0f} s: {prod.workers} Rasa workers, action server, notification sender, PostgreSQL, Redis
(run by supervisord: a process that dies is restarted; supervisorctl -c {prod.host.conf} status).
  Rasa (REST, widget, webhooks): {prod.url}   health: {prod.url}/webhooks/rest/
  Action server:                 {actions_base(env["ACTIONS_HOST"], prod.actions_port)}   health: /health
  DATABASE_URL={mask_url(env["DATABASE_URL"])}
  REDIS_URL={mask_url(env["REDIS_URL"])}
  Connections (worst case): {prod.budget["per_machine"]} of {prod.budget["max_connections"]}
  Logs: {prod.stack.log_dir}
Press Ctrl-C to stop.""",
            flush=True,
        )
        while prod.host.running():  # supervisord restarts what dies
            time.sleep(1)
        print("supervisord stopped; shutting down.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        prod.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
