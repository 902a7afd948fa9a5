"""Every test is marked by what it needs, read from the fixtures it uses (directly or
through other fixtures), so `make test-fast` (`-m "not (db or server or model or browser
or prod)"`) cannot pick up a slow test by accident:

    db       a PostgreSQL or Redis server (SQLite files in a temporary folder are not)
    server   a listening server of ours: Rasa + action server, the channels' sanic app
    model    the trained model, or Rasa's command line (training, `rasa test`, validation)
    browser  headless Chromium
    prod     the production profile (several workers on PostgreSQL and Redis)

A module may add a marker itself (`pytestmark`) for a need no fixture shows, such as a
test that starts Rasa's command line in a subprocess.

Under pytest-xdist (`-n 2 --dist loadgroup`, make test) the tests that share the one Rasa
server, and those that share the one production stack, each stay on one worker (groups
"rasa" and "prod"), so each is started once while the other worker runs the rest.

In CI a skipped test fails the run unless tests/support/ci.py allows it.
"""

from __future__ import annotations

from typing import List

import pytest

from tests.support.ci import in_ci, skip_allowed

NEEDS = {
    "db": {
        "pg_server",
        "postgres_server",
        "postgres_url",
        "pg_database",
        "redis_server",
        "redis_url",
        "service_binaries",
        "prod_env",
    },
    "model": {"trained_model", "rasa_stack", "rasa_server"},
    "server": {"rasa_stack", "rasa_server", "stack", "desk_stack", "server_url", "prod_stack"},
    "browser": {"browser"},
    "prod": {"prod_stack", "prod_env"},
}
MARKERS = {
    "db": "needs a PostgreSQL or Redis server",
    "server": "starts a listening server (Rasa, action server, channels' app)",
    "model": "needs the trained model or Rasa's command line",
    "browser": "drives headless Chromium",
    "prod": "runs the production profile",
}


def pytest_configure(config) -> None:
    for name, doc in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {doc}")


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for marker, fixtures in NEEDS.items():
            if used & fixtures:
                item.add_marker(getattr(pytest.mark, marker))
        if item.nodeid.startswith("tests/prod/"):
            item.add_marker(pytest.mark.prod)
        if used & {"prod_stack", "telegram_standin"}:
            item.add_marker(pytest.mark.xdist_group("prod"))
        elif used & {"rasa_stack", "rasa_server", "trained_model"}:
            item.add_marker(pytest.mark.xdist_group("rasa"))


_skipped: List[str] = []


def pytest_runtest_logreport(report) -> None:
    if report.skipped and not hasattr(report, "wasxfail") and not skip_allowed(report.nodeid):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus) -> None:
    if in_ci() and _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter) -> None:
    if in_ci() and _skipped:
        terminalreporter.write_line(
            f"CI: {len(_skipped)} test(s) skipped that must run (allow-list: tests/support/ci.py):",
            red=True,
        )
        for nodeid in _skipped:
            terminalreporter.write_line(f"  {nodeid}")
