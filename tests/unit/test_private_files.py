"""The local databases (var/app.db: password hashes and transcripts; var/tracker.db: what
citizens typed) and their folder are readable by their owner only, whoever creates them
first: the migration, our engine, the tracker store, `make run`'s launcher."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.store import engine, reset_engine
from bot.store.files import private_sqlite
from bot.store.migrate import upgrade


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def var(tmp_path, monkeypatch):
    """A VAR_DIR not made yet, the usual umask, the default database locations."""
    folder = tmp_path / "var"
    monkeypatch.setenv("VAR_DIR", str(folder))
    for name in ("DATABASE_URL", "TRACKER_DB", "TRACKER_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    old = os.umask(0o022)
    reset_engine()
    yield folder
    reset_engine()
    os.umask(old)


def test_the_migration_creates_app_db_0600_in_a_0700_folder(var):
    upgrade()
    assert mode(var) == 0o700
    assert mode(var / "app.db") == 0o600


def test_our_engine_and_its_wal_files_are_0600(var):
    with engine().begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        wal = [p for p in var.iterdir() if p.name.startswith("app.db")]
        assert {p.name for p in wal} >= {"app.db", "app.db-wal", "app.db-shm"}
        assert {p.name: mode(p) for p in wal} == {p.name: 0o600 for p in wal}
    assert mode(var) == 0o700


def test_the_tracker_store_file_is_0600(var, rasa_patches):
    from rasa.shared.core.domain import Domain

    from bot.store.tracker_store import EnvTrackerStore, tracker_store_url

    assert tracker_store_url().endswith("/var/tracker.db")
    EnvTrackerStore(Domain.empty()).engine.dispose()
    assert mode(var / "tracker.db") == 0o600 and mode(var) == 0o700


def test_files_left_readable_by_an_older_version_are_tightened(var):
    var.mkdir(mode=0o755)
    os.chmod(var, 0o755)
    for name in ("app.db", "app.db-wal"):
        (var / name).touch()
        os.chmod(var / name, 0o644)
    private_sqlite(f"sqlite:///{var / 'app.db'}")
    assert mode(var) == 0o700
    assert mode(var / "app.db") == 0o600 and mode(var / "app.db-wal") == 0o600


def test_a_folder_of_someone_elses_choosing_is_left_as_it_is(var, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o755)
    private_sqlite(f"sqlite:///{shared / 'tracker.db'}")
    assert mode(shared) == 0o755 and mode(shared / "tracker.db") == 0o600
    private_sqlite("sqlite://")  # in memory: nothing to do
    private_sqlite("postgresql://u@localhost/db")


def test_the_launcher_makes_var_private(var):
    from bot.tools.serve import local_env

    local_env(5005, 5055, var)
    assert mode(var) == 0o700
